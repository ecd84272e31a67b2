package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"idcsim/sim"
)

// The data of the plots, built by plain functions so that tests can check what is drawn.

// ecdfPoint is a step of an empirical distribution function: the fraction F of windows no longer than X.
type ecdfPoint struct {
	X time.Duration
	F float64
}

// maxECDFSteps is the most steps an ECDF is drawn with; more distinct lengths are thinned. A
// panel of the ECDF is about 100 points high, so a step of 1/400 is a quarter of a point.
const maxECDFSteps = 400

// ecdfPoints returns the ECDF of the channel's windows over the offboardings as the corners of a
// step line: (shortest, 0), then for each distinct length x the fraction of windows at most x.
// With more than maxECDFSteps distinct lengths, evenly spaced ones are kept, the longest always;
// the fractions stay exact at the points kept. Nil when there are no offboardings.
func ecdfPoints(obs []sim.Offboarding, ch sim.Channel) []ecdfPoint {
	if len(obs) == 0 {
		return nil
	}
	x := make([]time.Duration, len(obs))
	for i := range obs {
		x[i] = obs[i].Windows[ch].Length
	}
	slices.Sort(x)
	n := float64(len(x))
	steps := []ecdfPoint{{x[0], 0}}
	for i := range x {
		if i+1 < len(x) && x[i+1] == x[i] {
			continue
		}
		steps = append(steps, ecdfPoint{x[i], float64(i+1) / n})
	}
	if len(steps)-1 <= maxECDFSteps {
		return steps
	}
	thin := []ecdfPoint{steps[0]}
	stride := float64(len(steps)-1) / maxECDFSteps
	for k := 1; k <= maxECDFSteps; k++ {
		thin = append(thin, steps[int(math.Round(float64(k)*stride))])
	}
	return thin
}

// ecdfSeries is one channel's ECDF.
type ecdfSeries struct {
	Channel sim.Channel
	Points  []ecdfPoint
}

// ecdfData returns the ECDF of every channel with a window longer than 0, and the channels left
// out because all their windows are 0.
func ecdfData(s *Summary) (series []ecdfSeries, zero []sim.Channel) {
	for ch := range sim.NumChannels {
		if s.Channels[ch].Max == 0 {
			zero = append(zero, ch)
			continue
		}
		series = append(series, ecdfSeries{ch, ecdfPoints(s.Results.Offboardings, ch)})
	}
	return series, zero
}

// histogramChannel returns the worst channel, whose exposure the histogram shows: of the
// channels other than any, the one with the longest maximum, then the longest mean, then the first.
func histogramChannel(s *Summary) sim.Channel {
	worst := sim.Channel(0)
	for ch := range sim.ChAny {
		a, b := &s.Channels[ch], &s.Channels[worst]
		if a.Max > b.Max || a.Max == b.Max && a.Mean > b.Mean {
			worst = ch
		}
	}
	return worst
}

// histBin is a bin of a histogram: Count windows with Lo <= length < Hi (the last bin includes Hi).
type histBin struct {
	Lo, Hi time.Duration
	Count  int
}

// maxHistBins is the most bins a histogram has.
const maxHistBins = 40

// histogramBins sorts the windows of the channel into equal bins from 0 to the longest: as many
// as the square root of their number, rounded up, at most maxHistBins. When every window is 0
// there is one bin, [0, 1s]. Nil when there are no offboardings.
func histogramBins(obs []sim.Offboarding, ch sim.Channel) []histBin {
	if len(obs) == 0 {
		return nil
	}
	var top time.Duration
	for i := range obs {
		top = max(top, obs[i].Windows[ch].Length)
	}
	n := min(int(math.Ceil(math.Sqrt(float64(len(obs))))), maxHistBins)
	if top == 0 {
		n, top = 1, time.Second
	}
	bins := make([]histBin, n)
	for i := range bins {
		bins[i].Lo = top * time.Duration(i) / time.Duration(n)
		bins[i].Hi = top * time.Duration(i+1) / time.Duration(n)
	}
	for i := range obs {
		l := obs[i].Windows[ch].Length
		// the last bin whose Lo is at most l
		k := sort.Search(n, func(k int) bool { return bins[k].Lo > l }) - 1
		bins[k].Count++
	}
	return bins
}

// timelineBar is a session of the timeline, with times relative to the offboarding.
type timelineBar struct {
	Label      string
	Kind       string
	Start, End time.Duration
	// Open says the session was still live at the horizon, where End then is.
	Open bool
}

// maxTimelineBars is the most sessions a timeline shows: those that end last.
const maxTimelineBars = 40

// timelineOffboarding returns the offboarding the timeline shows: the worst on the any channel,
// else the first; nil when there are none.
func timelineOffboarding(s *Summary) *sim.Offboarding {
	if o := s.Channels[sim.ChAny].Worst; o != nil {
		return o
	}
	if obs := s.Results.Offboardings; len(obs) > 0 {
		return &obs[0]
	}
	return nil
}

// timelineBars returns the offboarding's sessions as bars relative to the offboarding, in order of
// start (then end, then label), and how many were left out: only the maxTimelineBars sessions that
// end last are kept.
func timelineBars(o *sim.Offboarding) (bars []timelineBar, dropped int) {
	for _, sp := range o.Sessions {
		bars = append(bars, timelineBar{Label: sp.Kind + ": " + sp.Label, Kind: sp.Kind,
			Start: sp.Start - o.At, End: sp.End - o.At, Open: sp.Open})
	}
	if len(bars) > maxTimelineBars {
		slices.SortStableFunc(bars, func(a, b timelineBar) int { return -cmp.Compare(a.End, b.End) })
		dropped = len(bars) - maxTimelineBars
		bars = bars[:maxTimelineBars]
	}
	slices.SortStableFunc(bars, func(a, b timelineBar) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		if c := cmp.Compare(a.End, b.End); c != 0 {
			return c
		}
		return strings.Compare(a.Label, b.Label)
	})
	return bars, dropped
}

// timelineMark is a vertical line of the timeline, at a time relative to the offboarding.
type timelineMark struct {
	Label string
	At    time.Duration
}

// timelineMarks returns the offboarding itself (at 0) and each playbook step carried out.
func timelineMarks(o *sim.Offboarding) []timelineMark {
	marks := []timelineMark{{"offboard (" + o.Playbook + ")", 0}}
	for _, st := range o.Steps {
		d := st.At - o.At
		marks = append(marks, timelineMark{fmt.Sprintf("+%s %s", sim.HumanDuration(d), st.Action), d})
	}
	return marks
}

// timeUnit picks the unit of a time axis that reaches d: minutes below 2 hours, hours below
// 3 days, else days.
func timeUnit(d time.Duration) (time.Duration, string) {
	switch {
	case d < 2*time.Hour:
		return time.Minute, "minutes"
	case d < 72*time.Hour:
		return time.Hour, "hours"
	}
	return 24 * time.Hour, "days"
}

// ecdfFrom returns the ECDF's steps on an axis that starts at lo: one at lo with the fraction of
// windows at most lo (0 ones among them), then the steps beyond lo.
func ecdfFrom(points []ecdfPoint, lo time.Duration) []ecdfPoint {
	start := ecdfPoint{lo, 0}
	var rest []ecdfPoint
	for _, pt := range points {
		if pt.X <= lo {
			start.F = max(start.F, pt.F)
		} else {
			rest = append(rest, pt)
		}
	}
	return append([]ecdfPoint{start}, rest...)
}

// timeTick is a mark of a time axis: a round duration and its label.
type timeTick struct {
	At    time.Duration
	Label string
}

// roundTimes are the durations a logarithmic time axis marks, those labelled first before the
// others (of which only those with room get a label).
var roundTimes = []timeTick{
	{time.Second, "1s"}, {time.Minute, "1m"}, {time.Hour, "1h"}, {24 * time.Hour, "1d"},
	{30 * 24 * time.Hour, "30d"}, {365 * 24 * time.Hour, "1y"},
	{10 * time.Second, "10s"}, {10 * time.Minute, "10m"}, {6 * time.Hour, "6h"}, {7 * 24 * time.Hour, "7d"},
}

// roundTimeLabel returns the label of a round time, or its duration if it is none.
func roundTimeLabel(d time.Duration) string {
	for _, t := range roundTimes {
		if t.At == d {
			return t.Label
		}
	}
	return sim.HumanDuration(d)
}

// ecdfAxis returns the range of the logarithmic time axis the ECDF panels share: from the
// longest round time at most the shortest window longer than 0 (a second at least), to a
// quarter more than the longest window (room after the last step), at least ten times lo.
// Both are 0 when every window is 0.
func ecdfAxis(series []ecdfSeries) (lo, hi time.Duration) {
	var short time.Duration
	for _, sr := range series {
		for _, pt := range sr.Points {
			if pt.X > 0 && (short == 0 || pt.X < short) {
				short = pt.X
			}
			hi = max(hi, pt.X)
		}
	}
	if short == 0 {
		return 0, 0
	}
	lo = time.Second
	for _, t := range roundTimes {
		if t.At <= short && t.At > lo {
			lo = t.At
		}
	}
	return lo, max(hi+hi/4, 10*lo)
}

// logTimeTicks returns the round times from lo to hi in order, each labelled if it is at least
// gap decades from every tick labelled before it, the first of roundTimes first; the others
// are left unlabelled.
func logTimeTicks(lo, hi time.Duration, gap float64) []timeTick {
	var ticks []timeTick
	var labelled []time.Duration
	for _, t := range roundTimes {
		if t.At < lo || t.At > hi {
			continue
		}
		free := true
		for _, l := range labelled {
			free = free && math.Abs(math.Log10(float64(t.At)/float64(l))) >= gap
		}
		if !free {
			t.Label = ""
		} else {
			labelled = append(labelled, t.At)
		}
		ticks = append(ticks, t)
	}
	slices.SortFunc(ticks, func(a, b timeTick) int { return cmp.Compare(a.At, b.At) })
	return ticks
}

// grid returns the columns and rows of a grid of n panels, at most cols wide: as few rows as
// hold them, then as few columns as fill those rows.
func grid(n, cols int) (int, int) {
	if n == 0 {
		return 0, 0
	}
	rows := (n + cols - 1) / cols
	return (n + rows - 1) / rows, rows
}
