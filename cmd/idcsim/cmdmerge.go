package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"idcsim/internal/buildinfo"
	"idcsim/internal/strictjson"
	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/sim"
)

var mergeCommand = &command{
	name:  "merge",
	args:  "DIR... [flags]",
	short: "combine the partial reports of a sharded run or sweep",
	long: `Merge combines the partial report directories that idcsim run --shard I/N or idcsim sweep
--shard I/N wrote, one per shard, into the report of the whole run or sweep, exactly as a run
without shards would have written it. A DIR is a partial report, or a directory whose
subdirectories are partial reports (as the shards of a Kubernetes Indexed Job write them to a
shared volume).

The shards must belong to one run: the same scenario (its source text is kept in each partial
report, and its digest must match), the same overrides (--seed, --replications, --profile), the
same number of shards N, every shard 0 to N-1 exactly once, and the build of idcsim that merges
them. Merge reads each partial.json strictly (no duplicate or unknown keys, no trailing data, at
most 2 GiB), recomputes its digest, and checks every replication, offboarding and window
against the scenario: the replications and candidates of each shard, the people offboarded and
when, windows inside the run. With IDCSIM_SHARD_KEY set (a secret shared with the shards), every
shard must carry an HMAC made with that key; without it, shards that carry one are refused. --out
must not be a DIR, nor lie inside one, nor hold one. On any problem merge says what is wrong and exits 2,
writing nothing. Its exit status then follows the controls, as run's and sweep's do.`,
	run:   runMerge,
	flags: func(fs *flagSet) { new(mergeOptions).register(fs) },
}

type mergeOptions struct {
	format, out, junit string
}

func (o *mergeOptions) register(fs *flagSet) {
	fs.StringVar(&o.format, "format", "text", "what to print: text, json or markdown")
	fs.StringVar(&o.out, "out", "idcsim-report", "report `directory`")
	fs.StringVar(&o.junit, "junit", "", "also write the policy's controls as JUnit XML to `file`")
}

func runMerge(c *command, args []string, stdout, stderr io.Writer) int {
	var mo mergeOptions
	fs := newFlagSet(c.name)
	mo.register(fs)
	args, status, ok := c.parseFlags(fs, args, stdout, stderr)
	if !ok {
		return status
	}
	if len(args) == 0 {
		return c.usageError(stderr, "no partial report given")
	}
	if err := oneOf("format", mo.format, "text", "json", "markdown"); err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if mo.out == "" {
		return c.usageError(stderr, "--out: want a directory")
	}
	if err := outApart(mo.out, args); err != nil {
		return c.fail(stderr, err)
	}
	if status, ok := c.checkOutputs(mo.out, mo.junit, stderr); !ok {
		return status
	}
	parts, err := readPartials(args, shardKey())
	if err != nil {
		return c.fail(stderr, err)
	}
	sc, err := mergeScenario(parts)
	if err != nil {
		return c.fail(stderr, err)
	}
	o := runOptions{format: mo.format, out: mo.out, junit: mo.junit}
	if parts[0].doc.Kind == "run" {
		res, err := mergeRun(sc, parts)
		if err != nil {
			return c.fail(stderr, err)
		}
		return c.emitRun(&o, report.Summarize(res), stdout, stderr)
	}
	results, err := mergeSweep(sc, parts)
	if err != nil {
		return c.fail(stderr, err)
	}
	ss, err := report.SummarizeSweep(sc, results)
	if err != nil {
		return c.fail(stderr, err)
	}
	return c.emitSweep(&o, ss, stdout, stderr)
}

// shardKey returns the key of the shards' HMAC, nil when there is none.
func shardKey() []byte {
	if k := os.Getenv(envShardKey); k != "" {
		return []byte(k)
	}
	return nil
}

// outApart checks that the report directory out is none of the inputs, is inside none, and holds
// none, comparing absolute paths with symbolic links resolved: merge must not replace or write
// into its own input. The inputs are the arguments, since every partial report is one of them or
// inside one.
func outApart(out string, inputs []string) error {
	o, err := resolvePath(out)
	if err != nil {
		return fmt.Errorf("--out %s: %v", out, err)
	}
	var errs []error
	for _, in := range inputs {
		i, err := resolvePath(in)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", in, err))
			continue
		}
		switch {
		case o == i:
			errs = append(errs, fmt.Errorf("--out %s is the input %s: merge would replace what it reads; write the report elsewhere", out, in))
		case within(o, i):
			errs = append(errs, fmt.Errorf("--out %s is inside the input %s: write the report elsewhere", out, in))
		case within(i, o):
			errs = append(errs, fmt.Errorf("--out %s holds the input %s: merge would replace what it reads; write the report elsewhere", out, in))
		}
	}
	return errors.Join(errs...)
}

// resolvePath returns path absolute and clean, with the symbolic links of the part that exists
// resolved.
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var rest []string // the elements, last first, that do not exist
	for {
		r, err := filepath.EvalSymlinks(abs)
		if err == nil {
			slices.Reverse(rest)
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		parent := filepath.Dir(abs)
		if !errors.Is(err, iofs.ErrNotExist) || parent == abs {
			return "", err
		}
		rest = append(rest, filepath.Base(abs))
		abs = parent
	}
}

// within says whether path is inside dir (both absolute and clean).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && filepath.IsLocal(rel)
}

// maxPartialBytes bounds the partial.json that merge reads: 2 GiB. A partial report takes about
// 1.5 kB an offboarding (measured on the default example, whose replications offboard 9 people):
// a shard of 100,000 replications of it, the most a scenario may ask for, takes about 1.4 GB.
const maxPartialBytes = 2 << 30

// maxSourceBytes bounds the scenario.yaml that merge reads: the largest scenario file.
const maxSourceBytes = scenarios.MaxFileSize

// Limits of the values of a partial report.
const (
	maxReplications = scenarios.MaxReplications // replications of a run, as the scenario format allows
	// maxCount bounds the events and each counter of a replication, so that their sums over
	// maxReplications cannot overflow.
	maxCount = math.MaxInt64 / maxReplications
	// maxMergeErrors is the most problems merge reports at once.
	maxMergeErrors = 20
)

// problems gathers what is wrong with the shards, up to maxMergeErrors.
type problems struct {
	errs []error
	more int // left out
}

// add records a problem at a place: a file and the JSON path in it.
func (p *problems) add(file, path, format string, args ...any) {
	if len(p.errs) == maxMergeErrors {
		p.more++
		return
	}
	if path != "" {
		file += ": " + path
	}
	p.errs = append(p.errs, fmt.Errorf("%s: %s", file, fmt.Sprintf(format, args...)))
}

// count is the number of problems found.
func (p *problems) count() int { return len(p.errs) + p.more }

// err returns the problems as one error, nil when there are none.
func (p *problems) err() error {
	errs := p.errs
	if p.more > 0 {
		errs = append(errs, fmt.Errorf("and %d more problems", p.more))
	}
	return errors.Join(errs...)
}

// mergeScenario parses the scenario of the shards and applies their overrides, and checks that
// every shard ran the run that this sets up.
func mergeScenario(parts []*shardPart) (*sim.Scenario, error) {
	first := parts[0]
	sc, err := scenarios.Parse(first.doc.Scenario.Path, first.src)
	if err != nil {
		return nil, fmt.Errorf("%s: the scenario of the shards: %v", first.dir, err)
	}
	if err := first.doc.Overrides.apply(sc); err != nil {
		return nil, fmt.Errorf("%s: $.overrides: %v", first.file(), err)
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

// mergeRun checks each shard's results against the scenario and puts them together.
func mergeRun(sc *sim.Scenario, parts []*shardPart) (*sim.Results, error) {
	exp := expect(sc)
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

// mergeSweep checks the candidates of a sweep's shards against the scenario and puts them
// together, in the sweep's order.
func mergeSweep(sc *sim.Scenario, parts []*shardPart) ([]*sim.Results, error) {
	if sc.Sweep == nil {
		return nil, fmt.Errorf("%s: the scenario of the shards has no sweep: block", parts[0].dir)
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
	// people are the users and the people of populations, with their population ("" for users).
	people map[string]string
	// scripted are the scenario's offboard events, by user and time.
	scripted map[offboardKey][]*sim.Event
	keys     []offboardKey // of scripted, in the order of the timeline
	plans    []sim.OffboardingPlan
	// offboardings is the number of offboardings of every replication: the offboard events and
	// the offboardings that plans generate.
	offboardings        int
	timeline, generated int // events of the timeline, offboardings generated
}

type offboardKey struct {
	user string
	at   time.Duration
}

// expect works out what the scenario implies for every replication.
func expect(sc *sim.Scenario) *expectation {
	e := &expectation{horizon: sc.Horizon, people: map[string]string{}, scripted: map[offboardKey][]*sim.Event{},
		plans: sc.Offboardings, timeline: len(sc.Events)}
	for _, u := range sc.Users {
		e.people[u.Name] = ""
	}
	for _, pop := range sc.Populations {
		for i := 1; i <= pop.Count; i++ {
			e.people[sim.PopulationUser(pop.Name, i)] = pop.Name
		}
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
func (e *expectation) checkResults(p *problems, file, path string, pr *partialResults, replications int, sh sim.Shard) {
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
func (e *expectation) checkReplication(p *problems, file, path string, r *partialReplication) {
	// every replication processes each event of the timeline and each generated offboarding
	if least := int64(e.timeline + e.generated); r.Events < least || r.Events > maxCount {
		p.add(file, path+".events", "%d is outside %d to %d: every replication processes the scenario's %d timeline events and %d generated offboardings",
			r.Events, least, maxCount, e.timeline, e.generated)
	}
	cv := reflect.ValueOf(r.Counters)
	for i := range cv.NumField() {
		if n := cv.Field(i).Int(); n < 0 || n > maxCount {
			p.add(file, path+".counters."+cv.Type().Field(i).Name, "%d is outside 0 to %d", n, maxCount)
		}
	}
	if n := len(r.Offboardings); n != e.offboardings {
		p.add(file, path+".offboardings", "%d offboardings, but the scenario makes %d in every replication", n, e.offboardings)
	}
	used := map[offboardKey]int{} // offboard events matched
	first := map[string]int{}     // the offboarding of each person
	var last time.Duration
	for j := range r.Offboardings {
		if j == 2*e.offboardings+maxMergeErrors {
			return // far too many: the count says so
		}
		o, op := &r.Offboardings[j], fmt.Sprintf("%s.offboardings[%d]", path, j)
		at := time.Duration(o.AtNS)
		if at < 0 || at > e.horizon {
			p.add(file, op+".at_ns", "%d (%s) is outside the run, 0 to %d (the horizon %s)", o.AtNS, sim.FormatDuration(sim.RoundMillis(at)), e.horizon, sim.FormatDuration(sim.RoundMillis(e.horizon)))
			continue
		}
		if at < last {
			p.add(file, op+".at_ns", "%s is before the offboarding before it (%s): they are in the order of their times", sim.FormatDuration(sim.RoundMillis(at)), sim.FormatDuration(sim.RoundMillis(last)))
		}
		last = at
		pop, ok := e.people[o.User]
		switch prev, twice := first[o.User]; {
		case !ok:
			p.add(file, op+".user", "%q is not a user of the scenario, nor one of its populations' people", o.User)
			continue
		case twice:
			p.add(file, op+".user", "%s is offboarded again (first at offboardings[%d]): a person is offboarded at most once in a replication (EV-2)", o.User, prev)
			continue
		}
		first[o.User] = j
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
	for _, k := range e.keys {
		if n := len(e.scripted[k]); used[k] < n {
			p.add(file, path+".offboardings", "the offboarding of %s at %s (an offboard event of the scenario) is missing", k.user, sim.FormatDuration(sim.RoundMillis(k.at)))
		}
	}
}

// source finds where the scenario makes an offboarding of a person of population pop: an offboard
// event of the person at its time not matched yet, or an offboardings: entry that may generate it.
// It returns the playbook, its steps and name.
func (e *expectation) source(o *partialOffboarding, at time.Duration, pop string, used map[offboardKey]int) ([]sim.Step, string, bool) {
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
func (e *expectation) checkSteps(p *problems, file, op string, o *partialOffboarding, at time.Duration, playbook []sim.Step) {
	var want []partialStep
	for _, st := range playbook {
		at += st.After
		if at > e.horizon {
			break
		}
		want = append(want, partialStep{AtNS: int64(at), Action: st.Event.Action.String()})
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
func (e *expectation) checkWindows(p *problems, file, op string, o *partialOffboarding, at time.Duration) {
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

// shardPart is one shard's partial report as read from its directory.
type shardPart struct {
	dir string
	doc partialDoc
	src []byte
}

// file is the shard's partial.json, for messages.
func (p *shardPart) file() string { return filepath.Join(p.dir, partialName) }

// partialDirs lists the partial report directories the arguments name: each is one, or holds
// them as subdirectories (hidden ones, which are reports still being written, left out).
func partialDirs(args []string) ([]string, error) {
	var dirs []string
	var errs []error
	for _, a := range args {
		if isFile(filepath.Join(a, partialName)) {
			dirs = append(dirs, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n := 0
		for _, e := range entries {
			if d := filepath.Join(a, e.Name()); e.IsDir() && !strings.HasPrefix(e.Name(), ".") && isFile(filepath.Join(d, partialName)) {
				dirs = append(dirs, d)
				n++
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("%s holds no %s, nor do its subdirectories: it is no shard's partial report (idcsim run --shard, idcsim sweep --shard)", a, partialName))
		}
	}
	return dirs, errors.Join(errs...)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// readPartials reads the partial reports and checks that they are the shards of one run, each
// once and none missing, of this build; it returns them in the order of their shards.
func readPartials(args []string, key []byte) ([]*shardPart, error) {
	dirs, err := partialDirs(args)
	if err != nil {
		return nil, err
	}
	if err := checkPartialsSize(dirs); err != nil {
		return nil, err
	}
	var parts []*shardPart
	var errs []error
	for _, dir := range dirs {
		p, err := readPartial(dir, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parts = append(parts, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	first := parts[0]
	fd := &first.doc
	byShard := map[int]*shardPart{}
	for _, p := range parts {
		d := &p.doc
		switch {
		case d.Build != fd.Build:
			errs = append(errs, fmt.Errorf("%s was written by idcsim %s, %s by idcsim %s: results may differ between builds; run every shard with one build",
				p.dir, d.Build, first.dir, fd.Build))
		case d.Kind != fd.Kind:
			errs = append(errs, fmt.Errorf("%s is a shard of a %s, %s of a %s", p.dir, d.Kind, first.dir, fd.Kind))
		case d.Scenario.SHA256 != fd.Scenario.SHA256:
			errs = append(errs, fmt.Errorf("%s ran another scenario than %s: %s (sha256 %.12s) and %s (sha256 %.12s)",
				p.dir, first.dir, d.Scenario.Path, d.Scenario.SHA256, fd.Scenario.Path, fd.Scenario.SHA256))
		case d.Scenario.Path != fd.Scenario.Path:
			errs = append(errs, fmt.Errorf("%s ran the scenario as %s, %s as %s: its messages would differ; run every shard with the same scenario argument",
				p.dir, d.Scenario.Path, first.dir, fd.Scenario.Path))
		case !d.Overrides.equal(fd.Overrides):
			errs = append(errs, fmt.Errorf("%s ran with overrides %s, %s with %s", p.dir, d.Overrides, first.dir, fd.Overrides))
		case d.Shard.N != fd.Shard.N:
			errs = append(errs, fmt.Errorf("%s is shard %d/%d, %s shard %d/%d: the shards of one run share N",
				p.dir, d.Shard.I, d.Shard.N, first.dir, fd.Shard.I, fd.Shard.N))
		case byShard[d.Shard.I] != nil:
			errs = append(errs, fmt.Errorf("shard %d/%d appears twice: %s and %s", d.Shard.I, d.Shard.N, byShard[d.Shard.I].dir, p.dir))
		default:
			byShard[d.Shard.I] = p
		}
	}
	if own := buildinfo.Read(); len(errs) == 0 && fd.Build != own {
		errs = append(errs, fmt.Errorf("%s was written by idcsim %s, but this is idcsim %s: results may differ between builds; merge with the build that ran the shards",
			first.dir, fd.Build, own))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var missing []string
	for i := range fd.Shard.N {
		if byShard[i] == nil {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("shards %s of %d are missing (have %d of them); merge needs every shard of the run", abbreviate(missing), fd.Shard.N, len(byShard))
	}
	out := make([]*shardPart, fd.Shard.N)
	for i, p := range byShard {
		out[i] = p
	}
	return out, nil
}

// readPartial reads one partial report directory: its partial.json, strictly, checked against its
// digests, and the scenario's source text, checked against its digest in partial.json.
// checkPartialsSize refuses, before reading any, more partial reports than a run may have shards,
// or partial.json files larger together than maxPartialBytes: merge holds them all in memory, and
// the whole run or sweep could not be larger than one partial report may be.
func checkPartialsSize(dirs []string) error {
	if len(dirs) > maxShards {
		return fmt.Errorf("%d partial reports, more than the %d shards a run may have", len(dirs), maxShards)
	}
	var total int64
	for _, dir := range dirs {
		if fi, err := os.Stat(filepath.Join(dir, partialName)); err == nil {
			total += fi.Size()
		}
	}
	if total > maxPartialBytes {
		return fmt.Errorf("the %d partial reports hold %d bytes of %s together, more than the %d GiB merge reads", len(dirs), total, partialName, maxPartialBytes>>30)
	}
	return nil
}

func readPartial(dir string, key []byte) (*shardPart, error) {
	file := filepath.Join(dir, partialName)
	data, err := readFileMax(file, maxPartialBytes)
	if err != nil {
		return nil, err
	}
	f, err := parsePartial(file, data)
	if err != nil {
		return nil, err
	}
	if err := f.verify(file, key); err != nil {
		return nil, err
	}
	p := &shardPart{dir: dir, doc: f.partialDoc}
	if p.src, err = readFileMax(filepath.Join(dir, partialSource), maxSourceBytes); err != nil {
		return nil, fmt.Errorf("%s: the scenario's source text: %v", dir, err)
	}
	sum := sha256.Sum256(p.src)
	if hex.EncodeToString(sum[:]) != f.Scenario.SHA256 {
		return nil, fmt.Errorf("%s: %s does not match the digest in %s ($.scenario.sha256): the partial report was changed", dir, partialSource, partialName)
	}
	return p, nil
}

// readFileMax reads a file of at most max bytes.
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooLarge := fmt.Errorf("%s is larger than %d bytes, the most idcsim reads", path, max)
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, tooLarge
	}
	return data, nil
}

// parsePartial decodes partial.json strictly and checks what needs no scenario: its version,
// kind, shard, replications and overrides.
func parsePartial(file string, data []byte) (*partialFile, error) {
	var f partialFile
	if err := strictjson.Unmarshal(data, &f); err != nil {
		// a partial report of another version says so rather than how its format differs
		var v struct {
			SchemaVersion int `json:"schema_version"`
		}
		if json.Unmarshal(data, &v) == nil && v.SchemaVersion != partialVersion {
			return nil, versionError(file, v.SchemaVersion)
		}
		var list strictjson.ErrorList
		if !errors.As(err, &list) {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		errs := make([]error, len(list))
		for i, e := range list {
			errs[i] = fmt.Errorf("%s: %v", file, e)
		}
		return nil, errors.Join(errs...)
	}
	if f.SchemaVersion != partialVersion {
		return nil, versionError(file, f.SchemaVersion)
	}
	var p problems
	switch f.Kind {
	case "run":
		if f.Results == nil {
			p.add(file, "$.results", "missing: a shard of a run holds its results")
		}
		if f.Candidates != nil {
			p.add(file, "$.candidates", "a shard of a run holds no candidates")
		}
	case "sweep":
		if f.Results != nil {
			p.add(file, "$.results", "a shard of a sweep holds its results under candidates")
		}
	default:
		p.add(file, "$.kind", "%q, want run or sweep", f.Kind)
	}
	if f.Shard.N < 1 || f.Shard.N > maxShards {
		p.add(file, "$.shard.n", "%d shards, want 1 to %d", f.Shard.N, maxShards)
	} else if f.Shard.I < 0 || f.Shard.I >= f.Shard.N {
		p.add(file, "$.shard.i", "shard %d of %d, want 0 to %d", f.Shard.I, f.Shard.N, f.Shard.N-1)
	}
	if f.Replications < 1 || f.Replications > maxReplications {
		p.add(file, "$.replications", "%d, want 1 to %d", f.Replications, maxReplications)
	}
	if r := f.Overrides.Replications; r != nil && (*r < 1 || *r > maxReplications) {
		p.add(file, "$.overrides.replications", "%d, want 1 to %d", *r, maxReplications)
	}
	return &f, p.err()
}

func versionError(file string, version int) error {
	return fmt.Errorf("%s: $.schema_version: %d, but this idcsim reads partial reports of version %d: run the shards with this idcsim", file, version, partialVersion)
}

// verify checks the partial report's digests against its content; with a key, its HMAC must
// verify, and without one it must carry none. The key is never shown.
func (f *partialFile) verify(file string, key []byte) error {
	content, err := f.content()
	if err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	sum := sha256.Sum256(content)
	if f.ContentSHA256 != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("%s: $.content_sha256 does not match the content: the partial report was changed after it was written", file)
	}
	switch {
	case key == nil && f.ContentHMAC != "":
		return fmt.Errorf("%s: $.content_hmac_sha256: the shard was written with a key, which merge cannot check without it: set %s to the shards' key", file, envShardKey)
	case key != nil && f.ContentHMAC == "":
		return fmt.Errorf("%s: $.content_hmac_sha256: missing, but %s is set: the shard was written without the key; run it with %s set, as merge is", file, envShardKey, envShardKey)
	case key != nil:
		mac, err := hex.DecodeString(f.ContentHMAC)
		if err != nil || !hmac.Equal(mac, contentHMAC(key, content)) {
			return fmt.Errorf("%s: $.content_hmac_sha256 does not verify with the key of %s: the shard was written with another key, or changed after it was written", file, envShardKey)
		}
	}
	return nil
}
