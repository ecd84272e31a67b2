package sim

import "time"

// kiroSession is an extended Kiro session (KIRO-1).
type kiroSession struct {
	user       int32
	target     target
	start, end time.Duration
	live       bool
	gen        uint32
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
