package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"

	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/sim"
)

var runCommand = &command{
	name:  "run",
	args:  "[SCENARIO] [flags]",
	short: "run a scenario and write its report",
	long: `Run runs a scenario (a file, or example:NAME for a built-in one; with no argument the
built-in default scenario), prints a summary of the exposure after each offboarding and the
verdicts of the scenario's policy, and writes the report directory (results.json).
The report directory is replaced whole or not at all. It exits 1 when a policy control fails.`,
	run:   runRun,
	flags: func(fs *flagSet) { new(runOptions).register(fs) },
}

type runOptions struct {
	format, out, profile, progress string
	seed                           uint64
	replications, workers          int
}

func (o *runOptions) register(fs *flagSet) {
	fs.StringVar(&o.format, "format", "text", "what to print: text, json or markdown")
	fs.StringVar(&o.out, "out", "idcsim-report", "report `directory`")
	fs.Uint64Var(&o.seed, "seed", 0, "random seed (default: the scenario's)")
	fs.IntVar(&o.replications, "replications", 0, "number of replications (default: the scenario's)")
	fs.StringVar(&o.profile, "profile", "", "timing `profile` instead of the scenario's: "+strings.Join(sim.ProfileNames(), ", "))
	fs.IntVar(&o.workers, "workers", 0, "replications run at once (default: all cores)")
	fs.StringVar(&o.progress, "progress", "auto", "progress line on stderr: auto (on a terminal), always or never")
}

func runRun(c *command, args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := newFlagSet(c.name)
	o.register(fs)
	args, status, ok := c.parseFlags(fs, args, stdout, stderr)
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
	if err := o.check(fs); err != nil {
		return c.usageError(stderr, "%v", err)
	}

	sc, err := scenarios.Load(path)
	if err != nil {
		return c.fail(stderr, err)
	}
	if fs.isSet("seed") {
		sc.Seed = o.seed
	}
	if fs.isSet("replications") {
		sc.Replications = o.replications
	}
	if o.profile != "" {
		if err := applyProfile(sc, o.profile); err != nil {
			return c.fail(stderr, err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := sim.Options{Workers: o.workers}
	var bar *progressLine
	if o.progress == "always" || o.progress == "auto" && isTerminal(stderr) {
		bar = &progressLine{w: stderr}
		opts.Progress = bar.update
	}
	res, err := sim.Run(ctx, sc, opts)
	bar.done()
	if err != nil {
		return c.fail(stderr, err)
	}

	s := report.Summarize(res)
	var results, out bytes.Buffer
	if err := report.WriteJSON(&results, s); err != nil {
		return c.fail(stderr, err)
	}
	switch o.format {
	case "json":
		out.Write(results.Bytes())
	case "markdown":
		err = report.WriteMarkdown(&out, s)
	default:
		err = report.WriteText(&out, s)
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	if err := report.WriteDir(o.out, map[string][]byte{"results.json": results.Bytes()}); err != nil {
		return c.fail(stderr, fmt.Errorf("writing the report: %v", err))
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return c.fail(stderr, err)
	}
	if !s.Pass {
		return exitFail
	}
	return exitOK
}

func (o *runOptions) check(fs *flagSet) error {
	if err := oneOf("format", o.format, "text", "json", "markdown"); err != nil {
		return err
	}
	if err := oneOf("progress", o.progress, "auto", "always", "never"); err != nil {
		return err
	}
	if o.out == "" {
		return fmt.Errorf("--out: want a directory")
	}
	if fs.isSet("replications") && o.replications < 1 {
		return fmt.Errorf("--replications %d: want at least 1", o.replications)
	}
	if o.workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (all cores) or more", o.workers)
	}
	if _, ok := sim.LookupProfile(o.profile); o.profile != "" && !ok {
		return fmt.Errorf("--profile %q: want one of %s", o.profile, strings.Join(sim.ProfileNames(), ", "))
	}
	return nil
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

// progressLine shows the replications done on one line that rewrites itself.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	written bool
}

func (p *progressLine) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\rreplications %d/%d", done, total)
	p.written = true
}

// done ends the progress line, if one was written; p may be nil.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.written {
		fmt.Fprintln(p.w)
	}
}
