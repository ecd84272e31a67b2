package sim

import "time"

// kiroSession is an extended Kiro session, which lasts its own duration (KIRO-1, KIRO-2).
type kiroSession struct {
	sessionHead
	target target
	start  time.Duration
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
	d := w.sc.Settings.KiroDuration
	if d == 0 {
		d = w.prof.KiroDefault
	}
	if w.sc.Source.Kind == ExternalIdP {
		w.idpSession(u) // KIRO-2: the sign-in is at the IdP
	}
	end := w.sourceCap(u, w.now+d)
	i := alloc(&w.kiros, &w.free[kindKiro])
	w.kiros[i] = kiroSession{sessionHead: sessionHead{user: u, end: end, live: true, gen: w.kiros[i].gen},
		target: t, start: w.now}
	w.begin(kindKiro, i)
}
