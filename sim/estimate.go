package sim

import (
	"math"
	"runtime"
	"time"
)

// Work is an estimate of what running a scenario takes.
type Work struct {
	// Events is the number of events the engine would process, over every replication run.
	Events float64
	// PeakBytes is the memory the run would take at its peak: the compiled scenario, the
	// worlds of the replications running at once, and the offboardings' results with the
	// report made of them.
	PeakBytes float64
}

// Figures of the estimate, measured on the built-in examples (idcsim run example:NAME
// --replications 1) and on org-100k, also scaled down to 20,000 people and up to 70,000
// offboardings. The events overshoot every example with people described by behaviours by 4% to
// 21% (org-100k: 27.6 million for 23.9 million counted). The memory per person is what the heap
// holds live halfway through org-100k (100,000 people, two workers: 91 MiB), rounded up: the
// command sets the Go runtime's memory limit to the estimate for large runs, so that the
// collector keeps the heap near what is live instead of letting it double, and the peak is then
// about the estimate.
const (
	// eventsPerDay is the events of a person's working day besides the activities: its start
	// and its end.
	eventsPerDay = 2.5
	// eventsPerActivity is the events of one activity (open_app, federate, cli, jobs, and an
	// application's act_as_user) with the sessions it starts and ends; most natural ends are
	// settled without an event.
	eventsPerActivity = 1.1
	// eventsPerWorkloadHour is the events of an hour of a CLI workload: its credential
	// refreshes (0.2 to 1.2 an hour in the examples).
	eventsPerWorkloadHour = 1.5
	// eventsPerTimelineEvent is the events of a timeline event or a playbook step, with the
	// session ends it brings (1.1 to 1.6 in the examples).
	eventsPerTimelineEvent = 2
	// baseBytes is the memory of the program and its report (20 MB for the quickstart example).
	baseBytes = 32 << 20
	// modelBytesPerPerson is the memory of a person in the compiled model: 24 bytes, and 12 a
	// device (46 bytes a person in org-100k; a sweep holds one model for each candidate being
	// run).
	modelBytesPerPerson = 60
	// bytesPerListedUser is the memory of a user the scenario lists, in the scenario and in the
	// model, where the people of a population share theirs.
	bytesPerListedUser = 500
	// stateBytesPerPerson is the memory of a person's state in a running replication, one copy
	// for all of its partitions: the record of 168 bytes, the random stream of 16, the tokens of
	// their devices (64 bytes each; 1.4 a person in org-100k), and what grows from them (278 bytes
	// a person in org-100k).
	stateBytesPerPerson = 290
	// worldBytesPerPerson is the memory of the rest of a person in the world of a running
	// replication, in the partition that runs them: their sessions, lists of sessions, and queued
	// events (597 bytes a person in org-100k).
	worldBytesPerPerson = 600
	// bytesPerTimelineEvent is the memory of a timeline event in the scenario and its model, an
	// allowance: the node cap keeps timelines under about 100,000 events.
	bytesPerTimelineEvent = 500
	// bytesPerOffboarding is the memory of an offboarding: the sessions the world keeps of the
	// offboarded user, the results, the statistics made of them and its part of results.json
	// and exposures.csv, about 1.8 KB on disk (5 KB a person for org-100k with 70,000
	// offboardings, 6.6 KB for 200,000 people all offboarded).
	bytesPerOffboarding = 7000
)

// Estimate estimates the work of running the scenario's replications, or, when cands are given,
// of running them for each candidate (RunSweep): only those of opts.Shard, opts.Workers at once
// (the partitions of one replication count as one, as they share the people's state; a shard of
// the people runs its share of the events and sessions, with every person's state).
// It runs nothing: the events come from the people's behaviours (working days over the horizon,
// their activities' rates, CLI workloads) and the timeline, the memory from the people, the
// workers and the offboardings.
func Estimate(sc *Scenario, cands []Candidate, opts Options) Work {
	perRep := eventsPerTimelineEvent * float64(timelineSteps(sc))
	people := len(sc.Users)
	offboardings := 0
	for _, e := range sc.Events {
		if e.Action == Offboard {
			offboardings++
		}
	}
	for _, o := range sc.Offboardings {
		offboardings += o.Count
	}
	behaviours := map[string]*Behaviour{}
	for i := range sc.Behaviours {
		behaviours[sc.Behaviours[i].Name] = &sc.Behaviours[i]
	}
	days := map[string]float64{} // working days of each behaviour, as they are costly to count
	for _, p := range sc.Populations {
		people += p.Count
		b := behaviours[p.Behaviour]
		if b == nil {
			continue
		}
		d, ok := days[b.Name]
		if !ok {
			d = float64(len(dayStarts(b, sc.Start, sc.Horizon)))
			days[b.Name] = d
		}
		perRep += float64(p.Count) * eventsOf(b, d, sc.Horizon)
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	reps := float64(sc.Replications)
	if !opts.Shard.People {
		reps = float64(shareOf(opts.Shard, sc.Replications))
	}
	models := 1.0
	if len(cands) > 0 {
		reps = float64(sc.Replications * shareOf(opts.Shard, len(cands)))
		// RunSweep holds the models of the candidates being run, one a worker at most
		models = float64(max(1, min(workers, shareOf(opts.Shard, len(cands)))))
	}
	share := 1.0 // of the people, and of their events and offboardings
	if opts.Shard.People && opts.Shard.N > 1 {
		lo, hi := opts.Shard.Range(people)
		share = float64(hi-lo) / float64(max(1, people))
	}
	// A replication's people are run in partitions (localParts); run splits one among the
	// workers when the replications are fewer.
	least := 1
	if len(cands) == 0 {
		least = int(math.Ceil(float64(workers) / max(1, reps)))
	}
	mine := int(math.Round(share * float64(people)))
	parts := localParts(mine, perRep*share, float64(timelineSteps(sc)), least)
	// the replications under way hold every person's state, the partitions running their
	// people's world
	worlds := min(float64(workers), reps)
	running := min(float64(workers), reps*float64(parts))
	return Work{
		Events: perRep * reps * share,
		PeakBytes: baseBytes +
			models*(modelBytesPerPerson*float64(people)+bytesPerListedUser*float64(len(sc.Users))+bytesPerTimelineEvent*float64(len(sc.Events))) +
			worlds*stateBytesPerPerson*float64(people) +
			running*worldBytesPerPerson*math.Ceil(float64(mine)/float64(parts)) +
			bytesPerOffboarding*float64(offboardings)*reps*share,
	}
}

// timelineSteps counts the timeline's events and the steps of the playbooks they and the
// generated offboardings carry out, in one replication.
func timelineSteps(sc *Scenario) int {
	n := len(sc.Events)
	for _, e := range sc.Events {
		n += len(e.Playbook)
	}
	for _, o := range sc.Offboardings {
		n += o.Count * (1 + len(o.Playbook))
	}
	return n
}

// shareOf is the number of the n work items that the shard runs.
func shareOf(s Shard, n int) int {
	if s.N <= 1 {
		return n
	}
	if s.I >= n {
		return 0
	}
	return (n - s.I + s.N - 1) / s.N
}

// eventsOf estimates the events of a person of behaviour b over days working days of a horizon:
// what Estimate counts, and what the partitions of a replication balance.
func eventsOf(b *Behaviour, days float64, horizon time.Duration) float64 {
	perDay := eventsPerDay + eventsPerActivity*(b.OpenApp.PerDay+b.Federate.PerDay+b.CLI.PerDay+b.Jobs.PerDay)
	if b.CLIWorkload != nil {
		perDay += eventsPerWorkloadHour * float64(b.DayEnd-b.DayStart) / float64(time.Hour)
	}
	events := days * perDay
	if ob := b.ActAsUser; ob != nil {
		// TTI-1: an application acts as the person around the clock, every day
		events += eventsPerActivity * ob.PerDay * float64(horizon) / float64(24*time.Hour)
	}
	return events
}
