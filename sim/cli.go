package sim

import "time"

// token is what a CLI device holds after a login: an access token and, for the sso-session
// configuration, a refresh token. live says the device holds them.
type token struct {
	portalEnd   time.Duration // the natural end of the portal session behind it (CLI-1)
	issued      time.Duration
	expiry      time.Duration
	cache       liveList // role sessions cached on the device (CLI-5), in world.lists
	portal      int32
	portalGen   uint32
	gen         uint32
	workTarget  target
	workGen     uint32
	live        bool
	legacy      bool // no refresh: a legacy profile's token (CLI-4), or a fixed CLI session (CLI-7)
	fixed       bool // a fixed CLI session of its own, apart from the portal session (CLI-7)
	workload    bool
	workStalled bool
}

// drop is the device losing its token: deleted, or revoked with its portal session (CLI-3, CLI-6).
func (t *token) drop() {
	t.live = false
	t.gen++
}

// refreshWindow is how long before expiry the device's client refreshes tokens and credentials (CLI-2, CLI-5).
func (w *world) refreshWindow(dev int32) time.Duration {
	if w.m.devices[dev].client == SDK {
		return w.prof.SDKRefreshWindow
	}
	return w.prof.CLIRefreshWindow
}

// cliLogin is `aws sso login`: it reuses the portal session of the browser the device logs in
// through, or signs in (UIS-9), then issues an access token (CLI-1, CLI-4).
func (w *world) cliLogin(u, dev int32) {
	p := w.loginPortal(u, dev)
	if p < 0 {
		w.counters.RefusedActions++
		if w.record != nil && w.signInReachesAWS(u) {
			w.emitRefused(AuditSignIn, u, dev, noTarget) // the login's sign-in in the browser
		}
		return
	}
	w.counters.CLILogins++
	t := &w.tokens[dev]
	t.live = true
	t.portal = p
	t.portalGen = w.portals[p].gen
	t.portalEnd = w.portals[p].end
	t.issued = w.now
	t.cache.setLen(0)
	t.fixed = false
	switch {
	case w.m.devices[dev].config == Legacy:
		t.legacy = true
		t.expiry = w.now + w.prof.LegacyToken // CLI-4: 8h, no refresh
	case w.prof.CLIFixedSession > 0:
		// CLI-7: "CLI-based sessions are not impacted by how you configure AWS access portal
		// sessions and their duration remains at 8 hours": no refresh, no portal cap
		t.legacy, t.fixed = true, true
		t.expiry = w.now + w.prof.CLIFixedSession
	default:
		t.legacy = false
		t.expiry = min(w.now+w.prof.CLIAccessToken, t.portalEnd) // CLI-1
	}
	t.gen++
	w.scheduleTokenExpiry(dev)
	if w.record != nil {
		w.emit(AuditCLILogin, u, dev, noTarget, t.expiry-w.now)
	}
	if t.workload && t.workStalled {
		t.workStalled = false
		t.workGen++
		w.q.push(w.now, evWorkload, dev, t.workGen)
	}
}

// loginPortal is the portal session a CLI login on dev rides on (UIS-9): the live portal session
// of the browser device it names, reused without extending it, or else the device's own; while
// the user may still act through a live session (UIS-5). Without one, the device signs in on its
// own. It returns -1 when there is no session and sign-in is refused.
func (w *world) loginPortal(u, dev int32) int32 {
	if w.canFederate(u) {
		if b := w.m.devices[dev].browser; b >= 0 {
			if p := w.devicePortal(u, b); p >= 0 {
				return p
			}
		}
		if p := w.devicePortal(u, dev); p >= 0 {
			return p
		}
	}
	if !w.canSignIn(u) {
		return -1
	}
	return w.signIn(u, dev)
}

// cliLogout is `aws sso logout`: the portal session behind the token ends, and the token and the
// cached role credentials are deleted from the device (CLI-6). Credentials already issued stay
// valid at AWS, since they may have been exported (ROLE-3).
func (w *world) cliLogout(u, dev int32) {
	t := &w.tokens[dev]
	if w.portalAlive(t.portal, t.portalGen) {
		w.end(kindPortal, t.portal, "aws sso logout (CLI-6)")
	}
	t.drop()
	t.cache.setLen(0)
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
	return t.live && !t.legacy && w.portalAlive(t.portal, t.portalGen) && w.canFederateVia(w.m.devices[dev].user, t.portal, t.portalGen)
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
		if w.record != nil {
			w.emit(AuditTokenRefresh, w.m.devices[dev].user, dev, noTarget, t.expiry-w.now)
		}
		return w.now < t.expiry
	}
	if w.record != nil && t.live && !t.legacy {
		w.emitRefused(AuditTokenRefresh, w.m.devices[dev].user, dev, noTarget) // the client tries its refresh token
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

// roleCredentials is getRoleCredentials, with the expiry of the credentials used.
func (w *world) roleCredentials(dev int32, t target) (time.Duration, bool) {
	tk := &w.tokens[dev]
	u := w.m.devices[dev].user
	window := w.refreshWindow(dev)
	// keep in the cache only the credentials still held on this device (slots are reused)
	cache := w.lists.view(tk.cache)
	kept := cache[:0]
	for _, r := range cache {
		if rs := &w.roles[r]; rs.live && rs.end > w.now && rs.device == dev && !rs.console {
			kept = append(kept, r)
		}
	}
	tk.cache.setLen(len(kept))
	for _, r := range w.lists.view(tk.cache) {
		if rs := &w.roles[r]; rs.target == t && rs.end-w.now > window {
			if w.record != nil {
				w.emitUse(r, noTarget)
			}
			return rs.end, true
		}
	}
	if !w.ensureToken(dev) {
		return 0, false
	}
	if !w.canFederateVia(u, tk.portal, tk.portalGen) || !w.entitled(u, t) {
		if w.record != nil {
			w.emitRefused(AuditRoleCredentials, u, dev, t)
		}
		return 0, false
	}
	r := w.issueRole(u, dev, t, false)
	w.lists.add(&tk.cache, r)
	if w.record != nil {
		w.emitUse(r, noTarget)
	}
	return w.roles[r].end, true
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
