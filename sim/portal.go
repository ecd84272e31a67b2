package sim

import "time"

type portalSession struct {
	user, device int32
	start, end   time.Duration // end is fixed at sign-in (UIS-1)
	ended        bool
	endedAt      time.Duration
	why          string // what ended it early, with the rule
	gen          uint32
}

// userActive says whether IAM Identity Center treats the user as active: neither disabled nor deleted.
func (w *world) userActive(u int32) bool {
	s := &w.users[u]
	return s.enabledIdC && !s.deleted
}

// canSignIn says whether a new portal session can start (UIS-5, PROV-1).
func (w *world) canSignIn(u int32) bool {
	s := &w.users[u]
	if !w.userActive(u) {
		return false
	}
	return w.sc.Source.Kind == IdentityCenter || s.enabledIdP
}

// portalAlive says whether the portal session p, as it was at generation gen, lives now.
func (w *world) portalAlive(p int32, gen uint32) bool {
	return p >= 0 && w.portals[p].gen == gen && w.portalLive(p)
}

func (w *world) portalLive(p int32) bool {
	if p < 0 {
		return false
	}
	ps := &w.portals[p]
	return !ps.ended && w.now < ps.end
}

// devicePortal returns the device's live portal session, or -1.
func (w *world) devicePortal(u, dev int32) int32 {
	if p := w.devPortal[dev]; p >= 0 && w.portalLive(p) {
		return p
	}
	return -1
}

// signIn starts a portal session on the device (UIS-1) and returns it, or -1 when refused.
// A device that already has a live portal session keeps it.
func (w *world) signIn(u, dev int32) int32 {
	if p := w.devicePortal(u, dev); p >= 0 {
		return p
	}
	if !w.canSignIn(u) {
		w.counters.RefusedActions++
		return -1
	}
	s := &w.users[u]
	src := &w.sc.Source
	end := w.now + w.portalDuration // UIS-1, UIS-2: the duration in force at sign-in
	switch src.Kind {
	case ExternalIdP:
		// UIS-7: a live IdP session signs the user in without a prompt.
		if s.idpSessionEnd > w.now {
			w.counters.SilentSignIns++
		} else {
			w.counters.SignInPrompts++
			s.idpSessionEnd = w.now + src.IdPSession
		}
		// UIS-6: SessionNotOnOrAfter caps the portal session at the IdP session's end.
		if src.SessionNotOnOrAfter && s.idpSessionEnd < end {
			end = s.idpSessionEnd
		}
	case ActiveDirectory:
		w.counters.SignInPrompts++
		// UIS-8: without session management the duration is fixed; with it, the ticket lifetime caps it.
		if !w.prof.ADSessionManagement {
			end = w.now + w.prof.ADFixedPortal
		} else {
			ticket := src.TicketLifetime
			if ticket == 0 {
				ticket = w.prof.ADTicketLifetime
			}
			if w.now+ticket < end {
				end = w.now + ticket
			}
		}
	default:
		w.counters.SignInPrompts++
	}
	p := alloc(&w.portals, &w.freePortals)
	w.portals[p] = portalSession{user: u, device: dev, start: w.now, end: end, gen: w.portals[p].gen}
	s.portals = append(s.portals, p) // UIS-10: no cap on sessions per user
	s.ends[endsPortal] = min(s.ends[endsPortal], end)
	w.devPortal[dev] = p
	if s.track >= 0 {
		w.q.push(end, evPortalEnd, p, w.portals[p].gen)
	}
	return p
}

// endPortal ends a portal session now and lets its dependants notice (APP-2, CLI-3).
func (w *world) endPortal(p int32, why string) {
	ps := &w.portals[p]
	if ps.ended {
		return
	}
	ps.ended = true
	ps.why = why
	ps.endedAt = min(w.now, ps.end)
	gen := ps.gen
	ps.gen++
	u := ps.user
	s := &w.users[u]
	w.release(s, &s.portals, &w.freePortals, p)
	if w.devPortal[ps.device] == p {
		w.devPortal[ps.device] = -1
	}
	if !w.sc.Switches.CLITokenSurvivesSessionEnd {
		for _, d := range w.m.users[u].devices {
			if t := &w.tokens[d]; t.live && t.portal == p && t.portalGen == gen {
				t.live = false
				t.gen++
			}
		}
	}
	// the application sessions and jobs on it learn when it ended
	for _, a := range s.apps {
		if x := &w.apps[a]; x.portal == p && x.portalGen == gen {
			x.portalGone = min(x.portalGone, w.now)
		}
	}
	for _, j := range s.jobs {
		if x := &w.jobs[j]; x.portal == p && x.portalGen == gen {
			x.portalGone = min(x.portalGone, w.now)
		}
	}
	w.reviewApps(u)
	w.reviewJobs(u)
}

// signOut ends the device's portal session at once (UIS-3).
func (w *world) signOut(u, dev int32) {
	if p := w.devicePortal(u, dev); p >= 0 {
		w.endPortal(p, "signed out (UIS-3)")
	}
}

// endSessions is the admin's "end session": all the user's portal sessions, or one device's (UIS-4).
func (w *world) endSessions(u, dev int32) {
	if w.sc.Source.Kind == ActiveDirectory && !w.prof.ADSessionManagement {
		// UIS-8: no session management for Active Directory in this profile.
		w.warn("end_sessions has no effect: Active Directory has no session management in profile " + w.prof.Name + " (UIS-8)")
		return
	}
	s := &w.users[u]
	for i := len(s.portals) - 1; i >= 0; i-- {
		if p := s.portals[i]; dev < 0 || w.portals[p].device == dev {
			w.endPortal(p, "ended by the admin (UIS-4)")
		}
	}
	if dev < 0 {
		w.userActionEndsExtended(u, false)
	}
}

// disable disables the user in IAM Identity Center or at the IdP.
func (w *world) disable(u int32, where Where) {
	s := &w.users[u]
	if where == AtIdP {
		// PROV-1: the IdP (or the directory) refuses every new authentication at once; live
		// sessions are untouched.
		s.enabledIdP = false
		s.idpSessionEnd = w.now
		w.scheduleProvisioning(u)
		return
	}
	w.disableInIdentityCenter(u, "the user was disabled (UIS-5)")
	// PROV-3: a user still active at the IdP will be enabled again by the next provisioning run.
	w.scheduleProvisioning(u)
}

func (w *world) disableInIdentityCenter(u int32, why string) {
	s := &w.users[u]
	if !s.enabledIdC {
		return
	}
	s.enabledIdC = false
	if s.inactiveSince == never {
		s.inactiveSince = w.now
	}
	// UIS-5: disabling ends the portal sessions, unless the switch says it does not.
	if w.sc.Switches.DisableEndsPortalSessions {
		for i := len(s.portals) - 1; i >= 0; i-- {
			w.endPortal(s.portals[i], why)
		}
	}
	w.userActionEndsExtended(u, true)
	w.reviewApps(u)
}

func (w *world) enable(u int32, where Where) {
	s := &w.users[u]
	if where == AtIdP {
		s.enabledIdP = true
		w.scheduleProvisioning(u)
		return
	}
	if s.deleted || s.enabledIdC {
		return
	}
	s.enabledIdC = true
	s.inactiveSince = never
	w.reviewApps(u)
}

// deleteUser removes the user: portal sessions end and sign-in is refused (UIS-5).
func (w *world) deleteUser(u int32) {
	s := &w.users[u]
	if s.deleted {
		return
	}
	s.deleted = true
	if s.inactiveSince == never {
		s.inactiveSince = w.now
	}
	for i := len(s.portals) - 1; i >= 0; i-- {
		w.endPortal(s.portals[i], "the user was deleted (UIS-5)")
	}
	w.userActionEndsExtended(u, true)
	w.reviewApps(u)
}
