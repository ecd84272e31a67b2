package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"idcsim/importer"
	"idcsim/importer/awscli"
	"idcsim/importer/terraform"
	"idcsim/report"
	"idcsim/sim"
)

var importCommand = &command{
	name:  "import",
	args:  "SOURCE PATH [flags]",
	short: "write a scenario from the organisation's configuration",
	long: `Import writes a scenario from the organisation's real IAM Identity Center configuration, read
from SOURCE aws (PATH a directory) or terraform (PATH a file):

  idcsim import aws DIR         the JSON the AWS CLI prints (scripts/export-identity-center.sh
                                writes DIR): each file is recognised by its top-level member
                                (Instances, PermissionSets, PermissionSet, AccountIds,
                                AccountAssignments, Applications, ApplicationAssignments, Users,
                                Groups, GroupMemberships, Accounts), one output or several one
                                after the other, whatever its name; DIR may be one such file
  idcsim import terraform FILE  terraform show -json of a state or a plan: permission sets,
                                account and application assignments, identity-store users,
                                groups and memberships, in every module

FILE (or DIR) - reads standard input. The scenario goes to standard output, or to --out FILE,
written whole under a temporary name and renamed; --out replaces only a scenario idcsim import
wrote and nobody has changed since. A summary goes to standard error: what was imported, what
was left out and why, the longest permission set, and what must be checked.

Accounts are named as the export names them, else by ID; permission sets keep their session
durations; every imported value has a comment saying where it came from. What no API exposes
(the portal session, the identity source and its settings, background and Kiro sessions) is
written as the documented default with a comment saying it must be checked; --portal-session
and --identity-source set the first two. Users disabled in the export are disabled from the
start. Up to --max-users users are listed by name, with no activity; with more, people are
written as populations, one per exact set of groups and direct assignments, each with a
default behaviour and devices, and with a default offboardings entry, so that idcsim run gives
figures at once.

Every problem of the export (an output of no known shape, an assignment naming an unknown
permission set or principal, a session duration outside 1h..12h, an ID listed twice, a value
of the wrong type) is reported as FILE: JSON.path: message, and import exits 2 writing nothing.`,
	run:      runImport,
	setFlags: importFlags.register,
}

// importFlags are the flags of the command, as its last parse left them.
var importFlags importOptions

type importOptions struct {
	out, portalSession, identitySource string
	maxUsers                           int
}

func (o *importOptions) register(fs *flagSet) {
	fs.StringVar(&o.out, "out", "", "write the scenario to `file` instead of standard output (-)")
	fs.IntVar(&o.maxUsers, "max-users", importer.DefaultMaxUsers, "list at most `n` users by name; with more, write populations (0: always)")
	fs.StringVar(&o.portalSession, "portal-session", "", "the access portal session `duration` (default: the service's default, 8h)")
	fs.StringVar(&o.identitySource, "identity-source", "identity_center", "the identity source's `kind`: identity_center, external_idp or active_directory")
}

// importSources are the formats import reads, each with its reader.
var importSources = map[string]func(path string, stdin io.Reader) (*importer.Org, error){
	"aws":       awscli.Read,
	"terraform": terraform.Read,
}

func runImport(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	o := &importFlags
	if len(args) == 0 {
		return c.usageError(stderr, "no source given: write aws DIR or terraform FILE")
	}
	read := importSources[args[0]]
	switch {
	case read == nil:
		return c.usageError(stderr, "unknown source %q: write aws DIR or terraform FILE", args[0])
	case len(args) == 1:
		return c.usageError(stderr, "import %s needs the %s to read", args[0], map[string]string{"aws": "directory", "terraform": "file"}[args[0]])
	case len(args) > 2:
		return c.usageError(stderr, "one source at a time; unexpected arguments: %s", strings.Join(args[2:], " "))
	}
	opt, err := o.options()
	if err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if o.out == "-" {
		o.out = ""
	}
	if o.out != "" {
		if err := report.CheckFile(o.out, importer.Written); err != nil {
			return c.failWrite(stderr, "--out", err)
		}
	}
	org, err := read(args[1], stdin)
	if err != nil {
		return c.fail(stderr, err)
	}
	res, err := importer.Build(org, opt)
	if err != nil {
		var list importer.ErrorList
		if !errors.As(err, &list) {
			err = &internalError{err}
		}
		return c.fail(stderr, err)
	}
	if o.out == "" {
		if _, err := stdout.Write(res.YAML); err != nil {
			return c.fail(stderr, &internalError{fmt.Errorf("writing the scenario: %w", err)})
		}
	} else {
		warnings, err := report.WriteFile(o.out, res.YAML, importer.Written)
		warn(stderr, warnings)
		if err != nil {
			return c.failWrite(stderr, "writing the scenario", err)
		}
	}
	if err := res.Summary.WriteText(stderr); err != nil {
		return c.fail(stderr, &internalError{err})
	}
	if o.out != "" {
		fmt.Fprintf(stderr, "wrote %s; run it with: idcsim run %s\n", o.out, o.out)
	}
	return exitOK
}

// options checks the flags' values and returns the importer's options.
func (o *importOptions) options() (importer.Options, error) {
	opt := importer.Options{MaxUsers: o.maxUsers}
	if o.maxUsers < 0 {
		return opt, fmt.Errorf("--max-users %d: want 0 or more", o.maxUsers)
	}
	kinds := []string{sim.IdentityCenter.String(), sim.ExternalIdP.String(), sim.ActiveDirectory.String()}
	if err := oneOf("identity-source", o.identitySource, kinds...); err != nil {
		return opt, err
	}
	for _, k := range []sim.SourceKind{sim.IdentityCenter, sim.ExternalIdP, sim.ActiveDirectory} {
		if k.String() == o.identitySource {
			opt.Source = k
		}
	}
	if o.portalSession != "" {
		d, err := sim.ParseDuration(o.portalSession)
		if err != nil {
			return opt, fmt.Errorf("--portal-session %q: %v", o.portalSession, err)
		}
		opt.PortalSession = d // Build checks its range
	}
	return opt, nil
}
