package report

import (
	"math"
	"slices"
	"testing"
	"time"

	"idcsim/sim"
)

// resultsOf builds results whose app_existing windows are the given lengths in seconds.
func resultsOf(secs ...int) *sim.Results {
	sc := &sim.Scenario{Horizon: 7 * 24 * time.Hour, Replications: 1, Users: []sim.User{{Name: "u"}}}
	res := &sim.Results{Scenario: sc}
	for i, s := range secs {
		o := sim.Offboarding{Replication: i, User: "u", At: time.Duration(i) * time.Hour}
		o.Windows[sim.ChAppExisting].Length = time.Duration(s) * time.Second
		res.Offboardings = append(res.Offboardings, o)
	}
	return res
}

func TestStatistics(t *testing.T) {
	t.Parallel()
	// Windows of 1, 2, ..., 100 seconds. Expected values by hand: mean (1+100)/2 = 50.5;
	// the empirical p-quantile is the value of rank ceil(p*n): p50 = 50, p95 = 95, p99 = 99.
	// The p95 interval: the number of windows at or below the true p95 is Binomial(100, 0.95),
	// whose CDF is F(89) = 0.0115, F(90) = 0.0282, F(98) = 0.9629, F(99) = 0.9941 (sums of
	// C(100,k) 0.95^k 0.05^(100-k)). The largest rank l with F(l-1) <= 0.025 is 90 and the smallest
	// rank u with F(u-1) >= 0.975 is 100, so the interval is [x(90), x(100)] = [90 s, 100 s], with
	// coverage F(99) - F(89) = 0.983. There is no p99 interval: even u = n leaves
	// P(all 100 below the p99) = 0.99^100 = 0.366 > 0.025 above it.
	secs := make([]int, 100)
	for i := range secs {
		secs[i] = 100 - i // out of order on purpose
	}
	cs := Summarize(resultsOf(secs...)).Channels[sim.ChAppExisting]
	want := ChannelStats{
		Channel: sim.ChAppExisting, N: 100,
		Mean: 50500 * time.Millisecond, P50: 50 * time.Second, P95: 95 * time.Second,
		P99: 99 * time.Second, Max: 100 * time.Second,
		P95CI:    Interval{90 * time.Second, 100 * time.Second, true},
		Warnings: []string{"too few offboardings (n=100) for a p99 interval"},
	}
	if cs.Worst == nil || cs.Worst.Replication != 0 {
		t.Errorf("worst case %+v, want replication 0 (the 100 s window)", cs.Worst)
	}
	// The mean's interval: the sample standard deviation of 1..n is sqrt(n(n+1)/12) = 29.0115 s;
	// the Student t quantile t(0.975; 99 degrees of freedom) = 1.98422 (any t table); so
	// 50.5 ± 1.98422 × 29.0115 / √100 = 50.5 ± 5.7565 s.
	if !near(cs.MeanCI.Lo, 44.7435) || !near(cs.MeanCI.Hi, 56.2565) || !cs.MeanCI.OK {
		t.Errorf("mean interval %+v, want [44.7435 s, 56.2565 s]", cs.MeanCI)
	}
	cs.Worst, cs.MeanCI = nil, Interval{}
	if !equalStats(cs, want) {
		t.Errorf("got  %+v\nwant %+v", cs, want)
	}
}

// near says whether d is within a millisecond of secs seconds.
func near(d time.Duration, secs float64) bool {
	return (d - time.Duration(secs*float64(time.Second))).Abs() < time.Millisecond
}

func TestP99Interval(t *testing.T) {
	t.Parallel()
	// Windows of 1..1000 s. The number of windows at or below the true p99 is Binomial(1000, 0.99),
	// whose CDF is F(982) = 0.0138, F(983) = 0.0264, F(995) = 0.9713, F(996) = 0.9899 (sums of
	// C(1000,k) 0.99^k 0.01^(1000-k)). The largest rank l with F(l-1) <= 0.025 is 983 and the
	// smallest rank u with F(u-1) >= 0.975 is 997: the interval is [983 s, 997 s].
	secs := make([]int, 1000)
	for i := range secs {
		secs[i] = i + 1
	}
	cs := Summarize(resultsOf(secs...)).Channels[sim.ChAppExisting]
	if want := (Interval{983 * time.Second, 997 * time.Second, true}); cs.P99CI != want {
		t.Errorf("p99 interval %+v, want %+v", cs.P99CI, want)
	}
	if len(cs.Warnings) != 0 {
		t.Errorf("warnings %q with 1000 offboardings", cs.Warnings)
	}
}

func equalStats(a, b ChannelStats) bool {
	return a.Channel == b.Channel && a.N == b.N && a.Open == b.Open && a.Mean == b.Mean &&
		a.P50 == b.P50 && a.P95 == b.P95 && a.P99 == b.P99 && a.Max == b.Max &&
		a.MeanCI == b.MeanCI && a.P95CI == b.P95CI && a.P99CI == b.P99CI &&
		slices.Equal(a.Warnings, b.Warnings) && a.Worst == b.Worst
}

func TestQuantileCIThreshold(t *testing.T) {
	t.Parallel()
	// An equal-tailed 95% interval for the p95 needs an upper rank u <= n with F(u-1) >= 0.975,
	// that is 1 - 0.95^n >= 0.975 at u = n: 0.95^71 = 0.0262 is too much, 0.95^72 = 0.0249 is not.
	// At n = 72 the lower rank is 64: F(63) = 0.0096 <= 0.025 < F(64) = 0.0272 for Binomial(72, 0.95).
	if _, _, ok := quantileCI(0.95, 0.95, 71); ok {
		t.Error("n=71 gave a p95 interval")
	}
	lo, hi, ok := quantileCI(0.95, 0.95, 72)
	if !ok || lo != 63 || hi != 71 {
		t.Errorf("n=72: interval indices (%d, %d, %v), want (63, 71, true)", lo, hi, ok)
	}
	// The same for the p99: 0.99^367 = 0.02501 is too much, 0.99^368 = 0.02476 is not. At n = 368
	// the lower rank is 360: F(359) = 0.0128 <= 0.025 < F(360) = 0.0336 for Binomial(368, 0.99).
	if _, _, ok := quantileCI(0.99, 0.95, 367); ok {
		t.Error("n=367 gave a p99 interval")
	}
	lo, hi, ok = quantileCI(0.99, 0.95, 368)
	if !ok || lo != 359 || hi != 367 {
		t.Errorf("n=368: interval indices (%d, %d, %v), want (359, 367, true)", lo, hi, ok)
	}
}

func TestMeanCI(t *testing.T) {
	t.Parallel()
	// A mean near 0 with a wide spread: the interval is cut at 0, since no window is negative.
	secs := make([]int, 40)
	secs[0] = 4000
	if cs := Summarize(resultsOf(secs...)).Channels[sim.ChAppExisting]; cs.MeanCI.Lo != 0 || cs.MeanCI.Hi <= cs.Mean {
		t.Errorf("mean %v, interval %+v; want one from 0 to above the mean", cs.Mean, cs.MeanCI)
	}
	// Two draws, 0 and 2: mean 1, sample standard deviation √2; t(0.975; 1) = 12.7062 (the
	// Cauchy quantile tan(0.475π)), so 1 ± 12.7062 × √2/√2 = [-11.7062, 13.7062].
	lo, hi, ok := meanCI(1, math.Sqrt2, 2, 0.95)
	if !ok || math.Abs(lo+11.7062) > 1e-4 || math.Abs(hi-13.7062) > 1e-4 {
		t.Errorf("meanCI(1, √2, 2) = %v, %v, %v; want -11.7062, 13.7062", lo, hi, ok)
	}
	if _, _, ok := meanCI(5, 0, 1, 0.95); ok {
		t.Error("an interval from one draw")
	}
	// Identical windows: the interval shrinks to the mean.
	same := make([]int, minMeanN)
	for i := range same {
		same[i] = 60
	}
	cs := Summarize(resultsOf(same...)).Channels[sim.ChAppExisting]
	if want := (Interval{time.Minute, time.Minute, true}); cs.MeanCI != want {
		t.Errorf("mean interval of identical windows %+v, want %+v", cs.MeanCI, want)
	}
}

func TestFewOffboardingsWarn(t *testing.T) {
	t.Parallel()
	cs := Summarize(resultsOf(0, 600, 1200)).Channels[sim.ChAppExisting]
	if cs.P95CI.OK || cs.P99CI.OK || cs.MeanCI.OK {
		t.Errorf("n=3 gave intervals: p95 %v p99 %v mean %v", cs.P95CI.OK, cs.P99CI.OK, cs.MeanCI.OK)
	}
	for _, want := range []string{"too few offboardings (n=3) for a mean interval",
		"too few offboardings (n=3) for a p95 interval", "too few offboardings (n=3) for a p99 interval"} {
		if !slices.Contains(cs.Warnings, want) {
			t.Errorf("warnings %q lack %q", cs.Warnings, want)
		}
	}
	secs := make([]int, minMeanN-1)
	for i := range secs {
		secs[i] = 60 * i
	}
	few := Summarize(resultsOf(secs...)).Channels[sim.ChAppExisting]
	if want := "too few offboardings (n=29) for a mean interval"; few.MeanCI.OK || !slices.Contains(few.Warnings, want) {
		t.Errorf("n=29: mean interval %+v, warnings %q, want none and %q", few.MeanCI, few.Warnings, want)
	}
	// Ranks ceil(0.5*3) = 2 and ceil(0.95*3) = 3.
	if cs.P50 != 600*time.Second || cs.P95 != 1200*time.Second || cs.Mean != 600*time.Second {
		t.Errorf("p50 %v p95 %v mean %v, want 10m 20m 10m", cs.P50, cs.P95, cs.Mean)
	}
}

func TestNoOffboardings(t *testing.T) {
	t.Parallel()
	res := resultsOf()
	res.Scenario.Policy = []sim.Control{{ID: "C", Channel: sim.ChAny, Statistic: "max", Within: time.Hour}}
	s := Summarize(res)
	if s.Pass {
		t.Error("a control passed with nothing measured")
	}
	if len(s.Channels[sim.ChAny].Warnings) == 0 {
		t.Error("no warning for a channel with no offboardings")
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	res := resultsOf(600, 1200, 1800)
	res.Offboardings[0].Windows[sim.ChKiro] = sim.Window{Length: time.Minute, Open: true}
	res.Scenario.Policy = []sim.Control{
		{ID: "max-30m", Channel: sim.ChAppExisting, Statistic: "max", Within: 30 * time.Minute},
		{ID: "max-29m", Channel: sim.ChAppExisting, Statistic: "max", Within: 29 * time.Minute},
		{ID: "mean-20m", Channel: sim.ChAppExisting, Statistic: "mean", Within: 20 * time.Minute},
		{ID: "kiro-open", Channel: sim.ChKiro, Statistic: "max", Within: 90 * 24 * time.Hour},
	}
	s := Summarize(res)
	want := map[string]bool{"max-30m": true, "max-29m": false, "mean-20m": true, "kiro-open": false}
	for _, v := range s.Policy {
		if v.Pass != want[v.Control.ID] {
			t.Errorf("%s: pass %v, want %v (value %v, reason %q)", v.Control.ID, v.Pass, want[v.Control.ID], v.Value, v.Reason)
		}
	}
	if s.Pass {
		t.Error("overall pass with failing controls")
	}
}

func TestFriction(t *testing.T) {
	t.Parallel()
	// 2 users, a 1-week horizon and 2 replications make 4 user-weeks: 20 prompts are 5 per
	// user-week, 6 silent sign-ins 1.5, 4 CLI logins 1, 10 federations 2.5, 2 of them
	// re-federations 0.5, 3 jobs killed 0.75, 2 Kiro logins 0.5.
	res := smallResults()
	f := Summarize(res).Friction
	want := Friction{UserWeeks: 4, SignInPrompts: 5, SilentSignIns: 1.5, CLILogins: 1, ConsoleFederations: 2.5,
		ConsoleRefederations: 0.5, JobsKilled: 0.75, KiroLogins: 0.5, Totals: res.Counters}
	if f != want {
		t.Errorf("friction %+v\nwant     %+v", f, want)
	}
	// A population of 6 people makes 8 users: 8 × 1 × 2 = 16 user-weeks.
	res.Scenario.Populations = []sim.Population{{Name: "eng", Count: 6}}
	if f := Summarize(res).Friction; f.UserWeeks != 16 {
		t.Errorf("with a population: %v user-weeks, want 16", f.UserWeeks)
	}
	res.Scenario.Populations = nil
	// A horizon of 3.5 days is half a week: 2 users × 0.5 × 2 replications = 2 user-weeks.
	res.Scenario.Horizon = 84 * time.Hour
	if f := Summarize(res).Friction; f.UserWeeks != 2 || f.SignInPrompts != 10 {
		t.Errorf("half-week horizon: %v user-weeks, %v prompts per user-week; want 2 and 10", f.UserWeeks, f.SignInPrompts)
	}
}

func TestSignificant(t *testing.T) {
	t.Parallel()
	for x, want := range map[float64]string{0: "0", 5: "5.00", 5.039: "5.04", 0.787: "0.787", 147.2: "147", 2.0 / 29314: "0.0000682"} {
		if got := significant(x); got != want {
			t.Errorf("significant(%v) = %q, want %q", x, got, want)
		}
	}
}

// The run's results repeat the scenario's warnings (sim puts them first): a report lists each once.
func TestWarningsOnce(t *testing.T) {
	t.Parallel()
	res := smallResults()
	res.Warnings = append(append([]string{}, res.Scenario.Warnings...), "an engine warning")
	got := Summarize(res).Warnings()
	want := []string{"scenario.yaml:3:1: user bob has no devices", "an engine warning"}
	if !slices.Equal(got, want) {
		t.Errorf("Warnings() = %q, want %q", got, want)
	}
}
