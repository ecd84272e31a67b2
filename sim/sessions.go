package sim

import "time"

// The kinds of sessions whose natural ends settle finds.
const (
	endsPortal = iota
	endsApp
	endsSAML
	endsRole
	endsKiro
	numEnds
)

// release takes session i off one of the user's lists of live sessions and, for a user not
// tracked, frees its slot for reuse (tracked users' sessions stay, for evidence and timelines).
func (w *world) release(s *userState, list, free *[]int32, i int32) {
	*list = remove(*list, i)
	if s.track < 0 {
		*free = append(*free, i)
	}
}

// remove deletes the first v from s, not keeping order.
func remove[T comparable](s []T, v T) []T {
	for i, x := range s {
		if x == v {
			s[i] = s[len(s)-1]
			return s[:len(s)-1]
		}
	}
	return s
}

// settle ends the user's sessions that have reached their own end by now. For people not
// offboarded, natural ends are not events: nothing watches them, so they are found here, when
// the person next does something, and their slots freed.
func (w *world) settle(u int32) {
	s := &w.users[u]
	e := &s.ends
	if w.now < min(e[endsPortal], e[endsApp], e[endsSAML], e[endsRole], e[endsKiro]) {
		return
	}
	for k := range e {
		if w.now < e[k] {
			continue
		}
		next := never
		list := s.live(k)
		for i := len(*list) - 1; i >= 0; i-- {
			x := (*list)[i]
			if _, end, _ := w.session(k, x); end <= w.now {
				w.endSession(k, x) // a portal session's applications review their checks (APP-2)
			} else {
				next = min(next, end)
			}
		}
		e[k] = next
	}
}

// live returns the user's list of live sessions of a kind.
func (s *userState) live(kind int) *[]int32 {
	switch kind {
	case endsPortal:
		return &s.portals
	case endsApp:
		return &s.apps
	case endsSAML:
		return &s.samls
	case endsRole:
		return &s.roles
	}
	return &s.kiros
}

// session returns the user, the end as things stand, and the generation of a session of a kind.
func (w *world) session(kind int, x int32) (user int32, end time.Duration, gen uint32) {
	switch kind {
	case endsPortal:
		p := &w.portals[x]
		return p.user, p.end, p.gen
	case endsApp:
		a := &w.apps[x]
		return a.user, a.endAt, a.gen
	case endsSAML:
		a := &w.samls[x]
		return a.user, a.end, a.gen
	case endsRole:
		r := &w.roles[x]
		return r.user, r.expiry, r.gen
	}
	k := &w.kiros[x]
	return k.user, k.end, k.gen
}

// endSession ends a session of a kind at its natural end.
func (w *world) endSession(kind int, x int32) {
	switch kind {
	case endsPortal:
		w.endPortal(x, "")
	case endsApp:
		w.endApp(x)
	case endsSAML:
		w.endSAML(x)
	case endsRole:
		w.endRole(x)
	default:
		w.endKiro(x)
	}
}

// endEvent is the event of each kind's natural end, for tracked users.
var endEvent = [numEnds]evKind{endsPortal: evPortalEnd, endsApp: evAppEnd, endsSAML: evSAMLEnd, endsRole: evRoleExpire, endsKiro: evKiroEnd}

// endKind is the kind of session whose natural end an event is.
func endKind(ev evKind) int {
	for k, e := range endEvent {
		if e == ev {
			return k
		}
	}
	panic("sim: not a session's end")
}

// scheduleEnds queues the natural ends of the sessions of a user who has just become tracked.
func (w *world) scheduleEnds(u int32) {
	s := &w.users[u]
	for k := range numEnds {
		for _, x := range *s.live(k) {
			_, end, gen := w.session(k, x)
			w.q.push(end, endEvent[k], x, gen)
		}
	}
	for _, d := range w.m.users[u].devices {
		w.scheduleTokenExpiry(d)
	}
}

// scheduleTokenExpiry queues the expiry of the device's access token, when its owner is tracked:
// the expiry changes nothing but the exposure channels.
func (w *world) scheduleTokenExpiry(dev int32) {
	t := &w.tokens[dev]
	if t.live && w.users[w.m.devices[dev].user].track >= 0 {
		w.q.push(t.expiry, evTokenExpire, dev, t.gen)
	}
}

// alloc returns a slot of *s for a new session: a freed one, or a new one at the end. A reused
// slot keeps its generation, so that events queued for its previous session stay cancelled.
func alloc[T any](s *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	var zero T
	*s = append(*s, zero)
	return int32(len(*s) - 1)
}
