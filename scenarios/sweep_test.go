package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

const sweepBase = `name: sweep
accounts: [prod]
permission_sets: [{name: Admin, session_duration: 1h}, {name: ReadOnly}]
users:
  - {name: ann, devices: [{name: laptop, kind: browser}]}
events:
  - {at: 1h, action: offboard, user: ann, playbook: []}
`

// The grid's settings keep the order of the file; permission sets and timing parameters are
// named permission_set.NAME and timing.NAME; the objective defaults to the p95 of any.
func TestSweepGrid(t *testing.T) {
	t.Parallel()
	sc, err := Parse("sweep.yaml", []byte(sweepBase+`sweep:
  permission_sets: {Admin: [1h, 4h, 12h], ReadOnly: [2h]}
  portal_session: [1h, 4h, 8h, 12h]
  background_session: [1d, 7d]
  kiro_session: [7d, 90d]
  timing: {app_session_check: [30m, 60m]}
`))
	if err != nil {
		t.Fatal(err)
	}
	sw := sc.Sweep
	if sw == nil {
		t.Fatal("no sweep")
	}
	var names []string
	for _, a := range sw.Axes {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, " "); got != "permission_set.Admin permission_set.ReadOnly portal_session background_session kiro_session timing.app_session_check" {
		t.Errorf("axes %s", got)
	}
	if sw.Channel != sim.ChAny || sw.Statistic != "p95" || len(sw.Candidates) != 0 {
		t.Errorf("objective %s %s, %d candidates", sw.Channel, sw.Statistic, len(sw.Candidates))
	}
	if got := len(sw.List()); got != 3*1*4*2*2*2 {
		t.Errorf("%d candidates in the grid", got)
	}
	if sw.Axes[2].Values[3] != 12*time.Hour {
		t.Errorf("portal values %v", sw.Axes[2].Values)
	}
	roundTrip(t, sc)
	for _, c := range sw.List() {
		if _, err := sc.With(c); err != nil {
			t.Errorf("candidate %s: %v", c, err)
		}
	}
}

// A listed set of candidates replaces the grid; the objective can be any channel and statistic.
func TestSweepCandidates(t *testing.T) {
	t.Parallel()
	sc, err := Parse("sweep.yaml", []byte(sweepBase+`sweep:
  candidates:
    - {portal_session: 8h, permission_sets: {Admin: 1h}}
    - {permission_sets: {Admin: 4h, ReadOnly: 2h}, timing: {app_session_check: 1h}, portal_session: 12h}
    - {kiro_session: 30d}
  objective: {channel: role_existing, statistic: max}
`))
	if err != nil {
		t.Fatal(err)
	}
	sw := sc.Sweep
	if len(sw.Axes) != 0 || len(sw.Candidates) != 3 || sw.Channel != sim.ChRoleExisting || sw.Statistic != "max" {
		t.Fatalf("sweep %+v", sw)
	}
	if got := sw.Candidates[1].String(); got != "permission_set.Admin=4h permission_set.ReadOnly=2h timing.app_session_check=1h portal_session=12h" {
		t.Errorf("candidate 1: %s", got)
	}
	roundTrip(t, sc)
}

// A swept setting that can change nothing is noticed.
func TestSweepWarnings(t *testing.T) {
	t.Parallel()
	sc, err := Parse("sweep.yaml", []byte(sweepBase+`settings: {background_sessions: {enabled: false}}
sweep:
  background_session: [1d, 7d]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 1 || !strings.Contains(sc.Warnings[0], "sweep.yaml:10:3: sweeping background_session changes nothing while background sessions are off") {
		t.Errorf("warnings %q", sc.Warnings)
	}
}

// The schema describes the sweep block for editors.
func TestSweepSchema(t *testing.T) {
	t.Parallel()
	var schema struct {
		Properties  map[string]any
		Definitions map[string]struct {
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Properties["sweep"] == nil {
		t.Error("the schema has no sweep key")
	}
	for _, key := range []string{"portal_session", "permission_sets", "background_session", "kiro_session", "timing", "candidates", "objective"} {
		if schema.Definitions["sweep"].Properties[key] == nil {
			t.Errorf("the schema's sweep has no %s", key)
		}
	}
}
