package report

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"idcsim/sim"
)

// SweepFigures draws a sweep's plots: exposure against friction per candidate with the Pareto
// front (frontier), and the objective over the first two swept settings (heatmap).
func SweepFigures(ss *SweepSummary) ([]Figure, error) {
	return renderAll(ss, frontierPlot, heatmapPlot)
}

// frontierPoint is a candidate as the frontier plot draws it.
type frontierPoint struct {
	Index       int
	Friction    float64
	Objective   time.Duration
	Pass        bool
	Pareto      bool
	Recommended bool
}

// frontierData returns the candidates as points, and the Pareto front in order of friction.
func frontierData(ss *SweepSummary) (points, front []frontierPoint) {
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		pt := frontierPoint{c.Index, c.Friction, c.Objective, c.Pass, c.Pareto, c.Recommended}
		points = append(points, pt)
		if c.Pareto {
			front = append(front, pt)
		}
	}
	slices.SortStableFunc(front, func(a, b frontierPoint) int {
		if a.Friction != b.Friction {
			if a.Friction < b.Friction {
				return -1
			}
			return 1
		}
		return int(a.Objective - b.Objective)
	})
	return points, front
}

var green = color.RGBA{0x00, 0x9e, 0x73, 0xff}

func frontierPlot(ss *SweepSummary) (drawer, Figure, error) {
	fig := Figure{Name: "frontier", Title: "Exposure against friction per candidate"}
	points, front := frontierData(ss)
	var top time.Duration
	for _, pt := range points {
		top = max(top, pt.Objective)
	}
	unit, unitName := timeUnit(top)
	p := newPlot(fig.Title, "friction: prompts and logins per user-week", ss.Objective()+" exposure ("+unitName+")")
	p.Y.Min = 0
	if len(points) > 0 {
		frontierRange(p, points, scale(top, unit))
	}
	xy := func(pts []frontierPoint, keep func(frontierPoint) bool) plotter.XYs {
		var out plotter.XYs
		for _, pt := range pts {
			if keep(pt) {
				out = append(out, plotter.XY{X: pt.Friction, Y: scale(pt.Objective, unit)})
			}
		}
		return out
	}
	all := func(frontierPoint) bool { return true }
	var legend []legendEntry
	if len(front) > 0 {
		l, err := plotter.NewLine(xy(front, all))
		if err != nil {
			return nil, fig, err
		}
		l.Color, l.Width = palette[0], vg.Points(1.5)
		p.Add(l)
		legend = append(legend, legendEntry{Label: "Pareto front", Line: &l.LineStyle})
	}
	marks, err := frontierMarks(p, func(keep func(frontierPoint) bool) plotter.XYs { return xy(points, keep) })
	if err != nil {
		return nil, fig, err
	}
	if labelled := frontierLabelled(points, front); len(labelled) > 0 {
		p.Add(&frontierLabels{points: xy(points, all), glyphs: glyphRadii(points), labelled: xy(labelled, all), labels: indexes(labelled)})
	}
	fig.Caption = frontierCaption(ss, len(points))
	return func(c draw.Canvas) { drawWithLegend(c, p.Legend.TextStyle, append(legend, marks...), p.Draw) }, fig, nil
}

// frontierRange leaves room around the points for their marks and numbers; top is the highest
// exposure in the plot's unit.
func frontierRange(p *plot.Plot, points []frontierPoint, top float64) {
	lo, hi := points[0].Friction, points[0].Friction
	for _, pt := range points {
		lo, hi = min(lo, pt.Friction), max(hi, pt.Friction)
	}
	span := hi - lo
	if span == 0 {
		span = max(hi, 1)
	}
	p.X.Min, p.X.Max = max(0, lo-0.05*span), hi+0.08*span
	p.Y.Max = max(top*1.08, 1)
}

// frontierMarks adds a glyph per candidate: a ring for the recommended ones, a green circle for
// those that meet every control, a cross for the others; xy gives the points kept by a test.
func frontierMarks(p *plot.Plot, xy func(keep func(frontierPoint) bool) plotter.XYs) ([]legendEntry, error) {
	glyphs := []struct {
		keep  func(frontierPoint) bool
		style draw.GlyphStyle
		label string
	}{
		{func(pt frontierPoint) bool { return pt.Recommended }, draw.GlyphStyle{Color: palette[0], Radius: vg.Points(7), Shape: draw.RingGlyph{}}, "recommended"},
		{func(pt frontierPoint) bool { return pt.Pass }, draw.GlyphStyle{Color: green, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}, "meets every control"},
		{func(pt frontierPoint) bool { return !pt.Pass }, draw.GlyphStyle{Color: palette[3], Radius: vg.Points(4), Shape: draw.CrossGlyph{}}, "fails a control"},
	}
	var marks []legendEntry
	for _, g := range glyphs {
		pts := xy(g.keep)
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = g.style
		p.Add(s)
		marks = append(marks, legendEntry{Label: g.label, Glyph: &g.style})
	}
	return marks, nil
}

// frontierLabelled returns the candidates whose indexes the frontier plot writes beside them:
// the recommended ones, then the others on the front in order of friction; at most
// maxFrontierLabels.
func frontierLabelled(points, front []frontierPoint) []frontierPoint {
	var out []frontierPoint
	for _, pt := range points {
		if pt.Recommended {
			out = append(out, pt)
		}
	}
	for _, pt := range front {
		if !pt.Recommended {
			out = append(out, pt)
		}
	}
	return out[:min(len(out), maxFrontierLabels)]
}

// indexes returns the candidates' indexes as labels.
func indexes(pts []frontierPoint) []string {
	var out []string
	for _, pt := range pts {
		out = append(out, strconv.Itoa(pt.Index))
	}
	return out
}

// Radii of the frontier's glyphs: a ring around a recommended candidate, a circle or a cross.
const (
	ringRadius = 7
	markRadius = 4
)

// glyphRadii returns the radius of the marks drawn at each point, in points.
func glyphRadii(points []frontierPoint) []vg.Length {
	var out []vg.Length
	for _, pt := range points {
		r := vg.Points(markRadius)
		if pt.Recommended {
			r = vg.Points(ringRadius)
		}
		out = append(out, r)
	}
	return out
}

// frontierLabels writes labels beside some points, each where it covers no other label and no
// point's mark; a label with no such place is left out.
type frontierLabels struct {
	points   plotter.XYs // every point, with the radius of its mark
	glyphs   []vg.Length
	labelled plotter.XYs // the points to label, in order of precedence, and their labels
	labels   []string
}

func (fl *frontierLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := p.X.Tick.Label
	sty.Color, sty.XAlign, sty.YAlign = grey, draw.XLeft, draw.YBottom
	var marks []vg.Rectangle
	for i, pt := range fl.points {
		at, r := vg.Point{X: trX(pt.X), Y: trY(pt.Y)}, fl.glyphs[i]
		marks = append(marks, vg.Rectangle{Min: at.Sub(vg.Point{X: r, Y: r}), Max: at.Add(vg.Point{X: r, Y: r})})
	}
	anchors := make([]vg.Point, len(fl.labelled))
	sizes := make([]vg.Point, len(fl.labelled))
	for i, pt := range fl.labelled {
		anchors[i] = vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
		sizes[i] = sty.Rectangle(fl.labels[i]).Size()
	}
	boxes, ok := placeLabels(anchors, sizes, vg.Points(ringRadius+3), marks, c.Rectangle)
	for i, box := range boxes {
		if ok[i] {
			c.FillText(sty, box.Min.Sub(sty.Rectangle(fl.labels[i]).Min), fl.labels[i])
		}
	}
}

// labelGap is the least space between a label and anything else.
const labelGap = 1.5 // points

// placeLabels places a box of each size beside its anchor, away from it: in the first of eight
// places around it (right, above right, below right, left, above left, below left, above,
// below) that lies inside area and, with labelGap around it, overlaps neither a box placed
// before nor an obstacle. ok says which boxes have a place.
func placeLabels(anchors, sizes []vg.Point, away vg.Length, obstacles []vg.Rectangle, area vg.Rectangle) (boxes []vg.Rectangle, ok []bool) {
	boxes, ok = make([]vg.Rectangle, len(anchors)), make([]bool, len(anchors))
	taken := slices.Clone(obstacles)
	gap := vg.Points(labelGap)
	d := away * 0.7 // diagonal
	for i, a := range anchors {
		w, h := sizes[i].X, sizes[i].Y
		for _, min := range []vg.Point{
			{X: a.X + away, Y: a.Y - h/2}, {X: a.X + d, Y: a.Y + d}, {X: a.X + d, Y: a.Y - d - h},
			{X: a.X - away - w, Y: a.Y - h/2}, {X: a.X - d - w, Y: a.Y + d}, {X: a.X - d - w, Y: a.Y - d - h},
			{X: a.X - w/2, Y: a.Y + away}, {X: a.X - w/2, Y: a.Y - away - h},
		} {
			box := vg.Rectangle{Min: min, Max: min.Add(sizes[i])}
			padded := vg.Rectangle{Min: box.Min.Sub(vg.Point{X: gap, Y: gap}), Max: box.Max.Add(vg.Point{X: gap, Y: gap})}
			if !inside(box, area) || slices.ContainsFunc(taken, func(r vg.Rectangle) bool { return overlap(padded, r) }) {
				continue
			}
			boxes[i], ok[i] = box, true
			taken = append(taken, box)
			break
		}
	}
	return boxes, ok
}

// inside says whether a lies within b.
func inside(a, b vg.Rectangle) bool {
	return a.Min.X >= b.Min.X && a.Min.Y >= b.Min.Y && a.Max.X <= b.Max.X && a.Max.Y <= b.Max.Y
}

// overlap says whether a and b share more than an edge.
func overlap(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// frontierCaption says what the frontier plot of n candidates shows.
func frontierCaption(ss *SweepSummary, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Each point is one of the %d candidates: the %s exposure after an offboarding against the friction people pay, %s.", n, ss.Objective(), FrictionMeasure)
	b.WriteString(" Green circles meet every control, crosses fail at least one. The line joins the Pareto front, the candidates that no other candidate beats on both exposure and friction; rings mark the recommended candidates.")
	b.WriteString(" Numbers beside the recommended candidates and those on the front are their indexes in sweep.csv and sweep.json; a number that would cover another, or a mark, is left out.")
	return b.String()
}

// maxFrontierLabels is the most candidates whose indexes the frontier plot writes beside them:
// placing a label looks at every label placed before it.
const maxFrontierLabels = 60

// heatGrid is the objective over two swept settings: one cell per pair of values.
type heatGrid struct {
	XName, YName string          // YName is empty with one swept setting
	X, Y         []time.Duration // the values of each, sorted; Y has one 0 with one setting
	Cells        [][]heatCell    // [y][x]
	// Folded says some cells hold more than one candidate (more than two swept settings, or a
	// listed candidate set): the cell shows the best of them.
	Folded bool
}

type heatCell struct {
	Count int // candidates with these values
	// Best is the candidate with the least objective, Value that objective, Pass whether it meets every control.
	Best  int
	Value time.Duration
	Pass  bool
}

// heatData puts the candidates on the grid of the first two swept settings.
func heatData(ss *SweepSummary) heatGrid {
	var g heatGrid
	if len(ss.Settings) == 0 {
		return g
	}
	g.XName = ss.Settings[0]
	if len(ss.Settings) > 1 {
		g.YName = ss.Settings[1]
	}
	at := func(c *CandidateSummary, k int) time.Duration {
		if k >= len(c.Values) {
			return 0
		}
		return c.Values[k]
	}
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		if x := at(c, 0); !slices.Contains(g.X, x) {
			g.X = append(g.X, x)
		}
		y := time.Duration(0)
		if g.YName != "" {
			y = at(c, 1)
		}
		if !slices.Contains(g.Y, y) {
			g.Y = append(g.Y, y)
		}
	}
	slices.Sort(g.X)
	slices.Sort(g.Y)
	g.Cells = make([][]heatCell, len(g.Y))
	for y := range g.Cells {
		g.Cells[y] = make([]heatCell, len(g.X))
	}
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		x := slices.Index(g.X, at(c, 0))
		y := 0
		if g.YName != "" {
			y = slices.Index(g.Y, at(c, 1))
		}
		cell := &g.Cells[y][x]
		cell.Count++
		if cell.Count > 1 {
			g.Folded = true
		}
		if cell.Count == 1 || c.Objective < cell.Value || c.Objective == cell.Value && c.Pass && !cell.Pass {
			cell.Best, cell.Value, cell.Pass = c.Index, c.Objective, c.Pass
		}
	}
	return g
}

// heatStops are the colours of the heat map from the least exposure to the most (viridis, reversed).
var heatStops = []color.RGBA{{0xfd, 0xe7, 0x25, 0xff}, {0x5e, 0xc9, 0x62, 0xff}, {0x21, 0x91, 0x8c, 0xff}, {0x3b, 0x52, 0x8b, 0xff}, {0x44, 0x01, 0x54, 0xff}}

// heatColor returns the colour of t in [0, 1], and whether text on it should be white.
func heatColor(t float64) (color.RGBA, bool) {
	t = min(max(t, 0), 1)
	f := t * float64(len(heatStops)-1)
	i := min(int(f), len(heatStops)-2)
	u := f - float64(i)
	a, b := heatStops[i], heatStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(float64(x) + u*(float64(y)-float64(x)) + 0.5) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}, t > 0.5
}

func heatmapPlot(ss *SweepSummary) (drawer, Figure, error) {
	g := heatData(ss)
	fig := Figure{Name: "heatmap", Title: fmt.Sprintf("%s exposure over %s and %s", ss.Objective(), g.XName, g.YName)}
	if g.YName == "" {
		fig.Title = fmt.Sprintf("%s exposure over %s", ss.Objective(), g.XName)
	}
	p := newPlot(fig.Title, g.XName, g.YName)
	var xs, ys []string
	for _, v := range g.X {
		xs = append(xs, sim.FormatDuration(sim.RoundMillis(v)))
	}
	for _, v := range g.Y {
		ys = append(ys, sim.FormatDuration(sim.RoundMillis(v)))
	}
	if g.YName == "" {
		ys = []string{""}
	}
	fit := true
	if len(xs) > 0 {
		p.NominalX(xs...)
		p.NominalY(ys...)
		hp := &heatPlotter{g: g, label: heatStyle(p)}
		p.Add(hp)
		// The cells as they will be drawn, to choose a size of text that fits in them.
		da := p.DataCanvas(draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: plotWidth - 2*plotMargin, Y: plotHeight - 2*plotMargin}}})
		w, h := (da.Max.X-da.Min.X)/vg.Length(len(g.X)), (da.Max.Y-da.Min.Y)/vg.Length(len(g.Y))
		var labels []string
		for _, row := range g.Cells {
			for _, cell := range row {
				labels = append(labels, cell.label())
			}
		}
		hp.label.Font.Size, fit = fitText(hp.label, labels, w-vg.Points(3), h-vg.Points(3))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Each cell is the %s exposure of the candidate with that %s", ss.Objective(), g.XName)
	if g.YName != "" {
		fmt.Fprintf(&b, " and that %s", g.YName)
	}
	b.WriteString("; lighter is less exposure. A cell marked \"fails\" fails a control; \"-\" marks a pair no candidate has.")
	switch {
	case len(ss.Settings) < 2:
		fmt.Fprintf(&b, " The sweep varies only %s, so the map has a single row: a heat map needs two swept settings.", g.XName)
	case len(ss.Settings) > 2:
		fmt.Fprintf(&b, " The sweep varies %d settings; the map shows the first two, and each cell the least exposure over the other settings (%s).",
			len(ss.Settings), strings.Join(ss.Settings[2:], ", "))
	case g.Folded:
		b.WriteString(" Where several candidates share a cell, it shows the least exposure of them.")
	}
	if !fit {
		b.WriteString(" The cells are too small to write their values in; sweep.csv has them.")
	}
	fig.Caption = b.String()
	return p.Draw, fig, nil
}

// heatPlotter draws the heat map's cells with their values written in them, in the style of
// label; no values when its size is 0.
type heatPlotter struct {
	g     heatGrid
	label text.Style
}

// heatStyle is the style of the values in the heat map's cells, at their largest.
func heatStyle(p *plot.Plot) text.Style {
	sty := text.Style{Font: p.X.Tick.Label.Font, XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: p.X.Tick.Label.Handler}
	sty.Font.Size = vg.Points(9)
	return sty
}

// label is what a cell of the heat map says: its exposure, and whether it fails a control.
func (cell heatCell) label() string {
	switch {
	case cell.Count == 0:
		return "-"
	case !cell.Pass:
		return sim.HumanDuration(cell.Value) + "\nfails"
	}
	return sim.HumanDuration(cell.Value)
}

// fitText returns the largest size, from that of sty down to 6 points by half points, at which
// every text fits in a box w wide and h high; 0 and false when none does.
func fitText(sty text.Style, texts []string, w, h vg.Length) (vg.Length, bool) {
	for size := sty.Font.Size; size >= vg.Points(6); size -= vg.Points(0.5) {
		sty.Font.Size = size
		if !slices.ContainsFunc(texts, func(s string) bool { return sty.Width(s) > w || sty.Height(s) > h }) {
			return size, true
		}
	}
	return 0, false
}

func (h *heatPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	lo, hi := time.Duration(-1), time.Duration(0)
	for _, row := range h.g.Cells {
		for _, cell := range row {
			if cell.Count > 0 {
				if lo < 0 || cell.Value < lo {
					lo = cell.Value
				}
				hi = max(hi, cell.Value)
			}
		}
	}
	sty := h.label
	for y, row := range h.g.Cells {
		for x, cell := range row {
			x0, x1 := trX(float64(x)-0.5), trX(float64(x)+0.5)
			y0, y1 := trY(float64(y)-0.5), trY(float64(y)+0.5)
			pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			fill, white := color.RGBA{0xee, 0xee, 0xee, 0xff}, false
			if cell.Count > 0 {
				t := 0.0
				if hi > lo {
					t = float64(cell.Value-lo) / float64(hi-lo)
				}
				fill, white = heatColor(t)
			}
			c.FillPolygon(fill, pts)
			c.StrokeLines(draw.LineStyle{Color: color.White, Width: vg.Points(1)}, append(pts, pts[0]))
			sty.Color = color.Black
			if white {
				sty.Color = color.White
			}
			if sty.Font.Size > 0 {
				c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, cell.label())
			}
		}
	}
}

func (h *heatPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(h.g.X)) - 0.5, -0.5, float64(len(h.g.Y)) - 0.5
}
