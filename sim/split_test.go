package sim_test

import (
	"context"
	"reflect"
	"testing"

	"idcsim/scenarios"
	"idcsim/sim"
)

// Results depend on the scenario only: not on the workers, which split replications by person when
// they outnumber them, nor on shards of the people merged (the default example with two
// replications; an organisation with instance-wide events in testdata/org-partition.yaml).
func TestSameResultsAnySplit(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"example:default", "testdata/org-partition.yaml"} {
		sc, _, err := scenarios.LoadSource(path)
		if err != nil {
			t.Fatal(err)
		}
		sc.Replications = 2
		run := func(opts sim.Options) *sim.Results {
			t.Helper()
			res, err := sim.Run(context.Background(), sc, opts)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		want := run(sim.Options{Workers: 1})
		for _, workers := range []int{2, 3, 7} {
			if got := run(sim.Options{Workers: workers}); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %d workers: %d events, %+v; 1 worker: %d events, %+v", path, workers, got.Events, got.Counters, want.Events, want.Counters)
			}
		}
		for _, n := range []int{2, 5} {
			var parts []*sim.Results
			for i := range n {
				parts = append(parts, run(sim.Options{Workers: 2, Shard: sim.Shard{I: i, N: n, People: true}}))
			}
			if got := sim.Merge(sc, parts); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %d shards of the people, merged: %d events, %+v; unsharded: %d events, %+v", path, n, got.Events, got.Counters, want.Events, want.Counters)
			}
		}
	}
}
