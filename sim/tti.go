package sim

import (
	"fmt"
	"time"
)

// Applications with AWS account access (trusted token issuers, TTI): a server-side application
// that trusts the organisation's IdP exchanges a JWT the IdP issued for a user for an IAM
// Identity Center access token, and with it obtains role credentials as the user.

// The lifetime of the JWTs the IdP issues to an application of kind account_access (TTI-2).
const (
	DefaultJWTLifetime = time.Hour
	MinJWTLifetime     = 5 * time.Minute
	MaxJWTLifetime     = 24 * time.Hour
)

// onBehalf is what an application of kind account_access holds for one user: the last JWT the
// IdP issued for them, and the last access token an exchange of it gave (TTI-1, TTI-2).
type onBehalf struct {
	hasJWT, hasToken     bool
	jwtIssued, jwtExpiry time.Duration
	tokenIssued          time.Duration
	tokenExpiry          time.Duration // when revoked, the revocation's time
	revoked              bool          // TTI-4
	gen                  uint32        // changed with each new JWT, token or revocation: cancels the expiry events queued before
}

// jwtLive says whether the application holds a JWT of the user that has not expired.
func (w *world) jwtLive(ob *onBehalf) bool { return ob.hasJWT && w.now < ob.jwtExpiry }

// exchangedLive says whether the application holds an access token of the user that has neither
// expired nor been revoked.
func (w *world) exchangedLive(ob *onBehalf) bool { return ob.hasToken && w.now < ob.tokenExpiry }

// onBehalfIndex returns the index in w.onBehalf of what application t holds for user u.
func (w *world) onBehalfIndex(u int32, t target) int32 {
	return u*int32(len(w.m.tti)) + w.m.ttiSlot[t]
}

// onBehalfUser returns the user of the pair at index i of w.onBehalf.
func (w *world) onBehalfUser(i int32) int32 { return i / int32(len(w.m.tti)) }

// jwtLifetime is how long a JWT the IdP issues to application t lives (TTI-2).
func (w *world) jwtLifetime(t target) time.Duration {
	if d := w.m.apps[t].JWTLifetime; d > 0 {
		return d
	}
	return DefaultJWTLifetime
}

// actAsUser is application app obtaining role credentials for t as user u (TTI-1). It uses the
// access token it holds while that lives and is not revoked (TTI-4); otherwise it exchanges the
// JWT it holds while that has not expired, or one the IdP issues now, which it does only for a
// user still enabled there (PROV-1, TTI-2); the exchange needs the user enabled in IAM Identity
// Center and not deleted (TTI-2). GetRoleCredentials then needs the user entitled to t, through
// the membership view (GRP-1), and issues a role session of the permission set's duration
// (ROLE-2). No portal session is needed or made, and none of the user's sessions matters (TTI-3).
// It reports whether credentials were issued.
func (w *world) actAsUser(u int32, app, t target) bool {
	i := w.onBehalfIndex(u, app)
	ob := &w.onBehalf[i]
	ok := true
	if !w.exchangedLive(ob) {
		changed := false
		if !w.jwtLive(ob) && w.users[u].enabledIdP {
			ob.hasJWT, ob.jwtIssued, ob.jwtExpiry = true, w.now, w.now+w.jwtLifetime(app)
			changed = true
		}
		if ok = w.jwtLive(ob) && w.userActive(u); ok {
			ob.hasToken, ob.revoked = true, false
			ob.tokenIssued, ob.tokenExpiry = w.now, w.now+w.prof.TTIAccessToken
			changed = true
		}
		if w.record != nil && w.jwtLive(ob) {
			w.emitExchange(u, app, w.prof.TTIAccessToken, !ok)
		}
		if changed {
			ob.gen++
			w.scheduleOnBehalf(i)
		}
	}
	if !ok {
		return false
	}
	if !w.entitled(u, t) {
		if w.record != nil {
			w.emitAppCredentials(u, app, t, 0, true)
		}
		return false
	}
	r := w.issueRole(u, -1, t, false)
	w.roles[r].app = app
	if w.record != nil {
		w.emitAppCredentials(u, app, t, w.roles[r].end-w.now, false)
		w.emitUse(r, app)
	}
	return true
}

// scheduleOnBehalf queues the expiries of the JWT and the access token at index i of
// w.onBehalf, when their user is tracked: they change nothing but the exposure channels.
func (w *world) scheduleOnBehalf(i int32) {
	if w.users[w.onBehalfUser(i)].track < 0 {
		return
	}
	ob := &w.onBehalf[i]
	if w.jwtLive(ob) {
		w.q.push(ob.jwtExpiry, evOnBehalfExpire, i, ob.gen)
	}
	if w.exchangedLive(ob) {
		w.q.push(ob.tokenExpiry, evOnBehalfExpire, i, ob.gen)
	}
}

// scheduleOnBehalfOf queues the expiries of what the applications hold for a user who has just
// become tracked.
func (w *world) scheduleOnBehalfOf(u int32) {
	for k := range w.m.tti {
		w.scheduleOnBehalf(u*int32(len(w.m.tti)) + int32(k))
	}
}

// revokeExchangedTokens is a disable or delete of the user in IAM Identity Center reaching the
// access tokens the applications obtained for them: revoked at once with the switch
// disable_revokes_exchanged_tokens, left to their expiry without it (TTI-4).
func (w *world) revokeExchangedTokens(u int32) {
	if !w.sc.Switches.DisableRevokesExchangedTokens {
		return
	}
	for k := range w.m.tti {
		i := u*int32(len(w.m.tti)) + int32(k)
		if ob := &w.onBehalf[i]; w.exchangedLive(ob) {
			ob.tokenExpiry, ob.revoked = w.now, true
			ob.gen++
			w.scheduleOnBehalf(i) // the JWT's expiry, whose event the new generation cancelled
		}
	}
}

// onBehalfHolder says whether some application of kind account_access could obtain role
// credentials as the user now, as far as tokens go, and what lets it: of the ways open, the
// one that lasts longest. The caller checks the deny and the entitlements.
func (w *world) onBehalfHolder(u int32) (holder, bool) {
	n := int32(len(w.m.tti))
	if n == 0 {
		return holder{}, false
	}
	active := w.userActive(u)
	if active && w.users[u].enabledIdP {
		return holder{hIdPIssues, u * n}, true // PROV-1, TTI-2: a new JWT at any time
	}
	best, bestEnd := holder{}, time.Duration(-1)
	for k := range n {
		i := u*n + k
		ob := &w.onBehalf[i]
		if w.exchangedLive(ob) && ob.tokenExpiry > bestEnd {
			best, bestEnd = holder{hExchanged, i}, ob.tokenExpiry // TTI-1, TTI-4
		}
		if active && w.jwtLive(ob) && ob.jwtExpiry > bestEnd {
			best, bestEnd = holder{hJWT, i}, ob.jwtExpiry // TTI-2
		}
	}
	return best, bestEnd >= 0
}

// describeOnBehalf says what let an application obtain role credentials as the user.
func (w *world) describeOnBehalf(h holder) string {
	ob := &w.onBehalf[h.idx]
	u := w.onBehalfUser(h.idx)
	app := w.m.apps[w.m.tti[h.idx%int32(len(w.m.tti))]].Name
	var text string
	from, to := never, never
	switch h.kind {
	case hExchanged:
		from, to = ob.tokenIssued, ob.tokenExpiry
		text = fmt.Sprintf("access token of application %s exchanged at %s, valid to %s", app, w.at(ob.tokenIssued), w.at(ob.tokenExpiry))
		switch {
		case ob.revoked:
			text = fmt.Sprintf("access token of application %s exchanged at %s, revoked at %s by the user's disable or delete in IAM Identity Center (TTI-4)",
				app, w.at(ob.tokenIssued), w.at(ob.tokenExpiry))
		case w.sc.Switches.DisableRevokesExchangedTokens:
			text += " (TTI-1)"
		default:
			text += ": disabling or deleting the user in IAM Identity Center does not revoke it (TTI-4)"
		}
	case hJWT:
		from, to = ob.jwtIssued, ob.jwtExpiry
		text = fmt.Sprintf("JWT the IdP issued to application %s at %s, valid to %s whatever the IdP does since; it can be exchanged while the user is enabled in IAM Identity Center (TTI-2)",
			app, w.at(ob.jwtIssued), w.at(ob.jwtExpiry))
	case hIdPIssues:
		text = fmt.Sprintf("the IdP would still issue JWTs for the user to application %s to exchange: the user was enabled at the IdP and in IAM Identity Center (PROV-1, TTI-2)", app)
		from = 0
	}
	if d := w.users[u].deniedAt; from <= d && d < to {
		text += fmt.Sprintf("; the deny policy on the user blocked the role sessions from %s (CUT-1, TTI-3)", w.at(d))
	}
	return text
}

// onBehalfSpans adds, for the timeline, the last access token each application holds for the
// user, and the JWT it was exchanged for when that is the last one too (a JWT the exchange
// refused gave nothing).
func (w *world) onBehalfSpans(u int32, add func(kind, label string, start, end time.Duration, live bool)) {
	n := int32(len(w.m.tti))
	for k := range n {
		ob := &w.onBehalf[u*n+k]
		app := w.m.apps[w.m.tti[k]].Name
		if ob.hasJWT && ob.hasToken && ob.jwtIssued <= ob.tokenIssued {
			add("jwt", "JWT of "+app, ob.jwtIssued, ob.jwtExpiry, false)
		}
		if ob.hasToken {
			add("app_token", "access token of "+app, ob.tokenIssued, ob.tokenExpiry, false)
		}
	}
}
