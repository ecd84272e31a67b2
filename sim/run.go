package sim

import (
	"cmp"
	"context"
	"maps"
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
	shards, shard := 1, 0 // the shares of the people, and this run's
	if opts.Shard.People && opts.Shard.N > 1 {
		shards, shard = opts.Shard.N, opts.Shard.I
	}
	var idx []int // the replications of the shard
	for r := 0; r < sc.Replications; r++ {
		if shards > 1 || opts.Shard.Has(r) {
			idx = append(idx, r)
		}
	}
	// Replications fewer than the workers are split by person, so that every worker has work;
	// the trail sees a replication unsplit, in the order the engine carries it out.
	parts := 1
	if workers := opts.workers(); len(idx) < workers && opts.Audit == nil {
		parts = (workers + len(idx) - 1) / len(idx)
	}
	parts = max(1, min(parts, len(m.users)/shards))
	if parts > 1 && opts.Progress != nil {
		progress := opts.Progress
		opts.Progress = func(done, total int) { progress(done/parts, total/parts) }
	}
	splits := make([]split, len(idx))
	for k := range splits {
		splits[k].left.Store(int32(parts))
	}
	// the partitions of the shard's people, of about the same events each
	slo, shi := partition(shard, shards, len(m.users))
	bounds := m.balance(slo, shi, parts)
	out := make([]replication, len(idx)*parts)
	err = parallel(ctx, len(out), opts, func(worlds map[int]*world, k int, progress func(int64)) {
		rep, p := idx[k/parts], k%parts
		w := worlds[0]
		if w == nil {
			w = newWorld(m)
			worlds[0] = w
		}
		w.ctx, w.progress = ctx, progress
		w.record = nil
		if rep == 0 && parts == 1 && shards == 1 {
			w.record = opts.Audit
		}
		g := shard*parts + p // the lead partition of all is the first of the first shard
		lo, hi := bounds[p], bounds[p+1]
		if parts == 1 {
			w.prepare(rep)
			w.start(lo, hi, g == 0)
			w.run()
			out[k] = w.result()
			return
		}
		s := &splits[k/parts]
		s.once.Do(func() {
			s.prep = newWorld(m)
			s.prep.prepare(rep)
		})
		w.share(s.prep)
		w.start(lo, hi, g == 0)
		w.run()
		out[k] = w.result()
		w.unshare()
		if s.left.Add(-1) == 0 {
			s.prep = nil // the replication's people, free once its partitions are done
		}
	})
	if err != nil {
		return nil, err
	}
	reps := make([]replication, len(idx))
	for k := range reps {
		reps[k] = combine(out[k*parts : (k+1)*parts])
	}
	return gather(sc, reps), nil
}

// partition returns the people of partition g of t of n people: a contiguous range of about n/t,
// the partitions of a shard's people, in a run of shards, those of the shard's range.
func partition(g, t, n int) (lo, hi int32) {
	return int32(int64(g) * int64(n) / int64(t)), int32(int64(g+1) * int64(n) / int64(t))
}

// balance returns the bounds of parts contiguous partitions of the people [lo, hi), partition p
// being [bounds[p], bounds[p+1]): each with about the same events expected of its people's
// behaviours (eventsOf), not the same number of people, so that the workers running them end
// together (the populations come one after another, the busiest often first). Each partition
// has one person at least. Results do not depend on where the bounds fall.
func (m *model) balance(lo, hi int32, parts int) []int32 {
	weights := make([]float64, len(m.behaviours))
	for i := range m.behaviours {
		b := &m.behaviours[i]
		weights[i] = 1 + eventsOf(b.Behaviour, float64(len(b.dayStarts)), m.sc.Horizon)
	}
	weight := func(u int32) float64 {
		if b := m.users[u].behaviour; b >= 0 {
			return weights[b]
		}
		return 1
	}
	total := 0.0
	for u := lo; u < hi; u++ {
		total += weight(u)
	}
	bounds := make([]int32, parts+1)
	bounds[0], bounds[parts] = lo, hi
	sum, u := 0.0, lo
	for p := 1; p < parts; p++ {
		for u < hi && sum+weight(u)/2 < total*float64(p)/float64(parts) {
			sum += weight(u)
			u++
		}
		// one person at least on each side
		bounds[p] = min(max(u, bounds[p-1]+1), hi-int32(parts-p))
		for u < bounds[p] {
			sum += weight(u)
			u++
		}
	}
	return bounds
}

// split is a replication run in partitions: the world that prepared what they share.
type split struct {
	once sync.Once
	prep *world
	left atomic.Int32 // partitions not yet done
}

// workers is the number of workers of the options: one per CPU unless they say.
func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// replicate runs replication rep and returns what it produced.
func (w *world) replicate(rep int) replication {
	w.reset(rep)
	w.run()
	return w.result()
}

// result is what the world's replication, or its partition of it, produced.
func (w *world) result() replication {
	offs := w.collect(w.rep, nil)
	return replication{offs: offs, Replication: Replication{
		Index:        w.rep,
		Events:       w.events,
		Counters:     w.counters,
		Offboardings: len(offs),
		Warnings:     sortedSet(w.warnings),
	}}
}

// combine puts together the partitions of one replication, in the order of their people, into
// what the replication produced: the same whatever the partitions, as each person's draws are
// their own and an event of the instance is counted by one partition. The offboardings go by
// time, and at one time by person.
func combine(parts []replication) replication {
	if len(parts) == 1 {
		return parts[0]
	}
	out := replication{Replication: Replication{Index: parts[0].Index}}
	var warnings []string
	for i := range parts {
		p := &parts[i]
		out.offs = append(out.offs, p.offs...)
		out.Events += p.Events
		out.Counters.add(&p.Counters)
		warnings = append(warnings, p.Warnings...)
	}
	slices.SortStableFunc(out.offs, func(a, b Offboarding) int { return cmp.Compare(a.At, b.At) })
	out.Offboardings = len(out.offs)
	out.Warnings = sortedSet(warnings)
	return out
}

// sortedSet returns the strings sorted, each once, in a new slice.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
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
// whole run, equal to those of a run without shards: shards of its replications, or shards of
// its people, whose parts of a replication are given in the order of the shards.
func Merge(sc *Scenario, parts []*Results) *Results {
	byIndex := map[int][]replication{}
	for _, p := range parts {
		offs := p.Offboardings
		for _, r := range p.Replications {
			n := min(r.Offboardings, len(offs))
			byIndex[r.Index] = append(byIndex[r.Index], replication{offs: offs[:n:n], Replication: r})
			offs = offs[n:]
		}
	}
	var reps []replication
	for _, i := range slices.Sorted(maps.Keys(byIndex)) {
		reps = append(reps, combine(byIndex[i]))
	}
	return gather(sc, reps)
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
	workers := max(1, min(opts.workers(), n))
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
