package sim

import (
	"slices"
	"time"
)

// pendingRevoke is a TokenIssueTime deny on its way through IAM (CUT-2).
type pendingRevoke struct {
	permSet int32
	before  time.Duration
	user    int32 // the user the revocation was aimed at, or -1
}

// setDeny adds or removes the deny-all policy keyed on the user; it takes effect once IAM has
// propagated it (CUT-1).
func (w *world) setDeny(u int32, deny bool) {
	s := &w.users[u]
	s.denyWant = deny
	s.denyGen++
	w.q.push(w.now+uniform(w.rngOf(u), w.prof.DenyPropagation), evDeny, u, s.denyGen)
}

// revokeRoleSessions adds a deny on aws:TokenIssueTime before now to the permission set (CUT-2).
// It acts on everyone's sessions, so every partition of the replication makes it, with the same
// draw from the replication's stream, even when a person's offboarding makes it.
func (w *world) revokeRoleSessions(ps int32, u int32) {
	i := int32(len(w.revokes))
	w.revokes = append(w.revokes, pendingRevoke{permSet: ps, before: w.now, user: u})
	w.q.push(w.now+w.uniform(w.prof.DenyPropagation), evRevoke, i, 0)
}

// revokeSeen blocks every role session of the permission set issued before the cut-off, whoever
// holds it; the other users' sessions are collateral (CUT-2). It ends each person's sessions in
// the order of the person's own list, which no one else's sessions change.
func (w *world) revokeSeen(rv pendingRevoke) {
	hit := func(i int32) bool {
		r := &w.roles[i]
		return r.live && r.end > w.now && !r.revoked && r.issued < rv.before && w.m.targetPermSet(r.target) == rv.permSet
	}
	users := w.scratch[:0]
	for i := range int32(len(w.roles)) {
		if hit(i) {
			users = append(users, w.roles[i].user)
		}
	}
	slices.Sort(users)
	users = slices.Compact(users)
	w.scratch = users
	var sessions []int32
	for _, u := range users {
		sessions = append(sessions[:0], w.live(u, kindRole)...)
		for _, i := range sessions {
			if !hit(i) {
				continue
			}
			w.roles[i].revoked = true
			if u != rv.user {
				w.counters.CollateralRoleSessions++
			}
			w.end(kindRole, i, "")
			w.observe(u)
		}
	}
}
