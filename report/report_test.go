package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"idcsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test ./report -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// smallResults is a hand-built run: one scenario, two replications, three offboardings.
func smallResults() *sim.Results {
	p, _ := sim.LookupProfile("current")
	sc := &sim.Scenario{
		Name:         "small",
		Start:        time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		Horizon:      7 * 24 * time.Hour,
		Seed:         1,
		Replications: 2,
		Profile:      p,
		Switches:     sim.DefaultSwitches(),
		Users:        []sim.User{{Name: "alice"}, {Name: "bob"}},
		Policy: []sim.Control{
			{ID: "OFF-1", Channel: sim.ChAny, Statistic: "max", Within: time.Hour, Text: "offboarded users lose all access within 1 hour"},
			{ID: "APP-30", Channel: sim.ChAppExisting, Statistic: "p50", Within: 30 * time.Minute, Text: "app sessions end within 30 minutes"},
		},
		SHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Warnings: []string{"scenario.yaml:3:1: user bob has no devices"},
	}
	ob := func(rep int, user string, at time.Duration, app, role time.Duration, roleOpen bool) sim.Offboarding {
		o := sim.Offboarding{Replication: rep, User: user, At: at, Playbook: "recommended"}
		o.Windows[sim.ChAppExisting] = sim.Window{Length: app, Evidence: "app session of q (APP-2)"}
		o.Windows[sim.ChRoleExisting] = sim.Window{Length: role, Open: roleOpen, Evidence: "role session Admin@prod (ROLE-3)"}
		o.Windows[sim.ChAny] = sim.Window{Length: max(app, role), Open: roleOpen, Evidence: "role session Admin@prod (ROLE-3)"}
		return o
	}
	obs := []sim.Offboarding{
		ob(0, "alice", 41*time.Hour, 1210*time.Second, 12*time.Hour, false),
		ob(0, "bob", 65*time.Hour, 1799*time.Second, 30*time.Minute, false),
		ob(1, "alice", 160*time.Hour, 0, 8*time.Hour, true),
	}
	obs[2].Notes = []string{"a provisioning run enabled the user again (PROV-3)"}
	return &sim.Results{
		Scenario:     sc,
		Events:       1234,
		Offboardings: obs,
		Counters: sim.Counters{SignInPrompts: 20, SilentSignIns: 6, CLILogins: 4, Federations: 10, Refederations: 2,
			KiroLogins: 2, JobsStarted: 8, JobsKilled: 3, RefusedActions: 5, CollateralRoleSessions: 1},
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	s := Summarize(smallResults())
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer, *Summary) error
	}{
		{"small.txt", func(b *bytes.Buffer, s *Summary) error { return WriteText(b, s) }},
		{"small.json", func(b *bytes.Buffer, s *Summary) error { return WriteJSON(b, s) }},
		{"small.md", func(b *bytes.Buffer, s *Summary) error { return WriteMarkdown(b, s) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.write(&b, s); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
}

// svgBody is the drawing inside each inline SVG figure of report.html.
var svgBody = regexp.MustCompile(`(?s)(<svg[^>]*>).*?</svg>`)

// fontData is a font embedded in a page or a figure.
var fontData = regexp.MustCompile(`url\(data:font/woff;base64,[A-Za-z0-9+/=]+\)`)

// report.html's structure, for the small results: the page as written, with the drawing inside
// each inline figure (gonum/plot's, tested apart) and the font of their text (tested apart)
// replaced by placeholders; the <svg> elements' opening tags, as inlineSVG leaves them, are kept.
func TestHTMLGolden(t *testing.T) {
	t.Parallel()
	page := svgBody.ReplaceAll(htmlPageOf(t, Summarize(smallResults())), []byte("$1<!-- the figure -->\n</svg>"))
	page = fontData.ReplaceAll(page, []byte("url(data:font/woff;base64,...)"))
	if n := len(svgBody.FindAll(page, -1)); n != 3 { // the ECDF, the timeline and the histogram
		t.Errorf("%d inline figures, want 3", n)
	}
	golden(t, "small.html", page)
}

// htmlPageOf returns report.html for the summary, with its figures.
func htmlPageOf(t *testing.T, s *Summary) []byte {
	t.Helper()
	figs, err := Figures(s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, s, figs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
