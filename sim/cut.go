package sim

import "time"

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
	w.q.push(w.now+w.uniform(w.prof.DenyPropagation), evDeny, u, s.denyGen)
}

// revokeRoleSessions adds a deny on aws:TokenIssueTime before now to the permission set (CUT-2).
func (w *world) revokeRoleSessions(ps int32, u int32) {
	i := int32(len(w.revokes))
	w.revokes = append(w.revokes, pendingRevoke{permSet: ps, before: w.now, user: u})
	w.q.push(w.now+w.uniform(w.prof.DenyPropagation), evRevoke, i, 0)
}

// revokeSeen blocks every role session of the permission set issued before the cut-off, whoever
// holds it; the other users' sessions are collateral (CUT-2).
func (w *world) revokeSeen(rv pendingRevoke) {
	for i := range w.roles {
		r := &w.roles[i]
		if !r.live || r.end <= w.now || r.revoked || r.issued >= rv.before || w.m.targetPermSet(r.target) != rv.permSet {
			continue
		}
		r.revoked = true
		if r.user != rv.user {
			w.counters.CollateralRoleSessions++
		}
		w.end(kindRole, int32(i), "")
		w.observe(r.user)
	}
}
