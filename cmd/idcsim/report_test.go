package main

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// reportFiles are the files every run writes into its report directory, the manifest last.
var reportFiles = []string{"report.html", "report.md", "results.json", "exposures.csv",
	"exposure-ecdf.svg", "exposure-ecdf.png", "timeline.svg", "timeline.png", "histogram.svg", "histogram.png",
	".idcsim-manifest.json"}

func TestRunWritesReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := idcsim(t, "run", "--replications", "3", "--out", out, "--format", "markdown", "--progress", "never")
	if code != exitOK && code != exitFail {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := readDir(t, out)
	for _, name := range reportFiles {
		if len(got[name]) == 0 {
			t.Errorf("%s missing or empty", name)
		}
	}
	if len(got) != len(reportFiles) {
		t.Errorf("the report holds %d files, want %d", len(got), len(reportFiles))
	}
	if string(got["report.md"]) != stdout {
		t.Error("report.md differs from what --format markdown printed")
	}
	rows, err := csv.NewReader(bytes.NewReader(got["exposures.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || (len(rows)-1)%12 != 0 { // the 12 channels of SPEC.md
		t.Errorf("exposures.csv has %d rows: want a header and 12 per offboarding", len(rows))
	}
}

// readDir returns the files of a directory by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func TestRunJUnit(t *testing.T) {
	// Two controls on one scenario: the role session outlives the offboarding by up to its hour.
	scenario := roleScenario("junit", `  - {id: LOOSE, channel: role_existing, statistic: max, within: 2h, text: "role sessions end within 2 hours"}
  - {id: TIGHT, channel: role_existing, statistic: max, within: 10m}
`)
	path := writeFile(t, "s.yaml", scenario)
	junit := filepath.Join(t.TempDir(), "controls.xml")
	code, stdout, stderr := idcsim(t, "run", path, "--out", filepath.Join(t.TempDir(), "r"), "--junit", junit)
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFail, stdout, stderr)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Suite struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("JUnit file does not parse: %v\n%s", err, b)
	}
	doc := root.Suite
	if doc.Tests != 2 || doc.Failures != 1 || len(doc.Cases) != 2 {
		t.Fatalf("%d tests, %d failures, %d cases; want 2, 1, 2:\n%s", doc.Tests, doc.Failures, len(doc.Cases), b)
	}
	if c := doc.Cases[0]; c.Name != "LOOSE: role sessions end within 2 hours" || c.Failure != nil {
		t.Errorf("first case %q failed: %v", c.Name, c.Failure)
	}
	// The role session issued at 9h10m lasts to 10h10m: 50 minutes after the offboarding.
	if c := doc.Cases[1]; c.Name != "TIGHT" || c.Failure == nil || c.Failure.Message != "max of role_existing is 50m00s, limit 10m00s" {
		t.Errorf("second case %q, failure %+v", c.Name, c.Failure)
	}
}

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progressLine{w: &b, start: clock, delay: time.Second, now: func() time.Time { return clock }}
	// counts in thousandths of a replication
	p.update(1000, 4000) // at 0s: too early
	clock = clock.Add(1200 * time.Millisecond)
	p.update(2000, 4000)
	clock = clock.Add(50 * time.Millisecond)
	p.update(3000, 4000) // within a tenth of a second of the last: skipped
	clock = clock.Add(time.Second)
	p.update(3450, 4000) // a replication under way
	clock = clock.Add(time.Second)
	p.update(4000, 4000)
	p.done()
	want := "\r  2/4 replications  1.2s\r  3.4/4 replications  2.2s\r  4/4 replications  3.2s\r  4/4 replications  3.2s\n"
	if b.String() != want {
		t.Errorf("progress %q, want %q", b.String(), want)
	}
	// A run shorter than the delay shows nothing, not even a newline.
	b.Reset()
	q := newProgressLine(&b, time.Hour)
	q.update(1000, 1000)
	q.done()
	var none *progressLine
	none.done()
	if b.Len() != 0 {
		t.Errorf("a short run wrote %q", b.String())
	}
}

func TestProgressFlag(t *testing.T) {
	// stderr here is a buffer, not a terminal: auto shows nothing, and neither does a run
	// shorter than a second under always.
	for _, mode := range []string{"auto", "always", "never"} {
		start := time.Now()
		code, _, stderr := idcsim(t, "run", "--replications", "2", "--progress", mode, "--out", filepath.Join(t.TempDir(), "r"))
		took := time.Since(start)
		if code != exitOK && code != exitFail {
			t.Fatalf("--progress %s: exit %d: %s", mode, code, stderr)
		}
		// a loaded machine may make the run longer than the second after which always shows it
		if strings.Contains(stderr, "replications") && !(mode == "always" && took >= time.Second) {
			t.Errorf("--progress %s wrote a progress line for a run of %v: %q", mode, took, stderr)
		}
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}
