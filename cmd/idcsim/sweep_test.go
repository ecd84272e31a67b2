package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sweepScenario has a sweep of two settings and a control that the longer permission-set
// durations fail (ROLE-2, ROLE-3: a role session runs on to its end after a disable); shorter
// portal sessions make ben sign in again more often.
const sweepScenario = `name: sweep test
start: 2026-03-02T00:00:00Z
horizon: 2d
seed: 42
replications: 8
accounts: [prod]
permission_sets: [{name: Admin, session_duration: 4h}]
applications: [{name: q, kind: aws_managed}]
groups: [{name: eng, assignments: [{application: q}, {account: prod, permission_set: Admin}]}]
users:
  - {name: ann, groups: [eng], devices: [{name: laptop, kind: browser}, {name: term, kind: cli}]}
  - {name: ben, groups: [eng], devices: [{name: laptop, kind: browser}]}
events:
  - {at: 9h, action: sign_in, user: ann, device: laptop}
  - {at: 9h10m, action: federate, user: ann, device: laptop, account: prod, permission_set: Admin}
  - {at: 9h15m, action: cli_login, user: ann, device: term}
  - {at: 9h20m, action: get_role_credentials, user: ann, device: term, account: prod, permission_set: Admin}
  - {at: 9h, action: sign_in, user: ben, device: laptop}
  - {at: 9h20m, action: open_app, user: ben, device: laptop, application: q}
  - {at: 11h, action: sign_in, user: ben, device: laptop}
  - {at: 13h, action: sign_in, user: ben, device: laptop}
  - {at: 10h, action: offboard, user: ann, playbook: [{action: disable_user}]}
  - {at: 14h, action: offboard, user: ben, playbook: [{action: disable_user}]}
policy:
  - {id: ROLE-2H, channel: role_existing, statistic: max, within: 2h, text: "role sessions end within 2 hours"}
sweep:
  portal_session: [1h, 8h]
  permission_sets: {Admin: [1h, 4h, 12h]}
  objective: {channel: any, statistic: max}
`

// sweepFiles are the files of a sweep's report directory, the manifest last.
var sweepFiles = []string{"sweep.json", "sweep.csv", "report.html", "report.md",
	"frontier.svg", "frontier.png", "heatmap.svg", "heatmap.png", ".idcsim-manifest.json"}

// sweepDoc is what the tests read of sweep.json.
type sweepDoc struct {
	SchemaVersion int `json:"schema_version"`
	Objective     struct{ Channel, Statistic string }
	Settings      []string
	Candidates    []struct {
		Index    int
		Name     string
		Settings map[string]float64
		Exposure map[string]map[string]any
		Friction map[string]any
		Policy   []struct {
			ID   string
			Pass bool
		}
		Pass        bool
		Pareto      bool
		Recommended bool
	}
	Recommended []int
	Pass        bool
}

func readSweep(t *testing.T, dir string) sweepDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc sweepDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSweepWritesReport(t *testing.T) {
	path := writeFile(t, "sweep.yaml", sweepScenario)
	out := filepath.Join(t.TempDir(), "report")
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, stdout, stderr := idcsim(t, "sweep", path, "--out", out, "--progress", "never", "--junit", junit)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	got := readDir(t, out)
	for _, name := range sweepFiles {
		if len(got[name]) == 0 {
			t.Errorf("%s missing or empty", name)
		}
	}
	if len(got) != len(sweepFiles) {
		t.Errorf("the report holds %d files, want %d", len(got), len(sweepFiles))
	}
	doc := readSweep(t, out)
	if doc.SchemaVersion != 1 || doc.Objective.Channel != "any" || doc.Objective.Statistic != "max" || len(doc.Candidates) != 6 ||
		strings.Join(doc.Settings, " ") != "portal_session permission_set.Admin" {
		t.Fatalf("sweep.json: %+v", doc)
	}
	front := 0
	for i, c := range doc.Candidates {
		if c.Index != i || len(c.Settings) != 2 || len(c.Exposure) != 12 || c.Friction["sign_in_prompts_per_user_week"] == nil || len(c.Policy) != 1 {
			t.Errorf("candidate %d: %+v", i, c)
		}
		if admin := c.Settings["permission_set.Admin"]; c.Pass != (admin < 2*3600) {
			t.Errorf("candidate %d (%s): pass %v; a role session of %gs should fail a 2h control", i, c.Name, c.Pass, admin)
		}
		if c.Recommended && (!c.Pass) {
			t.Errorf("candidate %d is recommended but fails a control", i)
		}
		if c.Pareto {
			front++
		}
	}
	if front == 0 || len(doc.Recommended) == 0 || !doc.Pass {
		t.Errorf("front %d, recommended %v, pass %v", front, doc.Recommended, doc.Pass)
	}
	for _, want := range []string{"PORTAL_SESSION", "PERMISSION_SET.ADMIN", "recommendation:", "PASS: 2 of 6 candidates meet every control"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(got["sweep.csv"])).ReadAll()
	if err != nil || len(rows) != 7 {
		t.Errorf("sweep.csv: %d rows, %v", len(rows), err)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Suite struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
		} `xml:"testsuite"`
	}
	// The sweep passes: the 4 failed controls of candidates ruled out are skipped, not failures.
	if err := xml.Unmarshal(data, &root); err != nil || root.Suite.Tests != 6 || root.Suite.Failures != 0 || root.Suite.Skipped != 4 {
		t.Errorf("JUnit: %+v, %v", root.Suite, err)
	}

	// --format json prints sweep.json; the same seeds give the same bytes again.
	out2 := filepath.Join(t.TempDir(), "report")
	code, stdout, _ = idcsim(t, "sweep", path, "--out", out2, "--format", "json", "--workers", "1")
	if code != exitOK || stdout != string(got["sweep.json"]) {
		t.Errorf("--format json (exit %d) differs from sweep.json", code)
	}
	// A second sweep replaces the report.
	if code, _, stderr := idcsim(t, "sweep", path, "--out", out, "--format", "markdown"); code != exitOK {
		t.Errorf("a second sweep into %s: exit %d: %s", out, code, stderr)
	}
}

// A sweep none of whose candidates meets every control exits 1 and says which control fails.
func TestSweepNoCandidatePasses(t *testing.T) {
	scenario := strings.Replace(sweepScenario, "within: 2h", "within: 10m", 1)
	path := writeFile(t, "sweep.yaml", scenario)
	code, stdout, stderr := idcsim(t, "sweep", path, "--out", filepath.Join(t.TempDir(), "r"))
	if code != exitFail {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	for _, want := range []string{"No candidate meets every control.", "ROLE-2H (max of role_existing within 10m00s) fails for every candidate (6)",
		"FAIL: none of the 6 candidates meets every control"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestSweepUsage(t *testing.T) {
	plain := writeFile(t, "plain.yaml", randomScenario)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep"}, "no scenario given"},
		{[]string{"sweep", "a.yaml", "b.yaml"}, "one scenario at a time"},
		{[]string{"sweep", plain}, "has no sweep: block"},
		{[]string{"sweep", plain, "--shard", "3/3"}, "--shard 3/3: the index I of I/N"},
		{[]string{"merge"}, "no partial report given"},
		{[]string{"merge", t.TempDir()}, "holds no partial.json"},
		{[]string{"merge", t.TempDir(), "--format", "pdf"}, `--format "pdf"`},
	} {
		code, stdout, stderr := idcsim(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("idcsim %s: exit %d, want 2 and %q in stderr:\n%s%s", strings.Join(c.args, " "), code, c.want, stderr, stdout)
		}
	}
}

// The built-in example choose-durations sweeps 5 portal durations × 3 permission-set durations;
// its front is not empty, some candidates fail a control and every recommended one meets them all.
func TestChooseDurationsExample(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := idcsim(t, "sweep", "example:choose-durations", "--replications", "8", "--out", out, "--progress", "never")
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	doc := readSweep(t, out)
	portals, sets := map[float64]bool{}, map[float64]bool{}
	front, failing := 0, 0
	for _, c := range doc.Candidates {
		portals[c.Settings["portal_session"]] = true
		sets[c.Settings["permission_set.Developer"]] = true
		if c.Pareto {
			front++
		}
		if !c.Pass {
			failing++
		}
		for _, v := range c.Policy {
			if c.Recommended && !v.Pass {
				t.Errorf("candidate %d (%s) is recommended but fails %s", c.Index, c.Name, v.ID)
			}
		}
		if c.Recommended != slices.Contains(doc.Recommended, c.Index) {
			t.Errorf("candidate %d: recommended %v, but the list says %v", c.Index, c.Recommended, doc.Recommended)
		}
	}
	if len(portals) < 4 || len(sets) < 3 || len(doc.Candidates) != len(portals)*len(sets) {
		t.Errorf("%d candidates over %d portal and %d permission-set durations", len(doc.Candidates), len(portals), len(sets))
	}
	if front == 0 || len(doc.Recommended) == 0 || failing == 0 || !doc.Pass {
		t.Errorf("front %d, recommended %v, %d failing, pass %v", front, doc.Recommended, failing, doc.Pass)
	}
	for _, name := range sweepFiles {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}
