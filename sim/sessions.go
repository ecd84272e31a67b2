package sim

import "time"

// sessionHead is what a session of every kind has.
type sessionHead struct {
	user int32
	end  time.Duration // its end as things stand; once ended, when it ended
	gen  uint32        // changed by each change of its end, which cancels the events queued before
	live bool
}

// The kinds of sessions.
const (
	kindPortal = iota
	kindApp
	kindSAML
	kindRole
	kindKiro
	kindJob
	numKinds
)

// sessionKind is what the bookkeeping knows of one kind of session.
type sessionKind struct {
	event evKind // the event of a session's end
	// settled says that settle finds the natural ends of the sessions of people not offboarded;
	// otherwise (jobs, whose failures are counted: BG-3) every end is an event.
	settled bool
	slots   func(w *world) int                              // the number of slots
	ended   func(w *world, i int32, gen uint32, why string) // what else its end does, or nil
}

// sessionKinds returns the table of the kinds of sessions, which each world keeps. It is not a
// package variable because it would refer to itself: a portal session's end (portalEnded) reaches
// the bookkeeping that reads the table.
func sessionKinds() [numKinds]sessionKind {
	return [numKinds]sessionKind{
		kindPortal: {event: evPortalEnd, settled: true,
			slots: func(w *world) int { return len(w.portals) },
			ended: (*world).portalEnded},
		kindApp: {event: evAppEnd, settled: true,
			slots: func(w *world) int { return len(w.apps) }},
		kindSAML: {event: evSAMLEnd, settled: true,
			slots: func(w *world) int { return len(w.samls) }},
		kindRole: {event: evRoleExpire, settled: true,
			slots: func(w *world) int { return len(w.roles) }},
		kindKiro: {event: evKiroEnd, settled: true,
			slots: func(w *world) int { return len(w.kiros) }},
		kindJob: {event: evJobEnd,
			slots: func(w *world) int { return len(w.jobs) },
			ended: (*world).jobEnded},
	}
}

// head returns the head of session i of kind k. It is a switch, not an entry of the table, so
// that it inlines: settle calls it for every live session it looks at.
func (w *world) head(k int, i int32) *sessionHead {
	switch k {
	case kindPortal:
		return &w.portals[i].sessionHead
	case kindApp:
		return &w.apps[i].sessionHead
	case kindSAML:
		return &w.samls[i].sessionHead
	case kindRole:
		return &w.roles[i].sessionHead
	case kindKiro:
		return &w.kiros[i].sessionHead
	}
	return &w.jobs[i].sessionHead
}

// begin adds session i of kind k, just created, to its user's live sessions and watches its end.
func (w *world) begin(k int, i int32) {
	h := w.head(k, i)
	s := &w.users[h.user]
	s.live[k] = append(s.live[k], i)
	w.watch(k, i, h)
}

// watch takes note of the end of session i of kind k, whose head is h, as it now stands: settle
// finds it or, for a tracked user (and for every job), an event is queued for it.
func (w *world) watch(k int, i int32, h *sessionHead) {
	kind := &w.kinds[k]
	if kind.settled {
		s := &w.users[h.user]
		s.ends[k] = min(s.ends[k], h.end)
		s.soonest = min(s.soonest, h.end)
		if s.track < 0 {
			return
		}
	}
	w.q.push(h.end, kind.event, i, h.gen)
}

// end ends session i of kind k now, early or at its natural end; why says what ended a portal
// session early ("" at its end). The session leaves its user's live sessions and, for a user not
// tracked, frees its slot for reuse (tracked users' sessions stay, for evidence and timelines).
func (w *world) end(k int, i int32, why string) {
	kind := &w.kinds[k]
	h := w.head(k, i)
	if !h.live {
		return
	}
	gen := h.gen
	h.live = false
	h.gen++
	h.end = min(h.end, w.now)
	s := &w.users[h.user]
	s.live[k] = remove(s.live[k], i)
	if s.track < 0 {
		w.free[k] = append(w.free[k], i)
	}
	if f := kind.ended; f != nil {
		f(w, i, gen, why)
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
	now := w.now
	if now < s.soonest {
		return
	}
	// The ends of sessions on a portal session that ends here change (APP-2): watch lowers soonest.
	s.soonest = never
	soonest := never
	for k := range numKinds {
		if now >= s.ends[k] {
			next := never
			list := &s.live[k]
			for i := len(*list) - 1; i >= 0; i-- {
				x := (*list)[i]
				if end := w.head(k, x).end; end <= now {
					w.end(k, x, "")
				} else {
					next = min(next, end)
				}
			}
			s.ends[k] = next
		}
		soonest = min(soonest, s.ends[k])
	}
	s.soonest = min(s.soonest, soonest)
}

// endKind is the kind of session whose end an event is.
func (w *world) endKind(ev evKind) int {
	for k := range w.kinds {
		if w.kinds[k].event == ev {
			return k
		}
	}
	panic("sim: not a session's end")
}

// scheduleEnds queues the natural ends of the sessions of a user who has just become tracked.
func (w *world) scheduleEnds(u int32) {
	s := &w.users[u]
	for k := range numKinds {
		if !w.kinds[k].settled {
			continue
		}
		for _, x := range s.live[k] {
			h := w.head(k, x)
			w.q.push(h.end, w.kinds[k].event, x, h.gen)
		}
	}
	for d := range w.m.userDevices(u) {
		w.scheduleTokenExpiry(d)
	}
	w.scheduleOnBehalfOf(u)
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
