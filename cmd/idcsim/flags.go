package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
)

// flagSet is a flag.FlagSet whose flags may come before, between or after the arguments, and
// that parses afresh each time: every parse starts from the flags' defaults.
type flagSet struct {
	flag.FlagSet
	given map[string]bool // the flags the last parse was given
}

// init sets up the flag set of the command name: errors are returned, never printed.
func (fs *flagSet) init(name string) {
	fs.Init(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
}

func newFlagSet(name string) *flagSet {
	fs := new(flagSet)
	fs.init(name)
	return fs
}

// parse parses flags interspersed with arguments and returns the arguments. Everything after
// "--" is an argument. A flag that is not boolean takes the next argument as its value unless
// it is written --name=value. Flags not given take their defaults.
func (fs *flagSet) parse(args []string) ([]string, error) {
	fs.VisitAll(func(f *flag.Flag) { f.Value.Set(f.DefValue) })
	fs.given = map[string]bool{}
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		fs.given[name] = true
		if hasValue {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return rest, nil
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// isSet says whether the flag was given to the last parse.
func (fs *flagSet) isSet(name string) bool {
	return fs.given[name] && fs.Lookup(name) != nil
}

func (fs *flagSet) printDefaults(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, name, text)
	})
	tw.Flush()
}

// parseFlags parses the command's flags; on -h it prints the command's usage and returns exitOK,
// on a bad flag a usage error; ok is false in both cases.
func (c *command) parseFlags(args []string, stdout, stderr io.Writer) (rest []string, status int, ok bool) {
	rest, err := c.Flag.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c.usage(stdout)
		return nil, exitOK, false
	}
	if err != nil {
		return nil, c.usageError(stderr, "%s", c.flagError(err)), false
	}
	return rest, exitOK, true
}

var singleDash = regexp.MustCompile(`(^|[ :])-([A-Za-z][\w-]*)`)

// flagError rewrites an error of the flag package as idcsim writes flags, with two dashes, and
// says which command a flag of another command belongs to.
func (c *command) flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		for _, o := range commands {
			if o != c && o.Flag.Lookup(name) != nil {
				return fmt.Sprintf("--%s is a flag of idcsim %s, not of idcsim %s", name, o.name, c.name)
			}
		}
	}
	return singleDash.ReplaceAllString(msg, "$1--$2")
}

// oneOf checks that a flag's value is one of the allowed values.
func oneOf(flagName, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return fmt.Errorf("--%s %q: want %s", flagName, value, strings.Join(allowed, ", "))
}
