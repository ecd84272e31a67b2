package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// day is 24 hours, the day of durations.
const day = 24 * time.Hour

// Defaults that do not come from the profile.
var (
	defaultStart   = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	defaultHorizon = 30 * day
	defaultIdP     = 12 * time.Hour
)

const (
	defaultSeed         = 1
	defaultReplications = 1
	defaultProfile      = "current"
	// builtinPlaybook is the name of the documented offboarding order (CUT-4).
	builtinPlaybook = "aws-recommended"
	inlinePlaybook  = "inline"
)

// builder turns the node tree into a sim.Scenario.
type builder struct {
	decoder
	sc      *sim.Scenario
	profile bool // the profile name was valid

	ix        *sim.Names // the names declared so far
	playbooks map[string]*playbook
	names     map[string][]string   // by kind: known names, for suggestions
	skeletons map[string]*yaml.Node // by kind and skeleton: the first name declared, for lookalikes
	evNodes   []*yaml.Node          // the node of each of sc.Events
	userNodes []*yaml.Node          // the name node of each of sc.Users

	behaviourNodes []*behaviourAt // beside sc.Behaviours
	populations    map[string]*population
}

type playbook struct {
	key   *yaml.Node
	steps []*rawEvent
	used  bool
}

// rawEvent is a decoded event or playbook step with the nodes it came from.
type rawEvent struct {
	f  *fields
	ev sim.Event
	ok bool // action known and the event well formed enough to use
	// steps of an offboarding, and the node of its playbook value
	steps    []*rawEvent
	playbook *yaml.Node
}

func parse(filename string, data []byte) (sc *sim.Scenario, errs ErrorList) {
	b := &builder{decoder: decoder{file: filename, budget: 2_000_000}, ix: sim.NewNames()}
	defer func() {
		if r := recover(); r != nil {
			// The YAML library panics on some malformed input; report it as a syntax error.
			sc = nil
			errs = ErrorList{{File: filename, Line: 1, Col: 1, Msg: fmt.Sprintf("cannot read the file as YAML: %v", r)}}
		}
	}()
	root, errs := b.document(data, "scenario")
	if root == nil {
		return nil, errs
	}
	b.build(root)
	sum := sha256.Sum256(data)
	b.sc.SHA256 = hex.EncodeToString(sum[:])
	if b.errs.len() > 0 {
		return nil, b.errs.result(filename, "errors")
	}
	for _, w := range b.warnings.result(filename, "warnings") {
		b.sc.Warnings = append(b.sc.Warnings, w.Error())
	}
	return b.sc, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns an error of the YAML library into an Error with its line, or with the place
// of the alias it names.
func (b *builder) syntaxError(err error, data []byte) *Error {
	msg := err.Error()
	line, col := 1, 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			line = n
		}
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if l, c, ok := aliasPlace(msg, data); ok {
			line, col = l, c
		}
	}
	return &Error{File: b.file, Line: line, Col: col, Msg: "YAML syntax: " + msg}
}

func (b *builder) build(root *yaml.Node) {
	sc := &sim.Scenario{
		Start:        defaultStart,
		Horizon:      defaultHorizon,
		Seed:         defaultSeed,
		Replications: defaultReplications,
		Switches:     sim.DefaultSwitches(),
	}
	b.sc = sc
	b.names = map[string][]string{}
	top := b.mapping(root, "the scenario", keysOf("scenario"))
	if top == nil {
		sc.Profile, _ = sim.LookupProfile(defaultProfile)
		return
	}
	if n := top.get("name"); n != nil {
		sc.Name, _ = b.text(n, "name", false)
	}
	b.buildProfile(top)
	if n := top.get("switches"); n != nil {
		b.switches(n, &sc.Switches)
	}
	if n := top.get("start"); n != nil {
		if t, ok := b.timestamp(n, "start"); ok {
			sc.Start = t
		}
	}
	if n := top.get("horizon"); n != nil {
		if v, ok := b.positive(n, "horizon"); ok {
			if v > MaxHorizonDays*day {
				b.errorf(n, "horizon %s is longer than the limit of %dd", sim.FormatDuration(v), MaxHorizonDays)
			} else {
				sc.Horizon = v
			}
			if end := sc.Start.Add(sc.Horizon); end.After(maxTime) {
				b.errorf(n, "the run would end at %s, after %s, the last time RFC 3339 can write", end.Format(time.RFC3339), maxTime.Format(time.RFC3339))
			}
		}
	}
	if n := top.get("seed"); n != nil {
		if v, ok := b.integer(n, "seed", 0, 1<<64-1); ok {
			sc.Seed = v
		}
	}
	if n := top.get("replications"); n != nil {
		if v, ok := b.integer(n, "replications", 1, MaxReplications); ok {
			sc.Replications = int(v)
		}
	}
	b.buildSource(top.get("identity_source"))
	b.buildSettings(top.get("settings"))
	b.buildAccounts(top.get("accounts"))
	b.buildPermissionSets(top.get("permission_sets"))
	b.buildApplications(top.get("applications"))
	b.buildGroups(top.get("groups"))
	b.buildUsers(top.get("users"))
	b.buildBehaviours(top.get("behaviours"))
	b.buildPopulations(top.get("populations"))
	b.buildPlaybooks(top.get("playbooks"))
	b.buildEvents(top.get("events"))
	b.buildOffboardings(top.get("offboardings"))
	b.buildPolicy(top.get("policy"))
	b.buildSweep(top.get("sweep"))
	b.finalWarnings(root)
}

// switches reads a switches: mapping (of a scenario or a table file) into sw.
func (d *decoder) switches(n *yaml.Node, sw *sim.Switches) {
	keys, vals := d.entries(n, "switches")
	names := sim.SwitchNames()
	for i, k := range keys {
		if !contains(names, k.Value) {
			d.errorf(k, "unknown switch %q%s", k.Value, d.orList(k.Value, names))
			continue
		}
		if v, ok := d.boolean(vals[i], "switch "+k.Value); ok {
			if err := sw.Set(k.Value, v); err != nil {
				d.errorf(k, "%v", err)
			}
		}
	}
}

func (b *builder) buildProfile(top *fields) {
	name := defaultProfile
	b.profile = true
	if n := top.get("profile"); n != nil {
		if v, ok := b.enum(n, "profile", sim.ProfileNames()); ok {
			name = v
		} else {
			b.profile = false
		}
	}
	p, _ := sim.LookupProfile(name)
	n := top.get("timing")
	if n == nil {
		b.sc.Profile = p
		return
	}
	keys, vals := b.entries(n, "timing")
	names := sim.TimingNames()
	for i, k := range keys {
		if !contains(names, k.Value) {
			b.errorf(k, "unknown timing parameter %q%s", k.Value, b.orList(k.Value, names))
			continue
		}
		read := b.positive
		if sim.TimingMayBeZero(k.Value) {
			read = b.duration // 0 (the mechanism is off) or more: durations are never negative
		}
		v, ok := read(vals[i], "timing "+k.Value)
		if !ok {
			continue
		}
		if err := p.SetTiming(k.Value, v); err != nil {
			b.errorf(vals[i], "%v", err)
		}
	}
	type rng struct{ min, def, max string }
	for _, r := range []rng{
		{"portal_session_min", "portal_session_default", "portal_session_max"},
		{"permission_set_min", "permission_set_default", "permission_set_max"},
		{"background_session_min", "background_session_default", "background_session_max"},
		{"", "kiro_session_default", "kiro_session_max"},
	} {
		lo, _ := p.TimingValue(r.min)
		def, _ := p.TimingValue(r.def)
		hi, _ := p.TimingValue(r.max)
		if def < lo || def > hi {
			b.errorf(n, "timing: %s %s must lie within %s %s and %s %s", r.def, sim.FormatDuration(def),
				orZero(r.min), sim.FormatDuration(lo), r.max, sim.FormatDuration(hi))
		}
	}
	b.sc.Profile = p
}

func orZero(s string) string {
	if s == "" {
		return "zero"
	}
	return s
}

func (b *builder) buildSource(n *yaml.Node) {
	src := &b.sc.Source
	p := &b.sc.Profile
	f := (*fields)(nil)
	if n != nil {
		f = b.mapping(n, "identity_source", keysOf("identity_source"))
	}
	if k := f.get("kind"); k != nil {
		v, ok := b.enum(k, "identity source kind", sourceKinds)
		if !ok {
			return // the other keys depend on the kind
		}
		src.Kind = sim.SourceKind(index(sourceKinds, v))
	}
	only := func(key, kind string) {
		if f.has(key) {
			b.errorf(f.key[key], "%s applies only to an identity source of kind %s; this one is %s", key, kind, src.Kind)
		}
	}
	if src.Kind != sim.ExternalIdP {
		only("idp_session", "external_idp")
		only("session_not_on_or_after", "external_idp")
		only("provisioning", "external_idp")
	}
	if src.Kind != sim.ActiveDirectory {
		only("ticket_lifetime", "active_directory")
		only("sync", "active_directory")
	}
	switch src.Kind {
	case sim.ExternalIdP:
		src.IdPSession = defaultIdP
		if v := f.get("idp_session"); v != nil {
			if d, ok := b.positive(v, "idp_session"); ok {
				src.IdPSession = d
			}
		}
		if v := f.get("session_not_on_or_after"); v != nil {
			if x, ok := b.boolean(v, "session_not_on_or_after"); ok {
				src.SessionNotOnOrAfter = x
			}
		}
		src.Provisioning = sim.ProvisioningPeriodic
		src.ProvisioningInterval = p.SCIMInterval
		if v := f.get("provisioning"); v != nil {
			b.buildProvisioning(v)
		}
	case sim.ActiveDirectory:
		if v := f.get("sync"); v != nil {
			if x, ok := b.enum(v, "sync", sim.ADSyncModes()); ok {
				src.ADSync = sim.ADSyncMode(index(sim.ADSyncModes(), x))
			}
		}
		if v := f.get("ticket_lifetime"); v != nil {
			if d, ok := b.positive(v, "ticket_lifetime"); ok {
				src.TicketLifetime = d
				if !p.ADSessionManagement {
					b.warnf(v, "ticket_lifetime has no effect: in profile %s an Active Directory source has no session management (UIS-8)", p.Name)
				}
			}
		}
	}
}

func (b *builder) buildProvisioning(n *yaml.Node) {
	src := &b.sc.Source
	f := b.mapping(n, "provisioning", keysOf("provisioning"))
	if f == nil {
		return
	}
	m := f.get("mode")
	if m == nil {
		b.errorf(n, "provisioning needs mode: none, push or periodic")
		return
	}
	mode, ok := b.enum(m, "provisioning mode", provisioningModes)
	if !ok {
		return
	}
	src.ProvisioningInterval = 0
	switch mode {
	case "none":
		src.Provisioning = sim.ProvisioningNone
	case "push":
		src.Provisioning = sim.ProvisioningPush
		src.ProvisioningLatency = b.sc.Profile.SCIMPushLatency
	case "periodic":
		src.Provisioning = sim.ProvisioningPeriodic
		src.ProvisioningInterval = b.sc.Profile.SCIMInterval
	}
	if v := f.get("latency"); v != nil {
		if mode != "push" {
			b.errorf(f.key["latency"], "latency applies only to provisioning mode push; this one is %s", mode)
		} else if d, ok := b.positive(v, "provisioning latency"); ok {
			src.ProvisioningLatency = d
		}
	}
	if v := f.get("interval"); v != nil {
		if mode != "periodic" {
			b.errorf(f.key["interval"], "interval applies only to provisioning mode periodic; this one is %s", mode)
		} else if d, ok := b.positive(v, "provisioning interval"); ok {
			src.ProvisioningInterval = d
		}
	}
}

// checkRange refuses a duration outside the setting's range in the profile, naming the rule.
func (b *builder) checkRange(n *yaml.Node, what string, v time.Duration, s sim.Setting) bool {
	if !b.profile {
		return true // the profile is unknown, and so are its ranges
	}
	lo, hi, rule, _ := s.Range(&b.sc.Profile)
	if lo <= time.Nanosecond && v > hi {
		b.errorf(n, "%s %s is longer than the limit of profile %s: %s (%s)", what, sim.FormatDuration(v),
			b.sc.Profile.Name, sim.FormatDuration(hi), rule)
		return false
	}
	if v < lo || v > hi {
		b.errorf(n, "%s %s is outside the range of profile %s: %s to %s (%s)", what, sim.FormatDuration(v),
			b.sc.Profile.Name, sim.FormatDuration(lo), sim.FormatDuration(hi), rule)
		return false
	}
	return true
}

func (b *builder) buildSettings(n *yaml.Node) {
	st := &b.sc.Settings
	p := &b.sc.Profile
	st.PortalSession = p.PortalDefault
	if p.ExtendedSessions {
		st.BackgroundSessions, st.BackgroundDuration = true, p.BackgroundDefault
		st.KiroExtendedSessions, st.KiroDuration = true, p.KiroDefault
	}
	if n == nil {
		return
	}
	f := b.mapping(n, "settings", keysOf("settings"))
	if v := f.get("portal_session"); v != nil {
		if d, ok := b.positive(v, "portal_session"); ok && b.checkRange(v, "portal_session", d, sim.PortalSessionSetting) {
			st.PortalSession = d
			if b.sc.Source.Kind == sim.ActiveDirectory && !p.ADSessionManagement && d != p.ADFixedPortal {
				b.warnf(v, "portal_session has no effect: in profile %s an Active Directory source has a fixed %s portal session (UIS-8)",
					p.Name, sim.FormatDuration(p.ADFixedPortal))
			}
		}
	}
	type ext struct {
		key, what string
		setting   sim.Setting
		enabled   *bool
		dur       *time.Duration
	}
	for _, e := range []ext{
		{"background_sessions", "background session duration", sim.BackgroundSessionSetting, &st.BackgroundSessions, &st.BackgroundDuration},
		{"kiro_sessions", "Kiro session duration", sim.KiroSessionSetting, &st.KiroExtendedSessions, &st.KiroDuration},
	} {
		_, _, rule, _ := e.setting.Range(p)
		v := f.get(e.key)
		if v == nil {
			continue
		}
		g := b.mapping(v, e.key, keysOf("extended_sessions"))
		if g == nil {
			continue
		}
		if x := g.get("enabled"); x != nil {
			if on, ok := b.boolean(x, e.key+" enabled"); ok {
				if on && !p.ExtendedSessions {
					b.errorf(x, "%s cannot be enabled: they do not exist in profile %s (%s); use profile current", e.key, p.Name, rule)
				} else {
					*e.enabled = on
				}
			}
		}
		if x := g.get("duration"); x != nil {
			if !p.ExtendedSessions {
				b.errorf(g.key["duration"], "%s have no duration in profile %s: they do not exist there (%s)", e.key, p.Name, rule)
			} else if d, ok := b.positive(x, e.what); ok && b.checkRange(x, e.what, d, e.setting) {
				*e.dur = d
			}
		}
	}
}

// declare records a name of some kind and refuses a second one.
func (b *builder) declare(kind string, n *yaml.Node, name string, seen map[string]*yaml.Node) bool {
	if prev := seen[name]; prev != nil {
		b.errorf(n, "%s %q is declared twice (first at line %d)", kind, name, prev.Line)
		return false
	}
	seen[name] = n
	b.names[kind] = append(b.names[kind], name)
	b.lookalike(kind, n, name)
	return true
}

// lookalike warns about a name that mixes scripts or looks like another name of its kind.
func (b *builder) lookalike(kind string, n *yaml.Node, name string) {
	if scripts := mixedScripts(name); scripts != nil {
		b.warnf(n, "%s %q mixes %s letters: it may be read as another name", kind, name, strings.Join(scripts, " and "))
	}
	if b.skeletons == nil {
		b.skeletons = map[string]*yaml.Node{}
	}
	key := kind + "\x00" + skeleton(name)
	if prev := b.skeletons[key]; prev != nil {
		b.warnf(n, "%s %q looks like %s %q at line %d, column %d: the two differ only in characters that look alike",
			kind, name, kind, prev.Value, prev.Line, prev.Column)
		return
	}
	b.skeletons[key] = n
}

func (b *builder) buildAccounts(n *yaml.Node) {
	if n == nil {
		return
	}
	items, _ := b.list(n, "accounts")
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		if name, ok := b.name(it, "account"); ok && b.declare("account", it, name, seen) {
			b.ix.Accounts[name] = len(b.sc.Accounts)
			b.sc.Accounts = append(b.sc.Accounts, name)
		}
	}
}

func (b *builder) buildPermissionSets(n *yaml.Node) {
	if n == nil {
		return
	}
	p := &b.sc.Profile
	items, _ := b.list(n, "permission_sets")
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "permission set", keysOf("permission_set"))
		if f == nil {
			continue
		}
		ps := sim.PermissionSet{SessionDuration: p.PermissionSetDefault}
		ok := true
		if v := f.get("name"); v == nil {
			b.errorf(it, "permission set needs name")
			ok = false
		} else if ps.Name, ok = b.name(v, "permission set name"); ok {
			ok = b.declare("permission set", v, ps.Name, seen)
		}
		if v := f.get("session_duration"); v != nil {
			if d, good := b.positive(v, "session_duration"); good && b.checkRange(v, "permission set session_duration", d, sim.PermissionSetSetting(ps.Name)) {
				ps.SessionDuration = d
			}
		}
		if ok {
			b.ix.PermissionSets[ps.Name] = len(b.sc.PermissionSets)
			b.sc.PermissionSets = append(b.sc.PermissionSets, ps)
		}
	}
}

func (b *builder) buildApplications(n *yaml.Node) {
	if n == nil {
		return
	}
	items, _ := b.list(n, "applications")
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "application", keysOf("application"))
		if f == nil {
			continue
		}
		var app sim.Application
		ok := true
		if v := f.get("name"); v == nil {
			b.errorf(it, "application needs name")
			ok = false
		} else if app.Name, ok = b.name(v, "application name"); ok {
			ok = b.declare("application", v, app.Name, seen)
		}
		kindOK := true
		if v := f.get("kind"); v != nil {
			var k string
			if k, kindOK = b.enum(v, "application kind", appKinds); kindOK {
				app.Kind = sim.AppKind(index(appKinds, k))
			}
			if kindOK && app.Kind == sim.AccountAccess {
				// refused or not, it is declared, so that what names it gets no second error
				b.accountAccess(v, app.Name)
			}
		}
		if v := f.get("jwt_lifetime"); v != nil && kindOK {
			if app.Kind != sim.AccountAccess {
				b.errorf(f.key["jwt_lifetime"], "jwt_lifetime applies only to applications of kind account_access; %s is %s", app.Name, app.Kind)
			} else if d, good := b.positive(v, "jwt_lifetime"); good {
				if d < sim.MinJWTLifetime || d > sim.MaxJWTLifetime {
					b.errorf(v, "jwt_lifetime %s is outside the range %s to %s (TTI-2)", sim.FormatDuration(d),
						sim.FormatDuration(sim.MinJWTLifetime), sim.FormatDuration(sim.MaxJWTLifetime))
				} else {
					app.JWTLifetime = d
				}
			}
		} else if app.Kind == sim.AccountAccess {
			app.JWTLifetime = sim.DefaultJWTLifetime // TTI-2
		}
		if !kindOK {
			// The other keys depend on the kind.
		} else if v := f.get("session_duration"); v != nil {
			if app.Kind != sim.SAML {
				b.errorf(f.key["session_duration"], "session_duration applies only to applications of kind saml; %s is %s", app.Name, app.Kind)
			} else if d, good := b.positive(v, "session_duration"); good {
				app.SessionDuration = d
			}
		} else if app.Kind == sim.SAML {
			b.errorf(it, "saml application %s needs session_duration: how long the application keeps its own session (SAML-1)", app.Name)
		}
		if v := f.get("background_sessions"); v != nil && kindOK {
			if app.Kind != sim.Jobs {
				b.errorf(f.key["background_sessions"], "background_sessions applies only to applications of kind jobs; %s is %s", app.Name, app.Kind)
			} else if on, good := b.boolean(v, "background_sessions"); good {
				if on && !b.sc.Profile.ExtendedSessions {
					b.errorf(v, "background sessions cannot be enabled: they do not exist in profile %s (BG-1)", b.sc.Profile.Name)
				} else {
					app.BackgroundSessions = &on
				}
			}
		}
		if ok {
			b.ix.Applications[app.Name] = len(b.sc.Applications)
			b.sc.Applications = append(b.sc.Applications, app)
		}
	}
}

// accountAccess checks that an application of kind account_access, whose kind is the node n,
// can exist: in a profile that has them, with the organisation's IdP as the identity source,
// which is the trusted token issuer (TTI-1).
func (b *builder) accountAccess(n *yaml.Node, name string) {
	p := &b.sc.Profile
	switch {
	case b.profile && !p.AccountAccess:
		b.errorf(n, "application %s: applications of kind account_access do not exist in profile %s (TTI-1: launched 2026-06); use profile current", name, p.Name)
	case b.sc.Source.Kind != sim.ExternalIdP:
		b.errorf(n, "application %s of kind account_access needs an identity source of kind external_idp: its trusted token issuer is the organisation's IdP (TTI-1); this one is %s", name, b.sc.Source.Kind)
	}
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// ref checks a reference to a declared name of some kind.
func (b *builder) ref(n *yaml.Node, kind string, known func(string) bool) (string, bool) {
	name, ok := b.name(n, kind)
	if !ok {
		return "", false
	}
	if !known(name) {
		hint := b.suggest(name, b.names[kind])
		if len(b.names[kind]) == 0 {
			hint = fmt.Sprintf("; no %s is declared", kind)
		}
		b.errorf(n, "unknown %s %q%s", kind, name, hint)
		return "", false
	}
	return name, true
}

func (b *builder) account(n *yaml.Node) (string, bool) {
	return b.ref(n, "account", b.ix.Accounts.Has)
}

func (b *builder) permset(n *yaml.Node) (string, bool) {
	return b.ref(n, "permission set", b.ix.PermissionSets.Has)
}

func (b *builder) app(n *yaml.Node) (string, bool) {
	return b.ref(n, "application", b.ix.Applications.Has)
}

func (b *builder) group(n *yaml.Node) (string, bool) {
	return b.ref(n, "group", b.ix.Groups.Has)
}

// user checks a reference to a user or to a population's person (NAME-i).
func (b *builder) user(n *yaml.Node) (string, bool) {
	name, ok := b.name(n, "user")
	if !ok {
		return "", false
	}
	if _, ok := b.devicesOf(name); ok {
		return name, true
	}
	hint := b.unknownPerson(name)
	if hint == "" {
		hint = b.suggest(name, b.names["user"])
	}
	if hint == "" && len(b.names["user"]) == 0 && len(b.populations) == 0 {
		hint = "; no user is declared"
	}
	b.errorf(n, "unknown user %q%s", name, hint)
	return "", false
}

// assignments reads a list of assignments.
func (b *builder) assignments(n *yaml.Node) []sim.Assignment {
	items, _ := b.list(n, "assignments")
	var out []sim.Assignment
	for _, it := range items {
		f := b.mapping(it, "assignment", keysOf("assignment"))
		if f == nil {
			continue
		}
		if a, ok := b.assignment(it, f, "an assignment"); ok {
			out = append(out, a)
		}
	}
	return out
}

// assignment reads the account, permission_set and application keys of f.
func (b *builder) assignment(n *yaml.Node, f *fields, what string) (sim.Assignment, bool) {
	var a sim.Assignment
	app, ok := b.targetKeys(n, f, what)
	switch {
	case !ok:
	case app:
		a.Application, ok = b.app(f.get("application"))
	default:
		var ok2 bool
		a.Account, ok = b.account(f.get("account"))
		a.PermissionSet, ok2 = b.permset(f.get("permission_set"))
		ok = ok && ok2
	}
	return a, ok
}

// targetKeys checks that f names an application, or an account with a permission_set, and not
// both, reporting a problem at n (or at the key in the way) in the words of what; app says which.
func (b *builder) targetKeys(n *yaml.Node, f *fields, what string) (app, ok bool) {
	hasApp := f.has("application")
	hasAcct := f.has("account") || f.has("permission_set")
	switch {
	case hasApp && hasAcct:
		k := f.key["account"]
		if k == nil {
			k = f.key["permission_set"]
		}
		b.errorf(k, "%s names either an application or an account with a permission_set, not both", what)
	case !hasApp && !hasAcct:
		b.errorf(n, "%s needs an application, or an account with a permission_set", what)
	case hasAcct && !f.has("account"):
		b.errorf(n, "%s with a permission_set needs an account too", what)
	case hasAcct && !f.has("permission_set"):
		b.errorf(n, "%s with an account needs a permission_set too", what)
	default:
		return hasApp, true
	}
	return false, false
}

func (b *builder) buildGroups(n *yaml.Node) {
	if n == nil {
		return
	}
	items, _ := b.list(n, "groups")
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "group", keysOf("group"))
		if f == nil {
			continue
		}
		var g sim.Group
		ok := true
		if v := f.get("name"); v == nil {
			b.errorf(it, "group needs name")
			ok = false
		} else if g.Name, ok = b.name(v, "group name"); ok {
			ok = b.declare("group", v, g.Name, seen)
		}
		if v := f.get("assignments"); v != nil {
			g.Assignments = b.assignments(v)
		}
		if ok {
			b.ix.Groups[g.Name] = len(b.sc.Groups)
			b.sc.Groups = append(b.sc.Groups, g)
		}
	}
}

func (b *builder) buildUsers(n *yaml.Node) {
	if n == nil {
		return
	}
	items, ok := b.list(n, "users")
	if !ok {
		return
	}
	if len(items) > MaxUsers {
		b.errorf(n, "too many users: %d; the limit is %d", len(items), MaxUsers)
		return
	}
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "user", keysOf("user"))
		if f == nil {
			continue
		}
		var u sim.User
		ok := true
		if v := f.get("name"); v == nil {
			b.errorf(it, "user needs name")
			ok = false
		} else if u.Name, ok = b.name(v, "user name"); ok {
			ok = b.declare("user", v, u.Name, seen)
		}
		if v := f.get("groups"); v != nil {
			u.Groups = b.groupList(v, "user "+u.Name)
		}
		if v := f.get("assignments"); v != nil {
			u.Assignments = b.assignments(v)
		}
		if v := f.get("devices"); v != nil {
			u.Devices = b.devices(v, "user "+u.Name)
		}
		if ok {
			b.ix.Users[u.Name] = len(b.sc.Users)
			b.sc.Users = append(b.sc.Users, u)
			b.userNodes = append(b.userNodes, f.get("name"))
		}
	}
}

// devices reads the devices of a user or of a population's people (who says which).
func (b *builder) devices(n *yaml.Node, who string) []sim.Device {
	items, _ := b.list(n, "devices")
	seen := map[string]*yaml.Node{}
	var out []sim.Device
	var browsers []*yaml.Node
	for _, it := range items {
		f := b.mapping(it, "device", keysOf("device"))
		if f == nil {
			continue
		}
		var dv sim.Device
		ok := true
		if v := f.get("name"); v == nil {
			b.errorf(it, "device needs name")
			ok = false
		} else if dv.Name, ok = b.name(v, "device name"); ok {
			if prev := seen[dv.Name]; prev != nil {
				b.errorf(v, "%s has two devices named %q (first at line %d)", who, dv.Name, prev.Line)
				ok = false
			}
			seen[dv.Name] = v
		}
		kindOK := true
		if v := f.get("kind"); v != nil {
			var k string
			if k, kindOK = b.enum(v, "device kind", deviceKinds); kindOK {
				dv.Kind = sim.DeviceKind(index(deviceKinds, k))
			}
		}
		if !kindOK {
			// The other keys depend on the kind.
		} else if v := f.get("config"); v != nil {
			if dv.Kind != sim.CLI {
				b.errorf(f.key["config"], "config applies only to devices of kind cli; %s is %s", dv.Name, dv.Kind)
			} else if c, good := b.enum(v, "CLI config", cliConfigs); good {
				dv.Config = sim.CLIConfig(index(cliConfigs, c))
			}
		}
		if v := f.get("client"); v != nil && kindOK {
			if dv.Kind != sim.CLI {
				b.errorf(f.key["client"], "client applies only to devices of kind cli; %s is %s", dv.Name, dv.Kind)
			} else if c, good := b.enum(v, "CLI client", cliClients); good {
				dv.Client = sim.CLIClient(index(cliClients, c))
			}
		}
		if v := f.get("browser"); v != nil && kindOK {
			if dv.Kind != sim.CLI {
				b.errorf(f.key["browser"], "browser applies only to devices of kind cli; %s is %s", dv.Name, dv.Kind)
			} else if name, good := b.name(v, "browser"); good {
				dv.Browser = name
				browsers = append(browsers, v)
			}
		}
		if ok {
			out = append(out, dv)
		}
	}
	// UIS-9: the browser a CLI device logs in through is one of the same person's browsers.
	for _, v := range browsers {
		if i := slices.IndexFunc(out, func(d sim.Device) bool { return d.Name == v.Value }); i < 0 {
			b.errorf(v, "browser %q is not a device of %s%s", v.Value, who, b.suggest(v.Value, deviceNames(out)))
		} else if out[i].Kind != sim.Browser {
			b.errorf(v, "browser %q is a %s device; a CLI device logs in through a browser device (UIS-9)", v.Value, out[i].Kind)
		}
	}
	return out
}

func deviceNames(ds []sim.Device) []string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return names
}

func (b *builder) buildPlaybooks(n *yaml.Node) {
	b.playbooks = map[string]*playbook{}
	b.names["playbook"] = []string{builtinPlaybook}
	if n == nil {
		return
	}
	keys, vals := b.entries(n, "playbooks")
	for i, k := range keys {
		name, ok := b.name(k, "playbook name")
		if !ok {
			continue
		}
		if name == builtinPlaybook || name == inlinePlaybook {
			b.errorf(k, "the playbook name %q is reserved; choose another", name)
			continue
		}
		pb := &playbook{key: k}
		pb.steps = b.steps(vals[i])
		b.playbooks[name] = pb
		b.names["playbook"] = append(b.names["playbook"], name)
	}
}

// steps decodes the steps of a playbook, without the offboarded user.
func (b *builder) steps(n *yaml.Node) []*rawEvent {
	items, _ := b.list(n, "a playbook")
	var out []*rawEvent
	for _, it := range items {
		out = append(out, b.event(it, true))
	}
	return out
}

func (b *builder) buildEvents(n *yaml.Node) {
	if n == nil {
		return
	}
	items, ok := b.list(n, "events")
	if !ok {
		return
	}
	if len(items) > MaxEvents {
		b.errorf(n, "too many events: %d; the limit is %d", len(items), MaxEvents)
		return
	}
	offboarded := map[string]*yaml.Node{}
	for _, it := range items {
		re := b.event(it, false)
		if !re.ok {
			continue
		}
		if re.ev.Action == sim.Offboard {
			b.expand(re)
			if prev := offboarded[re.ev.User]; prev != nil {
				b.errorf(it, "user %s is offboarded a second time; the first offboarding is at line %d, column %d (EV-2: a person is offboarded at most once)",
					re.ev.User, prev.Line, prev.Column)
			} else {
				offboarded[re.ev.User] = it
			}
			if b.sc.Horizon-re.ev.At < 12*time.Hour {
				b.warnf(it, "this offboarding is less than 12h before the horizon; role sessions may still be open when the simulation ends")
			}
		}
		b.sc.Events = append(b.sc.Events, re.ev)
		b.evNodes = append(b.evNodes, it)
	}
	order := make([]int, len(b.sc.Events))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return b.sc.Events[order[i]].At < b.sc.Events[order[j]].At })
	events := make([]sim.Event, len(order))
	nodes := make([]*yaml.Node, len(order))
	for i, k := range order {
		events[i], nodes[i] = b.sc.Events[k], b.evNodes[k]
	}
	if len(events) > 0 {
		b.sc.Events, b.evNodes = events, nodes
	}
}

// expand fills in the playbook of an offboarding.
func (b *builder) expand(re *rawEvent) {
	user := re.ev.User
	var steps []*rawEvent
	switch {
	case re.playbook.Kind == yaml.SequenceNode:
		re.ev.PlaybookName = inlinePlaybook
		steps = re.steps
	case re.ev.PlaybookName == builtinPlaybook:
		re.ev.Playbook = recommended(user, b.sc.Source.Kind != sim.IdentityCenter)
		return
	default:
		pb := b.playbooks[re.ev.PlaybookName]
		if pb == nil {
			return
		}
		pb.used = true
		steps = pb.steps
	}
	for _, st := range steps {
		if !st.ok {
			continue
		}
		ev := st.ev
		ev.User = user
		if !b.checkUser(st, &ev) {
			continue
		}
		re.ev.Playbook = append(re.ev.Playbook, sim.Step{After: ev.At, Event: withoutAt(ev)})
	}
}

func withoutAt(ev sim.Event) sim.Event {
	ev.At = 0
	return ev
}

// recommended is the documented offboarding order (CUT-4). With an external IdP or Active
// Directory, the user is disabled there too (idp): otherwise the next provisioning run or AD sync
// would enable them again (PROV-3, PROV-4).
func recommended(user string, idp bool) []sim.Step {
	step := func(after time.Duration, a sim.Action, w sim.Where) sim.Step {
		return sim.Step{After: after, Event: sim.Event{Action: a, User: user, Where: w}}
	}
	steps := []sim.Step{
		step(0, sim.DenyUser, 0),
		step(time.Minute, sim.RemoveAssignments, 0),
	}
	if idp {
		steps = append(steps, step(time.Minute, sim.DisableUser, sim.AtIdP))
	}
	return append(steps,
		step(time.Minute, sim.EndSessions, 0),
		step(time.Minute, sim.DisableUser, sim.AtIdentityCenter),
		step(12*time.Hour, sim.AllowUser, 0),
	)
}

func (b *builder) buildPolicy(n *yaml.Node) {
	if n == nil {
		return
	}
	items, _ := b.list(n, "policy")
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "policy control", keysOf("control"))
		if f == nil {
			continue
		}
		c := sim.Control{Statistic: "max", Line: it.Line, Column: it.Column}
		ok := true
		need := func(key string) *yaml.Node {
			v := f.get(key)
			if v == nil {
				b.errorf(it, "policy control needs %s", key)
				ok = false
			}
			return v
		}
		if v := need("id"); v != nil {
			var good bool
			if c.ID, good = b.name(v, "control id"); good {
				if prev := seen[c.ID]; prev != nil {
					b.errorf(v, "control id %q is used twice (first at line %d)", c.ID, prev.Line)
					ok = false
				}
				seen[c.ID] = v
			} else {
				ok = false
			}
		}
		if v := need("channel"); v != nil {
			if s, good := b.enum(v, "channel", channelNames()); good {
				c.Channel, _ = sim.ParseChannel(s)
			} else {
				ok = false
			}
		}
		if v := f.get("statistic"); v != nil {
			if s, good := b.enum(v, "statistic", sim.Statistics()); good {
				c.Statistic = s
			} else {
				ok = false
			}
		}
		if v := need("within"); v != nil {
			var good bool
			if c.Within, good = b.duration(v, "within"); !good {
				ok = false
			}
		}
		if v := f.get("text"); v != nil {
			var good bool
			if c.Text, good = b.text(v, "text", true); !good {
				ok = false
			}
		}
		if ok {
			b.sc.Policy = append(b.sc.Policy, c)
		}
	}
}

func channelNames() []string {
	var out []string
	for c := sim.Channel(0); c < sim.NumChannels; c++ {
		out = append(out, c.String())
	}
	return out
}

func (b *builder) finalWarnings(root *yaml.Node) {
	names := make([]string, 0, len(b.playbooks))
	for name := range b.playbooks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if pb := b.playbooks[name]; !pb.used {
			b.warnf(pb.key, "playbook %s is never used", name)
		}
	}
	if b.errs.len() > 0 {
		return
	}
	b.peopleWarnings(b.entitlementWarnings())
	if len(b.sc.Offboardings) > 0 {
		return
	}
	for _, ev := range b.sc.Events {
		if ev.Action == sim.Offboard {
			return
		}
	}
	b.warnf(root, "no offboard event: no exposure window will be measured")
}

// entitlementWarnings notices user actions on an application or account that the user is never
// entitled to, not even through a group or an assignment added later: the engine would refuse them.
// It returns the test it used, for the people of populations.
func (b *builder) entitlementWarnings() func(user string, a sim.Assignment) bool {
	sc := b.sc
	userGroups := map[string]map[string]bool{}
	direct := map[string]map[sim.Assignment]bool{}
	groupAssign := map[string]map[sim.Assignment]bool{}
	set := func(m map[string]map[sim.Assignment]bool, k string, a sim.Assignment) {
		if m[k] == nil {
			m[k] = map[sim.Assignment]bool{}
		}
		m[k][a] = true
	}
	for _, g := range sc.Groups {
		for _, a := range g.Assignments {
			set(groupAssign, g.Name, a)
		}
	}
	// person sets up a user or a population's person, the first time they are named.
	person := func(name string) {
		if userGroups[name] != nil {
			return
		}
		userGroups[name] = map[string]bool{}
		var groups []string
		var assignments []sim.Assignment
		if ui, ok := b.ix.Users.Lookup(name); ok {
			groups, assignments = sc.Users[ui].Groups, sc.Users[ui].Assignments
		} else if pi, _ := b.member(name); pi >= 0 {
			groups, assignments = sc.Populations[pi].Groups, sc.Populations[pi].Assignments
		}
		for _, g := range groups {
			userGroups[name][g] = true
		}
		for _, a := range assignments {
			set(direct, name, a)
		}
	}
	for _, ev := range sc.Events {
		a := sim.Assignment{Account: ev.Account, PermissionSet: ev.PermissionSet, Application: ev.Application}
		switch ev.Action {
		case sim.AddToGroup:
			person(ev.User)
			userGroups[ev.User][ev.Group] = true
		case sim.AddAssignment:
			if ev.Group != "" {
				set(groupAssign, ev.Group, a)
			} else {
				person(ev.User)
				set(direct, ev.User, a)
			}
		}
	}
	entitled := func(user string, a sim.Assignment) bool {
		person(user)
		if direct[user][a] {
			return true
		}
		for g := range userGroups[user] {
			if groupAssign[g][a] {
				return true
			}
		}
		return false
	}
	for i, ev := range sc.Events {
		var a sim.Assignment
		switch ev.Action {
		case sim.OpenApp, sim.StartJob:
			a.Application = ev.Application
		case sim.Federate, sim.GetRoleCredentials, sim.StartCLIWorkload:
			a.Account, a.PermissionSet = ev.Account, ev.PermissionSet
		default:
			continue
		}
		if !entitled(ev.User, a) {
			b.warnf(b.evNodes[i], "%s is never entitled to %s, so this %s will be refused (APP-1, ROLE-1)", ev.User, a, ev.Action)
		}
	}
	return entitled
}
