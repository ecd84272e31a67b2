package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"idcsim/internal/buildinfo"
	"idcsim/scenarios"
	"idcsim/sim"
)

var validateCommand = &command{
	name:  "validate",
	args:  "SCENARIO...",
	short: "check scenarios without running them",
	long: `Validate checks each scenario (a file, example:NAME, or - for standard input) and prints
every problem found as FILE:LINE:COL: message on stderr, and what it noticed without refusing
the scenario as warnings. With --profile it checks them as run --profile would run them (the
profile's ranges, and what the profile turns off). It exits 2 when any scenario is invalid.`,
	run: runValidate,
	setFlags: func(fs *flagSet) {
		fs.StringVar(&validateProfile, "profile", "", "check under timing `profile` instead of the scenario's: "+strings.Join(sim.ProfileNames(), ", "))
	},
}

// validateProfile is validate's --profile, as its last parse left it.
var validateProfile string

func runValidate(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	if len(args) == 0 {
		return c.usageError(stderr, "no scenario given")
	}
	if _, ok := sim.LookupProfile(validateProfile); validateProfile != "" && !ok {
		return c.usageError(stderr, "--profile %q: want one of %s", validateProfile, strings.Join(sim.ProfileNames(), ", "))
	}
	status = exitOK
	for _, path := range args {
		sc, _, err := loadScenario(path)
		if err == nil && validateProfile != "" {
			err = sc.SetProfile(validateProfile)
		}
		if err != nil {
			err = c.located(displayName(path), err)
			fmt.Fprintln(stderr, err)
			status = max(status, exitStatus(err))
			continue
		}
		for _, w := range sc.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
		fmt.Fprintf(stdout, "%s: ok\n", path)
	}
	return status
}

var schemaCommand = &command{
	name:  "schema",
	short: "print the JSON Schema of the scenario format",
	long:  `Schema prints the JSON Schema (draft-07) of the scenario format, for editors.`,
	run:   noArgs(func(stdout io.Writer) error { _, err := stdout.Write(scenarios.Schema()); return err }),
}

var examplesCommand = &command{
	name:  "examples",
	short: "list the built-in example scenarios",
	long:  `Examples lists the built-in scenarios; run one with idcsim run example:NAME.`,
	run: noArgs(func(stdout io.Writer) error {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, e := range scenarios.Examples() {
			fmt.Fprintf(tw, "%s\t%s\n", e.Name, strings.TrimSpace(e.Description))
		}
		return tw.Flush()
	}),
}

var versionCommand = &command{
	name:  "version",
	short: "print the version, the module's revision and the Go toolchain",
	long: `Version prints idcsim's module version, the VCS revision it was built from ("+dirty" when
the work tree had changes; none for go run and go test) and the Go toolchain that built it. Shards
record the same, and idcsim merge refuses shards of another build.`,
	run: noArgs(func(stdout io.Writer) error {
		_, err := fmt.Fprintf(stdout, "idcsim %s\n", buildinfo.Read())
		return err
	}),
}

// noArgs makes a command that takes no arguments and writes to stdout.
func noArgs(f func(stdout io.Writer) error) func(*command, []string, io.Writer, io.Writer) int {
	return func(c *command, args []string, stdout, stderr io.Writer) int {
		args, status, ok := c.parseFlags(args, stdout, stderr)
		if !ok {
			return status
		}
		if len(args) > 0 {
			return c.usageError(stderr, "unexpected arguments: %s", strings.Join(args, " "))
		}
		if err := f(stdout); err != nil {
			return c.fail(stderr, err)
		}
		return exitOK
	}
}
