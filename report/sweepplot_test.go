package report

import (
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"idcsim/sim"
)

// The frontier labels the recommended candidates first, then the rest of the front by friction,
// and no one else.
func TestFrontierLabelled(t *testing.T) {
	t.Parallel()
	points := []frontierPoint{
		{Index: 0, Friction: 3, Pareto: true},
		{Index: 1, Friction: 1, Pareto: true},
		{Index: 2, Friction: 2},
		{Index: 3, Friction: 4, Pareto: true, Recommended: true, Pass: true},
		{Index: 4, Friction: 5, Recommended: true, Pass: true}, // recommended, not on the front
	}
	front := []frontierPoint{points[1], points[0], points[3]} // by friction, as frontierData gives it
	if got, want := indexes(frontierLabelled(points, front)), []string{"3", "4", "1", "0"}; !slices.Equal(got, want) {
		t.Errorf("labelled %q, want %q", got, want)
	}
	many := make([]frontierPoint, maxFrontierLabels+5)
	if got := frontierLabelled(nil, many); len(got) != maxFrontierLabels {
		t.Errorf("%d labelled, want at most %d", len(got), maxFrontierLabels)
	}
}

// Labels go beside their points, over no other label or mark and inside the plot, or nowhere.
func TestPlaceLabels(t *testing.T) {
	t.Parallel()
	rect := func(x0, y0, x1, y1 vg.Length) vg.Rectangle {
		return vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
	}
	area := rect(0, 0, 100, 100)
	size := vg.Point{X: 10, Y: 6}
	const away = 5
	// Two labels of points at the same place (candidates 12 and 13 of the issue): the first
	// goes right; above and below right would come within labelGap of it, so the second goes left.
	boxes, ok := placeLabels([]vg.Point{{X: 50, Y: 50}, {X: 50, Y: 50}}, []vg.Point{size, size}, away, nil, area)
	if !ok[0] || !ok[1] || boxes[0] != rect(55, 47, 65, 53) || boxes[1] != rect(35, 47, 45, 53) {
		t.Errorf("boxes %v (placed %v)", boxes, ok)
	}
	if overlap(boxes[0], boxes[1]) {
		t.Errorf("labels %v and %v overlap", boxes[0], boxes[1])
	}
	// A mark to the right and at the upper and lower right: the label goes left.
	marks := []vg.Rectangle{rect(54, 40, 70, 65)}
	boxes, ok = placeLabels([]vg.Point{{X: 50, Y: 50}}, []vg.Point{size}, away, marks, area)
	if !ok[0] || boxes[0] != rect(35, 47, 45, 53) {
		t.Errorf("beside a mark: %v (placed %v)", boxes, ok)
	}
	// At the right edge of the plot: left too.
	boxes, ok = placeLabels([]vg.Point{{X: 95, Y: 50}}, []vg.Point{size}, away, nil, area)
	if !ok[0] || boxes[0] != rect(80, 47, 90, 53) {
		t.Errorf("at the edge: %v (placed %v)", boxes, ok)
	}
	// No room anywhere: left out.
	if _, ok = placeLabels([]vg.Point{{X: 5, Y: 5}}, []vg.Point{size}, away, nil, rect(0, 0, 10, 10)); ok[0] {
		t.Error("a label placed outside the plot")
	}
}

// The heat map's values shrink to fit their cells, or are left out when they cannot.
func TestFitText(t *testing.T) {
	t.Parallel()
	sty := heatStyle(plot.New())
	labels := []string{"11h36m39s\nfails", "54m33s"}
	w, h := sty.Width(labels[0]), sty.Height(labels[0])
	if size, ok := fitText(sty, labels, w, h); !ok || size != vg.Points(9) {
		t.Errorf("in a cell of their size: %v, %v; want 9 points", size, ok)
	}
	// In 80% of the width: 7 points (widths go with the size: at 7.5 points the widest line is
	// 7.5/9 = 83% of w, at 7 points 78%).
	if size, ok := fitText(sty, labels, 0.8*w, h); !ok || size != vg.Points(7) {
		t.Errorf("in 80%% of the width: %v, %v; want 7 points", size, ok)
	}
	if size, ok := fitText(sty, labels, w/2, h); ok || size != 0 {
		t.Errorf("in half the width: %v, %v; want none", size, ok)
	}
	// A sweep whose cells are too small says so.
	for _, c := range []struct {
		nx, ny int
		fit    bool
	}{
		{5, 3, true},   // the example sweep's
		{40, 6, false}, // 40 columns of some 13 points: 11h36m39s is 38 points long at 9 points, 28 at 6
	} {
		_, fig, err := heatmapPlot(gridSweep(c.nx, c.ny))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(fig.Caption, "too small to write their values in") == c.fit {
			t.Errorf("%dx%d cells: caption %q", c.nx, c.ny, fig.Caption)
		}
	}
}

// gridSweep is a sweep of nx × ny candidates over two settings, each of 11h36m39s of exposure.
func gridSweep(nx, ny int) *SweepSummary {
	ss := &SweepSummary{Settings: []string{"portal_session", "permission_set.Admin"}, Statistic: "p95", Channel: sim.ChAny}
	for i := range nx * ny {
		ss.Candidates = append(ss.Candidates, CandidateSummary{Index: i,
			Values:    []time.Duration{time.Duration(i%nx+1) * time.Hour, time.Duration(i/nx+1) * time.Hour},
			Objective: 11*time.Hour + 36*time.Minute + 39*time.Second})
	}
	return ss
}
