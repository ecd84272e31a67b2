package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"idcsim/importer/awscli"
	"idcsim/internal/strictjson"
	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/sim"
	"idcsim/trail"
)

var trailCommand = &command{
	name:  "trail",
	args:  "LOGS... [flags]",
	short: "read CloudTrail: what offboarded users did, beside what the rules allow",
	long: `Trail reads CloudTrail logs: files as delivered to S3 ({"Records": [...]}, gzip or not),
files of one record per line (CloudTrail Lake and Athena exports), directories of either (the
AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ layout, walked in sorted order), or - for the
standard input. It reconstructs each IAM Identity Center user's sign-ins, CLI logins and token
refreshes, console federations, role credentials and the use of the role sessions, finds the
offboardings in the admin events (a disable or delete with the steps that follow within the
playbook window), and for each offboarding prints, per channel, the observed window (the last
activity the logs show after it) beside the bound the rules allow: the engine run over the
reconstructed timeline, its max and 95th percentile over the replications. Records that cannot
be read are counted and named, never fatal.

The report directory holds trail.json, a timeline of each offboarding (timeline-USER-TIME.svg
and .png: its sessions, their bounds and the activity the logs show) and the report of the
engine's run. It exits 1 when activity was observed beyond a bound (beyond the rules:
investigate), 0 otherwise.`,
	run: runTrail,
	setFlags: func(fs *flagSet) {
		trailFlags.register(fs)
	},
}

// trailFlags are the flags of the command, as its last parse left them.
var trailFlags trailOptions

type trailOptions struct {
	format, out, config, from, to, scenario, fit, window string
	replications, workers                                int
	seed                                                 uint64
	noReport, exitZero, quiet                            bool
	color                                                string
}

func (o *trailOptions) register(fs *flagSet) {
	fs.StringVar(&o.format, "format", "text", "what to print: text, json (trail.json), markdown (the engine's report.md), or sarif (SARIF 2.1.0: a result per channel of an offboarding with activity beyond its bound)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the verdict line when activity is beyond a bound, and nothing otherwise")
	fs.StringVar(&o.color, "color", "auto", "colour PASS and FAIL in the text summary: auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.StringVar(&o.out, "out", "idcsim-trail", "report `directory`; '' writes none")
	fs.BoolVar(&o.noReport, "no-report", false, "write no report directory (as --out '')")
	fs.StringVar(&o.config, "config", "", "the organisation's configuration, to join user names and IDs: the AWS CLI export `dir` that idcsim import aws reads, or a JSON file {\"users\": [{\"id\": ..., \"name\": ...}]}, with permission_sets and portal_session if known")
	fs.StringVar(&o.from, "from", "", "read only records at or after `time` (RFC 3339, or a date: its midnight UTC)")
	fs.StringVar(&o.to, "to", "", "read only records at or before `time` (RFC 3339, or a date: to its end)")
	fs.StringVar(&o.scenario, "scenario", "", "also write the reconstructed timeline of every user as a scenario to `file`, for idcsim run")
	fs.StringVar(&o.fit, "fit", "", "also write behaviours and populations fitted to the users' activity (time zone, working days and hours, daily rates) as a scenario to `file`, for idcsim run")
	fs.StringVar(&o.window, "playbook-window", sim.FormatDuration(trail.DefaultPlaybookWindow), "how long after its first admin event an offboarding's steps may come (a `duration`)")
	fs.IntVar(&o.replications, "replications", trail.DefaultReplications, fmt.Sprintf("replications of the engine over the timeline, 1 to %d", scenarios.MaxReplications))
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the engine")
	fs.IntVar(&o.workers, "workers", 0, fmt.Sprintf("replications run at once, 0 (one per core) to %d", maxWorkers))
	fs.BoolVar(&o.exitZero, "exit-zero", false, "exit 0 when activity is beyond a bound (bad input still exits 2, failures 3)")
}

func runTrail(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	o := &trailFlags
	if len(args) == 0 {
		return c.usageError(stderr, "no logs given: name files, directories, or - for the standard input")
	}
	from, to, window, err := o.check(&c.Flag)
	if err != nil {
		return c.usageError(stderr, "%v", err)
	}
	var cfg *trail.Config
	if o.config != "" {
		if cfg, err = loadTrailConfig(o.config); err != nil {
			return c.fail(stderr, err)
		}
	}
	if status, ok := c.checkOutputs(o.out, "", stderr); !ok {
		return status
	}
	for _, f := range []struct{ flag, path string }{{"scenario", o.scenario}, {"fit", o.fit}} {
		if f.path == "" {
			continue
		}
		if inside(f.path, o.out) && o.out != "" {
			return c.fail(stderr, fmt.Errorf("--%s %s is inside the report directory --out %s, which idcsim replaces whole: put it elsewhere", f.flag, f.path, o.out))
		}
		if err := report.CheckFile(f.path, ownScenario); err != nil {
			return c.failWrite(stderr, "the scenario file", err)
		}
	}
	if o.fit != "" && o.fit == o.scenario {
		return c.usageError(stderr, "--scenario and --fit name the same file %s: name two", o.fit)
	}

	ctx, stop := interruptible()
	defer stop()
	b := trail.NewBuilder()
	b.From, b.To = from, to
	if cfg != nil {
		for _, u := range cfg.Users {
			b.Link(u.ID, u.Name)
		}
	}
	counts, err := trail.Read(ctx, args, trail.ReadOptions{Stdin: stdin}, b.Add)
	if err != nil {
		return c.failRead(stderr, err)
	}
	tl := b.Timeline(window)
	rep, err := trail.Analyze(ctx, tl, counts, trail.Options{Config: cfg, Replications: o.replications, Seed: o.seed, Workers: o.workers})
	if err != nil {
		if errors.Is(err, ctx.Err()) && ctx.Err() != nil {
			return c.fail(stderr, err)
		}
		return c.fail(stderr, &internalError{fmt.Errorf("running the engine over the reconstructed timeline: %v", err)})
	}
	if o.scenario != "" {
		sc, notes, err := trail.Scenario(tl, trail.ScenarioOptions{Config: cfg, Seed: o.seed, Replications: o.replications})
		if status, ok := c.writeTrailScenario(o.scenario, scenarioHeader, "reconstructed", sc, notes, err, stderr); !ok {
			return status
		}
	}
	if o.fit != "" {
		sc, notes, err := trail.Fit(tl, trail.FitOptions{Config: cfg, Seed: o.seed, Replications: o.replications})
		if status, ok := c.writeTrailScenario(o.fit, fitHeader, "fitted", sc, notes, err, stderr); !ok {
			return status
		}
	}
	files, err := trail.Files(rep)
	if err != nil {
		return c.fail(stderr, &internalError{fmt.Errorf("making the report: %v", err)})
	}
	verdict := "PASS"
	if !rep.Pass {
		verdict = "FAIL: activity after an offboarding " + trail.BeyondText
	}
	return c.emit(&outputOptions{format: o.format, out: o.out, exitZero: o.exitZero, quiet: o.quiet, color: o.color}, reportOutput{
		kind:     report.KindTrail,
		files:    files,
		jsonFile: "trail.json",
		text:     func(w io.Writer) error { return trail.WriteText(w, rep) },
		sarif:    func(w io.Writer) error { return trail.WriteSARIF(w, rep) },
		pass:     rep.Pass,
		verdict:  verdict,
	}, stdout, stderr)
}

// check checks the flags and returns the window of time to read and the playbook window.
func (o *trailOptions) check(fs *flagSet) (from, to time.Time, window time.Duration, err error) {
	if err = oneOf("format", o.format, "text", "json", "markdown", "sarif"); err != nil {
		return
	}
	if err = oneOf("color", o.color, "auto", "always", "never"); err != nil {
		return
	}
	if o.quiet && o.format != "text" {
		return from, to, 0, fmt.Errorf("--quiet prints the verdict line only; it does not go with --format %s", o.format)
	}
	if o.noReport {
		if fs.isSet("out") && o.out != "" {
			return from, to, 0, fmt.Errorf("--no-report and --out %s: choose one", o.out)
		}
		o.out = ""
	}
	if o.replications < 1 || o.replications > scenarios.MaxReplications {
		return from, to, 0, fmt.Errorf("--replications %d: want 1 to %d", o.replications, scenarios.MaxReplications)
	}
	if o.workers < 0 || o.workers > maxWorkers {
		return from, to, 0, fmt.Errorf("--workers %d: want 0 (one per core) to %d", o.workers, maxWorkers)
	}
	if window, err = sim.ParseDuration(o.window); err != nil || window <= 0 {
		return from, to, 0, fmt.Errorf("--playbook-window %q: want a positive duration such as 24h", o.window)
	}
	if from, err = flagTime("from", o.from, false); err != nil {
		return
	}
	if to, err = flagTime("to", o.to, true); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return from, to, 0, fmt.Errorf("--to %s is before --from %s", o.to, o.from)
	}
	return from, to, window, nil
}

// flagTime reads a time flag: RFC 3339, or a date, which means its midnight UTC (or, with end,
// the last second of that day).
func flagTime(name, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: want an RFC 3339 time (2026-03-04T09:00:00Z) or a date (2026-03-04)", name, v)
	}
	if end {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, nil
}

// failRead reports a failure to read the logs: exitUsage when a named input does not exist,
// exitInternal for an I/O error or an interrupt.
func (c *command) failRead(stderr io.Writer, err error) int {
	var ioe *trail.IOError
	if errors.As(err, &ioe) {
		fmt.Fprintf(stderr, "idcsim %s: reading the logs: %v\n", c.name, ioe.Err)
		return exitStatus(ioe.Err)
	}
	return c.fail(stderr, err)
}

// loadTrailConfig reads --config: a JSON file of users and permission sets; a directory is
// the configuration that idcsim import reads, through configFromDir.
func loadTrailConfig(path string) (*trail.Config, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return configFromDir(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg trail.Config
	if err := strictjson.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for i, u := range cfg.Users {
		if u.ID == "" || u.Name == "" {
			return nil, fmt.Errorf("%s: $.users[%d]: a user needs an id and a name", path, i)
		}
	}
	for i, p := range cfg.PermissionSets {
		if p.Name == "" {
			return nil, fmt.Errorf("%s: $.permission_sets[%d]: a permission set needs a name", path, i)
		}
		if p.SessionDuration != "" {
			if _, err := sim.ParseDuration(p.SessionDuration); err != nil {
				return nil, fmt.Errorf("%s: $.permission_sets[%d].session_duration: %v", path, i, err)
			}
		}
	}
	if cfg.PortalSession != "" {
		if _, err := sim.ParseDuration(cfg.PortalSession); err != nil {
			return nil, fmt.Errorf("%s: $.portal_session: %v", path, err)
		}
	}
	return &cfg, nil
}

// configFromDir reads a directory given to --config: the AWS CLI's output that idcsim import
// aws reads (scripts/export-identity-center.sh writes it), checked as the import checks it.
func configFromDir(dir string) (*trail.Config, error) {
	org, err := awscli.Read(dir, nil)
	if err != nil {
		return nil, err
	}
	cfg := &trail.Config{}
	for _, u := range org.Users {
		cfg.Users = append(cfg.Users, trail.ConfigUser{ID: u.ID.Value, Name: u.Name.Value})
	}
	for _, p := range org.PermissionSets {
		d := p.SessionDuration.Value
		if d == "" {
			d = "PT1H" // the service's default
		}
		v, err := sim.ParseDuration(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", p.SessionDuration.From.File, p.SessionDuration.From.Path, err)
		}
		cfg.PermissionSets = append(cfg.PermissionSets, trail.ConfigPermissionSet{Name: p.Name.Value, ARN: p.Key.Value,
			SessionDuration: sim.FormatDuration(v)})
	}
	return cfg, nil
}

// scenarioHeader and fitHeader begin the scenarios trail writes (--scenario, --fit), so that a
// later run may replace them.
const (
	scenarioHeader = "# A scenario reconstructed by idcsim trail from CloudTrail logs.\n"
	fitHeader      = "# A scenario of behaviours fitted by idcsim trail to CloudTrail logs.\n"
)

// ownScenario says why an existing file is not a scenario that idcsim trail wrote.
func ownScenario(data []byte) error {
	if !bytes.HasPrefix(data, []byte(scenarioHeader)) && !bytes.HasPrefix(data, []byte(fitHeader)) {
		return errors.New("it is not a scenario that idcsim trail wrote")
	}
	return nil
}

// writeTrailScenario writes the what (reconstructed, fitted) scenario of --scenario or --fit to
// path, the header and the notes above it, or reports err, the failure to make it.
func (c *command) writeTrailScenario(path, header, what string, sc *sim.Scenario, notes []string, err error, stderr io.Writer) (int, bool) {
	if err == nil {
		var data []byte
		if data, err = scenarios.Marshal(sc); err == nil {
			var head strings.Builder
			head.WriteString(header)
			for _, n := range notes {
				head.WriteString("# " + n + "\n")
			}
			staged, warnings, err := stageFile(path, append([]byte(head.String()), data...), ownScenario)
			warn(stderr, warnings)
			if err != nil {
				return c.failWrite(stderr, "writing the scenario", err), false
			}
			defer staged.Discard()
			if err := staged.Commit(); err != nil {
				return c.failWrite(stderr, "writing the scenario", err), false
			}
			return 0, true
		}
	}
	return c.fail(stderr, &internalError{fmt.Errorf("writing the %s scenario: %v", what, err)}), false
}
