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
	// The partitions are also small enough for their people's state to stay in the processor's
	// caches (see partitions).
	slo, shi := partition(shard, shards, len(m.users))
	var bounds []int32
	if opts.Audit != nil {
		bounds = []int32{slo, shi}
	} else {
		bounds = m.partitions(slo, shi, (opts.workers()+len(idx)-1)/max(1, len(idx)))
	}
	parts := len(bounds) - 1
	if parts > 1 && opts.Progress != nil {
		progress := opts.Progress
		opts.Progress = func(done, total int) { progress(done/parts, total/parts) }
	}
	splits := make([]split, len(idx))
	for k := range splits {
		splits[k].left.Store(int32(parts))
	}
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

// Partitions for locality. An event touches its person's state, sessions and queued events;
// when a partition's people are many, these are scattered over more memory than the
// processor's caches hold and most events wait for memory (at 100,000 people in one partition,
// an event took 2.7 times the CPU time it takes at 1,000). A partition of a few hundred people
// keeps them in the caches. Each partition also walks the timeline and the generated
// offboardings (the instance's events), so partitions are fewer where these are many for the
// people's own events.
const (
	// partitionPeople is the people of a partition run for locality, at most: org-100k (30
	// days, one worker) took 42.0 s of CPU in one partition, 9.7 s in partitions of 1,560
	// people, 7.0 s of 780, 6.9 s of 390 and 7.1 s of 195.
	partitionPeople = 512
	// partitionShare is the least share of a partition's expected events that are its people's
	// own, not the instance's events it walks.
	partitionShare = 16
)

// partitions returns the bounds of the partitions the people [lo, hi) of a replication are run
// in (see balance): at least least of them, so that that many workers share the replication,
// and more for locality, each of about partitionPeople people or fewer, unless the instance's
// events outweigh the people's. Results do not depend on the partitions.
func (m *model) partitions(lo, hi int32, least int) []int32 {
	weight, total := m.weights(lo, hi)
	// the instance's events: the timeline's and the generated offboardings', walked by each
	instance := float64(len(m.events))
	for i := range m.plans {
		instance += float64(m.plans[i].plan.Count)
	}
	return balance(lo, hi, localParts(int(hi-lo), total, instance, least), weight, total)
}

// localParts returns how many partitions people people are run in, expecting events events of
// their own and instance events of the instance, walked by every partition: at least least and
// at most the people, and otherwise as partitions says.
func localParts(people int, events, instance float64, least int) int {
	parts := max(least, (people+partitionPeople-1)/partitionPeople)
	parts = min(parts, max(least, int(events/(partitionShare*(1+instance)))))
	return max(1, min(parts, people))
}

// weights returns the expected events of each person (eventsOf, and one for the person), and
// their total over the people [lo, hi).
func (m *model) weights(lo, hi int32) (weight func(u int32) float64, total float64) {
	weights := make([]float64, len(m.behaviours))
	for i := range m.behaviours {
		b := &m.behaviours[i]
		weights[i] = 1 + eventsOf(b.Behaviour, float64(len(b.dayStarts)), m.sc.Horizon)
	}
	weight = func(u int32) float64 {
		if b := m.users[u].behaviour; b >= 0 {
			return weights[b]
		}
		return 1
	}
	for u := lo; u < hi; u++ {
		total += weight(u)
	}
	return weight, total
}

// balance returns the bounds of parts contiguous partitions of the people [lo, hi), partition p
// being [bounds[p], bounds[p+1]): each with about the same events expected of its people's
// behaviours (weight, of total over them all), not the same number of people, so that the
// workers running them end together (the populations come one after another, the busiest often
// first). Each partition has one person at least. Results do not depend on where the bounds fall.
func balance(lo, hi int32, parts int, weight func(u int32) float64, total float64) []int32 {
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

// replicate runs replication rep in the partitions of bounds, one after another, and returns
// what it produced.
func (w *world) replicate(rep int, bounds []int32) replication {
	w.prepare(rep)
	if len(bounds) == 2 {
		w.start(bounds[0], bounds[1], true)
		w.run()
		return w.result()
	}
	// each partition starts from the replication's stream and warnings as prepare left them,
	// as it does on a world of its own (share), and reports its share of the progress
	pcg, warned, progress := w.pcg, len(w.warnings), w.progress
	defer func() { w.progress = progress }()
	parts := make([]replication, len(bounds)-1)
	for p := range parts {
		if w.ctx != nil && w.ctx.Err() != nil {
			break // interrupted: the run returns the context's error, not these results
		}
		if progress != nil {
			w.progress = func(permille int64) { progress((int64(p)*1000 + permille) / int64(len(parts))) }
		}
		w.pcg, w.warnings = pcg, w.warnings[:warned]
		w.start(bounds[p], bounds[p+1], p == 0)
		w.run()
		parts[p] = w.result()
	}
	return combine(parts)
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
