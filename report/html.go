package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed report.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("report.html").Parse(htmlTemplate))

// htmlFigure is a figure as the page shows it: its SVG inline.
type htmlFigure struct {
	Name, Title, Caption string
	SVG                  template.HTML
}

type htmlControl struct {
	Pass  bool
	Cells []string // policyColumns
	// Evidence: the worst offboarding on the channel, its window and what held it
	Worst, Exposure, Evidence string
}

// htmlChannel is a row of the statistics table: the channel, what it means, and its figures.
type htmlChannel struct {
	Name, Meaning string
	Cells         []string
}

type htmlPage struct {
	Title            string
	Setup            [][2]string
	Verdict          string
	Class            string // pass, fail or none
	Controls         []htmlControl
	ChannelColumns   []string
	Channels         []htmlChannel
	Warnings         []string
	FrictionBasis    string
	FrictionColumns  []string
	Friction         [][]string
	Figures          []htmlFigure
	Fonts            template.CSS // the figures' fonts
	WorstColumns     []string
	Worst            [][]string
	Notes            []string
	OffboardColumns  []string
	Offboardings     [][]string
	OffboardingsNote string
}

// WriteHTML writes report.html: one self-contained page (inline CSS, the figures as inline SVG,
// no script, nothing fetched from anywhere) with the verdict, the statistics, friction, the
// figures, the evidence and the offboardings. figs are the report's figures (see Figures).
func WriteHTML(w io.Writer, s *Summary, figs []Figure) error {
	pg := htmlPage{
		Title:           "idcsim report: " + s.Results.Scenario.Name,
		Setup:           s.header(),
		Verdict:         s.Verdict(),
		Class:           "none",
		ChannelColumns:  channelColumns[:len(channelColumns)-1],
		Warnings:        s.allWarnings(),
		FrictionBasis:   s.frictionBasis(),
		FrictionColumns: frictionColumns,
		Friction:        s.frictionRows(),
		WorstColumns:    worstColumns,
		Worst:           s.worstRows(),
		Notes:           s.noteLines(),
		OffboardColumns: offboardingColumns,
	}
	switch {
	case len(s.Policy) == 0:
	case s.Pass:
		pg.Class = "pass"
	default:
		pg.Class = "fail"
	}
	for _, row := range s.channelRows() {
		pg.Channels = append(pg.Channels, htmlChannel{Name: row[0], Meaning: row[len(row)-1], Cells: row[1 : len(row)-1]})
	}
	ev := s.evidenceRows()
	for i, row := range s.policyRows() {
		pg.Controls = append(pg.Controls, htmlControl{Pass: s.Policy[i].Pass, Cells: row,
			Worst: ev[i][1], Exposure: ev[i][2], Evidence: ev[i][3]})
	}
	var err error
	if pg.Figures, pg.Fonts, err = htmlFigures(figs); err != nil {
		return err
	}
	obs := s.Results.Offboardings
	n := min(len(obs), maxListedOffboardings)
	for i := range obs[:n] {
		pg.Offboardings = append(pg.Offboardings, s.offboardingRow(&obs[i]))
	}
	if n < len(obs) {
		pg.OffboardingsNote = moreOffboardings(len(obs)-n) + "."
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pg); err != nil {
		return err
	}
	_, err = w.Write(b.Bytes())
	return err
}

// htmlFigures returns the figures as a page shows them, and the @font-face rules of their
// text: one per font face for all of them, where each figure's own file has its own.
func htmlFigures(figs []Figure) ([]htmlFigure, template.CSS, error) {
	var out []htmlFigure
	use := fontUse{}
	for _, f := range figs {
		svg, err := inlineSVG(f.SVG)
		if err != nil {
			return nil, "", fmt.Errorf("figure %s: %v", f.Name, err)
		}
		out = append(out, htmlFigure{Name: f.Name, Title: f.Title, Caption: f.Caption, SVG: svg})
		use.merge(f.fonts)
	}
	css, err := fontFaces(use)
	if err != nil {
		return nil, "", err
	}
	return out, template.CSS(css), nil // base64 and names of our own making: nothing to escape
}

// inlineSVG makes an SVG document, as gonum/plot writes it, fit to sit inside HTML: without the
// XML declaration and comment before the <svg> element and its embedded fonts (the page has
// them once for all its figures), and scaled to the page by CSS.
func inlineSVG(doc []byte) (template.HTML, error) {
	s := string(doc)
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("no <svg> element")
	}
	s = s[i:]
	if j := strings.Index(s, svgFontsOpen); j >= 0 {
		if k := strings.Index(s[j:], svgFontsClose); k >= 0 {
			s = s[:j] + s[j+k+len(svgFontsClose):]
		}
	}
	// The page sets the size; the viewBox keeps the proportions.
	if j := strings.Index(s, ">"); j > 0 {
		head := s[:j]
		for _, attr := range []string{"width", "height"} {
			if k := strings.Index(head, " "+attr+`="`); k >= 0 {
				end := strings.Index(head[k+len(attr)+3:], `"`)
				head = head[:k] + head[k+len(attr)+3+end+1:]
			}
		}
		s = head + ` role="img"` + s[j:]
	}
	return template.HTML(s), nil // drawn by gonum/plot, which escapes the text it writes
}
