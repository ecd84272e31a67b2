package trail

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"idcsim/report"
	"idcsim/sim"
)

// figures draws the timeline of each offboarding (of the first maxTimelines), as the report's
// figures are drawn.
func figures(r *Report) ([]report.Figure, error) {
	tls := timelines(r)
	return report.Render(len(tls), func(i int) (report.Drawing, error) { return timelineDrawing(&tls[i]) })
}

// minRows is the fewest rows a timeline has, so that a few sessions do not make fat bars.
const minRows = 3

// rowHalf is half the height of a row's bar, in rows.
const rowHalf = 0.35

// The marks of a timeline: one glyph per kind of activity, and one for activity beyond its
// session's bound.
var (
	markGlyphs = map[string]draw.GlyphStyle{
		markCall:    {Color: color.Black, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}},
		markToken:   {Color: color.Black, Radius: vg.Points(2.5), Shape: draw.BoxGlyph{}},
		markSignIn:  {Color: color.Black, Radius: vg.Points(3.5), Shape: draw.RingGlyph{}},
		markRefused: {Color: color.RGBA{0x60, 0x60, 0x60, 0xff}, Radius: vg.Points(3), Shape: draw.CrossGlyph{}},
	}
	beyondGlyph = draw.GlyphStyle{Color: report.AlarmColor(), Radius: vg.Points(4.5), Shape: draw.PyramidGlyph{}}
	markNames   = map[string]string{markCall: "call", markToken: "token or credentials", markSignIn: "sign-in", markRefused: "refused attempt"}
	markOrder   = []string{markSignIn, markCall, markToken, markRefused}
	rowNames    = map[string]string{rowPortal: "portal session", rowCLI: "CLI token", rowRole: "role session", rowApp: "application", rowAttempts: "attempts"}
	rowOrder    = []string{rowPortal, rowCLI, rowRole, rowApp, rowAttempts}
)

// rowColor is the colour of a row's bar: the report's colour of the kind of session.
func rowColor(kind string) color.Color {
	if kind == rowAttempts {
		return color.RGBA{0xb0, 0xb0, 0xb0, 0xff}
	}
	return report.KindColor(kind)
}

// timelineDrawing draws an offboarding's timeline: a row per session, its bar from its first
// record to its last use, its bound as an outline, its activity as marks.
func timelineDrawing(tl *offboardingTimeline) (report.Drawing, error) {
	o := tl.O
	d := report.Drawing{Name: tl.Name, Title: fmt.Sprintf("%s offboarded at %s: what the logs show beside what the rules allow", o.Name, stamp(o.At))}
	left, top := time.Duration(0), time.Duration(0)
	beyond := 0
	for _, row := range tl.Rows {
		left = min(left, row.Start)
		top = max(top, row.LastUse)
		if row.Modelled && !row.Open {
			top = max(top, row.Bound)
		}
		for _, m := range row.Marks {
			top = max(top, m.At)
			if m.Beyond {
				beyond++
			}
		}
	}
	for _, st := range tl.Steps {
		top = max(top, st.At)
	}
	// show at most as long before the offboarding as after it, and at least an hour
	cut := max(left, -max(top, time.Hour))
	unit, unitName := report.TimeUnit(max(top, -cut))
	p := report.NewPlot(d.Title, "time from the offboarding ("+unitName+")", "")
	rows := max(len(tl.Rows), minRows)
	if len(tl.Rows) > 0 {
		names := make([]string, rows)
		for i, row := range tl.Rows {
			label := row.Label
			switch {
			case row.Open:
				label += " (open)"
			case !row.Modelled:
				label += " (not modelled)"
			}
			names[rows-1-i] = label // the first row on top
		}
		p.NominalY(names...)
	} else {
		p.HideY()
	}
	p.Add(&rowsPlotter{rows: tl.Rows, n: rows, unit: unit})
	var legend []report.LegendEntry
	for i, st := range tl.Steps {
		x := float64(st.At) / float64(unit)
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: -0.5}, {X: x, Y: float64(rows) - 0.5}})
		if err != nil {
			return d, fmt.Errorf("the line of %s: %v", st.Label, err)
		}
		if i == 0 {
			l.Color, l.Width = color.Black, vg.Points(2)
		} else {
			l.Color, l.Width = report.SeriesColor(i-1), vg.Points(1.25)
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		p.Add(l)
		legend = append(legend, report.LegendEntry{Label: st.Label, Line: &l.LineStyle})
	}
	// the axis, once the plotters have widened it to their data,
	// with room for the marks at either end
	p.X.Min = float64(cut-(top-cut)/40) / float64(unit)
	p.X.Max = float64(max(top+(top-cut)/25, 6*time.Minute)) / float64(unit)
	p.X.Tick.Marker = unitTicks{}
	kinds, marks := map[string]bool{}, map[string]bool{}
	bounded := false
	for _, row := range tl.Rows {
		kinds[row.Kind] = true
		bounded = bounded || row.Modelled
		for _, m := range row.Marks {
			marks[m.Kind] = true
		}
	}
	for _, k := range rowOrder {
		if kinds[k] {
			legend = append(legend, report.LegendEntry{Label: rowNames[k], Glyph: &draw.GlyphStyle{Color: rowColor(k), Radius: vg.Points(5), Shape: draw.BoxGlyph{}}})
		}
	}
	if bounded {
		legend = append(legend, report.LegendEntry{Label: "bound: the latest end the rules allow", Line: &boundStyle})
	}
	for _, k := range markOrder {
		if marks[k] {
			g := markGlyphs[k]
			legend = append(legend, report.LegendEntry{Label: markNames[k], Glyph: &g})
		}
	}
	if beyond > 0 {
		legend = append(legend, report.LegendEntry{Label: "beyond the bound: investigate", Glyph: &beyondGlyph})
	}
	d.Caption = timelineCaption(tl, cut, beyond)
	d.Height = vg.Length(rows)*0.4*vg.Inch + 2.4*vg.Inch
	d.Draw = func(c draw.Canvas) { report.DrawWithLegend(c, p.Legend.TextStyle, legend, p.Draw) }
	return d, nil
}

// unitTicks marks a time axis in whole units: every 1, 2, 3, 6, 12, 24... of them, labelled,
// so that there are at most 10.
type unitTicks struct{}

func (unitTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 3, 5, 6, 10, 12, 15, 20, 24, 30, 48, 60, 120, 240} {
		step = s
		if (hi-lo)/s <= 10 {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%g", v+0)}) // +0: no "-0"
	}
	return ticks
}

// boundStyle outlines a session's bound.
var boundStyle = draw.LineStyle{Color: color.RGBA{0x40, 0x40, 0x40, 0xff}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}

// timelineCaption says what the timeline shows.
func timelineCaption(tl *offboardingTimeline, cut time.Duration, beyond int) string {
	o := tl.O
	var b strings.Builder
	fmt.Fprintf(&b, "The sessions of %s live at the offboarding at %s or active after it, as the CloudTrail logs show them: a bar each, from its first record to its last use, coloured by kind; the dashed outline is its bound, the latest end that the rules allow it over the engine's %s over the reconstructed timeline (none for sessions the engine does not model). The black line is the offboarding, the coloured dashed lines its steps as the logs show them. Each mark is an activity: a sign-in, a call with the session, a token's use, a refused attempt; a session's calls are kept as counts, so that its first and last calls of each day are marked and its label says how many there were.",
		o.Name, stamp(o.At), plural(tl.Replications, "run"))
	for _, row := range tl.Rows {
		if row.Start < cut {
			fmt.Fprintf(&b, " Sessions that began more than %s before the offboarding are cut at the left edge.", sim.HumanDuration(-cut))
			break
		}
	}
	if tl.Dropped > 0 {
		fmt.Fprintf(&b, " %s active earliest left out.", plural(tl.Dropped, "session"))
	}
	if len(tl.Rows) == 0 {
		b.WriteString(" The logs show no session of the user live at the offboarding or after it.")
	}
	if beyond > 0 {
		fmt.Fprintf(&b, " %s after the offboarding came later than its session's bound allows (by more than %s): %s.", plural(beyond, "activity"), sim.HumanDuration(Tolerance), BeyondText)
	}
	return b.String()
}

// rowsPlotter draws a timeline's rows, the first on top.
type rowsPlotter struct {
	rows []timelineRow
	n    int // rows of the plot, at least len(rows); the rows fill the top ones
	unit time.Duration
}

func (rp *rowsPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	x := func(d time.Duration) vg.Length { return trX(float64(d) / float64(rp.unit)) }
	box := func(x0, x1 vg.Length, y, half float64) []vg.Point {
		if x1-x0 < vg.Points(1) {
			x1 = x0 + vg.Points(1) // a session of no length still shows
		}
		y0, y1 := trY(y-half), trY(y+half)
		return []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
	}
	for i, row := range rp.rows {
		y := float64(rp.n - 1 - i)
		fill := rowColor(row.Kind)
		if row.Modelled {
			end := x(row.Bound)
			if row.Open {
				end = c.Max.X
			}
			if end > x(row.Start) {
				r, g, b, _ := fill.RGBA()
				light := color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x38}
				pts := box(x(row.Start), end, y, rowHalf)
				c.FillPolygon(light, c.ClipPolygonXY(pts))
				c.StrokeLines(boundStyle, c.ClipLinesXY(append(pts, pts[0]))...)
			}
		}
		c.FillPolygon(fill, c.ClipPolygonXY(box(x(row.Start), x(row.LastUse), y, rowHalf*0.6)))
		for _, m := range row.Marks {
			pt := vg.Point{X: x(m.At), Y: trY(y)}
			if !c.Contains(pt) {
				continue
			}
			if m.Beyond {
				c.DrawGlyph(beyondGlyph, pt)
			} else {
				c.DrawGlyph(markGlyphs[m.Kind], pt)
			}
		}
	}
}

func (rp *rowsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, row := range rp.rows {
		xmin = min(xmin, float64(row.Start)/float64(rp.unit))
		xmax = max(xmax, float64(row.LastUse)/float64(rp.unit))
	}
	if len(rp.rows) == 0 {
		xmin, xmax = 0, 0
	}
	return xmin, xmax, -0.5, float64(rp.n) - 0.5
}
