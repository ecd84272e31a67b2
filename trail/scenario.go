package trail

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"idcsim/sim"
)

// Config is what an organisation's configuration tells the reconstruction beyond the logs:
// the users' names and IDs, the permission sets' ARNs and durations, the portal session.
// `idcsim import` gives one; a JSON file of the same shape does too (LoadConfig).
type Config struct {
	Users          []ConfigUser          `json:"users"`
	PermissionSets []ConfigPermissionSet `json:"permission_sets,omitempty"`
	// PortalSession is the access portal session duration, as sim durations are written.
	PortalSession string `json:"portal_session,omitempty"`
}

// ConfigUser is a user of a Config: their identity-store user ID and name.
type ConfigUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ConfigPermissionSet is a permission set of a Config.
type ConfigPermissionSet struct {
	Name            string `json:"name"`
	ARN             string `json:"arn,omitempty"`
	SessionDuration string `json:"session_duration,omitempty"`
}

// ScenarioOptions say how to write a timeline as a scenario.
type ScenarioOptions struct {
	// Config, when set, supplies the portal session and permission sets the logs do not show.
	Config *Config
	// Offboarded keeps only the users who were offboarded: what the engine needs for bounds.
	Offboarded   bool
	Seed         uint64
	Replications int
}

// Device names of the scenarios written.
const (
	browserDevice = "browser"
	cliDevice     = "cli"
)

// Assumptions where the logs are silent; the longer exposure, as RULES.md chooses.
const (
	// longestRole is the longest role session (ROLE-2), for a permission set seen without a
	// duration.
	longestRole  = 12 * time.Hour
	shortestRole = time.Hour
	// legacyToken is the lifetime from which a CLI login is a legacy profile's (CLI-4).
	legacyToken = 8 * time.Hour
	// matchWindow is how far apart the records of one grant may be (a Federate, its
	// AssumeRoleWithSAML, the role session's creationDate).
	matchWindow = 2 * time.Minute
	// boundMargin is how long past an offboarding the engine runs, beyond the portal session:
	// a role session minted at the portal session's last instant (12h) and a CLI token's hour.
	boundMargin = 14 * time.Hour
)

// Scenario writes the timeline as a scenario: its users with the devices their records show (a
// browser; a CLI device per OIDC client, legacy when its tokens last 8 hours, an SDK's when its
// user agent is not the AWS CLI's), the accounts and permission sets they used assigned to them,
// and their sign-ins, sign-outs, CLI logins, token refreshes, federations and role credentials
// at their real times, the role credentials applications obtained as them after a TTI exchange
// as act_as_user (TTI-1; with an external IdP in the logs), each offboarding with its steps as
// they happened. Where a grant needed a
// session the logs do not show (it began before them), the sign-in or login is inferred at the
// grant. The notes say what was assumed or left out.
func Scenario(tl *Timeline, opts ScenarioOptions) (*sim.Scenario, []string, error) {
	w, err := newWriter(tl, opts)
	if err != nil {
		return nil, nil, err
	}
	return w.sc, w.notes, nil
}

// newWriter writes the scenario of Scenario.
func newWriter(tl *Timeline, opts ScenarioOptions) (*writer, error) {
	prof, _ := sim.LookupProfile("current")
	w := &writer{tl: tl, opts: opts, sc: &sim.Scenario{
		Name: "cloudtrail", Seed: opts.Seed, Replications: max(opts.Replications, 1),
		Profile: prof, Switches: sim.DefaultSwitches(),
	}, durations: map[string]time.Duration{}, psARN: map[string]string{}, names: map[string]bool{}, userNames: map[*User]string{},
		onBehalf: map[*User]bool{}}
	sc := w.sc
	sc.Settings.PortalSession = prof.PortalDefault
	sc.Settings.BackgroundSessions, sc.Settings.BackgroundDuration = true, prof.BackgroundDefault
	sc.Settings.KiroExtendedSessions, sc.Settings.KiroDuration = true, prof.KiroDefault
	if c := opts.Config; c != nil && c.PortalSession != "" {
		d, err := sim.ParseDuration(c.PortalSession)
		if err != nil {
			return nil, fmt.Errorf("config portal_session: %v", err)
		}
		sc.Settings.PortalSession = d
	} else {
		w.note("the portal session duration is not in the logs: the default, %s (UIS-1)", sim.HumanDuration(sc.Settings.PortalSession))
	}
	if tl.ExternalIdP {
		sc.Source = sim.IdentitySource{Kind: sim.ExternalIdP, IdPSession: 12 * time.Hour, Provisioning: sim.ProvisioningNone}
		w.note("sign-ins went through an external IdP: its own changes are not in the logs, only what reached IAM Identity Center")
	}
	if c := opts.Config; c != nil {
		for _, p := range c.PermissionSets {
			if p.ARN != "" {
				w.psARN[p.ARN] = p.Name
			}
			if p.SessionDuration != "" {
				d, err := sim.ParseDuration(p.SessionDuration)
				if err != nil {
					return nil, fmt.Errorf("config permission set %s: session_duration: %v", p.Name, err)
				}
				w.durations[p.Name] = d
			}
		}
	}
	offboarded := map[*User]*Offboarding{}
	for _, o := range tl.Offboardings {
		offboarded[o.User] = o
	}
	for _, u := range tl.Users {
		if opts.Offboarded && offboarded[u] == nil {
			continue
		}
		w.user(u, offboarded[u])
	}
	w.finish()
	return w, nil
}

// writer is one Scenario in the writing.
type writer struct {
	tl        *Timeline
	opts      ScenarioOptions
	sc        *sim.Scenario
	durations map[string]time.Duration // from the configuration
	psARN     map[string]string        // permission set ARN -> name
	accounts  []string
	permSets  []string
	groups    []string
	names     map[string]bool
	userNames map[*User]string // each user's name in the scenario
	apps      []string         // the applications of kind account_access that act as users
	onBehalf  map[*User]bool   // the users as whom the scenario has applications act
	notes     []string
	events    []timed
	last      time.Time // the latest time the run must reach
}

// timed is an event of the scenario at its real time; order breaks ties (EV-1).
type timed struct {
	at    time.Time
	order int
	ev    sim.Event
}

func (w *writer) note(format string, args ...any) {
	w.notes = append(w.notes, fmt.Sprintf(format, args...))
}

func (w *writer) add(at time.Time, ev sim.Event) {
	w.events = append(w.events, timed{at, len(w.events), ev})
	if at.After(w.last) {
		w.last = at
	}
}

func (w *writer) account(a string) {
	if !slices.Contains(w.accounts, a) {
		w.accounts = append(w.accounts, a)
	}
}

func (w *writer) permSet(ps string) {
	if !slices.Contains(w.permSets, ps) {
		w.permSets = append(w.permSets, ps)
	}
}

// device is a CLI device of a user: the OIDC client it logs in with, its logins and the role
// credentials it got.
type device struct {
	name, client string
	logins       []time.Time
	legacy, sdk  bool
	refreshes    bool
}

// user adds a user, their devices and their events.
func (w *writer) user(u *User, off *Offboarding) {
	name := u.Name
	if w.names[name] && len(u.IDs) > 0 {
		name += " (" + u.IDs[0] + ")"
	}
	w.names[name] = true
	w.userNames[u] = name
	su := sim.User{Name: name}
	var assigned []sim.Assignment
	assign := func(account, ps string) {
		if account == "" || ps == "" {
			return
		}
		w.account(account)
		w.permSet(ps)
		a := sim.Assignment{Account: account, PermissionSet: ps}
		if !slices.Contains(assigned, a) {
			assigned = append(assigned, a)
		}
	}
	portal := w.sc.Settings.PortalSession

	// CLI devices, one per OIDC client, in the order of their first login
	var devs []*device
	byClient := map[string]*device{}
	cliDev := func(client string) *device {
		if d := byClient[client]; d != nil {
			return d
		}
		d := &device{name: cliDevice, client: client}
		if len(devs) > 0 {
			d.name = fmt.Sprintf("%s-%d", cliDevice, len(devs)+1)
		}
		devs = append(devs, d)
		byClient[client] = d
		return d
	}
	// the device of a CLI grant at t: the one whose login came last before it
	deviceAt := func(t time.Time) *device {
		var best *device
		var bestAt time.Time
		for _, d := range devs {
			for _, l := range d.logins {
				if !l.After(t) && (best == nil || l.After(bestAt)) {
					best, bestAt = d, l
				}
			}
		}
		return best
	}
	for _, g := range u.Grants {
		if g.Kind == gLogin || g.Kind == gRefresh {
			d := cliDev(g.Client)
			if g.Kind == gLogin {
				d.logins = append(d.logins, g.Ev.Time)
				d.legacy = d.legacy || g.Lifetime >= legacyToken
			} else {
				d.refreshes = true
			}
			d.sdk = d.sdk || sdkAgent(g.Agent)
		}
	}

	var signIns []time.Time // successful sign-ins and inferred ones, for the grants that need one
	signedIn := func(t time.Time) bool {
		for _, s := range signIns {
			if !s.After(t) && t.Sub(s) < portal {
				return true
			}
		}
		return false
	}
	browserUsed := false
	skippedApp := 0
	var inferredSignIns, inferredLogins []time.Time
	ensureSignIn := func(t time.Time) {
		browserUsed = true
		if !signedIn(t) {
			signIns = append(signIns, t)
			inferredSignIns = append(inferredSignIns, t)
			w.add(t, sim.Event{Action: sim.SignIn, User: name, Device: browserDevice})
		}
	}
	ensureLogin := func(d *device, t time.Time) {
		life := portal
		if d.legacy {
			life = legacyToken
		}
		for _, l := range d.logins {
			if !l.After(t) && t.Sub(l) < life {
				return
			}
		}
		d.logins = append(d.logins, t)
		inferredLogins = append(inferredLogins, t)
		w.add(t, sim.Event{Action: sim.CLILogin, User: name, Device: d.name})
	}
	// role sessions that a grant in the logs accounts for
	granted := map[*RoleSession]bool{}
	matchRole := func(account, ps string, t time.Time) {
		for _, rs := range u.Roles {
			if rs.Account == account && rs.PermissionSet == ps && absDur(rs.Issued.Sub(t)) <= matchWindow {
				granted[rs] = true
			}
		}
	}
	credentials := func(g Grant) {
		assign(g.Account, g.PermissionSet)
		matchRole(g.Account, g.PermissionSet, g.Ev.Time)
		if !cliAgent(g.Agent) && browserAgent(g.Agent) {
			// the access portal's own credentials: a role session from the portal session
			ensureSignIn(g.Ev.Time)
			w.add(g.Ev.Time, sim.Event{Action: sim.Federate, User: name, Device: browserDevice, Account: g.Account, PermissionSet: g.PermissionSet})
			return
		}
		d := deviceAt(g.Ev.Time)
		if d == nil {
			d = cliDev("")
			d.sdk = sdkAgent(g.Agent)
		}
		ensureLogin(d, g.Ev.Time)
		w.add(g.Ev.Time, sim.Event{Action: sim.GetRoleCredentials, User: name, Device: d.name, Account: g.Account, PermissionSet: g.PermissionSet})
	}
	for _, g := range u.Grants {
		t := g.Ev.Time
		switch g.Kind {
		case gSignIn:
			if g.Failed {
				continue
			}
			browserUsed = true
			signIns = append(signIns, t)
			w.add(t, sim.Event{Action: sim.SignIn, User: name, Device: browserDevice})
		case gSignOut:
			browserUsed = true
			w.add(t, sim.Event{Action: sim.SignOut, User: name, Device: browserDevice})
		case gLogin:
			browserUsed = true
			w.add(t, sim.Event{Action: sim.CLILogin, User: name, Device: byClient[g.Client].name})
		case gRefresh:
			// a new access token from the portal session behind the device's login: the engine's
			// CLI login does that when the browser's session lives (UIS-9, CLI-1), and refuses
			// it when the user may no longer act (UIS-5)
			w.add(t, sim.Event{Action: sim.CLILogin, User: name, Device: byClient[g.Client].name})
		case gFederate:
			assign(g.Account, g.PermissionSet)
			matchRole(g.Account, g.PermissionSet, t)
			ensureSignIn(t)
			w.add(t, sim.Event{Action: sim.Federate, User: name, Device: browserDevice, Account: g.Account, PermissionSet: g.PermissionSet})
		case gCreds:
			credentials(g)
		case gAppCreds:
			if !w.tl.ExternalIdP {
				skippedApp++ // TTI-1: only through an IdP the scenario has
				continue
			}
			app := roleName(g.Client)
			if !slices.Contains(w.apps, app) {
				w.apps = append(w.apps, app)
			}
			assign(g.Account, g.PermissionSet)
			matchRole(g.Account, g.PermissionSet, t)
			w.onBehalf[u] = true
			w.add(t, sim.Event{Action: sim.ActAsUser, User: name, Application: app, Account: g.Account, PermissionSet: g.PermissionSet})
		case gAssume:
			w.durations[g.PermissionSet] = max(w.durations[g.PermissionSet], g.Lifetime)
		}
	}
	// role sessions that only their use or their AssumeRoleWithSAML show: issued before the logs,
	// or in an account whose IAM Identity Center records are not among them
	replayed := 0
	for _, rs := range u.Roles {
		if granted[rs] || rs.Issued.IsZero() {
			continue
		}
		g := Grant{Ev: Evidence{Time: rs.Issued}, Kind: gCreds, Account: rs.Account, PermissionSet: rs.PermissionSet, Agent: rs.Agent}
		replayed++
		if browserAgent(rs.Agent) || strings.Contains(rs.Agent, "console.amazonaws.com") {
			g.Agent = "Mozilla/5.0 (the console)"
		}
		credentials(g)
	}

	if len(inferredSignIns) > 0 {
		w.note("%s: %s inferred for grants that needed one and had none in the logs within a portal session before them (the first at %s)",
			name, plural(len(inferredSignIns), "sign-in"), inferredSignIns[0].Format(time.RFC3339))
	}
	if len(inferredLogins) > 0 {
		w.note("%s: %s inferred for role credentials with no login in the logs before them (the first at %s)",
			name, plural(len(inferredLogins), "CLI login"), inferredLogins[0].Format(time.RFC3339))
	}
	if skippedApp > 0 {
		w.note("%s: %s by applications with TTI exchanges (CreateTokenWithIAM) not replayed: no sign-in through an external IdP is in the logs, and applications of kind account_access trust one (TTI-1)",
			name, plural(skippedApp, "role credential request"))
	}
	if replayed > 0 {
		w.note("%s: %s seen only through their use or their AssumeRoleWithSAML: issued again at their creation time",
			name, plural(replayed, "role session"))
	}
	if browserUsed || len(devs) > 0 {
		su.Devices = append(su.Devices, sim.Device{Name: browserDevice, Kind: sim.Browser})
	}
	for _, d := range devs {
		sd := sim.Device{Name: d.name, Kind: sim.CLI, Browser: browserDevice}
		if d.legacy && !d.refreshes {
			sd.Config = sim.Legacy
		}
		if d.sdk {
			sd.Client = sim.SDK
		}
		su.Devices = append(su.Devices, sd)
	}
	if len(su.Devices) > 0 && su.Devices[0].Name != browserDevice {
		su.Devices = append([]sim.Device{{Name: browserDevice, Kind: sim.Browser}}, su.Devices...)
	}

	// admin events: the offboarding's as its playbook, the others as they came
	inOff := map[Evidence]bool{}
	if off != nil {
		var steps []sim.Step
		prev := off.At
		for _, a := range off.Steps {
			ev, ok := w.adminEvent(name, u, a, assign, &su)
			inOff[a.Ev] = true
			if !ok {
				continue
			}
			if a.Action != sim.RevokeRoleSessions { // it names a permission set, not a user
				ev.User = name
			}
			steps = append(steps, sim.Step{After: a.Ev.Time.Sub(prev), Event: ev})
			prev = a.Ev.Time
		}
		w.add(off.At, sim.Event{Action: sim.Offboard, User: name, Playbook: steps, PlaybookName: "cloudtrail-" + playbookName(name)})
		w.last = maxTime(w.last, off.At.Add(portal+boundMargin))
	}
	for _, a := range u.Admin {
		if inOff[a.Ev] {
			continue
		}
		if ev, ok := w.adminEvent(name, u, a, assign, &su); ok {
			w.add(a.Ev.Time, ev)
		}
	}
	su.Assignments = assigned
	w.sc.Users = append(w.sc.Users, su)
}

// adminEvent returns the scenario's event for an admin event on the user, or false when it
// cannot be placed (a permission set known only by an ARN the configuration does not name).
func (w *writer) adminEvent(name string, u *User, a AdminEvent, assign func(account, ps string), su *sim.User) (sim.Event, bool) {
	ev := sim.Event{Action: a.Action, User: name}
	switch a.Action {
	case sim.RemoveFromGroup:
		g := "group " + a.Group
		if !slices.Contains(w.groups, g) {
			w.groups = append(w.groups, g)
		}
		if !slices.Contains(su.Groups, g) {
			su.Groups = append(su.Groups, g)
		}
		ev.Group = g
		w.note("%s: the group memberships and group assignments are not in the logs: %s's removal changes no entitlement in the engine", name, g)
	case sim.RemoveAssignment:
		ps := w.psARN[a.PermissionSet]
		if ps == "" {
			// the user's only permission set in the account, if one
			var seen []string
			for _, g := range u.Grants {
				if g.Account == a.Account && g.PermissionSet != "" && !slices.Contains(seen, g.PermissionSet) {
					seen = append(seen, g.PermissionSet)
				}
			}
			if len(seen) != 1 {
				w.note("%s: the assignment deletion %s names permission set %s, which the logs do not name: not replayed", name, a.Ev, a.PermissionSet)
				return ev, false
			}
			ps = seen[0]
		}
		assign(a.Account, ps)
		ev.Account, ev.PermissionSet = a.Account, ps
	case sim.RevokeRoleSessions:
		ps := w.psARN[a.PermissionSet]
		if ps == "" {
			// an ARN that ends with the name of a permission set of the user's grants
			last := roleName(a.PermissionSet)
			if slices.ContainsFunc(u.Grants, func(g Grant) bool { return g.PermissionSet == last }) {
				ps = last
			}
		}
		if ps == "" {
			w.note("%s: the revocation of role sessions %s names permission set %s, which the logs do not name: not replayed", name, a.Ev, a.PermissionSet)
			return ev, false
		}
		w.permSet(ps)
		ev.User, ev.PermissionSet = "", ps
	}
	return ev, true
}

// finish declares what the users need, orders the events and sets the run's span.
func (w *writer) finish() {
	sc := w.sc
	slices.Sort(w.accounts)
	slices.Sort(w.permSets)
	slices.Sort(w.groups)
	sc.Accounts = w.accounts
	for _, ps := range w.permSets {
		d := w.durations[ps]
		if d == 0 {
			d = w.tl.Durations[ps]
		}
		if d == 0 {
			d = longestRole
			w.note("permission set %s: its session duration is not in the logs: the longest, %s (ROLE-2)", ps, sim.HumanDuration(d))
		}
		d = min(max(d.Round(time.Second), shortestRole), longestRole)
		sc.PermissionSets = append(sc.PermissionSets, sim.PermissionSet{Name: ps, SessionDuration: d})
	}
	for _, g := range w.groups {
		sc.Groups = append(sc.Groups, sim.Group{Name: g})
	}
	slices.Sort(w.apps)
	for _, a := range w.apps {
		sc.Applications = append(sc.Applications, sim.Application{Name: a, Kind: sim.AccountAccess})
	}
	slices.SortStableFunc(w.events, func(a, b timed) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.order, b.order)) })
	first := w.tl.From
	if len(w.events) > 0 && (first.IsZero() || w.events[0].at.Before(first)) {
		first = w.events[0].at
	}
	if first.IsZero() {
		first = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	sc.Start = first.Truncate(24 * time.Hour)
	end := maxTime(w.last, w.tl.To).Add(time.Hour).Truncate(time.Hour)
	if limit := sc.Start.Add(maxHorizon); end.After(limit) {
		sc.Start = end.Add(-maxHorizon).Truncate(24 * time.Hour).Add(24 * time.Hour)
		w.note("the logs span more than %d days: the scenario starts at %s, and what came before is left out", maxHorizon/(24*time.Hour), sc.Start.Format(time.RFC3339))
	}
	sc.Horizon = max(end.Sub(sc.Start), time.Hour)
	for _, e := range w.events {
		if e.at.Before(sc.Start) {
			continue
		}
		e.ev.At = e.at.Sub(sc.Start)
		sc.Events = append(sc.Events, e.ev)
	}
}

// maxHorizon is the longest scenario (scenarios.MaxHorizonDays).
const maxHorizon = 400 * 24 * time.Hour

// cliAgent says a user agent is the AWS CLI's or botocore's, which refresh 15 minutes ahead
// (CLI-2); other programs are SDKs.
func cliAgent(agent string) bool {
	a := strings.ToLower(agent)
	return strings.Contains(a, "aws-cli") || strings.Contains(a, "botocore")
}

// sdkAgent says a user agent is an SDK's: neither the AWS CLI's nor a browser's.
func sdkAgent(agent string) bool { return agent != "" && !cliAgent(agent) && !browserAgent(agent) }

// count returns how many grants are of the kind.
func count(grants []Grant, kind string) int {
	n := 0
	for _, g := range grants {
		if g.Kind == kind {
			n++
		}
	}
	return n
}

// plural writes n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// browserAgent says a user agent is a browser's.
func browserAgent(agent string) bool { return strings.HasPrefix(agent, "Mozilla/") }

// playbookName makes a name fit for a playbook's: the user's, spaces and parentheses taken out.
func playbookName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '(' || r == ')' {
			return '-'
		}
		return r
	}, name)
}

func absDur(d time.Duration) time.Duration { return max(d, -d) }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
