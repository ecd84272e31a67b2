package sim

import "testing"

// APP-1: opening an application needs a live portal session, the user enabled and an entitlement.
func TestOpenAppConditions(t *testing.T) {
	t.Parallel()
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
// check after its portal session ended: 30m in the current profile, 60m in older ones (RULES.md's
// profile table; 2022-10: "automatically refreshed every hour").
func TestAppSessionCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		profile, end string
		window       string
	}{
		{"current", "1h5m", "5m"},        // opened at 10m; checks at 40m, 1h10m: the first after 1h5m
		{"current", "1h10m", "30m"},      // a check exactly at the end does not see it: the next one does
		{"2023-07", "1h5m", "5m"},        // checks at 1h10m
		{"2023-07", "1h15m", "55m"},      // next check at 2h10m
		{"2022-10", "1h15m", "55m"},      // checks at 1h10m, 2h10m: sign-out is not cached (UIS-11 is for disable, delete, end session)
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
	t.Parallel()
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
	t.Parallel()
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
