package sim

import (
	"slices"
	"time"
)

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

// canFederate says whether the user may obtain role credentials (ROLE-1). With the switch
// disable_ends_portal_sessions off, a disabled user with a live portal session still can (UIS-5).
func (w *world) canFederate(u int32) bool {
	s := &w.users[u]
	if s.deleted {
		return false
	}
	return s.enabledIdC || !w.sc.Switches.DisableEndsPortalSessions
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

// entitled says whether the user is entitled to t: directly, or through a group as the membership
// view sees it (APP-1, GRP-1).
func (w *world) entitled(u int32, t target) bool {
	s := &w.users[u]
	for _, d := range s.direct {
		if d == t {
			return true
		}
	}
	for _, g := range s.view {
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
	s := &w.users[u]
	for _, d := range s.direct {
		if pred(d) {
			return true
		}
	}
	for _, g := range s.view {
		for _, a := range w.groupAssign[g] {
			if pred(a) {
				return true
			}
		}
	}
	return false
}

func (w *world) isManagedApp(t target) bool {
	if !w.m.isApp(t) {
		return false
	}
	k := w.m.apps[t].Kind
	return k == AWSManaged || k == Jobs
}

func (w *world) isRole(t target) bool { return !w.m.isApp(t) }

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

func (w *world) warn(msg string) {
	for _, m := range w.warnings {
		if m == msg {
			return
		}
	}
	w.warnings = append(w.warnings, msg)
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

// scheduleProvisioning arranges for the identity source to carry the user's state there into
// IAM Identity Center: an IdP's SCIM provisioning after the push latency or at the next periodic
// run (PROV-2), Active Directory at the next sync (PROV-4).
func (w *world) scheduleProvisioning(u int32) {
	src := &w.sc.Source
	s := &w.users[u]
	if src.Kind == IdentityCenter || s.provisionPending {
		return
	}
	var at time.Duration
	mode := src.Provisioning
	if src.Kind == ActiveDirectory {
		mode = ProvisioningPeriodic
	}
	switch mode {
	case ProvisioningPush:
		if s.enabledIdP == s.enabledIdC {
			return
		}
		if !s.enabledIdC && s.enabledIdP {
			// A push IdP sends changes made at the IdP; a disable made only in IAM Identity Center
			// is not undone until the user changes at the IdP.
			return
		}
		lat := src.ProvisioningLatency
		if lat == 0 {
			lat = w.prof.SCIMPushLatency
		}
		at = w.now + lat
	case ProvisioningPeriodic:
		at = nextTick(w.provPhase, w.provisioningInterval(), w.now)
	default:
		return
	}
	s.provisionPending = true
	w.q.push(at, evProvision, u, 0)
}

func (w *world) provisioningInterval() time.Duration {
	if w.sc.Source.Kind == ActiveDirectory {
		return w.prof.ADSync
	}
	if i := w.sc.Source.ProvisioningInterval; i > 0 {
		return i
	}
	return w.prof.SCIMInterval
}

// provision is a provisioning run reaching the user: IAM Identity Center takes the IdP's state
// (PROV-2), which enables again a user disabled only in IAM Identity Center (PROV-3).
func (w *world) provision(u int32) {
	w.settle(u)
	s := &w.users[u]
	s.provisionPending = false
	if s.deleted || s.enabledIdC == s.enabledIdP {
		return
	}
	if s.enabledIdP {
		w.enable(u, AtIdentityCenter)
		if s.track >= 0 {
			tr := &w.tracks[s.track]
			tr.notes = append(tr.notes, "PROV-3: the provisioning run at "+w.at(w.now)+
				" enabled the user again, because the user was still active at the IdP")
		}
	} else {
		w.disableInIdentityCenter(u, "the provisioning run disabled the user (PROV-2)")
	}
	w.observe(u)
}

// openApp opens an application session from the device's portal session (APP-1, SAML-1), or a
// Kiro session from a Kiro IDE.
func (w *world) openApp(u, dev int32, t target) {
	if w.m.apps[t].Kind == Kiro && w.m.devices[dev].kind == KiroIDE {
		w.openKiro(u, dev, t)
		return
	}
	p := w.devicePortal(u, dev)
	if p < 0 || !w.userActive(u) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	app := &w.m.apps[t]
	if app.Kind == SAML {
		// SAML-1: the application keeps its own session for its configured length.
		i := alloc(&w.samls, &w.freeSAMLs)
		end := w.now + app.SessionDuration
		g := w.samls[i].gen
		w.samls[i] = samlSession{user: u, target: t, start: w.now, end: end, live: true, gen: g}
		w.users[u].samls = append(w.users[u].samls, i)
		w.users[u].ends[endsSAML] = min(w.users[u].ends[endsSAML], end)
		if w.users[u].track >= 0 {
			w.q.push(end, evSAMLEnd, i, g)
		}
		return
	}
	w.openAppSession(u, p, t)
}

func (w *world) openAppSession(u, p int32, t target) {
	i := alloc(&w.apps, &w.freeApps)
	ps := &w.portals[p]
	w.apps[i] = appSession{user: u, portal: p, portalGen: ps.gen, portalGone: ps.end, target: t, start: w.now,
		endAt: never, unentitledSince: -1, live: true, gen: w.apps[i].gen}
	w.users[u].apps = append(w.users[u].apps, i)
	w.reviewApp(i)
}

// closeApp is the user signing out of an application: its sessions end (SAML-2).
func (w *world) closeApp(u int32, t target) {
	s := &w.users[u]
	for i := len(s.apps) - 1; i >= 0; i-- {
		if a := s.apps[i]; w.apps[a].target == t {
			w.endApp(a)
		}
	}
	for i := len(s.samls) - 1; i >= 0; i-- {
		if a := s.samls[i]; w.samls[a].target == t {
			w.endSAML(a)
		}
	}
}

// reviewApps recomputes when each of the user's application sessions will end.
func (w *world) reviewApps(u int32) {
	for _, a := range w.users[u].apps {
		w.reviewApp(a)
	}
}

// reviewApp computes when the application session's periodic checks will end it, and schedules
// that one check. Checks that would find nothing are never scheduled.
func (w *world) reviewApp(i int32) {
	a := &w.apps[i]
	// APP-2: the session checks back every period from its own start, and ends at the first
	// check after its portal session has ended or the user stopped being active.
	gone := a.portalGone
	if s := w.users[a.user].inactiveSince; s < gone {
		gone = s
	}
	end := nextTick(a.start, w.prof.AppSessionCheck, gone)
	// APP-3: the entitlement is re-evaluated hourly from the start, as the membership view sees it.
	if w.entitled(a.user, a.target) {
		a.unentitledSince = -1
	} else {
		if a.unentitledSince < 0 {
			a.unentitledSince = w.now
		}
		if e := nextTick(a.start, w.prof.AppEntitlementCheck, a.unentitledSince); e < end {
			end = e
		}
	}
	if end != a.endAt {
		s := &w.users[a.user]
		s.ends[endsApp] = min(s.ends[endsApp], end)
		a.endAt = end
		a.gen++
		if w.users[a.user].track >= 0 {
			w.q.push(end, evAppEnd, i, a.gen)
		}
	}
}

func (w *world) endApp(i int32) {
	a := &w.apps[i]
	a.live = false
	a.gen++
	a.endAt = min(a.endAt, w.now)
	s := &w.users[a.user]
	w.release(s, &s.apps, &w.freeApps, i)
}

func (w *world) endSAML(i int32) {
	a := &w.samls[i]
	a.live = false
	a.gen++
	a.end = min(a.end, w.now)
	s := &w.users[a.user]
	w.release(s, &s.samls, &w.freeSAMLs, i)
}

// issueRole issues role credentials for t, lasting the permission set's duration now (ROLE-2, ROLE-4).
func (w *world) issueRole(u, dev int32, t target, console bool) int32 {
	i := alloc(&w.roles, &w.freeRoles)
	exp := w.now + w.psDuration[w.m.targetPermSet(t)]
	g := w.roles[i].gen
	w.roles[i] = roleSession{user: u, device: dev, target: t, issued: w.now, expiry: exp, console: console, live: true, gen: g}
	w.users[u].roles = append(w.users[u].roles, i)
	w.users[u].ends[endsRole] = min(w.users[u].ends[endsRole], exp)
	if w.users[u].track >= 0 {
		w.q.push(exp, evRoleExpire, i, g)
	}
	return i
}

func (w *world) endRole(i int32) {
	r := &w.roles[i]
	r.live = false
	r.gen++
	if w.now < r.expiry {
		r.expiry = w.now
	}
	s := &w.users[r.user]
	w.release(s, &s.roles, &w.freeRoles, i)
}

// federate opens a console role session from the device's portal session (ROLE-1, ROLE-6).
func (w *world) federate(u, dev int32, t target) {
	if w.devicePortal(u, dev) < 0 || !w.canFederate(u) || !w.entitled(u, t) {
		w.counters.RefusedActions++
		return
	}
	w.counters.Federations++
	// ROLE-6: federating again into an account whose console session has expired
	s := &w.users[u]
	if slices.Contains(s.federated, t) {
		w.counters.Refederations++
		for _, r := range s.roles {
			if rs := &w.roles[r]; rs.console && rs.target == t && rs.expiry > w.now {
				w.counters.Refederations-- // still signed in there: not a re-federation
				break
			}
		}
	} else {
		s.federated = append(s.federated, t)
	}
	w.issueRole(u, dev, t, true)
}

// refreshWindow is how long before expiry the device's client refreshes tokens and credentials (CLI-2, CLI-5).
func (w *world) refreshWindow(dev int32) time.Duration {
	if w.m.devices[dev].client == SDK {
		return w.prof.SDKRefreshWindow
	}
	return w.prof.CLIRefreshWindow
}

// cliLogin is `aws sso login`: it reuses a live portal session or signs in (UIS-9), then
// issues an access token (CLI-1, CLI-4).
func (w *world) cliLogin(u, dev int32) {
	if !w.userActive(u) {
		w.counters.RefusedActions++
		return
	}
	s := &w.users[u]
	p := int32(-1)
	for _, q := range s.portals { // UIS-9: reuse, without extending it
		if w.portalLive(q) && (p < 0 || w.portals[q].end > w.portals[p].end) {
			p = q
		}
	}
	if p < 0 {
		if p = w.signIn(u, dev); p < 0 {
			return
		}
	}
	w.counters.CLILogins++
	t := &w.tokens[dev]
	t.live = true
	t.portal = p
	t.portalGen = w.portals[p].gen
	t.portalEnd = w.portals[p].end
	t.issued = w.now
	t.cache = t.cache[:0]
	if w.m.devices[dev].config == Legacy {
		t.legacy = true
		t.expiry = w.now + w.prof.LegacyToken // CLI-4: 8h, no refresh
	} else {
		t.legacy = false
		t.expiry = min(w.now+w.prof.CLIAccessToken, t.portalEnd) // CLI-1
	}
	t.gen++
	w.scheduleTokenExpiry(dev)
	if t.workload && t.workStalled {
		t.workStalled = false
		t.workGen++
		w.q.push(w.now, evWorkload, dev, t.workGen)
	}
}

// cliLogout is `aws sso logout`: the portal session behind the token ends, and the token and the
// cached role credentials are deleted from the device (CLI-6). Credentials already issued stay
// valid at AWS, since they may have been exported (ROLE-3).
func (w *world) cliLogout(u, dev int32) {
	t := &w.tokens[dev]
	if w.portalAlive(t.portal, t.portalGen) {
		w.endPortal(t.portal, "aws sso logout (CLI-6)")
	}
	t.live = false
	t.gen++
	t.cache = t.cache[:0]
	if t.workload {
		t.workStalled = true
		t.workGen++
	}
}

// tokenUsable says whether the device's access token is valid now.
func (w *world) tokenUsable(dev int32) bool {
	t := &w.tokens[dev]
	return t.live && w.now < t.expiry
}

// tokenRefreshable says whether the device could get a new access token: its refresh token
// works only while the portal session behind it lives (CLI-1); legacy tokens never refresh (CLI-4).
func (w *world) tokenRefreshable(dev int32) bool {
	t := &w.tokens[dev]
	return t.live && !t.legacy && w.portalAlive(t.portal, t.portalGen) && w.canFederate(w.m.devices[dev].user)
}

// canMint says whether the device could obtain role credentials now (ROLE-1, CLI-3).
func (w *world) canMint(dev int32) bool {
	return w.tokenUsable(dev) || w.tokenRefreshable(dev)
}

// ensureToken refreshes the access token when the client would (CLI-2) and reports whether a
// usable token is then at hand.
func (w *world) ensureToken(dev int32) bool {
	t := &w.tokens[dev]
	if w.tokenUsable(dev) && t.expiry-w.now > w.refreshWindow(dev) {
		return true
	}
	if w.tokenRefreshable(dev) {
		t.issued = w.now
		t.expiry = min(w.now+w.prof.CLIAccessToken, t.portalEnd) // CLI-1
		t.gen++
		w.scheduleTokenExpiry(dev)
		return w.now < t.expiry
	}
	return w.tokenUsable(dev) // CLI-3: an issued token is usable to its own expiry
}

// getRoleCredentials is one CLI command that needs credentials for t: cached credentials are
// used until the refresh window (CLI-5); otherwise new ones are minted with the token (ROLE-1).
// It returns the credentials' expiry, or false when none could be had.
func (w *world) getRoleCredentials(dev int32, t target) bool {
	_, ok := w.roleCredentials(dev, t)
	return ok
}

func (w *world) roleCredentials(dev int32, t target) (time.Duration, bool) {
	tk := &w.tokens[dev]
	u := w.m.devices[dev].user
	window := w.refreshWindow(dev)
	// keep in the cache only the credentials still held on this device (slots are reused)
	cache := tk.cache[:0]
	for _, r := range tk.cache {
		if rs := &w.roles[r]; rs.live && rs.expiry > w.now && rs.device == dev && !rs.console {
			cache = append(cache, r)
		}
	}
	tk.cache = cache
	for _, r := range tk.cache {
		if rs := &w.roles[r]; rs.target == t && rs.expiry-w.now > window {
			return rs.expiry, true
		}
	}
	if !w.ensureToken(dev) || !w.canFederate(u) || !w.entitled(u, t) {
		return 0, false
	}
	r := w.issueRole(u, dev, t, false)
	tk.cache = append(tk.cache, r)
	return w.roles[r].expiry, true
}

// startWorkload starts a process that keeps using role credentials for t. When the device holds
// no token that can get credentials, the person logs the CLI in first, as the CLI would ask.
func (w *world) startWorkload(dev int32, t target) {
	w.cliEnsureLogin(w.m.devices[dev].user, dev)
	tk := &w.tokens[dev]
	tk.workload = true
	tk.workTarget = t
	tk.workStalled = false
	tk.workGen++
	w.workloadRefresh(dev)
}

// workloadRefresh gets credentials for the workload and schedules the next refresh, when the
// cached ones enter the refresh window (CLI-5, ROLE-5). A workload that cannot get credentials
// stalls until the next login on its device.
func (w *world) workloadRefresh(dev int32) {
	tk := &w.tokens[dev]
	exp, ok := w.roleCredentials(dev, tk.workTarget)
	if !ok {
		tk.workStalled = true
		w.counters.RefusedActions++
		return
	}
	next := exp - w.refreshWindow(dev)
	if next <= w.now {
		next = exp // credentials shorter than the window: refresh at expiry
	}
	w.q.push(next, evWorkload, dev, tk.workGen)
}

// changeMembership adds or removes the user to or from a group. The change reaches entitlement
// decisions at the membership view's next refresh (GRP-1, GRP-2).
func (w *world) changeMembership(u, g int32, add bool) {
	s := &w.users[u]
	has := slices.Contains(s.groups, g)
	if has == add {
		return
	}
	w.own(u)
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
	w.own(pm.user)
	s := &w.users[pm.user]
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
		s := &w.users[u]
		for i := len(s.roles) - 1; i >= 0; i-- {
			if r := s.roles[i]; !w.entitled(u, w.roles[r].target) {
				w.endRole(r)
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
		for v := range w.users {
			if slices.Contains(w.users[v].view, g) {
				w.entitlementChanged(int32(v))
			}
		}
		return
	}
	w.own(u)
	s := &w.users[u]
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
	w.own(u)
	s := &w.users[u]
	s.direct = s.direct[:0]
	for len(s.groups) > 0 {
		w.changeMembership(u, s.groups[len(s.groups)-1], false)
	}
	w.entitlementChanged(u)
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
		if !r.live || r.expiry <= w.now || r.revoked || r.issued >= rv.before || w.m.targetPermSet(r.target) != rv.permSet {
			continue
		}
		r.revoked = true
		if r.user != rv.user {
			w.counters.CollateralRoleSessions++
		}
		w.endRole(int32(i))
		w.observe(r.user)
	}
}

// offboard starts measuring the user's exposure and runs the playbook.
func (w *world) offboard(u int32, s *step) {
	us := &w.users[u]
	if us.track < 0 {
		w.observeFrom(u)
	}
	o := int32(len(w.offs))
	w.offs = append(w.offs, offboardingRecord{user: u, at: w.now, playbook: s.playbook, name: s.name})
	if len(s.playbook) > 0 {
		w.q.push(w.now+s.playbook[0].at, evStep, o, 0)
	}
}

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

// own gives the user copies of their assignments and memberships before they change: until then
// they are the model's, shared by every replication and by the people of a population.
func (w *world) own(u int32) {
	s := &w.users[u]
	if !s.owned {
		s.direct = append(s.ownDirect[:0], s.direct...)
		s.groups = append(s.ownGroups[:0], s.groups...)
		s.view = append(s.ownView[:0], s.view...)
		s.owned = true
	}
}
