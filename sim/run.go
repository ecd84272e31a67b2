package sim

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// replication is what one replication produced: its offboardings and the rest.
type replication struct {
	offs []Offboarding
	Replication
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
	var idx []int // the replications of the shard
	for r := 0; r < sc.Replications; r++ {
		if opts.Shard.Has(r) {
			idx = append(idx, r)
		}
	}
	reps := make([]replication, len(idx))
	err = parallel(ctx, len(idx), opts, func(worlds map[int]*world, k int, progress func(int64)) {
		w := worlds[0]
		if w == nil {
			w = newWorld(m)
			worlds[0] = w
		}
		w.progress = progress
		w.record = nil
		if idx[k] == 0 {
			w.record = opts.Audit
		}
		reps[k] = w.replicate(idx[k])
	})
	if err != nil {
		return nil, err
	}
	return gather(sc, reps), nil
}

// replicate runs replication rep and returns what it produced.
func (w *world) replicate(rep int) replication {
	w.reset(rep)
	w.run()
	offs := w.collect(rep, nil)
	return replication{offs: offs, Replication: Replication{
		Index:        rep,
		Events:       w.events,
		Counters:     w.counters,
		Offboardings: len(offs),
		Warnings:     append([]string(nil), w.warnings...),
	}}
}

// gather puts replications together, in their order.
func gather(sc *Scenario, reps []replication) *Results {
	res := &Results{Scenario: sc}
	for i := range reps {
		r := &reps[i]
		res.Offboardings = append(res.Offboardings, r.offs...)
		res.Replications = append(res.Replications, r.Replication)
		res.Events += r.Events
		res.Counters.add(&r.Counters)
		res.Warnings = append(res.Warnings, r.Warnings...)
	}
	res.Warnings = canonicalWarnings(sc, res.Warnings)
	return res
}

// canonicalWarnings returns the scenario's warnings, then the engine's, sorted, each once.
func canonicalWarnings(sc *Scenario, engine []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range sc.Warnings {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	var rest []string
	for _, w := range engine {
		if !seen[w] {
			seen[w] = true
			rest = append(rest, w)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// Merge combines the results of the shards of one run (Options.Shard) into the results of the
// whole run, equal to those of a run without shards.
func Merge(sc *Scenario, parts []*Results) *Results {
	res := &Results{Scenario: sc}
	var warnings []string
	for _, p := range parts {
		res.Offboardings = append(res.Offboardings, p.Offboardings...)
		res.Replications = append(res.Replications, p.Replications...)
		res.Events += p.Events
		res.Counters.add(&p.Counters)
		warnings = append(warnings, p.Warnings...)
	}
	slices.SortStableFunc(res.Offboardings, func(a, b Offboarding) int { return a.Replication - b.Replication })
	slices.SortStableFunc(res.Replications, func(a, b Replication) int { return a.Index - b.Index })
	res.Warnings = canonicalWarnings(sc, warnings)
	return res
}

func (c *Counters) add(o *Counters) {
	c.SignInPrompts += o.SignInPrompts
	c.SilentSignIns += o.SilentSignIns
	c.CLILogins += o.CLILogins
	c.Federations += o.Federations
	c.Refederations += o.Refederations
	c.KiroLogins += o.KiroLogins
	c.JobsStarted += o.JobsStarted
	c.JobsKilled += o.JobsKilled
	c.RefusedActions += o.RefusedActions
	c.CollateralRoleSessions += o.CollateralRoleSessions
}

// parallel runs do(k) for k in [0, n) on the workers, each worker with its own worlds. Progress
// is counted in thousandths of an item, so that long replications show theirs.
func parallel(ctx context.Context, n int, opts Options, do func(worlds map[int]*world, k int, progress func(permille int64))) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	var next, units atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	report := func(delta int64) {
		u := units.Add(delta)
		if opts.Progress != nil {
			mu.Lock()
			opts.Progress(int(u), n*1000)
			mu.Unlock()
		}
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worlds := map[int]*world{}
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				var shown int64 // thousandths of this item reported so far
				progress := func(permille int64) {
					if permille > shown {
						report(permille - shown)
						shown = permille
					}
				}
				do(worlds, k, progress)
				progress(1000)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
