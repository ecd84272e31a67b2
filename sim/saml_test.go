package sim

import "testing"

// SAML-1, SAML-2: a SAML application keeps its own session; nothing in IAM Identity Center ends it,
// only its own expiry or the user signing out of the application.
func TestSAMLSessions(t *testing.T) {
	t.Parallel()
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
