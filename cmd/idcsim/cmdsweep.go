package main

import (
	"fmt"
	"io"
	"strings"

	"idcsim/report"
	"idcsim/shard"
	"idcsim/sim"
)

var sweepCommand = &command{
	name:  "sweep",
	args:  "SCENARIO [flags]",
	short: "compare candidate session durations (the scenario's sweep: block)",
	long: `Sweep runs every candidate of the scenario's sweep: block (the grid of the candidate values,
or the listed candidates), each with the same seeds, and compares them on exposure (the sweep's
objective, by default the p95 of the any channel) against friction (interactive sign-in prompts,
CLI logins and Kiro logins per user-week; silent IdP re-authentication is not friction). The
candidates that no other beats on both are on the Pareto front; those recommended meet every
control of the policy, and no other candidate that does beats them on both.

It prints a table of candidates and the recommendation, and writes the report directory:
sweep.json (every candidate's settings, exposure statistics per channel, friction, control
verdicts, pareto and recommended), sweep.csv (one row per candidate), report.html, report.md,
and the plots frontier (exposure against friction, the front drawn as a line) and heatmap (the
objective over the first two swept settings) as SVG and PNG. It exits 0 when at least one
candidate meets every control, 1 when none does, 2 on bad input.

With --shard it runs only a share of the candidates and writes a partial report; idcsim merge
combines the shards' directories into the report of the whole sweep.`,
	run:      runSweep,
	setFlags: sweepFlags.register,
}

// sweepFlags are the flags of the command, as its last parse left them.
var sweepFlags runOptions

func runSweep(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	switch len(args) {
	case 1:
	case 0:
		return c.usageError(stderr, "no scenario given")
	default:
		return c.usageError(stderr, "one scenario at a time, got %d: %s", len(args), strings.Join(args, " "))
	}
	path := args[0]
	o := &sweepFlags
	st, status, ok := c.prepare(o, path, stderr)
	if !ok {
		return status
	}
	sc, opts, bar := st.sc, st.opts, st.bar
	if sc.Sweep == nil {
		return c.fail(stderr, fmt.Errorf("%s has no sweep: block: list candidate values under sweep: to compare them (idcsim help sweep, idcsim schema)", path))
	}
	cands := sc.Sweep.List()
	if status, ok := c.checkWork(o, sim.Estimate(sc, cands, opts), stderr); !ok {
		return status
	}

	ctx, stop := interruptible()
	defer stop()
	results, err := sim.RunSweep(ctx, sc, cands, opts)
	bar.done()
	if err != nil {
		return c.fail(stderr, err)
	}
	if st.sharded {
		return c.writePartial(shard.NewSweep(path, st.src, sc, st.ov, st.shard, cands, results), st.out, stdout, stderr)
	}
	ss, err := report.SummarizeSweep(sc, results)
	if err != nil {
		return c.fail(stderr, err)
	}
	return c.emitSweep(&o.outputOptions, path, ss, stdout, stderr)
}
