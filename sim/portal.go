package sim

import "time"

// portalSession is a session of the AWS access portal; its end is fixed at sign-in (UIS-1).
type portalSession struct {
	sessionHead
	device int32
	start  time.Duration
	why    string // what ended it early, with the rule
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

// portalLive says whether portal session p lives now: not ended, and before its end (UIS-1).
func (w *world) portalLive(p int32) bool {
	if p < 0 {
		return false
	}
	ps := &w.portals[p]
	return ps.live && w.now < ps.end
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
	if w.sc.Source.Kind == ExternalIdP && w.idpSession(u) {
		w.counters.SilentSignIns++ // UIS-7: a live IdP session signs the user in without a prompt
	} else {
		w.counters.SignInPrompts++
	}
	end := w.now + w.portalDuration // UIS-1, UIS-2: the duration in force at sign-in
	if w.sc.Source.Kind == ActiveDirectory && !w.prof.ADSessionManagement {
		end = w.now + w.prof.ADFixedPortal // UIS-8: without session management the duration is fixed
	} else {
		end = w.sourceCap(u, end)
	}
	p := alloc(&w.portals, &w.free[kindPortal])
	w.portals[p] = portalSession{sessionHead: sessionHead{user: u, end: end, live: true, gen: w.portals[p].gen},
		device: dev, start: w.now}
	w.devPortal[dev] = p
	w.begin(kindPortal, p) // UIS-10: no cap on sessions per user
	return p
}

// idpSession makes sure the user has a live session at the IdP, starting one when there is none,
// and reports whether there was one already (UIS-7).
func (w *world) idpSession(u int32) bool {
	s := &w.users[u]
	if s.idpSessionEnd > w.now {
		return true
	}
	s.idpSessionEnd = w.now + w.sc.Source.IdPSession
	return false
}

// sourceCap caps the end of a portal or Kiro session starting now as the identity source does:
// at the IdP session's end when the IdP sends SessionNotOnOrAfter, or always in profile 2022-10
// (UIS-6, KIRO-2), at the Kerberos
// ticket lifetime for Active Directory (UIS-8, KIRO-2).
func (w *world) sourceCap(u int32, end time.Duration) time.Duration {
	src := &w.sc.Source
	switch src.Kind {
	case ExternalIdP:
		if src.SessionNotOnOrAfter || w.prof.IdPCapAlways {
			end = min(end, w.users[u].idpSessionEnd)
		}
	case ActiveDirectory:
		ticket := src.TicketLifetime
		if ticket == 0 {
			ticket = w.prof.ADTicketLifetime
		}
		end = min(end, w.now+ticket)
	}
	return end
}

// portalEnded lets the dependants of portal session p, ended as generation gen, notice
// (APP-2, CLI-3).
func (w *world) portalEnded(p int32, gen uint32, why string) {
	ps := &w.portals[p]
	ps.why = why
	u := ps.user
	s := &w.users[u]
	if w.devPortal[ps.device] == p {
		w.devPortal[ps.device] = -1
	}
	// CLI-3: the access tokens issued through it stay usable to their own expiry, but no longer
	// than cli_revocation after the session's end; or die with it.
	for _, d := range w.m.users[u].devices {
		if t := &w.tokens[d]; t.live && t.portal == p && t.portalGen == gen && !t.fixed {
			if !w.sc.Switches.CLITokenSurvivesSessionEnd {
				t.drop()
				continue
			}
			if bound := ps.end + w.prof.CLIRevocation; bound < t.expiry {
				t.expiry = bound
				w.scheduleTokenExpiry(d)
			}
		}
	}
	// the application sessions and jobs on it learn when it ended
	for _, a := range s.live[kindApp] {
		if x := &w.apps[a]; x.portal == p && x.portalGen == gen {
			x.portalGone = min(x.portalGone, w.now)
		}
	}
	for _, j := range s.live[kindJob] {
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
		w.end(kindPortal, p, "signed out (UIS-3)")
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
	for i := len(s.live[kindPortal]) - 1; i >= 0; i-- {
		if p := s.live[kindPortal][i]; dev < 0 || w.portals[p].device == dev {
			w.end(kindPortal, p, "ended by the admin (UIS-4)")
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

// disableInIdentityCenter disables the user in IAM Identity Center: new sign-ins are refused,
// and the live portal sessions end or go on as the switch says (UIS-5).
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
		for i := len(s.live[kindPortal]) - 1; i >= 0; i-- {
			w.end(kindPortal, s.live[kindPortal][i], why)
		}
	}
	w.userActionEndsExtended(u, true)
	w.revokeExchangedTokens(u) // TTI-4
	w.reviewApps(u)
}

// enable enables the user in IAM Identity Center or at the IdP, whose provisioning then carries
// it over (PROV-2).
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
	for i := len(s.live[kindPortal]) - 1; i >= 0; i-- {
		w.end(kindPortal, s.live[kindPortal][i], "the user was deleted (UIS-5)")
	}
	w.userActionEndsExtended(u, true)
	w.revokeExchangedTokens(u) // TTI-4
	w.reviewApps(u)
	if s.enabledIdP && w.sc.Switches.ProvisioningRecreatesDeletedUsers {
		w.scheduleProvisioning(u) // PROV-5: the source still has the user
	}
}
