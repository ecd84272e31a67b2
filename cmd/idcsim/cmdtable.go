package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/sim"
)

var tableCommand = &command{
	name:  "table",
	args:  "[flags]",
	short: "reproduce the published timing tables and check them",
	long: `Table reproduces the timing tables T1 (user management) and T2 (group membership and
assignments), or T0 in profile 2022-10, from the simulated mechanisms, over many randomised
timelines per row, each on a browser and a CLI, and prints each observed worst case beside its
bound: the published table of the profile, or a table file given with --check. A duration cell
holds when the worst case is within the bound and within 1% of it; a bound of 0s (immediately)
only when the worst case is exactly 0. It exits 1 when a cell only when the worst case is exactly 0. It exits 1 when a cell is off. The cells are checked
under the table's reading: the switches it names (the published tables name the reading they
hold under), else the defaults. Beside each cell it gives the worst case under the default
switches (DEFAULTS), and where the two differ the documented conflict that explains it
(CONFLICT: the rule), with the source on each side below the table; the exit status follows
the table's reading only.

A table file (YAML or JSON) states bounds per row and cell:

  profile: current
  permission_set_duration: 12h
  switches: {disable_ends_portal_sessions: true, cli_token_survives_session_end: false}
  rows:
    disable_user: {idc_access: 0s, app_new: 0s, app_existing: 30m, role_existing: 12h}
    end_sessions: {idc_access: must sign in again, app_new: 0s, app_existing: 30m}

Rows: ` + strings.Join(sim.TableRows, ", ") + `.
Cells: ` + strings.Join(sim.TableCells, ", ") + ` (signing in; new and existing
application sessions; obtaining new role credentials, console or CLI; role sessions).
A cell is a duration, immediately, keeps access, must sign in again, permission_set_duration, or
permission_set_duration + a duration. A table may list only some rows, and a row only some cells.`,
	run:      runTable,
	setFlags: tableFlags.register,
}

// tableFlags are the flags of the command, as its last parse left them.
var tableFlags tableOptions

// maxTrials is the most trials per row --trials may ask for: ten times the engine's default,
// about three minutes of one core.
const maxTrials = 1_000_000

type tableOptions struct {
	profile, check, psd, format, junit string
	trials                             int
	seed                               uint64
}

func (o *tableOptions) register(fs *flagSet) {
	fs.StringVar(&o.profile, "profile", "", "timing `profile` (default: the table file's, else current)")
	fs.StringVar(&o.check, "check", "", "table `file` to check against instead of the published table")
	fs.StringVar(&o.psd, "permission-set-duration", "", "role session `duration` of the experiments (default: the table's, 12h)")
	fs.IntVar(&o.trials, "trials", 0, fmt.Sprintf("randomised timelines per row, 1 to %d (default %d; fewer may not come within 1%% of a bound)", maxTrials, sim.DefaultTrials))
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	fs.StringVar(&o.format, "format", "text", "what to print: text, json or markdown")
	fs.StringVar(&o.junit, "junit", "", "also write the verdicts as JUnit XML to `file`")
}

func runTable(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	o, fs := &tableFlags, &c.Flag
	if len(args) > 0 {
		return c.usageError(stderr, "unexpected arguments: %s", strings.Join(args, " "))
	}
	if err := oneOf("format", o.format, "text", "json", "markdown"); err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if fs.isSet("trials") && (o.trials < 1 || o.trials > maxTrials) {
		return c.usageError(stderr, "--trials %d: want 1 to %d", o.trials, maxTrials)
	}

	want, profile, status, ok := c.wantedTable(o, stderr)
	if !ok {
		return status
	}
	opts := sim.TableOptions{
		Profile:               profile,
		Switches:              want.Switches,
		PermissionSetDuration: want.PermissionSetDuration,
		Trials:                o.trials,
		Seed:                  o.seed,
	}
	rows, err := sim.ReproduceTable(opts)
	if err != nil {
		return c.fail(stderr, err)
	}
	r := report.CheckTable(rows, *want)
	// beside the table's reading, the defaults (RULES.md, the table's reading and the defaults)
	defaultRows := rows
	if opts.Switches != sim.DefaultSwitches() {
		opts.Switches = sim.DefaultSwitches()
		if defaultRows, err = sim.ReproduceTable(opts); err != nil {
			return c.fail(stderr, err)
		}
	}
	r.CompareDefaults(defaultRows, sim.DefaultSwitches())

	var out bytes.Buffer
	switch o.format {
	case "json":
		err = report.WriteTableJSON(&out, r)
	case "markdown":
		err = report.WriteTableMarkdown(&out, r)
	default:
		err = report.WriteTableText(&out, r)
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	if o.junit != "" {
		var x bytes.Buffer
		if err := report.WriteTableJUnit(&x, r, c.junitRun()); err != nil {
			return c.fail(stderr, err)
		}
		warnings, err := report.WriteFile(o.junit, x.Bytes(), report.CheckJUnit)
		warn(stderr, warnings)
		if err != nil {
			return c.failWrite(stderr, "writing the JUnit file", err)
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return c.fail(stderr, err)
	}
	if !r.Pass {
		return exitFail
	}
	return exitOK
}

// wantedTable returns the table to check against, the --check file or the published table of the
// profile, with the profile and permission-set duration the flags give; when it cannot, it has
// reported why and returns the exit status.
func (c *command) wantedTable(o *tableOptions, stderr io.Writer) (*sim.Table, sim.Profile, int, bool) {
	var want *sim.Table
	if o.check != "" {
		var err error
		if want, err = scenarios.LoadTable(o.check); err != nil {
			return nil, sim.Profile{}, c.fail(stderr, err), false
		}
	}
	name := o.profile
	switch {
	case name == "" && want != nil:
		name = want.Profile
	case name == "":
		name = "current"
	}
	profile, ok := sim.LookupProfile(name)
	if !ok {
		return nil, profile, c.usageError(stderr, "--profile %q: want one of %s", name, strings.Join(sim.ProfileNames(), ", ")), false
	}
	if want == nil {
		if want, ok = scenarios.BuiltinTable(name); !ok {
			return nil, profile, c.usageError(stderr, "no published table for profile %s (there are tables for %s); give one with --check FILE",
				name, strings.Join(scenarios.BuiltinTables(), ", ")), false
		}
	}
	want.Profile = name
	if o.psd != "" {
		d, err := sim.ParseDuration(o.psd)
		if err != nil {
			return nil, profile, c.usageError(stderr, "--permission-set-duration: %v", err), false
		}
		want.PermissionSetDuration = d
	}
	if d := want.PermissionSetDuration; d < profile.PermissionSetMin || d > profile.PermissionSetMax {
		f := sim.HumanDuration
		return nil, profile, c.usageError(stderr, "permission-set duration %s is outside %s..%s", f(d), f(profile.PermissionSetMin), f(profile.PermissionSetMax)), false
	}
	return want, profile, 0, true
}
