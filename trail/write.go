package trail

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"idcsim/sim"
)

// What Write's records name: the organisation's management account, where IAM Identity Center
// and its trail live, its identity store, the region, and the administrator.
const (
	writeAccount  = "111122223333"
	writeRegion   = "us-east-1"
	writeStore    = "d-1234567890"
	writeInstance = "ssoins-1234567890abcdef"
	writeAdmin    = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_fedcba9876543210/admin"
	writeBrowser  = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
	writeCLI      = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5 md/arch#x86_64 lang/python#3.11.8"
)

// Write writes the audited activity of a run (sim.Options.Audit) under dir as CloudTrail
// delivers it to S3: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, one gzip file of
// {"Records": [...]} per hour, with the event shapes of IAM Identity Center's real records:
// sign-ins (signin UserAuthentication), logouts, CLI logins and refreshes (sso-oauth
// CreateToken), console federations (sso Federate, then sts AssumeRoleWithSAML), CLI role
// credentials (sso GetRoleCredentials), and the admin actions on users (sso-directory
// DisableUser and EnableUser, identitystore DeleteUser, identitystore-auth ListSessions and
// BatchDeleteSession, identitystore DeleteGroupMembership, sso DeleteAccountAssignment). A
// user's ID is derived from their name; the scenario's i-th account is the account ID
// 222233334444+i. Disabling at the IdP is not in AWS's logs: the provisioning run that carries
// it over is, as an identitystore-scim PatchUser of the user's active attribute. The bytes
// depend only on the arguments. Write creates dir's subdirectories; it does not remove what is there.
func Write(dir string, sc *sim.Scenario, audit []sim.Audit) error {
	audit = slices.Clone(audit)
	slices.SortStableFunc(audit, func(a, b sim.Audit) int { return cmp.Compare(a.At, b.At) })
	w := &trailWriter{sc: sc, accounts: map[string]string{}}
	for i, a := range sc.Accounts {
		w.accounts[a] = fmt.Sprintf("%012d", 222233334444+i)
	}
	var hour time.Time
	for _, a := range audit {
		t := sc.Start.Add(a.At).UTC().Truncate(time.Second)
		if h := t.Truncate(time.Hour); !h.Equal(hour) {
			if err := w.flush(dir, hour); err != nil {
				return err
			}
			hour = h
		}
		w.audit(a, t)
	}
	return w.flush(dir, hour)
}

// trailWriter holds the records of the hour being written.
type trailWriter struct {
	sc       *sim.Scenario
	accounts map[string]string
	n        int // records written: their IDs
	files    int
	records  [][]byte
}

// userID is the identity-store user ID Write gives a user: derived from the name.
func userID(name string) string {
	h := sha256.Sum256([]byte(name))
	return fmt.Sprintf("906752e3d7-%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// id returns the next record's ID, a UUID-shaped counter.
func (w *trailWriter) id() string {
	w.n++
	return fmt.Sprintf("5eed%04x-0000-4000-8000-%012x", w.n>>48&0xffff, w.n)
}

// add adds a record.
func (w *trailWriter) add(t time.Time, src, name string, who, req, resp, extra, details any, agent string) {
	if agent == "" {
		agent = src
	}
	typ := "AwsApiCall"
	if details != nil {
		typ = "AwsServiceEvent"
	}
	r := struct {
		EventVersion        string `json:"eventVersion"`
		UserIdentity        any    `json:"userIdentity"`
		EventTime           string `json:"eventTime"`
		EventSource         string `json:"eventSource"`
		EventName           string `json:"eventName"`
		AWSRegion           string `json:"awsRegion"`
		SourceIPAddress     string `json:"sourceIPAddress"`
		UserAgent           string `json:"userAgent"`
		RequestParameters   any    `json:"requestParameters"`
		ResponseElements    any    `json:"responseElements"`
		RequestID           string `json:"requestID"`
		EventID             string `json:"eventID"`
		ReadOnly            bool   `json:"readOnly"`
		EventType           string `json:"eventType"`
		ManagementEvent     bool   `json:"managementEvent"`
		RecipientAccountID  string `json:"recipientAccountId"`
		EventCategory       string `json:"eventCategory"`
		AdditionalEventData any    `json:"additionalEventData,omitempty"`
		ServiceEventDetails any    `json:"serviceEventDetails,omitempty"`
	}{"1.08", who, t.Format(time.RFC3339), src, name, writeRegion, "203.0.113.10", agent, req, resp,
		w.id(), w.id(), false, typ, true, writeAccount, "Management", extra, details}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // maps and strings only: cannot fail
	}
	w.records = append(w.records, b)
}

type obj = map[string]any

// person is the userIdentity of a user's own sign-in, token and portal events.
func person(user string) obj {
	return obj{"type": "Unknown", "principalId": writeAccount, "arn": "", "accountId": writeAccount,
		"accessKeyId": "", "userName": user,
		"onBehalfOf": obj{"userId": userID(user), "identityStoreArn": "arn:aws:identitystore::" + writeAccount + ":identitystore/" + writeStore}}
}

// writeAdminID is the userIdentity of the administrator.
var writeAdminID = obj{"type": "AssumedRole", "principalId": "AROAEXAMPLEADMIN:admin", "arn": writeAdmin, "accountId": writeAccount,
	"sessionContext": obj{"sessionIssuer": obj{"type": "Role", "arn": "arn:aws:iam::" + writeAccount +
		":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_fedcba9876543210"}}}

// audit writes the records of one audited activity at t.
func (w *trailWriter) audit(a sim.Audit, t time.Time) {
	u, uid := a.User, userID(a.User)
	account := w.accounts[a.Account]
	client := u + "-" + a.Device + "-cli-client"
	secs := int64(a.Duration / time.Second)
	switch {
	case a.Kind == sim.AuditSignIn:
		cred := "PASSWORD"
		if w.sc.Source.Kind == sim.ExternalIdP {
			cred = "EXTERNAL_IDP"
		}
		w.add(t, srcSignIn, "UserAuthentication", person(u), nil, nil,
			obj{"AuthWorkflowID": w.id(), "CredentialType": cred, "LoginTo": "https://" + writeStore + ".awsapps.com/start/"},
			obj{"UserAuthentication": "Success"}, writeBrowser)
	case a.Kind == sim.AuditSignOut:
		w.add(t, srcSSO, "Logout", person(u), nil, nil, nil, obj{}, writeBrowser)
	case a.Kind == sim.AuditCLILogin || a.Kind == sim.AuditTokenRefresh:
		req := obj{"clientId": client, "clientSecret": hidden, "grantType": "authorization_code", "code": hidden, "codeVerifier": hidden}
		if a.Kind == sim.AuditTokenRefresh {
			req = obj{"clientId": client, "clientSecret": hidden, "grantType": "refresh_token", "refreshToken": hidden}
		}
		w.add(t, srcOAuth, "CreateToken", person(u), req,
			obj{"accessToken": hidden, "tokenType": "Bearer", "expiresIn": secs, "refreshToken": hidden}, nil, nil, writeCLI)
	case a.Kind == sim.AuditFederate:
		w.add(t, srcSSO, "Federate", person(u), nil, nil, nil, obj{"account_id": account, "role_name": a.PermissionSet}, writeBrowser)
		role := "arn:aws:iam::" + account + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_" + a.PermissionSet + "_0123456789abcdef"
		w.add(t, srcSTS, "AssumeRoleWithSAML",
			obj{"type": "SAMLUser", "principalId": "EXAMPLEnameQualifier=:" + u, "userName": u, "identityProvider": "EXAMPLEnameQualifier="},
			obj{"sAMLAssertionID": "_" + w.id(), "roleSessionName": u, "durationSeconds": secs, "roleArn": role,
				"principalArn": "arn:aws:iam::" + account + ":saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"},
			obj{"subjectType": "persistent", "issuer": "https://portal.sso." + writeRegion + ".amazonaws.com/saml/assertion/EXAMPLE",
				"assumedRoleUser": obj{"arn": "arn:aws:sts::" + account + ":assumed-role/AWSReservedSSO_" + a.PermissionSet + "_0123456789abcdef/" + u},
				"credentials":     obj{"accessKeyId": "ASIAEXAMPLE", "expiration": t.Add(a.Duration).Format("Jan 2, 2006, 3:04:05 PM")}},
			nil, nil, "sso.amazonaws.com")
	case a.Kind == sim.AuditRoleCredentials:
		w.add(t, srcSSO, "GetRoleCredentials", person(u), obj{"roleName": a.PermissionSet, "accountId": account},
			obj{"roleCredentials": obj{"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": hidden, "sessionToken": hidden,
				"expiration": t.Add(a.Duration).UnixMilli()}},
			nil, obj{"account_id": account, "role_name": a.PermissionSet}, writeCLI)
	case (a.Kind == sim.AuditDisableUser || a.Kind == sim.AuditEnableUser) && a.Provisioned:
		w.add(t, srcSCIM, "PatchUser", obj{"type": "Unknown", "principalId": writeAccount, "accountId": writeAccount},
			obj{"identityStoreId": writeStore, "userId": uid,
				"operations": []obj{{"op": "replace", "path": "active", "value": a.Kind == sim.AuditEnableUser}}},
			nil, nil, nil, "Okta SCIM Client")
	case a.Kind == sim.AuditDisableUser || a.Kind == sim.AuditEnableUser:
		if a.Where == sim.AtIdP {
			return // the IdP's own logs; its provisioning is not simulated as records
		}
		name := "DisableUser"
		if a.Kind == sim.AuditEnableUser {
			name = "EnableUser"
		}
		w.add(t, srcDirectory, name, writeAdminID, obj{"directoryId": writeStore, "userId": uid}, nil, nil, nil, "")
	case a.Kind == sim.AuditDeleteUser:
		w.add(t, srcIdentityStore, "DeleteUser", writeAdminID, obj{"identityStoreId": writeStore, "userId": uid}, nil, nil, nil, "")
	case a.Kind == sim.AuditEndSessions:
		w.add(t, srcStoreAuth, "ListSessions", writeAdminID, obj{"identityStoreId": writeStore, "userId": uid}, nil, nil, nil, "")
		w.add(t, srcStoreAuth, "BatchDeleteSession", writeAdminID, obj{"identityStoreId": writeStore, "sessionIds": []string{hidden}}, nil, nil, nil, "")
	case a.Kind == sim.AuditRemoveFromGroup:
		w.add(t, srcDirectory, "RemoveMemberFromGroup", writeAdminID,
			obj{"directoryId": writeStore, "groupId": a.Group, "memberId": obj{"userId": uid}}, nil, nil, nil, "")
	case a.Kind == sim.AuditRemoveAssignment:
		principal, typ := uid, "USER"
		if a.Group != "" {
			principal, typ = a.Group, "GROUP"
		}
		w.add(t, srcSSO, "DeleteAccountAssignment", writeAdminID,
			obj{"instanceArn": "arn:aws:sso:::instance/" + writeInstance, "targetId": account, "targetType": "AWS_ACCOUNT",
				"permissionSetArn": "arn:aws:sso:::permissionSet/" + writeInstance + "/" + a.PermissionSet,
				"principalType":    typ, "principalId": principal},
			obj{"accountAssignmentDeletionStatus": obj{"status": "IN_PROGRESS"}}, nil, nil, "")
	}
}

const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// flush writes the records of the hour h, if any.
func (w *trailWriter) flush(dir string, h time.Time) error {
	if len(w.records) == 0 {
		return nil
	}
	w.files++
	sub := filepath.Join(dir, "AWSLogs", writeAccount, "CloudTrail", writeRegion, h.Format("2006"), h.Format("01"), h.Format("02"))
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%016X.json.gz", writeAccount, writeRegion, h.Format("20060102T1504Z"), w.files)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // no name, no modification time: the same records give the same bytes
	zw.Write([]byte(`{"Records":[`))
	for i, r := range w.records {
		if i > 0 {
			zw.Write([]byte{','})
		}
		zw.Write(r)
	}
	zw.Write([]byte("]}\n"))
	if err := zw.Close(); err != nil {
		return err
	}
	w.records = w.records[:0]
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(sub, name), buf.Bytes(), 0o644)
}
