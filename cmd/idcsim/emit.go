package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"idcsim/report"
	"idcsim/shard"
	"idcsim/sim"
)

// simOptions returns the engine's options for the flags, with the progress line when it is wanted.
func (o *runOptions) simOptions(stderr io.Writer) (sim.Options, *progressLine) {
	opts := sim.Options{Workers: o.workers}
	var bar *progressLine
	if o.progress == "always" || o.progress == "auto" && isTerminal(stderr) {
		bar = newProgressLine(stderr, time.Second)
		opts.Progress = bar.update
	}
	return opts, bar
}

// outputOptions are the flags of what run, sweep and merge put out.
type outputOptions struct {
	format, out, junit, color string
	exitZero, quiet, noReport bool
}

func (o *outputOptions) register(fs *flagSet) {
	fs.StringVar(&o.format, "format", "text", "what to print: text, json, markdown, or sarif (SARIF 2.1.0: a result per failed control, at its line in the scenario)")
	fs.StringVar(&o.out, "out", "idcsim-report", "report `directory`; '' writes none")
	fs.BoolVar(&o.noReport, "no-report", false, "write no report directory (as --out '')")
	fs.StringVar(&o.junit, "junit", "", "also write the policy's controls as JUnit XML to `file`")
	fs.BoolVar(&o.exitZero, "exit-zero", false, "exit 0 when controls fail, to report without failing a CI job (bad input still exits 2, failures 3)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the verdict line, and nothing when every control holds")
	fs.StringVar(&o.color, "color", "auto", "colour PASS, FAIL and open windows in the text summary: auto (on a terminal, unless NO_COLOR is set), always or never")
}

// check checks the flags' values; --no-report empties out.
func (o *outputOptions) check(fs *flagSet) error {
	if err := oneOf("format", o.format, "text", "json", "markdown", "sarif"); err != nil {
		return err
	}
	if err := oneOf("color", o.color, "auto", "always", "never"); err != nil {
		return err
	}
	if o.noReport {
		if fs.isSet("out") && o.out != "" {
			return fmt.Errorf("--no-report and --out %s: choose one", o.out)
		}
		o.out = ""
	}
	if o.quiet && o.format != "text" {
		return fmt.Errorf("--quiet prints the verdict line only; it does not go with --format %s", o.format)
	}
	return nil
}

// reportOutput is a report ready to go out: its directory's files and how to summarize it.
type reportOutput struct {
	kind  string // report.KindRun or report.KindSweep
	files map[string][]byte
	// jsonFile is the file that --format json prints; report.md is what markdown prints.
	jsonFile string
	text     func(io.Writer) error
	sarif    func(io.Writer) error
	junit    func(io.Writer) error
	pass     bool
	verdict  string // the verdict line that --quiet prints
}

// emit prints the summary as --format says, writes the report directory (unless out is empty)
// and the JUnit file, and returns the exit status: exitFail when the controls fail, unless
// --exit-zero says otherwise.
func (c *command) emit(o *outputOptions, r reportOutput, stdout, stderr io.Writer) int {
	var out bytes.Buffer
	var err error
	switch {
	case o.quiet:
		if !r.pass {
			fmt.Fprintln(&out, r.verdict)
		}
	case o.format == "json":
		out.Write(r.files[r.jsonFile])
	case o.format == "markdown":
		out.Write(r.files["report.md"])
	case o.format == "sarif":
		err = r.sarif(&out)
	default:
		err = r.text(&out)
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	if o.format == "text" && useColor(o.color, stdout) {
		out = *bytes.NewBuffer(colorize(out.Bytes()))
	}
	var junit *report.StagedFile
	if o.junit != "" {
		// The JUnit file is written first, under a temporary name, so that a failure to write it
		// leaves the report as it was.
		var x bytes.Buffer
		if err := r.junit(&x); err != nil {
			return c.fail(stderr, err)
		}
		staged, warnings, err := stageFile(o.junit, x.Bytes(), report.CheckJUnit)
		warn(stderr, warnings)
		if err != nil {
			return c.failWrite(stderr, "writing the JUnit file", err)
		}
		defer staged.Discard()
		junit = staged
	}
	if o.out != "" {
		warnings, err := report.WriteDir(o.out, r.kind, r.files)
		warn(stderr, warnings)
		if err != nil {
			return c.failWrite(stderr, "writing the report", err)
		}
	}
	if junit != nil {
		if err := junit.Commit(); err != nil {
			return c.failWrite(stderr, "writing the JUnit file", err)
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return c.fail(stderr, err)
	}
	if !r.pass && !o.exitZero {
		return exitFail
	}
	return exitOK
}

// emitRun puts out the report of a run of the scenario path.
func (c *command) emitRun(o *outputOptions, path string, s *report.Summary, stdout, stderr io.Writer) int {
	files, err := report.Files(s)
	if err != nil {
		return c.fail(stderr, &internalError{fmt.Errorf("making the report: %v", err)})
	}
	return c.emit(o, reportOutput{
		kind:     report.KindRun,
		files:    files,
		jsonFile: "results.json",
		text:     func(w io.Writer) error { return report.WriteText(w, s) },
		sarif:    func(w io.Writer) error { return report.WriteSARIF(w, s, report.SARIFURI(path)) },
		junit:    func(w io.Writer) error { return report.WriteJUnit(w, s, c.junitRun()) },
		pass:     s.Pass,
		verdict:  s.Verdict(),
	}, stdout, stderr)
}

// emitSweep puts out the report of a sweep of the scenario path: exitOK when some candidate
// meets every control.
func (c *command) emitSweep(o *outputOptions, path string, ss *report.SweepSummary, stdout, stderr io.Writer) int {
	files, err := report.SweepFiles(ss)
	if err != nil {
		return c.fail(stderr, &internalError{fmt.Errorf("making the report: %v", err)})
	}
	return c.emit(o, reportOutput{
		kind:     report.KindSweep,
		files:    files,
		jsonFile: "sweep.json",
		text:     func(w io.Writer) error { return report.WriteSweepText(w, ss) },
		sarif:    func(w io.Writer) error { return report.WriteSweepSARIF(w, ss, report.SARIFURI(path)) },
		junit:    func(w io.Writer) error { return report.WriteSweepJUnit(w, ss, c.junitRun()) },
		pass:     ss.Pass,
		verdict:  ss.Verdict(),
	}, stdout, stderr)
}

// junitRun is when and where the command's work ran, for its JUnit file: from its start to now,
// on this machine. With SOURCE_DATE_EPOCH set (reproducible builds' convention), the start is
// that time, the time 0 and the machine "localhost", so that the file is the same on every run.
func (c *command) junitRun() report.JUnitRun {
	if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			return report.JUnitRun{Start: time.Unix(sec, 0), Host: "localhost"}
		}
	}
	host, _ := os.Hostname()
	return report.JUnitRun{Start: c.started, Elapsed: time.Since(c.started), Host: host}
}

// writePartial writes a shard's partial report directory and says so on stdout.
func (c *command) writePartial(doc *shard.Doc, dir string, stdout, stderr io.Writer) int {
	warnings, err := doc.Write(dir, shardKey())
	warn(stderr, warnings)
	if err != nil {
		return c.failWrite(stderr, "writing the partial report", err)
	}
	fmt.Fprintf(stdout, "shard %d/%d of %s %s: %s, partial report in %s\ncombine the %d shards with: idcsim merge DIR... --out DIR\n",
		doc.Shard.I, doc.Shard.N, doc.Kind, doc.Scenario.Path, doc.What(), dir, doc.Shard.N)
	return exitOK
}

// stageFile is report.StageFile; tests replace it to make the machine fail.
var stageFile = report.StageFile

// checkOutputs checks, before any work is done, that the report directory out and the JUnit
// file (when one is asked for) could be written: neither is in the way of something idcsim did
// not write, and the JUnit file is not inside the report directory, which idcsim replaces
// whole. When they cannot, it has reported why and returns the exit status.
func (c *command) checkOutputs(out, junit string, stderr io.Writer) (int, bool) {
	if out == "" { // --no-report
		out = os.DevNull
	} else if err := report.CheckDir(out); err != nil {
		return c.failWrite(stderr, "the report directory", err), false
	}
	if junit == "" {
		return 0, true
	}
	if inside(junit, out) {
		return c.fail(stderr, fmt.Errorf("--junit %s is inside the report directory --out %s, which idcsim replaces whole: put it elsewhere", junit, out)), false
	}
	if err := report.CheckFile(junit, report.CheckJUnit); err != nil {
		return c.failWrite(stderr, "the JUnit file", err), false
	}
	return 0, true
}

// failWrite reports an error writing the output what: exitUsage when idcsim refused to replace
// what is in the way (report.ErrNotReplaceable) or the path names no usable place (namesNoPlace),
// else exitInternal: the machine failed to write.
func (c *command) failWrite(stderr io.Writer, what string, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", what, err)
	var pe *fs.PathError
	if errors.Is(err, report.ErrNotReplaceable) || errors.As(err, &pe) && namesNoPlace(pe) {
		return exitUsage
	}
	return exitInternal
}

// warn prints warnings on stderr.
func warn(stderr io.Writer, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
}

// inside says whether the path file is the directory dir or inside it, with symbolic links
// resolved as merge's --out check resolves them.
func inside(file, dir string) bool {
	f, err1 := resolvePath(file)
	d, err2 := resolvePath(dir)
	return err1 == nil && err2 == nil && (f == d || within(f, d))
}
