package sim

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// replication is what one replication produced.
type replication struct {
	offs     []Offboarding
	events   int64
	counters Counters
	warnings []string
}

func run(ctx context.Context, sc *Scenario, opts Options) (*Results, error) {
	if sc.Replications < 1 {
		return nil, errorf("replications must be at least 1")
	}
	if sc.Horizon <= 0 {
		return nil, errorf("horizon must be positive")
	}
	m, err := compile(sc)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > sc.Replications {
		workers = sc.Replications
	}
	reps := make([]replication, sc.Replications)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var progress sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorld(m)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(reps) {
					return
				}
				w.reset(i)
				w.run()
				reps[i] = replication{
					offs:     w.collect(i, nil),
					events:   w.events,
					counters: w.counters,
					warnings: append([]string(nil), w.warnings...),
				}
				n := int(done.Add(1))
				if opts.Progress != nil {
					progress.Lock()
					opts.Progress(n, len(reps))
					progress.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &Results{Scenario: sc}
	seen := map[string]bool{}
	for _, w := range sc.Warnings {
		seen[w] = true
		res.Warnings = append(res.Warnings, w)
	}
	for i := range reps {
		r := &reps[i]
		res.Offboardings = append(res.Offboardings, r.offs...)
		res.Events += r.events
		res.Counters.add(&r.counters)
		for _, w := range r.warnings {
			if !seen[w] {
				seen[w] = true
				res.Warnings = append(res.Warnings, w)
			}
		}
	}
	return res, nil
}

func (c *Counters) add(o *Counters) {
	c.SignInPrompts += o.SignInPrompts
	c.SilentSignIns += o.SilentSignIns
	c.CLILogins += o.CLILogins
	c.Federations += o.Federations
	c.KiroLogins += o.KiroLogins
	c.JobsStarted += o.JobsStarted
	c.JobsKilled += o.JobsKilled
	c.RefusedActions += o.RefusedActions
	c.CollateralRoleSessions += o.CollateralRoleSessions
}
