// Command idcsim simulates the session rules of AWS IAM Identity Center and reports how long
// offboarded users keep each kind of access.
//
// Usage:
//
//	idcsim run [SCENARIO] [flags]      run a scenario (default: the built-in default example)
//	idcsim sweep SCENARIO [flags]      compare the candidate settings of the scenario's sweep: block
//	idcsim merge DIR... [flags]        combine the partial reports of a sharded run or sweep
//	idcsim table [flags]               reproduce the published timing tables and check them
//	idcsim import SOURCE PATH [flags]  write a scenario from the organisation's configuration
//	idcsim validate SCENARIO...        check scenarios without running them
//	idcsim schema                      print the JSON Schema of the scenario format
//	idcsim examples                    list the built-in example scenarios
//	idcsim version                     print the version, revision and Go toolchain
//	idcsim help [COMMAND]              show help
//
// Exit status: 0 ok, 1 a policy control failed (run, merge), no candidate meets every control
// (sweep) or a table cell is off (table), 2 bad input or usage (nothing is written), 3 an
// internal or environment failure: an interrupt, an I/O error (the previous report is kept).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"idcsim/scenarios"
	"idcsim/shard"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFail     = 1 // a policy control failed, a table cell is off
	exitUsage    = 2 // bad input or usage
	exitInternal = 3 // an internal or environment failure
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a subcommand of idcsim.
type command struct {
	name  string
	args  string // synopsis of the arguments
	short string
	long  string
	run   func(cmd *command, args []string, stdout, stderr io.Writer) int
	// setFlags registers the command's flags on Flag, once, when idcsim starts.
	setFlags func(*flagSet)
	// Flag holds the command's flags: its run parses them, its usage lists them.
	Flag flagSet
	// started is when the command began, for the JUnit files it writes.
	started time.Time
}

var commands []*command

func init() {
	commands = []*command{runCommand, sweepCommand, mergeCommand, tableCommand, importCommand, trailCommand, validateCommand, schemaCommand, examplesCommand, versionCommand}
	for _, c := range commands {
		c.Flag.init(c.name)
		if c.setFlags != nil {
			c.setFlags(&c.Flag)
		}
	}
}

func lookup(name string) *command {
	i := slices.IndexFunc(commands, func(c *command) bool { return c.name == name })
	if i < 0 {
		return nil
	}
	return commands[i]
}

// run runs idcsim with the given arguments (without the program name) and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch name := args[0]; name {
	case "-version", "--version":
		return versionCommand.run(versionCommand, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[1] == "help" {
			fmt.Fprintln(stdout, "Usage: idcsim help [COMMAND]\n\nHelp shows what idcsim does and its commands, or what a command does and its flags\n(as idcsim COMMAND --help does).")
			return exitOK
		}
		if len(args) > 1 {
			c := lookup(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "idcsim help: unknown command %q\n", args[1])
				return exitUsage
			}
			c.usage(stdout)
			return exitOK
		}
		usage(stdout)
		return exitOK
	default:
		c := lookup(name)
		if c == nil {
			fmt.Fprintf(stderr, "idcsim: unknown command %q\nRun 'idcsim help' for usage.\n", name)
			return exitUsage
		}
		c.started = time.Now()
		return c.run(c, args[1:], stdout, stderr)
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "idcsim simulates the session rules of AWS IAM Identity Center and reports how long")
	fmt.Fprintln(w, "offboarded users keep each kind of access.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  idcsim %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.short)
	}
	fmt.Fprintf(w, "  idcsim %-28s %s\n", "help [COMMAND]", "show help for a command")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 ok, 1 a policy control failed (no sweep candidate meets every control), a")
	fmt.Fprintln(w, "table cell is off, or a trail shows activity beyond the rules; 2 bad input or usage (nothing is")
	fmt.Fprintln(w, "written), 3 an interrupt or an I/O failure (the previous report is kept).")
}

func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: idcsim %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), c.long)
	if c.setFlags != nil {
		fmt.Fprintln(w, "\nFlags:")
		c.Flag.printDefaults(w)
	}
}

// usageError reports a usage error of the command and returns exitUsage.
func (c *command) usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "idcsim %s: %s\nRun 'idcsim help %s' for usage.\n", c.name, fmt.Sprintf(format, args...), c.name)
	return exitUsage
}

// fail reports an error of the command and returns its exit status (exitStatus).
func (c *command) fail(stderr io.Writer, err error) int {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "idcsim %s: interrupted; nothing was written\n", c.name)
		return exitInternal
	}
	fmt.Fprintf(stderr, "%v\n", c.located("", err))
	return exitStatus(err)
}

// located gives err the place it is about: a file that could not be opened or read is named
// after the command ("idcsim run: open x.yaml: no such file or directory"); a profile that a
// scenario does not fit names the scenario. Errors that carry their place (FILE:LINE:COL, a
// file and JSON path) are left as they are.
func (c *command) located(path string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("idcsim %s: %w", c.name, err)
	case path != "" && !hasPlace(err):
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

// Errors map to exit statuses by their type (exitStatus, and failWrite for the outputs):
//
//   - exitInternal, an internal or environment failure: an interrupt (context.Canceled); an
//     *fs.PathError of a file that exists but could not be read or written (an I/O error); any
//     failure while writing an output; an internalError (idcsim could not make its report).
//   - exitUsage, bad input: a scenarios.ErrorList or *scenarios.Error (scenario and table files,
//     each problem at FILE:LINE:COL); a *shard.Error (partial reports, each problem at its file
//     and JSON path); an *fs.PathError of a path that names no usable place (namesNoPlace);
//     report.ErrNotReplaceable (an output path holds what idcsim did not write); and the
//     command's own checks of its flags and arguments, whose errors carry no type.

// exitStatus is the exit status of a command that failed with err, as the list above says.
func exitStatus(err error) int {
	var pe *fs.PathError
	var ie *internalError
	switch {
	case errors.Is(err, context.Canceled), errors.As(err, &ie):
		return exitInternal
	case errors.As(err, &pe) && !namesNoPlace(pe):
		return exitInternal
	}
	return exitUsage
}

// namesNoPlace says whether the path of a failed file operation names no usable place: nothing
// is there, a directory is where a file is wanted, or the name is too long.
func namesNoPlace(pe *fs.PathError) bool {
	return errors.Is(pe, fs.ErrNotExist) || errors.Is(pe, syscall.EISDIR) || errors.Is(pe, syscall.ENOTDIR) || errors.Is(pe, syscall.ENAMETOOLONG)
}

// internalError is a failure of idcsim itself: exitInternal.
type internalError struct {
	err error
}

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// interruptible returns a context that an interrupt (SIGINT) or a termination request (SIGTERM,
// as Kubernetes and batch systems send) cancels, and the function that releases it.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// hasPlace says whether err says where the problem is: a scenario's FILE:LINE:COL, a partial
// report's file and JSON path.
func hasPlace(err error) bool {
	var list scenarios.ErrorList
	var one *scenarios.Error
	var sh *shard.Error
	return errors.As(err, &list) || errors.As(err, &one) || errors.As(err, &sh)
}
