package sim

import (
	"testing"
	"time"
)

// UIS-1: the portal session's end is fixed at sign-in (start + duration), with no idle timeout.
func TestPortalSessionEnd(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		offboard("1h"),
	))
	want(t, w, ChPortal, "7h", false) // 8h portal duration, measured from 1h
	want(t, w, ChSignIn, "239h", true)
}

// UIS-2: a new portal duration applies to sessions started after the change only.
func TestPortalDurationChange(t *testing.T) {
	t.Parallel()
	t.Run("UIS-2 running session keeps its end", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("30m", SetPortalSession, "duration", "2h"),
			offboard("1h"),
		))
		want(t, w, ChPortal, "7h", false) // the 8h set at sign-in still holds
	})
	t.Run("UIS-2 next sign-in takes the new duration", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("30m", SetPortalSession, "duration", "2h"),
			e("1h", SignIn, "device", "phone"),
			offboard("1h30m", act(SignOut, "device", "laptop")),
		))
		want(t, w, ChPortal, "1h30m", false) // the phone's session: 1h + 2h, from 1h30m
	})
}

// UIS-3: signing out ends that portal session at once; the user may sign in again.
func TestSignOut(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		offboard("1h", act(SignOut, "device", "laptop")),
	))
	want(t, w, ChPortal, "0s", false)
	want(t, w, ChSignIn, "239h", true)
}

// UIS-4: the admin's end session ends all of the user's portal sessions, or one device's.
func TestEndSessions(t *testing.T) {
	t.Parallel()
	t.Run("UIS-4 all", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", SignIn, "device", "phone"),
			offboard("2h", act(EndSessions)),
		))
		want(t, w, ChPortal, "0s", false)
	})
	t.Run("UIS-4 one device", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", SignIn, "device", "phone"),
			offboard("2h", act(EndSessions, "device", "laptop")),
		))
		want(t, w, ChPortal, "7h", false) // the phone's session runs to 1h + 8h
	})
}

// UIS-5: disabling or deleting the user blocks sign-in at once. A delete ends the portal sessions;
// a disable, by default (the revocation page's reading), leaves them running and the user can
// still assume roles through them; with disable_ends_portal_sessions (table T1's reading) it
// ends them at once.
func TestDisableAndDelete(t *testing.T) {
	t.Parallel()
	gone := func(t *testing.T, sc *Scenario) {
		w := windows(t, sc)
		want(t, w, ChPortal, "0s", false)
		want(t, w, ChSignIn, "0s", false)
		want(t, w, ChAppNew, "0s", false)
		want(t, w, ChRoleNew, "0s", false)
	}
	t.Run("UIS-5 delete_user", func(t *testing.T) {
		gone(t, testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DeleteUser))))
	})
	t.Run("UIS-5 disable_user, switch on", func(t *testing.T) {
		sc := testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser)))
		sc.Switches.DisableEndsPortalSessions = true
		gone(t, sc)
	})
	t.Run("UIS-5 disable_user, default", func(t *testing.T) {
		// Sign-in at 0 with an 8h portal session, an app session opened at 10m, disabled at 1h.
		sc := testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("10m", OpenApp, "device", "laptop", "app", "q"),
			offboard("1h", act(DisableUser)),
		)
		w := windows(t, sc)
		want(t, w, ChPortal, "7h", false) // the portal session runs to its end at 8h
		want(t, w, ChSignIn, "0s", false) // new sign-ins refused at once
		want(t, w, ChAppNew, "0s", false) // APP-1 needs the user enabled
		// APP-2: the app session checks every 30m from 10m: 40m, 1h10m; the 1h10m check sees the
		// disabled user, 10m after the disable.
		want(t, w, ChAppExisting, "10m", false)
		want(t, w, ChRoleNew, "7h", false) // roles can be assumed while the portal session lives
	})
	t.Run("UIS-5 disable_user, default, CLI", func(t *testing.T) {
		// A CLI login at 0 through the browser's 8h portal session; disabled at 1h; a command at
		// 7h59m still refreshes the token (the portal session lives) and mints a 1h role session,
		// so role_existing reaches 8h59m - 1h = 7h59m.
		sc := testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("0s", CLILogin, "device", "term"),
			offboard("1h", act(DisableUser)),
			e("7h59m", GetRoleCredentials, "device", "term", "account", "prod", "ps", "Admin"),
		)
		w := windows(t, sc)
		want(t, w, ChCLIToken, "7h", false)        // the token refreshes until the portal session ends at 8h
		want(t, w, ChRoleExisting, "7h59m", false) // 7h59m + 1h - 1h
	})
}

func externalIdP(sc *Scenario, idpSession time.Duration, snoa bool) *Scenario {
	sc.Source = IdentitySource{Kind: ExternalIdP, IdPSession: idpSession, SessionNotOnOrAfter: snoa}
	return sc
}

// UIS-6: with SessionNotOnOrAfter, the IdP session caps the portal session; without it, it does not.
func TestSessionNotOnOrAfter(t *testing.T) {
	t.Parallel()
	for _, snoa := range []bool{true, false} {
		sc := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("0s")), 4*time.Hour, snoa)
		w := windows(t, sc)
		end := "8h" // the portal duration
		if snoa {
			end = "4h" // the IdP session's end
		}
		t.Run("UIS-6", func(t *testing.T) { want(t, w, ChPortal, end, false) })
	}
	t.Run("UIS-6 2022-10", func(t *testing.T) {
		// "the lesser of the session duration you set in your IdP or the session duration you set
		// here": the 4h IdP session caps the 8h portal session without SessionNotOnOrAfter.
		sc := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("0s")), 4*time.Hour, false)
		sc.Profile, _ = LookupProfile("2022-10")
		want(t, windows(t, sc), ChPortal, "4h", false)
	})
}

// UIS-7: while the IdP session lives and the user is enabled there, a new sign-in is silent.
func TestSilentSignIn(t *testing.T) {
	t.Parallel()
	sc := externalIdP(testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", SignOut, "device", "laptop"),
		e("2h", SignIn, "device", "laptop"),  // silent: the IdP session (12h) lives
		e("3h", SignOut, "device", "laptop"), //
		e("13h", SignIn, "device", "laptop"), // prompt: the IdP session ended at 12h
		e("14h", SignOut, "device", "laptop"),
		e("15h", DisableUser, "where", "idp"),
		e("16h", SignIn, "device", "laptop"), // refused: PROV-1
	), 12*time.Hour, true)
	res := runScenario(t, sc)
	c := res.Counters
	if c.SignInPrompts != 2 || c.SilentSignIns != 1 || c.RefusedActions != 1 {
		t.Errorf("UIS-7: prompts %d, silent %d, refused %d; want 2, 1, 1", c.SignInPrompts, c.SilentSignIns, c.RefusedActions)
	}
}

// UIS-8: Active Directory caps portal sessions at the ticket lifetime; in the 2023-07 and 2022-10
// profiles it has no session management: the duration is fixed at 8h and end session does nothing.
func TestActiveDirectory(t *testing.T) {
	t.Parallel()
	t.Run("UIS-8 ticket lifetime", func(t *testing.T) {
		sc := testScenario(e("0s", SignIn, "device", "laptop"), offboard("0s"))
		sc.Source = IdentitySource{Kind: ActiveDirectory}
		sc.Settings.PortalSession = 24 * time.Hour
		want(t, windows(t, sc), ChPortal, "10h", false) // the 10h ticket of AWS Managed AD
		sc.Source.TicketLifetime = 6 * time.Hour        // AD Connector, configured
		want(t, windows(t, sc), ChPortal, "6h", false)
	})
	for _, name := range []string{"2023-07", "2022-10"} {
		t.Run("UIS-8 "+name, func(t *testing.T) {
			sc := testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(EndSessions)))
			sc.Profile, _ = LookupProfile(name)
			sc.Source = IdentitySource{Kind: ActiveDirectory}
			sc.Settings.PortalSession = 2 * time.Hour
			res := runScenario(t, sc)
			want(t, res.Offboardings[0].Windows, ChPortal, "7h", false) // fixed 8h, end session ignored
			if len(res.Warnings) != 1 {
				t.Errorf("warnings %q, want one about end_sessions", res.Warnings)
			}
		})
	}
}

// UIS-9: a CLI login through a browser whose portal session lives reuses it and does not extend
// it; a CLI device that names no browser signs in on its own, and so does one whose browser has
// no live session.
func TestCLILoginReusesPortalSession(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("7h", CLILogin, "device", "term"),
		offboard("7h"),
	)
	res := runScenario(t, sc)
	w := res.Offboardings[0].Windows
	want(t, w, ChPortal, "1h", false)   // still the laptop's 8h
	want(t, w, ChCLIToken, "1h", false) // the token cannot outlive it (CLI-1)
	if res.Counters.SignInPrompts != 1 {
		t.Errorf("UIS-9: %d sign-in prompts, want 1", res.Counters.SignInPrompts)
	}
	t.Run("UIS-9 no browser named", func(t *testing.T) {
		// "own" names no browser: its login at 7h starts a portal session of its own, to 7h + 8h.
		res := runScenario(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("7h", CLILogin, "device", "own"),
			offboard("7h"),
		))
		w := res.Offboardings[0].Windows
		want(t, w, ChPortal, "8h", false)   // the CLI device's own session, 7h to 15h
		want(t, w, ChCLIToken, "1h", false) // its first 1h token, never used, so never refreshed (CLI-1, CLI-2)
		if res.Counters.SignInPrompts != 2 {
			t.Errorf("UIS-9: %d sign-in prompts, want 2 (the laptop's and the CLI's own)", res.Counters.SignInPrompts)
		}
	})
	t.Run("UIS-9 browser signed out", func(t *testing.T) {
		// The laptop signed out at 1h: the login at 7h through it signs in anew, to 15h.
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", SignOut, "device", "laptop"),
			e("7h", CLILogin, "device", "term"),
			offboard("7h"),
		))
		want(t, w, ChPortal, "8h", false)
	})
}

// UIS-10: a user may hold several portal sessions at once.
func TestSeveralPortalSessions(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", SignIn, "device", "phone"),
		offboard("2h", act(SignOut, "device", "phone")),
	))
	want(t, w, ChPortal, "6h", false) // the laptop's session lives on to 8h
}

// Every window that is open, `any` included, says what held it (UIS-5: the user could sign in).
func TestOpenWindowsHaveEvidence(t *testing.T) {
	t.Parallel()
	w := windows(t, testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h")))
	for _, c := range []Channel{ChSignIn, ChAny} {
		if !w[c].Open || w[c].Evidence == "" {
			t.Errorf("%s: open %v, evidence %q", c, w[c].Open, w[c].Evidence)
		}
	}
}

// UIS-11: in profile 2022-10 a portal session caches the user's status for an hour, refreshed
// hourly from its start; a disable, a delete and an admin's end of session reach it at its next
// refresh, and until then the user can still start application and role sessions through it.
// The timeline, the same in each case: sign-in at 9:00 (portal duration 8h, so refreshes at
// 10:00, 11:00, ...), app q opened at 9:10, the action at 9:20; at 9:59 the user opens q again
// and federates with Admin (1h); at 10:00, the refresh, they try q once more and Long (12h).
func TestPortalStatusCache(t *testing.T) {
	t.Parallel()
	run := func(a Action, disableEnds bool) [NumChannels]Window {
		sc := testScenario(
			e("9h", SignIn, "device", "laptop"),
			e("9h10m", OpenApp, "device", "laptop", "app", "q"),
			offboard("9h20m", act(a)),
			e("9h59m", OpenApp, "device", "laptop", "app", "q"),
			e("9h59m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
			e("10h", OpenApp, "device", "laptop", "app", "q"),
			e("10h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
		)
		sc.Profile, _ = LookupProfile("2022-10")
		sc.Switches.DisableEndsPortalSessions = disableEnds
		return windows(t, sc)
	}
	for _, a := range []Action{DisableUser, DeleteUser} {
		t.Run("UIS-11 "+a.String(), func(t *testing.T) {
			w := run(a, true)
			want(t, w, ChSignIn, "0s", false)  // no new sign-in at all (UIS-5)
			want(t, w, ChPortal, "40m", false) // 9:20 to the refresh at 10:00
			want(t, w, ChAppNew, "40m", false)
			want(t, w, ChRoleNew, "40m", false)
			// the q opened at 9:59 checks at 10:59 (APP-2, 60m) and is the last to end; the one
			// at 10:00 was refused (else 11:00, 1h40m)
			want(t, w, ChAppExisting, "1h39m", false)
			// Admin from 9:59 to 10:59; Long at 10:00 was refused (else 22:00, 12h40m)
			want(t, w, ChRoleExisting, "1h39m", false)
		})
	}
	t.Run("UIS-11 end_sessions", func(t *testing.T) {
		w := run(EndSessions, true)
		want(t, w, ChSignIn, "9d14h40m", true) // the user may sign in again: to the 10d horizon
		want(t, w, ChPortal, "40m", false)
		want(t, w, ChAppNew, "40m", false)
		want(t, w, ChRoleNew, "40m", false)
		want(t, w, ChAppExisting, "1h39m", false)
		want(t, w, ChRoleExisting, "1h39m", false)
	})
	t.Run("UIS-11 with UIS-5's default", func(t *testing.T) {
		// the disable does not end the session: it runs to 17:00 (7h40m), roles can still be
		// assumed through it, Long at 10:00 included (to 22:00, 12h40m); new app sessions end at
		// the refresh, and the q opened at 9:10 at its first check after it, 10:10 (APP-2)
		w := run(DisableUser, false)
		want(t, w, ChPortal, "7h40m", false)
		want(t, w, ChAppNew, "40m", false)
		want(t, w, ChRoleNew, "7h40m", false)
		want(t, w, ChAppExisting, "1h39m", false)
		want(t, w, ChRoleExisting, "12h40m", false)
	})
	t.Run("UIS-11 not in the current profile", func(t *testing.T) {
		sc := testScenario(
			e("9h", SignIn, "device", "laptop"),
			e("9h10m", OpenApp, "device", "laptop", "app", "q"),
			offboard("9h20m", act(DisableUser)),
			e("9h21m", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		)
		sc.Switches.DisableEndsPortalSessions = true
		w := windows(t, sc)
		want(t, w, ChPortal, "0s", false)
		want(t, w, ChRoleExisting, "0s", false) // the federation at 9:21 was refused
		want(t, w, ChAppExisting, "20m", false) // q checks at 9:40 (APP-2, 30m)
	})
}
