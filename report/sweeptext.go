package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"

	"idcsim/sim"
)

// maxTextCandidates is how many candidates the text summary lists in full; past it, only those
// on the front. maxListedCandidates is the same for the Markdown and HTML reports. sweep.csv and
// sweep.json list them all.
const (
	maxTextCandidates   = 40
	maxListedCandidates = 1000
)

// sweepHeader returns the label and value lines that open a sweep's summaries.
func (ss *SweepSummary) sweepHeader() [][2]string {
	sc := ss.Scenario
	name := sc.Name
	if sc.SHA256 != "" {
		name += " (sha256 " + sc.SHA256[:min(12, len(sc.SHA256))] + ")"
	}
	rows := [][2]string{{"scenario", name}, {"profile", sc.Profile.Name}}
	sw := sc.Switches.Map()
	for i, n := range sim.SwitchNames() {
		label := ""
		if i == 0 {
			label = "switches"
		}
		rows = append(rows, [2]string{label, fmt.Sprintf("%s=%t", n, sw[n])})
	}
	rows = append(rows,
		[2]string{"sweep", fmt.Sprintf("%s × %s, seed %d, horizon %s, %d events",
			plural(len(ss.Candidates), "candidate"), plural(sc.Replications, "replication"), sc.Seed, sim.HumanDuration(sc.Horizon), ss.events())},
		[2]string{"users", fmt.Sprint(userCount(sc))},
		[2]string{"objective", ss.Objective() + " exposure"},
		[2]string{"friction", FrictionMeasure},
	)
	for i, c := range sc.Policy {
		label := ""
		if i == 0 {
			label = "controls"
		}
		text := fmt.Sprintf("%s: %s of %s within %s", c.ID, c.Statistic, c.Channel, sim.HumanDuration(c.Within))
		if c.Text != "" {
			text += " (" + c.Text + ")"
		}
		rows = append(rows, [2]string{label, text})
	}
	if len(sc.Policy) == 0 {
		rows = append(rows, [2]string{"controls", "none"})
	}
	return rows
}

// candidateColumns are the columns of the candidate tables.
func (ss *SweepSummary) candidateColumns() []string {
	cols := []string{"#"}
	cols = append(cols, ss.Settings...)
	return append(cols, ss.Objective(), "friction", "controls", "front", "recommended")
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func (ss *SweepSummary) candidateRow(c *CandidateSummary) []string {
	row := []string{fmt.Sprint(c.Index)}
	for _, v := range c.Values {
		row = append(row, sim.FormatDuration(sim.RoundMillis(v)))
	}
	controls := "PASS"
	switch {
	case len(c.Summary.Policy) == 0:
		controls = "-"
	case !c.Pass:
		controls = "FAIL " + strings.Join(c.FailedControls(), ",")
	}
	obj := sim.HumanDuration(c.Objective)
	if n := c.Summary.Channels[ss.Channel].Open; n > 0 {
		obj += fmt.Sprintf(" (%d open)", n)
	}
	return append(row, obj, fmt.Sprintf("%.3f", c.Friction), controls, yes(c.Pareto), yes(c.Recommended))
}

// candidateRows returns the rows of up to limit candidates: all of them, or past the limit those
// on the front, and a note of what was left out.
func (ss *SweepSummary) candidateRows(limit int) (rows [][]string, note string) {
	all := len(ss.Candidates) <= limit
	shown := 0
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		if !all && !c.Pareto && !c.Recommended {
			continue
		}
		if shown == limit {
			break
		}
		rows = append(rows, ss.candidateRow(c))
		shown++
	}
	if !all {
		note = fmt.Sprintf("%d of %d candidates shown (those on the front first, up to %d); sweep.csv and sweep.json list them all.", shown, len(ss.Candidates), limit)
	}
	return rows, note
}

// Verdict is the sweep's verdict in a line: PASS or FAIL and how many candidates meet every control.
func (ss *SweepSummary) Verdict() string {
	n := 0
	for i := range ss.Candidates {
		if ss.Candidates[i].Pass {
			n++
		}
	}
	switch {
	case len(ss.Scenario.Policy) == 0:
		return fmt.Sprintf("no policy controls: %d candidates on the front", len(ss.Recommended))
	case ss.Pass:
		return fmt.Sprintf("PASS: %d of %d candidates meet every control; %d recommended", n, len(ss.Candidates), len(ss.Recommended))
	}
	return fmt.Sprintf("FAIL: none of the %d candidates meets every control", len(ss.Candidates))
}

// WriteSweepText writes a sweep's summary for people: its setup, a table of candidates, the
// recommendation and the verdict.
func WriteSweepText(w io.Writer, ss *SweepSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	for _, r := range ss.sweepHeader() {
		line(r[0], r[1])
	}
	line()
	line(upper(ss.candidateColumns())...)
	rows, note := ss.candidateRows(maxTextCandidates)
	for _, r := range rows {
		line(r...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(w, note)
	}
	if ws := ss.Warnings(); len(ws) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, x := range ws {
			fmt.Fprintln(w, "  "+x)
		}
	}
	fmt.Fprintln(w, "\nrecommendation:")
	for _, x := range ss.Recommendation() {
		fmt.Fprintln(w, "  "+x)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", ss.Verdict())
	return err
}

// WriteSweepMarkdown writes a sweep's report.md: the verdict and recommendation, the setup, the
// candidates and the warnings.
func WriteSweepMarkdown(w io.Writer, ss *SweepSummary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# idcsim sweep: %s\n\n", mdEscape(ss.Scenario.Name))
	mark := ""
	switch {
	case len(ss.Scenario.Policy) == 0:
	case ss.Pass:
		mark = "✅ "
	default:
		mark = "❌ "
	}
	fmt.Fprintf(&b, "**%s%s**\n\n", mark, ss.Verdict())
	b.WriteString("## Recommendation\n\n")
	for _, x := range ss.Recommendation() {
		if strings.HasPrefix(x, "  ") {
			fmt.Fprintf(&b, "- %s\n", mdEscape(strings.TrimSpace(x)))
		} else {
			fmt.Fprintf(&b, "%s\n\n", mdEscape(x))
		}
	}
	b.WriteString("\n")
	var hdr [][]string
	for _, r := range ss.sweepHeader() {
		hdr = append(hdr, []string{r[0], r[1]})
	}
	mdTable(&b, []string{"", ""}, hdr)
	b.WriteString("\n## Candidates\n\n")
	rows, note := ss.candidateRows(maxListedCandidates)
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	mdTable(&b, ss.candidateColumns(), rows)
	b.WriteString("\n" + sweepExplanation + "\n")
	if ws := ss.Warnings(); len(ws) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, x := range ws {
			fmt.Fprintf(&b, "- %s\n", mdEscape(x))
		}
	}
	b.WriteString("\n## Plots\n\nfrontier.svg and heatmap.svg (also as PNG) in the report directory.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// sweepExplanation says what the candidate table's columns mean.
const sweepExplanation = "Front: on the Pareto front of exposure against friction (no other candidate has less of both). " +
	"Recommended: meets every control, and no other candidate that does has less of both. " +
	"Friction counts " + FrictionMeasure + "."

//go:embed sweep.html.tmpl
var sweepHTMLTemplate string

var sweepPageTemplate = template.Must(template.New("sweep.html").Parse(sweepHTMLTemplate))

// pageStyle is the style sheet of report.html, shared by the sweep's page.
func pageStyle() template.CSS {
	s := htmlTemplate
	i, j := strings.Index(s, "<style>"), strings.Index(s, "</style>")
	if i < 0 || j < i {
		return ""
	}
	return template.CSS(s[i+len("<style>") : j])
}

type sweepPage struct {
	Title          string
	Style          template.CSS
	Setup          [][2]string
	Verdict        string
	Class          string
	Recommendation []string
	Recommended    []string
	Columns        []string
	Rows           []sweepRow
	ControlsAt     int // the column of the controls' verdict
	RowsNote       string
	Explanation    string
	Warnings       []string
	Figures        []htmlFigure
	Fonts          template.CSS // the figures' fonts
}

type sweepRow struct {
	Class       string // pass, fail or none
	Recommended bool
	Cells       []string
}

// WriteSweepHTML writes a sweep's report.html: one self-contained page with the verdict and
// recommendation, the setup, the figures and the candidates.
func WriteSweepHTML(w io.Writer, ss *SweepSummary, figs []Figure) error {
	pg := sweepPage{
		Title:       "idcsim sweep: " + ss.Scenario.Name,
		Style:       pageStyle(),
		Setup:       ss.sweepHeader(),
		Verdict:     ss.Verdict(),
		Class:       "none",
		Columns:     ss.candidateColumns(),
		Explanation: sweepExplanation,
		Warnings:    ss.Warnings(),
	}
	switch {
	case len(ss.Scenario.Policy) == 0:
	case ss.Pass:
		pg.Class = "pass"
	default:
		pg.Class = "fail"
	}
	for _, x := range ss.Recommendation() {
		if strings.HasPrefix(x, "  ") {
			pg.Recommended = append(pg.Recommended, strings.TrimSpace(x))
		} else {
			pg.Recommendation = append(pg.Recommendation, x)
		}
	}
	rows, note := ss.candidateRows(maxListedCandidates)
	pg.RowsNote = note
	pg.ControlsAt = len(pg.Columns) - 3
	for _, r := range rows {
		class := "none"
		switch {
		case strings.HasPrefix(r[pg.ControlsAt], "PASS"):
			class = "pass"
		case strings.HasPrefix(r[pg.ControlsAt], "FAIL"):
			class = "fail"
		}
		pg.Rows = append(pg.Rows, sweepRow{Class: class, Recommended: r[len(r)-1] == "yes", Cells: r})
	}
	var err error
	if pg.Figures, pg.Fonts, err = htmlFigures(figs); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := sweepPageTemplate.Execute(&b, pg); err != nil {
		return err
	}
	_, err = w.Write(b.Bytes())
	return err
}
