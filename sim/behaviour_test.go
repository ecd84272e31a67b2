package sim

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// orgScenario is n people of one behaviour over the given days, with generated offboardings.
func orgScenario(n, days, offboardings int) *Scenario {
	sc := extendedScenario()
	sc.Users = nil
	sc.Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	sc.Horizon = time.Duration(days) * 24 * time.Hour
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	sc.Behaviours = []Behaviour{{
		Name: "engineer", Location: berlin,
		WorkingDays: [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true},
		DayStart:    9 * time.Hour, DayEnd: 17 * time.Hour, ArrivalSpread: time.Hour, SignOutProbability: 0.3,
		OpenApp:     Activity{PerDay: 4, Targets: []Assignment{{Application: "q"}, {Application: "wiki"}}},
		Federate:    Activity{PerDay: 2, Targets: []Assignment{{Account: "prod", PermissionSet: "Admin"}}},
		CLI:         Activity{PerDay: 3, Targets: []Assignment{{Account: "prod", PermissionSet: "Long"}}},
		Jobs:        Activity{PerDay: 0.2, Targets: []Assignment{{Application: "studio"}}},
		JobDuration: Dist{Kind: LogNormal, A: 6 * time.Hour, Sigma: 1},
		Kiro:        "kiro",
	}}
	sc.Populations = []Population{{Name: "eng", Count: n, Behaviour: "engineer", Groups: []string{"platform"},
		Assignments: []Assignment{{Application: "wiki"}, {Application: "studio"}, {Application: "kiro"}, {Account: "prod", PermissionSet: "Long"}},
		Devices:     []Device{{Name: "laptop", Kind: Browser}, {Name: "term", Kind: CLI, Browser: "laptop"}, {Name: "ide", Kind: KiroIDE}}}}
	sc.Offboardings = []OffboardingPlan{{Count: offboardings, From: 24 * time.Hour, To: sc.Horizon - 24*time.Hour, Population: "eng",
		PlaybookName: "disable", Playbook: []Step{{Event: Event{Action: DisableUser}}}}}
	return sc
}

// People work on their working days, in their time zone, and generated offboardings pick
// distinct people at random times in the window.
func TestBehaviours(t *testing.T) {
	t.Parallel()
	sc := orgScenario(30, 14, 5)
	sc.Replications = 3
	res := runScenario(t, sc)
	if len(res.Offboardings) != 15 {
		t.Fatalf("%d offboardings, want 5 in each of 3 replications", len(res.Offboardings))
	}
	for r := 0; r < 3; r++ {
		seen := map[string]bool{}
		for _, o := range res.Offboardings[r*5 : r*5+5] {
			if seen[o.User] {
				t.Errorf("replication %d offboards %s twice", r, o.User)
			}
			seen[o.User] = true
			if o.At < 24*time.Hour || o.At > 13*24*time.Hour {
				t.Errorf("offboarding at %v, outside the window", o.At)
			}
		}
	}
	if res.Offboardings[0].User == res.Offboardings[5].User && res.Offboardings[0].At == res.Offboardings[5].At {
		t.Errorf("replications 0 and 1 drew the same offboarding")
	}
	// 30 people, 10 working days, one sign-in a day when the portal session (8h) has ended:
	// between 300 and 300 + a few silent reuses.
	c := res.Counters
	if perRep := c.SignInPrompts / 3; perRep < 250 || perRep > 310 {
		t.Errorf("%d sign-in prompts per replication, want about 300 (30 people × 10 working days)", perRep)
	}
	if c.Federations == 0 || c.CLILogins == 0 || c.JobsStarted == 0 || c.KiroLogins == 0 {
		t.Errorf("some activity never happened: %+v", c)
	}
}

// Working days start at 9:00 local time, through a daylight saving change (Berlin, 29 March 2026).
func TestWorkingDaysFollowTimeZone(t *testing.T) {
	t.Parallel()
	sc := orgScenario(1, 35, 0)
	m, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	starts := m.behaviours[0].dayStarts
	if len(starts) != 25 { // 5 weeks of 5 working days
		t.Fatalf("%d working days, want 25", len(starts))
	}
	for _, s := range starts {
		local := sc.Start.Add(s).In(sc.Behaviours[0].Location)
		if local.Hour() != 9 || local.Minute() != 0 || local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
			t.Errorf("a working day starts at %v", local)
		}
	}
}

// Generated people and offboardings are drawn from the replication's own stream: the worker
// count never changes them.
func TestBehavioursDeterministic(t *testing.T) {
	t.Parallel()
	sc := orgScenario(40, 10, 4)
	sc.Replications = 6
	a, err := Run(context.Background(), sc, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), sc, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("results differ between 1 and 3 workers")
	}
}

// BenchmarkOrganisation runs one replication of an organisation of each size over 30 days, to
// show that the cost grows linearly in people × days.
func BenchmarkOrganisation(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			sc := orgScenario(n, 30, 50)
			var events int64
			b.ReportAllocs()
			for b.Loop() {
				res, err := Run(context.Background(), sc, Options{Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				events += res.Events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events")
		})
	}
}

// A generated offboarding's steps act on the person drawn, on their own device of the step's
// name (UIS-3: signing out ends that device's portal session at once).
func TestGeneratedOffboardingDevices(t *testing.T) {
	t.Parallel()
	// endedAt counts the portal sessions live at the offboarding, and those that ended at it
	endedAt := func(res *Results) (live, ended int) {
		for _, o := range res.Offboardings {
			for _, sp := range o.Sessions {
				if sp.Kind == "portal" && sp.Start < o.At {
					live++
					if sp.End == o.At {
						ended++
					}
				}
			}
		}
		return live, ended
	}
	sc := orgScenario(20, 7, 5)
	sc.Replications = 4
	sc.Offboardings[0].Playbook = nil
	if live, ended := endedAt(runScenario(t, sc)); live == 0 || ended == live {
		t.Fatalf("without a playbook: %d of %d live portal sessions ended at the offboarding; the test cannot tell", ended, live)
	}
	sc.Offboardings[0].Playbook = []Step{{Event: Event{Action: SignOut, Device: "laptop"}}}
	if live, ended := endedAt(runScenario(t, sc)); ended != live {
		t.Errorf("signing out ended %d of the %d portal sessions live at the offboarding", ended, live)
	}
}

// Background setting changes are instance actions: no user needed (BG-5).
func TestBackgroundSettingActionsRun(t *testing.T) {
	t.Parallel()
	sc := extendedScenario(e("0s", SignIn, "device", "laptop"), offboard("1h"))
	sc.Events = append(sc.Events, Event{At: h("2h"), Action: SetBackgroundSessionDuration, Duration: time.Hour},
		Event{At: h("2h"), Action: DisableBackgroundSessions}, Event{At: h("3h"), Action: EnableBackgroundSessions, Application: "studio"})
	runScenario(t, sc)
}

// Progress is reported in thousandths of a replication as simulated time advances, never goes
// back, and ends at the total.
func TestProgress(t *testing.T) {
	t.Parallel()
	sc := orgScenario(300, 30, 2)
	sc.Replications = 2
	var calls, last, total int
	_, err := Run(context.Background(), sc, Options{Workers: 1, Progress: func(done, tot int) {
		if done < last {
			t.Errorf("progress went back from %d to %d", last, done)
		}
		calls, last, total = calls+1, done, tot
	}})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2000 || last != 2000 || calls < 4 {
		t.Errorf("%d calls, last %d/%d; want several calls ending at 2000/2000", calls, last, total)
	}
}

// EV-2: a person is offboarded at most once in a replication. Three entries (two of population
// eng, one of everyone) ask for every one of the 8 people not offboarded by the timeline, so
// every draw must take a different person; one more entry finds nobody left and says so.
func TestOffboardingsDrawDistinctPeople(t *testing.T) {
	t.Parallel()
	sc := orgScenario(9, 7, 3)
	sc.Replications = 20
	plan := sc.Offboardings[0]
	everyone := plan
	everyone.Population, everyone.Count = "", 2
	second := plan
	// the everyone entry comes first in the file: eng's entries must still find their people
	sc.Offboardings = []OffboardingPlan{everyone, plan, second}
	sc.Events = []Event{{At: 2 * time.Hour, Action: Offboard, User: PopulationUser("eng", 4)}}
	res := runScenario(t, sc)
	per := map[int]map[string]bool{}
	for _, o := range res.Offboardings {
		if per[o.Replication] == nil {
			per[o.Replication] = map[string]bool{}
		}
		if per[o.Replication][o.User] {
			t.Errorf("replication %d offboards %s twice", o.Replication, o.User)
		}
		per[o.Replication][o.User] = true
	}
	for r := range sc.Replications {
		// 2 + 3 + 3 drawn and 1 scripted: all 9 people, each once
		if len(per[r]) != 9 {
			t.Errorf("replication %d offboards %d people, want 9", r, len(per[r]))
		}
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}

	sc.Offboardings = append(sc.Offboardings, everyone)
	res = runScenario(t, sc)
	if len(res.Offboardings) != 9*sc.Replications {
		t.Errorf("%d offboardings, want still 9 in each of %d replications", len(res.Offboardings), sc.Replications)
	}
	if want := "offboardings entry 4: only 0 of 2 people could be drawn who are offboarded nowhere else (EV-2)"; !slices.Contains(res.Warnings, want) {
		t.Errorf("warnings %q, want %q", res.Warnings, want)
	}
}

// EV-2: the timeline offboarding one user twice is refused by the engine too.
func TestScriptedOffboardedTwiceRefused(t *testing.T) {
	t.Parallel()
	sc := orgScenario(2, 3, 0)
	u := PopulationUser("eng", 1)
	sc.Events = []Event{{At: time.Hour, Action: Offboard, User: u}, {At: 2 * time.Hour, Action: Offboard, User: u}}
	if _, err := Run(context.Background(), sc, Options{}); err == nil || !strings.Contains(err.Error(), "a second time (EV-2)") {
		t.Errorf("Run = %v, want the second offboarding refused", err)
	}
}
