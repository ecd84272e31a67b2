package report

import (
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
	// Windows of 1, 2, ..., 100 seconds. Expected values by hand: mean (1+100)/2 = 50.5;
	// the empirical p-quantile is the value of rank ceil(p*n): p50 = 50, p95 = 95, p99 = 99.
	// The p95 interval: the number of windows at or below the true p95 is Binomial(100, 0.95),
	// whose CDF is F(89) = 0.0115, F(90) = 0.0282, F(98) = 0.9629, F(99) = 0.9941 (sums of
	// C(100,k) 0.95^k 0.05^(100-k)). The largest rank l with F(l-1) <= 0.025 is 90 and the smallest
	// rank u with F(u-1) >= 0.975 is 100, so the interval is [x(90), x(100)] = [90 s, 100 s], with
	// coverage F(99) - F(89) = 0.983.
	secs := make([]int, 100)
	for i := range secs {
		secs[i] = 100 - i // out of order on purpose
	}
	cs := Summarize(resultsOf(secs...)).Channels[sim.ChAppExisting]
	want := ChannelStats{
		Channel: sim.ChAppExisting, N: 100,
		Mean: 50500 * time.Millisecond, P50: 50 * time.Second, P95: 95 * time.Second,
		P99: 99 * time.Second, Max: 100 * time.Second,
		P95CI: [2]time.Duration{90 * time.Second, 100 * time.Second}, HasCI: true,
	}
	if cs.Worst == nil || cs.Worst.Replication != 0 {
		t.Errorf("worst case %+v, want replication 0 (the 100 s window)", cs.Worst)
	}
	cs.Worst = nil
	if !equalStats(cs, want) {
		t.Errorf("got  %+v\nwant %+v", cs, want)
	}
}

func equalStats(a, b ChannelStats) bool {
	return a.Channel == b.Channel && a.N == b.N && a.Open == b.Open && a.Mean == b.Mean &&
		a.P50 == b.P50 && a.P95 == b.P95 && a.P99 == b.P99 && a.Max == b.Max &&
		a.P95CI == b.P95CI && a.HasCI == b.HasCI && slices.Equal(a.Warnings, b.Warnings) &&
		a.Worst == b.Worst
}

func TestQuantileCIThreshold(t *testing.T) {
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
}

func TestFewOffboardingsWarn(t *testing.T) {
	cs := Summarize(resultsOf(0, 600, 1200)).Channels[sim.ChAppExisting]
	if cs.HasCI {
		t.Error("n=3 gave a p95 interval")
	}
	if want := "too few offboardings (n=3) for a p95 interval"; !slices.Contains(cs.Warnings, want) {
		t.Errorf("warnings %q lack %q", cs.Warnings, want)
	}
	// Ranks ceil(0.5*3) = 2 and ceil(0.95*3) = 3.
	if cs.P50 != 600*time.Second || cs.P95 != 1200*time.Second || cs.Mean != 600*time.Second {
		t.Errorf("p50 %v p95 %v mean %v, want 10m 20m 10m", cs.P50, cs.P95, cs.Mean)
	}
}

func TestNoOffboardings(t *testing.T) {
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
	// 20 prompts over 2 users, a 1-week horizon and 2 replications: 20 / (2*1*2) = 5 per user-week.
	res := smallResults()
	f := Summarize(res).Friction
	if f.SignInPrompts != 5 || f.SilentSignIns != 1.5 || f.CLILogins != 1 || f.ConsoleFederations != 2.5 {
		t.Errorf("friction %+v, want 5, 1.5, 1, 2.5", f)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                 "0s",
		500 * time.Millisecond:            "0.500s",
		45 * time.Second:                  "45s",
		1799999 * time.Millisecond:        "29m59s",
		12 * time.Hour:                    "12h00m",
		12*time.Hour + 59*time.Second:     "12h00m59s",
		time.Hour + 1500*time.Millisecond: "1h00m01s",
		76 * time.Hour:                    "3d04h00m",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
