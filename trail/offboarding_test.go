package trail

import (
	"context"
	"strings"
	"testing"
	"time"

	"idcsim/scenarios"
	"idcsim/sim"
)

// story reads testdata/offboarding.json (its README tells the story) and analyses it.
func story(t *testing.T, replications int) *Report {
	t.Helper()
	b := NewBuilder()
	counts, err := Read(context.Background(), []string{"testdata/offboarding.json"}, ReadOptions{}, b.Add)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(context.Background(), b.Timeline(0), counts, Options{Replications: replications})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func window(t *testing.T, o *OffboardingReport, ch string) Window {
	t.Helper()
	for _, w := range o.Windows {
		if w.Channel == ch {
			return w
		}
	}
	t.Fatalf("no window %s", ch)
	return Window{}
}

// The story of testdata/offboarding.json, its windows derived by hand.
//
// bob signs in at 08:00:07 (an 8h portal session, the default of UIS-1, to 16:00:07), federates
// into the console at 08:02 (AssumeRoleWithSAML: 14400s, so Developer's role sessions last 4h,
// ROLE-2), logs the CLI in at 08:05 (a 1h token, CLI-1) and gets role credentials at 08:05:10.
// At 09:00 he is disabled; at 09:02 his assignment is deleted; at 09:30 his sessions are ended.
func TestStoryBob(t *testing.T) {
	r := story(t, 50)
	if len(r.Offboardings) != 2 || r.Pass {
		t.Fatalf("%d offboardings, pass %v; want 2, false (carol's)", len(r.Offboardings), r.Pass)
	}
	bob := r.Offboardings[0]
	at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	if bob.Name != "bob" || !bob.At.Equal(at) || len(bob.Steps) != 3 || bob.Beyond {
		t.Fatalf("bob: %s at %s, %d steps, beyond %v", bob.Name, bob.At, len(bob.Steps), bob.Beyond)
	}
	for i, want := range []sim.Action{sim.DisableUser, sim.RemoveAssignment, sim.EndSessions} {
		if bob.Steps[i].Action != want {
			t.Errorf("step %d: %v, want %v", i, bob.Steps[i].Action, want)
		}
	}
	for _, c := range []struct {
		ch       string
		observed time.Duration // 0: nothing observed
		bound    time.Duration
		evidence string // the event ID of the last activity
	}{
		// UIS-4: the session deletion at 09:30 ends the portal session the disable left (UIS-5);
		// the last portal call is ListAccounts at 09:10
		{chPortal, 10 * time.Minute, 30 * time.Minute, "5eed0019-0000-4000-8000-000000000019"},
		// UIS-5: the disable blocks new sign-ins at once
		{chSignIn, 0, 0, ""},
		// APP-4/ROLE-1: the deleted assignment stops new role credentials at 09:02
		{chRoleNew, 0, 2 * time.Minute, ""},
		// ROLE-3: the role sessions live to their expiry, the CLI's 08:05:10 + 4h = 12:05:10;
		// the last call with it is at 11:50 (a refused one at 11:55 is an attempt, not access)
		{chRoleExisting, 2*time.Hour + 50*time.Minute, 3*time.Hour + 5*time.Minute + 10*time.Second, "5eed0023-0000-4000-8000-000000000023"},
		// CLI-1, CLI-3: the token of 08:05 expired at 09:05; the refresh at 09:20, through the
		// portal session still live, gives a token to 10:20, which the session's end at 09:30
		// does not cut (it would at 10:30)
		{chCLIToken, 20 * time.Minute, time.Hour + 20*time.Minute, "5eed001b-0000-4000-8000-00000000001b"},
		{chAny, 2*time.Hour + 50*time.Minute, 3*time.Hour + 5*time.Minute + 10*time.Second, "5eed0023-0000-4000-8000-000000000023"},
	} {
		w := window(t, bob, c.ch)
		if w.Seen != (c.observed > 0) || w.Observed != c.observed || w.Last.EventID != c.evidence {
			t.Errorf("bob %s: observed %v (seen %v, %s), want %v (%s)", c.ch, w.Observed, w.Seen, w.Last.EventID, c.observed, c.evidence)
		}
		// the logs fix every phase these channels depend on: every replication gives the same
		if !w.Modelled || w.BoundMax != c.bound || w.BoundP95 != c.bound || w.BoundOpen != 0 || w.Beyond {
			t.Errorf("bob %s: bound max %v p95 %v open %d beyond %v, want %v", c.ch, w.BoundMax, w.BoundP95, w.BoundOpen, w.Beyond, c.bound)
		}
	}
	if w := window(t, bob, chRoleExisting); w.Refused == nil || w.Refused.EventID != "5eed0025-0000-4000-8000-000000000025" || w.LastRefused != 2*time.Hour+55*time.Minute {
		t.Errorf("bob role_existing: last refused %+v", w.Refused)
	}
	if w := window(t, bob, chAppOnBehalf); w.Seen || w.Modelled {
		t.Errorf("bob app_on_behalf: %+v", w)
	}
}

// carol signs in at 13:00, is deleted at 14:00, and signs in again at 14:40 under another user
// ID with her name: beyond what the rules allow (UIS-5: a deleted user cannot sign in; delete
// ends the portal sessions), and the hint says she was created again (PROV-5).
func TestStoryCarol(t *testing.T) {
	r := story(t, 10)
	carol := r.Offboardings[1]
	if carol.Name != "carol" || !carol.Beyond || len(carol.Steps) != 1 || carol.Steps[0].Action != sim.DeleteUser {
		t.Fatalf("carol: %s, beyond %v, steps %+v", carol.Name, carol.Beyond, carol.Steps)
	}
	for _, ch := range []string{chSignIn, chPortal} {
		w := window(t, carol, ch)
		if w.Observed != 40*time.Minute || w.BoundMax != 0 || !w.Beyond || w.Last.EventID != "5eed002f-0000-4000-8000-00000000002f" || w.Last.Record != 23 {
			t.Errorf("carol %s: %+v", ch, w)
		}
	}
	if w := window(t, carol, chRoleExisting); w.Beyond || w.Seen {
		t.Errorf("carol role_existing: %+v", w)
	}
	if len(carol.Hints) != 1 || !strings.Contains(carol.Hints[0], "906752e3d7-e8f90a1b-2c3d-4e5f-a6b7-c8d9e0f1a2b3") || !strings.Contains(carol.Hints[0], "PROV-5") {
		t.Errorf("carol's hints: %q", carol.Hints)
	}
}

// The reconstructed timeline, written as a scenario, is one that idcsim reads back and runs:
// bob's devices (a browser, and the CLI that logs in through it, UIS-9), his role, and the
// offboardings with their steps as they happened.
func TestStoryScenario(t *testing.T) {
	b := NewBuilder()
	if _, err := Read(context.Background(), []string{"testdata/offboarding.json"}, ReadOptions{}, b.Add); err != nil {
		t.Fatal(err)
	}
	sc, _, err := Scenario(b.Timeline(0), ScenarioOptions{Seed: 1, Replications: 3})
	if err != nil {
		t.Fatal(err)
	}
	data, err := scenarios.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := scenarios.Parse("story.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	for _, want := range []string{
		"{name: cli, kind: cli, config: sso_session, client: cli, browser: browser}",
		"{name: Developer, session_duration: 4h}",
		"{at: 9h20m, action: cli_login, user: bob, device: cli}",
		"{after: 2m, action: remove_assignment, account: \"222233334444\", permission_set: Developer}",
		"{after: 28m, action: end_sessions}",
		"{at: 1d14h, action: offboard, user: carol, playbook: cloudtrail-carol}",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the scenario lacks %s:\n%s", want, data)
		}
	}
	// alice, the administrator, made only admin calls: they are read for the users they act on
	if got := len(back.Users); got != 2 {
		t.Errorf("%d users, want 2 (bob, carol)", got)
	}
	res, err := sim.Run(context.Background(), back, sim.Options{})
	if err != nil || len(res.Offboardings) != 2*3 {
		t.Fatalf("run: %v, %d offboardings", err, len(res.Offboardings))
	}
}
