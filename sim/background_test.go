package sim

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"
)

// extendedScenario is testScenario with a jobs application (studio), a Kiro application (kiro), a
// Kiro IDE for alice, background sessions on (7d) and Kiro extended sessions on (90d).
func extendedScenario(events ...Event) *Scenario {
	sc := testScenario(events...)
	sc.Applications = append(sc.Applications, Application{Name: "studio", Kind: Jobs}, Application{Name: "kiro", Kind: Kiro})
	alice := &sc.Users[0]
	alice.Assignments = append(alice.Assignments, Assignment{Application: "studio"}, Assignment{Application: "kiro"})
	alice.Devices = append(alice.Devices, Device{Name: "ide", Kind: KiroIDE})
	sc.Settings.BackgroundSessions = true
	sc.Settings.BackgroundDuration = 7 * 24 * time.Hour
	sc.Settings.KiroExtendedSessions = true
	sc.Settings.KiroDuration = 90 * 24 * time.Hour
	sc.Horizon = 100 * 24 * time.Hour
	return sc
}

func startJobAt(at, length string) Event {
	return e(at, StartJob, "device", "laptop", "app", "studio", "duration", length)
}

// BG-1, BG-2: a job gets a background session that needs a portal session to start and then
// survives sign-out and the portal session's end.
func TestBackgroundSession(t *testing.T) {
	t.Parallel()
	res := runScenario(t, extendedScenario(
		startJobAt("1h", "2d"), // refused: no portal session
		e("2h", SignIn, "device", "laptop"),
		startJobAt("3h", "2d"),
		offboard("4h", act(SignOut, "device", "laptop")),
	))
	w := res.Offboardings[0].Windows
	want(t, w, ChBackground, "47h", false) // the job completes at 3h + 2d
	want(t, w, ChPortal, "0s", false)
	if c := res.Counters; c.RefusedActions != 1 || c.JobsStarted != 1 || c.JobsKilled != 0 {
		t.Errorf("BG-1: refused %d, started %d, killed %d; want 1, 1, 0", c.RefusedActions, c.JobsStarted, c.JobsKilled)
	}
}

// BG-3: when the background session ends, by expiry or by the admin, its job fails at the next
// 15-minute check.
func TestBackgroundSessionEnd(t *testing.T) {
	t.Parallel()
	t.Run("BG-3 expiry", func(t *testing.T) {
		sc := extendedScenario(e("0s", SignIn, "device", "laptop"), startJobAt("10m", "30d"), offboard("1h"))
		sc.Settings.BackgroundDuration = 2*time.Hour + 5*time.Minute // ends at 2h15m, on a check
		res := runScenario(t, sc)
		want(t, res.Offboardings[0].Windows, ChBackground, "1h25m", false) // checks every 15m from 10m: 2h25m
		if res.Counters.JobsKilled != 1 {
			t.Errorf("BG-3: %d jobs killed, want 1", res.Counters.JobsKilled)
		}
	})
	t.Run("BG-3 admin", func(t *testing.T) {
		w := windows(t, extendedScenario(e("0s", SignIn, "device", "laptop"), startJobAt("10m", "30d"),
			offboard("1h", act(EndBackgroundSession))))
		want(t, w, ChBackground, "10m", false) // next check at 1h10m
	})
}

// BG-4: with background sessions off, a job rides on the portal session and fails within 15
// minutes of its end.
func TestJobWithoutBackgroundSessions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		set  func(*Scenario)
	}{
		{"instance", func(sc *Scenario) { sc.Settings.BackgroundSessions = false }},
		{"application", func(sc *Scenario) { off := false; sc.Applications[3].BackgroundSessions = &off }},
		{"profile 2023-09", func(sc *Scenario) { sc.Profile, _ = LookupProfile("2023-09") }},
	} {
		t.Run("BG-4 "+c.name, func(t *testing.T) {
			sc := extendedScenario(e("0s", SignIn, "device", "laptop"), startJobAt("10m", "30d"),
				offboard("1h", act(SignOut, "device", "laptop")))
			c.set(sc)
			want(t, windows(t, sc), ChBackground, "10m", false) // next check after 1h: 1h10m
		})
	}
}

// BG-5: setting changes apply to background sessions created afterwards.
func TestBackgroundSettingChange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, jobAt, window string
		change              Event
	}{
		// started before the change: keeps its 7d session, which ends at 7d10m, on a check; the next is 7d25m
		{"before the duration change", "10m", "167h25m", e("20m", SetBackgroundSessionDuration, "duration", "1h")},
		{"before switching off", "10m", "167h25m", e("20m", DisableBackgroundSessions)},
		// started at 30m with a 1h session: it ends at 1h30m, the job at the check at 1h45m
		{"after the duration change", "30m", "45m", e("20m", SetBackgroundSessionDuration, "duration", "1h")},
		// started at 30m with no background session: it fails at the first check after sign-out, 1h15m
		{"after switching off", "30m", "15m", e("20m", DisableBackgroundSessions)},
	}
	for _, c := range cases {
		t.Run("BG-5 "+c.name, func(t *testing.T) {
			sc := extendedScenario(
				e("0s", SignIn, "device", "laptop"),
				c.change,
				startJobAt(c.jobAt, "30d"),
				offboard("1h", act(SignOut, "device", "laptop")),
			)
			slices.SortStableFunc(sc.Events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
			w := windows(t, sc)
			want(t, w, ChBackground, c.window, false)
		})
	}
}

// BG-6: whether disabling the user ends background sessions is a switch, off by default.
func TestDisableAndBackgroundSessions(t *testing.T) {
	t.Parallel()
	for _, ends := range []bool{false, true} {
		sc := extendedScenario(e("0s", SignIn, "device", "laptop"), startJobAt("10m", "3d"), offboard("1h", act(DisableUser)))
		sc.Switches.DisableEndsBackgroundSessions = ends
		w := windows(t, sc)
		t.Run("BG-6", func(t *testing.T) {
			if ends {
				want(t, w, ChBackground, "10m", false)
			} else {
				want(t, w, ChBackground, "71h10m", false) // completes at 3d10m
			}
		})
	}
}

// BG-7: the identity source's caps do not apply to background sessions. With an Active Directory
// source the portal session ends at the 10h ticket (UIS-8) and with an IdP sending
// SessionNotOnOrAfter at the IdP session's end (UIS-6); the job's 7-day background session does not.
func TestBackgroundSessionsNotCapped(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		source IdentitySource
	}{
		{"BG-7 active directory", IdentitySource{Kind: ActiveDirectory, TicketLifetime: 10 * time.Hour}},
		{"BG-7 SessionNotOnOrAfter", IdentitySource{Kind: ExternalIdP, IdPSession: 2 * time.Hour, SessionNotOnOrAfter: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := extendedScenario(
				e("0s", SignIn, "device", "laptop"),
				startJobAt("10m", "30d"),
				offboard("1h"), // changes nothing: measures how long access lasts on its own
			)
			sc.Source = c.source
			sc.Settings.PortalSession = 7 * 24 * time.Hour
			w := windows(t, sc)
			// the background session runs from 10m for 7d, to 7d0h10m, which falls on one of the
			// job's 15-minute checks (10m + 672 × 15m); as in TestBackgroundSessionEnd, the job fails
			// at the next one (BG-3), 7d0h25m: 7d0h25m - 1h = 6d23h25m
			want(t, w, ChBackground, "6d23h25m", false)
			// the portal session: capped at the ticket (10h) or at the IdP session (2h)
			cap := 10 * time.Hour
			if c.source.Kind == ExternalIdP {
				cap = 2 * time.Hour
			}
			if got := w[ChPortal].Length; got != cap-time.Hour {
				t.Errorf("portal window %v, want %v: the source caps the portal session", got, cap-time.Hour)
			}
		})
	}
}

// BG-2, BG-3: the evidence of a background window says what happened to the job: finished, or
// failed at a check, every job_failure_check as the profile sets it.
func TestJobEvidence(t *testing.T) {
	t.Parallel()
	w := windows(t, extendedScenario(e("0s", SignIn, "device", "laptop"), startJobAt("10m", "2d"), offboard("1h")))
	if ev := w[ChBackground].Evidence; !strings.Contains(ev, "finished at") || strings.Contains(ev, "fails") {
		t.Errorf("a job that ran to its end: %q", ev)
	}
	sc := extendedScenario(e("0s", SignIn, "device", "laptop"), startJobAt("10m", "30d"), offboard("1h", act(EndBackgroundSession)))
	sc.Profile.JobFailureCheck = 30 * time.Minute
	w = windows(t, sc)
	// ended at 1h; the checks fall every 30m from 10m: the job fails at 1h10m
	want(t, w, ChBackground, "10m", false)
	if ev := w[ChBackground].Evidence; !strings.Contains(ev, "(BG-3, every 30m)") {
		t.Errorf("a job failed at its check: %q", ev)
	}
}

// BG-8: only a job a user starts by hand gets a background session; a scheduled workflow's job
// rides on no session of the user's, so the offboarding leaves nothing of the user's running.
func TestScheduledJobs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scheduled bool
		window    string
	}{
		{false, "47h"}, // by hand: under a 7d background session, the job completes at 3h + 2d
		{true, "0s"},   // scheduled: no background session (BG-8)
	} {
		job := startJobAt("3h", "2d")
		job.Scheduled = c.scheduled
		res := runScenario(t, extendedScenario(e("2h", SignIn, "device", "laptop"), job, offboard("4h", act(SignOut, "device", "laptop"))))
		want(t, res.Offboardings[0].Windows, ChBackground, c.window, false)
		if res.Counters.JobsStarted != 1 {
			t.Errorf("BG-8 scheduled=%v: %d jobs started, want 1", c.scheduled, res.Counters.JobsStarted)
		}
	}
}
