package trail

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readFile reads the records of one file (every record, not only the relevant ones).
func readFile(t *testing.T, path string) ([]Record, *Counts) {
	t.Helper()
	var recs []Record
	c, err := Read(context.Background(), []string{path}, ReadOptions{All: true}, func(r *Record) {
		x := *r
		x.Raw = nil
		recs = append(recs, x)
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, c
}

// Every record of testdata/reference (the IAM Identity Center user guide's own examples, each
// naming its source in the README there) is read with its fields, and classified.
func TestReferenceRecords(t *testing.T) {
	const (
		wf1 = "9de74b32-8362-4a01-a524-de21df59fd83" // password sign-in
		wf2 = "303486b5-fce1-4d59-ba1d-eb3acb790729" // with TOTP
		wf3 = "76d8a26d-ad9c-41a4-90c3-d607cdd7155c" // forced MFA registration
		wf4 = "adbf67c4-8188-4e2b-8527-fe539e328fa7" // failed
	)
	type want struct {
		time, source, name, id string
		idType, userName       string
		actor                  Actor
		workflow, credential   string
		result                 string // the serviceEventDetails value of the event's own name
	}
	wants := map[string]want{
		"01-signin-CredentialChallenge.json":    {"2020-12-07T20:33:58Z", srcSignIn, "CredentialChallenge", "27ea7725-c1fd-4355-bdba-d0e628e0e604", TypeUnknown, "user1", Person, wf1, "PASSWORD", "Success"},
		"02-signin-CredentialVerification.json": {"2020-12-07T20:34:09Z", srcSignIn, "CredentialVerification", "c49640f6-0c8a-43d3-a6e0-900e3bb188d4", TypeUnknown, "user1", Person, wf1, "PASSWORD", "Success"},
		"03-signin-UserAuthentication.json":     {"2020-12-07T20:34:09Z", srcSignIn, "UserAuthentication", "e959a95a-2b33-478d-906c-4fe303e8a9f1", TypeUnknown, "user1", Person, wf1, "PASSWORD", "Success"},
		"04-signin-UserAuthentication.json":     {"2020-12-07T20:34:09Z", srcSignIn, "UserAuthentication", "e959a95a-2b33-478d-906c-4fe303e8a9f1", TypeUnknown, "user1", Person, wf1, "EXTERNAL_IDP", "Success"},
		"05-signin-CredentialChallenge.json":    {"2020-12-08T20:40:13Z", srcSignIn, "CredentialChallenge", "d89cc0b5-a23a-4b88-843a-89329aeaef2e", TypeUnknown, "user1", Person, wf2, "PASSWORD", "Success"},
		"06-signin-CredentialVerification.json": {"2020-12-08T20:40:20Z", srcSignIn, "CredentialVerification", "4533fd49-6669-4d0b-b272-a0b2139309a8", TypeUnknown, "user1", Person, wf2, "PASSWORD", "Success"},
		"07-signin-CredentialChallenge.json":    {"2020-12-08T20:40:20Z", srcSignIn, "CredentialChallenge", "29202f08-f240-40cc-b789-c0cea8a27847", TypeUnknown, "user1", Person, wf2, "TOTP", "Success"},
		"08-signin-CredentialVerification.json": {"2020-12-08T20:40:27Z", srcSignIn, "CredentialVerification", "e889ff1d-fcaf-454f-805d-7132cf2362a4", TypeUnknown, "user1", Person, wf2, "TOTP", "Success"},
		"09-signin-UserAuthentication.json":     {"2020-12-08T20:40:27Z", srcSignIn, "UserAuthentication", "7a8c8725-db2f-488d-a43e-788dc6c73a4a", TypeUnknown, "user1", Person, wf2, "PASSWORD,TOTP", "Success"},
		"10-signin-CredentialChallenge.json":    {"2020-12-09T01:24:02Z", srcSignIn, "CredentialChallenge", "8c707b0f-e45a-4a9c-bee2-ff68638d2f1b", TypeUnknown, "user1", Person, wf3, "PASSWORD", "Success"},
		"11-signin-CredentialVerification.json": {"2020-12-09T01:24:09Z", srcSignIn, "CredentialVerification", "783b0c89-7142-4942-8b84-6ee0de1b992e", TypeUnknown, "user1", Person, wf3, "PASSWORD", "Success"},
		"12-signin-UserAuthentication.json":     {"2020-12-09T01:24:14Z", srcSignIn, "UserAuthentication", "a15bf257-7f37-46c0-b67c-fea5fa6166be", TypeUnknown, "user1", Person, wf3, "PASSWORD", "Success"},
		"13-signin-CredentialChallenge.json":    {"2020-12-08T18:56:15Z", srcSignIn, "CredentialChallenge", "d96f1d6c-dbd9-4a0b-9a45-6a2b66078c78", TypeUnknown, "user1", Person, wf4, "PASSWORD", "Success"},
		"14-signin-CredentialVerification.json": {"2020-12-08T18:56:21Z", srcSignIn, "CredentialVerification", "9160fe06-fc2a-474f-9b78-000ee067a09d", TypeUnknown, "user1", Person, wf4, "PASSWORD", "Failure"},
		"15-sso-DescribePermissionsPolicies.json": {"2017-11-29T22:39:43Z", srcSSO, "DescribePermissionsPolicies", "a93a952b-13dd-4ae5-a156-d3ad6220b071",
			TypeIAMUser, "samadams", NotAUser, "", "", ""},
		"16-sso-portal-appinstances.json": {"2017-11-29T18:48:28Z", srcSSO, "https://portal.sso.us-east-1.amazonaws.com/instance/appinstances",
			"e6e1f3df-9528-4c6d-a877-6b2b895d1f91", TypeUnknown, "bobsmith@example.com", Person, "", "", ""},
		"17-sso-CreateToken.json": {"2020-06-16T01:31:15Z", srcSSO, "CreateToken", "09a6e1a9-50e5-45c0-9f08-e6ef5089b262",
			TypeUnknown, "bobsmith@example.com", Person, "", "", ""},
	}
	files, err := filepath.Glob("testdata/reference/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(wants) {
		t.Fatalf("%d reference records, %d expected", len(files), len(wants))
	}
	for _, f := range files {
		w, ok := wants[filepath.Base(f)]
		if !ok {
			t.Errorf("%s: no expectation", f)
			continue
		}
		recs, c := readFile(t, f)
		if len(recs) != 1 || c.Records != 1 || c.Malformed+c.Oversize+c.Unreadable != 0 {
			t.Errorf("%s: %d records, counts %+v; want 1 record, no problem", f, len(recs), c)
			continue
		}
		r := recs[0]
		at, _ := time.Parse(time.RFC3339, w.time)
		got := want{r.Time.Format(time.RFC3339), r.EventSource, r.EventName, r.EventID, r.UserIdentity.Type, r.UserIdentity.UserName,
			0, r.AdditionalEventData.AuthWorkflowID, r.AdditionalEventData.CredentialType, ""}
		got.actor, _, _ = Classify(&r)
		switch r.EventName {
		case "CredentialChallenge":
			got.result = r.ServiceEventDetails.CredentialChallenge
		case "CredentialVerification":
			got.result = r.ServiceEventDetails.CredentialVerification
		case "UserAuthentication":
			got.result = r.ServiceEventDetails.UserAuthentication
		}
		if got != w || !r.Time.Equal(at) || r.Place.File != f || r.Place.Record != 1 || r.Place.Line != 1 {
			t.Errorf("%s:\n got %+v at %s\nwant %+v", f, got, r.Place, w)
		}
		switch filepath.Base(f)[:2] {
		case "03", "04", "09", "12":
			if !strings.HasPrefix(r.AdditionalEventData.LoginTo, "https://d-1234567890.awsapps.com/start/") {
				t.Errorf("%s: LoginTo %q", f, r.AdditionalEventData.LoginTo)
			}
		case "15":
			if r.UserIdentity.ARN != "arn:aws:iam::08966example:user/samadams" || r.UserIdentity.AccountID != "08966example" {
				t.Errorf("%s: identity %+v", f, r.UserIdentity)
			}
		case "17":
			rp, re := r.RequestParameters, r.ResponseElements
			if rp.ClientID != "clientid1234example" || rp.GrantType != "urn:ietf:params:oauth:grant-type:device_code" ||
				re.ExpiresIn != 28800 || re.RefreshToken != "HIDDEN_DUE_TO_SECURITY_REASONS" {
				t.Errorf("%s: request %+v, response %+v", f, rp, re)
			}
		}
		if filepath.Base(f)[:2] == "12" && r.AdditionalEventData.DeviceEnrollmentRequired != "true" {
			t.Errorf("%s: DeviceEnrollmentRequired %q", f, r.AdditionalEventData.DeviceEnrollmentRequired)
		}
	}
}

// The reference records, read together, make two users: user1, with four sign-ins that
// succeeded (UserAuthentication) and one that failed (its CredentialVerification), one of them
// through an external IdP; bobsmith@example.com, with a portal call and a CLI login of a legacy
// 8-hour token (CLI-4). The administrator's call is about no user.
func TestReferenceTimeline(t *testing.T) {
	b := NewBuilder()
	if _, err := Read(context.Background(), []string{"testdata/reference"}, ReadOptions{}, b.Add); err != nil {
		t.Fatal(err)
	}
	tl := b.Timeline(0)
	if len(tl.Users) != 2 || tl.Users[0].Name != "bobsmith@example.com" || tl.Users[1].Name != "user1" || !tl.ExternalIdP || len(tl.Offboardings) != 0 {
		t.Fatalf("users %v, external IdP %v, offboardings %d", names(tl.Users), tl.ExternalIdP, len(tl.Offboardings))
	}
	kinds := func(u *User) string {
		var k []string
		for _, g := range u.Grants {
			s := g.Kind
			if g.Failed {
				s += "!"
			}
			k = append(k, s)
		}
		return strings.Join(k, " ")
	}
	// in time order: 03 and 04 (2020-12-07), 14 (the failed verification, 2020-12-08 18:56), 09, 12
	if got, want := kinds(tl.Users[1]), "sign_in sign_in sign_in! sign_in sign_in"; got != want {
		t.Errorf("user1: %s, want %s", got, want)
	}
	bob := tl.Users[0]
	if got := kinds(bob); got != "cli_login" || bob.Grants[0].Lifetime != 8*time.Hour || len(bob.Activity) != 1 || bob.Activity[0].Channel != chPortal {
		t.Errorf("bobsmith: grants %s (%v), activity %+v", got, bob.Grants, bob.Activity)
	}
	if tl.Ignored != 1 {
		t.Errorf("ignored %d records, want 1 (the IAM user's)", tl.Ignored)
	}
}

func names(us []*User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

// The README of the reference records keeps their sources.
func TestReferenceSources(t *testing.T) {
	data, err := os.ReadFile("testdata/reference/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"aws-single-sign-on-user-guide", "understanding-sign-in-events.md", "understanding-sso-entries.md"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("README.md does not name %s", s)
		}
	}
}
