package sim

import "time"

// job is a job started in an application of kind jobs, with the background session it runs
// under (BG-1) or, with background sessions off, riding on the portal session (BG-4).
// Its end is when it completes or a check fails it (BG-3, BG-4).
type job struct {
	sessionHead
	portal        int32
	portalGen     uint32
	portalGone    time.Duration
	start, finish time.Duration // finish: when the job would complete
	bgEnd         time.Duration // the background session's end, fixed at creation (BG-5)
	bgEndedAt     time.Duration // when an admin or a disable ended it early; never otherwise
	target        target
	background    bool
}

// backgroundOn says whether jobs of the application get background sessions now (BG-1, BG-5).
func (w *world) backgroundOn(t target) bool {
	if !w.prof.ExtendedSessions {
		return false
	}
	switch w.bgAppOn[t] {
	case 1:
		return true
	case -1:
		return false
	}
	return w.bgOn
}

// setBackgroundSessions turns background sessions on or off for the instance (t == noTarget) or
// for one application; sessions already created keep theirs (BG-1, BG-5).
func (w *world) setBackgroundSessions(t target, on bool) {
	if t == noTarget {
		w.bgOn = on
		return
	}
	if on {
		w.bgAppOn[t] = 1
	} else {
		w.bgAppOn[t] = -1
	}
}

// startJob starts a job of the given length from the device's portal session (BG-1).
func (w *world) startJob(u, dev int32, t target, length time.Duration, scheduled bool) {
	if scheduled {
		// BG-8: only a job a user starts by hand gets a background session; an automated or
		// scheduled workflow runs on credentials of its own, on no session of the user's
		w.counters.JobsStarted++
		return
	}
	p := w.devicePortal(u, dev)
	if p < 0 || !w.portalAdmits(p) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	w.counters.JobsStarted++
	i := alloc(&w.jobs, &w.free[kindJob])
	ps := &w.portals[p]
	j := job{sessionHead: sessionHead{user: u, end: never, live: true, gen: w.jobs[i].gen},
		portal: p, portalGen: ps.gen, portalGone: ps.end, target: t, start: w.now, finish: w.now + length, bgEndedAt: never}
	if w.backgroundOn(t) {
		j.background = true
		j.bgEnd = w.now + w.bgDuration
	}
	w.jobs[i] = j
	w.addLive(u, kindJob, i)
	w.reviewJob(i)
}

// reviewJob computes when the job ends: it completes, or the first check after the session it runs
// under has ended fails it (BG-3); without a background session it rides on the portal session
// (BG-4), and a background session outlives sign-out and the portal session (BG-2).
func (w *world) reviewJob(i int32) {
	j := &w.jobs[i]
	var gone time.Duration
	if j.background {
		gone = min(j.bgEnd, j.bgEndedAt)
	} else {
		gone = j.portalGone
	}
	end := min(j.finish, nextTick(j.start, w.prof.JobFailureCheck, gone))
	if end != j.end {
		j.end = end
		j.gen++
		w.watch(kindJob, i, &j.sessionHead)
	}
}

// reviewJobs recomputes when each of the user's jobs will end.
func (w *world) reviewJobs(u int32) {
	for _, j := range w.live(u, kindJob) {
		w.reviewJob(j)
	}
}

// jobEnded counts the job as killed when it ended before completing (BG-3).
func (w *world) jobEnded(i int32, _ uint32, _ string) {
	if w.now < w.jobs[i].finish {
		w.counters.JobsKilled++
	}
}

// endBackgroundSessions is the admin ending the user's background sessions (all, or one
// application's); their jobs fail at their next check (BG-3).
func (w *world) endBackgroundSessions(u int32, t target) {
	for _, i := range w.live(u, kindJob) {
		j := &w.jobs[i]
		if j.background && j.bgEndedAt == never && (t == noTarget || j.target == t) {
			j.bgEndedAt = w.now
			w.reviewJob(i)
		}
	}
}

// userActionEndsExtended applies what an end session, a disable or a delete does to the user's
// background and Kiro sessions, per the switches (BG-6, KIRO-3).
func (w *world) userActionEndsExtended(u int32, disableOrDelete bool) {
	if disableOrDelete && w.sc.Switches.DisableEndsBackgroundSessions {
		w.endBackgroundSessions(u, noTarget)
	}
	if w.sc.Switches.UserActionsEndKiroSessions {
		for i := len(w.live(u, kindKiro)) - 1; i >= 0; i-- {
			w.end(kindKiro, w.live(u, kindKiro)[i], "")
		}
	}
}
