package trail

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"idcsim/sim"
)

// Evidence names a record: its event ID, time and place.
type Evidence struct {
	EventID string
	Time    time.Time
	File    string
	Record  int
}

func evidenceOf(rec *Record) Evidence {
	return Evidence{EventID: rec.EventID, Time: rec.Time, File: rec.Place.File, Record: rec.Place.Record}
}

func (e Evidence) String() string {
	return fmt.Sprintf("event %s at %s (%s, record %d)", e.EventID, e.Time.Format(time.RFC3339), e.File, e.Record)
}

// Usage is activity of one kind: how many records, the first and the last, and the times of the
// latest few before the last. Those are what follows an offboarding, which comes last: a
// timeline marks them without the reader keeping every record.
type Usage struct {
	N           int
	First, Last Evidence
	// recent holds the Unix nanoseconds of the latest records but Last, newest first, each time
	// once; 0 is none
	recent [recentUses]int64
}

// recentUses is how many records before a Usage's last it keeps the times of.
const recentUses = 6

func (u *Usage) add(e Evidence) {
	if u.N == 0 || e.Time.Before(u.First.Time) {
		u.First = e
	}
	switch {
	case u.N == 0:
		u.Last = e
	case !e.Time.Before(u.Last.Time):
		u.keep(u.Last.Time.UnixNano())
		u.Last = e
	default:
		u.keep(e.Time.UnixNano())
	}
	u.N++
}

// keep adds a record's time to the latest kept, if it is one of them and not kept already
// (records of the same instant are one mark).
func (u *Usage) keep(t int64) {
	i := len(u.recent)
	for i > 0 && (u.recent[i-1] == 0 || u.recent[i-1] < t) {
		i--
	}
	if i == len(u.recent) || i > 0 && u.recent[i-1] == t {
		return
	}
	copy(u.recent[i+1:], u.recent[i:])
	u.recent[i] = t
}

// Recent returns the times of the latest records before the last that the usage keeps (at most
// recentUses), oldest first. The first record is among them when it is one of the latest.
func (u *Usage) Recent() []time.Time {
	var ts []time.Time
	for i := len(u.recent) - 1; i >= 0; i-- {
		if u.recent[i] != 0 {
			ts = append(ts, time.Unix(0, u.recent[i]).UTC())
		}
	}
	return ts
}

// merge adds the activity of v to u.
func (u *Usage) merge(v Usage) {
	if v.N == 0 {
		return
	}
	n := u.N + v.N
	u.add(v.First)
	u.add(v.Last)
	for _, t := range v.recent {
		if t != 0 {
			u.keep(t)
		}
	}
	u.N = n
}

// Channels of the activity the logs show, by the names of sim's channels. Of these, the
// reconstruction models portal, sign_in, role_new, role_existing and cli_token, and
// app_on_behalf for the users as whom it has applications act; the others are observed only.
const (
	chPortal       = "portal"
	chSignIn       = "sign_in"
	chRoleNew      = "role_new"
	chRoleExisting = "role_existing"
	chCLIToken     = "cli_token"
	chAppExisting  = "app_existing"
	chAppOnBehalf  = "app_on_behalf"
	chAny          = "any"
)

// modelled says the reconstruction carries the sessions behind a channel into the engine, so
// that the engine's bound on it may be set against what was observed.
var modelled = map[string]bool{chPortal: true, chSignIn: true, chRoleNew: true, chRoleExisting: true, chCLIToken: true}

// ObservedChannels lists the channels whose activity the logs show, in the order of reports.
var ObservedChannels = []string{chPortal, chSignIn, chRoleNew, chRoleExisting, chCLIToken, chAppExisting, chAppOnBehalf, chAny}

// Activity is a user's activity on a channel through one thing (a role session, a token, an
// application), one day at a time.
type Activity struct {
	Channel string
	// Label says through what: a role session, a token, the portal, an application.
	Label string
	Day   time.Time
	Uses  Usage
	// Refused are the requests that were refused (an access-denied or expired-token error):
	// attempts, not access.
	Refused Usage
}

// Grant is a user's action that gave access: a sign-in, a sign-out, a CLI login or token
// refresh, a console federation, role credentials, a TTI exchange.
type Grant struct {
	Ev Evidence
	// Kind is sign_in, sign_out, cli_login, cli_refresh, federate, get_role_credentials,
	// assume_role (AssumeRoleWithSAML), exchange (CreateTokenWithIAM) or app_role_credentials
	// (GetRoleCredentials by an application that exchanged the user's token: its user agent is
	// that of an exchange of the user's; Client is then the application's).
	Kind                   string
	Account, PermissionSet string
	// Client is the OIDC client of a CLI login or refresh; Agent the request's user agent.
	Client, Agent string
	// Lifetime is what the record says the grant lasts: a token's expiresIn, role
	// credentials' duration.
	Lifetime time.Duration
	// Detail is what else the record says: the sign-in's credential type, the grant type.
	Detail string
	// Failed marks a sign-in that did not succeed: an attempt.
	Failed bool
	// UserID is the identity-store user ID the record names, if it does.
	UserID string
}

// Grant kinds.
const (
	gSignIn    = "sign_in"
	gSignOut   = "sign_out"
	gLogin     = "cli_login"
	gRefresh   = "cli_refresh"
	gFederate  = "federate"
	gCreds     = "get_role_credentials"
	gAssume    = "assume_role"
	gExchange  = "exchange"
	gAppCreds  = "app_role_credentials"
	grantTypeJ = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// RoleSession is a role session of a permission set that the logs show: issued by a grant, or
// seen only through its use.
type RoleSession struct {
	Account, PermissionSet string
	// Issued is when the credentials were issued; Expires when they expire, when a record says
	// (zero otherwise).
	Issued, Expires time.Time
	Uses            Usage
	Refused         Usage
	// Agent is the user agent of the session's first use: console or CLI.
	Agent string
}

// AdminEvent is an administrator's action on a user.
type AdminEvent struct {
	Ev Evidence
	// Action is what the engine does for it: disable_user, enable_user, delete_user,
	// remove_from_group, remove_assignment, end_sessions or deny_user.
	Action                        sim.Action
	Group, Account, PermissionSet string
	// By is the administrator: the ARN or the name of who made the request.
	By string
	// Event is the record's event source and name.
	Event string
	// UserID is the identity-store user ID acted on.
	UserID string
}

// offboards says the admin action starts an offboarding.
func (a *AdminEvent) offboards() bool {
	return a.Action == sim.DisableUser || a.Action == sim.DeleteUser
}

// User is an IAM Identity Center user that the logs show, with what they did and what was done
// to them.
type User struct {
	// Name is the user's name, or their identity-store user ID when no record names them.
	Name  string
	IDs   []string
	Names []string
	// Grants are their sign-ins, sign-outs, tokens and credentials, in time order.
	Grants   []Grant
	Roles    []*RoleSession
	Activity []*Activity
	Admin    []AdminEvent
}

// fragment is what the records say about one user key (an ID or a name) before keys are joined.
type fragment struct {
	grants   []Grant
	roles    map[roleKey]*RoleSession
	activity map[actKey]*Activity
	admin    []AdminEvent
}

type roleKey struct {
	account, ps string
	issued      int64
}

type actKey struct {
	channel, label string
	day            int64
}

// Builder gathers records into users, their sessions and the admin events done to them.
type Builder struct {
	frags  map[string]*fragment // by key: "i:" ID or "n:" lower-case name
	names  map[string]string    // key -> name as first written
	links  [][2]string          // keys that are the same user, in the order met
	linked map[[2]string]bool
	// idKeys and nameKeys are the keys of IDs and names met, so that a key is made once
	idKeys, nameKeys map[string]string
	// failed are the sign-in workflows whose failure is counted
	failed map[string]bool
	// clients maps an OIDC client to the user key of its logins, for refreshes that name no user.
	clients map[string]string
	pending []pendingRefresh
	// memberships maps a group membership ID to its user ID and group (CreateGroupMembership).
	memberships map[string][2]string
	delMember   []pendingAdmin
	listed      []listing // ListSessions calls, for session deletions that name no user
	delSessions []pendingAdmin
	denies      []denyCandidate
	revokes     []AdminEvent // revocations of a permission set's role sessions (CUT-2)
	// appAgents are the user agents of the TTI exchanges read: an application's (TTI-1).
	appAgents map[string]bool
	// refusedCreds are the refused GetRoleCredentials, an application's or the user's as their
	// user agent says once every exchange is read.
	refusedCreds []pendingCreds
	// durations are the permission sets' role session durations the records show.
	durations   map[string]time.Duration
	externalIdP bool
	first, last time.Time
	// Ignored counts the records read that are about no IAM Identity Center user.
	Ignored int
	// From and To, when set, bound the records read (Add leaves out the others); Outside
	// counts those left out.
	From, To time.Time
	Outside  int
}

type pendingRefresh struct {
	client string
	g      Grant
}

type pendingAdmin struct {
	key string // membership ID, or the admin's ARN
	ev  AdminEvent
}

type listing struct {
	by     string
	userID string
	at     time.Time
}

type denyCandidate struct {
	ev  Evidence
	by  string
	ids []string
	// lift marks the lifting of a deny: a policy named in an earlier candidate detached or
	// deleted; policy is the policy's ID.
	lift   bool
	policy string
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{frags: map[string]*fragment{}, names: map[string]string{}, clients: map[string]string{}, linked: map[[2]string]bool{},
		idKeys: map[string]string{}, nameKeys: map[string]string{}, failed: map[string]bool{},
		memberships: map[string][2]string{}, durations: map[string]time.Duration{}, appAgents: map[string]bool{}}
}

// Link says that the identity-store user ID and the user name are the same user (an imported
// configuration's users).
func (b *Builder) Link(id, name string) {
	if id != "" && name != "" {
		b.key(Who{ID: id, Name: name})
	}
}

// key returns the key of a user, linking their ID and name.
func (b *Builder) key(w Who) string {
	var ki, kn string
	if w.ID != "" {
		if ki = b.idKeys[w.ID]; ki == "" {
			ki = "i:" + w.ID
			b.idKeys[w.ID] = ki
			b.names[ki] = w.ID
		}
	}
	if w.Name != "" {
		if kn = b.nameKeys[w.Name]; kn == "" {
			kn = "n:" + strings.ToLower(w.Name)
			b.nameKeys[w.Name] = kn
			if _, ok := b.names[kn]; !ok {
				b.names[kn] = w.Name
			}
		}
	}
	switch {
	case ki != "" && kn != "":
		if l := [2]string{ki, kn}; !b.linked[l] {
			b.linked[l] = true
			b.links = append(b.links, l)
		}
		return ki
	case ki != "":
		return ki
	}
	return kn
}

func (b *Builder) frag(key string) *fragment {
	f := b.frags[key]
	if f == nil {
		f = &fragment{roles: map[roleKey]*RoleSession{}, activity: map[actKey]*Activity{}}
		b.frags[key] = f
	}
	return f
}

// refusedCodes are the error codes of requests that were refused: attempts, not access.
var refusedCodes = regexp.MustCompile(`(?i)denied|unauthori|forbidden|expired|invalidclienttokenid|invalid_?grant|notauthorized`)

// Add reads one record.
func (b *Builder) Add(rec *Record) {
	if !b.From.IsZero() && rec.Time.Before(b.From) || !b.To.IsZero() && rec.Time.After(b.To) {
		b.Outside++
		return
	}
	if b.first.IsZero() || rec.Time.Before(b.first) {
		b.first = rec.Time
	}
	if rec.Time.After(b.last) {
		b.last = rec.Time
	}
	if b.admin(rec) {
		return
	}
	actor, who, role := Classify(rec)
	ev := evidenceOf(rec)
	refused := rec.ErrorCode != "" && refusedCodes.MatchString(rec.ErrorCode)
	if rec.EventName == "CreateTokenWithIAM" {
		// the application's role calls it; the user is in the additional event data
		if id := rec.AdditionalEventData.IdentityStoreUserID; id != "" {
			actor, who = OnBehalf, Who{ID: id}
		} else if actor == NotAUser {
			b.Ignored++
			return
		}
		f := b.frag(b.key(who))
		if rec.UserAgent != "" {
			b.appAgents[rec.UserAgent] = true
		}
		if !refused {
			f.grants = append(f.grants, Grant{Ev: ev, Kind: gExchange, Client: rec.RequestParameters.ClientID,
				Agent: rec.UserAgent, Lifetime: seconds(rec.ResponseElements.ExpiresIn)})
		}
		b.use(f, chAppOnBehalf, "exchange by "+rec.RequestParameters.ClientID, ev, refused)
		return
	}
	switch actor {
	case NotAUser:
		if rec.EventName == "CreateToken" && rec.ErrorCode == "" && strings.HasSuffix(rec.RequestParameters.GrantType, "refresh_token") {
			// a refresh that names no user: its client's logins say whose
			b.pending = append(b.pending, pendingRefresh{rec.RequestParameters.ClientID, Grant{Ev: ev, Kind: gRefresh,
				Agent: rec.UserAgent, Client: rec.RequestParameters.ClientID, Detail: rec.RequestParameters.GrantType,
				Lifetime: seconds(rec.ResponseElements.ExpiresIn)}})
			return
		}
		b.Ignored++
	case Role:
		f := b.frag(b.key(who))
		issued := rec.UserIdentity.SessionCreated()
		rs := f.role(role.Account, role.PermissionSet, issued)
		if rs.Agent == "" {
			rs.Agent = rec.UserAgent
		}
		if refused {
			rs.Refused.add(ev)
		} else {
			rs.Uses.add(ev)
		}
	case OnBehalf:
		f := b.frag(b.key(who))
		b.use(f, chAppOnBehalf, "identity-enhanced session of "+roleName(rec.UserIdentity.SessionContext.SessionIssuer.ARN), ev, refused)
	case Person:
		b.person(rec, who, role, ev, refused)
	}
}

// use counts activity on a channel.
func (b *Builder) use(f *fragment, channel, label string, ev Evidence, refused bool) {
	day := ev.Time.Truncate(24 * time.Hour)
	k := actKey{channel, label, day.Unix()}
	a := f.activity[k]
	if a == nil {
		a = &Activity{Channel: channel, Label: label, Day: day}
		f.activity[k] = a
	}
	if refused {
		a.Refused.add(ev)
	} else {
		a.Uses.add(ev)
	}
}

// role returns the role session issued at issued.
func (f *fragment) role(account, ps string, issued time.Time) *RoleSession {
	k := roleKey{account, ps, issued.Unix()}
	rs := f.roles[k]
	if rs == nil {
		rs = &RoleSession{Account: account, PermissionSet: ps, Issued: issued}
		f.roles[k] = rs
	}
	return rs
}

// person reads a record of the user themselves.
func (b *Builder) person(rec *Record, who Who, role RoleARN, ev Evidence, refused bool) {
	f := b.frag(b.key(who))
	add := func(g Grant) {
		g.Ev, g.Agent, g.UserID = ev, rec.UserAgent, who.ID
		f.grants = append(f.grants, g)
	}
	src, name := rec.EventSource, rec.EventName
	switch {
	case src == srcSignIn && name == "UserAuthentication":
		ok := strings.EqualFold(rec.ServiceEventDetails.UserAuthentication, "Success") && rec.ErrorCode == ""
		wf := rec.AdditionalEventData.AuthWorkflowID
		if !ok && b.failed[wf] {
			return // the failure of a workflow already counted
		}
		if !ok && wf != "" {
			b.failed[wf] = true
		}
		add(Grant{Kind: gSignIn, Detail: rec.AdditionalEventData.CredentialType, Failed: !ok})
		if strings.Contains(rec.AdditionalEventData.CredentialType, "EXTERNAL_IDP") {
			b.externalIdP = true
		}
	case src == srcSignIn && (name == "CredentialChallenge" || name == "CredentialVerification"):
		// steps of a sign-in: the UserAuthentication of the workflow says how it ended; a
		// workflow whose credential failed is one failed attempt
		wf := rec.AdditionalEventData.AuthWorkflowID
		if strings.EqualFold(rec.ServiceEventDetails.CredentialVerification, "Failure") && !b.failed[wf] {
			if wf != "" {
				b.failed[wf] = true
			}
			add(Grant{Kind: gSignIn, Detail: rec.AdditionalEventData.CredentialType + " " + name + " failed", Failed: true})
		}
	case src == srcSignIn:
		b.Ignored++ // IAM and root console sign-ins
	case src == srcSSO && name == "Authenticate":
		add(Grant{Kind: gSignIn, Detail: "Authenticate", Failed: rec.ErrorCode != ""})
	case src == srcSSO && name == "Logout":
		add(Grant{Kind: gSignOut})
	case src == srcSSO && name == "Federate":
		if refused {
			b.use(f, chPortal, "portal", ev, true)
			return
		}
		acc, ps := roleTarget(rec)
		add(Grant{Kind: gFederate, Account: acc, PermissionSet: ps})
	case src == srcSSO && name == "GetRoleCredentials":
		if refused {
			// an application's request when its user agent is one of the exchanges' (TTI-1),
			// which may come later in the logs: told once every record is read (resolve)
			b.refusedCreds = append(b.refusedCreds, pendingCreds{f, rec.UserAgent, ev})
			return
		}
		acc, ps := roleTarget(rec)
		g := Grant{Kind: gCreds, Account: acc, PermissionSet: ps}
		if ms := int64(rec.ResponseElements.RoleCredentials.Expiration); ms > 0 {
			g.Lifetime = time.UnixMilli(ms).Sub(rec.Time).Round(time.Second)
		}
		add(g)
	case (src == srcOAuth || src == srcSSO) && name == "CreateToken":
		if refused {
			b.use(f, chCLIToken, "token of client "+rec.RequestParameters.ClientID, ev, true)
			return
		}
		b.token(rec, f, b.key(who), ev)
	case src == srcSTS && name == "AssumeRoleWithSAML":
		if refused || role.PermissionSet == "" {
			return
		}
		d := time.Duration(rec.RequestParameters.DurationSeconds) * time.Second
		exp := parseTime(rec.ResponseElements.Credentials.Expiration)
		if !exp.IsZero() {
			d = exp.Sub(rec.Time)
		}
		add(Grant{Kind: gAssume, Account: role.Account, PermissionSet: role.PermissionSet, Lifetime: d})
		if d > 0 {
			b.durations[role.PermissionSet] = max(b.durations[role.PermissionSet], d)
		}
	case rec.UserIdentity.Type == TypeIdentityCenterUser && src != srcSSO && src != srcOAuth:
		b.use(f, chAppExisting, src, ev, refused)
	default:
		b.use(f, chPortal, "portal", ev, refused)
	}
}

// token reads a CreateToken: a CLI login, or a refresh.
func (b *Builder) token(rec *Record, f *fragment, key string, ev Evidence) {
	rp := &rec.RequestParameters
	g := Grant{Ev: ev, Agent: rec.UserAgent, Client: rp.ClientID, Detail: rp.GrantType, Lifetime: seconds(rec.ResponseElements.ExpiresIn)}
	switch {
	case strings.HasSuffix(rp.GrantType, "refresh_token"):
		g.Kind = gRefresh
	case strings.HasSuffix(rp.GrantType, "device_code"), strings.HasSuffix(rp.GrantType, "authorization_code"):
		g.Kind = gLogin
		if rp.ClientID != "" {
			b.clients[rp.ClientID] = key
		}
	default:
		return
	}
	f.grants = append(f.grants, g)
}

// roleTarget returns the account and permission set of a Federate or GetRoleCredentials.
func roleTarget(rec *Record) (account, ps string) {
	account, ps = rec.ServiceEventDetails.AccountID, rec.ServiceEventDetails.RoleName
	if account == "" {
		account = rec.RequestParameters.AccountID
	}
	if ps == "" {
		ps = rec.RequestParameters.RoleName
	}
	return account, ps
}

func seconds(n flexInt) time.Duration { return time.Duration(n) * time.Second }

// roleName returns the name of a role from its ARN.
func roleName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// Timeline is what the records say: the users, with their grants, role sessions and activity,
// and the offboardings found in the admin events.
type Timeline struct {
	// From and To are the times of the first and the last record read.
	From, To     time.Time
	Users        []*User
	Offboardings []*Offboarding
	// Durations are the permission sets' role session durations the records show (the longest
	// seen); a permission set not in it was seen without one.
	Durations map[string]time.Duration
	// ExternalIdP says a sign-in went through an external IdP.
	ExternalIdP bool
	// Ignored counts the records about no IAM Identity Center user; Outside those left out by
	// the Builder's From and To.
	Ignored, Outside int
	// Notes say what the reconstruction could not place.
	Notes []string
}

// Offboarding is an offboarding found in the admin events: the first admin event on the user
// of a group that disables or deletes them, with the steps that follow within the playbook
// window.
type Offboarding struct {
	User  *User
	At    time.Time
	Steps []AdminEvent
	// Until is when the user was enabled again after the window, which ends what the
	// offboarding accounts for; zero when they were not.
	Until time.Time
}

// DefaultPlaybookWindow is how long after its first admin event an offboarding's steps may come.
const DefaultPlaybookWindow = 24 * time.Hour

// Timeline joins what the records said about each user key into users and finds their
// offboardings: admin events on a user within window of each other, of which one disables or
// deletes the user, make one offboarding, at the first of them.
func (b *Builder) Timeline(window time.Duration) *Timeline {
	if window <= 0 {
		window = DefaultPlaybookWindow
	}
	tl := &Timeline{From: b.first, To: b.last, Durations: b.durations, ExternalIdP: b.externalIdP, Ignored: b.Ignored, Outside: b.Outside}
	b.resolve(tl)
	for _, u := range b.users() {
		tl.Users = append(tl.Users, u)
		if o := offboarding(u, window, tl); o != nil {
			o.revocations(b.revokes, window)
			tl.Offboardings = append(tl.Offboardings, o)
		}
	}
	slices.SortStableFunc(tl.Offboardings, func(a, b *Offboarding) int { return a.At.Compare(b.At) })
	return tl
}

// pendingCreds is a refused GetRoleCredentials of the user of f, with its user agent.
type pendingCreds struct {
	f     *fragment
	agent string
	ev    Evidence
}

// resolve places what needed every record read: refused role credentials by the user agents
// of the exchanges, refreshes by their client, group membership deletions by their membership,
// session deletions by the listing before them, deny policies by the user IDs they name.
func (b *Builder) resolve(tl *Timeline) {
	for _, p := range b.refusedCreds {
		channel := chRoleNew
		if b.appAgents[p.agent] {
			channel = chAppOnBehalf
		}
		b.use(p.f, channel, "role credentials", p.ev, true)
	}
	b.refusedCreds = nil
	for _, p := range b.pending {
		key, ok := b.clients[p.client]
		if !ok {
			tl.Notes = append(tl.Notes, fmt.Sprintf("a token refresh of client %s, whose logins the logs do not show, is not placed: %s", p.client, p.g.Ev))
			continue
		}
		f := b.frag(key)
		f.grants = append(f.grants, p.g)
	}
	for _, p := range b.delMember {
		m, ok := b.memberships[p.key]
		if !ok || m[0] == "" {
			tl.Notes = append(tl.Notes, fmt.Sprintf("a group membership deletion whose membership the logs do not show is not placed: %s", p.ev.Ev))
			continue
		}
		p.ev.Action, p.ev.Group, p.ev.UserID = sim.RemoveFromGroup, m[1], m[0]
		f := b.frag(b.key(Who{ID: m[0]}))
		f.admin = append(f.admin, p.ev)
	}
	for _, p := range b.delSessions {
		// the user whose sessions the same administrator listed last, within 10 minutes before
		var user string
		for _, l := range b.listed {
			if l.by == p.key && !l.at.After(p.ev.Ev.Time) && p.ev.Ev.Time.Sub(l.at) <= 10*time.Minute {
				user = l.userID
			}
		}
		if user == "" {
			tl.Notes = append(tl.Notes, fmt.Sprintf("a session deletion that names no user is not placed: %s", p.ev.Ev))
			continue
		}
		p.ev.Action, p.ev.UserID = sim.EndSessions, user
		f := b.frag(b.key(Who{ID: user}))
		f.admin = append(f.admin, p.ev)
	}
	named := map[string][]string{} // policy ID -> the user IDs its deny names
	slices.SortStableFunc(b.denies, func(x, y denyCandidate) int { return x.ev.Time.Compare(y.ev.Time) })
	for _, d := range b.denies {
		action, what := sim.DenyUser, "deny policy"
		if d.lift {
			// the first detachment or deletion of the policy lifts its deny
			action, what = sim.AllowUser, "deny policy lifted"
			d.ids, named[d.policy] = named[d.policy], nil
		} else if d.policy != "" {
			named[d.policy] = d.ids
		}
		for _, id := range d.ids {
			if f, ok := b.frags["i:"+id]; ok {
				f.admin = append(f.admin, AdminEvent{Ev: d.ev, Action: action, By: d.by, Event: what, UserID: id})
			}
		}
	}
}

// users joins the keys the records linked and merges their fragments, in the order of names.
func (b *Builder) users() []*User {
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	for _, l := range b.links {
		a, c := find(l[0]), find(l[1])
		if a != c {
			// the ID is the root, so that a user is named by their first name
			if strings.HasPrefix(c, "i:") && !strings.HasPrefix(a, "i:") {
				a, c = c, a
			}
			parent[c] = a
		}
	}
	groups := map[string][]string{}
	for k := range b.names {
		r := find(k)
		groups[r] = append(groups[r], k)
	}
	var users []*User
	for _, keys := range groups {
		slices.Sort(keys)
		u := &User{}
		roles := map[roleKey]*RoleSession{}
		acts := map[actKey]*Activity{}
		for _, k := range keys {
			if id, ok := strings.CutPrefix(k, "i:"); ok {
				u.IDs = append(u.IDs, id)
			} else {
				u.Names = append(u.Names, b.names[k])
			}
			f := b.frags[k]
			if f == nil {
				continue
			}
			u.Grants = append(u.Grants, f.grants...)
			u.Admin = append(u.Admin, f.admin...)
			for rk, rs := range f.roles {
				if x := roles[rk]; x != nil {
					x.Uses.merge(rs.Uses)
					x.Refused.merge(rs.Refused)
				} else {
					roles[rk] = rs
				}
			}
			for ak, a := range f.activity {
				if x := acts[ak]; x != nil {
					x.Uses.merge(a.Uses)
					x.Refused.merge(a.Refused)
				} else {
					acts[ak] = a
				}
			}
		}
		if len(u.Grants)+len(u.Admin)+len(roles)+len(acts) == 0 {
			continue // only linked, never seen
		}
		switch {
		case len(u.Names) > 0:
			u.Name = u.Names[0]
		default:
			u.Name = u.IDs[0]
		}
		slices.SortStableFunc(u.Grants, func(a, b Grant) int { return a.Ev.Time.Compare(b.Ev.Time) })
		appCredentials(u.Grants)
		slices.SortStableFunc(u.Admin, func(a, b AdminEvent) int { return a.Ev.Time.Compare(b.Ev.Time) })
		for _, rs := range roles {
			u.Roles = append(u.Roles, rs)
		}
		u.Roles = assumed(u.Grants, u.Roles)
		slices.SortFunc(u.Roles, func(a, b *RoleSession) int {
			return cmp.Or(a.Issued.Compare(b.Issued), cmp.Compare(a.Account, b.Account), cmp.Compare(a.PermissionSet, b.PermissionSet))
		})
		for _, a := range acts {
			u.Activity = append(u.Activity, a)
		}
		slices.SortFunc(u.Activity, func(a, b *Activity) int {
			return cmp.Or(a.Day.Compare(b.Day), cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Label, b.Label))
		})
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b *User) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(strings.Join(a.IDs, ","), strings.Join(b.IDs, ",")))
	})
	return users
}

// appCredentials marks the role credentials that an application obtained with a token it
// exchanged for the user (TTI-1): those requested with the user agent of an exchange before
// them. Grants are in time order.
func appCredentials(grants []Grant) {
	apps := map[string]string{} // user agent -> client of the exchanges
	for i := range grants {
		g := &grants[i]
		switch {
		case g.Kind == gExchange && g.Agent != "":
			apps[g.Agent] = g.Client
		case g.Kind == gCreds && apps[g.Agent] != "":
			g.Kind, g.Client = gAppCreds, apps[g.Agent]
		}
	}
}

// offboarding finds the user's first offboarding; later ones are noted.
func offboarding(u *User, window time.Duration, tl *Timeline) *Offboarding {
	first := slices.IndexFunc(u.Admin, func(a AdminEvent) bool { return a.offboards() })
	if first < 0 {
		return nil
	}
	// the group begins at the earliest admin event within the window before the disable
	start := first
	for start > 0 && u.Admin[first].Ev.Time.Sub(u.Admin[start-1].Ev.Time) <= window {
		start--
	}
	o := &Offboarding{User: u, At: u.Admin[start].Ev.Time}
	end := start
	for end < len(u.Admin) && u.Admin[end].Ev.Time.Sub(o.At) <= window {
		o.Steps = append(o.Steps, u.Admin[end])
		end++
	}
	for _, a := range u.Admin[end:] {
		switch {
		case a.Action == sim.EnableUser && o.Until.IsZero():
			o.Until = a.Ev.Time
		case a.offboards():
			tl.Notes = append(tl.Notes, fmt.Sprintf("%s was disabled or deleted again at %s, after the offboarding of %s: only the first is measured",
				u.Name, a.Ev.Time.Format(time.RFC3339), o.At.Format(time.RFC3339)))
		}
	}
	return o
}

// revokeLead is how long before an offboarding's first step a revocation of role sessions may
// come and still be its first step.
const revokeLead = 10 * time.Minute

// revocations adds to the offboarding's steps the revocations of permission sets' role sessions
// (CUT-2) that came within window after it, or at most revokeLead before it: they name no user,
// and are taken as the steps of each offboarding they fall in.
func (o *Offboarding) revocations(revokes []AdminEvent, window time.Duration) {
	start := o.At
	for _, r := range revokes {
		t := r.Ev.Time
		if t.Before(start.Add(-revokeLead)) || t.Sub(start) > window || !o.Until.IsZero() && t.After(o.Until) {
			continue
		}
		o.Steps = append(o.Steps, r)
		if t.Before(o.At) {
			o.At = t
		}
	}
	slices.SortStableFunc(o.Steps, func(a, b AdminEvent) int { return a.Ev.Time.Compare(b.Ev.Time) })
}

// assumed gives the role sessions their expiry from the AssumeRoleWithSAML that issued them,
// and adds those that the logs show only through it.
func assumed(grants []Grant, roles []*RoleSession) []*RoleSession {
	for _, g := range grants {
		if g.Kind != gAssume {
			continue
		}
		found := false
		for _, rs := range roles {
			if rs.Account == g.Account && rs.PermissionSet == g.PermissionSet && absDur(rs.Issued.Sub(g.Ev.Time)) <= matchWindow {
				found = true
				if g.Lifetime > 0 {
					rs.Expires = g.Ev.Time.Add(g.Lifetime)
				}
			}
		}
		if !found {
			rs := &RoleSession{Account: g.Account, PermissionSet: g.PermissionSet, Issued: g.Ev.Time, Agent: g.Agent}
			if g.Lifetime > 0 {
				rs.Expires = g.Ev.Time.Add(g.Lifetime)
			}
			roles = append(roles, rs)
		}
	}
	return roles
}
