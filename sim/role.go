package sim

import (
	"slices"
	"time"
)

// roleSession is a set of role credentials for a permission set in an account; its end is
// their expiry (ROLE-2).
type roleSession struct {
	sessionHead
	device  int32
	target  target
	issued  time.Duration
	console bool
	revoked bool   // CUT-2
	app     target // the application of kind account_access that obtained it (TTI-1), or noTarget
}

// canFederate says whether the user may obtain role credentials (ROLE-1). With the switch
// disable_ends_portal_sessions off, a disabled user with a live portal session still can (UIS-5).
func (w *world) canFederate(u int32) bool {
	s := &w.users[u]
	if s.deleted {
		return false
	}
	return s.enabledIdC || !w.sc.Switches.DisableEndsPortalSessions
}

// canFederateVia says whether the user may obtain role credentials through portal session p of
// generation gen (or a CLI token issued through it): as canFederate says, or while p still acts
// on the user's status it cached before a disable or delete (UIS-11).
func (w *world) canFederateVia(u, p int32, gen uint32) bool {
	return w.canFederate(u) || w.statusCached(p, gen)
}

// isRole says whether t is a permission set in an account.
func (w *world) isRole(t target) bool { return !w.m.isApp(t) }

// issueRole issues role credentials for t, lasting the permission set's duration now (ROLE-2, ROLE-4).
func (w *world) issueRole(u, dev int32, t target, console bool) int32 {
	i := alloc(&w.roles, &w.free[kindRole])
	exp := w.now + w.psDuration[w.m.targetPermSet(t)]
	w.roles[i] = roleSession{sessionHead: sessionHead{user: u, end: exp, live: true, gen: w.roles[i].gen},
		device: dev, target: t, issued: w.now, console: console, app: noTarget}
	w.begin(kindRole, i)
	if w.record != nil && dev >= 0 {
		kind := AuditRoleCredentials
		if console {
			kind = AuditFederate
		}
		w.emit(kind, u, dev, t, exp-w.now)
	}
	return i
}

// federate opens a console role session from the device's portal session (ROLE-1, ROLE-6).
func (w *world) federate(u, dev int32, t target) {
	p := w.devicePortal(u, dev)
	if p < 0 || !w.canFederateVia(u, p, w.portals[p].gen) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		if w.record != nil && p >= 0 {
			w.emitRefused(AuditFederate, u, dev, t)
		}
		return
	}
	w.counters.Federations++
	// ROLE-6: federating again into an account whose console session has expired
	s := &w.users[u]
	if slices.Contains(w.lists.view(s.federated), int32(t)) {
		w.counters.Refederations++
		for _, r := range w.live(u, kindRole) {
			if rs := &w.roles[r]; rs.console && rs.target == t && rs.end > w.now {
				w.counters.Refederations-- // still signed in there: not a re-federation
				break
			}
		}
	} else {
		w.lists.add(&s.federated, int32(t))
	}
	r := w.issueRole(u, dev, t, true)
	if w.record != nil {
		w.emitUse(r, noTarget) // the console's calls
	}
}
