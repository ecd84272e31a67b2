package sim

import (
	"testing"
	"time"
)

// APP-1: opening an application needs a live portal session, the user enabled and an entitlement.
func TestOpenAppConditions(t *testing.T) {
	cases := []struct {
		name   string
		events []Event
	}{
		{"APP-1 no portal session", []Event{e("1h", OpenApp, "device", "laptop", "app", "q")}},
		{"APP-1 other device's session", []Event{e("0s", SignIn, "device", "phone"), e("1h", OpenApp, "device", "laptop", "app", "q")}},
		{"APP-1 not entitled", []Event{e("0s", SignIn, "device", "laptop"), e("1h", OpenApp, "device", "laptop", "app", "extra")}},
		{"APP-1 disabled", []Event{e("0s", SignIn, "device", "laptop"), e("30m", DisableUser), e("1h", OpenApp, "device", "laptop", "app", "q")}},
		{"SAML-1 not entitled", []Event{e("0s", SignIn, "device", "laptop"), e("30m", RemoveAssignment, "app", "wiki"), e("1h", OpenApp, "device", "laptop", "app", "wiki")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runScenario(t, testScenario(append(c.events, offboard("1h"))...))
			if res.Counters.RefusedActions != 1 {
				t.Errorf("refused %d actions, want 1", res.Counters.RefusedActions)
			}
			w := res.Offboardings[0].Windows
			want(t, w, ChAppExisting, "0s", false)
			want(t, w, ChSAMLApp, "0s", false)
		})
	}
}

// APP-2: an application session checks back every period from its own start and ends at the first
// check after its portal session ended: 30m in the current profile, 60m and 120m in older ones.
func TestAppSessionCheck(t *testing.T) {
	cases := []struct {
		profile, end string
		window       string
	}{
		{"current", "1h5m", "5m"},        // opened at 10m; checks at 40m, 1h10m: the first after 1h5m
		{"current", "1h10m", "30m"},      // a check exactly at the end does not see it: the next one does
		{"2023-07", "1h5m", "5m"},        // checks at 1h10m
		{"2023-07", "1h15m", "55m"},      // next check at 2h10m
		{"2022-10", "1h5m", "1h5m"},      // checks at 2h10m
		{"2023-09", "2h15m", "55m"},      // checks at 3h10m
		{"current", "portal end", "10m"}, // natural end at 8h; check at 8h10m
	}
	for _, c := range cases {
		t.Run("APP-2 "+c.profile+" "+c.end, func(t *testing.T) {
			events := []Event{e("0s", SignIn, "device", "laptop"), e("10m", OpenApp, "device", "laptop", "app", "q")}
			if c.end == "portal end" {
				events = append(events, offboard("8h"))
			} else {
				events = append(events, offboard(c.end, act(SignOut, "device", "laptop")))
			}
			sc := testScenario(events...)
			sc.Profile, _ = LookupProfile(c.profile)
			w := windows(t, sc)
			want(t, w, ChAppExisting, c.window, false)
			want(t, w, ChAppNew, "0s", false)
		})
	}
}

// APP-3: the entitlement is re-evaluated hourly from the session's start.
func TestAppEntitlementCheck(t *testing.T) {
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("10m", OpenApp, "device", "laptop", "app", "q"),
		offboard("1h5m", act(RemoveAssignment, "app", "q")),
	))
	want(t, w, ChAppExisting, "5m", false) // renewals at 1h10m, 2h10m...
	want(t, w, ChPortal, "6h55m", false)   // the portal session is untouched
	t.Run("APP-3 entitled again before the check", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("10m", OpenApp, "device", "laptop", "app", "q"),
			offboard("1h5m", act(RemoveAssignment, "app", "q")),
			e("1h8m", AddAssignment, "app", "q"),
		))
		want(t, w, ChAppExisting, "7h5m", false) // lives to the check after the portal's end, 8h10m
	})
}

// APP-4: removing an application assignment blocks new sessions at once.
func TestAssignmentRemovalBlocksNewSessions(t *testing.T) {
	res := runScenario(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		offboard("1h", act(RemoveAssignment, "app", "q")),
		e("1h1m", OpenApp, "device", "laptop", "app", "q"),
	))
	want(t, res.Offboardings[0].Windows, ChAppNew, "0s", false)
	if res.Counters.RefusedActions != 1 {
		t.Errorf("APP-4: open_app after the removal was not refused")
	}
}

// SAML-1, SAML-2: a SAML application keeps its own session; nothing in IAM Identity Center ends it,
// only its own expiry or the user signing out of the application.
func TestSAMLSessions(t *testing.T) {
	for _, a := range []Action{DisableUser, DeleteUser, EndSessions, RemoveAssignments} {
		t.Run("SAML-2 "+a.String(), func(t *testing.T) {
			w := windows(t, testScenario(
				e("0s", SignIn, "device", "laptop"),
				e("1h", OpenApp, "device", "laptop", "app", "wiki"),
				offboard("2h", act(a)),
			))
			want(t, w, ChSAMLApp, "23h", false) // SAML-1: its own 24h from 1h
		})
	}
	t.Run("SAML-2 user signs out of the app", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", OpenApp, "device", "laptop", "app", "wiki"),
			offboard("2h", act(DisableUser)),
			e("3h", CloseApp, "app", "wiki"),
		))
		want(t, w, ChSAMLApp, "1h", false)
	})
}

// GRP-1, GRP-2: a membership change reaches entitlement decisions after a delay uniform in (0, 60m];
// new sessions (and the portal's and CLI's lists) follow within the hour, existing application
// sessions within two.
func TestMembershipView(t *testing.T) {
	sc := testScenario(
		e("0s", SignIn, "user", "bob", "device", "laptop"),
		e("5m", OpenApp, "user", "bob", "device", "laptop", "app", "q"),
		e("1h", Offboard, "user", "bob"),
		e("1h", RemoveFromGroup, "user", "bob", "group", "platform"),
	)
	sc.Replications = 400
	res := runScenario(t, sc)
	var maxNew, minNew, maxExisting time.Duration = 0, time.Hour, 0
	for _, o := range res.Offboardings {
		n, x := o.Windows[ChAppNew].Length, o.Windows[ChAppExisting].Length
		if r := o.Windows[ChRoleNew].Length; r != n {
			t.Errorf("GRP-2: role_new %v differs from app_new %v: the lists must change together", r, n)
		}
		maxNew, minNew, maxExisting = max(maxNew, n), min(minNew, n), max(maxExisting, x)
		if x < n || x > n+time.Hour {
			t.Errorf("APP-3: existing app session ended %v after the change, want within an hour of the view's %v", x, n)
		}
	}
	// 400 draws uniform in (0, 60m]: the largest is above 55m with probability 1 - (11/12)^400.
	if minNew <= 0 || maxNew > time.Hour || maxNew < 55*time.Minute {
		t.Errorf("GRP-1: membership delays in [%v, %v], want within (0, 60m] and reaching past 55m", minNew, maxNew)
	}
	// The session's renewals fall at 1h5m and 2h5m: the view's change lands before one of them.
	if maxExisting != 65*time.Minute {
		t.Errorf("GRP-1, APP-3: existing app sessions gone within %v, want 1h5m at worst", maxExisting)
	}
	t.Run("GRP-1 direct assignments are seen at once", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			offboard("1h", act(RemoveAssignment, "app", "q"), act(RemoveAssignment, "app", "wiki"),
				act(RemoveAssignment, "account", "prod", "ps", "Admin"), act(RemoveAssignment, "account", "prod", "ps", "Long")),
		))
		want(t, w, ChAppNew, "0s", false)
		want(t, w, ChRoleNew, "0s", false)
	})
}
