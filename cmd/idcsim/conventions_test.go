package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// failing is a scenario whose one control fails: alice keeps her portal session 7h after an
// offboarding with no playbook, against a limit of 1h.
const failing = `start: 2026-01-05T00:00:00Z
horizon: 2d
users:
  - name: alice
    devices: [{name: laptop, kind: browser}]
events:
  - {at: 9h, action: sign_in, user: alice, device: laptop}
  - {at: 10h, action: offboard, user: alice, playbook: []}
policy:
  - {id: P-1, channel: portal, statistic: max, within: 1h}
`

// --exit-zero reports a failing control without failing; --quiet prints only the verdict line,
// and nothing when every control holds; --no-report and --out ” write no directory.
func TestExitZeroQuietNoReport(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, "failing.yaml", failing)
	passing := writeFile(t, "passing.yaml", strings.Replace(failing, "within: 1h", "within: 8h", 1))
	out := filepath.Join(dir, "rep")

	code, stdout, _ := idcsim(t, "run", path, "--quiet", "--out", out)
	if code != exitFail || stdout != "FAIL: 1 of 1 controls fail\n" {
		t.Errorf("--quiet on a failing run: exit %d, stdout %q", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "results.json")); err != nil {
		t.Errorf("--quiet still writes the report: %v", err)
	}
	code, stdout, _ = idcsim(t, "run", passing, "--quiet", "--no-report")
	if code != exitOK || stdout != "" {
		t.Errorf("--quiet on a passing run: exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ = idcsim(t, "run", path, "--exit-zero", "--no-report")
	if code != exitOK || !strings.Contains(stdout, "FAIL: 1 of 1 controls fail") {
		t.Errorf("--exit-zero: exit %d, stdout ends %q", code, stdout[max(0, len(stdout)-60):])
	}
	// nothing written in the working directory by --no-report or --out ''
	t.Chdir(dir)
	for _, flags := range [][]string{{"--no-report"}, {"--out", ""}, {"--out="}} {
		code, _, stderr := idcsim(t, append([]string{"run", passing}, flags...)...)
		if code != exitOK {
			t.Errorf("%q: exit %d: %s", flags, code, stderr)
		}
		if _, err := os.Stat("idcsim-report"); err == nil {
			t.Fatalf("%q wrote idcsim-report", flags)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", passing, "--no-report", "--out", "x"}, "--no-report and --out x: choose one"},
		{[]string{"run", passing, "--quiet", "--format", "json"}, "--quiet prints the verdict line only"},
		{[]string{"run", passing, "--color", "sometimes"}, `--color "sometimes": want auto, always, never`},
	} {
		if code, _, stderr := idcsim(t, c.args...); code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// --format sarif prints a SARIF log whose results point at the failed control's line in the
// scenario file, named as a URI.
func TestFormatSARIF(t *testing.T) {
	path := writeFile(t, "my scenario.yaml", failing)
	code, stdout, stderr := idcsim(t, "run", path, "--no-report", "--format", "sarif")
	// the control P-1 is on line 10 of failing, its mapping at column 5
	for _, want := range []string{`"version": "2.1.0"`, `"ruleId": "P-1"`, `"startLine": 10`, `"startColumn": 5`, "my%20scenario.yaml"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("exit %d, no %s in\n%s%s", code, want, stdout, stderr)
		}
	}
	if code != exitFail {
		t.Errorf("exit %d, want %d: the control fails", code, exitFail)
	}
}

// A scenario named "-" is read from standard input, and named stdin in errors.
func TestScenarioFromStdin(t *testing.T) {
	defer func(r any) { stdin = r.(*os.File) }(stdin)
	stdin = strings.NewReader(failing)
	code, stdout, stderr := idcsim(t, "run", "-", "--no-report", "--format", "json")
	if code != exitFail || !strings.Contains(stdout, `"schema_version": 1`) {
		t.Errorf("run -: exit %d, stderr %q", code, stderr)
	}
	stdin = strings.NewReader("horizon: 2d\nhorizon: 3d\n")
	code, _, stderr = idcsim(t, "validate", "-")
	if code != exitUsage || !strings.HasPrefix(stderr, "stdin:2:1: ") {
		t.Errorf("validate - of a bad scenario: exit %d, stderr %q; want 2 and stdin:2:1", code, stderr)
	}
}

// --color always colours PASS, FAIL and the rows of channels with windows open at the horizon;
// never and auto (off a terminal) do not; NO_COLOR does not override always.
func TestColor(t *testing.T) {
	path := writeFile(t, "failing.yaml", failing+"  - {id: P-2, channel: role_existing, statistic: max, within: 1h}\n")
	t.Setenv("NO_COLOR", "1")
	_, stdout, _ := idcsim(t, "run", path, "--no-report", "--color", "always")
	for _, want := range []string{ansiRed + "FAIL" + ansiReset + "     P-1", ansiGreen + "PASS" + ansiReset + "     P-2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--color always: no %q in\n%s", want, stdout)
		}
	}
	// with no playbook alice can still sign in at the horizon: the sign_in row has a window open
	if !strings.Contains(stdout, ansiYellow+"sign_in        1 ") {
		t.Errorf("--color always: the sign_in row with an open window is not yellow:\n%s", stdout)
	}
	for _, mode := range []string{"never", "auto"} {
		if _, stdout, _ := idcsim(t, "run", path, "--no-report", "--color", mode); strings.Contains(stdout, "\x1b[") {
			t.Errorf("--color %s: escape sequences in the output", mode)
		}
	}
}

// Flags are written with two dashes in errors; a flag of another command says whose it is;
// help help helps; a missing file is named after the command; validate --profile checks the
// profile's ranges.
func TestConventions(t *testing.T) {
	scenario := writeFile(t, "week.yaml", "settings: {portal_session: 30d}\n")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--workers", "x", "--no-report"}, exitUsage, `invalid value "x" for flag --workers`},
		{[]string{"run", "--bogus"}, exitUsage, "flag provided but not defined: --bogus"},
		{[]string{"run", "--seed"}, exitUsage, "flag needs an argument: --seed"},
		{[]string{"sweep", "example:choose-durations", "--replay", "1"}, exitUsage, "--replay is a flag of idcsim run, not of idcsim sweep"},
		{[]string{"help", "help"}, exitOK, "Usage: idcsim help [COMMAND]"},
		{[]string{"run", "no-such-file.yaml"}, exitUsage, "idcsim run: open no-such-file.yaml: no such file or directory"},
		{[]string{"validate", scenario}, exitOK, "week.yaml: ok"},
		// UIS-1: portal sessions of profile 2023-07 last 15m..7d
		{[]string{"validate", scenario, "--profile", "2023-07"}, exitUsage, "week.yaml: profile 2023-07: settings.portal_session 30d00h00m is outside 15m00s..7d00h00m"},
		{[]string{"validate", scenario, "--profile", "1999"}, exitUsage, `--profile "1999": want one of current`},
	} {
		code, stdout, stderr := idcsim(t, c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%q: exit %d, output %q; want %d and %q", c.args, code, stdout+stderr, c.code, c.want)
		}
	}
}

// The JUnit file names when and where it ran; with SOURCE_DATE_EPOCH it is the same on every run.
func TestJUnitSourceDateEpoch(t *testing.T) {
	path := writeFile(t, "failing.yaml", failing)
	dir := t.TempDir()
	read := func(name string) string {
		junit := filepath.Join(dir, name)
		if code, _, stderr := idcsim(t, "run", path, "--no-report", "--junit", junit); code != exitFail {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// without SOURCE_DATE_EPOCH: the time the command started, to the second, in UTC
	before := time.Now().UTC().Truncate(time.Second)
	x := read("now.xml")
	m := regexp.MustCompile(`timestamp="([^"]+)"`).FindStringSubmatch(x)
	if m == nil {
		t.Fatalf("no timestamp:\n%s", x)
	}
	if at, err := time.Parse("2006-01-02T15:04:05", m[1]); err != nil || at.Before(before) || at.After(time.Now().UTC()) {
		t.Errorf("timestamp %q, want the run's start, after %s: %v", m[1], before.Format(time.RFC3339), err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01T00:00:00Z
	a, b := read("a.xml"), read("b.xml")
	if a != b || !strings.Contains(a, `timestamp="2026-01-01T00:00:00" hostname="localhost"`) || !strings.Contains(a, `time="0.000"`) {
		t.Errorf("with SOURCE_DATE_EPOCH: same %v\n%s", a == b, a)
	}
}
