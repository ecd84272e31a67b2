package report

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"idcsim/sim"
)

// Figure is a plot drawn as SVG and PNG, with a caption that says what it shows.
type Figure struct {
	Name    string // file name without extension: exposure-ecdf, timeline, histogram
	Title   string
	Caption string
	SVG     []byte // with the glyphs of its text embedded
	PNG     []byte

	height vg.Length // the figure's height, if not plotHeight
	fonts  fontUse   // the text drawn, for report.html's fonts
}

// Plot sizes, the margin around a figure and the resolution of the PNG files.
const (
	plotWidth  = 8 * vg.Inch
	plotHeight = 4.5 * vg.Inch
	plotMargin = 4 * vg.Millimeter
	plotDPI    = 96
)

// palette is the Okabe-Ito palette, told apart with most kinds of colour blindness.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xb2, 0xff}, // blue
	color.RGBA{0xe6, 0x9f, 0x00, 0xff}, // orange
	color.RGBA{0x00, 0x9e, 0x73, 0xff}, // bluish green
	color.RGBA{0xd5, 0x5e, 0x00, 0xff}, // vermillion
	color.RGBA{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	color.RGBA{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	color.RGBA{0xf0, 0xe4, 0x42, 0xff}, // yellow
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
}

var (
	red  = color.RGBA{0xc0, 0x00, 0x00, 0xff}
	grey = color.RGBA{0x60, 0x60, 0x60, 0xff}
)

// dashes tell apart lines that share a colour.
var dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}

// Figures draws the report's plots: the ECDF of exposure per channel, the timeline of the worst
// offboarding and the histogram of the worst channel's exposure.
func Figures(s *Summary) ([]Figure, error) {
	histogram := func(s *Summary) (drawer, Figure, error) {
		p, fig := histogramPlot(s)
		return p.Draw, fig, nil
	}
	return renderAll(s, ecdfPlot, timelinePlot, histogram)
}

// renderAll makes and renders each figure of x, each on a goroutine of its own; the figures
// come back in the order of plots and the error is that of the first that failed, so that the
// result does not depend on which finishes first.
func renderAll[X any](x X, plots ...func(X) (drawer, Figure, error)) ([]Figure, error) {
	figs := make([]Figure, len(plots))
	if err := drawEach(len(plots), len(plots), func(i int) error { return makeFigure(x, plots[i], &figs[i]) }); err != nil {
		return nil, err
	}
	return figs, nil
}

// drawEach runs draw(i) for each i in [0, n), at most limit at once, each on a goroutine of its
// own, and returns the error of the first i that failed (not of the first to fail).
func drawEach(n, limit int, draw func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, max(1, limit))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = draw(i)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// makeFigure makes the figure of x that f describes and renders it into fig.
func makeFigure[X any](x X, f func(X) (drawer, Figure, error), fig *Figure) (err error) {
	defer func() {
		// gonum/plot reports some impossible drawings by panicking; they are errors here.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
		if err != nil {
			err = fmt.Errorf("drawing %s: %v", fig.Name, err)
		}
	}()
	d, made, err := f(x)
	*fig = made
	if err != nil {
		return err
	}
	return render(d, fig)
}

// drawer draws a figure on a canvas.
type drawer func(draw.Canvas)

// render draws the figure as SVG and PNG.
func render(d drawer, fig *Figure) error {
	h := plotHeight
	if fig.height > 0 {
		h = fig.height
	}
	// A margin keeps text drawn at the edge of the plot, such as the title, off the border.
	inset := func(c draw.Canvas) draw.Canvas { return draw.Crop(c, plotMargin, -plotMargin, plotMargin, -plotMargin) }
	sc := textCanvas{vgsvg.New(plotWidth, h), fontUse{}}
	d(inset(draw.New(sc)))
	var svg bytes.Buffer
	if _, err := sc.WriteTo(&svg); err != nil {
		return err
	}
	ic := vgimg.NewWith(vgimg.UseWH(plotWidth, h), vgimg.UseDPI(plotDPI))
	d(inset(draw.New(ic)))
	var png bytes.Buffer
	if err := pngEncoder.Encode(&png, ic.Image()); err != nil {
		return err
	}
	doc, err := embedFonts(svg.Bytes(), sc.use)
	if err != nil {
		return err
	}
	fig.SVG, fig.PNG, fig.fonts = doc, png.Bytes(), sc.use
	return nil
}

// pngEncoder encodes the figures' PNG files: compressing harder than BestSpeed takes several
// times as long for files a little smaller. The same image always gives the same bytes.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

// pngBuffers keeps the PNG encoder's buffers for the next figure.
type pngBuffers struct{ pool sync.Pool }

func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

// newPlot returns a plot of a figure's width with its title, wrapped to fit, and the axes' labels.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = wrapText(p.Title.TextStyle, title, plotWidth-2*plotMargin)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	return p
}

// wrapText breaks s into lines at spaces so that each fits in width when drawn in sty; a word
// longer than width has a line of its own.
func wrapText(sty text.Style, s string, width vg.Length) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case sty.Width(line+" "+w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// scale scales durations to a unit.
func scale(d, unit time.Duration) float64 { return float64(d) / float64(unit) }

// The ECDF is drawn as small multiples: a panel per channel, on axes they share.
const (
	ecdfCols        = 4                 // panels in a row at most
	ecdfPanelHeight = 1.4 * vg.Inch     // a row of panels
	ecdfFrame       = 1.2 * vg.Inch     // the title, the axes' labels and the legend
	ecdfTickGap     = 9 * vg.Millimeter // the least space between labelled ticks, over a panel of ecdfPanelWidth
)

// ecdfPanelWidth is about the width of a panel's data area.
const ecdfPanelWidth = (plotWidth - 2*plotMargin - 0.9*vg.Inch) / ecdfCols

// ecdfPlot draws the ECDF of each channel's exposure in a panel of its own, all on the same
// logarithmic time axis, with the ECDF of any behind each for comparison.
func ecdfPlot(s *Summary) (drawer, Figure, error) {
	fig := Figure{Name: "exposure-ecdf", Title: "Exposure per channel (ECDF)"}
	series, zero := ecdfData(s)
	var b strings.Builder
	fmt.Fprintf(&b, "For each channel, the fraction of the %d offboardings whose exposure window was at most the time on the horizontal axis; windows open at the horizon count at their length to the horizon.",
		len(s.Results.Offboardings))
	if len(zero) > 0 {
		names := make([]string, len(zero))
		for i, ch := range zero {
			names[i] = ch.String()
		}
		fmt.Fprintf(&b, " Left out because every window is 0: %s.", strings.Join(names, ", "))
	}
	if len(series) == 0 {
		fig.Caption = b.String()
		p := newPlot(fig.Title+": no window longer than 0", "exposure after the offboarding", "fraction of offboardings")
		p.Y.Min, p.Y.Max = 0, 1
		return p.Draw, fig, nil
	}
	lo, hi := ecdfAxis(series)
	fmt.Fprintf(&b, " Each channel has a panel of its own, all on the same axes, so that each line is easy to follow and the panels compare by position. The time axis is logarithmic, so that windows of seconds and of days both show; windows of at most %s (0 among them) count at its left edge. The grey dashed line in each panel is any, the longest window of all channels.",
		roundTimeLabel(lo))
	fig.Caption = b.String()

	var anyPoints []ecdfPoint
	for _, sr := range series {
		if sr.Channel == sim.ChAny {
			anyPoints = sr.Points
		}
	}
	decades := math.Log10(float64(hi) / float64(lo))
	ticks := logTimeTicks(lo, hi, decades*float64(ecdfTickGap)/float64(ecdfPanelWidth))
	cols, rows := grid(len(series), ecdfCols)
	fig.height = ecdfFrame + vg.Length(rows)*ecdfPanelHeight
	panels := make([][]*plot.Plot, rows)
	for r := range panels {
		panels[r] = make([]*plot.Plot, cols)
	}
	for i, sr := range series {
		r, c := i/cols, i%cols
		p, err := ecdfPanel(sr, anyPoints, lo, hi, ticks, i+cols >= len(series), c == 0)
		if err != nil {
			return nil, fig, err
		}
		panels[r][c] = p
	}
	legend := []legendEntry{
		{Label: "the panel's channel", Line: &draw.LineStyle{Color: palette[0], Width: vg.Points(1.5)}},
		{Label: "any: the longest of all channels", Line: &anyStyle},
	}
	frame := plot.New()
	frame.Title.Text = fig.Title
	frame.X.Label.Text = "exposure after the offboarding (logarithmic)"
	frame.Y.Label.Text = "fraction of offboardings"
	return func(c draw.Canvas) {
		drawWithLegend(c, frame.Legend.TextStyle, legend, func(c draw.Canvas) { drawPanels(c, frame, panels) })
	}, fig, nil
}

// anyStyle draws any behind each channel's ECDF.
var anyStyle = draw.LineStyle{Color: color.RGBA{0x90, 0x90, 0x90, 0xff}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}

// ecdfPanel is the panel of one channel: its ECDF over any's (unless it is any), on the
// logarithmic axis from lo to hi marked by ticks, with tick labels on the axes asked for.
func ecdfPanel(sr ecdfSeries, anyPoints []ecdfPoint, lo, hi time.Duration, ticks []timeTick, xLabels, yLabels bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = sr.Channel.String()
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.Title.Padding = vg.Points(3)
	p.X.Scale = plot.LogScale{}
	p.X.Min, p.X.Max = lo.Seconds(), hi.Seconds()
	p.Y.Min, p.Y.Max = 0, 1
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(9), vg.Points(9)
	xt := make(plot.ConstantTicks, len(ticks))
	for i, t := range ticks {
		xt[i] = plot.Tick{Value: t.At.Seconds()}
		if xLabels {
			xt[i].Label = t.Label
		}
	}
	yt := plot.ConstantTicks{{Value: 0}, {Value: 0.25}, {Value: 0.5}, {Value: 0.75}, {Value: 1}}
	if yLabels {
		yt[0].Label, yt[2].Label, yt[4].Label = "0", "0.5", "1"
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	var gx, gy []float64
	for _, t := range xt {
		gx = append(gx, t.Value)
	}
	for _, t := range yt {
		gy = append(gy, t.Value)
	}
	p.Add(&gridLines{x: gx, y: gy})
	line := func(points []ecdfPoint, sty draw.LineStyle) error {
		pts := ecdfFrom(points, lo)
		xy := make(plotter.XYs, 0, len(pts)+1)
		for _, pt := range pts {
			xy = append(xy, plotter.XY{X: pt.X.Seconds(), Y: pt.F})
		}
		xy = append(xy, plotter.XY{X: p.X.Max, Y: 1}) // carry the last step on to the right edge
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("the line of %s: %v", sr.Channel, err)
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle = sty
		p.Add(l)
		return nil
	}
	if sr.Channel != sim.ChAny && anyPoints != nil {
		if err := line(anyPoints, anyStyle); err != nil {
			return nil, err
		}
	}
	sty := draw.LineStyle{Color: palette[0], Width: vg.Points(1.5)}
	if sr.Channel == sim.ChAny {
		sty.Color = palette[len(palette)-1]
	}
	return p, line(sr.Points, sty)
}

// gridLines draws light lines across a plot at the given values.
type gridLines struct{ x, y []float64 }

func (g *gridLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: color.RGBA{0xe4, 0xe4, 0xe4, 0xff}, Width: vg.Points(0.5)}
	for _, x := range g.x {
		c.StrokeLine2(sty, trX(x), c.Min.Y, trX(x), c.Max.Y)
	}
	for _, y := range g.y {
		c.StrokeLine2(sty, c.Min.X, trY(y), c.Max.X, trY(y))
	}
}

// drawPanels draws a grid of panels (nil where there is none) aligned on their axes, with the
// title and the axes' labels of frame around them once.
func drawPanels(c draw.Canvas, frame *plot.Plot, panels [][]*plot.Plot) {
	title, xl, yl := frame.Title.TextStyle, frame.X.Label.TextStyle, frame.Y.Label.TextStyle
	pad := vg.Points(6)
	c.FillText(title, vg.Point{X: c.Center().X, Y: c.Max.Y}, frame.Title.Text)
	c.FillText(xl, vg.Point{X: c.Center().X, Y: c.Min.Y}, frame.X.Label.Text)
	yl.Rotation, yl.XAlign, yl.YAlign = math.Pi/2, draw.XCenter, draw.YTop
	c.FillText(yl, vg.Point{X: c.Min.X, Y: c.Center().Y}, frame.Y.Label.Text)
	tiles := draw.Tiles{Rows: len(panels), Cols: len(panels[0]),
		PadTop: title.Height(frame.Title.Text) + pad, PadBottom: xl.Height(frame.X.Label.Text) + pad,
		PadLeft: yl.Height(frame.Y.Label.Text) + pad, PadX: vg.Points(12), PadY: vg.Points(6)}
	canvases := plot.Align(panels, tiles, c)
	for r, row := range panels {
		for i, p := range row {
			if p != nil {
				p.Draw(canvases[r][i])
			}
		}
	}
}

func histogramPlot(s *Summary) (*plot.Plot, Figure) {
	ch := histogramChannel(s)
	fig := Figure{Name: "histogram", Title: "Exposure of the worst channel, " + ch.String()}
	bins := histogramBins(s.Results.Offboardings, ch)
	var top time.Duration
	if len(bins) > 0 {
		top = bins[len(bins)-1].Hi
	}
	unit, unitName := timeUnit(top)
	p := newPlot(fig.Title, ch.String()+" exposure after the offboarding ("+unitName+")", "offboardings")
	p.X.Min, p.Y.Min = 0, 0
	h := &plotter.Histogram{FillColor: palette[0], LineStyle: draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}}
	for _, b := range bins {
		h.Bins = append(h.Bins, plotter.HistogramBin{Min: scale(b.Lo, unit), Max: scale(b.Hi, unit), Weight: float64(b.Count)})
	}
	if len(bins) > 0 {
		h.Width = h.Bins[0].Max - h.Bins[0].Min
		p.Add(h)
	}
	cs := &s.Channels[ch]
	fig.Caption = fmt.Sprintf("How many of the %d offboardings left a %s window of each length (%s). %s is the channel other than any with the longest worst case (%s); mean %s, p95 %s.",
		len(s.Results.Offboardings), ch, meanings[ch], ch, sim.HumanDuration(cs.Max), sim.HumanDuration(cs.Mean), sim.HumanDuration(cs.P95))
	if len(bins) > 0 {
		fig.Caption += fmt.Sprintf(" %d bins of %s.", len(bins), sim.HumanDuration(bins[0].Hi-bins[0].Lo))
	}
	return p, fig
}

// kindColors colour the timeline's bars by kind of session.
var kindColors = map[string]color.Color{
	"portal": palette[0], "app": palette[1], "saml": palette[2], "role": palette[3],
	"cli_token": palette[4], "job": palette[5], "kiro": palette[6],
	"app_token": palette[4], "jwt": grey, // what an application with AWS account access holds (TTI)
}

func timelinePlot(s *Summary) (drawer, Figure, error) {
	fig := Figure{Name: "timeline", Title: "Timeline of the worst offboarding"}
	o := timelineOffboarding(s)
	if o == nil {
		p := newPlot(fig.Title+": no offboardings", "time", "")
		fig.Caption = "The scenario has no offboardings."
		return p.Draw, fig, nil
	}
	bars, dropped := timelineBars(o)
	marks := timelineMarks(o)
	top := time.Duration(0)
	bottom := time.Duration(0)
	for _, b := range bars {
		top, bottom = max(top, b.End), min(bottom, b.Start)
	}
	for _, m := range marks {
		top = max(top, m.At)
	}
	unit, unitName := timeUnit(max(top, min(-bottom, max(top, time.Hour))))
	p := newPlot(fmt.Sprintf("%s: %s at %s (replication %d)", fig.Title, o.User, s.at(o.At), o.Replication),
		"time from the offboarding ("+unitName+")", "")
	n := len(bars)
	rows := max(n, minTimelineRows) // a few sessions do not make fat bars
	if n > 0 {
		names := make([]string, rows)
		for i, b := range bars {
			label := b.Label
			if b.Open {
				label += " (open)"
			}
			names[rows-1-i] = label // the first bar on top
		}
		p.NominalY(names...)
		p.Add(&barsPlotter{bars: bars, rows: rows, unit: unit})
	} else {
		p.HideY()
	}
	var legend []legendEntry
	for i, m := range marks {
		x := scale(m.At, unit)
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: -0.5}, {X: x, Y: float64(rows) - 0.5}})
		if err != nil {
			return nil, fig, fmt.Errorf("the line of %s: %v", m.Label, err)
		}
		if i == 0 {
			l.Color, l.Width = red, vg.Points(2)
		} else {
			l.Color = palette[(i-1)%len(palette)]
			l.Width = vg.Points(1.25)
			l.Dashes = dashes[1+(i-1)%(len(dashes)-1)]
		}
		p.Add(l)
		legend = append(legend, legendEntry{Label: m.Label, Line: &l.LineStyle})
	}
	// Show at most as long before the offboarding as after it, and at least an hour.
	if left := max(bottom, -max(top, time.Hour)); left > bottom {
		p.X.Min = scale(left, unit)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The sessions of %s (replication %d) live at the offboarding at %s or started after it, one bar each, coloured by kind; the red line is the offboarding, the dashed lines the playbook's steps as they were carried out (named below the plot). A session marked (open) was still live at the horizon.",
		o.User, o.Replication, s.at(o.At))
	if left := max(bottom, -max(top, time.Hour)); left > bottom {
		fmt.Fprintf(&b, " Sessions that started more than %s before the offboarding are cut at the left edge.", sim.HumanDuration(-left))
	}
	if dropped > 0 {
		fmt.Fprintf(&b, " %d sessions that ended earliest are left out.", dropped)
	}
	if n == 0 {
		b.WriteString(" The user had no session at or after the offboarding.")
	}
	w := o.Windows[sim.ChAny]
	fmt.Fprintf(&b, " Exposure on any channel: %s.", windowString(w))
	fig.Caption = b.String()
	return func(c draw.Canvas) { drawWithLegend(c, p.Legend.TextStyle, legend, p.Draw) }, fig, nil
}

// legendEntry is an entry of a legend drawn below a figure: a sample of a line, a glyph or
// both, and its label.
type legendEntry struct {
	Label string
	Line  *draw.LineStyle
	Glyph *draw.GlyphStyle
}

// drawWithLegend draws a figure with d and its legend in rows below it, where it covers nothing.
func drawWithLegend(c draw.Canvas, sty text.Style, legend []legendEntry, d drawer) {
	const sample, gap = 24, 16 // points: a line's sample, space between entries
	pad := vg.Points(6)
	lineH := sty.Height("M") * 1.5
	width := c.Max.X - c.Min.X - 2*pad
	// lay the entries out in rows
	type place struct {
		row int
		x   vg.Length
	}
	places := make([]place, len(legend))
	row, x := 0, vg.Length(0)
	for i, e := range legend {
		w := vg.Points(sample+4) + sty.Width(e.Label)
		if x > 0 && x+w > width {
			row, x = row+1, 0
		}
		places[i] = place{row, x}
		x += w + vg.Points(gap)
	}
	strip := vg.Length(row+1)*lineH + 2*pad
	if len(legend) == 0 {
		strip = 0
	}
	d(draw.Crop(c, 0, 0, strip, 0))
	for i, e := range legend {
		x0 := c.Min.X + pad + places[i].x
		y := c.Min.Y + strip - pad - vg.Length(places[i].row)*lineH - lineH/2
		if e.Line != nil {
			c.StrokeLine2(*e.Line, x0, y, x0+vg.Points(sample), y)
		}
		if e.Glyph != nil {
			c.DrawGlyph(*e.Glyph, vg.Point{X: x0 + vg.Points(sample)/2, Y: y})
		}
		c.FillText(sty, vg.Point{X: x0 + vg.Points(sample+4), Y: y - sty.Height("M")/2 + sty.FontExtents().Descent}, e.Label)
	}
}

// barsPlotter draws the timeline's sessions as horizontal bars, the first on top.
type barsPlotter struct {
	bars []timelineBar
	rows int // rows of the plot, at least len(bars); the bars fill the top ones
	unit time.Duration
}

const barHalfHeight = 0.35

// minTimelineRows is the fewest rows a timeline has.
const minTimelineRows = 8

func (bp *barsPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, b := range bp.bars {
		y := float64(bp.rows - 1 - i)
		x0, x1 := trX(scale(b.Start, bp.unit)), trX(scale(b.End, bp.unit))
		if x1-x0 < vg.Points(1) {
			x1 = x0 + vg.Points(1) // a session of no length still shows
		}
		y0, y1 := trY(y-barHalfHeight), trY(y+barHalfHeight)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		fill, ok := kindColors[b.Kind]
		if !ok {
			fill = grey
		}
		c.FillPolygon(fill, c.ClipPolygonXY(pts))
		if b.Open {
			outline := draw.LineStyle{Color: red, Width: vg.Points(1.5)}
			c.StrokeLines(outline, c.ClipLinesXY(append(pts, pts[0]))...)
		}
	}
}

func (bp *barsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, b := range bp.bars {
		xmin = min(xmin, scale(b.Start, bp.unit))
		xmax = max(xmax, scale(b.End, bp.unit))
	}
	return xmin, xmax, -0.5, float64(bp.rows) - 0.5
}
