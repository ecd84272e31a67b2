package sim

import (
	"testing"
	"time"
)

// CLI-1: an access token lasts 1h and never outlives the natural end of its portal session; the
// refresh token works only while that portal session lives.
func TestAccessToken(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("7h30m", CLILogin, "device", "term"),
		offboard("7h30m"),
	))
	want(t, w, ChCLIToken, "30m", false) // capped at the portal's 8h, not 7h30m + 1h
	w = windows(t, testScenario(
		e("0s", CLILogin, "device", "term"),
		offboard("0s"),
		e("3h", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Admin"),
	))
	want(t, w, ChCLIToken, "4h", false) // refreshed at 3h for another hour
}

// CLI-2: the AWS CLI refreshes its token when 15 minutes or less remain; the SDKs at 5 minutes.
func TestTokenRefreshWindow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ device, window string }{
		{"term", "1h"}, // 10m remain at 50m: refreshed, valid to 1h50m
		{"sdk", "10m"}, // 10m remain: the SDK waits; the token ends at 1h
	} {
		t.Run("CLI-2 "+c.device, func(t *testing.T) {
			w := windows(t, testScenario(
				e("0s", SignIn, "device", "laptop"),
				e("0s", CLILogin, "device", c.device),
				e("10m", GetRoleCredentials, "device", c.device, "account", "prod", "ps", "Long"),
				offboard("50m"),
				e("50m", GetRoleCredentials, "device", c.device, "account", "prod", "ps", "Admin"),
			))
			want(t, w, ChCLIToken, c.window, false)
		})
	}
}

// CLI-3: an access token already issued stays usable to its own expiry after the portal session
// ends, and can still mint credentials; with the switch off it ends with the session.
func TestTokenSurvivesSessionEnd(t *testing.T) {
	t.Parallel()
	for _, survives := range []bool{true, false} {
		sc := testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", CLILogin, "device", "term"),
			offboard("1h20m", act(EndSessions)),
			e("1h50m", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Long"),
		)
		sc.Switches.CLITokenSurvivesSessionEnd = survives
		w := windows(t, sc)
		t.Run("CLI-3", func(t *testing.T) {
			if survives {
				want(t, w, ChCLIToken, "40m", false)        // to 2h
				want(t, w, ChRoleNew, "40m", false)         // minting works until then
				want(t, w, ChRoleExisting, "12h30m", false) // 1h50m + 12h: "up to an hour" more than a console session
			} else {
				want(t, w, ChCLIToken, "0s", false)
				want(t, w, ChRoleNew, "0s", false)
				want(t, w, ChRoleExisting, "0s", false)
			}
		})
	}
}

// CLI-4: a legacy profile holds an 8h access token with no refresh.
func TestLegacyToken(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("0s", CLILogin, "device", "old"),
		offboard("30m"),
		e("7h", GetRoleCredentials, "device", "old", "account", "prod", "ps", "Admin"),
		e("8h30m", GetRoleCredentials, "device", "old", "account", "prod", "ps", "Admin"), // expired, no refresh
	)
	res := runScenario(t, sc)
	w := res.Offboardings[0].Windows
	want(t, w, ChCLIToken, "7h30m", false)     // to 8h: the portal session (8h) ends with it
	want(t, w, ChRoleExisting, "7h30m", false) // credentials minted at 7h, to 8h
	if res.Counters.RefusedActions != 1 {
		t.Errorf("CLI-4: %d refused, want 1 (the call after 8h)", res.Counters.RefusedActions)
	}
}

// CLI-3: every token, legacy 8h tokens (CLI-4) included, is revoked at most cli_revocation (1h)
// after its portal session ends. A legacy login at 0, the user's sessions ended at 10m: the token
// is usable to 1h10m, no longer to 8h.
func TestCLIRevocation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		at            string
		cli, existing string
		refused       int64
	}{
		// a command within the hour mints 12h credentials: 1h05m + 12h - 10m
		{"1h05m", "1h", "12h55m", 0},
		// at 7h59m the token is gone: refused. Without the bound it minted credentials to 19h59m,
		// a window of 19h49m (71,340 s).
		{"7h59m", "1h", "0s", 1},
	} {
		t.Run("CLI-3 command at "+c.at, func(t *testing.T) {
			res := runScenario(t, testScenario(
				e("0s", SignIn, "device", "laptop"),
				e("0s", CLILogin, "device", "old"),
				offboard("10m", act(EndSessions)),
				e(c.at, GetRoleCredentials, "device", "old", "account", "prod", "ps", "Long"),
			))
			w := res.Offboardings[0].Windows
			want(t, w, ChCLIToken, c.cli, false)
			want(t, w, ChRoleExisting, c.existing, false)
			if res.Counters.RefusedActions != c.refused {
				t.Errorf("%d refused, want %d", res.Counters.RefusedActions, c.refused)
			}
		})
	}
	// the bound is a timing of the profile: 3h keeps the token to 3h10m
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("0s", CLILogin, "device", "old"),
		offboard("10m", act(EndSessions)),
	)
	sc.Profile.CLIRevocation = 3 * time.Hour
	want(t, windows(t, sc), ChCLIToken, "3h", false)
}

// CLI-5: a workload's cached credentials are refreshed when 15 minutes or less remain (SDKs: 5),
// for as long as a token can be had; ROLE-5: access lasts to the last mint plus the duration.
func TestWorkloadRefresh(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ device, window string }{
		{"term", "8h30m"}, // mints every 45m: the last at 7h30m, valid to 8h30m; at 8h15m no token
		{"sdk", "8h20m"},  // mints every 55m: the last at 7h20m, valid to 8h20m
	} {
		t.Run("CLI-5 "+c.device, func(t *testing.T) {
			w := windows(t, testScenario(
				e("0s", SignIn, "device", "laptop"),
				e("0s", CLILogin, "device", c.device),
				e("0s", StartCLIWorkload, "device", c.device, "account", "prod", "ps", "Admin"),
				offboard("0s"),
			))
			want(t, w, ChRoleExisting, c.window, false)
		})
	}
}

// CLI-1, UIS-9: a workload started on a device without a token logs the CLI in first, reusing the
// browser's portal session, and then refreshes its credentials until that session ends.
func TestWorkloadLogsIn(t *testing.T) {
	t.Parallel()
	res := runScenario(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("10m", StartCLIWorkload, "device", "term", "account", "prod", "ps", "Admin"),
		offboard("10m"),
	))
	want(t, res.Offboardings[0].Windows, ChRoleExisting, "8h30m", false) // mints every 45m from 10m; the last at 7h40m, valid to 8h40m
	if c := res.Counters; c.CLILogins != 1 || c.SignInPrompts != 1 {
		t.Errorf("%d CLI logins, %d prompts; want 1 and 1 (the portal session is reused)", c.CLILogins, c.SignInPrompts)
	}
}

// CLI-6: `aws sso logout` ends the portal session behind the token and deletes the token and the
// cached credentials; credentials already issued live to their expiry.
func TestCLILogout(t *testing.T) {
	t.Parallel()
	res := runScenario(t, testScenario(
		e("0s", CLILogin, "device", "term"),
		e("10m", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Admin"),
		offboard("20m", act(CLILogout, "device", "term")),
		e("30m", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Admin"),
	))
	w := res.Offboardings[0].Windows
	want(t, w, ChPortal, "0s", false)
	want(t, w, ChCLIToken, "0s", false)
	want(t, w, ChRoleExisting, "50m", false) // issued at 10m for 1h
	if res.Counters.RefusedActions != 1 {
		t.Errorf("CLI-6: the call after logout was not refused")
	}
}

// CLI-7: in profile 2022-10 every CLI login gives an 8h token without refresh, whatever the portal
// session: a 1h portal session ended at 30m leaves the token to 8h, and a command at 7h mints
// 12h credentials. In the current profile the same token follows its portal session (CLI-1,
// CLI-3).
func TestFixedCLISessions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		profile       string
		cli, existing string
		refused       int64
	}{
		// token to 8h: 8h - 30m; credentials from 7h to 19h: 19h - 30m
		{"2022-10", "7h30m", "18h30m", 0},
		// the token ends with the portal's natural end at 1h (CLI-1): 1h - 30m; the command is refused
		{"current", "30m", "0s", 1},
	} {
		t.Run("CLI-7 "+c.profile, func(t *testing.T) {
			sc := testScenario(
				e("0s", SignIn, "device", "laptop"),
				e("0s", CLILogin, "device", "term"),
				offboard("30m", act(EndSessions, "device", "laptop")),
				e("7h", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Long"),
			)
			sc.Profile, _ = LookupProfile(c.profile)
			sc.Settings.PortalSession = time.Hour
			res := runScenario(t, sc)
			w := res.Offboardings[0].Windows
			want(t, w, ChCLIToken, c.cli, false)
			want(t, w, ChRoleExisting, c.existing, false)
			if res.Counters.RefusedActions != c.refused {
				t.Errorf("%d refused, want %d", res.Counters.RefusedActions, c.refused)
			}
		})
	}
}
