package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones read the same on every machine

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// Behaviours, populations and generated offboardings: people described statistically.

const (
	maxPerDay = 1000 // activities per working day
	maxSigma  = 3.0  // the shape of a log-normal distribution
)

var (
	weekdays     = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} // indexed by time.Weekday
	weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	defaultDays  = [7]bool{false, true, true, true, true, true, false}
	defaultStartOfDay,
	defaultEndOfDay = 9 * time.Hour, 17 * time.Hour
)

// zones caches the time zones read, so that each name gives the same *time.Location.
var zones sync.Map // name -> *time.Location

// commonZones are offered as suggestions for a misspelt time zone.
var commonZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Zurich", "Europe/Helsinki",
	"Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Europe/Lisbon", "America/New_York", "America/Chicago",
	"America/Denver", "America/Los_Angeles", "America/Phoenix", "America/Toronto", "America/Vancouver",
	"America/Mexico_City", "America/Sao_Paulo", "America/Buenos_Aires", "America/Bogota", "Asia/Tokyo",
	"Asia/Seoul", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Kolkata", "Asia/Dubai",
	"Asia/Jerusalem", "Asia/Jakarta", "Asia/Manila", "Australia/Sydney", "Australia/Melbourne",
	"Australia/Perth", "Pacific/Auckland", "Africa/Johannesburg", "Africa/Lagos", "Africa/Cairo", "Africa/Nairobi"}

// population is a population being read, for references to its people.
type population struct {
	idx  int
	name *yaml.Node
}

// timeZone reads an IANA time zone name.
func (b *builder) timeZone(n *yaml.Node) (*time.Location, bool) {
	name, ok := b.name(n, "time_zone")
	if !ok {
		return nil, false
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	if name == "Local" || strings.ContainsAny(name, `\`) || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		b.errorf(n, "time_zone %q is not an IANA time zone name; write one such as Europe/Berlin, America/New_York or UTC", name)
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		hint := b.suggest(name, commonZones)
		if hint == "" {
			hint = "; write an IANA name such as Europe/Berlin, America/New_York, Asia/Tokyo or UTC"
		}
		b.errorf(n, "unknown time zone %q%s", name, hint)
		return nil, false
	}
	l, _ := zones.LoadOrStore(name, loc)
	return l.(*time.Location), true
}

// number reads a number within [lo, hi].
func (b *builder) number(n *yaml.Node, what string, lo, hi float64) (float64, bool) {
	if !isScalar(n, "!!int", "!!float") {
		b.wrongType(n, what, "a number")
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		b.errorf(n, "%s must be a number from %g to %g, not %s", what, lo, hi, n.Value)
		return 0, false
	}
	if v < lo || v > hi {
		b.errorf(n, "%s must be from %g to %g, not %s", what, lo, hi, n.Value)
		return 0, false
	}
	return v, true
}

// timeOfDay reads a time of day: a duration from midnight (9h, 17h30m) or HH:MM.
func (b *builder) timeOfDay(n *yaml.Node, what string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, ":") && isScalar(n, "!!str") {
		h, m, _ := strings.Cut(n.Value, ":")
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || len(h) < 1 || len(h) > 2 || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm > 0 {
			b.errorf(n, "%s %q is not a time of day; write 9h, 17h30m or 17:30", what, n.Value)
			return 0, false
		}
		return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, true
	}
	d, ok := b.duration(n, what)
	if ok && d > day {
		b.errorf(n, "%s %s is not a time of day: it is later than 24h", what, sim.FormatDuration(d))
		return 0, false
	}
	return d, ok
}

// distribution reads a distribution of durations: a duration (fixed), or one of
// {exponential: {mean}}, {lognormal: {median, sigma}}, {uniform: {min, max}}.
func (b *builder) distribution(n *yaml.Node, what string) (sim.Dist, bool) {
	if n.Kind != yaml.MappingNode {
		d, ok := b.positive(n, what)
		return sim.Dist{Kind: sim.Fixed, A: d}, ok
	}
	f := b.mapping(n, what, keysOf("distribution"))
	if f == nil {
		return sim.Dist{}, false
	}
	if len(f.val) != 1 {
		if len(f.val) > 1 {
			b.errorf(n, "%s names one distribution: exponential, lognormal or uniform, not several", what)
		} else if len(n.Content) == 0 {
			b.errorf(n, "%s needs a duration, or one of exponential, lognormal or uniform", what)
		}
		return sim.Dist{}, false
	}
	for _, d := range []struct {
		name string
		kind sim.DistKind
		read func(*distParams, *sim.Dist)
	}{
		{"exponential", sim.Exponential, b.exponential},
		{"lognormal", sim.LogNormal, b.lognormal},
		{"uniform", sim.Uniform, b.uniform},
	} {
		if !f.has(d.name) {
			continue
		}
		v := f.get(d.name)
		g := b.mapping(v, d.name, keysOf(d.name))
		if g == nil {
			return sim.Dist{}, false
		}
		dist := sim.Dist{Kind: d.kind}
		p := &distParams{b: b, n: v, f: g, name: d.name, ok: true}
		d.read(p, &dist)
		return dist, p.ok
	}
	return sim.Dist{}, false // an unknown key, reported
}

// distParams are the parameters of a distribution being read, and whether all were good.
type distParams struct {
	b    *builder
	n    *yaml.Node
	f    *fields
	name string
	ok   bool
}

// need returns the parameter key, reporting it missing.
func (p *distParams) need(key string) *yaml.Node {
	v := p.f.get(key)
	if v == nil && refusedKeys(p.n, p.f) {
		p.ok = false // reported; what is missing may be what was misspelt
	} else if v == nil {
		p.b.errorf(p.n, "the %s distribution needs %s", p.name, key)
		p.ok = false
	}
	return v
}

// and records whether a parameter was good.
func (p *distParams) and(good bool) { p.ok = p.ok && good }

func (b *builder) exponential(p *distParams, dist *sim.Dist) {
	if x := p.need("mean"); x != nil {
		var good bool
		dist.A, good = b.positive(x, "mean")
		p.and(good)
	}
}

func (b *builder) lognormal(p *distParams, dist *sim.Dist) {
	if x := p.need("median"); x != nil {
		var good bool
		dist.A, good = b.positive(x, "median")
		p.and(good)
	}
	if x := p.need("sigma"); x != nil {
		var good bool
		dist.Sigma, good = b.number(x, "sigma", 0, maxSigma)
		p.and(good)
	}
}

func (b *builder) uniform(p *distParams, dist *sim.Dist) {
	lo, hi := p.need("min"), p.need("max")
	if lo != nil {
		var good bool
		dist.A, good = b.duration(lo, "min")
		p.and(good)
	}
	if hi != nil {
		var good bool
		dist.B, good = b.positive(hi, "max")
		p.and(good)
	}
	if p.ok && dist.A > dist.B {
		b.errorf(hi, "the uniform distribution's max %s is less than its min %s", sim.FormatDuration(dist.B), sim.FormatDuration(dist.A))
		p.ok = false
	}
}

// refusedKeys reports whether the mapping n had keys that f refused.
func refusedKeys(n *yaml.Node, f *fields) bool {
	return 2*len(f.val) < len(n.Content)
}

// behaviourAt is a behaviour with the nodes it came from, for later checks.
type behaviourAt struct {
	name *yaml.Node
	used bool
}

func (b *builder) buildBehaviours(n *yaml.Node) {
	if n == nil {
		return
	}
	items, _ := b.list(n, "behaviours")
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		f := b.mapping(it, "behaviour", keysOf("behaviour"))
		if f == nil {
			continue
		}
		bh := sim.Behaviour{WorkingDays: defaultDays, DayStart: defaultStartOfDay, DayEnd: defaultEndOfDay}
		ok := true
		v := f.get("name")
		if v == nil {
			b.errorf(it, "behaviour needs name")
			ok = false
		} else if bh.Name, ok = b.name(v, "behaviour name"); ok {
			ok = b.declare("behaviour", v, bh.Name, seen)
		}
		// A behaviour with errors in its keys is still declared, so that populations naming it
		// get no second error.
		b.behaviour(f, &bh)
		if ok {
			b.ix.Behaviours[bh.Name] = len(b.sc.Behaviours)
			b.sc.Behaviours = append(b.sc.Behaviours, bh)
			b.behaviourNodes = append(b.behaviourNodes, &behaviourAt{name: v})
		}
	}
}

// behaviour reads the keys of a behaviour other than its name, and says whether all were good.
func (b *builder) behaviour(f *fields, bh *sim.Behaviour) bool {
	ok := true
	and := func(good bool) { ok = ok && good }
	if v := f.get("time_zone"); v != nil {
		var good bool
		bh.Location, good = b.timeZone(v)
		and(good)
	}
	if v := f.get("working_days"); v != nil {
		and(b.workingDays(v, bh))
	}
	if v := f.get("working_hours"); v != nil {
		and(b.workingHours(v, bh))
	}
	if v := f.get("arrival_spread"); v != nil {
		d, good := b.duration(v, "arrival_spread")
		if good && d >= day {
			b.errorf(v, "arrival_spread %s must be less than a day", sim.FormatDuration(d))
			good = false
		}
		bh.ArrivalSpread = d
		and(good)
	}
	if v := f.get("sign_out"); v != nil {
		var good bool
		bh.SignOutProbability, good = b.number(v, "sign_out (a probability)", 0, 1)
		and(good)
	}
	and(b.activities(f, bh))
	return ok
}

// workingDays reads the working days of a behaviour.
func (b *builder) workingDays(v *yaml.Node, bh *sim.Behaviour) bool {
	ok := true
	and := func(good bool) { ok = ok && good }
	items, good := b.list(v, "working_days")
	and(good)
	if good {
		bh.WorkingDays = [7]bool{}
		seen := map[int]*yaml.Node{}
		for _, it := range items {
			if !isScalar(it, "!!str") {
				b.wrongType(it, "a working day", "a day: mon, tue, wed, thu, fri, sat or sun")
				and(false)
				continue
			}
			d := index(weekdays, strings.ToLower(it.Value))
			if d < 0 {
				d = index(weekdayNames, strings.ToLower(it.Value))
			}
			if d < 0 {
				b.errorf(it, "unknown day %q%s", it.Value, b.orList(strings.ToLower(it.Value), append(weekdays[1:7:7], weekdays[0])))
				and(false)
				continue
			}
			if prev := seen[d]; prev != nil {
				b.errorf(it, "%s is listed twice (first at line %d)", weekdays[d], prev.Line)
				and(false)
				continue
			}
			seen[d] = it
			bh.WorkingDays[d] = true
		}
		if len(items) == 0 {
			b.errorf(v, "working_days needs at least one day, such as [mon, tue, wed, thu, fri]")
			and(false)
		}
	}
	return ok
}

// workingHours reads the working hours of a behaviour.
func (b *builder) workingHours(v *yaml.Node, bh *sim.Behaviour) bool {
	ok := true
	and := func(good bool) { ok = ok && good }
	g := b.mapping(v, "working_hours", keysOf("working_hours"))
	and(g != nil)
	var startOK, endOK bool = true, true
	if x := g.get("start"); x != nil {
		bh.DayStart, startOK = b.timeOfDay(x, "start")
	}
	if x := g.get("end"); x != nil {
		bh.DayEnd, endOK = b.timeOfDay(x, "end")
	}
	and(startOK && endOK)
	if g != nil && startOK && endOK && bh.DayStart >= bh.DayEnd {
		at := g.get("end")
		if at == nil {
			at = v
		}
		b.errorf(at, "working_hours end %s must be later than start %s", sim.FormatDuration(bh.DayEnd), sim.FormatDuration(bh.DayStart))
		and(false)
	}
	return ok
}

// activities reads what a behaviour does through the day.
func (b *builder) activities(f *fields, bh *sim.Behaviour) bool {
	ok := true
	and := func(good bool) { ok = ok && good }
	if v := f.get("open_app"); v != nil {
		and(b.activity(v, "open_app", "app_activity", &bh.OpenApp, nil))
	}
	if v := f.get("federate"); v != nil {
		and(b.activity(v, "federate", "role_activity", &bh.Federate, nil))
	}
	if v := f.get("cli"); v != nil {
		and(b.activity(v, "cli", "role_activity", &bh.CLI, nil))
	}
	if v := f.get("jobs"); v != nil {
		and(b.activity(v, "jobs", "jobs_activity", &bh.Jobs, &bh.JobDuration))
	}
	if v := f.get("act_as_user"); v != nil {
		ob := &sim.OnBehalf{}
		g := b.mapping(v, "act_as_user", keysOf("on_behalf_activity"))
		good := g != nil && b.activityFields(v, g, "act_as_user", "on_behalf_activity", &ob.Activity, nil)
		if g == nil {
			good = false
		} else if x := g.get("application"); x == nil {
			if !refusedKeys(v, g) {
				b.errorf(v, "act_as_user needs application: the application of kind account_access that acts as the person")
			}
			good = false
		} else if name, ok := b.app(x); !ok {
			good = false
		} else if app := b.sc.Applications[b.ix.Applications[name]]; app.Kind != sim.AccountAccess {
			b.errorf(x, "act_as_user needs an application of kind account_access (TTI-1); %s is %s", name, app.Kind)
			good = false
		} else {
			ob.Application = name
		}
		if good {
			bh.ActAsUser = ob
		}
		and(good)
	}
	if v := f.get("cli_workload"); v != nil {
		if g := b.mapping(v, "cli_workload", keysOf("role_target")); g != nil {
			a, good := b.roleTarget(v, g, "cli_workload")
			if good {
				bh.CLIWorkload = &a
			}
			and(good)
		} else {
			and(false)
		}
	}
	if v := f.get("kiro"); v != nil {
		name, good := b.app(v)
		if good {
			if app := b.sc.Applications[b.ix.Applications[name]]; app.Kind != sim.Kiro {
				b.errorf(v, "kiro needs an application of kind kiro; %s is %s", name, app.Kind)
				good = false
			}
		}
		bh.Kiro = name
		and(good)
	}
	return ok
}

// activity reads one of a behaviour's activities; dur receives the jobs' duration.
func (b *builder) activity(n *yaml.Node, what, obj string, a *sim.Activity, dur *sim.Dist) bool {
	f := b.mapping(n, what, keysOf(obj))
	if f == nil {
		return false
	}
	return b.activityFields(n, f, what, obj, a, dur)
}

// activityFields reads the rate and the targets of an activity, the fields f of the node n.
func (b *builder) activityFields(n *yaml.Node, f *fields, what, obj string, a *sim.Activity, dur *sim.Dist) bool {
	ok := true
	if v := f.get("per_day"); v == nil {
		when := "a working day"
		if obj == "on_behalf_activity" {
			when = "a day, around the clock"
		}
		b.errorf(n, "%s needs per_day: how many times %s, on average", what, when)
		ok = false
	} else {
		var good bool
		a.PerDay, good = b.number(v, what+" per_day", 0, maxPerDay)
		ok = ok && good
	}
	targetKey := "applications"
	if obj == "role_activity" || obj == "on_behalf_activity" {
		targetKey = "targets"
	}
	if v := f.get(targetKey); v != nil {
		items, good := b.list(v, what+" "+targetKey)
		ok = ok && good
		for _, it := range items {
			if targetKey == "targets" {
				g := b.mapping(it, "target", keysOf("role_target"))
				if g == nil {
					ok = false
					continue
				}
				t, good := b.roleTarget(it, g, "a target")
				if good {
					a.Targets = append(a.Targets, t)
				}
				ok = ok && good
				continue
			}
			name, good := b.app(it)
			if good {
				app := b.sc.Applications[b.ix.Applications[name]]
				switch {
				case what == "jobs" && app.Kind != sim.Jobs:
					b.errorf(it, "jobs needs applications of kind jobs; %s is %s", name, app.Kind)
					good = false
				case what == "open_app" && app.Kind == sim.Jobs:
					b.errorf(it, "open_app starts no job in %s, an application of kind jobs; list it under jobs", name)
					good = false
				case what == "open_app" && app.Kind == sim.Kiro:
					b.errorf(it, "%s is of kind kiro and is opened from a kiro device; name it under kiro", name)
					good = false
				case what == "open_app" && app.Kind == sim.AccountAccess:
					b.errorf(it, "%s is of kind account_access: it acts as people from its own server and is not opened; name it under act_as_user", name)
					good = false
				}
			}
			if good {
				a.Targets = append(a.Targets, sim.Assignment{Application: name})
			}
			ok = ok && good
		}
	}
	if ok && a.PerDay > 0 && len(a.Targets) == 0 {
		b.errorf(n, "%s needs %s to choose from when per_day is more than 0", what, targetKey)
		ok = false
	}
	if dur != nil {
		if v := f.get("duration"); v != nil {
			d, good := b.distribution(v, "jobs duration")
			*dur = d
			ok = ok && good
		} else if a.PerDay > 0 {
			b.errorf(n, "jobs needs duration: how long each job runs, a duration or a distribution")
			ok = false
		}
	}
	return ok
}

// roleTarget reads an account with a permission set.
func (b *builder) roleTarget(n *yaml.Node, f *fields, what string) (sim.Assignment, bool) {
	var a sim.Assignment
	acct, ps := f.get("account"), f.get("permission_set")
	if refusedKeys(n, f) {
		return a, false // reported; what is missing may be what was misspelt
	}
	if acct == nil || ps == nil {
		missing := "account"
		if acct != nil {
			missing = "permission_set"
		}
		b.errorf(n, "%s needs an account and a permission_set; it has no %s", what, missing)
		return a, false
	}
	var ok1, ok2 bool
	a.Account, ok1 = b.account(acct)
	a.PermissionSet, ok2 = b.permset(ps)
	return a, ok1 && ok2
}

func (b *builder) buildPopulations(n *yaml.Node) {
	b.populations = map[string]*population{}
	if n == nil {
		return
	}
	items, _ := b.list(n, "populations")
	seen := map[string]*yaml.Node{}
	people := len(b.sc.Users)
	for _, it := range items {
		f := b.mapping(it, "population", keysOf("population"))
		if f == nil {
			continue
		}
		var pop sim.Population
		ok := true
		nameNode := f.get("name")
		if nameNode == nil {
			b.errorf(it, "population needs name")
			ok = false
		} else if pop.Name, ok = b.name(nameNode, "population name"); ok {
			ok = b.declare("population", nameNode, pop.Name, seen)
		}
		if v := f.get("count"); v == nil {
			b.errorf(it, "population needs count: how many people")
			ok = false
		} else if c, good := b.integer(v, "count", 1, MaxUsers); good {
			pop.Count = int(c)
			people += pop.Count
			if people > MaxUsers {
				b.errorf(v, "too many people: the users and populations come to %d; the limit is %d", people, MaxUsers)
				ok = false
			}
		} else {
			ok = false
		}
		if v := f.get("behaviour"); v == nil {
			b.errorf(it, "population needs behaviour: how its people work")
			ok = false
		} else if name, good := b.ref(v, "behaviour", b.ix.Behaviours.Has); good {
			pop.Behaviour = name
			b.behaviourNodes[b.ix.Behaviours[name]].used = true
		} else {
			ok = false
		}
		if v := f.get("groups"); v != nil {
			pop.Groups = b.groupList(v, "population "+pop.Name)
		}
		if v := f.get("assignments"); v != nil {
			pop.Assignments = b.assignments(v)
		}
		if v := f.get("devices"); v != nil {
			pop.Devices = b.devices(v, "population "+pop.Name)
		}
		if ok {
			b.populations[pop.Name] = &population{idx: len(b.sc.Populations), name: nameNode}
			b.sc.Populations = append(b.sc.Populations, pop)
		}
	}
	// A population's people are NAME-1 to NAME-Count; no user may have one of those names.
	for _, u := range b.sc.Users {
		if pi, _ := b.member(u.Name); pi >= 0 {
			pop := &b.sc.Populations[pi]
			b.errorf(b.populations[pop.Name].name, "population %s names its people %s to %s, and user %s (line %d) has one of those names; rename one",
				pop.Name, sim.PopulationUser(pop.Name, 1), sim.PopulationUser(pop.Name, pop.Count), u.Name, b.userNodes[b.ix.Users[u.Name]].Line)
		}
	}
}

// groupList reads a list of groups, refusing repeats.
func (b *builder) groupList(v *yaml.Node, who string) []string {
	var out []string
	gs, _ := b.list(v, "groups")
	in := map[string]*yaml.Node{}
	for _, g := range gs {
		name, good := b.group(g)
		if !good {
			continue
		}
		if prev := in[name]; prev != nil {
			b.errorf(g, "group %q is listed twice for %s (first at line %d)", name, who, prev.Line)
			continue
		}
		in[name] = g
		out = append(out, name)
	}
	return out
}

// member returns the population whose person has the given name and the person's number, or -1.
func (b *builder) member(name string) (int, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || len(b.populations) == 0 {
		return -1, 0
	}
	p := b.populations[name[:i]]
	num := name[i+1:]
	if p == nil || num == "" || num[0] == '0' || len(num) > 9 || strings.Trim(num, "0123456789") != "" {
		return -1, 0
	}
	k, _ := strconv.Atoi(num)
	if k < 1 || k > b.sc.Populations[p.idx].Count {
		return -1, 0
	}
	return p.idx, k
}

// devicesOf returns the devices of a user or of a population's person.
func (b *builder) devicesOf(name string) ([]sim.Device, bool) {
	if ui, ok := b.ix.Users.Lookup(name); ok {
		return b.sc.Users[ui].Devices, true
	}
	if pi, _ := b.member(name); pi >= 0 {
		return b.sc.Populations[pi].Devices, true
	}
	return nil, false
}

// unknownPerson explains a name that is neither a user nor one of a population's people.
func (b *builder) unknownPerson(name string) string {
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		if p := b.populations[name[:i]]; p != nil {
			pop := &b.sc.Populations[p.idx]
			return fmt.Sprintf("; population %s has %d people, %s to %s", pop.Name, pop.Count,
				sim.PopulationUser(pop.Name, 1), sim.PopulationUser(pop.Name, pop.Count))
		}
	}
	return ""
}

func (b *builder) buildOffboardings(n *yaml.Node) {
	if n == nil {
		return
	}
	items, _ := b.list(n, "offboardings")
	var planNodes []*yaml.Node
	defer func() { b.checkDistinctOffboardings(planNodes) }()
	for _, it := range items {
		f := b.mapping(it, "offboardings entry", keysOf("offboarding_plan"))
		if f == nil {
			continue
		}
		plan := sim.OffboardingPlan{To: b.sc.Horizon}
		ok := true
		size := len(b.sc.Users)
		for _, p := range b.sc.Populations {
			size += p.Count
		}
		if v := f.get("population"); v != nil {
			name, good := b.ref(v, "population", func(s string) bool { return b.populations[s] != nil })
			if good {
				plan.Population = name
				size = b.sc.Populations[b.populations[name].idx].Count
			}
			ok = ok && good
		}
		if v := f.get("count"); v == nil {
			b.errorf(it, "offboardings entry needs count: how many offboardings in each replication")
			ok = false
		} else if c, good := b.integer(v, "count", 1, MaxUsers); good {
			plan.Count = int(c)
			if ok && plan.Count > size {
				who := "the scenario has"
				if plan.Population != "" {
					who = "population " + plan.Population + " has"
				}
				b.errorf(v, "count %d is more than the people to offboard: %s %d", plan.Count, who, size)
				ok = false
			}
		} else {
			ok = false
		}
		fromOK, toOK := true, true
		if v := f.get("from"); v != nil {
			plan.From, fromOK = b.when(v, "from")
		}
		if v := f.get("to"); v != nil {
			plan.To, toOK = b.when(v, "to")
		}
		if fromOK && toOK && plan.From > plan.To {
			b.errorf(f.get("to"), "to %s is before from %s", sim.FormatDuration(plan.To), sim.FormatDuration(plan.From))
			ok = false
		}
		ok = ok && fromOK && toOK
		if v := f.get("playbook"); v == nil {
			b.errorf(it, "offboardings entry needs playbook: a name, %s, or a list of steps ([] to change nothing)", builtinPlaybook)
			ok = false
		} else if good := b.planPlaybook(v, &plan); !good {
			ok = false
		}
		if ok {
			if b.sc.Horizon-plan.To < 12*time.Hour {
				b.warnf(it, "these offboardings may fall less than 12h before the horizon; role sessions may still be open when the simulation ends")
			}
			b.sc.Offboardings = append(b.sc.Offboardings, plan)
			planNodes = append(planNodes, it)
		}
	}
}

// checkDistinctOffboardings checks that the generated offboardings can draw distinct people, none
// of them offboarded by the timeline (EV-2): per population, and over everyone. nodes are the
// entries of sc.Offboardings.
func (b *builder) checkDistinctOffboardings(nodes []*yaml.Node) {
	scripted := map[string]bool{}
	for _, e := range b.sc.Events {
		if e.Action == sim.Offboard {
			scripted[e.User] = true
		}
	}
	// people who can be drawn: per population, and in all
	free := map[string]int{}
	all := len(b.sc.Users)
	for _, u := range b.sc.Users {
		if scripted[u.Name] {
			all--
		}
	}
	for _, p := range b.sc.Populations {
		n := p.Count
		for i := 1; i <= p.Count && len(scripted) > 0; i++ {
			if scripted[sim.PopulationUser(p.Name, i)] {
				n--
			}
		}
		free[p.Name] = n
		all += n
	}
	want, total := map[string]int{}, 0
	for i, p := range b.sc.Offboardings {
		total += p.Count
		if p.Population != "" {
			if want[p.Population] += p.Count; want[p.Population] > free[p.Population] {
				b.errorf(nodes[i], "the offboardings entries so far draw %d people from population %s, which has %d not offboarded by the timeline (EV-2: a person is offboarded at most once)",
					want[p.Population], p.Population, free[p.Population])
				return
			}
		}
		if total > all {
			b.errorf(nodes[i], "the offboardings entries so far draw %d people, and the scenario has %d not offboarded by the timeline (EV-2: a person is offboarded at most once)", total, all)
			return
		}
	}
}

// planPlaybook reads the playbook of generated offboardings: a name, or steps written in place.
func (b *builder) planPlaybook(v *yaml.Node, plan *sim.OffboardingPlan) bool {
	re := &rawEvent{}
	if !b.playbookRef(v, re) {
		return false
	}
	var steps []*rawEvent
	switch {
	case v.Kind == yaml.SequenceNode:
		plan.PlaybookName = inlinePlaybook
		steps = re.steps
	case re.ev.PlaybookName == builtinPlaybook:
		plan.PlaybookName = builtinPlaybook
		plan.Playbook = recommended("", b.sc.Source.Kind != sim.IdentityCenter)
		return true
	default:
		plan.PlaybookName = re.ev.PlaybookName
		steps = b.playbooks[plan.PlaybookName].steps
	}
	ok := true
	for _, st := range steps {
		if !st.ok {
			ok = false
			continue
		}
		if v := st.f.get("device"); v != nil {
			b.errorf(v, "a step of generated offboardings cannot name a device: the person is drawn at random; leave device out to end all their sessions")
			ok = false
			continue
		}
		plan.Playbook = append(plan.Playbook, sim.Step{After: st.ev.At, Event: withoutAt(st.ev)})
	}
	return ok
}

// peopleWarnings notices behaviours no population uses, and people who lack the device or the
// entitlement that their behaviour's activities need.
func (b *builder) peopleWarnings(entitled func(user string, a sim.Assignment) bool) {
	for i, bn := range b.behaviourNodes {
		if !bn.used {
			b.warnf(bn.name, "behaviour %s is used by no population", b.sc.Behaviours[i].Name)
		}
	}
	for _, pop := range b.sc.Populations {
		bh := &b.sc.Behaviours[b.ix.Behaviours[pop.Behaviour]]
		node := b.populations[pop.Name].name
		has := map[sim.DeviceKind]bool{}
		for _, d := range pop.Devices {
			has[d.Kind] = true
		}
		need := func(kind sim.DeviceKind, what string) {
			if !has[kind] {
				b.warnf(node, "population %s has no %s device, so its people never %s (behaviour %s)", pop.Name, kind, what, bh.Name)
			}
		}
		if !has[sim.Browser] {
			need(sim.Browser, "sign in from a browser")
		}
		if bh.CLI.PerDay > 0 || bh.CLIWorkload != nil {
			need(sim.CLI, "use the CLI")
		}
		if bh.Kiro != "" {
			need(sim.KiroIDE, "open Kiro")
		}
		person := sim.PopulationUser(pop.Name, 1)
		rules := "APP-1, ROLE-1"
		check := func(a sim.Assignment, what string) {
			if !entitled(person, a) {
				b.warnf(node, "population %s is never entitled to %s, which behaviour %s %s; those actions will be refused (%s)",
					pop.Name, a, bh.Name, what, rules)
			}
		}
		for _, act := range []struct {
			a    *sim.Activity
			what string
		}{{&bh.OpenApp, "opens"}, {&bh.Federate, "federates into"}, {&bh.CLI, "uses from the CLI"}, {&bh.Jobs, "starts jobs in"}} {
			if act.a.PerDay == 0 {
				continue
			}
			seen := map[sim.Assignment]bool{}
			for _, t := range act.a.Targets {
				if !seen[t] {
					seen[t] = true
					check(t, act.what)
				}
			}
		}
		if bh.CLIWorkload != nil {
			check(*bh.CLIWorkload, "runs a CLI workload on")
		}
		if bh.Kiro != "" {
			check(sim.Assignment{Application: bh.Kiro}, "opens each working day")
		}
		if ob := bh.ActAsUser; ob != nil && ob.PerDay > 0 {
			rules = "TTI-1, GRP-1"
			seen := map[sim.Assignment]bool{}
			for _, t := range ob.Targets {
				if !seen[t] {
					seen[t] = true
					check(t, "has "+ob.Application+" obtain role credentials for")
				}
			}
		}
	}
}
