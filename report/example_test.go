package report_test

import (
	"fmt"
	"time"

	"idcsim/report"
	"idcsim/sim"
)

func ExampleSummarize() {
	sc := &sim.Scenario{
		Name: "two offboardings", Horizon: 30 * 24 * time.Hour, Replications: 1,
		Policy: []sim.Control{{ID: "OFF-1", Channel: sim.ChAny, Statistic: "max", Within: time.Hour}},
	}
	res := &sim.Results{Scenario: sc}
	for _, role := range []time.Duration{45 * time.Minute, 12 * time.Hour} {
		var o sim.Offboarding
		o.Windows[sim.ChRoleExisting].Length = role
		o.Windows[sim.ChAny].Length = role
		res.Offboardings = append(res.Offboardings, o)
	}
	s := report.Summarize(res)
	any := s.Channels[sim.ChAny]
	fmt.Println("worst:", sim.HumanDuration(any.Max), "median:", sim.HumanDuration(any.P50))
	for _, w := range any.Warnings {
		fmt.Println(w)
	}
	for _, v := range s.Policy {
		fmt.Println(v.Control.ID, v.Pass, v.Reason)
	}
	// Output:
	// worst: 12h00m median: 45m00s
	// too few offboardings (n=2) for a mean interval
	// too few offboardings (n=2) for a p95 interval
	// too few offboardings (n=2) for a p99 interval
	// OFF-1 false max of any is 12h00m, over the limit 1h00m
}
