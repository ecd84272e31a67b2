package report

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"idcsim/sim"
)

func TestECDFFrom(t *testing.T) {
	t.Parallel()
	// Windows 0, 10 s, 10 s, 30 s (as in TestECDFPoints).
	points := []ecdfPoint{{0, 0}, {0, 0.25}, {10 * time.Second, 0.75}, {30 * time.Second, 1}}
	for _, c := range []struct {
		lo   time.Duration
		want []ecdfPoint
	}{
		// From 1 s: the 0 window (a quarter) counts at the left edge.
		{time.Second, []ecdfPoint{{time.Second, 0.25}, {10 * time.Second, 0.75}, {30 * time.Second, 1}}},
		// From 10 s: three quarters are at most 10 s.
		{10 * time.Second, []ecdfPoint{{10 * time.Second, 0.75}, {30 * time.Second, 1}}},
		// From a minute: all of them.
		{time.Minute, []ecdfPoint{{time.Minute, 1}}},
	} {
		if got := ecdfFrom(points, c.lo); !slices.Equal(got, c.want) {
			t.Errorf("ecdfFrom(%v) = %v, want %v", c.lo, got, c.want)
		}
	}
}

func TestECDFAxis(t *testing.T) {
	t.Parallel()
	series := func(xs ...time.Duration) []ecdfSeries {
		var pts []ecdfPoint
		for _, x := range xs {
			pts = append(pts, ecdfPoint{X: x})
		}
		return []ecdfSeries{{sim.ChAny, pts}}
	}
	for _, c := range []struct {
		windows []time.Duration
		lo, hi  time.Duration
	}{
		// The shortest window longer than 0 is 90 s: the axis starts at the minute before it and
		// ends a quarter after the longest, 10 h.
		{[]time.Duration{0, 90 * time.Second, 10 * time.Hour}, time.Minute, 12*time.Hour + 30*time.Minute},
		// 7 h: from the 6 h mark to 10 days (the axis spans a decade at least).
		{[]time.Duration{7 * time.Hour, 8 * time.Hour}, 6 * time.Hour, 60 * time.Hour},
		// Below a second: from 1 s.
		{[]time.Duration{time.Millisecond, 20 * time.Second}, time.Second, 25 * time.Second},
		// Every window 0: no axis.
		{[]time.Duration{0, 0}, 0, 0},
	} {
		lo, hi := ecdfAxis(series(c.windows...))
		if lo != c.lo || hi != c.hi {
			t.Errorf("ecdfAxis(%v) = %v, %v; want %v, %v", c.windows, lo, hi, c.lo, c.hi)
		}
	}
}

func TestLogTimeTicks(t *testing.T) {
	t.Parallel()
	labels := func(ticks []timeTick) (at []time.Duration, labels []string) {
		for _, tk := range ticks {
			at = append(at, tk.At)
			labels = append(labels, tk.Label)
		}
		return at, labels
	}
	// From 1 s to 2 days, every round time but 7d and the labels a decade apart at least:
	// 1s, 1m, 1h, 1d first; 10s is a decade from 1s but 0.78 from 1m, 10m and 6h 0.78 from 1h.
	at, got := labels(logTimeTicks(time.Second, 48*time.Hour, 1))
	wantAt := []time.Duration{time.Second, 10 * time.Second, time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}
	if want := []string{"1s", "", "1m", "", "1h", "", "1d"}; !slices.Equal(at, wantAt) || !slices.Equal(got, want) {
		t.Errorf("ticks %v %q, want %v %q", at, got, wantAt, want)
	}
	// Half a decade apart: all labelled (the closest pair, 6h and 1d, is 0.6 apart).
	if _, got := labels(logTimeTicks(time.Second, 48*time.Hour, 0.5)); slices.Contains(got, "") {
		t.Errorf("labels %q, want all", got)
	}
	// From 10 minutes to a year: 7d and 30d too.
	if at, _ := labels(logTimeTicks(10*time.Minute, 400*24*time.Hour, 1)); at[0] != 10*time.Minute || at[len(at)-1] != 365*24*time.Hour || len(at) != 7 {
		t.Errorf("ticks %v", at)
	}
}

func TestGrid(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, cols, rows int }{
		{11, 4, 3}, {10, 4, 3}, {8, 4, 2}, {7, 4, 2}, {5, 3, 2}, {4, 4, 1}, {3, 3, 1}, {1, 1, 1}, {0, 0, 0},
	} {
		if cols, rows := grid(c.n, 4); cols != c.cols || rows != c.rows {
			t.Errorf("grid(%d, 4) = %d, %d; want %d, %d", c.n, cols, rows, c.cols, c.rows)
		}
	}
}

func TestWrapText(t *testing.T) {
	t.Parallel()
	sty := plot.New().Title.TextStyle
	title := "Timeline of the worst offboarding: a-rather-long-user-name-that-goes-on at 2026-01-14T18:01:24Z (replication 17)"
	width := vg.Points(200)
	got := wrapText(sty, title, width)
	lines := strings.Split(got, "\n")
	if len(lines) < 3 || strings.Join(lines, " ") != title {
		t.Errorf("wrapText gave %q", lines)
	}
	for _, l := range lines {
		if sty.Width(l) > width && strings.Contains(l, " ") {
			t.Errorf("line %q is %v wide, more than %v", l, sty.Width(l), width)
		}
	}
	if got := wrapText(sty, "short  title ", width); got != "short title" {
		t.Errorf("wrapText of a short title = %q", got)
	}
}

func TestECDFFigure(t *testing.T) {
	t.Parallel()
	s := Summarize(smallResults())
	_, fig, err := ecdfPlot(s)
	if err != nil {
		t.Fatal(err)
	}
	// app_existing, role_existing and any have windows longer than 0: one row of three panels,
	// 1.4 inches high, with 1.2 inches for the title, the axes' labels and the legend.
	if want := 1.2*vg.Inch + 1.4*vg.Inch; fig.height != want {
		t.Errorf("height %v, want %v", fig.height, want)
	}
	// The shortest window longer than 0 is 20m10s (app_existing): the axis starts at 10m.
	if !strings.Contains(fig.Caption, "windows of at most 10m (0 among them) count at its left edge") {
		t.Errorf("caption %q", fig.Caption)
	}
}

// The figures are drawn at once, but come back in the order asked for, and the error is that of
// the first figure that failed, whichever finished first; a panic while drawing is an error.
func TestRenderAllOrder(t *testing.T) {
	t.Parallel()
	named := func(name string, fail error, panics bool) func(int) (drawer, Figure, error) {
		return func(int) (drawer, Figure, error) {
			fig := Figure{Name: name}
			if fail != nil {
				return nil, fig, fail
			}
			return func(draw.Canvas) {
				if panics {
					panic("impossible drawing")
				}
			}, fig, nil
		}
	}
	figs, err := renderAll(0, named("a", nil, false), named("b", nil, false), named("c", nil, false))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
		if len(f.SVG) == 0 || !bytes.HasPrefix(f.PNG, []byte("\x89PNG")) {
			t.Errorf("%s: %d bytes of SVG, PNG starting %q", f.Name, len(f.SVG), f.PNG[:min(4, len(f.PNG))])
		}
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Errorf("figures %q, want a b c", names)
	}
	for range 20 { // the second figure fails only while drawing, the third at once
		_, err = renderAll(0, named("a", nil, false), named("b", nil, true), named("c", errors.New("no data"), false))
		if err == nil || err.Error() != "drawing b: impossible drawing" {
			t.Fatalf("error %v, want the second figure's: drawing b: impossible drawing", err)
		}
	}
}
