package trail

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// writeLog writes a generated CloudTrail log of about size bytes: as S3 delivers it ({"Records":
// [...]}) or one record per line. Its mix is that of an organisation's trail: 60% of records are
// other services' calls by IAM users and service roles, 30% calls with permission sets' role
// sessions (one session a user an hour, its calls carrying its access key and creation date),
// 10% IAM Identity Center's own (sign-ins, tokens, role credentials), for 50 users over a day. The same seed gives the same bytes.
func writeLog(w io.Writer, size int64, lines bool, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(seed, 1))
	start := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	if !lines {
		bw.WriteString(`{"Records":[`)
	}
	var n int64
	for i := 0; n < size; i++ {
		t := start.Add(time.Duration(r.Int64N(int64(24 * time.Hour)))).Format(time.RFC3339)
		u := r.IntN(50)
		user := fmt.Sprintf("user%02d", u)
		id := fmt.Sprintf("906752e3d7-%08x-0000-4000-8000-%012x", u, u)
		var rec string
		switch k := r.IntN(10); {
		case k < 6:
			rec = fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0%015x","arn":"arn:aws:sts::222233334444:assumed-role/ec2-app-role/i-0%015x","accountId":"222233334444","accessKeyId":"ASIAEXAMPLE%08d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::222233334444:role/ec2-app-role","accountId":"222233334444","userName":"ec2-app-role"},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"%s","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"10.0.%d.%d","userAgent":"aws-sdk-java/1.12.600 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.9","requestParameters":{"bucketName":"app-data-%d","key":"objects/%08x/%s.json","Host":"app-data.s3.us-east-1.amazonaws.com"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"%032x","bytesTransferredOut":%d},"requestID":"%016X","eventID":"%08x-%04x-4%03x-8%03x-%012x","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::app-data/objects/%08x"},{"accountId":"222233334444","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::app-data"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"222233334444","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"app-data.s3.us-east-1.amazonaws.com"}}`,
				i, i, i, t, t, []string{"s3.amazonaws.com", "kms.amazonaws.com", "dynamodb.amazonaws.com"}[r.IntN(3)],
				[]string{"GetObject", "PutObject", "Decrypt", "Query"}[r.IntN(4)], r.IntN(256), r.IntN(256), r.IntN(10), r.Uint32(), user,
				r.Uint64(), r.IntN(100000), r.Uint64(), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1), r.Uint32())
		case k < 9:
			hour := r.IntN(24)
			session := start.Add(time.Duration(hour) * time.Hour)
			rec = fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLESSO:%s","arn":"arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/%s","accountId":"222233334444","accessKeyId":"ASIAEXAMPLE%04d%04d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLESSO","arn":"arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef","accountId":"222233334444","userName":"AWSReservedSSO_Developer_0123456789abcdef"},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"}}},"eventTime":"%s","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","userAgent":"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.3.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.describe-instances","requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"platform"}]}}]}},"responseElements":null,"requestID":"%08x-%04x-4%03x-8%03x-%012x","eventID":"%08x-%04x-4%03x-8%03x-%012x","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"222233334444","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}`,
				// the user's session of the hour: one access key and creation date for its calls,
				// as CloudTrail writes them
				user, user, u, hour, session.Format(time.RFC3339), session.Add(time.Duration(r.Int64N(int64(time.Hour)))).Format(time.RFC3339), r.IntN(256),
				r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
		default:
			rec = fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"111122223333","arn":"","accountId":"111122223333","accessKeyId":"","userName":"%s","onBehalfOf":{"userId":"%s","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-1234567890"}},"eventTime":"%s","eventSource":"sso.amazonaws.com","eventName":"GetRoleCredentials","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","userAgent":"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.3.0 md/arch#arm64 lang/python#3.11.8","requestParameters":null,"responseElements":null,"requestID":"%08x-%04x-4%03x-8%03x-%012x","eventID":"%08x-%04x-4%03x-8%03x-%012x","readOnly":false,"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"111122223333","serviceEventDetails":{"role_name":"Developer","account_id":"222233334444"},"eventCategory":"Management"}`,
				user, id, t, r.IntN(256), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
		}
		switch {
		case lines:
			bw.WriteString(rec)
			bw.WriteByte('\n')
		case i > 0:
			bw.WriteByte(',')
			fallthrough
		default:
			bw.WriteString(rec)
		}
		n += int64(len(rec) + 1)
	}
	if !lines {
		bw.WriteString("]}\n")
	}
	return bw.Flush()
}

// generated returns a generated log (writeLog), gzip-compressed when zip is set.
func generated(t testing.TB, size int64, lines, zip bool) []byte {
	t.Helper()
	var b strings.Builder
	var w io.Writer = &b
	var zw *gzip.Writer
	if zip {
		zw = gzip.NewWriter(&b)
		w = zw
	}
	if err := writeLog(w, size, lines, 1); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return []byte(b.String())
}

// TestWriteGeneratedLog writes the generated logs the README's figures were measured on, when
// IDCSIM_TRAIL_LOG names where (DIR/trail.json, DIR/trail.json.gz, DIR/trail.jsonl), of the size
// IDCSIM_TRAIL_LOG_MB says (default 200):
//
//	IDCSIM_TRAIL_LOG=DIR go test ./trail -run TestWriteGeneratedLog
func TestWriteGeneratedLog(t *testing.T) {
	dir := os.Getenv("IDCSIM_TRAIL_LOG")
	if dir == "" {
		t.Skip("IDCSIM_TRAIL_LOG is not set")
	}
	mb := int64(200)
	if v := os.Getenv("IDCSIM_TRAIL_LOG_MB"); v != "" {
		if _, err := fmt.Sscan(v, &mb); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		name      string
		lines, gz bool
	}{{"trail.json", false, false}, {"trail.json.gz", false, true}, {"trail.jsonl", true, false}} {
		out, err := os.Create(dir + "/" + f.name)
		if err != nil {
			t.Fatal(err)
		}
		var w io.Writer = out
		var zw *gzip.Writer
		if f.gz {
			zw = gzip.NewWriter(out)
			w = zw
		}
		if err := writeLog(w, mb<<20, f.lines, 1); err != nil {
			t.Fatal(err)
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
