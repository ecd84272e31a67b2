package sim

import (
	"slices"
	"time"
)

type roleSession struct {
	user           int32
	device         int32
	target         target
	issued, expiry time.Duration
	console        bool
	revoked        bool // CUT-2
	live           bool
	gen            uint32
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

func (w *world) isRole(t target) bool { return !w.m.isApp(t) }

// issueRole issues role credentials for t, lasting the permission set's duration now (ROLE-2, ROLE-4).
func (w *world) issueRole(u, dev int32, t target, console bool) int32 {
	i := alloc(&w.roles, &w.freeRoles)
	exp := w.now + w.psDuration[w.m.targetPermSet(t)]
	g := w.roles[i].gen
	w.roles[i] = roleSession{user: u, device: dev, target: t, issued: w.now, expiry: exp, console: console, live: true, gen: g}
	w.users[u].roles = append(w.users[u].roles, i)
	w.users[u].ends[endsRole] = min(w.users[u].ends[endsRole], exp)
	if w.users[u].track >= 0 {
		w.q.push(exp, evRoleExpire, i, g)
	}
	return i
}

func (w *world) endRole(i int32) {
	r := &w.roles[i]
	r.live = false
	r.gen++
	if w.now < r.expiry {
		r.expiry = w.now
	}
	s := &w.users[r.user]
	w.release(s, &s.roles, &w.freeRoles, i)
}

// federate opens a console role session from the device's portal session (ROLE-1, ROLE-6).
func (w *world) federate(u, dev int32, t target) {
	if w.devicePortal(u, dev) < 0 || !w.canFederate(u) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	w.counters.Federations++
	// ROLE-6: federating again into an account whose console session has expired
	s := &w.users[u]
	if slices.Contains(s.federated, t) {
		w.counters.Refederations++
		for _, r := range s.roles {
			if rs := &w.roles[r]; rs.console && rs.target == t && rs.expiry > w.now {
				w.counters.Refederations-- // still signed in there: not a re-federation
				break
			}
		}
	} else {
		s.federated = append(s.federated, t)
	}
	w.issueRole(u, dev, t, true)
}
