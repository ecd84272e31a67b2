package sim

import "slices"

// pendingMembership is a membership change on its way to the membership view (GRP-1).
type pendingMembership struct {
	user, group int32
	add         bool
}

// entitled says whether the user is entitled to t: directly, or through a group as the membership
// view sees it (APP-1, GRP-1).
func (w *world) entitled(u int32, t target) bool {
	for _, d := range w.direct(u) {
		if d == t {
			return true
		}
	}
	for _, g := range w.view(u) {
		for _, a := range w.groupAssign[g] {
			if a == t {
				return true
			}
		}
	}
	return false
}

// entitledToAny says whether the user is entitled to any target that pred accepts.
func (w *world) entitledToAny(u int32, pred func(target) bool) bool {
	for _, d := range w.direct(u) {
		if pred(d) {
			return true
		}
	}
	for _, g := range w.view(u) {
		for _, a := range w.groupAssign[g] {
			if pred(a) {
				return true
			}
		}
	}
	return false
}

// changeMembership adds or removes the user to or from a group. The change reaches entitlement
// decisions at the membership view's next refresh (GRP-1, GRP-2).
func (w *world) changeMembership(u, g int32, add bool) {
	has := slices.Contains(w.groups(u), g)
	if has == add {
		return
	}
	s := w.own(u)
	if add {
		s.groups = append(s.groups, g)
	} else {
		s.groups = remove(s.groups, g)
	}
	i := int32(len(w.members))
	w.members = append(w.members, pendingMembership{user: u, group: g, add: add})
	w.q.push(nextTick(w.grpPhase, w.prof.GroupMembershipDelay, w.now), evGroupView, i, 0)
}

// membershipSeen applies a membership change to the view the entitlement decisions use.
func (w *world) membershipSeen(pm pendingMembership) {
	s := w.own(pm.user)
	if pm.add && !slices.Contains(s.view, pm.group) {
		s.view = append(s.view, pm.group)
	} else if !pm.add {
		s.view = remove(s.view, pm.group)
	}
	w.entitlementChanged(pm.user)
}

// entitlementChanged lets the user's sessions notice a change of entitlement.
func (w *world) entitlementChanged(u int32) {
	w.settle(u)
	w.reviewApps(u)
	if w.sc.Switches.LastAssignmentEndsRoleSessions {
		for i := len(w.live(u, kindRole)) - 1; i >= 0; i-- {
			if r := w.live(u, kindRole)[i]; !w.entitled(u, w.roles[r].target) {
				w.end(kindRole, r, "")
			}
		}
	}
	w.observe(u)
}

// changeAssignment adds or removes an assignment of a user or a group; seen at once (GRP-1, APP-4).
func (w *world) changeAssignment(u, g int32, t target, add bool) {
	if g >= 0 {
		if add {
			if !slices.Contains(w.groupAssign[g], t) {
				w.groupAssign[g] = append(w.groupAssign[g], t)
			}
		} else {
			w.groupAssign[g] = remove(w.groupAssign[g], t)
		}
		for v := w.lo; v < w.hi; v++ { // the world's people (run.go)
			if slices.Contains(w.view(v), g) {
				w.entitlementChanged(v)
			}
		}
		return
	}
	s := w.own(u)
	if add {
		if !slices.Contains(s.direct, t) {
			s.direct = append(s.direct, t)
		}
	} else {
		s.direct = remove(s.direct, t)
	}
	w.entitlementChanged(u)
}

// removeAssignments removes the user's direct assignments at once and the user from every group,
// which the membership view sees later (CUT-3).
func (w *world) removeAssignments(u int32) {
	s := w.own(u)
	s.direct = s.direct[:0]
	for len(s.groups) > 0 {
		w.changeMembership(u, s.groups[len(s.groups)-1], false)
	}
	w.entitlementChanged(u)
}

// own returns the user's own copies of their assignments and memberships, made before they
// change: until then they are their cohort's, shared by every replication and by the people of a
// population.
func (w *world) own(u int32) *ownLists {
	s := &w.users[u]
	if s.own < 0 {
		s.own = int32(len(w.owns))
		if len(w.owns) < cap(w.owns) {
			w.owns = w.owns[:len(w.owns)+1] // with the buffers of an earlier replication
		} else {
			w.owns = append(w.owns, ownLists{})
		}
		o := &w.owns[s.own]
		co := w.m.cohortOf(u)
		o.direct = append(o.direct[:0], co.direct...)
		o.groups = append(o.groups[:0], co.groups...)
		o.view = append(o.view[:0], co.groups...)
	}
	return &w.owns[s.own]
}

// direct returns the user's direct assignments.
func (w *world) direct(u int32) []target {
	if o := w.users[u].own; o >= 0 {
		return w.owns[o].direct
	}
	return w.m.cohortOf(u).direct
}

// groups returns the groups the user is a member of.
func (w *world) groups(u int32) []int32 {
	if o := w.users[u].own; o >= 0 {
		return w.owns[o].groups
	}
	return w.m.cohortOf(u).groups
}

// view returns the user's groups as the entitlement decisions see them (GRP-1).
func (w *world) view(u int32) []int32 {
	if o := w.users[u].own; o >= 0 {
		return w.owns[o].view
	}
	return w.m.cohortOf(u).groups
}
