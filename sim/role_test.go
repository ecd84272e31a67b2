package sim

import (
	"reflect"
	"testing"
	"time"
)

// ROLE-1: federating needs a live portal session on the device; the CLI needs a usable token;
// both need the user enabled and entitled.
func TestFederationConditions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		events []Event
	}{
		{"ROLE-1 no portal session", []Event{e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin")}},
		{"ROLE-1 not entitled", []Event{e("0s", SignIn, "user", "bob", "device", "laptop"),
			e("1h", Federate, "user", "bob", "device", "laptop", "account", "prod", "ps", "Long")}},
		{"ROLE-1 deleted", []Event{e("0s", SignIn, "device", "laptop"), e("30m", DeleteUser),
			e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin")}},
		{"ROLE-1 CLI without a token", []Event{e("0s", SignIn, "device", "laptop"),
			e("1h", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Admin")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runScenario(t, testScenario(append(c.events, offboard("1h"))...))
			if res.Counters.RefusedActions != 1 {
				t.Errorf("refused %d actions, want 1", res.Counters.RefusedActions)
			}
			want(t, res.Offboardings[0].Windows, ChRoleExisting, "0s", false)
		})
	}
}

// ROLE-2, ROLE-3: credentials last the permission set's duration, fixed at issue, and nothing in
// IAM Identity Center ends them early.
func TestRoleSessionsRunToExpiry(t *testing.T) {
	t.Parallel()
	for _, a := range []Action{DisableUser, DeleteUser, EndSessions, SignOut, RemoveAssignments} {
		t.Run("ROLE-3 "+a.String(), func(t *testing.T) {
			s := act(a)
			if a == SignOut {
				s.Device = "laptop"
			}
			w := windows(t, testScenario(
				e("0s", SignIn, "device", "laptop"),
				e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
				e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
				offboard("2h", s),
			))
			want(t, w, ChRoleExisting, "11h", false) // ROLE-2: Long's 12h from 1h
		})
	}
	t.Run("ROLE-3 switch: removing the last assignment ends credentials", func(t *testing.T) {
		sc := testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
			offboard("2h", act(RemoveAssignment, "account", "prod", "ps", "Long")),
		)
		sc.Switches.LastAssignmentEndsRoleSessions = true
		want(t, windows(t, sc), ChRoleExisting, "0s", false)
	})
}

// ROLE-4: a permission-set duration change applies to credentials issued after it.
func TestPermissionSetDurationChange(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		e("1h30m", SetPermissionSetDuration, "ps", "Admin", "duration", "4h"),
		offboard("1h30m"),
	))
	want(t, w, ChRoleExisting, "30m", false) // the 1h credentials keep their 1h
	w = windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", SetPermissionSetDuration, "ps", "Admin", "duration", "4h"),
		e("1h30m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		offboard("1h30m"),
	))
	want(t, w, ChRoleExisting, "4h", false)
}

// ROLE-5, CLI-1: portal 20h and permission set 12h give at most 32h of CLI access after sign-in
// (the published worked example): the last credentials are minted just before the portal session ends.
func TestCLIAccessWorkedExample(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("0s", CLILogin, "device", "term"),
		e("0s", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Long"),
		offboard("0s"),
		e("19h59m", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Long"),
		e("20h", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Long"), // cached: nothing new
		e("31h50m", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Long"),
	)
	sc.Settings.PortalSession = 20 * time.Hour
	res := runScenario(t, sc)
	w := res.Offboardings[0].Windows
	want(t, w, ChRoleExisting, "31h59m", false) // 19h59m + 12h: within the published 32h
	want(t, w, ChRoleNew, "20h", false)         // the refresh token dies with the portal session
	want(t, w, ChCLIToken, "20h", false)        // no access token outlives the portal session's end
	if res.Counters.RefusedActions != 1 {       // at 31h50m nothing can mint
		t.Errorf("ROLE-5: %d refused, want 1", res.Counters.RefusedActions)
	}
}

// ROLE-6: a console session ends with its role session; the user may federate again while the
// portal session lives.
func TestConsoleRefederation(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		offboard("1h"),
		e("2h30m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		e("8h30m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"), // portal over at 8h: refused
	))
	want(t, w, ChRoleExisting, "2h30m", false) // the second session, 2h30m to 3h30m
	res := runScenario(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		e("1h30m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"), // still live: not a re-federation
		e("2h30m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"), // expired at 2h30m: re-federation
		e("2h40m", Federate, "device", "laptop", "account", "prod", "ps", "Long"),  // first time into Long
	))
	if c := res.Counters; c.Federations != 4 || c.Refederations != 1 {
		t.Errorf("ROLE-6: %d federations, %d re-federations; want 4, 1", c.Federations, c.Refederations)
	}
}

// The offboarding's timeline lists the sessions live at it or started after, and the steps as
// carried out: here the portal session, which the disable leaves running to its end at 8h (UIS-5,
// the default), and the role session that runs on (ROLE-3).
func TestOffboardingTimeline(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
		Event{At: h("2h"), Action: Offboard, User: "alice", PlaybookName: "p", Playbook: []Step{
			{Event: Event{Action: DenyUser, User: "alice"}}, {After: 30 * time.Minute, Event: Event{Action: DisableUser, User: "alice"}}}},
	)
	o := runScenario(t, sc).Offboardings[0]
	wantSpans := []Span{
		{Kind: "portal", Label: "portal session on laptop", Start: 0, End: h("8h")},
		{Kind: "role", Label: "prod/Long", Start: h("1h"), End: h("13h")},
	}
	if !reflect.DeepEqual(o.Sessions, wantSpans) {
		t.Errorf("sessions %+v, want %+v", o.Sessions, wantSpans)
	}
	wantSteps := []StepMark{{At: h("2h"), Action: "deny_user"}, {At: h("2h30m"), Action: "disable_user"}}
	if !reflect.DeepEqual(o.Steps, wantSteps) {
		t.Errorf("steps %+v, want %+v", o.Steps, wantSteps)
	}
}
