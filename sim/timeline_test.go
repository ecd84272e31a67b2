package sim

import "testing"

// EV-1: events at one instant happen in the order the scenario lists them, and an offboarding's
// steps with no delay happen at its instant, before the events listed after it. alice, disabled
// and with her sessions ended by the offboarding at 1h, cannot sign in nor open an application
// at that same instant.
func TestSameInstantOrder(t *testing.T) {
	t.Parallel()
	res := runScenario(t, testScenario(
		offboard("1h", act(DisableUser), act(EndSessions)),
		e("1h", SignIn, "device", "laptop"),
		e("1h", OpenApp, "device", "laptop", "app", "q"),
	))
	w := res.Offboardings[0].Windows
	want(t, w, ChPortal, "0s", false)      // the sign-in was refused: no portal session after 1h
	want(t, w, ChAppExisting, "0s", false) // nor an application session
	if res.Counters.RefusedActions != 2 {
		t.Errorf("%d actions refused, want 2 (the sign-in and the app)", res.Counters.RefusedActions)
	}

	// listed before the offboarding, the same sign-in happens first: its portal session is
	// then ended by the playbook's end_sessions at once (UIS-4), and nothing is refused
	res = runScenario(t, testScenario(
		e("1h", SignIn, "device", "laptop"),
		offboard("1h", act(DisableUser), act(EndSessions)),
	))
	if res.Counters.RefusedActions != 0 || res.Counters.SignInPrompts != 1 {
		t.Errorf("%d refused, %d sign-ins; want 0 and 1", res.Counters.RefusedActions, res.Counters.SignInPrompts)
	}
	want(t, res.Offboardings[0].Windows, ChPortal, "0s", false)
}
