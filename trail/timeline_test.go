package trail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

// build reads JSON-lines records into a timeline.
func build(t *testing.T, window time.Duration, lines ...string) *Timeline {
	t.Helper()
	b := NewBuilder()
	c, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: strings.NewReader(strings.Join(lines, "\n") + "\n")}, b.Add)
	if err != nil || c.Malformed+c.Unreadable+c.Oversize > 0 {
		t.Fatalf("%v %+v", err, c.Problems)
	}
	return b.Timeline(window)
}

const (
	uid   = "906752e3d7-3b1e6c5a-8d2f-4e7b-9c01-5f4a3e2d1c0b"
	admin = `{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/admin","userName":"admin"}`
)

// adminRec is an administrator's call at a time of 2026-03-04.
func adminRec(at, source, name, params string, extra ...string) string {
	s := fmt.Sprintf(`{"userIdentity":%s,"eventTime":"2026-03-04T%sZ","eventSource":"%s.amazonaws.com","eventName":"%s","eventID":"%s-%s","requestParameters":%s`,
		admin, at, source, name, name, at, params)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

// bobRec is a record of bob himself, known by name and ID.
func bobRec(at, source, name string, extra ...string) string {
	s := fmt.Sprintf(`{"userIdentity":{"type":"Unknown","userName":"bob","onBehalfOf":{"userId":"%s"}},"eventTime":"2026-03-04T%sZ","eventSource":"%s.amazonaws.com","eventName":"%s","eventID":"%s-%s","userAgent":"aws-cli/2.15.30"`,
		uid, at, source, name, name, at)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

func steps(o *Offboarding) string {
	var s []string
	for _, st := range o.Steps {
		x := st.Action.String()
		if st.Group != "" {
			x += " " + st.Group
		}
		s = append(s, st.Ev.Time.Format("15:04")+" "+x)
	}
	return strings.Join(s, ", ")
}

// The admin events that act on a user, however they name them: sso-directory's DisableUser, an
// identity store's UpdateUser to inactive (and SCIM's PATCH), group memberships by their ID
// (CreateGroupMembership names it), session deletions by the ListSessions before them, a deny
// policy naming the user's ID. The offboarding starts at the first admin event of the group
// within the playbook window before the disable (the deny, as CUT-4 orders), and its steps are
// those within the window after; a group's assignment is not the user's; the user enabled again
// after the window ends what the offboarding accounts for.
func TestAdminEvents(t *testing.T) {
	deny := fmt.Sprintf(`{"policyId":"p-1","content":"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"identitystore:UserId\":[\"%s\"]}}}]}"}`, uid)
	tl := build(t, time.Hour,
		bobRec("08:00:00", "signin", "UserAuthentication", `"serviceEventDetails":{"UserAuthentication":"Success"}`, `"additionalEventData":{"AuthWorkflowID":"w"}`),
		adminRec("07:00:00", "identitystore", "CreateGroupMembership", `{"identityStoreId":"d-1","groupId":"g-eng","memberId":{"userId":"`+uid+`"}}`, `"responseElements":{"membershipId":"m-1","identityStoreId":"d-1"}`),
		adminRec("08:58:00", "organizations", "UpdatePolicy", deny),
		adminRec("09:00:00", "identitystore", "UpdateUser", `{"identityStoreId":"d-1","userId":"`+uid+`","operations":[{"attributePath":"active","attributeValue":false}]}`),
		adminRec("09:01:00", "identitystore", "DeleteGroupMembership", `{"identityStoreId":"d-1","membershipId":"m-1"}`),
		adminRec("09:02:00", "sso", "DeleteAccountAssignment", `{"targetId":"222233334444","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1","principalType":"GROUP","principalId":"g-eng"}`),
		adminRec("09:03:00", "identitystore-auth", "ListSessions", `{"identityStoreId":"d-1","userId":"`+uid+`"}`),
		adminRec("09:04:00", "identitystore-auth", "BatchDeleteSession", `{"identityStoreId":"d-1","sessionIds":["s-1"]}`),
		adminRec("09:05:00", "sso-directory", "RemoveMemberFromGroup", `{"directoryId":"d-1","groupId":"g-ops","memberId":"`+uid+`"}`),
		adminRec("09:05:30", "sso-directory", "DisableUser", `{"directoryId":"d-1","userId":"`+uid+`"}`, `"errorCode":"AccessDenied"`),
		adminRec("11:00:00", "identitystore-scim", "PatchUser", `{"identityStoreId":"d-1","userId":"`+uid+`","operations":[{"op":"replace","path":"active","value":"true"}]}`),
		adminRec("12:00:00", "identitystore-scim", "DeleteUser", `{"identityStoreId":"d-1","userId":"`+uid+`"}`),
	)
	if len(tl.Users) != 1 || len(tl.Offboardings) != 1 {
		t.Fatalf("users %v, %d offboardings", names(tl.Users), len(tl.Offboardings))
	}
	o := tl.Offboardings[0]
	want := "08:58 deny_user, 09:00 disable_user, 09:01 remove_from_group g-eng, 09:04 end_sessions, 09:05 remove_from_group g-ops"
	if got := steps(o); got != want || o.User.Name != "bob" || !o.At.Equal(time.Date(2026, 3, 4, 8, 58, 0, 0, time.UTC)) {
		t.Errorf("offboarding of %s at %s: %s\nwant %s", o.User.Name, o.At, got, want)
	}
	if !o.Until.Equal(time.Date(2026, 3, 4, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("until %s, want the enable at 11:00", o.Until)
	}
	if len(tl.Notes) != 1 || !strings.Contains(tl.Notes[0], "disabled or deleted again at 2026-03-04T12:00:00Z") {
		t.Errorf("notes %q", tl.Notes)
	}
}

// Grants the records name in other ways: a refresh that names no user is placed by its client's
// login; a TTI exchange (CreateTokenWithIAM, made by the application's role) by the user ID of
// its additional event data; an identity-enhanced role session, by onBehalfOf.
func TestGrants(t *testing.T) {
	tl := build(t, 0,
		bobRec("08:00:00", "sso-oauth", "CreateToken", `"requestParameters":{"clientId":"c-1","grantType":"urn:ietf:params:oauth:grant-type:device_code"}`, `"responseElements":{"expiresIn":3600}`),
		`{"userIdentity":{"type":"Unknown"},"eventTime":"2026-03-04T08:50:00Z","eventSource":"sso-oauth.amazonaws.com","eventName":"CreateToken","eventID":"r1","requestParameters":{"clientId":"c-1","grantType":"refresh_token"},"responseElements":{"expiresIn":3600}}`,
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app-role/s"},"eventTime":"2026-03-04T09:00:00Z","eventSource":"sso-oauth.amazonaws.com","eventName":"CreateTokenWithIAM","eventID":"x1","requestParameters":{"clientId":"arn:aws:sso::1:application/ssoins-1/apl-1","grantType":"urn:ietf:params:oauth:grant-type:jwt-bearer"},"responseElements":{"expiresIn":3600},"additionalEventData":{"identitystore:UserId":"`+uid+`"}}`,
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app-role/s","onBehalfOf":{"userId":"`+uid+`"},"sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/app-role"}}},"eventTime":"2026-03-04T09:10:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"o1"}`,
	)
	if len(tl.Users) != 1 {
		t.Fatalf("users %v", names(tl.Users))
	}
	u := tl.Users[0]
	var kinds []string
	for _, g := range u.Grants {
		kinds = append(kinds, g.Kind+"@"+g.Ev.EventID)
	}
	if got := strings.Join(kinds, " "); got != "cli_login@CreateToken-08:00:00 cli_refresh@r1 exchange@x1" {
		t.Errorf("grants %s", got)
	}
	var acts []string
	for _, a := range u.Activity {
		acts = append(acts, a.Channel+":"+a.Label+"@"+a.Uses.Last.EventID)
	}
	if got := strings.Join(acts, " "); got != "app_on_behalf:exchange by arn:aws:sso::1:application/ssoins-1/apl-1@x1 app_on_behalf:identity-enhanced session of app-role@o1" {
		t.Errorf("activity %s", got)
	}
}

// An application acting for a user after the offboarding is observed on app_on_behalf, which
// this engine does not model: shown, never flagged.
func TestAppOnBehalfObserved(t *testing.T) {
	tl := build(t, 0,
		adminRec("09:00:00", "sso-directory", "DisableUser", `{"directoryId":"d-1","userId":"`+uid+`"}`),
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app-role/s"},"eventTime":"2026-03-04T09:30:00Z","eventSource":"sso-oauth.amazonaws.com","eventName":"CreateTokenWithIAM","eventID":"x1","requestParameters":{"clientId":"apl-1"},"additionalEventData":{"identitystore:UserId":"`+uid+`"}}`,
	)
	r, err := Analyze(context.Background(), tl, &Counts{}, Options{Replications: 2})
	if err != nil {
		t.Fatal(err)
	}
	w := window(t, r.Offboardings[0], chAppOnBehalf)
	if !w.Seen || w.Observed != 30*time.Minute || w.Modelled || w.Beyond || !r.Pass {
		t.Errorf("app_on_behalf %+v, pass %v", w, r.Pass)
	}
	if r.Offboardings[0].Steps[0].Action != sim.DisableUser {
		t.Errorf("steps %+v", r.Offboardings[0].Steps)
	}
}

// Older logs' shapes: Authenticate for a sign-in, Federate and GetRoleCredentials naming their
// role in the request parameters, Logout; a failed UserAuthentication counted once with its
// workflow.
func TestOlderShapes(t *testing.T) {
	tl := build(t, 0,
		bobRec("08:00:00", "sso", "Authenticate"),
		bobRec("08:01:00", "sso", "Federate", `"requestParameters":{"roleName":"Admin","accountId":"222233334444"}`),
		bobRec("08:02:00", "sso", "GetRoleCredentials", `"requestParameters":{"roleName":"Admin","accountId":"222233334444"}`, `"responseElements":{"roleCredentials":{"expiration":1772614920000}}`),
		bobRec("08:03:00", "sso", "Logout"),
		bobRec("08:04:00", "signin", "CredentialVerification", `"serviceEventDetails":{"CredentialVerification":"Failure"}`, `"additionalEventData":{"AuthWorkflowID":"w2"}`),
		bobRec("08:04:01", "signin", "UserAuthentication", `"serviceEventDetails":{"UserAuthentication":"Failure"}`, `"additionalEventData":{"AuthWorkflowID":"w2"}`),
	)
	var got []string
	for _, g := range tl.Users[0].Grants {
		s := g.Kind + " " + g.Account + "/" + g.PermissionSet
		if g.Failed {
			s += " failed"
		}
		if g.Lifetime > 0 {
			s += " " + g.Lifetime.String()
		}
		got = append(got, s)
	}
	// the credentials expire at 1772614920000 ms: 2026-03-04T09:02:00Z, an hour after
	want := "sign_in / | federate 222233334444/Admin | get_role_credentials 222233334444/Admin 1h0m0s | sign_out / | sign_in / failed"
	if strings.Join(got, " | ") != want {
		t.Errorf("grants\n%s\nwant\n%s", strings.Join(got, " | "), want)
	}
}

// A usage keeps its first and last records and the times of the latest few before the last,
// whatever order the records come in, and merging two keeps the latest of both.
func TestUsageRecent(t *testing.T) {
	at := func(m int) Evidence {
		return Evidence{EventID: fmt.Sprint(m), Time: time.Date(2026, 3, 4, 9, m, 0, 0, time.UTC)}
	}
	minutes := func(ts []time.Time) []int {
		var ms []int
		for _, t := range ts {
			ms = append(ms, t.Minute())
		}
		return ms
	}
	var u Usage
	// records at minutes 0..19, out of order: 10..19 then 0..9
	for m := 10; m < 20; m++ {
		u.add(at(m))
	}
	for m := range 10 {
		u.add(at(m))
	}
	if u.N != 20 || u.First.EventID != "0" || u.Last.EventID != "19" {
		t.Fatalf("N %d, first %s, last %s; want 20, 0, 19", u.N, u.First.EventID, u.Last.EventID)
	}
	// the recentUses (6) latest before the last: minutes 13 to 18
	if got, want := minutes(u.Recent()), []int{13, 14, 15, 16, 17, 18}; !slices.Equal(got, want) {
		t.Errorf("Recent() = %v, want %v", got, want)
	}
	var v Usage
	for _, m := range []int{30, 25, 40} {
		v.add(at(m))
	}
	u.merge(v)
	// the last is 40; before it 30, 25, 19 (u's last), 18, 17, 16
	if got, want := minutes(u.Recent()), []int{16, 17, 18, 19, 25, 30}; u.N != 23 || u.Last.EventID != "40" || !slices.Equal(got, want) {
		t.Errorf("merged: N %d, last %s, Recent() = %v; want 23, 40, %v", u.N, u.Last.EventID, got, want)
	}
	// one record: no recent ones
	var one Usage
	one.add(at(5))
	if r := one.Recent(); len(r) != 0 {
		t.Errorf("one record: Recent() = %v, want none", r)
	}
}

// A refused GetRoleCredentials with the user agent of an application's exchanges is the
// application's (app_on_behalf), though the logs hold it before the exchange (files are read in
// the order of their names, not of their records' times); one with another agent is the user's
// (role_new). TTI-1
func TestRefusedCredsOfApplicationReadFirst(t *testing.T) {
	tl := build(t, 0,
		bobRec("10:00:00", "sso", "GetRoleCredentials", `"errorCode":"UnauthorizedException"`, `"userAgent":"app/1.0"`),
		bobRec("10:05:00", "sso", "GetRoleCredentials", `"errorCode":"UnauthorizedException"`),
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app-role/s"},"eventTime":"2026-03-04T09:00:00Z","eventSource":"sso-oauth.amazonaws.com","eventName":"CreateTokenWithIAM","eventID":"x1","userAgent":"app/1.0","requestParameters":{"clientId":"apl-1"},"additionalEventData":{"identitystore:UserId":"`+uid+`"}}`,
	)
	if len(tl.Users) != 1 {
		t.Fatalf("users %v", names(tl.Users))
	}
	var acts []string
	for _, a := range tl.Users[0].Activity {
		if a.Label == "role credentials" {
			acts = append(acts, a.Channel+"@"+a.Refused.Last.EventID)
		}
	}
	slices.Sort(acts)
	if got := strings.Join(acts, " "); got != "app_on_behalf@GetRoleCredentials-10:00:00 role_new@GetRoleCredentials-10:05:00" {
		t.Errorf("refused role credentials: %s", got)
	}
}

// A user's refused attempts on sso.amazonaws.com (Federate, GetRoleCredentials) are attempts to
// get in, counted on their channels; a refused administration of the same source is passed over.
func TestRefusedUserEventsOfSSO(t *testing.T) {
	tl := build(t, 0,
		bobRec("10:00:00", "sso", "Federate", `"errorCode":"UnauthorizedException"`),
		bobRec("10:01:00", "sso", "GetRoleCredentials", `"errorCode":"ForbiddenException"`),
		`{"userIdentity":`+admin+`,"eventTime":"2026-03-04T10:02:00Z","eventSource":"sso.amazonaws.com","eventName":"DeleteAccountAssignment","eventID":"d1","errorCode":"AccessDenied","requestParameters":{"principalType":"USER","principalId":"`+uid+`"}}`,
	)
	if len(tl.Users) != 1 {
		t.Fatalf("users %v", names(tl.Users))
	}
	var acts []string
	for _, a := range tl.Users[0].Activity {
		acts = append(acts, a.Channel+"@"+a.Refused.Last.EventID)
	}
	slices.Sort(acts)
	if got := strings.Join(acts, " "); got != "portal@Federate-10:00:00 role_new@GetRoleCredentials-10:01:00" {
		t.Errorf("refused attempts: %s", got)
	}
	if len(tl.Users[0].Admin) != 0 || tl.Ignored != 1 {
		t.Errorf("admin %+v, %d ignored; want the refused administration passed over", tl.Users[0].Admin, tl.Ignored)
	}
}
