package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

// The front keeps the candidates no other beats on both exposure and friction; equal ones both stay.
func TestParetoFront(t *testing.T) {
	t.Parallel()
	ss := &SweepSummary{}
	for _, p := range []struct {
		f float64
		o time.Duration
	}{
		{1, 5 * time.Hour},   // 0: front (least friction)
		{2, 3 * time.Hour},   // 1: front
		{2, 4 * time.Hour},   // 2: beaten by 1 (same friction, more exposure)
		{3, 3 * time.Hour},   // 3: beaten by 1 (more friction, same exposure)
		{4, time.Hour},       // 4: front
		{4, time.Hour},       // 5: equal to 4: front
		{5, 2 * time.Hour},   // 6: beaten by 4
		{0.5, 9 * time.Hour}, // 7: front (least friction of all)
	} {
		ss.Candidates = append(ss.Candidates, CandidateSummary{Index: len(ss.Candidates), Friction: p.f, Objective: p.o})
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7}
	if got, want := ss.front(all), []int{0, 1, 4, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("front %v, want %v", got, want)
	}
	if got, want := ss.front([]int{2, 3, 6}), []int{2, 3, 6}; !slices.Equal(got, want) {
		t.Errorf("front of 2, 3, 6: %v, want %v", got, want)
	}
	if got := ss.front(nil); len(got) != 0 {
		t.Errorf("front of none: %v", got)
	}
}

// sweepScenario is smallResults' scenario with a permission set and a sweep of two settings.
func sweepScenario() *sim.Scenario {
	sc := *smallResults().Scenario
	sc.PermissionSets = []sim.PermissionSet{{Name: "Admin", SessionDuration: time.Hour}}
	sc.Settings.PortalSession = 8 * time.Hour
	sc.Sweep = &sim.Sweep{
		Axes: []sim.Axis{
			{Name: "portal_session", Values: []time.Duration{time.Hour, 8 * time.Hour}},
			{Name: "permission_set.Admin", Values: []time.Duration{time.Hour, 12 * time.Hour}},
		},
		Channel: sim.ChAny, Statistic: "max",
	}
	return &sc
}

// sweepResults makes each candidate's results: exposure grows with the permission set's
// duration, friction falls with the portal session's.
func sweepResults(t *testing.T, sc *sim.Scenario) []*sim.Results {
	t.Helper()
	var out []*sim.Results
	for _, c := range sc.Sweep.List() {
		csc, err := sc.With(c)
		if err != nil {
			t.Fatal(err)
		}
		portal, role := c[0].Value, c[1].Value
		res := &sim.Results{Scenario: csc, Events: 100}
		for k := range 3 {
			var o sim.Offboarding
			o.Replication, o.User, o.At = k, "alice", time.Duration(k+1)*time.Hour
			w := role/2 + time.Duration(k)*time.Minute
			o.Windows[sim.ChRoleExisting] = sim.Window{Length: w, Evidence: "role session"}
			o.Windows[sim.ChAny] = sim.Window{Length: w, Evidence: "role session"}
			res.Offboardings = append(res.Offboardings, o)
		}
		res.Counters.SignInPrompts = int64(100 * time.Hour / portal)
		res.Counters.SilentSignIns = 1000 // never friction
		out = append(out, res)
	}
	return out
}

func TestSummarizeSweep(t *testing.T) {
	t.Parallel()
	sc := sweepScenario()
	sc.Policy = []sim.Control{{ID: "OFF-1", Channel: sim.ChAny, Statistic: "max", Within: time.Hour, Text: "all access gone within an hour"}}
	ss, err := SummarizeSweep(sc, sweepResults(t, sc))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ss.Settings, []string{"portal_session", "permission_set.Admin"}) {
		t.Errorf("settings %v", ss.Settings)
	}
	// Candidates: 0 (1h, 1h), 1 (1h, 12h), 2 (8h, 1h), 3 (8h, 12h). 12h sets fail OFF-1.
	var pareto, pass []int
	for _, c := range ss.Candidates {
		if c.Pareto {
			pareto = append(pareto, c.Index)
		}
		if c.Pass {
			pass = append(pass, c.Index)
		}
	}
	if !slices.Equal(pass, []int{0, 2}) || !slices.Equal(pareto, []int{2}) || !slices.Equal(ss.Recommended, []int{2}) || !ss.Pass {
		t.Errorf("pass %v, pareto %v, recommended %v", pass, pareto, ss.Recommended)
	}
	// 100h/8h = 12 prompts over 2 users × 1 week × 2 replications; silent sign-ins are not friction
	if c := ss.Candidates[2]; c.Friction != 3 || c.Objective != 32*time.Minute {
		t.Errorf("candidate 2: friction %v, objective %v; want 3, 32m", c.Friction, c.Objective)
	}
	rec := strings.Join(ss.Recommendation(), "\n")
	if !strings.Contains(rec, "candidate 2 (portal_session=8h permission_set.Admin=1h)") {
		t.Errorf("recommendation:\n%s", rec)
	}

	files, err := SweepFiles(ss)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sweep.json", "sweep.csv", "report.md", "report.html", "frontier.svg", "frontier.png", "heatmap.svg", "heatmap.png"} {
		if len(files[name]) == 0 {
			t.Errorf("%s missing", name)
		}
	}
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Objective     struct{ Channel, Statistic string }
		Candidates    []struct {
			Settings map[string]float64
			Exposure map[string]struct {
				MaxS float64 `json:"max_s"`
			}
			Friction map[string]any
			Pass     bool
			Pareto   bool
		}
		Recommended []int
	}
	if err := json.Unmarshal(files["sweep.json"], &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != 1 || doc.Objective.Channel != "any" || doc.Objective.Statistic != "max" || len(doc.Candidates) != 4 {
		t.Fatalf("sweep.json: %+v", doc)
	}
	c1 := doc.Candidates[1]
	if c1.Settings["portal_session"] != 3600 || c1.Settings["permission_set.Admin"] != 43200 || c1.Exposure["role_existing"].MaxS != 6*3600+120 ||
		len(c1.Exposure) != int(sim.NumChannels) || c1.Pass || c1.Friction["sign_in_prompts_per_user_week"] == nil {
		t.Errorf("candidate 1 in sweep.json: %+v", c1)
	}
	rows, err := csv.NewReader(bytes.NewReader(files["sweep.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][2] != "portal_session_s" || rows[0][4] != "objective_any_max_s" || rows[2][len(rows[2])-3] != "OFF-1" {
		t.Errorf("sweep.csv: %q", rows)
	}
	for _, name := range []string{"frontier", "heatmap"} {
		if !bytes.Contains(files["report.html"], []byte(`<figure id="`+name+`">`)) {
			t.Errorf("report.html has no %s figure", name)
		}
	}
	var b bytes.Buffer
	if err := WriteSweepJUnit(&b, ss, junitTestRun); err != nil {
		t.Fatal(err)
	}
	// The sweep passes: the two candidates with 12h sets that fail OFF-1 are skipped, not
	// failures, so that a green job shows no red test.
	suite := readJUnit(t, b.Bytes())
	if suite.Tests != 4 || suite.Failures != 0 || suite.Skipped != 2 || len(suite.Cases) != 4 || suite.Cases[1].Skipped == nil || suite.Cases[2].Skipped != nil {
		t.Errorf("JUnit: %d tests, %d failures, %d skipped; want 4, 0, 2", suite.Tests, suite.Failures, suite.Skipped)
	}
	b.Reset()
	if err := WriteSweepText(&b, ss); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "PASS: 2 of 4 candidates meet every control; 1 recommended") {
		t.Errorf("text summary:\n%s", b.String())
	}
}

// With no candidate meeting every control, the recommendation says so and names the control that fails.
func TestSweepNonePass(t *testing.T) {
	t.Parallel()
	sc := sweepScenario()
	sc.Policy = []sim.Control{
		{ID: "OFF-1", Channel: sim.ChAny, Statistic: "max", Within: 10 * time.Minute},
		{ID: "ROLE-1H", Channel: sim.ChRoleExisting, Statistic: "max", Within: time.Hour},
	}
	ss, err := SummarizeSweep(sc, sweepResults(t, sc))
	if err != nil {
		t.Fatal(err)
	}
	if ss.Pass || len(ss.Recommended) != 0 {
		t.Fatalf("pass %v, recommended %v", ss.Pass, ss.Recommended)
	}
	rec := strings.Join(ss.Recommendation(), "\n")
	for _, want := range []string{"No candidate meets every control.",
		"OFF-1 (max of any within 10m00s) fails for every candidate (4); the least max of any is 32m00s, with candidate 0",
		"ROLE-1H (max of role_existing within 1h00m) fails for 2 of 4 candidates"} {
		if !strings.Contains(rec, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, rec)
		}
	}
	if _, err := SweepFiles(ss); err != nil {
		t.Fatal(err)
	}
	// No candidate passes: their failed controls are failures.
	var b bytes.Buffer
	if err := WriteSweepJUnit(&b, ss, junitTestRun); err != nil {
		t.Fatal(err)
	}
	// OFF-1 fails for all 4 candidates, ROLE-1H for 2: 6 of 8 cases
	if suite := readJUnit(t, b.Bytes()); suite.Tests != 8 || suite.Failures != 6 || suite.Skipped != 0 {
		t.Errorf("JUnit: %d tests, %d failures, %d skipped; want 8, 6, 0", suite.Tests, suite.Failures, suite.Skipped)
	}
}

// The heat map folds the settings past the first two, and draws one row for a single setting.
func TestHeatData(t *testing.T) {
	t.Parallel()
	sc := sweepScenario()
	sc.Sweep.Axes = append(sc.Sweep.Axes, sim.Axis{Name: "timing.app_session_check", Values: []time.Duration{30 * time.Minute, time.Hour}})
	var results []*sim.Results
	for _, c := range sc.Sweep.List() {
		csc, _ := sc.With(c)
		res := &sim.Results{Scenario: csc}
		var o sim.Offboarding
		o.Windows[sim.ChAny].Length = c[1].Value + c[2].Value
		res.Offboardings = append(res.Offboardings, o)
		results = append(results, res)
	}
	ss, err := SummarizeSweep(sc, results)
	if err != nil {
		t.Fatal(err)
	}
	g := heatData(ss)
	if g.XName != "portal_session" || g.YName != "permission_set.Admin" || len(g.X) != 2 || len(g.Y) != 2 || !g.Folded {
		t.Fatalf("grid %+v", g)
	}
	if c := g.Cells[1][0]; c.Count != 2 || c.Value != 12*time.Hour+30*time.Minute {
		t.Errorf("cell (1h, 12h): %+v", c)
	}
	if _, err := SweepFiles(ss); err != nil {
		t.Fatal(err)
	}

	sc = sweepScenario()
	sc.Sweep.Axes = sc.Sweep.Axes[:1]
	ss, err = SummarizeSweep(sc, sweepResults2(t, sc))
	if err != nil {
		t.Fatal(err)
	}
	g = heatData(ss)
	if g.YName != "" || len(g.Y) != 1 || len(g.Cells) != 1 || len(g.Cells[0]) != 2 {
		t.Errorf("one setting: %+v", g)
	}
	figs, err := SweepFigures(ss)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(figs[1].Caption, "single row") {
		t.Errorf("heat map caption with one setting: %s", figs[1].Caption)
	}
}

// sweepResults2 gives each candidate of a one-setting sweep a run with one offboarding.
func sweepResults2(t *testing.T, sc *sim.Scenario) []*sim.Results {
	var out []*sim.Results
	for _, c := range sc.Sweep.List() {
		csc, err := sc.With(c)
		if err != nil {
			t.Fatal(err)
		}
		res := &sim.Results{Scenario: csc}
		res.Offboardings = make([]sim.Offboarding, 1)
		out = append(out, res)
	}
	return out
}

// A sweep's report, or a shard's partial report, may be replaced by the next report written there.
func TestWriteDirReplacesSweepAndPartial(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ kind, marker string }{{KindSweep, "sweep.json"}, {KindPartial, "partial.json"}} {
		dir := t.TempDir() + "/out"
		if _, err := WriteDir(dir, c.kind, map[string][]byte{c.marker: []byte("{}"), "other": nil}); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("{}")}); err != nil {
			t.Errorf("a directory holding %s: %v", c.marker, err)
		}
	}
}
