package sim

import "time"

// portalSession is a session of the AWS access portal; its end is fixed at sign-in (UIS-1).
type portalSession struct {
	sessionHead
	device int32
	why    int32 // what ended it early, with the rule: its index in world.reasons (0: nothing)
	start  time.Duration
	// refresh is the refresh at which the last change deferred by UIS-11 reached or reaches it
	// (0: none)
	refresh time.Duration
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
		if w.record != nil && w.signInReachesAWS(u) {
			w.emitRefused(AuditSignIn, u, dev, noTarget)
		}
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
	if w.record != nil {
		w.emit(AuditSignIn, u, dev, noTarget, end-w.now)
	}
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

// reason returns the index of why in w.reasons, the texts of what ended portal sessions early,
// adding it the first time: a few texts for every session of a run.
func (w *world) reason(why string) int32 {
	if len(w.reasons) == 0 {
		w.reasons = append(w.reasons, "")
	}
	for i, r := range w.reasons {
		if r == why {
			return int32(i)
		}
	}
	w.reasons = append(w.reasons, why)
	return int32(len(w.reasons) - 1)
}

// portalEnded lets the dependants of portal session p, ended as generation gen, notice
// (APP-2, CLI-3).
func (w *world) portalEnded(p int32, gen uint32, why string) {
	ps := &w.portals[p]
	if why != "" {
		ps.why = w.reason(why) // else its end was natural, or set with its reason (UIS-11)
	}
	u := ps.user
	if w.devPortal[ps.device] == p {
		w.devPortal[ps.device] = -1
	}
	// CLI-3: the access tokens issued through it stay usable to their own expiry, but no longer
	// than cli_revocation after the session's end; or die with it.
	for d := range w.m.userDevices(u) {
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
	for _, a := range w.live(u, kindApp) {
		if x := &w.apps[a]; x.portal == p && x.portalGen == gen {
			x.portalGone = min(x.portalGone, w.now)
		}
	}
	for _, j := range w.live(u, kindJob) {
		if x := &w.jobs[j]; x.portal == p && x.portalGen == gen {
			x.portalGone = min(x.portalGone, w.now)
		}
	}
	w.reviewApps(u)
	w.reviewJobs(u)
}

// deferToRefresh is UIS-11: in a profile whose portal sessions cache the user's status for
// portal_status_cache (one hour in 2022-10), a disable or delete in IAM Identity Center and an
// admin's end of session reach the live portal session p only at its next refresh, counted from
// its start: "their existing IAM Identity Center sign in session will continue for up to an hour
// ... During this time, the user can initiate new IAM Identity Center application and IAM role
// sessions". The application sessions on p see the change at that refresh too (APP-2). end, when
// not empty, says why p ends at the refresh. It reports false when the profile has no cache: the
// change applies at once.
func (w *world) deferToRefresh(p int32, end string) bool {
	cache := w.prof.PortalStatusCache
	if cache <= 0 {
		return false
	}
	ps := &w.portals[p]
	if w.now >= ps.refresh {
		ps.refresh = nextTick(ps.start, cache, w.now)
		w.q.push(ps.refresh, evPortalRefresh, p, ps.gen)
		for _, a := range w.live(ps.user, kindApp) {
			if x := &w.apps[a]; x.portal == p && x.portalGen == ps.gen {
				x.statusFrom = max(x.statusFrom, ps.refresh)
			}
		}
	}
	if end != "" && ps.refresh < ps.end {
		ps.end = ps.refresh
		ps.why = w.reason(end + ", at the session's next hourly refresh (UIS-11)")
		w.watch(kindPortal, p, &ps.sessionHead)
	}
	return true
}

// statusCached says whether portal session p, as it was at generation gen, lives and still acts
// on the user's status as it was before a change that reaches it at its next refresh (UIS-11).
func (w *world) statusCached(p int32, gen uint32) bool {
	return w.portalAlive(p, gen) && w.now < w.portals[p].refresh
}

// portalAdmits says whether new application sessions can start through the live portal session
// p: the user is active (APP-1), or p still acts on the status it cached (UIS-11).
func (w *world) portalAdmits(p int32) bool {
	ps := &w.portals[p]
	return w.userActive(ps.user) || w.statusCached(p, ps.gen)
}

// portalRefresh is the refresh of portal session p (generation gen) at which a change deferred by
// UIS-11 reaches it: the session ends there if the change ends it (deferToRefresh), and what the
// cached status still allowed ends. It reports false for a session already gone.
func (w *world) portalRefresh(p int32, gen uint32) bool {
	ps := &w.portals[p]
	if ps.gen != gen {
		return false
	}
	w.settle(ps.user)
	w.observe(ps.user)
	return true
}

// signOut ends the device's portal session at once (UIS-3).
func (w *world) signOut(u, dev int32) {
	if p := w.devicePortal(u, dev); p >= 0 {
		w.end(kindPortal, p, "signed out (UIS-3)")
		if w.record != nil {
			w.emit(AuditSignOut, u, dev, noTarget, 0)
		}
	}
}

// endSessions is the admin's "end session": all the user's portal sessions, or one device's (UIS-4).
func (w *world) endSessions(u, dev int32) {
	if w.sc.Source.Kind == ActiveDirectory && !w.prof.ADSessionManagement {
		// UIS-8: no session management for Active Directory in this profile.
		w.warn("end_sessions has no effect: Active Directory has no session management in profile " + w.prof.Name + " (UIS-8)")
		return
	}
	for i := len(w.live(u, kindPortal)) - 1; i >= 0; i-- {
		if p := w.live(u, kindPortal)[i]; (dev < 0 || w.portals[p].device == dev) && !w.deferToRefresh(p, "ended by the admin (UIS-4)") {
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
	// UIS-5: disabling ends the portal sessions, unless the switch says it does not; UIS-11: at
	// their next refresh, in a profile that caches the user's status.
	end := ""
	if w.sc.Switches.DisableEndsPortalSessions {
		end = why
	}
	for i := len(w.live(u, kindPortal)) - 1; i >= 0; i-- {
		if p := w.live(u, kindPortal)[i]; !w.deferToRefresh(p, end) && end != "" {
			w.end(kindPortal, p, why)
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
	for i := len(w.live(u, kindPortal)) - 1; i >= 0; i-- {
		if p := w.live(u, kindPortal)[i]; !w.deferToRefresh(p, "the user was deleted (UIS-5)") {
			w.end(kindPortal, p, "the user was deleted (UIS-5)")
		}
	}
	w.userActionEndsExtended(u, true)
	w.revokeExchangedTokens(u) // TTI-4
	w.reviewApps(u)
	if s.enabledIdP && w.sc.Switches.ProvisioningRecreatesDeletedUsers {
		w.scheduleProvisioning(u) // PROV-5: the source still has the user
	}
}
