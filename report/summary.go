// Package report turns the results of a simulation into statistics, policy verdicts and reports.
package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"idcsim/sim"
)

// Summary is what a run's results mean: exposure statistics per channel, friction and policy verdicts.
type Summary struct {
	Results  *sim.Results
	Channels [sim.NumChannels]ChannelStats
	Friction Friction
	Policy   []Verdict
	// Pass says every control of the policy holds.
	Pass bool
}

// ChannelStats are the statistics of one channel's exposure windows over every offboarding.
// Windows still open at the horizon count at their length to the horizon.
type ChannelStats struct {
	Channel sim.Channel
	N       int // offboardings
	Open    int // windows open at the horizon
	Mean    time.Duration
	P50     time.Duration
	P95     time.Duration
	P99     time.Duration
	Max     time.Duration
	// P95CI is a 95% confidence interval of the 95th percentile from order statistics; valid when HasCI.
	P95CI [2]time.Duration
	HasCI bool
	// Worst is the offboarding with the longest window (the first of equals); nil when no window is longer than 0.
	Worst *sim.Offboarding
	// Warnings say what the statistics cannot be trusted for.
	Warnings []string
}

// Friction is what the settings cost users, per user and week of simulated time.
type Friction struct {
	SignInPrompts      float64 // interactive sign-ins
	SilentSignIns      float64 // sign-ins through a live IdP session (UIS-7)
	CLILogins          float64
	ConsoleFederations float64
}

// Verdict is the evaluation of one control of the organisation's policy.
type Verdict struct {
	Control sim.Control
	Value   time.Duration // the control's statistic of its channel
	Open    int           // windows of the channel open at the horizon
	Pass    bool
	// Reason says why a control failed.
	Reason string
}

// Statistics a control may name.
var statistics = []string{"max", "mean", "p50", "p95", "p99"}

// Statistic returns the named statistic: max, mean, p50, p95 or p99.
func (c *ChannelStats) Statistic(name string) (time.Duration, bool) {
	switch name {
	case "max":
		return c.Max, true
	case "mean":
		return c.Mean, true
	case "p50":
		return c.P50, true
	case "p95":
		return c.P95, true
	case "p99":
		return c.P99, true
	}
	return 0, false
}

// Summarize computes the statistics, friction and policy verdicts of a run; res.Scenario must be set.
func Summarize(res *sim.Results) *Summary {
	s := &Summary{Results: res}
	for ch := range sim.NumChannels {
		s.Channels[ch] = channelStats(ch, res.Offboardings)
	}
	s.Friction = friction(res)
	s.Pass = true
	for _, c := range res.Scenario.Policy {
		v := evaluate(c, &s.Channels[c.Channel])
		s.Pass = s.Pass && v.Pass
		s.Policy = append(s.Policy, v)
	}
	return s
}

func channelStats(ch sim.Channel, obs []sim.Offboarding) ChannelStats {
	cs := ChannelStats{Channel: ch, N: len(obs)}
	if cs.N == 0 {
		cs.Warnings = []string{"no offboardings: nothing measured"}
		return cs
	}
	x := make([]float64, len(obs))
	for i := range obs {
		w := obs[i].Windows[ch]
		x[i] = float64(w.Length)
		if w.Open {
			cs.Open++
		}
		if w.Length > 0 && (cs.Worst == nil || w.Length > cs.Worst.Windows[ch].Length) {
			cs.Worst = &obs[i]
		}
	}
	slices.Sort(x)
	cs.Mean = time.Duration(math.Round(stat.Mean(x, nil)))
	cs.P50 = quantile(0.50, x)
	cs.P95 = quantile(0.95, x)
	cs.P99 = quantile(0.99, x)
	cs.Max = time.Duration(x[len(x)-1])
	if lo, hi, ok := quantileCI(0.95, 0.95, len(x)); ok {
		cs.P95CI = [2]time.Duration{time.Duration(x[lo]), time.Duration(x[hi])}
		cs.HasCI = true
	} else {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("too few offboardings (n=%d) for a p95 interval", cs.N))
	}
	if cs.Open > 0 {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("%d of %d windows open at the horizon: statistics are lower bounds", cs.Open, cs.N))
	}
	return cs
}

// quantile is the empirical p-quantile of sorted x: the smallest value with at least p of the data at or below it.
func quantile(p float64, sorted []float64) time.Duration {
	return time.Duration(stat.Quantile(p, stat.Empirical, sorted, nil))
}

// quantileCI returns the 0-based order statistics (lo, hi) that bound the p-quantile of n draws
// with confidence at least level, leaving at most (1-level)/2 on each side. The number of draws at
// or below the quantile is Binomial(n, p), so P(x[lo] <= q < x[hi]) = F(hi) - F(lo) with F its CDF
// (ranks 1-based: F(u-1) - F(l-1)). ok is false when n is too small for such a pair.
func quantileCI(p, level float64, n int) (lo, hi int, ok bool) {
	if n < 1 {
		return 0, 0, false
	}
	b := distuv.Binomial{N: float64(n), P: p}
	tail := (1 - level) / 2
	// Rank k+1 (index k) leaves F(k) of the probability below it and 1-F(k) above it.
	lo = sort.Search(n, func(k int) bool { return b.CDF(float64(k)) > tail }) - 1
	hi = sort.Search(n, func(k int) bool { return b.CDF(float64(k)) >= 1-tail })
	if lo < 0 || hi >= n {
		return 0, 0, false
	}
	return lo, hi, true
}

func friction(res *sim.Results) Friction {
	sc := res.Scenario
	userWeeks := float64(len(sc.Users)) * sc.Horizon.Hours() / (7 * 24) * float64(sc.Replications)
	if userWeeks <= 0 {
		return Friction{}
	}
	c := res.Counters
	return Friction{
		SignInPrompts:      float64(c.SignInPrompts) / userWeeks,
		SilentSignIns:      float64(c.SilentSignIns) / userWeeks,
		CLILogins:          float64(c.CLILogins) / userWeeks,
		ConsoleFederations: float64(c.Federations) / userWeeks,
	}
}

func evaluate(c sim.Control, cs *ChannelStats) Verdict {
	v := Verdict{Control: c, Open: cs.Open}
	val, ok := cs.Statistic(c.Statistic)
	switch {
	case !ok:
		v.Reason = fmt.Sprintf("unknown statistic %q (want one of %v)", c.Statistic, statistics)
	case cs.N == 0:
		v.Reason = "no offboardings to measure"
	case cs.Open > 0:
		v.Value = val
		v.Reason = fmt.Sprintf("%d of %d windows open at the horizon", cs.Open, cs.N)
	case val > c.Within:
		v.Value = val
		v.Reason = fmt.Sprintf("%s of %s is %s, over the limit %s", c.Statistic, c.Channel, FormatDuration(val), FormatDuration(c.Within))
	default:
		v.Value = val
		v.Pass = true
	}
	return v
}
