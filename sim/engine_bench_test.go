package sim

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"
)

// busyScenario is n users working 20 days: each day they sign in, open the application, federate,
// log in with the CLI and run a workload, and sign out; a tenth of them are offboarded on day 10.
func busyScenario(n int) *Scenario {
	sc := testScenario()
	sc.Horizon = 21 * 24 * time.Hour
	sc.Users = nil
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("u%d", i)
		sc.Users = append(sc.Users, User{Name: name, Groups: []string{"platform"},
			Assignments: []Assignment{{Application: "wiki"}, {Account: "prod", PermissionSet: "Long"}},
			Devices:     []Device{{Name: "laptop", Kind: Browser}, {Name: "term", Kind: CLI}}})
	}
	day := 24 * time.Hour
	for d := 0; d < 20; d++ {
		for i := 0; i < n; i++ {
			u := fmt.Sprintf("u%d", i)
			at := time.Duration(d)*day + 8*time.Hour + time.Duration(i%60)*time.Minute
			ev := func(off time.Duration, a Action, f ...string) {
				x := e("0s", a, append([]string{"user", u}, f...)...)
				x.At = at + off
				sc.Events = append(sc.Events, x)
			}
			ev(0, SignIn, "device", "laptop")
			ev(5*time.Minute, OpenApp, "device", "laptop", "app", "q")
			ev(6*time.Minute, OpenApp, "device", "laptop", "app", "wiki")
			ev(10*time.Minute, Federate, "device", "laptop", "account", "prod", "ps", "Admin")
			ev(20*time.Minute, CLILogin, "device", "term")
			ev(21*time.Minute, StartCLIWorkload, "device", "term", "account", "prod", "ps", "Long")
			if d == 10 && i%10 == 0 {
				ev(3*time.Hour, Offboard, "playbook")
				sc.Events[len(sc.Events)-1].Playbook = []Step{{Event: Event{Action: DenyUser, User: u}},
					{After: time.Minute, Event: Event{Action: RemoveAssignments, User: u}},
					{After: time.Minute, Event: Event{Action: DisableUser, User: u}}}
			}
			ev(9*time.Hour, StopCLIWorkload, "device", "term")
			ev(9*time.Hour+time.Minute, SignOut, "device", "laptop")
		}
	}
	slices.SortStableFunc(sc.Events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	return sc
}

// BenchmarkReplication runs replications of a busy organisation on one reused world, as a worker
// does, and reports events per second and allocations per event (zero in the steady state, apart
// from the offboardings' results).
func BenchmarkReplication(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			m, err := compile(busyScenario(n))
			if err != nil {
				b.Fatal(err)
			}
			w := newWorld(m)
			w.reset(0)
			w.run() // grow the world's slices once
			var events int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				w.reset(i)
				w.run()
				events += w.events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events")
		})
	}
}

// Once a world has grown, a replication allocates nothing per event.
func TestReplicationDoesNotAllocatePerEvent(t *testing.T) {
	m, err := compile(busyScenario(50))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(m)
	w.reset(0)
	w.run()
	rep := 1
	allocs := testing.AllocsPerRun(3, func() {
		w.reset(rep)
		w.run()
		rep++
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations for %d events", allocs, w.events)
	}
}
