package report

import (
	"image/color"
	"runtime"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// What other packages draw their figures with, so that they look as the report's: the size,
// fonts, colours, legends and rendering of this package's figures.

// Drawing is a figure that another package draws: its name (the file name without extension),
// title and caption, its height (0 for the report's), and what draws it.
type Drawing struct {
	Name, Title, Caption string
	Height               vg.Length
	Draw                 func(draw.Canvas)
}

// Render draws n figures as SVG and PNG, as the report's are drawn: figure returns the i-th,
// and at most one figure a core is drawn at once. The figures come back in order; the error is
// that of the first that failed.
func Render(n int, figure func(i int) (Drawing, error)) ([]Figure, error) {
	figs := make([]Figure, n)
	err := drawEach(n, runtime.GOMAXPROCS(0), func(i int) error {
		return makeFigure(i, func(i int) (drawer, Figure, error) {
			d, err := figure(i)
			return d.Draw, Figure{Name: d.Name, Title: d.Title, Caption: d.Caption, height: d.Height}, err
		}, &figs[i])
	})
	if err != nil {
		return nil, err
	}
	return figs, nil
}

// NewPlot returns a plot of a figure's width with its title, wrapped to fit, and the axes' labels.
func NewPlot(title, x, y string) *plot.Plot { return newPlot(title, x, y) }

// LegendEntry is an entry of a legend drawn below a figure: a sample of a line, a glyph or
// both, and its label.
type LegendEntry = legendEntry

// DrawWithLegend draws a figure with d and its legend in rows below it, where it covers nothing.
func DrawWithLegend(c draw.Canvas, sty text.Style, legend []LegendEntry, d func(draw.Canvas)) {
	drawWithLegend(c, sty, legend, d)
}

// TimeUnit picks the unit of a time axis that reaches d, and its name: minutes below 2 hours,
// hours below 3 days, else days.
func TimeUnit(d time.Duration) (time.Duration, string) { return timeUnit(d) }

// KindColor returns the colour of a kind of session on the report's timeline (portal, app,
// role, cli_token and the others of sim.Span), grey for another.
func KindColor(kind string) color.Color {
	if c, ok := kindColors[kind]; ok {
		return c
	}
	return grey
}

// AlarmColor is the colour of what the rules do not allow.
func AlarmColor() color.Color { return red }

// SeriesColor returns the colour of the i-th series: the Okabe-Ito palette in turn, told apart
// with most kinds of colour blindness.
func SeriesColor(i int) color.Color { return palette[i%len(palette)] }
