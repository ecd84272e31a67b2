package sim

import "time"

// appSession is a session of an AWS managed application (APP-1); its end is the next check
// that finds it invalid (APP-2, APP-3).
type appSession struct {
	sessionHead
	portal          int32
	portalGen       uint32        // the portal session's generation when opened
	portalGone      time.Duration // when the portal session ends or ended (APP-2)
	target          target
	start           time.Duration
	unentitledSince time.Duration // APP-3: when the user stopped being entitled, as seen; -1 when entitled
	statusFrom      time.Duration // UIS-11: its checks see a change of the user's status from its portal session's refresh on
}

// isManagedApp says whether t is an AWS managed application (one of kind jobs included).
func (w *world) isManagedApp(t target) bool {
	if !w.m.isApp(t) {
		return false
	}
	k := w.m.apps[t].Kind
	return k == AWSManaged || k == Jobs
}

// openApp opens an application session from the device's portal session (APP-1, SAML-1), or a
// Kiro session from a Kiro IDE.
func (w *world) openApp(u, dev int32, t target) {
	if w.m.apps[t].Kind == AccountAccess {
		w.counters.RefusedActions++ // TTI-1: it acts as users from its server; nobody opens it
		return
	}
	if w.m.apps[t].Kind == Kiro && w.m.devices[dev].kind == KiroIDE {
		w.openKiro(u, dev, t)
		return
	}
	p := w.devicePortal(u, dev)
	if p < 0 || !w.portalAdmits(p) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	if w.m.apps[t].Kind == SAML {
		w.openSAML(u, t)
		return
	}
	w.openAppSession(u, p, t)
}

// openAppSession opens a session of application t on portal session p (APP-1); its checks
// decide its end (APP-2, APP-3).
func (w *world) openAppSession(u, p int32, t target) {
	i := alloc(&w.apps, &w.free[kindApp])
	ps := &w.portals[p]
	w.apps[i] = appSession{sessionHead: sessionHead{user: u, end: never, live: true, gen: w.apps[i].gen},
		portal: p, portalGen: ps.gen, portalGone: ps.end, target: t, start: w.now, unentitledSince: -1}
	if w.statusCached(p, ps.gen) {
		w.apps[i].statusFrom = ps.refresh // UIS-11
	}
	w.addLive(u, kindApp, i)
	w.reviewApp(i)
}

// closeApp is the user signing out of an application: its sessions end (SAML-2).
func (w *world) closeApp(u int32, t target) {
	for i := len(w.live(u, kindApp)) - 1; i >= 0; i-- {
		if a := w.live(u, kindApp)[i]; w.apps[a].target == t {
			w.end(kindApp, a, "")
		}
	}
	for i := len(w.live(u, kindSAML)) - 1; i >= 0; i-- {
		if a := w.live(u, kindSAML)[i]; w.samls[a].target == t {
			w.end(kindSAML, a, "")
		}
	}
}

// reviewApps recomputes when each of the user's application sessions will end.
func (w *world) reviewApps(u int32) {
	for _, a := range w.live(u, kindApp) {
		w.reviewApp(a)
	}
}

// reviewApp computes when the application session's periodic checks will end it, and schedules
// that one check. Checks that would find nothing are never scheduled.
func (w *world) reviewApp(i int32) {
	a := &w.apps[i]
	// APP-2: the session checks back every period from its own start, and ends at the first
	// check after its portal session has ended or the user stopped being active, as its portal
	// session sees it (UIS-11).
	gone := a.portalGone
	if s := max(w.users[a.user].inactiveSince, a.statusFrom); s < gone {
		gone = s
	}
	end := nextTick(a.start, w.prof.AppSessionCheck, gone)
	// APP-3: the entitlement is re-evaluated hourly from the start, as the membership view sees it.
	if w.entitled(a.user, a.target) {
		a.unentitledSince = -1
	} else {
		if a.unentitledSince < 0 {
			a.unentitledSince = w.now
		}
		if e := nextTick(a.start, w.prof.AppEntitlementCheck, a.unentitledSince); e < end {
			end = e
		}
	}
	if end != a.end {
		a.end = end
		a.gen++
		w.watch(kindApp, i, &a.sessionHead)
	}
}
