package report

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

func TestCSV(t *testing.T) {
	t.Parallel()
	res := smallResults()
	// A user name and evidence that need quoting (RFC 4180): a comma, a quote, a line break.
	res.Offboardings[1].User = `bob, "the builder"`
	res.Offboardings[1].Windows[sim.ChAppExisting].Evidence = "line one\nline two"
	s := Summarize(res)
	var b bytes.Buffer
	if err := WriteCSV(&b, s); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"replication", "user", "at", "playbook", "channel", "exposure_s", "open", "evidence"}; !slices.Equal(rows[0], want) {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	if got, want := len(rows)-1, len(res.Offboardings)*int(sim.NumChannels); got != want {
		t.Fatalf("%d rows, want one per offboarding and channel: %d", got, want)
	}
	find := func(rep, user, ch string) []string {
		for _, r := range rows[1:] {
			if r[0] == rep && r[1] == user && r[4] == ch {
				return r
			}
		}
		t.Fatalf("no row for %s %s %s", rep, user, ch)
		return nil
	}
	if r := find("0", "alice", "role_existing"); !slices.Equal(r, []string{"0", "alice", "2026-03-03T17:00:00Z", "recommended",
		"role_existing", "43200", "false", "role session Admin@prod (ROLE-3)"}) {
		t.Errorf("alice's role_existing row: %q", r)
	}
	if r := find("1", "alice", "any"); r[5] != "28800" || r[6] != "true" {
		t.Errorf("an open window: exposure %s open %s, want 28800 true", r[5], r[6])
	}
	if r := find("0", `bob, "the builder"`, "app_existing"); r[5] != "1799" || r[7] != "line one\nline two" {
		t.Errorf("quoted row read back as %q", r)
	}
}

func TestCSVGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteCSV(&b, Summarize(smallResults())); err != nil {
		t.Fatal(err)
	}
	golden(t, "small.csv", b.Bytes())
}

// junitDoc reads the one suite of a JUnit document as a CI system would.
type junitDoc struct {
	Name      string `xml:"name,attr"`
	Tests     int    `xml:"tests,attr"`
	Failures  int    `xml:"failures,attr"`
	Skipped   int    `xml:"skipped,attr"`
	Timestamp string `xml:"timestamp,attr"`
	Time      string `xml:"time,attr"`
	Host      string `xml:"hostname,attr"`
	Cases     []struct {
		Class   string `xml:"classname,attr"`
		Name    string `xml:"name,attr"`
		Failure *struct {
			Message string `xml:"message,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	} `xml:"testcase"`
	Out string `xml:"system-out"`
}

// junitTestRun is the time and machine of the JUnit documents of the tests.
var junitTestRun = JUnitRun{Start: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Elapsed: 1234 * time.Millisecond, Host: "ci-7"}

// readJUnit checks a JUnit document against the schemas of Jenkins and Ant (junitSchemas) and
// returns its one suite.
func readJUnit(t *testing.T, data []byte) junitDoc {
	t.Helper()
	validJUnit(t, data)
	var doc struct {
		XMLName xml.Name   `xml:"testsuites"`
		Suites  []junitDoc `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil || len(doc.Suites) != 1 {
		t.Fatalf("not a <testsuites> of one suite: %v\n%s", err, data)
	}
	return doc.Suites[0]
}

func TestJUnit(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJUnit(&b, Summarize(smallResults()), junitTestRun); err != nil {
		t.Fatal(err)
	}
	golden(t, "small.junit.xml", b.Bytes())
	doc := readJUnit(t, b.Bytes())
	if doc.Timestamp != "2026-03-02T09:30:00" || doc.Time != "1.234" || doc.Host != "ci-7" {
		t.Errorf("timestamp %q, time %q, hostname %q", doc.Timestamp, doc.Time, doc.Host)
	}
	if doc.Name != "idcsim run small" || doc.Tests != 2 || doc.Failures != 1 || len(doc.Cases) != 2 {
		t.Fatalf("suite %q: %d tests, %d failures, %d cases; want 2, 1, 2", doc.Name, doc.Tests, doc.Failures, len(doc.Cases))
	}
	off, app := doc.Cases[0], doc.Cases[1]
	if off.Name != "OFF-1: offboarded users lose all access within 1 hour" || off.Failure == nil {
		t.Fatalf("first case %q, failure %v; want OFF-1 failing", off.Name, off.Failure)
	}
	// The value against the limit, and that the value is a lower bound.
	if want := "max of any is at least 12h00m (1 window open at the horizon), limit 1h00m"; off.Failure.Message != want {
		t.Errorf("failure message %q, want %q", off.Failure.Message, want)
	}
	if !strings.Contains(off.Failure.Text, "alice at 2026-03-03T17:00:00Z (replication 0)") || !strings.Contains(off.Failure.Text, "ROLE-3") {
		t.Errorf("OFF-1's failure lacks the worst offboarding and its evidence: %q", off.Failure.Text)
	}
	if app.Failure != nil || !strings.Contains(doc.Out, "APP-30: p50 of app_existing: 20m10s, limit 30m00s") {
		t.Errorf("APP-30: failure %v; the suite's output %q", app.Failure, doc.Out)
	}
}

func TestVerdictEvidence(t *testing.T) {
	t.Parallel()
	s := Summarize(smallResults())
	v := s.Policy[0]
	if v.Worst == nil || v.Worst.User != "alice" || v.Worst.Replication != 0 || v.Evidence != "role session Admin@prod (ROLE-3)" {
		t.Errorf("OFF-1 evidence: %+v %q", v.Worst, v.Evidence)
	}
	// A window of any without evidence of its own takes that of the channel it equals.
	res := smallResults()
	res.Offboardings[0].Windows[sim.ChAny].Evidence = ""
	if got, want := evidence(&res.Offboardings[0], sim.ChAny), "role_existing: role session Admin@prod (ROLE-3)"; got != want {
		t.Errorf("evidence of any: %q, want %q", got, want)
	}
}

func TestFilesDeterministic(t *testing.T) {
	t.Parallel()
	a, err := Files(Summarize(smallResults()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Files(Summarize(smallResults()))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"exposure-ecdf.png", "exposure-ecdf.svg", "exposures.csv", "histogram.png", "histogram.svg",
		"report.html", "report.md", "results.json", "timeline.png", "timeline.svg"}
	var names []string
	for name := range a {
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two writings of the same results", name)
		}
		if len(a[name]) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	for _, name := range []string{"exposure-ecdf.png", "histogram.png", "timeline.png"} {
		for _, c := range pngChunks(t, a[name]) {
			if c == "tIME" || c == "tEXt" || c == "iTXt" || c == "zTXt" {
				t.Errorf("%s has a %s chunk: PNG files carry no time or text", name, c)
			}
		}
	}
	var j bytes.Buffer
	if err := WriteJSON(&j, Summarize(smallResults())); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a["results.json"], j.Bytes()) {
		t.Error("results.json differs from WriteJSON")
	}
}

// pngChunks lists the chunk types of a PNG file.
func pngChunks(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatal("not a PNG file")
	}
	var types []string
	for b = b[8:]; len(b) >= 12; {
		n := binary.BigEndian.Uint32(b)
		types = append(types, string(b[4:8]))
		b = b[12+n:]
	}
	return types
}

func TestHTMLSelfContained(t *testing.T) {
	t.Parallel()
	res := smallResults()
	res.Offboardings[0].User = `<script>alert("x")</script>`
	page := string(htmlPageOf(t, Summarize(res)))
	// The only url() is the figures' font, in the page: one face, once for all the figures.
	if n := len(fontData.FindAllString(page, -1)); n != 1 {
		t.Errorf("report.html has %d fonts as data, want 1", n)
	}
	page = fontData.ReplaceAllString(page, "")
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", " src=", " href=", "<?xml", "<!DOCTYPE svg"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html holds %q: it must stand alone, script-free", bad)
		}
	}
	// The only addresses are XML namespaces.
	for _, m := range regexp.MustCompile(`https?://[^"'\s<>]*`).FindAllString(page, -1) {
		if m != "http://www.w3.org/2000/svg" && m != "http://www.w3.org/1999/xlink" {
			t.Errorf("report.html names %s", m)
		}
	}
	if n := strings.Count(page, "<svg"); n != 3 {
		t.Errorf("%d inline SVG figures, want 3", n)
	}
	for _, want := range []string{`<section id="verdict" class="banner fail">`, "FAIL: 1 of 2 controls fail",
		`data-verdict="fail"`, `data-verdict="pass"`, "OFF-1", "APP-30", "role session Admin@prod (ROLE-3)",
		"a provisioning run enabled the user again (PROV-3)", "too few offboardings (n=3) for a p99 interval",
		"sign-in prompts", "collateral role sessions (CUT-2)", "&lt;script&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// TestListsCapped checks that the human-readable reports of 200,000 offboardings, each with a
// note of its own, list the first few of each and say how many more there are and where, as a
// run of 200,000 people all offboarded would make them; results.json and exposures.csv keep all.
func TestListsCapped(t *testing.T) {
	t.Parallel()
	const n = 200_000
	res := smallResults()
	o := res.Offboardings[0]
	res.Offboardings = make([]sim.Offboarding, n)
	for i := range res.Offboardings {
		o.Replication = i
		o.Windows[sim.ChAny].Length = time.Duration(i) * time.Second
		o.Notes = []string{fmt.Sprintf("PROV-3: the provisioning run at %d enabled the user again", i)}
		res.Offboardings[i] = o
	}
	s := Summarize(res)
	var text, md, html bytes.Buffer
	if err := WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, s); err != nil {
		t.Fatal(err)
	}
	figs, err := Figures(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, s, figs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		out   string
		shown int // maxTextOffboardings, maxListedOffboardings
		last  string
		size  int // bytes at most: a few hundred bytes per line listed, the figures' SVG
	}{
		{"text", text.String(), 20, "| 19 | alice", 20_000},
		{"report.md", md.String(), 200, "| 199 | alice", 60_000},
		{"report.html", html.String(), 200, "<td>199</td><td>alice", 300_000},
	} {
		if want := fmt.Sprintf("and %d more; all are in results.json and exposures.csv", n-c.shown); !strings.Contains(c.out, want) {
			t.Errorf("%s does not say %q", c.name, want)
		}
		if want := fmt.Sprintf("and %d more; all are in results.json", n-maxListedNotes); !strings.Contains(c.out, want) {
			t.Errorf("%s does not say %q of the notes", c.name, want)
		}
		if strings.Contains(c.out, "run at 20 enabled") {
			t.Errorf("%s lists a 21st note", c.name)
		}
		if len(c.out) > c.size {
			t.Errorf("%s is %d bytes, more than %d", c.name, len(c.out), c.size)
		}
		if c.name == "text" {
			continue // the text is aligned in columns, without cell separators
		}
		if !strings.Contains(c.out, c.last) || strings.Contains(c.out, strings.Replace(c.last, "199", "200", 1)) {
			t.Errorf("%s does not list offboardings 0 to 199 only", c.name)
		}
	}
}

func TestECDFPoints(t *testing.T) {
	t.Parallel()
	// Windows 0, 10 s, 10 s, 30 s: F(0) = 1/4, F(10 s) = 3/4, F(30 s) = 1, led by (0, 0).
	obs := resultsOf(10, 0, 30, 10).Offboardings
	got := ecdfPoints(obs, sim.ChAppExisting)
	want := []ecdfPoint{{0, 0}, {0, 0.25}, {10 * time.Second, 0.75}, {30 * time.Second, 1}}
	if !slices.Equal(got, want) {
		t.Errorf("ecdfPoints = %v, want %v", got, want)
	}
	if ecdfPoints(nil, sim.ChAny) != nil {
		t.Error("points from no offboardings")
	}
	// Many distinct lengths are thinned; the fractions stay exact and the last point is the longest.
	secs := make([]int, 3*maxECDFSteps)
	for i := range secs {
		secs[i] = i + 1
	}
	got = ecdfPoints(resultsOf(secs...).Offboardings, sim.ChAppExisting)
	if len(got) != maxECDFSteps+1 {
		t.Fatalf("%d points, want %d", len(got), maxECDFSteps+1)
	}
	n := float64(len(secs))
	for _, p := range got[1:] {
		if p.F != float64(p.X/time.Second)/n {
			t.Fatalf("point %v: F should be %v", p, float64(p.X/time.Second)/n)
		}
	}
	if last := got[len(got)-1]; last.X != time.Duration(len(secs))*time.Second || last.F != 1 {
		t.Errorf("last point %v, want the longest window at 1", last)
	}
}

func TestECDFData(t *testing.T) {
	t.Parallel()
	s := Summarize(smallResults())
	series, zero := ecdfData(s)
	var drawn []sim.Channel
	for _, sr := range series {
		drawn = append(drawn, sr.Channel)
	}
	if want := []sim.Channel{sim.ChAppExisting, sim.ChRoleExisting, sim.ChAny}; !slices.Equal(drawn, want) {
		t.Errorf("drawn %v, want %v", drawn, want)
	}
	if len(zero) != int(sim.NumChannels)-3 || zero[0] != sim.ChPortal {
		t.Errorf("left out %v", zero)
	}
	p, fig, err := ecdfPlot(s)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil || !strings.Contains(fig.Caption, "Left out because every window is 0: portal, sign_in, app_new, saml_app") {
		t.Errorf("caption %q does not name the channels left out", fig.Caption)
	}
}

func TestHistogram(t *testing.T) {
	t.Parallel()
	// 9 windows from 0 to 90 s: 3 bins (√9) of 30 s; 0, 10, 20 | 30, 40, 50 | 60, 70, 90.
	obs := resultsOf(0, 10, 20, 30, 40, 50, 60, 70, 90).Offboardings
	got := histogramBins(obs, sim.ChAppExisting)
	want := []histBin{{0, 30 * time.Second, 3}, {30 * time.Second, 60 * time.Second, 3}, {60 * time.Second, 90 * time.Second, 3}}
	if !slices.Equal(got, want) {
		t.Errorf("bins %v, want %v", got, want)
	}
	// All windows 0: one bin.
	if got := histogramBins(resultsOf(0, 0).Offboardings, sim.ChAppExisting); !slices.Equal(got, []histBin{{0, time.Second, 2}}) {
		t.Errorf("all zero: bins %v", got)
	}
	// The worst channel of the small run is role_existing (12 h against app_existing's 30 min).
	if ch := histogramChannel(Summarize(smallResults())); ch != sim.ChRoleExisting {
		t.Errorf("histogram of %v, want role_existing", ch)
	}
}

func TestTimeline(t *testing.T) {
	t.Parallel()
	o := sim.Offboarding{User: "alice", At: 10 * time.Hour, Playbook: "leaver",
		Sessions: []sim.Span{
			{Kind: "role", Label: "prod/Admin", Start: 9 * time.Hour, End: 21 * time.Hour},
			{Kind: "portal", Label: "portal session on laptop", Start: 8 * time.Hour, End: 10 * time.Hour},
			{Kind: "saml", Label: "wiki", Start: 9 * time.Hour, End: 48 * time.Hour, Open: true},
		},
		Steps: []sim.StepMark{{At: 10 * time.Hour, Action: "deny_user"}, {At: 10*time.Hour + 2*time.Minute, Action: "disable_user"}},
	}
	bars, dropped := timelineBars(&o)
	want := []timelineBar{
		{"portal: portal session on laptop", "portal", -2 * time.Hour, 0, false},
		{"role: prod/Admin", "role", -time.Hour, 11 * time.Hour, false},
		{"saml: wiki", "saml", -time.Hour, 38 * time.Hour, true},
	}
	if dropped != 0 || !slices.Equal(bars, want) {
		t.Errorf("bars %v (dropped %d)\nwant %v", bars, dropped, want)
	}
	marks := timelineMarks(&o)
	wantMarks := []timelineMark{{"offboard (leaver)", 0}, {"+0s deny_user", 0}, {"+2m00s disable_user", 2 * time.Minute}}
	if !slices.Equal(marks, wantMarks) {
		t.Errorf("marks %v, want %v", marks, wantMarks)
	}
	// Too many sessions: those that end last are kept.
	o.Sessions = nil
	for i := range maxTimelineBars + 3 {
		o.Sessions = append(o.Sessions, sim.Span{Kind: "role", Label: "r", Start: 0, End: time.Duration(i) * time.Minute})
	}
	bars, dropped = timelineBars(&o)
	if dropped != 3 || len(bars) != maxTimelineBars || bars[0].End != 3*time.Minute-o.At {
		t.Errorf("%d bars, %d dropped, first ends %v; want %d, 3, the 4th shortest", len(bars), dropped, bars[0].End, maxTimelineBars)
	}
	// The timeline shows the worst offboarding on any.
	s := Summarize(smallResults())
	if got := timelineOffboarding(s); got != s.Channels[sim.ChAny].Worst {
		t.Errorf("timeline of %+v", got)
	}
}

func TestFiguresWithoutOffboardings(t *testing.T) {
	t.Parallel()
	figs, err := Figures(Summarize(resultsOf()))
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 3 {
		t.Fatalf("%d figures", len(figs))
	}
	for _, f := range figs {
		if len(f.SVG) == 0 || len(f.PNG) == 0 || f.Caption == "" {
			t.Errorf("%s: %d bytes of SVG, %d of PNG, caption %q", f.Name, len(f.SVG), len(f.PNG), f.Caption)
		}
	}
}

// Names come from scenarios and, through idcsim import and trail, from other people's systems:
// none may reach a spreadsheet as a formula (OWASP, "CSV Injection") nor report.md as a link.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	res := smallResults()
	res.Offboardings[0].User = "=HYPERLINK(\"http://x\")"
	res.Offboardings[1].User = "[x](javascript:alert(1))"
	res.Offboardings[2].Playbook = "@SUM(1+1)"
	s := Summarize(res)
	var b bytes.Buffer
	if err := WriteCSV(&b, s); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		for i, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("exposures.csv row %q: column %s starts with %q", r, csvColumns[i], cell[:1])
			}
		}
	}
	if rows[1][1] != `'=HYPERLINK("http://x")` {
		t.Errorf("user cell %q: want the name behind an apostrophe", rows[1][1])
	}
	for in, want := range map[string]string{"-1": "'-1", "+x": "'+x", "\tx": "'\tx", "alice": "alice", "": "", "a=b": "a=b"} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}

	b.Reset()
	if err := WriteMarkdown(&b, s); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.Contains(md, "[x](") || !strings.Contains(md, `\[x\](javascript:alert(1))`) {
		t.Errorf("report.md keeps the link syntax of a name:\n%s", md)
	}
	// A backslash in a name cannot undo the escape of what follows it.
	if got := mdEscape(`\[x\](y)`); got != `\\\[x\\\](y)` {
		t.Errorf("mdEscape of escaped brackets = %q", got)
	}
}
