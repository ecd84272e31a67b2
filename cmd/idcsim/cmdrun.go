package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/shard"
	"idcsim/sim"
)

var runCommand = &command{
	name:  "run",
	args:  "[SCENARIO] [flags]",
	short: "run a scenario and write its report",
	long: `Run runs a scenario (a file, or example:NAME for a built-in one; with no argument the
built-in default scenario), prints a summary of the exposure after each offboarding and the
verdicts of the scenario's policy, and writes the report directory: report.html (one
self-contained page), report.md, results.json, exposures.csv (one row per offboarding and
channel) and the plots exposure-ecdf, timeline and histogram as SVG and PNG. The report
directory is replaced whole or not at all. It exits 1 when a policy control fails, 0 when all
hold.`,
	run: runRun,
	setFlags: func(fs *flagSet) {
		runFlags.register(fs)
		o := &runFlags
		fs.IntVar(&o.replay, "replay", 0, "run only replication `K` (from 0), drawn as in the whole run, and report it alone: the worst case names its replication")
		fs.StringVar(&o.trail, "trail", "", "also write replication 0's activity as CloudTrail records in S3's layout to the new directory `DIR`, for idcsim trail")
	},
}

// runFlags are the flags of the command, as its last parse left them.
var runFlags runOptions

type runOptions struct {
	outputOptions
	profile, progress, shard      string
	trail                         string // run --trail: where to write replication 0's activity
	seed                          uint64
	replications, workers, replay int
	force                         bool
}

// maxWorkers is the most replications run at once that --workers may ask for.
const maxWorkers = 256

func (o *runOptions) register(fs *flagSet) {
	o.outputOptions.register(fs)
	fs.Uint64Var(&o.seed, "seed", 0, "random seed (default: the scenario's)")
	fs.IntVar(&o.replications, "replications", 0, fmt.Sprintf("number of replications, 1 to %d (default: the scenario's)", scenarios.MaxReplications))
	fs.StringVar(&o.profile, "profile", "", "timing `profile` instead of the scenario's: "+strings.Join(sim.ProfileNames(), ", "))
	fs.IntVar(&o.workers, "workers", 0, fmt.Sprintf("replications run at once (fewer replications are split by people over the workers), 0 (one per core) to %d", maxWorkers))
	fs.StringVar(&o.progress, "progress", "auto", "progress line on stderr for runs over a second: auto (on a terminal), always or never")
	fs.BoolVar(&o.force, "force", false, fmt.Sprintf("run even when the estimated work is over the budget: %.0e events, or %.0f%% of the machine's memory", budgetEvents, 100*memoryShare))
	fs.StringVar(&o.shard, "shard", "", "run only shard `I/N` (0 <= I < N) of the replications (of the people, for one replication) and write a partial report for idcsim merge; N alone takes I from "+envK8sIndex+", "+envBatchIndex+" or "+envSlurmID+" less "+envSlurmMin+"; auto takes N from "+envBatchSize+" or "+envSlurmCount+" too (default: $"+envShards+")")
}

func runRun(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	path := "example:default"
	switch len(args) {
	case 0:
	case 1:
		path = args[0]
	default:
		return c.usageError(stderr, "one scenario at a time, got %d: %s", len(args), strings.Join(args, " "))
	}
	o, fs := &runFlags, &c.Flag
	st, status, ok := c.prepare(o, path, stderr)
	if !ok {
		return status
	}
	sc, opts, bar := st.sc, st.opts, st.bar
	if st.sharded && sc.Replications == 1 {
		// a run of one replication is shared out by people
		st.shard.People = true
		opts.Shard = st.shard
	}

	ctx, stop := interruptible()
	defer stop()
	replay := fs.isSet("replay")
	if replay {
		if st.sharded || o.replay < 0 || o.replay >= sc.Replications {
			return c.usageError(stderr, "--replay %d: want a replication from 0 to %d, without --shard", o.replay, sc.Replications-1)
		}
		opts.Shard = sim.Shard{I: o.replay, N: sc.Replications}
	}
	var audit []sim.Audit
	if fs.isSet("trail") {
		if status, ok := c.checkTrailOut(o.trail, st.sharded || replay, stderr); !ok {
			return status
		}
		opts.Audit = func(a sim.Audit) { audit = append(audit, a) }
	}
	if status, ok := c.checkWork(o, sim.Estimate(sc, nil, opts), stderr); !ok {
		return status
	}
	res, err := sim.Run(ctx, sc, opts)
	bar.done()
	if err != nil {
		return c.fail(stderr, err)
	}
	if fs.isSet("trail") {
		if err := writeTrailOut(o.trail, sc, audit); err != nil {
			return c.failWrite(stderr, "--trail "+o.trail, err)
		}
		fmt.Fprintf(stdout, "CloudTrail records of replication 0 (%d audited actions) written to %s\n", len(audit), o.trail)
	}
	if replay {
		one := *sc // the report covers the one replication run
		one.Replications = 1
		res.Scenario = &one
	}
	if st.sharded {
		return c.writePartial(shard.NewRun(path, st.src, sc, st.ov, st.shard, res), st.out, stdout, stderr)
	}
	return c.emitRun(&o.outputOptions, path, report.Summarize(res), stdout, stderr)
}

// setup is what run and sweep prepare alike: the scenario with the flags' overrides applied, the
// shard, and the engine's options.
type setup struct {
	sc      *sim.Scenario
	src     []byte
	ov      shard.Overrides
	shard   sim.Shard
	sharded bool
	out     string // the report directory, or the shard's partial report directory
	opts    sim.Options
	bar     *progressLine
}

// prepare checks the flags, finds the shard and loads the scenario with its overrides; when it
// cannot, it has reported why and returns the exit status.
func (c *command) prepare(o *runOptions, path string, stderr io.Writer) (*setup, int, bool) {
	fs := &c.Flag
	if err := o.check(fs); err != nil {
		return nil, c.usageError(stderr, "%v", err), false
	}
	st := &setup{}
	var err error
	if st.shard, st.sharded, err = shardFrom(o.shard, os.Getenv); err != nil {
		return nil, c.usageError(stderr, "%v", err), false
	}
	if st.sc, st.src, err = loadScenario(path); err != nil {
		return nil, c.fail(stderr, err), false
	}
	st.ov = o.overrides(fs)
	if err := applyOverrides(st.sc, st.ov); err != nil {
		return nil, c.fail(stderr, err), false
	}
	if st.sharded {
		st.out = shardOut(fs, o.out, st.shard)
	} else {
		st.out = o.out
	}
	// Fail before the work, not after it, when the report could not be written.
	junit := o.junit
	if st.sharded {
		junit = "" // a shard writes no JUnit file
	}
	if status, ok := c.checkOutputs(st.out, junit, stderr); !ok {
		return nil, status, false
	}
	st.opts, st.bar = o.simOptions(stderr)
	if st.sharded {
		st.opts.Shard = st.shard
	}
	return st, 0, true
}

func (o *runOptions) check(fs *flagSet) error {
	if err := o.outputOptions.check(fs); err != nil {
		return err
	}
	if err := oneOf("progress", o.progress, "auto", "always", "never"); err != nil {
		return err
	}
	if fs.isSet("replications") && (o.replications < 1 || o.replications > scenarios.MaxReplications) {
		return fmt.Errorf("--replications %d: want 1 to %d", o.replications, scenarios.MaxReplications)
	}
	if o.workers < 0 || o.workers > maxWorkers {
		return fmt.Errorf("--workers %d: want 0 (one per core) to %d", o.workers, maxWorkers)
	}
	if _, ok := sim.LookupProfile(o.profile); o.profile != "" && !ok {
		return fmt.Errorf("--profile %q: want one of %s", o.profile, strings.Join(sim.ProfileNames(), ", "))
	}
	return nil
}

// Budget of the work a run or sweep may take unless --force is given, as sim.Estimate
// estimates it.
const (
	// budgetEvents is about 45 minutes of one core, at the 0.7 million events a second of
	// example:org-100k.
	budgetEvents = 2e9
	// memoryShare is the share of the machine's memory the estimated peak may take.
	memoryShare = 0.75
	// assumedMemory is the machine's memory where /proc/meminfo does not say it.
	assumedMemory = 4 << 30
)

// machineMemory returns the memory the process may use, in bytes (memoryOf of the files of this
// machine). Tests replace it.
var machineMemory = func() float64 { return memoryOf(os.ReadFile) }

// memoryOf returns the memory a process may use: MemTotal of /proc/meminfo, or less where a
// control group (a container's memory limit: cgroup v2's memory.max, v1's
// memory.limit_in_bytes) holds it to less; assumedMemory where none can be read.
func memoryOf(readFile func(string) ([]byte, error)) float64 {
	mem := 0.0
	if data, err := readFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64); err == nil && kb > 0 {
					mem = kb * 1024
				}
			}
		}
	}
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := readFile(path)
		if err != nil {
			continue
		}
		// "max" (v2), or a number near 2^63 (v1), says there is no limit
		if limit, err := strconv.ParseFloat(strings.TrimSpace(string(data)), 64); err == nil && limit > 0 && limit < 1<<60 && (mem == 0 || limit < mem) {
			mem = limit
		}
	}
	if mem == 0 {
		return assumedMemory
	}
	return mem
}

// overBudget says how the estimated work w goes over the budget, given the machine's memory in
// bytes, or returns "" when it is within.
func overBudget(w sim.Work, memory float64) string {
	var over []string
	if w.Events > budgetEvents {
		over = append(over, fmt.Sprintf("%.2g events, over the budget of %.0e", w.Events, budgetEvents))
	}
	if limit := memoryShare * memory; w.PeakBytes > limit {
		over = append(over, fmt.Sprintf("%s of memory at its peak, over the budget of %s (%.0f%% of the machine's %s)",
			gigabytes(w.PeakBytes), gigabytes(limit), 100*memoryShare, gigabytes(memory)))
	}
	return strings.Join(over, ", and ")
}

func gigabytes(b float64) string { return fmt.Sprintf("%.1f GB", b/1e9) }

// checkWork refuses, unless --force is given, work whose estimate is over the budget: it
// reports why and returns exitUsage.
func (c *command) checkWork(o *runOptions, w sim.Work, stderr io.Writer) (int, bool) {
	over := overBudget(w, machineMemory())
	if over == "" || o.force {
		limitMemory(w)
		return 0, true
	}
	fmt.Fprintf(stderr, "idcsim %s: the %s would take an estimated %s; take fewer people, days, replications or candidates, split it with --shard, or give --force to run it anyway\n",
		c.name, c.name, over)
	return exitUsage, false
}

// memoryLimitFloor is the least estimated peak for which the command sets a memory limit
// (limitMemory): below it, what the collector lets build up costs little.
const memoryLimitFloor = 256 << 20

// setMemoryLimit sets the Go runtime's soft memory limit. Tests replace it.
var setMemoryLimit = debug.SetMemoryLimit

// limitMemory sets the Go runtime's soft memory limit to the work's estimated peak, unless
// GOMEMLIMIT is set or the estimate is under memoryLimitFloor. By default the collector lets the
// heap grow to twice what was live at its last collection before it collects again (GOGC=100),
// so a run whose state is most of the heap would take up to twice the memory it needs; with the
// limit it collects more often near it instead. The limit is soft: a run that needs more than
// its estimate still gets it.
func limitMemory(w sim.Work) {
	if os.Getenv("GOMEMLIMIT") != "" || w.PeakBytes < memoryLimitFloor {
		return
	}
	setMemoryLimit(int64(w.PeakBytes))
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine shows the replications done on one line of stderr that rewrites itself, once the
// run has taken longer than its delay, and at most ten times a second.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
	delay   time.Duration
	last    time.Time // when the line was last written
	now     func() time.Time
	written bool
	count   int
	total   int
}

func newProgressLine(w io.Writer, delay time.Duration) *progressLine {
	now := time.Now
	return &progressLine{w: w, start: now(), delay: delay, now: now}
}

func (p *progressLine) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count, p.total = done, total
	t := p.now()
	if t.Sub(p.start) < p.delay || p.written && t.Sub(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.write(t)
}

// write writes the line; count and total are in thousandths of a replication (sim.Options.Progress).
func (p *progressLine) write(t time.Time) {
	done := strconv.Itoa(p.count / 1000)
	if p.count%1000 >= 100 {
		done += "." + strconv.Itoa(p.count%1000/100)
	}
	fmt.Fprintf(p.w, "\r  %s/%d replications  %.1fs", done, p.total/1000, t.Sub(p.start).Seconds())
	p.written, p.last = true, t
}

// done ends the progress line, if one was written, with the final count; p may be nil.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.written {
		p.write(p.now())
		fmt.Fprintln(p.w)
	}
}
