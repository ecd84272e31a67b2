package sim

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// splitScenario is an organisation whose people interact through the instance only: periodic
// provisioning, a group's assignment taken away and given back, a revoke_role_sessions on the
// timeline and in the offboardings' playbook, settings changed, and generated offboardings.
func splitScenario() *Scenario {
	sc := orgScenario(60, 8, 6)
	sc.Source = IdentitySource{Kind: ExternalIdP, Provisioning: ProvisioningPeriodic, ProvisioningInterval: 40 * time.Minute}
	sc.Populations[0].Assignments = append(sc.Populations[0].Assignments, Assignment{Account: "prod", PermissionSet: "Admin"})
	sc.Offboardings[0].Playbook = []Step{
		{Event: Event{Action: DisableUser, Where: AtIdP}},
		{After: 5 * time.Minute, Event: Event{Action: RevokeRoleSessions, PermissionSet: "Long"}},
		{After: 10 * time.Minute, Event: Event{Action: RemoveFromGroup, Group: "platform"}},
	}
	sc.Events = []Event{
		{At: 36 * time.Hour, Action: RemoveAssignment, Group: "platform", Account: "prod", PermissionSet: "Admin"},
		{At: 60 * time.Hour, Action: AddAssignment, Group: "platform", Account: "prod", PermissionSet: "Admin"},
		{At: 83 * time.Hour, Action: RevokeRoleSessions, PermissionSet: "Admin"},
		{At: 96 * time.Hour, Action: SetPortalSession, Duration: 4 * time.Hour},
		{At: 97 * time.Hour, Action: SetPermissionSetDuration, PermissionSet: "Long", Duration: 2 * time.Hour},
	}
	return sc
}

// runSplit runs replication rep in parts partitions at once, as run does on that many workers.
func runSplit(m *model, rep, parts int) replication {
	prep := newWorld(m)
	prep.prepare(rep)
	out := make([]replication, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			w := newWorld(m)
			w.share(prep)
			lo, hi := partition(p, parts, len(m.users))
			w.start(lo, hi, p == 0)
			w.run()
			out[p] = w.result()
		})
	}
	wg.Wait()
	return combine(out)
}

// A replication split by person into partitions, each running its people and every
// instance-wide event, gives what the whole replication gives: every person's draws are their
// own, an instance-wide event counts once, and the offboardings go in one order.
func TestSplitReplication(t *testing.T) {
	t.Parallel()
	sc := splitScenario()
	m, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	for rep := range 2 {
		whole := newWorld(m).replicate(rep, []int32{0, int32(len(m.users))})
		// the test can tell: the instance-wide events touched people, the offboardings happened
		if whole.Counters.CollateralRoleSessions == 0 || whole.Offboardings != 6 {
			t.Fatalf("replication %d: %d collateral role sessions, %d offboardings; want some and 6", rep, whole.Counters.CollateralRoleSessions, whole.Offboardings)
		}
		for _, parts := range []int{2, 3, 7, 60} {
			if got := runSplit(m, rep, parts); !reflect.DeepEqual(got, whole) {
				t.Errorf("replication %d in %d partitions: %d events, %+v; whole: %d events, %+v", rep, parts, got.Events, got.Counters, whole.Events, whole.Counters)
			}
		}
	}
}

// Every person's stream is their own: seeded apart from the replication's and from each other's.
func TestPersonStreams(t *testing.T) {
	t.Parallel()
	seen := map[uint64]bool{}
	for rep := range 3 {
		for u := range int32(1000) {
			s := personSeed(rep, u)
			if seen[s] || s == uint64(rep) {
				t.Fatalf("replication %d, person %d: seed %#x seen before", rep, u, s)
			}
			seen[s] = true
		}
	}
}

// An interrupt stops a long replication within 65,536 events, not at its end: the run returns the
// context's error (a replication of 5,000 people over 30 days has about 1.25 million events, 19
// progress reports).
func TestInterruptStopsReplication(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := 0
	_, err := Run(ctx, orgScenario(5000, 30, 0), Options{Workers: 1, Progress: func(done, total int) {
		reports++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) || reports > 2 {
		t.Errorf("got %v after %d progress reports, want context.Canceled after 1 or 2", err, reports)
	}
}

// The partitions of a replication hold about the same expected events, not the same people: a
// population of busy engineers followed by one of quiet staff, three times as many, split in
// two at about where the events are halved.
func TestBalancePartitions(t *testing.T) {
	sc := orgScenario(100, 8, 0)
	quiet := sc.Behaviours[0]
	quiet.Name, quiet.OpenApp.PerDay, quiet.Federate.PerDay, quiet.CLI.PerDay, quiet.Jobs.PerDay = "quiet", 0.5, 0, 0, 0
	sc.Behaviours = append(sc.Behaviours, quiet)
	staff := sc.Populations[0]
	staff.Name, staff.Count, staff.Behaviour = "staff", 300, "quiet"
	sc.Populations = append(sc.Populations, staff)
	m, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	// Events a working day (eventsOf's figures): an engineer 2.5 + 1.1 × (4 + 2 + 3 + 0.2) =
	// 12.62, staff 2.5 + 1.1 × 0.5 = 3.05; over the 6 working days of the 8 (both plus 1):
	// 76.72 and 19.3. All: 100 × 76.72 + 300 × 19.3 = 13,462; half 6,731 is reached at about
	// 87.7 engineers, so the first partition has 88 people, the second 312. (400 people need one
	// partition for locality: two are asked for, as for two workers.)
	if b := m.partitions(0, 400, 2); b[0] != 0 || b[1] != 88 || b[2] != 400 {
		t.Errorf("bounds %v, want [0 88 400]", b)
	}
	// as many partitions as people: one each, however the weights fall
	b := m.partitions(10, 15, 5)
	for p := range 5 {
		if b[p+1]-b[p] != 1 {
			t.Errorf("bounds %v: partition %d is not one person", b, p)
		}
	}
	// and a shard's range is split within it
	if b := m.partitions(200, 400, 3); b[0] != 200 || b[3] != 400 || !(b[0] < b[1] && b[1] < b[2] && b[2] < b[3]) {
		t.Errorf("bounds %v within [200, 400)", b)
	}
}

// One world can run a replication's partitions one after another (as a sweep does): each starts
// from the replication's stream as prepared, so the result is the whole replication's.
func TestSequentialPartitions(t *testing.T) {
	t.Parallel()
	m, err := compile(splitScenario())
	if err != nil {
		t.Fatal(err)
	}
	n := int32(len(m.users))
	w := newWorld(m) // one world for every run, as a sweep's worker keeps one
	for rep := range 2 {
		whole := newWorld(m).replicate(rep, []int32{0, n})
		for _, parts := range []int{2, 5, 60} {
			if got := w.replicate(rep, m.partitions(0, n, parts)); !reflect.DeepEqual(got, whole) {
				t.Errorf("replication %d in %d partitions one after another: %d events, %+v; whole: %d events, %+v", rep, parts, got.Events, got.Counters, whole.Events, whole.Counters)
			}
		}
	}
}

// A replication runs in partitions of partitionPeople people at most, for locality, unless the
// instance's events would outweigh the people's own in each.
func TestPartitionsForLocality(t *testing.T) {
	sc := orgScenario(2000, 8, 0)
	sc.Events = nil
	m, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	count := func(b []int32) int { return len(b) - 1 }
	// 2,000 people in partitions of 512 at most: 4 (2,000 / 512 = 3.9); the people's events
	// (76.72 each over the 8 days, as in TestBalancePartitions) are 153,440, and no instance events
	if got := count(m.partitions(0, 2000, 1)); got != 4 {
		t.Errorf("%d partitions of 2,000 people, want 4", got)
	}
	// more when the workers need more
	if got := count(m.partitions(0, 2000, 6)); got != 6 {
		t.Errorf("%d partitions of 2,000 people for 6 workers, want 6", got)
	}
	// a shard of 600 people: 2
	if got := count(m.partitions(1400, 2000, 1)); got != 2 {
		t.Errorf("%d partitions of 600 people, want 2", got)
	}
	// never more than the people
	if got := count(m.partitions(0, 3, 5)); got != 3 {
		t.Errorf("%d partitions of 3 people, want 3", got)
	}
	// 3,000 events on the timeline, walked by every partition: 153,440 / (16 × 3,001) = 3.2, so 3
	sc.Events = make([]Event, 3000)
	for i := range sc.Events {
		sc.Events[i] = Event{At: time.Duration(i) * time.Minute, Action: SetPortalSession, Duration: 8 * time.Hour}
	}
	if m, err = compile(sc); err != nil {
		t.Fatal(err)
	}
	if got := count(m.partitions(0, 2000, 1)); got != 3 {
		t.Errorf("%d partitions of 2,000 people with 3,000 timeline events, want 3", got)
	}
	if got := count(m.partitions(0, 2000, 5)); got != 5 {
		t.Errorf("%d partitions for 5 workers with 3,000 timeline events, want 5", got)
	}
}

// A replication run in partitions one after another reports its progress across them: each
// partition's share of the thousandths, in order, not each partition from 0 to 1,000 again.
func TestSequentialPartitionsProgress(t *testing.T) {
	t.Parallel()
	// 2,000 people over 30 days: about 480,000 events (the README's scaling table has 239,548 for
	// 1,000 people), so each of 4 partitions reports at its 65,536th event, partway through
	m, err := compile(orgScenario(2000, 30, 0))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(m)
	var reports []int64
	w.progress = func(permille int64) { reports = append(reports, permille) }
	w.replicate(0, m.partitions(0, 2000, 4))
	if len(reports) < 4 || !slices.IsSorted(reports) || reports[len(reports)-1] <= 750 {
		t.Errorf("progress reports %v: want one at least from each of 4 partitions, in order, the last past 750", reports)
	}
}
