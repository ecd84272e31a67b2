package sim

import "time"

type samlSession struct {
	user       int32
	target     target
	start, end time.Duration
	live       bool
	gen        uint32
}

// openSAML opens a SAML application session: the application keeps its own session for its
// configured length (SAML-1).
func (w *world) openSAML(u int32, t target) {
	i := alloc(&w.samls, &w.freeSAMLs)
	end := w.now + w.m.apps[t].SessionDuration
	g := w.samls[i].gen
	w.samls[i] = samlSession{user: u, target: t, start: w.now, end: end, live: true, gen: g}
	w.users[u].samls = append(w.users[u].samls, i)
	w.users[u].ends[endsSAML] = min(w.users[u].ends[endsSAML], end)
	if w.users[u].track >= 0 {
		w.q.push(end, evSAMLEnd, i, g)
	}
}

func (w *world) endSAML(i int32) {
	a := &w.samls[i]
	a.live = false
	a.gen++
	a.end = min(a.end, w.now)
	s := &w.users[a.user]
	w.release(s, &s.samls, &w.freeSAMLs, i)
}
