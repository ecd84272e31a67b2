package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// story is the log of trail/testdata/offboarding.json: bob's offboarding within the rules,
// carol's beyond them (trail's tests derive its windows).
const story = "../../trail/testdata/offboarding.json"

// idcsim trail prints each offboarding's windows beside the bounds, exits 1 for carol's
// activity beyond them, and writes the report directory (trail.json and the engine's run), which
// a second run replaces.
func TestTrail(t *testing.T) {
	out := filepath.Join(t.TempDir(), "trail")
	for range 2 {
		code, stdout, stderr := idcsim(t, "trail", story, "--out", out, "--replications", "20")
		if code != exitFail {
			t.Fatalf("exit %d, want %d:\n%s%s", code, exitFail, stdout, stderr)
		}
		for _, want := range []string{
			"1 file, 23 records read: 21 about IAM Identity Center users or their administration, 2 of other services skipped",
			"bob offboarded at 2026-03-04T09:00:00Z",
			"  role_existing  2h50m     3h05m10s   3h05m10s",
			"carol offboarded at 2026-03-05T14:00:00Z",
			"  sign_in        40m00s    0s         0s         Beyond the rules: investigate",
			"FAIL: activity beyond what the rules allow after 1 offboarding",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
	}
	// the timeline of each offboarding, named after the user and its time, is in the manifest,
	// so that the second run above replaced the directory
	figs := []string{"timeline-bob-20260304T090000Z.svg", "timeline-bob-20260304T090000Z.png",
		"timeline-carol-20260305T140000Z.svg", "timeline-carol-20260305T140000Z.png"}
	for _, f := range append([]string{"trail.json", "results.json", "report.html", "timeline.svg"}, figs...) {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	var m struct {
		Kind  string
		Files []struct{ Name string }
	}
	if data, err := os.ReadFile(filepath.Join(out, ".idcsim-manifest.json")); err != nil || json.Unmarshal(data, &m) != nil || m.Kind != "trail" {
		t.Errorf("manifest: %v, kind %q", err, m.Kind)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Name] = true
	}
	for _, f := range figs {
		if !listed[f] {
			t.Errorf("the manifest does not list %s", f)
		}
	}
	if code, _, _ := idcsim(t, "trail", story, "--no-report", "--exit-zero", "--replications", "5"); code != exitOK {
		t.Errorf("--exit-zero: exit %d", code)
	}
}

// --format json prints trail.json: the windows in seconds, with the records that show them.
func TestTrailJSON(t *testing.T) {
	defer func(r any) { stdin = r.(*os.File) }(stdin)
	f, err := os.Open(story)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin = f
	code, stdout, stderr := idcsim(t, "trail", "-", "--format", "json", "--no-report", "--replications", "10")
	if code != exitFail {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Inputs        struct{ Records, Decoded int }
		Offboardings  []struct {
			User    string
			Windows map[string]struct {
				ObservedS *float64 `json:"observed_s"`
				Observed  *struct {
					EventID string `json:"event_id"`
					File    string
					Record  int
				}
				BoundMaxS *float64 `json:"bound_max_s"`
				Beyond    bool
			}
		}
		Pass bool
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	w := doc.Offboardings[0].Windows["role_existing"]
	// 11:50 - 09:00 observed; 12:05:10 - 09:00 the bound (trail's TestStoryBob)
	if doc.SchemaVersion != 1 || doc.Inputs.Records != 23 || doc.Pass || doc.Offboardings[0].User != "bob" ||
		*w.ObservedS != 10200 || *w.BoundMaxS != 11110 || w.Beyond || w.Observed.File != "stdin" || w.Observed.Record != 17 {
		t.Errorf("trail.json: %+v, role_existing %+v %+v", doc, w, w.Observed)
	}
	if !doc.Offboardings[1].Windows["sign_in"].Beyond {
		t.Errorf("carol's sign_in not beyond the bound")
	}
}

// --scenario writes every user's reconstructed timeline, which idcsim validates and runs, and
// replaces it on the next run; a file idcsim trail did not write is left alone.
func TestTrailScenario(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "story.yaml")
	for range 2 {
		if code, _, stderr := idcsim(t, "trail", story, "--no-report", "--scenario", path, "--replications", "5"); code != exitFail {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	if code, stdout, stderr := idcsim(t, "validate", path); code != exitOK {
		t.Fatalf("validate: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := idcsim(t, "run", path, "--no-report", "--progress", "never"); code != exitOK {
		t.Errorf("run: exit %d: %s", code, stderr)
	}
	other := writeFile(t, "mine.yaml", "name: mine\n")
	code, _, stderr := idcsim(t, "trail", story, "--no-report", "--scenario", other)
	if data, _ := os.ReadFile(other); code != exitUsage || string(data) != "name: mine\n" || !strings.Contains(stderr, "not a scenario that idcsim trail wrote") {
		t.Errorf("over a file of someone else's: exit %d, %s; the file %q", code, stderr, data)
	}
}

// --config joins a user known by name in the sign-ins with the user ID of the admin events:
// without it, the disable is of a user with no activity; with it, dave's console federation
// after the disable is in his window.
func TestTrailConfig(t *testing.T) {
	const id = "906752e3d7-aaaaaaaa-0000-4000-8000-000000000001"
	log := writeFile(t, "dave.jsonl", strings.Join([]string{
		`{"userIdentity":{"type":"Unknown","userName":"dave"},"eventTime":"2026-03-04T08:00:00Z","eventSource":"signin.amazonaws.com","eventName":"UserAuthentication","eventID":"d1","serviceEventDetails":{"UserAuthentication":"Success"},"additionalEventData":{"AuthWorkflowID":"w1","CredentialType":"PASSWORD"}}`,
		`{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/admin"},"eventTime":"2026-03-04T09:00:00Z","eventSource":"sso-directory.amazonaws.com","eventName":"DisableUser","eventID":"d2","requestParameters":{"userId":"` + id + `"}}`,
		`{"userIdentity":{"type":"Unknown","userName":"dave"},"eventTime":"2026-03-04T09:30:00Z","eventSource":"sso.amazonaws.com","eventName":"Federate","eventID":"d3","userAgent":"Mozilla/5.0","serviceEventDetails":{"account_id":"222233334444","role_name":"Admin"}}`,
	}, "\n")+"\n")
	config := writeFile(t, "users.json", `{"users": [{"id": "`+id+`", "name": "dave"}], "permission_sets": [{"name": "Admin", "session_duration": "1h"}]}`)
	code, stdout, _ := idcsim(t, "trail", log, "--no-report", "--replications", "5")
	if code != exitOK || !strings.Contains(stdout, id+" offboarded at 2026-03-04T09:00:00Z") || strings.Contains(stdout, "last role_new") {
		t.Errorf("without --config: exit %d\n%s", code, stdout)
	}
	// UIS-5: the disabled user's portal session goes on, and with it new role credentials
	code, stdout, _ = idcsim(t, "trail", log, "--no-report", "--replications", "5", "--config", config)
	if code != exitOK || !strings.Contains(stdout, "dave offboarded at 2026-03-04T09:00:00Z") || !strings.Contains(stdout, "last role_new: event d3") ||
		!strings.Contains(stdout, "  role_existing  -         1h30m") {
		t.Errorf("with --config: exit %d\n%s", code, stdout)
	}
}

// Bad usage and bad input exit 2 and say why; nothing is written.
func TestTrailUsage(t *testing.T) {
	dir := t.TempDir()
	badConfig := writeFile(t, "bad.json", `{"users": [{"id": "u", "nmae": "x"}]}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"trail"}, "no logs given"},
		{[]string{"trail", story, "--from", "yesterday"}, `--from "yesterday": want an RFC 3339 time`},
		{[]string{"trail", story, "--from", "2026-03-05", "--to", "2026-03-04"}, "--to 2026-03-04 is before --from 2026-03-05"},
		{[]string{"trail", story, "--playbook-window", "0s"}, "--playbook-window"},
		{[]string{"trail", story, "--format", "pdf"}, `--format "pdf": want text, json, markdown, sarif`},
		{[]string{"trail", story, "--replications", "0"}, "--replications 0"},
		{[]string{"trail", filepath.Join(dir, "none.json")}, "no such file or directory"},
		{[]string{"trail", story, "--config", badConfig}, `bad.json: $.users[0].nmae`},
		{[]string{"trail", story, "--config", dir}, "the directory holds no file"},
	} {
		out := filepath.Join(dir, "out")
		code, _, stderr := idcsim(t, append(c.args, "--out", out)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%q: wrote %s", c.args, out)
		}
	}
}

// --config DIR reads the AWS CLI export that idcsim import aws reads, checked as the import
// checks it: the recorded export of the importer's tests is accepted.
func TestTrailConfigExport(t *testing.T) {
	code, _, stderr := idcsim(t, "trail", story, "--no-report", "--replications", "5", "--config", filepath.Join("..", "..", "importer", "awscli", "testdata", "export"))
	if code == exitUsage || code == exitInternal {
		t.Errorf("--config with an AWS CLI export: exit %d: %s", code, stderr)
	}
}

// --from and --to leave out the records outside them: before carol's offboarding, only bob's.
func TestTrailWindow(t *testing.T) {
	code, stdout, _ := idcsim(t, "trail", story, "--no-report", "--to", "2026-03-04", "--replications", "5")
	if code != exitOK || !strings.Contains(stdout, "3 records outside --from/--to left out") || strings.Contains(stdout, "carol offboarded") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// --fit writes behaviours and populations fitted to the activity of example:data-science (its 25
// data scientists work in London, which keeps UTC until 29 March: on that tie the fit names UTC,
// listed first), which idcsim validates and runs, and replaces it on the next run; a file idcsim
// trail did not write is left alone, and --fit may not be --scenario's file.
func TestTrailFit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ct")
	if code, _, stderr := idcsim(t, "run", "example:data-science", "--no-report", "--replications", "1", "--trail", dir); code != exitOK && code != exitFail {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	path := filepath.Join(t.TempDir(), "fit.yaml")
	for range 2 {
		if code, _, stderr := idcsim(t, "trail", dir, "--no-report", "--fit", path, "--replications", "2"); code != exitOK && code != exitFail {
			t.Fatalf("trail --fit: exit %d: %s", code, stderr)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{fitHeader, "time zone UTC", "behaviours:", "populations:", "offboardings:"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the fitted scenario lacks %q:\n%s", want, data)
		}
	}
	if code, stdout, stderr := idcsim(t, "validate", path); code != exitOK {
		t.Fatalf("validate: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := idcsim(t, "run", path, "--no-report", "--progress", "never"); code != exitOK && code != exitFail {
		t.Errorf("run: exit %d: %s", code, stderr)
	}
	other := writeFile(t, "mine.yaml", "name: mine\n")
	code, _, stderr := idcsim(t, "trail", dir, "--no-report", "--fit", other)
	if data, _ := os.ReadFile(other); code != exitUsage || string(data) != "name: mine\n" || !strings.Contains(stderr, "not a scenario that idcsim trail wrote") {
		t.Errorf("over a file of someone else's: exit %d, %s; the file %q", code, stderr, data)
	}
	if code, _, stderr := idcsim(t, "trail", dir, "--no-report", "--fit", path, "--scenario", path); code != exitUsage || !strings.Contains(stderr, "same file") {
		t.Errorf("--fit and --scenario the same file: exit %d, %s", code, stderr)
	}
}
