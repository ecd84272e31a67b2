package sim

import (
	"context"
	"reflect"
	"testing"
)

// Results depend on the seed and the replication index only, never on the number of workers.
func TestWorkersDoNotChangeResults(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "user", "bob", "device", "laptop"),
		e("5m", OpenApp, "user", "bob", "device", "laptop", "app", "q"),
		e("1h", Offboard, "user", "bob"),
		e("1h", RemoveFromGroup, "user", "bob", "group", "platform"),
		e("2h", SignIn, "device", "laptop"),
		offboard("3h", act(DenyUser), act(DisableUser)),
	)
	sc.Replications = 50
	var first *Results
	for _, workers := range []int{1, 2, 7} {
		res, err := Run(context.Background(), sc, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
			continue
		}
		if !reflect.DeepEqual(first, res) {
			t.Errorf("results with %d workers differ from those with 1", workers)
		}
	}
	if first.Offboardings[0].Windows[ChAppNew] == first.Offboardings[2].Windows[ChAppNew] {
		t.Errorf("replications 0 and 1 drew the same membership delay: the streams are not independent")
	}
}
