package sim

import "time"

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
func (w *world) startJob(u, dev int32, t target, length time.Duration) {
	p := w.devicePortal(u, dev)
	if p < 0 || !w.userActive(u) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	w.counters.JobsStarted++
	i := alloc(&w.jobs, &w.freeJobs)
	ps := &w.portals[p]
	j := job{user: u, portal: p, portalGen: ps.gen, portalGone: ps.end, target: t, start: w.now, finish: w.now + length,
		bgEndedAt: never, endAt: never, live: true, gen: w.jobs[i].gen}
	if w.backgroundOn(t) {
		j.background = true
		j.bgEnd = w.now + w.bgDuration
	}
	w.jobs[i] = j
	w.users[u].jobs = append(w.users[u].jobs, i)
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
	if end != j.endAt {
		j.endAt = end
		j.gen++
		w.q.push(end, evJobEnd, i, j.gen)
	}
}

func (w *world) reviewJobs(u int32) {
	for _, j := range w.users[u].jobs {
		w.reviewJob(j)
	}
}

func (w *world) endJob(i int32) {
	j := &w.jobs[i]
	j.live = false
	j.gen++
	if w.now < j.finish {
		w.counters.JobsKilled++
	}
	j.endAt = w.now
	s := &w.users[j.user]
	w.release(s, &s.jobs, &w.freeJobs, i)
}

// endBackgroundSessions is the admin ending the user's background sessions (all, or one
// application's); their jobs fail at their next check (BG-3).
func (w *world) endBackgroundSessions(u int32, t target) {
	for _, i := range w.users[u].jobs {
		j := &w.jobs[i]
		if j.background && j.bgEndedAt == never && (t == noTarget || j.target == t) {
			j.bgEndedAt = w.now
			w.reviewJob(i)
		}
	}
}

// kiroExtended says whether Kiro sessions are extended now (KIRO-1).
func (w *world) kiroExtended() bool {
	return w.prof.ExtendedSessions && w.sc.Settings.KiroExtendedSessions
}

// openKiro signs in from a Kiro IDE. With extended sessions on, it gets a session of its own that
// lasts the Kiro duration, capped by the AD ticket and the IdP's SessionNotOnOrAfter (KIRO-1,
// KIRO-2); with them off, an ordinary application session on a portal session of the device.
func (w *world) openKiro(u, dev int32, t target) {
	if !w.canSignIn(u) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	if !w.kiroExtended() {
		if w.devicePortal(u, dev) < 0 {
			w.counters.KiroLogins++
		}
		p := w.signIn(u, dev)
		if p < 0 {
			return
		}
		w.openAppSession(u, p, t)
		return
	}
	w.counters.KiroLogins++
	s := &w.users[u]
	src := &w.sc.Source
	d := w.sc.Settings.KiroDuration
	if d == 0 {
		d = w.prof.KiroDefault
	}
	end := w.now + d
	switch src.Kind {
	case ExternalIdP:
		if s.idpSessionEnd <= w.now {
			s.idpSessionEnd = w.now + src.IdPSession
		}
		if src.SessionNotOnOrAfter {
			end = min(end, s.idpSessionEnd)
		}
	case ActiveDirectory:
		ticket := src.TicketLifetime
		if ticket == 0 {
			ticket = w.prof.ADTicketLifetime
		}
		end = min(end, w.now+ticket)
	}
	i := alloc(&w.kiros, &w.freeKiros)
	g := w.kiros[i].gen
	w.kiros[i] = kiroSession{user: u, target: t, start: w.now, end: end, live: true, gen: g}
	s.kiros = append(s.kiros, i)
	s.ends[endsKiro] = min(s.ends[endsKiro], end)
	if s.track >= 0 {
		w.q.push(end, evKiroEnd, i, g)
	}
}

func (w *world) endKiro(i int32) {
	k := &w.kiros[i]
	k.live = false
	k.gen++
	k.end = min(k.end, w.now)
	s := &w.users[k.user]
	w.release(s, &s.kiros, &w.freeKiros, i)
}

// userActionEndsExtended applies what an end session, a disable or a delete does to the user's
// background and Kiro sessions, per the switches (BG-6, KIRO-3).
func (w *world) userActionEndsExtended(u int32, disableOrDelete bool) {
	if disableOrDelete && w.sc.Switches.DisableEndsBackgroundSessions {
		w.endBackgroundSessions(u, noTarget)
	}
	if w.sc.Switches.UserActionsEndKiroSessions {
		s := &w.users[u]
		for i := len(s.kiros) - 1; i >= 0; i-- {
			w.endKiro(s.kiros[i])
		}
	}
}
