package sim

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Setting is a setting that a sweep varies, by name, with a value: "portal_session",
// "background_session", "kiro_session", "permission_set.NAME" (a permission set's session
// duration) or "timing.NAME" (a timing parameter of the profile, see TimingNames). Its methods
// get it from a scenario, set it in one, and give its range in a profile.
type Setting struct {
	Name  string
	Value time.Duration
}

// Candidate is one combination of settings of a sweep.
type Candidate []Setting

func (c Candidate) String() string {
	var parts []string
	for _, s := range c {
		parts = append(parts, s.Name+"="+FormatDuration(RoundMillis(s.Value)))
	}
	return strings.Join(parts, " ")
}

// Axis is one setting of a sweep and its candidate values.
type Axis struct {
	Name   string
	Values []time.Duration
}

// Sweep lists the candidates to compare: the full grid of Axes, or Candidates when given.
// Channel and Statistic name the exposure that candidates are compared on (for example any, p95).
type Sweep struct {
	Axes       []Axis
	Candidates []Candidate
	Channel    Channel
	Statistic  string
}

// List returns the sweep's candidates in a fixed order: the explicit list, or the grid with the
// last axis varying fastest.
func (s *Sweep) List() []Candidate {
	if len(s.Candidates) > 0 {
		return s.Candidates
	}
	out := []Candidate{nil}
	for _, a := range s.Axes {
		var next []Candidate
		for _, c := range out {
			for _, v := range a.Values {
				next = append(next, append(append(Candidate(nil), c...), Setting{a.Name, v}))
			}
		}
		out = next
	}
	if len(out) == 1 && len(out[0]) == 0 {
		return nil
	}
	return out
}

// With returns a copy of the scenario with the candidate's settings applied, or an error naming
// a setting that does not exist or a value outside its range for the profile.
func (sc *Scenario) With(c Candidate) (*Scenario, error) {
	cp := *sc
	cp.PermissionSets = append([]PermissionSet(nil), sc.PermissionSets...)
	for _, s := range c {
		if err := s.Set(&cp); err != nil {
			return nil, err
		}
	}
	return &cp, nil
}

// Shard selects the I-th of N shares of a run's work (0 ≤ I < N): replications with index ≡ I
// mod N, or sweep candidates with index ≡ I mod N; or, with People, the I-th of N ranges of
// people of equal size (in the scenario's order), in every replication of a run.
type Shard struct {
	I, N   int
	People bool
}

// Has says whether the shard includes work item k: a replication or a candidate.
func (s Shard) Has(k int) bool { return s.N <= 1 || s.People || k%s.N == s.I }

// Range returns the people of the shard of People among n, lo to hi (excluded): contiguous, about
// n/N of them.
func (s Shard) Range(n int) (lo, hi int) {
	l, h := partition(s.I, max(1, s.N), n)
	return int(l), int(h)
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// RunSweep runs every replication of every candidate (those of the shard, when Options.Shard is
// set) on the workers, and returns one Results per candidate, nil for those outside the shard.
// Every candidate runs with the same seeds, so that differences come from the settings, not chance.
// A candidate's model is compiled when its first replication starts and dropped when its last
// ends, so that a sweep holds the models and worlds of as many candidates as it has workers,
// besides the results. An error is that of the first candidate, in order, that failed.
func RunSweep(ctx context.Context, sc *Scenario, cands []Candidate, opts Options) ([]*Results, error) {
	scs := make([]*Scenario, len(cands))
	for ci, c := range cands {
		s, err := sc.With(c)
		if err != nil {
			return nil, err
		}
		scs[ci] = s
	}
	type item struct{ cand, rep int }
	var items []item
	for ci := range cands {
		if !opts.Shard.Has(ci) {
			continue
		}
		for r := 0; r < sc.Replications; r++ {
			items = append(items, item{ci, r})
		}
	}
	reps := make([][]replication, len(cands))
	running := make([]candidateModel, len(cands))
	for ci := range cands {
		if opts.Shard.Has(ci) {
			reps[ci] = make([]replication, sc.Replications)
			running[ci].left.Store(int64(sc.Replications))
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := parallel(ctx, len(items), opts, func(worlds map[int]*world, k int, progress func(int64)) {
		it := items[k]
		cm := &running[it.cand]
		// The items go by candidate: when one is taken, so were all of the candidates before
		// it, whose compile errors come first.
		cm.once.Do(func() {
			if cm.m, cm.err = compile(scs[it.cand]); cm.err == nil {
				cm.bounds = cm.m.partitions(0, int32(len(cm.m.users)), 1)
			}
		})
		if cm.err != nil {
			cancel()
			return
		}
		w := worlds[it.cand]
		if w == nil {
			// A worker never comes back to a candidate it has left: it keeps the world of one
			// candidate at a time, not one of each.
			clear(worlds)
			w = newWorld(cm.m)
			worlds[it.cand] = w
		}
		w.ctx, w.progress = ctx, progress
		reps[it.cand][it.rep] = w.replicate(it.rep, cm.bounds)
		if cm.left.Add(-1) == 0 { // the candidate's last replication: free its model and world
			cm.m = nil
			delete(worlds, it.cand)
		}
	})
	for ci := range running {
		if running[ci].err != nil {
			return nil, running[ci].err
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]*Results, len(cands))
	for ci := range cands {
		if reps[ci] != nil {
			out[ci] = gather(scs[ci], reps[ci])
		}
	}
	return out, nil
}

// candidateModel is the model of a candidate of a sweep while its replications run.
type candidateModel struct {
	once   sync.Once
	m      *model  // nil once the last replication ended
	bounds []int32 // of the partitions each replication runs in, one after another
	err    error
	left   atomic.Int64 // replications not yet ended
}
