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
	w.addLive(h.user, k, i)
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
	w.removeLive(h.user, k, i)
	if w.users[h.user].track < 0 {
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
			for i := len(w.live(u, k)) - 1; i >= 0; i-- {
				x := w.live(u, k)[i]
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
	for k := range numKinds {
		if !w.kinds[k].settled {
			continue
		}
		for _, x := range w.live(u, k) {
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

// liveList is a list of int32 in world.lists: a person's live sessions of one kind, the
// accounts they federated into, a device's cached credentials.
type liveList struct {
	at uint32 // the place of its chunk, from 1; 0: none
	n  uint32 // its length << capBits | the log2 of its chunk's capacity
}

// capBits are the bits of liveList.n that give the capacity.
const capBits = 5

// setLen sets the list's length, which its chunk holds.
func (l *liveList) setLen(n int) { l.n = uint32(n)<<capBits | l.n&(1<<capBits-1) }

// live returns user u's live sessions of kind k. Like a slice, what it returns sees the
// sessions' removal in place, and not the list's growth: ranging over it while sessions end
// gives what ranging over a slice would.
func (w *world) live(u int32, k int) []int32 { return w.lists.view(w.users[u].live[k]) }

// addLive adds session i of kind k to user u's live sessions.
func (w *world) addLive(u int32, k int, i int32) { w.lists.add(&w.users[u].live[k], i) }

// removeLive removes session i of kind k from user u's live sessions, the last taking its place.
func (w *world) removeLive(u int32, k int, i int32) {
	l := &w.users[u].live[k]
	s := w.lists.view(*l)
	for j, x := range s {
		if x == i {
			s[j] = s[len(s)-1]
			l.setLen(len(s) - 1)
			return
		}
	}
}

// listPage is the length of a page of sessionLists, and the most the places in one may take.
const listPage = 1 << 16

// sessionLists holds lists of int32 of the world's people (liveList), each in a chunk of a page,
// of a power of two elements: a list takes 8 bytes in a person's state, where a slice would take
// 24. Pages never move, and a chunk left for a larger one is reused only once the event that left
// it is over (release), so that a list seen while it grows stays as it was, as a slice's old array
// does. Pages are kept from one replication to the next.
type sessionLists struct {
	pages [][]int32
	used  int // the pages in use, the last being filled
	fill  int // the next free place of the last page in use
	// free are the chunks free for reuse, by the log2 of their capacity; left, those left during
	// the current event
	free [1 << capBits][]uint32
	left []liveList
}

// reset empties every list, keeping the pages.
func (p *sessionLists) reset() {
	p.used, p.fill = 0, listPage
	for c := range p.free {
		p.free[c] = p.free[c][:0]
	}
	p.left = p.left[:0]
}

// release makes the chunks left during the event that is over free for reuse.
func (p *sessionLists) release() {
	for _, l := range p.left {
		c := l.n & (1<<capBits - 1)
		p.free[c] = append(p.free[c], l.at)
	}
	p.left = p.left[:0]
}

// view returns the list's elements, with its chunk's capacity.
func (p *sessionLists) view(l liveList) []int32 {
	if l.at == 0 {
		return nil
	}
	pg := p.pages[(l.at-1)/listPage]
	pos := (l.at - 1) % listPage
	return pg[pos : pos+l.n>>capBits : pos+1<<(l.n&(1<<capBits-1))]
}

// add appends x to the list, moving it to a chunk twice as large when its own is full.
func (p *sessionLists) add(l *liveList, x int32) {
	s := p.view(*l)
	if len(s) == cap(s) {
		if len(s) >= 1<<(32-capBits)-1 {
			panic("sim: a list of more than 2^27 sessions")
		}
		c := uint32(1) // the log2 of the capacity: 2, then twice the last
		if l.at != 0 {
			c = l.n&(1<<capBits-1) + 1
			p.left = append(p.left, *l)
		}
		at := p.chunk(c)
		copy(p.view(liveList{at: at, n: uint32(len(s))<<capBits | c}), s)
		l.at, l.n = at, uint32(len(s))<<capBits|c
	}
	s = p.view(*l)
	s = s[:len(s)+1]
	s[len(s)-1] = x
	l.setLen(len(s))
}

// chunk returns the place of a new chunk of 2^c elements.
func (p *sessionLists) chunk(c uint32) uint32 {
	if n := len(p.free[c]); n > 0 {
		at := p.free[c][n-1]
		p.free[c] = p.free[c][:n-1]
		return at
	}
	need := 1 << c
	if p.fill+need > listPage {
		// the next page: one of a previous replication when it is long enough
		if p.used == len(p.pages) {
			p.pages = append(p.pages, nil)
		}
		if len(p.pages[p.used]) < need {
			p.pages[p.used] = make([]int32, max(need, listPage))
		}
		p.used++
		p.fill = 0
		if p.used > (1<<32-1)/listPage {
			panic("sim: more live sessions than a list's place can say")
		}
	}
	pos := p.fill
	p.fill = min(listPage, p.fill+need) // a chunk larger than a page has a page to itself
	return uint32((p.used-1)*listPage+pos) + 1
}
