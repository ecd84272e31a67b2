package sim

import "time"

// samlSession is the session a customer-managed SAML application keeps itself (SAML-1).
type samlSession struct {
	sessionHead
	target target
	start  time.Duration
}

// openSAML opens a SAML application session: the application keeps its own session for its
// configured length (SAML-1).
func (w *world) openSAML(u int32, t target) {
	i := alloc(&w.samls, &w.free[kindSAML])
	end := w.now + w.m.apps[t].SessionDuration
	w.samls[i] = samlSession{sessionHead: sessionHead{user: u, end: end, live: true, gen: w.samls[i].gen},
		target: t, start: w.now}
	w.begin(kindSAML, i)
}
