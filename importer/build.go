package importer

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"idcsim/scenarios"
	"idcsim/sim"
)

// Options are what Build needs that no export holds.
type Options struct {
	// MaxUsers is the most users written by name; with more, people are written as
	// populations (0: always).
	MaxUsers int
	// PortalSession is the access portal session duration; 0 is the profile's default.
	PortalSession time.Duration
	// Source is the kind of identity source.
	Source sim.SourceKind
}

// Result is an imported scenario.
type Result struct {
	// Scenario is the scenario as its YAML reads back.
	Scenario *sim.Scenario
	// YAML is the scenario file: comments say where each value came from, and its first line
	// is the one Written recognises.
	YAML    []byte
	Summary *Summary
}

// Defaults of what the scenario says that no export holds.
const (
	// samlSession is a SAML application's own session, which the service does not know: a day,
	// the longer exposure.
	samlSession = 24 * time.Hour
	// idpSession, provisioningInterval and ticketLifetime are the scenario format's defaults.
	idpSession           = 12 * time.Hour
	provisioningInterval = 40 * time.Minute
	ticketLifetime       = 10 * time.Hour
	// replicationPeople is how many people the replications of a run may hold together before
	// fewer are written, so that the run takes seconds; maxReplications is the most written.
	replicationPeople = 50_000
	maxReplications   = 20
)

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

type account struct {
	id, name string
	from     Source // where it is named, or first mentioned
	named    bool
	written  string // its name in the scenario
}

type permissionSet struct {
	key, name string
	duration  time.Duration
	from      Source
	durFrom   Source // where the duration was read; empty File when it was left out
}

type application struct {
	key, name, provider string
	kind                sim.AppKind
	from                Source
}

type principal struct {
	id, name    string
	from        Source
	assignments []*grant
	// users only
	disabled   bool
	statusFrom Source
	groups     []*principal
	memberFrom []Source
}

// grant is an assignment of a principal, resolved.
type grant struct {
	acct *account
	ps   *permissionSet
	app  *application
	from Source
}

func (g *grant) assignment() sim.Assignment {
	if g.app != nil {
		return sim.Assignment{Application: g.app.name}
	}
	return sim.Assignment{Account: g.acct.written, PermissionSet: g.ps.name}
}

// key orders grants: accounts by name and permission set, then applications.
func (g *grant) key() string {
	if g.app != nil {
		return "1\x00" + g.app.name
	}
	return "0\x00" + g.acct.written + "\x00" + g.ps.name
}

// builder checks an Org and writes its scenario.
type builder struct {
	org  *Org
	opt  Options
	errs Problems

	accounts   map[string]*account
	accountIDs []string // in the order first met
	sets       map[string]*permissionSet
	setNames   map[string]*permissionSet
	apps       map[string]*application
	groups     map[string]*principal
	users      map[string]*principal
	userNames  map[string]*principal

	sum      *Summary
	comments map[string]scenarios.Comment
}

// Build checks the organisation and writes its scenario. Every problem found is returned as an
// ErrorList, each at the file and JSON path of the value at fault.
func Build(org *Org, opt Options) (*Result, error) {
	b := &builder{
		org: org, opt: opt,
		accounts: map[string]*account{}, sets: map[string]*permissionSet{}, setNames: map[string]*permissionSet{},
		apps: map[string]*application{}, groups: map[string]*principal{}, users: map[string]*principal{},
		userNames: map[string]*principal{},
		sum:       &Summary{From: org.From, Files: org.Files, MaxUsers: opt.MaxUsers, Skipped: map[string]int{}},
		comments:  map[string]scenarios.Comment{},
	}
	for reason, n := range org.Skipped {
		b.sum.Skipped[reason] += n
	}
	b.readAccounts()
	b.readPermissionSets()
	b.readApplications()
	b.readGroups()
	b.readUsers()
	b.readMemberships()
	b.readAssignments()
	if err := b.errs.Err(); err != nil {
		return nil, err
	}
	if len(b.users) > scenarios.MaxUsers {
		return nil, ErrorList{{Msg: fmt.Sprintf("the export has %d users, more than idcsim's limit of %d people", len(b.users), scenarios.MaxUsers)}}
	}
	sc, err := b.scenario()
	if err != nil {
		return nil, err
	}
	body, err := scenarios.MarshalComments(sc, b.comments)
	if err != nil {
		return nil, fmt.Errorf("writing the imported scenario: %w", err)
	}
	back, err := scenarios.Parse("the imported scenario", body)
	if err != nil {
		return nil, fmt.Errorf("the imported scenario does not read back, a mistake of idcsim import: %w", err)
	}
	return &Result{Scenario: back, YAML: seal(body), Summary: b.sum}, nil
}

// twice reports a declaration listed a second time.
func (b *builder) twice(at Source, what, id string, first Source) {
	b.errs.Add(at, "%s %s is listed twice (first at %s)", what, id, first)
}

// present checks that a required value is there.
func (b *builder) present(f Field, what string) bool {
	if f.Value == "" {
		b.errs.Add(f.From, "%s is missing or empty", what)
		return false
	}
	return true
}

func (b *builder) readAccounts() {
	for _, a := range b.org.Accounts {
		if !b.accountID(a.ID) {
			continue
		}
		if prev := b.accounts[a.ID.Value]; prev != nil {
			b.twice(a.ID.From, "account", a.ID.Value, prev.from)
			continue
		}
		acct := &account{id: a.ID.Value, from: a.ID.From}
		if name := cleanName(a.Name.Value); name != "" {
			acct.name, acct.named, acct.from = name, true, a.Name.From
		}
		b.accounts[acct.id] = acct
		b.accountIDs = append(b.accountIDs, acct.id)
	}
	for _, f := range b.org.AccountRefs {
		b.account(f)
	}
}

// accountID checks an account ID.
func (b *builder) accountID(f Field) bool {
	if !accountIDPattern.MatchString(f.Value) {
		b.errs.Add(f.From, "want a 12-digit AWS account ID, not %q", f.Value)
		return false
	}
	return true
}

// account returns the account of an ID, adding it when the export named no such account.
func (b *builder) account(f Field) *account {
	if !b.accountID(f) {
		return nil
	}
	acct := b.accounts[f.Value]
	if acct == nil {
		acct = &account{id: f.Value, from: f.From}
		b.accounts[f.Value] = acct
		b.accountIDs = append(b.accountIDs, f.Value)
	}
	return acct
}

func (b *builder) readPermissionSets() {
	p, _ := sim.LookupProfile("current")
	lo, hi, rule, _ := sim.PermissionSetSetting("").Range(&p)
	for _, in := range b.org.PermissionSets {
		if !b.present(in.Key, "the permission set's ARN") || !b.present(in.Name, "the permission set's name") {
			continue
		}
		if prev := b.sets[in.Key.Value]; prev != nil {
			b.twice(in.Key.From, "permission set", in.Key.Value, prev.from)
			continue
		}
		ps := &permissionSet{key: in.Key.Value, name: cleanName(in.Name.Value), from: in.Key.From, duration: p.PermissionSetDefault}
		if prev := b.setNames[ps.name]; prev != nil {
			b.errs.Add(in.Name.From, "permission set name %s is used twice (first by %s at %s)", ps.name, prev.key, prev.from)
			continue
		}
		// a permission set whose duration is wrong is still known to the assignments, which
		// would otherwise be reported too
		if s := in.SessionDuration.Value; s != "" {
			d, err := sim.ParseDuration(s)
			switch {
			case !strings.HasPrefix(s, "P") || err != nil:
				b.errs.Add(in.SessionDuration.From, "want an ISO 8601 duration such as PT8H, not %q", s)
			case d < lo || d > hi:
				b.errs.Add(in.SessionDuration.From, "session duration %s is outside %s..%s, the range of a permission set (%s)",
					s, sim.FormatDuration(lo), sim.FormatDuration(hi), rule)
			default:
				ps.duration, ps.durFrom = d, in.SessionDuration.From
			}
		}
		b.sets[ps.key] = ps
		b.setNames[ps.name] = ps
	}
}

func (b *builder) readApplications() {
	names := map[string]*application{}
	for _, in := range b.org.Applications {
		if !b.present(in.Key, "the application's ARN") {
			continue
		}
		if prev := b.apps[in.Key.Value]; prev != nil {
			b.twice(in.Key.From, "application", in.Key.Value, prev.from)
			continue
		}
		a := &application{key: in.Key.Value, provider: in.Provider.Value, from: in.Key.From, kind: sim.AWSManaged}
		if strings.HasSuffix(a.provider, ":applicationProvider/custom-saml") {
			a.kind = sim.SAML
		}
		a.name = cleanName(in.Name.Value)
		if a.name == "" {
			a.name = lastPart(a.key)
		}
		if names[a.name] != nil {
			a.name = cleanName(a.name + " (" + lastPart(a.key) + ")")
		}
		names[a.name] = a
		b.apps[a.key] = a
	}
}

func (b *builder) readGroups() {
	names := map[string]bool{}
	for _, in := range b.org.Groups {
		if !b.present(in.ID, "the group's ID") {
			continue
		}
		if prev := b.groups[in.ID.Value]; prev != nil {
			b.twice(in.ID.From, "group", in.ID.Value, prev.from)
			continue
		}
		g := &principal{id: in.ID.Value, name: cleanName(in.Name.Value), from: in.ID.From}
		if g.name == "" || names[g.name] {
			g.name = cleanName(g.name + " (" + g.id + ")")
		}
		names[g.name] = true
		b.groups[g.id] = g
	}
}

func (b *builder) readUsers() {
	for _, in := range b.org.Users {
		if !b.present(in.ID, "the user's ID") || !b.present(in.Name, "the user's name") {
			continue
		}
		if prev := b.users[in.ID.Value]; prev != nil {
			b.twice(in.ID.From, "user", in.ID.Value, prev.from)
			continue
		}
		u := &principal{id: in.ID.Value, name: cleanName(in.Name.Value), from: in.ID.From}
		if prev := b.userNames[u.name]; prev != nil {
			b.errs.Add(in.Name.From, "user name %s is used twice (first by %s at %s)", u.name, prev.id, prev.from)
			continue
		}
		switch in.Status.Value {
		case "", "ENABLED":
		case "DISABLED":
			u.disabled, u.statusFrom = true, in.Status.From
		default:
			b.errs.Add(in.Status.From, "want ENABLED or DISABLED, not %q", in.Status.Value)
		}
		if in.External {
			b.sum.ExternalUsers++
		}
		b.users[u.id] = u
		b.userNames[u.name] = u
	}
}

func (b *builder) readMemberships() {
	seen := map[[2]string]Source{}
	for _, m := range b.org.Memberships {
		if !b.present(m.Group, "the group's ID") || !b.present(m.User, "the member's user ID") {
			continue
		}
		g, u := b.groups[m.Group.Value], b.users[m.User.Value]
		if g == nil {
			b.errs.Add(m.Group.From, "unknown group %s", m.Group.Value)
		}
		if u == nil {
			b.errs.Add(m.User.From, "unknown user %s", m.User.Value)
		}
		if g == nil || u == nil {
			continue
		}
		k := [2]string{g.id, u.id}
		if prev, ok := seen[k]; ok {
			b.errs.Add(m.User.From, "user %s is a member of group %s twice (first at %s)", u.id, g.id, prev)
			continue
		}
		seen[k] = m.User.From
		u.groups = append(u.groups, g)
		u.memberFrom = append(u.memberFrom, m.User.From)
		b.sum.Memberships++
	}
}

func (b *builder) readAssignments() {
	seen := map[string]Source{}
	for _, in := range b.org.Assignments {
		ok := b.present(in.PrincipalType, "the principal type") && b.present(in.Principal, "the principal's ID")
		if in.Application.Value == "" {
			ok = b.present(in.Account, "the account ID") && b.present(in.PermissionSet, "the permission set's ARN") && ok
		}
		if !ok {
			continue
		}
		var p *principal
		switch t := in.PrincipalType.Value; t {
		case "USER", "GROUP":
			table, other, otherKind := b.users, b.groups, "a group"
			if t == "GROUP" {
				table, other, otherKind = b.groups, b.users, "a user"
			}
			if p = table[in.Principal.Value]; p == nil {
				hint := ""
				if other[in.Principal.Value] != nil {
					hint = fmt.Sprintf(" (it is %s; the principal type says %s)", otherKind, t)
				}
				b.errs.Add(in.Principal.From, "unknown %s %s%s", strings.ToLower(t), in.Principal.Value, hint)
			}
		default:
			b.errs.Add(in.PrincipalType.From, "want USER or GROUP, not %q", t)
		}
		g := &grant{from: in.Principal.From}
		var key string
		if in.Application.Value != "" {
			if g.app = b.apps[in.Application.Value]; g.app == nil {
				b.errs.Add(in.Application.From, "unknown application %s", in.Application.Value)
			}
			key = in.Application.Value
		} else {
			g.acct = b.account(in.Account)
			if g.ps = b.sets[in.PermissionSet.Value]; g.ps == nil {
				b.errs.Add(in.PermissionSet.From, "unknown permission set %s", in.PermissionSet.Value)
			}
			key = in.Account.Value + "\x00" + in.PermissionSet.Value
		}
		if p == nil || g.app == nil && (g.acct == nil || g.ps == nil) {
			continue
		}
		key += "\x00" + in.PrincipalType.Value + "\x00" + p.id
		if prev, ok := seen[key]; ok {
			b.errs.Add(in.Principal.From, "the same assignment is listed twice (first at %s)", prev)
			continue
		}
		seen[key] = in.Principal.From
		p.assignments = append(p.assignments, g)
		if g.app != nil {
			b.sum.ApplicationAssignments++
			continue
		}
		if in.PrincipalType.Value == "GROUP" {
			b.sum.GroupAssignments++
		} else {
			b.sum.UserAssignments++
		}
	}
}

// cleanName makes s a name that a scenario accepts: each run of blanks and characters that are
// not printable becomes one space, none at the ends, and at most 200 characters.
func cleanName(s string) string {
	var out strings.Builder
	blank := false
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			blank = true
			continue
		}
		if blank && out.Len() > 0 {
			if n++; n > 200 {
				break
			}
			out.WriteByte(' ')
		}
		blank = false
		if n++; n > 200 {
			break
		}
		out.WriteRune(r)
	}
	return strings.TrimRight(out.String(), " ")
}

// lastPart is the last part of an ARN, after its last slash.
func lastPart(arn string) string {
	return cleanName(arn[strings.LastIndexByte(arn, '/')+1:])
}

// scenario writes the scenario of what was read, with its comments.
func (b *builder) scenario() (*sim.Scenario, error) {
	p, _ := sim.LookupProfile("current")
	sc := &sim.Scenario{
		Name:         "imported",
		Start:        time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), // a Monday, the format's default
		Horizon:      30 * 24 * time.Hour,
		Seed:         1,
		Replications: 1,
		Profile:      p,
		Switches:     sim.DefaultSwitches(),
	}
	b.settings(sc, &p)
	if err := b.errs.Err(); err != nil {
		return nil, err
	}
	b.declarations(sc)
	users := b.sortedUsers()
	if len(users) > b.opt.MaxUsers {
		b.populations(sc, users)
	} else {
		b.listUsers(sc, users)
	}
	b.head(sc)
	return sc, nil
}

// settings sets what no API exposes: the identity source and the instance's session settings.
func (b *builder) settings(sc *sim.Scenario, p *sim.Profile) {
	sc.Source.Kind = b.opt.Source
	check := "must be checked: no API exposes it"
	src := "must be checked: no API exposes the identity source's settings; --identity-source sets the kind"
	switch b.opt.Source {
	case sim.ExternalIdP:
		sc.Source.IdPSession = idpSession
		sc.Source.Provisioning = sim.ProvisioningPeriodic
		sc.Source.ProvisioningInterval = provisioningInterval
		b.comments["identity_source.idp_session"] = scenarios.Comment{Line: check + " (your IdP's session; the default)"}
		b.comments["identity_source.session_not_on_or_after"] = scenarios.Comment{Line: check + " (whether your IdP's assertion caps the portal session, UIS-6; the default)"}
		b.comments["identity_source.provisioning"] = scenarios.Comment{Line: check + " (how your IdP provisions, PROV-2; the default)"}
	case sim.ActiveDirectory:
		sc.Source.TicketLifetime = ticketLifetime
		b.comments["identity_source.ticket_lifetime"] = scenarios.Comment{Line: check + " (the Kerberos ticket lifetime, UIS-8; the AWS Managed AD default)"}
	}
	b.sum.Checks = append(b.sum.Checks, "identity source "+b.opt.Source.String()+" (--identity-source)")
	if b.opt.Source == sim.IdentityCenter && b.sum.ExternalUsers*2 > len(b.users) {
		src += fmt.Sprintf("\n%d of the %d users carry external IDs: they were provisioned from an external IdP or Active Directory", b.sum.ExternalUsers, len(b.users))
		b.sum.Hints = append(b.sum.Hints, fmt.Sprintf("%d of the %d users carry external IDs, as users provisioned from an external IdP or Active Directory do: consider --identity-source external_idp or active_directory", b.sum.ExternalUsers, len(b.users)))
	}
	b.comments["identity_source"] = scenarios.Comment{Head: src}

	portal, how := b.opt.PortalSession, "--portal-session"
	if portal == 0 {
		portal, how = p.PortalDefault, "the default; --portal-session sets it"
	}
	lo, hi, rule, _ := sim.PortalSessionSetting.Range(p)
	if portal < lo || portal > hi {
		b.errs.Add(Source{}, "portal session %s is outside %s..%s, the range of the portal session (%s)", sim.FormatDuration(portal), sim.FormatDuration(lo), sim.FormatDuration(hi), rule)
	}
	sc.Settings = sim.Settings{
		PortalSession:      portal,
		BackgroundSessions: true, BackgroundDuration: p.BackgroundDefault,
		KiroExtendedSessions: true, KiroDuration: p.KiroDefault,
	}
	b.comments["settings"] = scenarios.Comment{Head: "The instance's session settings: no API exposes them."}
	b.comments["settings.portal_session"] = scenarios.Comment{Line: "must be checked (" + how + ", UIS-1)"}
	b.comments["settings.background_sessions"] = scenarios.Comment{Line: "must be checked (the default, BG-1)"}
	b.comments["settings.kiro_sessions"] = scenarios.Comment{Line: "must be checked (the default, KIRO-1)"}
	b.sum.Checks = append(b.sum.Checks,
		"portal session "+sim.FormatDuration(portal)+" (--portal-session)",
		"background sessions on, "+sim.FormatDuration(p.BackgroundDefault),
		"Kiro sessions on, "+sim.FormatDuration(p.KiroDefault))
}

// declarations writes the accounts, permission sets, applications and groups.
func (b *builder) declarations(sc *sim.Scenario) {
	// accounts: every one the export names or uses, by name where the export names it and the
	// name is its alone, else by ID
	var used []*account
	count := map[string]int{}
	for _, id := range b.accountIDs {
		a := b.accounts[id]
		used = append(used, a)
		if a.named {
			count[a.name]++
		}
		count[a.id]++
	}
	for _, a := range used {
		switch {
		case a.named && count[a.name] == 1:
			a.written = a.name
		case a.named:
			a.written = cleanName(a.name + " (" + a.id + ")")
		default:
			a.written = a.id
		}
		if a.named {
			b.sum.NamedAccounts++
		}
	}
	slices.SortFunc(used, func(x, y *account) int { return cmp.Compare(x.written, y.written) })
	for i, a := range used {
		sc.Accounts = append(sc.Accounts, a.written)
		c := a.id + " (" + a.from.Element().String() + ")"
		if !a.named {
			c = "first mentioned at " + a.from.Element().String() + "; the export does not name it"
		}
		b.comments[fmt.Sprintf("accounts[%d]", i)] = scenarios.Comment{Line: c}
	}
	b.sum.Accounts = len(used)

	sets := sortedValues(b.sets, func(p *permissionSet) string { return p.name })
	for i, ps := range sets {
		sc.PermissionSets = append(sc.PermissionSets, sim.PermissionSet{Name: ps.name, SessionDuration: ps.duration})
		c := ps.key + " (" + ps.from.Element().String() + ")"
		if ps.durFrom.File == "" {
			c += "; no session duration in the export: the service's default, PT1H"
		}
		b.comments[fmt.Sprintf("permission_sets[%d]", i)] = scenarios.Comment{Line: c}
		switch {
		case ps.duration > b.sum.LongestDuration:
			b.sum.LongestDuration, b.sum.Longest = ps.duration, []string{ps.name}
		case ps.duration == b.sum.LongestDuration:
			b.sum.Longest = append(b.sum.Longest, ps.name)
		}
	}
	b.sum.PermissionSets = len(sets)

	apps := sortedValues(b.apps, func(a *application) string { return a.name })
	for i, a := range apps {
		app := sim.Application{Name: a.name, Kind: a.kind}
		c := a.key + " (" + a.from.Element().String() + ")"
		if a.kind == sim.SAML {
			app.SessionDuration = samlSession
			c += "; session_duration must be checked: the application keeps its own session, which no API exposes (SAML-1)"
		} else {
			c += "; kind must be checked: provider " + cmp.Or(a.provider, "unknown")
		}
		sc.Applications = append(sc.Applications, app)
		b.comments[fmt.Sprintf("applications[%d]", i)] = scenarios.Comment{Line: c}
	}
	b.sum.Applications = len(apps)

	groups := sortedValues(b.groups, func(g *principal) string { return g.name })
	for i, g := range groups {
		place := fmt.Sprintf("groups[%d]", i)
		sc.Groups = append(sc.Groups, sim.Group{Name: g.name, Assignments: b.grants(g, place)})
		b.comments[place] = scenarios.Comment{Line: "GroupId " + g.id + " (" + g.from.Element().String() + ")"}
	}
	b.sum.Groups = len(groups)
}

// grants returns the principal's assignments in order, with a comment for each at place.
func (b *builder) grants(p *principal, place string) []sim.Assignment {
	slices.SortFunc(p.assignments, func(x, y *grant) int { return cmp.Compare(x.key(), y.key()) })
	var out []sim.Assignment
	for i, g := range p.assignments {
		out = append(out, g.assignment())
		b.comments[fmt.Sprintf("%s.assignments[%d]", place, i)] = scenarios.Comment{Line: g.from.Element().String()}
	}
	return out
}

// sortedUsers returns the users by name.
func (b *builder) sortedUsers() []*principal {
	users := sortedValues(b.users, func(u *principal) string { return u.name })
	for _, u := range users {
		slices.SortFunc(u.groups, func(x, y *principal) int { return cmp.Compare(x.name, y.name) })
		if u.disabled {
			b.sum.DisabledUsers++
		}
	}
	b.sum.Users = len(users)
	return users
}

// devices are everyone's devices: a browser, and a CLI that signs in through it (UIS-9).
func devices() []sim.Device {
	return []sim.Device{{Name: "laptop", Kind: sim.Browser}, {Name: "term", Kind: sim.CLI, Browser: "laptop"}}
}

func groupNames(gs []*principal) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.name)
	}
	return out
}

// listUsers writes the users by name, those disabled in the export disabled from the start.
func (b *builder) listUsers(sc *sim.Scenario, users []*principal) {
	for i, u := range users {
		place := fmt.Sprintf("users[%d]", i)
		sc.Users = append(sc.Users, sim.User{
			Name: u.name, Groups: groupNames(u.groups), Assignments: b.grants(u, place), Devices: devices(),
		})
		b.comments[place] = scenarios.Comment{Line: "UserId " + u.id + " (" + u.from.Element().String() + ")"}
		if len(u.memberFrom) > 0 {
			b.comments[place+".groups"] = scenarios.Comment{Line: sources(u.memberFrom)}
		}
		if u.disabled {
			where := sim.AtIdentityCenter
			if sc.Source.Kind != sim.IdentityCenter {
				where = sim.AtIdP // disabled at the source, which provisioning carries over
			}
			b.comments[fmt.Sprintf("events[%d]", len(sc.Events))] = scenarios.Comment{Line: "disabled in the export (" + u.statusFrom.Element().String() + ")"}
			sc.Events = append(sc.Events, sim.Event{At: 0, Action: sim.DisableUser, User: u.name, Where: where})
		}
	}
	b.sum.Listed = len(users)
}

// sources writes places compactly: the paths of one file after its name.
func sources(from []Source) string {
	var out []string
	file := ""
	for _, s := range from {
		s = s.Element()
		if s.File == file && len(out) > 0 {
			out[len(out)-1] += ", " + s.Path
			continue
		}
		file = s.File
		out = append(out, s.String())
	}
	return strings.Join(out, "; ")
}

// populations writes the people as populations, one per exact set of groups and direct
// assignments, each with a default behaviour, and a default offboardings entry.
func (b *builder) populations(sc *sim.Scenario, users []*principal) {
	type pop struct {
		groups []*principal
		grants []*grant
		people []*principal
	}
	var pops []*pop
	byKey := map[string]*pop{}
	for _, u := range users {
		if u.disabled {
			b.sum.Skipped["disabled users, who have no access to lose"]++
			continue
		}
		slices.SortFunc(u.assignments, func(x, y *grant) int { return cmp.Compare(x.key(), y.key()) })
		k := strings.Join(groupNames(u.groups), "\x00") + "\x01"
		for _, g := range u.assignments {
			k += g.key() + "\x02"
		}
		p := byKey[k]
		if p == nil {
			p = &pop{groups: u.groups, grants: u.assignments}
			byKey[k] = p
			pops = append(pops, p)
		}
		p.people = append(p.people, u)
	}
	names := map[string]bool{}
	name := func(p *pop) string {
		gs := groupNames(p.groups)
		base := strings.Join(gs, "+")
		if utf8.RuneCountInString(base) > 60 {
			base = fmt.Sprintf("%s+%d-more", gs[0], len(gs)-1)
		}
		switch {
		case len(p.grants) > 0 && base != "":
			base += "+direct"
		case len(p.grants) > 0:
			base = "direct"
		case base == "":
			base = "no-access"
		}
		base = cleanName(base)
		n := base
		for i := 2; names[n]; i++ {
			n = base + " " + strconv.Itoa(i)
		}
		names[n] = true
		return n
	}
	slices.SortStableFunc(pops, func(x, y *pop) int { return cmp.Compare(len(y.people), len(x.people)) })
	people := 0
	for i, p := range pops {
		n := name(p)
		place := fmt.Sprintf("populations[%d]", i)
		var grants []sim.Assignment
		for _, g := range p.grants {
			grants = append(grants, g.assignment())
		}
		sc.Populations = append(sc.Populations, sim.Population{
			Name: n, Count: len(p.people), Behaviour: n, Groups: groupNames(p.groups), Assignments: grants, Devices: devices(),
		})
		sc.Behaviours = append(sc.Behaviours, b.behaviour(n, p.groups, p.grants))
		var who []string
		for _, u := range p.people[:min(len(p.people), 3)] {
			who = append(who, u.name)
		}
		more := ""
		if len(p.people) > 3 {
			more = fmt.Sprintf(" and %d more", len(p.people)-3)
		}
		b.comments[place] = scenarios.Comment{Line: fmt.Sprintf("%d %s with exactly these groups and direct assignments: %s%s",
			len(p.people), plural(len(p.people), "user", "users"), strings.Join(who, ", "), more)}
		b.comments[fmt.Sprintf("behaviours[%d]", i)] = scenarios.Comment{Line: "a default: edit it, or fit one to your CloudTrail"}
		people += len(p.people)
	}
	b.sum.Populations, b.sum.People = len(pops), people
	if people == 0 {
		return
	}
	sc.Replications = max(1, min(maxReplications, replicationPeople/people))
	b.comments["replications"] = scenarios.Comment{Line: "fewer for more people, so that a run takes seconds; more narrow the confidence intervals"}
	sc.Offboardings = []sim.OffboardingPlan{{
		Count: max(1, min(50, people/100)), From: 24 * time.Hour, To: 21 * 24 * time.Hour, PlaybookName: "aws-recommended",
	}}
	b.comments["offboardings"] = scenarios.Comment{Head: "A default: about 1% of the people leave in the first three weeks, offboarded in the documented order.\nWrite your own leavers and playbooks."}
}

// behaviour is the default behaviour of a population: office hours in UTC, the population's
// applications opened twice a day, its accounts federated into once a day and used from the
// CLI four times a day.
func (b *builder) behaviour(name string, groups []*principal, direct []*grant) sim.Behaviour {
	bh := sim.Behaviour{
		Name: name, Location: time.UTC,
		WorkingDays: [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true},
		DayStart:    9 * time.Hour, DayEnd: 17 * time.Hour, ArrivalSpread: time.Hour, SignOutProbability: 0.2,
	}
	var all []*grant
	for _, g := range groups {
		all = append(all, g.assignments...)
	}
	all = append(all, direct...)
	slices.SortFunc(all, func(x, y *grant) int { return cmp.Compare(x.key(), y.key()) })
	all = slices.CompactFunc(all, func(x, y *grant) bool { return x.key() == y.key() })
	var apps, targets []sim.Assignment
	for _, g := range all {
		if g.app != nil {
			apps = append(apps, g.assignment())
		} else {
			targets = append(targets, g.assignment())
		}
	}
	if len(apps) > 0 {
		bh.OpenApp = sim.Activity{PerDay: 2, Targets: apps}
	}
	if len(targets) > 0 {
		bh.Federate = sim.Activity{PerDay: 1, Targets: targets}
		bh.CLI = sim.Activity{PerDay: 4, Targets: slices.Clone(targets)}
	}
	return bh
}

// head writes the comment at the top of the file.
func (b *builder) head(sc *sim.Scenario) {
	lines := []string{
		"The organisation in " + b.org.From + ", imported by idcsim import.",
		"Each imported value says where it came from; what no API exposes is written as the documented",
		"default and marked \"must be checked\".",
	}
	for _, in := range b.org.Instances {
		lines = append(lines, "Instance "+in.Value+" ("+in.From.Element().String()+").")
	}
	if b.sum.Listed > 0 {
		lines = append(lines,
			"The users are listed by name and do nothing: write events (sign-ins, an offboard) to measure",
			"exposure, or import with --max-users 0 for populations with behaviours and offboardings.")
	} else if b.sum.Populations > 0 {
		lines = append(lines,
			"People are written as populations, one per exact set of groups and direct assignments, each with",
			"a default behaviour; the offboardings are a default too: edit them.")
	}
	b.comments[""] = scenarios.Comment{Head: strings.Join(lines, "\n")}
}

// sortedValues returns the values of m sorted by key (then by name, for equal keys).
func sortedValues[T any](m map[string]*T, key func(*T) string) []*T {
	out := make([]*T, 0, len(m))
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = append(out, m[id])
	}
	slices.SortStableFunc(out, func(x, y *T) int { return cmp.Compare(key(x), key(y)) })
	return out
}
