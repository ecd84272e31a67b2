package sim

import (
	"testing"
	"time"
)

// KIRO-1: an extended Kiro session lasts its duration, independent of the portal session; with
// extended sessions off it is an ordinary application session (APP-2).
func TestKiroSession(t *testing.T) {
	t.Parallel()
	w := windows(t, extendedScenario(
		e("0s", OpenApp, "device", "ide", "app", "kiro"),
		offboard("1h", act(EndSessions), act(DisableUser)),
	))
	want(t, w, ChKiro, "2159h", false) // 90d from 0
	sc := extendedScenario(e("0s", OpenApp, "device", "ide", "app", "kiro"), offboard("1h", act(EndSessions)))
	sc.Settings.KiroExtendedSessions = false
	want(t, windows(t, sc), ChKiro, "30m", false) // APP-2: first check after 1h is at 1h30m
}

// KIRO-2: Kiro sessions are capped by the AD ticket and by the IdP's SessionNotOnOrAfter.
func TestKiroCaps(t *testing.T) {
	t.Parallel()
	sc := extendedScenario(e("0s", OpenApp, "device", "ide", "app", "kiro"), offboard("0s"))
	sc.Source = IdentitySource{Kind: ActiveDirectory}
	want(t, windows(t, sc), ChKiro, "10h", false)
	sc.Source = IdentitySource{Kind: ExternalIdP, IdPSession: 12 * time.Hour, SessionNotOnOrAfter: true}
	want(t, windows(t, sc), ChKiro, "12h", false)
}

// KIRO-3: whether end session, disable or delete end Kiro sessions is a switch, off by default.
func TestUserActionsAndKiro(t *testing.T) {
	t.Parallel()
	for _, a := range []Action{EndSessions, DisableUser, DeleteUser} {
		sc := extendedScenario(e("0s", OpenApp, "device", "ide", "app", "kiro"), offboard("1h", act(a)))
		sc.Switches.UserActionsEndKiroSessions = true
		t.Run("KIRO-3 "+a.String(), func(t *testing.T) { want(t, windows(t, sc), ChKiro, "0s", false) })
	}
}
