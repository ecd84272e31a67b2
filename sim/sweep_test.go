package sim

import (
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The grid lists every combination, the last axis fastest.
func TestSweepGrid(t *testing.T) {
	t.Parallel()
	s := Sweep{Axes: []Axis{{"portal_session", []time.Duration{time.Hour, 8 * time.Hour}}, {"permission_set.Admin", []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour}}}}
	got := s.List()
	if len(got) != 6 || got[1].String() != "portal_session=1h permission_set.Admin=2h" || got[5].String() != "portal_session=8h permission_set.Admin=4h" {
		t.Errorf("grid %v", got)
	}
}

// A candidate's settings apply to a copy and respect the profile's ranges (UIS-1, ROLE-2).
func TestScenarioWith(t *testing.T) {
	t.Parallel()
	sc := testScenario()
	c, err := sc.With(Candidate{{"portal_session", 2 * time.Hour}, {"permission_set.Long", 4 * time.Hour}, {"timing.app_session_check", time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.PortalSession != 2*time.Hour || c.PermissionSets[1].SessionDuration != 4*time.Hour || c.Profile.AppSessionCheck != time.Hour {
		t.Errorf("settings not applied: %+v", c.Settings)
	}
	if sc.Settings.PortalSession != 8*time.Hour || sc.PermissionSets[1].SessionDuration != 12*time.Hour || sc.Profile.AppSessionCheck != 30*time.Minute {
		t.Error("the original scenario changed")
	}
	for _, bad := range []Candidate{{{"portal_session", time.Minute}}, {{"permission_set.Long", 13 * time.Hour}}, {{"permission_set.Nope", time.Hour}}, {{"colour", time.Hour}}} {
		if _, err := sc.With(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Shards merged give the results of the whole run, through a JSON round trip as between machines.
func TestShardsMerge(t *testing.T) {
	t.Parallel()
	sc := orgScenario(60, 7, 6)
	sc.Replications = 7
	whole, err := Run(context.Background(), sc, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Results
	for i := 0; i < 3; i++ {
		part, err := Run(context.Background(), sc, Options{Workers: 1, Shard: Shard{I: i, N: 3}})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(part)
		if err != nil {
			t.Fatal(err)
		}
		var back Results
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, &back)
	}
	merged := Merge(sc, []*Results{parts[2], parts[0], parts[1]})
	if !reflect.DeepEqual(merged, whole) {
		t.Errorf("merged shards differ from the whole run: %d vs %d offboardings, %d vs %d events",
			len(merged.Offboardings), len(whole.Offboardings), merged.Events, whole.Events)
	}
}

// Results break down by replication: each replication run once, in order, and its events,
// counters and offboardings add up to the run's.
func TestReplicationsAddUp(t *testing.T) {
	t.Parallel()
	sc := orgScenario(60, 7, 6)
	sc.Replications = 5
	res, err := Run(context.Background(), sc, Options{Workers: 2, Shard: Shard{I: 1, N: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var events int64
	var counters Counters
	next := 0 // the first offboarding of the replication
	for k, r := range res.Replications {
		if want := 1 + 2*k; r.Index != want { // shard 1/2 runs replications 1 and 3
			t.Errorf("replication %d has index %d, want %d", k, r.Index, want)
		}
		if r.Offboardings != 6 { // orgScenario's 6 offboardings per replication
			t.Errorf("replication %d measured %d offboardings, want 6", r.Index, r.Offboardings)
		}
		for _, o := range res.Offboardings[next : next+r.Offboardings] {
			if o.Replication != r.Index {
				t.Errorf("an offboarding of replication %d among those of %d", o.Replication, r.Index)
			}
		}
		next += r.Offboardings
		events += r.Events
		counters.add(&r.Counters)
	}
	if len(res.Replications) != 2 || next != len(res.Offboardings) || events != res.Events || counters != res.Counters {
		t.Errorf("%d replications with %d offboardings, %d events, %+v; the run has %d offboardings, %d events, %+v",
			len(res.Replications), next, events, counters, len(res.Offboardings), res.Events, res.Counters)
	}
}

// A sweep runs every candidate with the same seeds; a candidate's results equal a plain run of
// the scenario with its settings. ROLE-2: longer permission sets leave longer role exposure.
func TestRunSweep(t *testing.T) {
	t.Parallel()
	sc := orgScenario(40, 7, 4)
	sc.Replications = 3
	// The disable ends the portal sessions (UIS-5, table T1's reading), so that role exposure is
	// the role sessions already issued, which the permission set's duration bounds.
	sc.Switches.DisableEndsPortalSessions = true
	sw := Sweep{Axes: []Axis{{"permission_set.Long", []time.Duration{time.Hour, 12 * time.Hour}}}}
	cands := sw.List()
	got, err := RunSweep(context.Background(), sc, cands, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cands {
		alone, _ := sc.With(c)
		want, err := Run(context.Background(), alone, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		want.Scenario = got[i].Scenario
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("candidate %v differs from a plain run", c)
		}
	}
	worst := func(r *Results) (m time.Duration) {
		for _, o := range r.Offboardings {
			m = max(m, o.Windows[ChRoleExisting].Length)
		}
		return m
	}
	if worst(got[0]) > time.Hour || worst(got[1]) <= time.Hour {
		t.Errorf("role exposure %v with 1h sets, %v with 12h", worst(got[0]), worst(got[1]))
	}
	sharded, err := RunSweep(context.Background(), sc, cands, Options{Shard: Shard{I: 1, N: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if sharded[0] != nil || !reflect.DeepEqual(sharded[1].Offboardings, got[1].Offboardings) {
		t.Error("shard 1/2 of the sweep should run the second candidate only")
	}
}

// sweepPeakHeap runs a sweep of n candidates of sc on 2 workers and returns the most heap in
// use, after a collection, seen at the end of each candidate's replication and at the end.
func sweepPeakHeap(t *testing.T, sc *Scenario, n int) uint64 {
	t.Helper()
	cands := make([]Candidate, n)
	for i := range cands { // permission set durations from 1h, a minute apart
		cands[i] = Candidate{{"permission_set.Long", time.Hour + time.Duration(i)*time.Minute}}
	}
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	runtime.GC()
	last := 0
	res, err := RunSweep(context.Background(), sc, cands, Options{Workers: 2, Progress: func(done, total int) {
		if done/1000 > last { // a replication ended
			last = done / 1000
			sample()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	sample()
	runtime.KeepAlive(res)
	return peak
}

// A sweep frees each candidate's model and world when its replications end: it holds those of
// as many candidates as it has workers, so that ten times the candidates take little more memory,
// only their results.
func TestSweepMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("a sweep of 200 candidates")
	}
	// Not parallel: the heap measured is this test's alone.
	sc := orgScenario(2000, 2, 1)
	sc.Replications = 1
	small, large := sweepPeakHeap(t, sc, 20), sweepPeakHeap(t, sc, 200)
	t.Logf("peak heap: %d KB with 20 candidates, %d KB with 200", small>>10, large>>10)
	// Measured on a 2-core machine: 5.8 MB with 20 candidates, 6.8 MB with 200 (1.2 times);
	// when every candidate's model was kept to the end, 19 MB and 113 MB (6 times). A model of
	// 2,000 people is about 0.5 MB; with a heap B of the rest, keeping m bytes a candidate
	// gives (B + 200m)/(B + 20m), over 3 as soon as m > B/140, about 40 KB here: a tenth of a
	// model. What a candidate's results take (one offboarding, 5 KB) stays far below that.
	if large > 3*small {
		t.Errorf("peak heap %d KB with 200 candidates, over 3 times the %d KB of 20", large>>10, small>>10)
	}
}

// A scenario that does not compile fails the sweep with the first candidate's error, whatever
// the workers, and runs nothing after it.
func TestRunSweepCompileError(t *testing.T) {
	t.Parallel()
	sc := orgScenario(20, 3, 1)
	sc.Events = append(sc.Events, Event{At: time.Hour, Action: DisableUser, User: "nobody"})
	sw := Sweep{Axes: []Axis{{"permission_set.Long", []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour}}}}
	cands := sw.List()
	for _, workers := range []int{1, 3} {
		var done int
		res, err := RunSweep(context.Background(), sc, cands, Options{Workers: workers, Progress: func(d, _ int) { done = d }})
		if err == nil || !strings.Contains(err.Error(), `unknown user "nobody"`) || res != nil {
			t.Errorf("%d workers: results %v, error %v, want the unknown user", workers, res, err)
		}
		if done > 3*1000 { // at most each worker's item, ended at once
			t.Errorf("%d workers: %d thousandths of the work done after the error", workers, done)
		}
	}
}
