package shard

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"idcsim/scenarios"
	"idcsim/sim"
)

// Scenario parses the scenario of the shards, applies their overrides with apply, and checks that
// every shard ran the run that this sets up.
func (s *Set) Scenario(apply func(*sim.Scenario, Overrides) error) (*sim.Scenario, error) {
	parts := s.parts
	first := parts[0]
	sc, err := scenarios.Parse(first.doc.Scenario.Path, first.src)
	if err != nil {
		return nil, inputf("%s: the scenario of the shards: %w", first.dir, err)
	}
	if err := apply(sc, first.doc.Overrides); err != nil {
		return nil, inputf("%s: $.overrides: %w", first.file(), err)
	}
	var p problems
	for _, part := range parts {
		d, file := &part.doc, part.file()
		if d.Scenario.Name != sc.Name {
			p.add(file, "$.scenario.name", "%q, but the scenario is named %q", d.Scenario.Name, sc.Name)
		}
		if d.Seed != sc.Seed {
			p.add(file, "$.seed", "%d, but the scenario with the overrides %s runs seed %d", d.Seed, d.Overrides, sc.Seed)
		}
		if d.Replications != sc.Replications {
			p.add(file, "$.replications", "%d, but the scenario with the overrides %s runs %d", d.Replications, d.Overrides, sc.Replications)
		}
		if d.Profile != sc.Profile.Name {
			p.add(file, "$.profile", "%q, but the scenario with the overrides %s runs profile %q", d.Profile, d.Overrides, sc.Profile.Name)
		}
	}
	return sc, p.err()
}

// MergeRun checks the results of each shard of a run against the scenario sc (Scenario's) and
// puts them together.
func (s *Set) MergeRun(sc *sim.Scenario) (*sim.Results, error) {
	parts := s.parts
	exp := expect(sc)
	if parts[0].doc.Split == SplitPeople {
		return s.mergePeople(sc, exp)
	}
	var p problems
	var results []*sim.Results
	for _, part := range parts {
		sh := sim.Shard{I: part.doc.Shard.I, N: part.doc.Shard.N}
		before := p.count()
		exp.checkResults(&p, part.file(), "$.results", part.doc.Results, sc.Replications, sh)
		if p.count() == before {
			results = append(results, part.doc.Results.parts(sc)...)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return sim.Merge(sc, results), nil
}

// mergePeople checks the shards of the people of a run of one replication against the scenario sc
// and puts them together: each shard's offboardings are of its own people, and together they are
// the replication's.
func (s *Set) mergePeople(sc *sim.Scenario, exp *expectation) (*sim.Results, error) {
	var p problems
	used := map[offboardKey]int{}
	first := map[string]string{}
	var results []*sim.Results
	var events int64
	offboardings := 0
	for _, part := range s.parts {
		file, pr := part.file(), part.doc.Results
		sh := sim.Shard{I: part.doc.Shard.I, N: part.doc.Shard.N, People: true}
		if pr == nil || len(pr.Replications) != 1 || pr.Replications[0].Index != 0 {
			p.add(file, "$.results.replications", "a shard of the people of a run holds its one replication, replication 0")
			continue
		}
		before := p.count()
		r, path := &pr.Replications[0], "$.results.replications[0]"
		exp.checkCounts(&p, file, path, r, 0)
		lo, hi := sh.Range(exp.total)
		exp.checkOffboardings(&p, file, path, file+": ", r.Offboardings, used, first, func(i int) bool { return lo <= i && i < hi })
		events += r.Events
		offboardings += len(r.Offboardings)
		if p.count() == before {
			results = append(results, pr.parts(sc)...)
		}
	}
	file, path := s.parts[0].file(), "$.results.replications[0]"
	if p.count() == 0 {
		// every replication processes each event of the timeline and each generated offboarding
		if least := int64(exp.timeline + exp.generated); events < least {
			p.add(file, path+".events", "the shards processed %d events together, fewer than the scenario's %d timeline events and %d generated offboardings",
				events, exp.timeline, exp.generated)
		}
		if offboardings != exp.offboardings {
			p.add(file, path+".offboardings", "the shards hold %d offboardings together, but the scenario makes %d in every replication", offboardings, exp.offboardings)
		}
		exp.checkScripted(&p, file, path, used)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return sim.Merge(sc, results), nil
}

// MergeSweep checks the candidates of the shards of a sweep against the scenario sc (Scenario's)
// and puts them together, in the sweep's order.
func (s *Set) MergeSweep(sc *sim.Scenario) ([]*sim.Results, error) {
	parts := s.parts
	if sc.Sweep == nil {
		return nil, inputf("%s: the scenario of the shards has no sweep: block", parts[0].dir)
	}
	cands := sc.Sweep.List()
	exp := expect(sc) // candidates change durations only: the people and offboardings stay
	every := sim.Shard{I: 0, N: 1}
	results := make([]*sim.Results, len(cands))
	var p problems
	for _, part := range parts {
		sh, file := sim.Shard{I: part.doc.Shard.I, N: part.doc.Shard.N}, part.file()
		for k, pc := range part.doc.Candidates {
			path, i := fmt.Sprintf("$.candidates[%d]", k), pc.Index
			switch {
			case i < 0 || i >= len(cands):
				p.add(file, path+".index", "candidate %d, but the sweep has %d (0 to %d)", i, len(cands), len(cands)-1)
				continue
			case pc.Name != cands[i].String():
				p.add(file, path+".name", "candidate %d is %q, but the sweep's is %q", i, pc.Name, cands[i])
				continue
			case !sh.Has(i):
				p.add(file, path+".index", "candidate %d does not belong to shard %s, which runs candidates %d, %d+%d, …", i, sh, sh.I, sh.I, sh.N)
				continue
			case results[i] != nil:
				p.add(file, path+".index", "candidate %d appears twice", i)
				continue
			case pc.Results == nil:
				p.add(file, path+".results", "missing")
				continue
			}
			csc, err := sc.With(cands[i])
			if err != nil {
				p.add(file, path, "%v", err)
				continue
			}
			before := p.count()
			exp.checkResults(&p, file, path+".results", pc.Results, sc.Replications, every)
			if p.count() == before {
				results[i] = sim.Merge(csc, pc.Results.parts(csc))
			}
		}
	}
	if p.count() == 0 {
		for i, r := range results {
			if r != nil {
				continue
			}
			n := parts[0].doc.Shard.N
			owner := parts[0]
			for _, q := range parts {
				if q.doc.Shard.I == i%n {
					owner = q
				}
			}
			p.add(owner.file(), "$.candidates", "candidate %d (%s) of shard %d/%d is missing", i, cands[i], i%n, n)
		}
	}
	return results, p.err()
}

// expectation is what a scenario implies for the results of every replication.
type expectation struct {
	horizon time.Duration
	// users are the scenario's users, at their place in the order of people, which populations'
	// people follow, each population's from first (see person).
	users map[string]int
	pops  map[string]population
	total int // people in all
	// scripted are the scenario's offboard events, by user and time.
	scripted map[offboardKey][]*sim.Event
	keys     []offboardKey // of scripted, in the order of the timeline
	plans    []sim.OffboardingPlan
	// offboardings is the number of offboardings of every replication: the offboard events and
	// the offboardings that plans generate.
	offboardings        int
	timeline, generated int // events of the timeline, offboardings generated
}

// population is a population's place in the order of people and its size.
type population struct{ first, count int }

// person returns the population of the person of that name ("" for a user) and the person's place
// in the order of people, the engine's: users, then each population's people. Populations' people
// are found by their names, without a map of them: a population may hold millions.
func (e *expectation) person(name string) (pop string, index int, ok bool) {
	if i, ok := e.users[name]; ok {
		return "", i, true
	}
	cut := strings.LastIndexByte(name, '-')
	if cut < 0 {
		return "", 0, false
	}
	p, ok := e.pops[name[:cut]]
	num := name[cut+1:]
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || n > p.count || num != strconv.Itoa(n) {
		return "", 0, false
	}
	return name[:cut], p.first + n - 1, true
}

type offboardKey struct {
	user string
	at   time.Duration
}

// expect works out what the scenario implies for every replication.
func expect(sc *sim.Scenario) *expectation {
	e := &expectation{horizon: sc.Horizon, users: map[string]int{}, pops: map[string]population{},
		scripted: map[offboardKey][]*sim.Event{}, plans: sc.Offboardings, timeline: len(sc.Events)}
	for i, u := range sc.Users {
		e.users[u.Name] = i
	}
	e.total = len(sc.Users)
	for _, pop := range sc.Populations {
		e.pops[pop.Name] = population{first: e.total, count: pop.Count}
		e.total += pop.Count
	}
	for i := range sc.Events {
		if ev := &sc.Events[i]; ev.Action == sim.Offboard {
			k := offboardKey{ev.User, ev.At}
			if e.scripted[k] == nil {
				e.keys = append(e.keys, k)
			}
			e.scripted[k] = append(e.scripted[k], ev)
			e.offboardings++
		}
	}
	for _, pl := range sc.Offboardings {
		e.generated += pl.Count
	}
	e.offboardings += e.generated
	return e
}

// checkResults checks results that should hold the replications of the shard, each once, against
// the scenario.
func (e *expectation) checkResults(p *problems, file, path string, pr *Results, replications int, sh sim.Shard) {
	if pr == nil {
		p.add(file, path, "missing")
		return
	}
	at := map[int]int{} // the replications seen, at their place in the list
	for k := range pr.Replications {
		r, rp := &pr.Replications[k], fmt.Sprintf("%s.replications[%d]", path, k)
		if prev, ok := at[r.Index]; ok {
			p.add(file, rp+".index", "replication %d appears twice (also replications[%d])", r.Index, prev)
			continue
		}
		switch {
		case r.Index < 0 || r.Index >= replications:
			p.add(file, rp+".index", "replication %d is out of range: the run has %d replications, 0 to %d", r.Index, replications, replications-1)
			continue
		case !sh.Has(r.Index):
			p.add(file, rp+".index", "replication %d is not in shard %s, which runs replications %d, %d+%d, …", r.Index, sh, sh.I, sh.I, sh.N)
			continue
		}
		at[r.Index] = k
		e.checkReplication(p, file, rp, r)
	}
	var missing []string
	for i := range replications {
		if _, ok := at[i]; sh.Has(i) && !ok {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	switch {
	case len(missing) == 0:
	case sh.N > 1:
		p.add(file, path+".replications", "replications %s of shard %s are missing", abbreviate(missing), sh)
	default:
		p.add(file, path+".replications", "replications %s are missing (of 0 to %d)", abbreviate(missing), replications-1)
	}
}

// abbreviate lists the first few of a list.
func abbreviate(list []string) string {
	const most = 10
	if len(list) > most {
		return fmt.Sprintf("%s and %d more", strings.Join(list[:most], ", "), len(list)-most)
	}
	return strings.Join(list, ", ")
}

// checkReplication checks what a replication produced against the scenario.
func (e *expectation) checkReplication(p *problems, file, path string, r *Replication) {
	// every replication processes each event of the timeline and each generated offboarding
	e.checkCounts(p, file, path, r, int64(e.timeline+e.generated))
	if n := len(r.Offboardings); n != e.offboardings {
		p.add(file, path+".offboardings", "%d offboardings, but the scenario makes %d in every replication", n, e.offboardings)
	}
	used := map[offboardKey]int{} // offboard events matched
	first := map[string]string{}  // where each person's offboarding is
	e.checkOffboardings(p, file, path, "", r.Offboardings, used, first, func(int) bool { return true })
	e.checkScripted(p, file, path, used)
}

// checkCounts checks a replication's events, at least least, and counters.
func (e *expectation) checkCounts(p *problems, file, path string, r *Replication, least int64) {
	if r.Events < least || r.Events > maxCount {
		p.add(file, path+".events", "%d is outside %d to %d: every replication processes the scenario's %d timeline events and %d generated offboardings",
			r.Events, least, maxCount, e.timeline, e.generated)
	}
	cv := reflect.ValueOf(r.Counters)
	for i := range cv.NumField() {
		if n := cv.Field(i).Int(); n < 0 || n > maxCount {
			p.add(file, path+".counters."+cv.Type().Field(i).Name, "%d is outside 0 to %d", n, maxCount)
		}
	}
}

// checkOffboardings checks a replication's offboardings, or those of a shard of its people, whose
// places in the order of people must satisfy mine. used and first carry the offboard events
// matched and where each person's offboarding is (loc, then its place in offs) from one shard of
// the people to the next.
func (e *expectation) checkOffboardings(p *problems, file, path, loc string, offs []Offboarding, used map[offboardKey]int, first map[string]string, mine func(int) bool) {
	var last time.Duration
	for j := range offs {
		if j == 2*e.offboardings+maxErrors {
			return // far too many: the count says so
		}
		o, op := &offs[j], fmt.Sprintf("%s.offboardings[%d]", path, j)
		at := time.Duration(o.AtNS)
		if at < 0 || at > e.horizon {
			p.add(file, op+".at_ns", "%d (%s) is outside the run, 0 to %d (the horizon %s)", o.AtNS, sim.FormatDuration(sim.RoundMillis(at)), e.horizon, sim.FormatDuration(sim.RoundMillis(e.horizon)))
			continue
		}
		if at < last {
			p.add(file, op+".at_ns", "%s is before the offboarding before it (%s): they are in the order of their times", sim.FormatDuration(sim.RoundMillis(at)), sim.FormatDuration(sim.RoundMillis(last)))
		}
		last = at
		pop, index, ok := e.person(o.User)
		switch prev, twice := first[o.User]; {
		case !ok:
			p.add(file, op+".user", "%q is not a user of the scenario, nor one of its populations' people", o.User)
			continue
		case twice:
			p.add(file, op+".user", "%s is offboarded again (first at %s): a person is offboarded at most once in a replication (EV-2)", o.User, prev)
			continue
		case !mine(index):
			p.add(file, op+".user", "%s (person %d of the scenario) is not one of the shard's people", o.User, index)
			continue
		}
		first[o.User] = loc + strings.TrimPrefix(op, path+".")
		playbook, name, ok := e.source(o, at, pop, used)
		switch {
		case !ok:
			p.add(file, op, "%s offboarded at %s with playbook %q: neither an offboard event of the scenario nor one its offboardings: entries generate", o.User, sim.FormatDuration(sim.RoundMillis(at)), o.Playbook)
			continue
		case name != o.Playbook:
			p.add(file, op+".playbook", "%q, but the scenario offboards %s at %s with playbook %q", o.Playbook, o.User, sim.FormatDuration(sim.RoundMillis(at)), name)
			continue
		}
		e.checkSteps(p, file, op, o, at, playbook)
		e.checkWindows(p, file, op, o, at)
		for k, s := range o.Sessions {
			sp := fmt.Sprintf("%s.sessions[%d]", op, k)
			if s.StartNS < 0 || s.StartNS > s.EndNS || s.EndNS > int64(e.horizon) {
				p.add(file, sp, "from %d to %d ns is not a span inside the run, 0 to %d", s.StartNS, s.EndNS, e.horizon)
			} else if s.Open && s.EndNS != int64(e.horizon) {
				p.add(file, sp+".end_ns", "%d, but the session is open: it ends at the horizon, %d", s.EndNS, e.horizon)
			}
		}
	}
}

// checkScripted reports the offboard events of the scenario that no offboarding matched.
func (e *expectation) checkScripted(p *problems, file, path string, used map[offboardKey]int) {
	for _, k := range e.keys {
		if n := len(e.scripted[k]); used[k] < n {
			p.add(file, path+".offboardings", "the offboarding of %s at %s (an offboard event of the scenario) is missing", k.user, sim.FormatDuration(sim.RoundMillis(k.at)))
		}
	}
}

// source finds where the scenario makes an offboarding of a person of population pop: an offboard
// event of the person at its time not matched yet, or an offboardings: entry that may generate it.
// It returns the playbook, its steps and name.
func (e *expectation) source(o *Offboarding, at time.Duration, pop string, used map[offboardKey]int) ([]sim.Step, string, bool) {
	k := offboardKey{o.User, at}
	if evs := e.scripted[k]; used[k] < len(evs) {
		ev := evs[used[k]]
		used[k]++
		return ev.Playbook, ev.PlaybookName, true
	}
	for i := range e.plans {
		pl := &e.plans[i]
		if (pl.Population == "" || pl.Population == pop) && pl.From <= at && at <= pl.To && pl.PlaybookName == o.Playbook {
			return pl.Playbook, pl.PlaybookName, true
		}
	}
	return nil, "", false
}

// checkSteps checks an offboarding's steps against its playbook: each step after the one
// before, those up to the horizon.
func (e *expectation) checkSteps(p *problems, file, op string, o *Offboarding, at time.Duration, playbook []sim.Step) {
	var want []Step
	for _, st := range playbook {
		at += st.After
		if at > e.horizon {
			break
		}
		want = append(want, Step{AtNS: int64(at), Action: st.Event.Action.String()})
	}
	if len(o.Steps) != len(want) {
		p.add(file, op+".steps", "%d steps, but the playbook %q carries out %d before the horizon", len(o.Steps), o.Playbook, len(want))
		return
	}
	for i, st := range o.Steps {
		if st != want[i] {
			p.add(file, fmt.Sprintf("%s.steps[%d]", op, i), "%s at %d ns, but the playbook's step is %s at %d ns", st.Action, st.AtNS, want[i].Action, want[i].AtNS)
			return
		}
	}
}

// checkWindows checks an offboarding's windows: one on every channel, inside the run, an open one
// up to the horizon, and the any channel's the longest of the others.
func (e *expectation) checkWindows(p *problems, file, op string, o *Offboarding, at time.Duration) {
	names := slices.Sorted(maps.Keys(o.Windows))
	for _, name := range names {
		if _, ok := sim.ParseChannel(name); !ok {
			p.add(file, fmt.Sprintf("%s.windows[%q]", op, name), "no channel of that name")
		}
	}
	room := e.horizon - at // from the offboarding to the horizon
	var longest time.Duration
	var open, bad bool
	for c := range sim.NumChannels {
		wp := op + ".windows." + c.String()
		w, ok := o.Windows[c.String()]
		length := time.Duration(w.LengthNS)
		switch {
		case !ok:
			p.add(file, wp, "missing: every offboarding has a window on every channel")
		case length < 0 || length > room:
			p.add(file, wp+".length_ns", "%d (%s) is outside 0 to %d (%s, from the offboarding at %s to the horizon)",
				w.LengthNS, sim.FormatDuration(sim.RoundMillis(length)), room, sim.FormatDuration(sim.RoundMillis(room)), sim.FormatDuration(sim.RoundMillis(at)))
		case w.Open && length != room:
			p.add(file, wp+".length_ns", "%d (%s), but the window is open: it runs to the horizon, %d (%s)",
				w.LengthNS, sim.FormatDuration(sim.RoundMillis(length)), room, sim.FormatDuration(sim.RoundMillis(room)))
		case !w.Open && length == 0 && w.Evidence != "":
			p.add(file, wp+".evidence", "the access ended by the offboarding, so nothing held it after: want none")
		default:
			if c < sim.ChAny {
				longest, open = max(longest, length), open || w.Open
			}
			continue
		}
		bad = true
	}
	if bad {
		return
	}
	any := o.Windows[sim.ChAny.String()]
	if any.Open != open || time.Duration(any.LengthNS) != longest {
		p.add(file, op+".windows.any", "%s (open %v), but any channel is open as long as some other channel is: the others' longest is %s (open %v)",
			sim.FormatDuration(sim.RoundMillis(time.Duration(any.LengthNS))), any.Open, sim.FormatDuration(sim.RoundMillis(longest)), open)
	}
}
