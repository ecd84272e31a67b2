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

// ConfidenceLevel is the confidence level of every interval in a summary.
const ConfidenceLevel = 0.95

// Interval is a confidence interval at ConfidenceLevel. OK is false when there were too few samples for one;
// the channel's warnings then say so.
type Interval struct {
	Lo, Hi time.Duration
	OK     bool
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
	// MeanCI is the Student t interval of the mean.
	MeanCI Interval
	// P95CI and P99CI are distribution-free intervals of the percentiles from order statistics.
	P95CI, P99CI Interval
	// Worst is the offboarding with the longest window (the first of equals); nil when no window is longer than 0.
	Worst *sim.Offboarding
	// Warnings say what the statistics cannot be trusted for.
	Warnings []string
}

// Friction is what the settings cost users: rates per user and week of simulated time, over
// every replication, and the run's totals.
type Friction struct {
	// UserWeeks is users × horizon in weeks × replications, the denominator of every rate.
	UserWeeks float64
	// SignInPrompts are interactive sign-ins, with a credential prompt; SilentSignIns are those
	// made through a live IdP session (UIS-7), which prompt for nothing.
	SignInPrompts      float64
	SilentSignIns      float64
	CLILogins          float64
	ConsoleFederations float64
	// ConsoleRefederations are the console federations into an account whose console session had
	// expired (ROLE-6): the user had to federate again to go on working.
	ConsoleRefederations float64
	// JobsKilled are jobs that failed because their session ended before they finished (BG-3, BG-4).
	JobsKilled float64
	KiroLogins float64
	// Totals are the counts summed over replications.
	Totals sim.Counters
}

// Verdict is the evaluation of one control of the organisation's policy.
type Verdict struct {
	Control sim.Control
	Value   time.Duration // the control's statistic of its channel
	Open    int           // windows of the channel open at the horizon
	Pass    bool
	// Reason says why a control failed.
	Reason string
	// Worst is the offboarding with the longest window on the control's channel, and Evidence
	// what held that window open; Worst is nil when no window is longer than 0.
	Worst    *sim.Offboarding
	Evidence string
}

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
	mean, sd := stat.MeanStdDev(x, nil)
	cs.Mean = duration(mean)
	cs.P50 = quantile(0.50, x)
	cs.P95 = quantile(0.95, x)
	cs.P99 = quantile(0.99, x)
	cs.Max = time.Duration(x[len(x)-1])
	if lo, hi, ok := meanCI(mean, sd, len(x), ConfidenceLevel); ok && cs.N >= minMeanN {
		// Windows are never negative, and neither is their mean: the interval is cut at 0.
		cs.MeanCI = Interval{duration(max(lo, 0)), duration(hi), true}
	} else {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("too few offboardings (n=%d) for a mean interval", cs.N))
	}
	for _, q := range []struct {
		p    float64
		name string
		ci   *Interval
	}{{0.95, "p95", &cs.P95CI}, {0.99, "p99", &cs.P99CI}} {
		if lo, hi, ok := quantileCI(q.p, ConfidenceLevel, len(x)); ok {
			*q.ci = Interval{time.Duration(x[lo]), time.Duration(x[hi]), true}
		} else {
			cs.Warnings = append(cs.Warnings, fmt.Sprintf("too few offboardings (n=%d) for a %s interval", cs.N, q.name))
		}
	}
	if cs.Open > 0 {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("%d of %d windows open at the horizon: statistics are lower bounds", cs.Open, cs.N))
	}
	return cs
}

// evidence returns what held the offboarding's window on ch open last. A window of the any
// channel without evidence of its own takes that of the longest window it covers, named.
func evidence(o *sim.Offboarding, ch sim.Channel) string {
	w := o.Windows[ch]
	if w.Evidence != "" || ch != sim.ChAny || w.Length == 0 {
		return w.Evidence
	}
	for c := range sim.ChAny {
		if x := o.Windows[c]; x.Length == w.Length && x.Open == w.Open && x.Evidence != "" {
			return c.String() + ": " + x.Evidence
		}
	}
	return ""
}

// minMeanN is the fewest offboardings for an interval of the mean. The Student t interval is exact
// for normal data only; exposure windows are skewed and often bimodal, and the usual rule of
// thumb for the central limit theorem to carry the t interval is n >= 30.
const minMeanN = 30

// duration rounds nanoseconds to a duration.
func duration(ns float64) time.Duration { return time.Duration(math.Round(ns)) }

// meanCI returns the Student t interval of the mean of n draws with sample mean and standard
// deviation sd: mean ± t(1-(1-level)/2; n-1) sd/√n. ok is false when n < 2.
func meanCI(mean, sd float64, n int, level float64) (lo, hi float64, ok bool) {
	if n < 2 {
		return 0, 0, false
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-level)/2)
	h := t * sd / math.Sqrt(float64(n))
	return mean - h, mean + h, true
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

// userCount returns the number of people the scenario describes: its users and its populations'.
func userCount(sc *sim.Scenario) int {
	n := len(sc.Users)
	for _, p := range sc.Populations {
		n += p.Count
	}
	return n
}

func friction(res *sim.Results) Friction {
	sc := res.Scenario
	f := Friction{Totals: res.Counters}
	f.UserWeeks = float64(userCount(sc)) * sc.Horizon.Hours() / (7 * 24) * float64(sc.Replications)
	if f.UserWeeks <= 0 {
		return f
	}
	c := res.Counters
	rate := func(n int64) float64 { return float64(n) / f.UserWeeks }
	f.SignInPrompts = rate(c.SignInPrompts)
	f.SilentSignIns = rate(c.SilentSignIns)
	f.CLILogins = rate(c.CLILogins)
	f.ConsoleFederations = rate(c.Federations)
	f.ConsoleRefederations = rate(c.Refederations)
	f.JobsKilled = rate(c.JobsKilled)
	f.KiroLogins = rate(c.KiroLogins)
	return f
}

func evaluate(c sim.Control, cs *ChannelStats) Verdict {
	v := Verdict{Control: c, Open: cs.Open, Worst: cs.Worst}
	if cs.Worst != nil {
		v.Evidence = evidence(cs.Worst, c.Channel)
	}
	val, ok := cs.Statistic(c.Statistic)
	switch {
	case !ok:
		v.Reason = fmt.Sprintf("unknown statistic %q (want one of %v)", c.Statistic, sim.Statistics())
	case cs.N == 0:
		v.Reason = "no offboardings to measure"
	case cs.Open > 0:
		v.Value = val
		v.Reason = fmt.Sprintf("%d of %d windows open at the horizon: %s of %s is at least %s, limit %s",
			cs.Open, cs.N, c.Statistic, c.Channel, sim.HumanDuration(val), sim.HumanDuration(c.Within))
	case val > c.Within:
		v.Value = val
		v.Reason = fmt.Sprintf("%s of %s is %s, over the limit %s", c.Statistic, c.Channel, sim.HumanDuration(val), sim.HumanDuration(c.Within))
	default:
		v.Value = val
		v.Pass = true
	}
	return v
}
