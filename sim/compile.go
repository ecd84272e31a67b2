package sim

import (
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// never is a time after every horizon.
const never = time.Duration(math.MaxInt64)

// target is what an assignment entitles to: an application (its index), or an account with a
// permission set (numApps + account*numPermissionSets + permission set).
type target int32

const noTarget target = -1

// model is a scenario compiled to indices, shared read-only by every replication.
type model struct {
	sc       *Scenario
	apps     []Application
	permSets []PermissionSet
	accounts []string
	cohorts  []cohort
	users    []userModel
	devices  []deviceModel
	groups   [][]target // each group's assignments at the start
	events   []step     // the timeline

	behaviours []behaviourModel
	plans      []planModel
	// offboarded are the users the timeline offboards; generated offboardings never draw them (EV-2).
	offboarded []int32
	// tti are the applications of kind account_access (TTI-1); ttiSlot gives, per application,
	// its index in tti, or -1.
	tti     []target
	ttiSlot []int32
}

// userModel is a person compiled: what they share with their cohort is the cohort's.
type userModel struct {
	cohort int32 // index in model.cohorts
	// their devices are firstDevice onwards, one for each of the cohort's
	firstDevice int32
	behaviour   int32 // -1 for people of the timeline only
	// the first device of each kind, or -1
	browser, cli, kiro int32
}

// cohort is people who share their model: a user listed in the scenario, alone, or the people of
// a population, the i-th named PopulationUser(name, i). A person holds an index, not copies, so
// that a million people cost what their state does.
type cohort struct {
	name    string
	listed  bool
	first   int32    // the first person
	groups  []int32  // each person's groups at the start
	direct  []target // and direct assignments
	devices []Device // and devices, from the scenario
}

// behaviourModel is a behaviour compiled: the moments its working days start, and its activities
// as targets with their rates.
type behaviourModel struct {
	*Behaviour
	dayStarts                    []time.Duration // each working day's DayStart within the horizon, as offsets
	length                       time.Duration   // DayEnd - DayStart
	openApp, federate, cli, jobs []target
	workload                     target
	kiro                         target
	rate                         float64 // activities per nanosecond of working time
	// onBehalfApp is the application of kind account_access acting as the person around the
	// clock (TTI-1), or noTarget; onBehalf its targets, onBehalfRate its calls per nanosecond.
	onBehalfApp  target
	onBehalf     []target
	onBehalfRate float64
}

// planModel is an offboarding plan compiled.
type planModel struct {
	plan       *OffboardingPlan
	entry      int     // the plan's index in sc.Offboardings
	candidates []int32 // the users it draws from
	offboard   step
}

// deviceModel is a device compiled; its name is its cohort's (model.deviceName).
type deviceModel struct {
	user    int32
	browser int32 // the browser device a CLI device logs in through (UIS-9), or -1
	kind    DeviceKind
	config  CLIConfig
	client  CLIClient
}

// step is an event of the timeline or of a playbook, compiled.
type step struct {
	at       time.Duration // time of a timeline event; delay after the previous step in a playbook
	action   Action
	user     int32
	group    int32
	device   int32
	target   target
	permSet  int32
	where    Where
	duration time.Duration
	// scheduled: a start_job of an automated workflow (BG-8)
	scheduled bool
	// app is the application of kind account_access that acts (act_as_user, TTI-1); target is
	// then the account with the permission set it obtains credentials for.
	app      target
	playbook []step
	name     string // the playbook's name, for offboard
}

func (m *model) appTarget(i int) target { return target(i) }

func (m *model) roleTarget(account, permSet int) target {
	return target(len(m.apps) + account*len(m.permSets) + permSet)
}

func (m *model) isApp(t target) bool { return int(t) < len(m.apps) }

// targetPermSet returns the permission set of a role target.
func (m *model) targetPermSet(t target) int32 {
	return int32((int(t) - len(m.apps)) % len(m.permSets))
}

func (m *model) targetName(t target) string {
	if m.isApp(t) {
		return m.apps[t].Name
	}
	i := int(t) - len(m.apps)
	return m.accounts[i/len(m.permSets)] + "/" + m.permSets[i%len(m.permSets)].Name
}

// compiler resolves a scenario's names to indices with the scenario's Names.
type compiler struct {
	m        *model
	names    *Names
	popUsers map[string][]int32 // the people of each population
}

// compile resolves the scenario's names to indices. It reports the first reference it cannot resolve;
// scenarios from the YAML language have been checked already, so this guards programs only.
func compile(sc *Scenario) (*model, error) {
	c := &compiler{
		m:     &model{sc: sc, apps: sc.Applications, permSets: sc.PermissionSets, accounts: sc.Accounts},
		names: NamesOf(sc), popUsers: map[string][]int32{},
	}
	people, devices := len(sc.Users), 0
	for _, u := range sc.Users {
		devices += len(u.Devices)
	}
	for _, p := range sc.Populations {
		people += max(0, p.Count)
		devices += max(0, p.Count) * len(p.Devices)
	}
	c.m.users = make([]userModel, 0, people)
	c.m.devices = make([]deviceModel, 0, devices)
	for _, pass := range []func() error{c.accountAccess, c.groups, c.listedUsers, c.behaviours, c.populations, c.plans, c.timeline} {
		if err := pass(); err != nil {
			return nil, err
		}
	}
	return c.m, nil
}

// resolve returns the target of an assignment.
func (c *compiler) resolve(a Assignment) (target, error) {
	if a.Application != "" {
		i, ok := c.names.Applications.Lookup(a.Application)
		if !ok {
			return noTarget, errorf("unknown application %q", a.Application)
		}
		return c.m.appTarget(i), nil
	}
	ac, ok := c.names.Accounts.Lookup(a.Account)
	if !ok {
		return noTarget, errorf("unknown account %q", a.Account)
	}
	ps, ok := c.names.PermissionSets.Lookup(a.PermissionSet)
	if !ok {
		return noTarget, errorf("unknown permission set %q", a.PermissionSet)
	}
	return c.m.roleTarget(ac, ps), nil
}

// targets resolves a list of assignments; what, when set, names their owner in errors.
func (c *compiler) targets(as []Assignment, what string) ([]target, error) {
	var ts []target
	for _, a := range as {
		t, err := c.resolve(a)
		if err != nil {
			if what != "" {
				return nil, errorf("%s: %v", what, err)
			}
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// groupsOf resolves a list of group names; what names their owner in errors.
func (c *compiler) groupsOf(names []string, what string) ([]int32, error) {
	var gs []int32
	for _, g := range names {
		gi, ok := c.names.Groups.Lookup(g)
		if !ok {
			return nil, errorf("%s: unknown group %q", what, g)
		}
		gs = append(gs, int32(gi))
	}
	return gs, nil
}

// addCohort adds the cohort and its n people, the devices of each, each CLI device with the
// browser it logs in through (UIS-9), and their first device of each kind; behaviour is theirs.
func (c *compiler) addCohort(co cohort, n int, behaviour int32) error {
	m := c.m
	ci := int32(len(m.cohorts))
	co.first = int32(len(m.users))
	browsers := make([]int32, len(co.devices)) // the index among the devices of the browser of each, or -1
	first := [3]int32{-1, -1, -1}              // the index of the first browser, CLI and Kiro IDE
	for i, d := range co.devices {
		browsers[i] = -1
		if d.Browser != "" {
			for j, b := range co.devices {
				if b.Name == d.Browser && b.Kind == Browser {
					browsers[i] = int32(j)
				}
			}
			if browsers[i] < 0 {
				return errorf("%s: device %s: browser %q is not a browser device of theirs", c.personName(&co, 0), d.Name, d.Browser)
			}
		}
		if k := d.Kind; k <= KiroIDE && first[k] < 0 {
			first[k] = int32(i)
		}
	}
	of := func(base, i int32) int32 {
		if i < 0 {
			return -1
		}
		return base + i
	}
	m.cohorts = append(m.cohorts, co)
	for range n {
		ui, base := int32(len(m.users)), int32(len(m.devices))
		for i, d := range co.devices {
			m.devices = append(m.devices, deviceModel{user: ui, kind: d.Kind, config: d.Config, client: d.Client, browser: of(base, browsers[i])})
		}
		m.users = append(m.users, userModel{cohort: ci, firstDevice: base, behaviour: behaviour,
			browser: of(base, first[Browser]), cli: of(base, first[CLI]), kiro: of(base, first[KiroIDE])})
	}
	return nil
}

// personName is the name of the i-th person (from 0) of a cohort.
func (c *compiler) personName(co *cohort, i int) string {
	if co.listed {
		return co.name
	}
	return PopulationUser(co.name, i+1)
}

// user finds a user listed or a person of a population by name.
func (c *compiler) user(name string) (int32, bool) {
	for i := range c.m.cohorts {
		co := &c.m.cohorts[i]
		if co.listed {
			continue
		}
		rest, ok := strings.CutPrefix(name, co.name+"-")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || strconv.Itoa(n) != rest || n > c.m.cohortSize(int32(i)) {
			continue
		}
		return co.first + int32(n) - 1, true
	}
	u, ok := c.names.Users.Lookup(name)
	return int32(u), ok
}

// accountAccess lists the applications of kind account_access. They exist only in profiles
// that have them and trust the organisation's IdP, so the identity source is an external IdP
// (TTI-1); their JWTs live within MinJWTLifetime and MaxJWTLifetime (TTI-2).
func (c *compiler) accountAccess() error {
	m := c.m
	m.ttiSlot = make([]int32, len(m.apps))
	for i, a := range m.apps {
		m.ttiSlot[i] = -1
		if a.Kind != AccountAccess {
			continue
		}
		switch {
		case !m.sc.Profile.AccountAccess:
			return errorf("application %s: applications of kind account_access do not exist in profile %s (TTI-1)", a.Name, m.sc.Profile.Name)
		case m.sc.Source.Kind != ExternalIdP:
			return errorf("application %s of kind account_access needs an identity source of kind external_idp (TTI-1); this one is %s", a.Name, m.sc.Source.Kind)
		case a.JWTLifetime != 0 && (a.JWTLifetime < MinJWTLifetime || a.JWTLifetime > MaxJWTLifetime):
			return errorf("application %s: jwt_lifetime %v is outside %v..%v (TTI-2)", a.Name, a.JWTLifetime, MinJWTLifetime, MaxJWTLifetime)
		}
		m.ttiSlot[i] = int32(len(m.tti))
		m.tti = append(m.tti, target(i))
	}
	return nil
}

// accountAccessApp resolves the application of an act_as_user, which must be of kind account_access.
func (c *compiler) accountAccessApp(name string) (target, error) {
	t, err := c.resolve(Assignment{Application: name})
	if err != nil {
		return noTarget, err
	}
	if k := c.m.apps[t].Kind; k != AccountAccess {
		return noTarget, errorf("application %s is of kind %s, not account_access (TTI-1)", name, k)
	}
	return t, nil
}

func (c *compiler) groups() error {
	for _, g := range c.m.sc.Groups {
		ts, err := c.targets(g.Assignments, "")
		if err != nil {
			return err
		}
		c.m.groups = append(c.m.groups, ts)
	}
	return nil
}

func (c *compiler) listedUsers() error {
	for _, u := range c.m.sc.Users {
		co := cohort{name: u.Name, listed: true, devices: u.Devices}
		var err error
		if co.groups, err = c.groupsOf(u.Groups, "user "+u.Name); err != nil {
			return err
		}
		if co.direct, err = c.targets(u.Assignments, "user "+u.Name); err != nil {
			return err
		}
		if err := c.addCohort(co, 1, -1); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) behaviours() error {
	for i := range c.m.sc.Behaviours {
		bm, err := c.m.compileBehaviour(&c.m.sc.Behaviours[i], c.resolve, c.accountAccessApp)
		if err != nil {
			return err
		}
		c.m.behaviours = append(c.m.behaviours, bm)
	}
	return nil
}

func (c *compiler) populations() error {
	m := c.m
	for _, pop := range m.sc.Populations {
		bi, ok := c.names.Behaviours.Lookup(pop.Behaviour)
		if !ok {
			return errorf("population %s: unknown behaviour %q", pop.Name, pop.Behaviour)
		}
		gs, err := c.groupsOf(pop.Groups, "population "+pop.Name)
		if err != nil {
			return err
		}
		ts, err := c.targets(pop.Assignments, "population "+pop.Name)
		if err != nil {
			return err
		}
		if pop.Count <= 0 {
			continue
		}
		first := int32(len(m.users))
		if err := c.addCohort(cohort{name: pop.Name, groups: gs, direct: ts, devices: pop.Devices}, pop.Count, int32(bi)); err != nil {
			return err
		}
		people := make([]int32, pop.Count)
		for i := range people {
			people[i] = first + int32(i)
		}
		c.popUsers[pop.Name] = people
	}
	return nil
}

// event compiles a timeline event or a playbook step.
func (c *compiler) event(e *Event) (step, error) {
	s := step{at: e.At, action: e.Action, user: -1, group: -1, device: -1, target: noTarget, app: noTarget, permSet: -1,
		where: e.Where, duration: e.Duration, scheduled: e.Scheduled, name: e.PlaybookName}
	if err := c.references(e, &s); err != nil {
		return s, err
	}
	spec := e.Action.Spec()
	if spec.NeedsUser() && s.user < 0 {
		return s, errorf("%s needs a user", e.Action)
	}
	if spec.NeedsDevice() && s.device < 0 {
		return s, errorf("%s needs a device", e.Action)
	}
	var err error
	s.playbook, err = c.playbook(e.Playbook, e.User)
	return s, err
}

// references resolves the names an event refers to.
func (c *compiler) references(e *Event, s *step) error {
	if e.User != "" {
		u, ok := c.user(e.User)
		if !ok {
			return errorf("%s: unknown user %q", e.Action, e.User)
		}
		s.user = u
	}
	if e.Group != "" {
		g, ok := c.names.Groups.Lookup(e.Group)
		if !ok {
			return errorf("%s: unknown group %q", e.Action, e.Group)
		}
		s.group = int32(g)
	}
	if e.Device != "" {
		d := int32(-1)
		if s.user >= 0 {
			d = c.m.deviceOf(s.user, e.Device)
		}
		if d < 0 {
			return errorf("%s: user %s has no device %q", e.Action, e.User, e.Device)
		}
		s.device = d
	}
	if e.PermissionSet != "" {
		ps, ok := c.names.PermissionSets.Lookup(e.PermissionSet)
		if !ok {
			return errorf("%s: unknown permission set %q", e.Action, e.PermissionSet)
		}
		s.permSet = int32(ps)
	}
	a := Assignment{Account: e.Account, PermissionSet: e.PermissionSet, Application: e.Application}
	if e.Action.Spec().AccountAccessApp {
		// the application acts; the account and permission set are what it obtains (TTI-1)
		app, err := c.accountAccessApp(e.Application)
		if err != nil {
			return errorf("%s: %v", e.Action, err)
		}
		s.app, a.Application = app, ""
	}
	if a.Application != "" || a.Account != "" {
		t, err := c.resolve(a)
		if err != nil {
			return errorf("%s: %v", e.Action, err)
		}
		s.target = t
	}
	return nil
}

// playbook compiles the steps of an offboarding of the named user.
func (c *compiler) playbook(steps []Step, user string) ([]step, error) {
	var out []step
	for i := range steps {
		st := steps[i].Event
		st.User = user
		s, err := c.event(&st)
		if err != nil {
			return nil, err
		}
		s.at = steps[i].After
		out = append(out, s)
	}
	return out, nil
}

// plans compiles the offboarding plans, those of one population first.
func (c *compiler) plans() error {
	m, sc := c.m, c.m.sc
	for i := range sc.Offboardings {
		p := &sc.Offboardings[i]
		pm := planModel{plan: p, entry: i}
		if p.Population == "" {
			for u := range m.users {
				pm.candidates = append(pm.candidates, int32(u))
			}
		} else if pm.candidates = c.popUsers[p.Population]; pm.candidates == nil {
			return errorf("offboardings: unknown population %q", p.Population)
		}
		if p.Count > len(pm.candidates) {
			return errorf("offboardings: %d offboardings from %d people", p.Count, len(pm.candidates))
		}
		if p.From < 0 || p.To < p.From || p.To > sc.Horizon {
			return errorf("offboardings: window %v to %v is not within the horizon", p.From, p.To)
		}
		if len(p.Playbook) > 0 {
			// The steps are checked with the first candidate; the user is set when drawn.
			var err error
			if pm.offboard.playbook, err = c.playbook(p.Playbook, m.userName(pm.candidates[0])); err != nil {
				return err
			}
		}
		pm.offboard.action = Offboard
		pm.offboard.name = p.PlaybookName
		m.plans = append(m.plans, pm)
	}
	// Plans of one population draw before those of everyone, so that drawing distinct people
	// (EV-2) succeeds whenever the counts allow it.
	slices.SortStableFunc(m.plans, func(a, b planModel) int {
		everyone := func(p planModel) int {
			if p.plan.Population == "" {
				return 1
			}
			return 0
		}
		return everyone(a) - everyone(b)
	})
	return nil
}

// timeline compiles the events, in order, each offboarding a user at most once (EV-2).
func (c *compiler) timeline() error {
	m, sc := c.m, c.m.sc
	var last time.Duration
	offboarded := make([]bool, len(m.users))
	for i := range sc.Events {
		e := &sc.Events[i]
		if e.At < last || e.At < 0 || e.At > sc.Horizon {
			return errorf("event %d (%s) at %v is out of order or outside the horizon", i, e.Action, e.At)
		}
		last = e.At
		s, err := c.event(e)
		if err != nil {
			return err
		}
		if s.action == Offboard {
			if offboarded[s.user] {
				return errorf("event %d offboards %s a second time (EV-2)", i, e.User)
			}
			offboarded[s.user] = true
			m.offboarded = append(m.offboarded, s.user)
		}
		m.events = append(m.events, s)
	}
	return nil
}

// compileBehaviour resolves a behaviour's targets and lays out its working days over the horizon.
func (m *model) compileBehaviour(b *Behaviour, resolve func(Assignment) (target, error), appOf func(string) (target, error)) (behaviourModel, error) {
	bm := behaviourModel{Behaviour: b, workload: noTarget, kiro: noTarget}
	if b.DayEnd <= b.DayStart || b.DayStart < 0 || b.DayEnd > 24*time.Hour {
		return bm, errorf("behaviour %s: working hours %v to %v", b.Name, b.DayStart, b.DayEnd)
	}
	bm.length = b.DayEnd - b.DayStart
	targets := func(a Activity) ([]target, error) {
		var ts []target
		for _, x := range a.Targets {
			t, err := resolve(x)
			if err != nil {
				return nil, errorf("behaviour %s: %v", b.Name, err)
			}
			ts = append(ts, t)
		}
		if a.PerDay > 0 && len(ts) == 0 {
			return nil, errorf("behaviour %s: an activity with a rate needs targets", b.Name)
		}
		return ts, nil
	}
	var err error
	if bm.openApp, err = targets(b.OpenApp); err != nil {
		return bm, err
	}
	if bm.federate, err = targets(b.Federate); err != nil {
		return bm, err
	}
	if bm.cli, err = targets(b.CLI); err != nil {
		return bm, err
	}
	if bm.jobs, err = targets(b.Jobs); err != nil {
		return bm, err
	}
	if b.CLIWorkload != nil {
		if bm.workload, err = resolve(*b.CLIWorkload); err != nil {
			return bm, err
		}
	}
	if b.Kiro != "" {
		if bm.kiro, err = resolve(Assignment{Application: b.Kiro}); err != nil {
			return bm, err
		}
	}
	bm.onBehalfApp = noTarget
	if ob := b.ActAsUser; ob != nil {
		if bm.onBehalfApp, err = appOf(ob.Application); err != nil {
			return bm, errorf("behaviour %s: %v", b.Name, err)
		}
		if bm.onBehalf, err = targets(ob.Activity); err != nil {
			return bm, err
		}
		bm.onBehalfRate = ob.PerDay / float64(24*time.Hour) // around the clock
	}
	perDay := b.OpenApp.PerDay + b.Federate.PerDay + b.CLI.PerDay + b.Jobs.PerDay
	bm.rate = perDay / float64(bm.length)
	bm.dayStarts = dayStarts(b, m.sc.Start, m.sc.Horizon)
	return bm, nil
}

// dayStarts returns the moments the behaviour's working days start within the horizon, as
// offsets from start.
func dayStarts(b *Behaviour, start time.Time, horizon time.Duration) []time.Duration {
	loc := b.Location
	if loc == nil {
		loc = time.UTC
	}
	first := start.In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
	h, mi, se := int(b.DayStart/time.Hour), int(b.DayStart%time.Hour/time.Minute), int(b.DayStart%time.Minute/time.Second)
	var out []time.Duration
	for {
		// the wall-clock time of day, so that working hours follow daylight saving time
		at := time.Date(day.Year(), day.Month(), day.Day(), h, mi, se, 0, loc).Sub(start)
		if at > horizon {
			return out
		}
		if at >= 0 && b.WorkingDays[day.Weekday()] {
			out = append(out, at)
		}
		day = day.AddDate(0, 0, 1)
	}
}

// cohortSize returns the number of people of cohort ci.
func (m *model) cohortSize(ci int32) int {
	if int(ci) == len(m.cohorts)-1 {
		return len(m.users) - int(m.cohorts[ci].first)
	}
	return int(m.cohorts[ci+1].first - m.cohorts[ci].first)
}

// cohortOf returns user u's cohort.
func (m *model) cohortOf(u int32) *cohort { return &m.cohorts[m.users[u].cohort] }

// userName returns the name of user u.
func (m *model) userName(u int32) string {
	co := &m.cohorts[m.users[u].cohort]
	if co.listed {
		return co.name
	}
	return PopulationUser(co.name, int(u-co.first)+1)
}

// devicesOf returns the user's devices, lo to hi (excluded).
func (m *model) devicesOf(u int32) (lo, hi int32) {
	um := &m.users[u]
	return um.firstDevice, um.firstDevice + int32(len(m.cohorts[um.cohort].devices))
}

// userDevices yields the user's devices.
func (m *model) userDevices(u int32) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		lo, hi := m.devicesOf(u)
		for d := lo; d < hi; d++ {
			if !yield(d) {
				return
			}
		}
	}
}

// deviceName returns the name of device d.
func (m *model) deviceName(d int32) string {
	um := &m.users[m.devices[d].user]
	return m.cohorts[um.cohort].devices[d-um.firstDevice].Name
}

// deviceOf returns the user's device with the given name, or -1.
func (m *model) deviceOf(u int32, name string) int32 {
	lo, hi := m.devicesOf(u)
	for d := lo; d < hi; d++ {
		if m.deviceName(d) == name {
			return d
		}
	}
	return -1
}
