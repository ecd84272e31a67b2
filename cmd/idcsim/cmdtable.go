package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
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
assignments) from the simulated mechanisms, over many randomised timelines per row, and prints
each observed worst case beside its bound: the published table of the profile, or a table file
given with --check. A duration cell holds when the worst case is within the bound and within 1%
of it; a bound of 0s (immediately) only when the worst case is exactly 0. It exits 1 when a cell
is off.

A table file (YAML or JSON) states bounds per row and cell:

  profile: current
  permission_set_duration: 12h
  rows:
    disable_user: {idc_access: 0s, app_new: 0s, app_existing: 30m, role_existing: 12h}
    end_sessions: {idc_access: must sign in again, app_new: 0s, app_existing: 30m}

Rows: ` + strings.Join(sim.TableRows, ", ") + `.
Cells: ` + strings.Join(sim.TableCells, ", ") + `.
A cell is a duration, immediately, keeps access, must sign in again, or permission_set_duration.`,
	run:   runTable,
	flags: func(fs *flagSet) { new(tableOptions).register(fs) },
}

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
	fs.IntVar(&o.trials, "trials", 0, fmt.Sprintf("randomised timelines per row, 1 to %d (default: the engine's, 100000)", maxTrials))
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	fs.StringVar(&o.format, "format", "text", "what to print: text or json")
	fs.StringVar(&o.junit, "junit", "", "also write the verdicts as JUnit XML to `file`")
}

// readYAML reads a YAML file no larger than a scenario may be, nor making more YAML nodes.
func readYAML(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, scenarios.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if err := scenarios.CheckSize(path, data); err != nil {
		return nil, err
	}
	return data, nil
}

func runTable(c *command, args []string, stdout, stderr io.Writer) int {
	var o tableOptions
	fs := newFlagSet(c.name)
	o.register(fs)
	args, status, ok := c.parseFlags(fs, args, stdout, stderr)
	if !ok {
		return status
	}
	if len(args) > 0 {
		return c.usageError(stderr, "unexpected arguments: %s", strings.Join(args, " "))
	}
	if err := oneOf("format", o.format, "text", "json"); err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if fs.isSet("trials") && (o.trials < 1 || o.trials > maxTrials) {
		return c.usageError(stderr, "--trials %d: want 1 to %d", o.trials, maxTrials)
	}

	var want *report.Table
	if o.check != "" {
		data, err := readYAML(o.check)
		if err != nil {
			return c.fail(stderr, err)
		}
		if want, err = report.ParseTable(o.check, data, sim.ParseDuration); err != nil {
			return c.fail(stderr, err)
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
		return c.usageError(stderr, "--profile %q: want one of %s", name, strings.Join(sim.ProfileNames(), ", "))
	}
	if want == nil {
		if want, ok = report.BuiltinTable(name); !ok {
			return c.usageError(stderr, "no published table for profile %s (there are tables for %s); give one with --check FILE",
				name, strings.Join(report.BuiltinTables(), ", "))
		}
	}
	want.Profile = name
	if o.psd != "" {
		d, err := sim.ParseDuration(o.psd)
		if err != nil {
			return c.usageError(stderr, "--permission-set-duration: %v", err)
		}
		want.PermissionSetDuration = d
	}
	if d := want.PermissionSetDuration; d < profile.PermissionSetMin || d > profile.PermissionSetMax {
		f := sim.HumanDuration
		return c.usageError(stderr, "permission-set duration %s is outside %s..%s", f(d), f(profile.PermissionSetMin), f(profile.PermissionSetMax))
	}

	rows, err := sim.ReproduceTable(sim.TableOptions{
		Profile:               profile,
		Switches:              sim.DefaultSwitches(),
		PermissionSetDuration: want.PermissionSetDuration,
		Trials:                o.trials,
		Seed:                  o.seed,
	})
	if err != nil {
		return c.fail(stderr, err)
	}
	r := report.CheckTable(rows, *want)

	var out bytes.Buffer
	if o.format == "json" {
		err = report.WriteTableJSON(&out, r)
	} else {
		err = report.WriteTableText(&out, r)
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	if o.junit != "" {
		var x bytes.Buffer
		if err := report.WriteTableJUnit(&x, r); err != nil {
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
