package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/sim"
)

var mergeCommand = &command{
	name:  "merge",
	args:  "DIR... [flags]",
	short: "combine the partial reports of a sharded run or sweep",
	long: `Merge combines the partial report directories that idcsim run --shard I/N or idcsim sweep
--shard I/N wrote, one per shard, into the report of the whole run or sweep, exactly as a run
without shards would have written it. A DIR is a partial report, or a directory whose
subdirectories are partial reports (as the shards of a Kubernetes Indexed Job write them to a
shared volume).

The shards must belong to one run: the same scenario (its source text is kept in each partial
report, and its digest must match), the same overrides (--seed, --replications, --profile), the
same number of shards N, and every shard 0 to N-1 exactly once. Otherwise merge says what is wrong
and exits 2, writing nothing. Its exit status then follows the controls, as run's and sweep's do.`,
	run:   runMerge,
	flags: func(fs *flagSet) { new(mergeOptions).register(fs) },
}

type mergeOptions struct {
	format, out, junit string
}

func (o *mergeOptions) register(fs *flagSet) {
	fs.StringVar(&o.format, "format", "text", "what to print: text, json or markdown")
	fs.StringVar(&o.out, "out", "idcsim-report", "report `directory`")
	fs.StringVar(&o.junit, "junit", "", "also write the policy's controls as JUnit XML to `file`")
}

func runMerge(c *command, args []string, stdout, stderr io.Writer) int {
	var mo mergeOptions
	fs := newFlagSet(c.name)
	mo.register(fs)
	args, status, ok := c.parseFlags(fs, args, stdout, stderr)
	if !ok {
		return status
	}
	if len(args) == 0 {
		return c.usageError(stderr, "no partial report given")
	}
	if err := oneOf("format", mo.format, "text", "json", "markdown"); err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if mo.out == "" {
		return c.usageError(stderr, "--out: want a directory")
	}
	parts, err := readPartials(args)
	if err != nil {
		return c.fail(stderr, err)
	}
	first := parts[0]
	sc, err := scenarios.Parse(first.doc.Scenario.Path, first.src)
	if err != nil {
		return c.fail(stderr, fmt.Errorf("%s: the scenario of the shards: %v", first.dir, err))
	}
	if err := first.doc.Overrides.apply(sc); err != nil {
		return c.fail(stderr, err)
	}
	if d := &first.doc; sc.Seed != d.Seed || sc.Replications != d.Replications || sc.Profile.Name != d.Profile {
		return c.fail(stderr, fmt.Errorf("%s: the shards ran seed %d, %d replications, profile %s; this idcsim sets up seed %d, %d replications, profile %s",
			first.dir, d.Seed, d.Replications, d.Profile, sc.Seed, sc.Replications, sc.Profile.Name))
	}
	o := runOptions{format: mo.format, out: mo.out, junit: mo.junit}
	switch first.doc.Kind {
	case "run":
		var results []*sim.Results
		for _, p := range parts {
			if p.doc.Results == nil {
				return c.fail(stderr, fmt.Errorf("%s: %s holds no results", p.dir, partialName))
			}
			results = append(results, p.doc.Results)
		}
		return c.emitRun(&o, report.Summarize(sim.Merge(sc, results)), stdout, stderr)
	default:
		results, err := mergeSweep(sc, parts)
		if err != nil {
			return c.fail(stderr, err)
		}
		ss, err := report.SummarizeSweep(sc, results)
		if err != nil {
			return c.fail(stderr, err)
		}
		return c.emitSweep(&o, ss, stdout, stderr)
	}
}

// mergeSweep puts the candidates of a sweep's shards together, in the sweep's order.
func mergeSweep(sc *sim.Scenario, parts []*shardPart) ([]*sim.Results, error) {
	if sc.Sweep == nil {
		return nil, fmt.Errorf("%s: the scenario of the shards has no sweep: block", parts[0].dir)
	}
	cands := sc.Sweep.List()
	results := make([]*sim.Results, len(cands))
	var errs []error
	for _, p := range parts {
		sh := sim.Shard{I: p.doc.Shard.I, N: p.doc.Shard.N}
		for _, pc := range p.doc.Candidates {
			i := pc.Index
			switch {
			case i < 0 || i >= len(cands):
				errs = append(errs, fmt.Errorf("%s: candidate %d, but the sweep has %d", p.dir, i, len(cands)))
				continue
			case pc.Name != cands[i].String():
				errs = append(errs, fmt.Errorf("%s: candidate %d is %s, but the sweep's is %s", p.dir, i, pc.Name, cands[i]))
				continue
			case !sh.Has(i):
				errs = append(errs, fmt.Errorf("%s: candidate %d does not belong to shard %s", p.dir, i, sh))
				continue
			case results[i] != nil:
				errs = append(errs, fmt.Errorf("%s: candidate %d appears twice", p.dir, i))
				continue
			case pc.Results == nil:
				errs = append(errs, fmt.Errorf("%s: candidate %d has no results", p.dir, i))
				continue
			}
			csc, err := sc.With(cands[i])
			if err != nil {
				return nil, err
			}
			results[i] = sim.Merge(csc, []*sim.Results{pc.Results})
		}
	}
	for i, r := range results {
		if r == nil && len(errs) == 0 {
			errs = append(errs, fmt.Errorf("candidate %d (%s) is in no shard", i, cands[i]))
		}
	}
	return results, errors.Join(errs...)
}

// shardPart is one shard's partial report as read from its directory.
type shardPart struct {
	dir string
	doc partialDoc
	src []byte
}

// partialDirs lists the partial report directories the arguments name: each is one, or holds
// them as subdirectories (hidden ones, which are reports still being written, left out).
func partialDirs(args []string) ([]string, error) {
	var dirs []string
	var errs []error
	for _, a := range args {
		if isFile(filepath.Join(a, partialName)) {
			dirs = append(dirs, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n := 0
		for _, e := range entries {
			if d := filepath.Join(a, e.Name()); e.IsDir() && !strings.HasPrefix(e.Name(), ".") && isFile(filepath.Join(d, partialName)) {
				dirs = append(dirs, d)
				n++
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("%s holds no %s, nor do its subdirectories: it is no shard's partial report (idcsim run --shard, idcsim sweep --shard)", a, partialName))
		}
	}
	return dirs, errors.Join(errs...)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// readPartials reads the partial reports and checks that they are the shards of one run, each
// once and none missing; it returns them in the order of their shards.
func readPartials(args []string) ([]*shardPart, error) {
	dirs, err := partialDirs(args)
	if err != nil {
		return nil, err
	}
	var parts []*shardPart
	var errs []error
	for _, dir := range dirs {
		p, err := readPartial(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parts = append(parts, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	first := parts[0]
	fd := &first.doc
	byShard := map[int]*shardPart{}
	for _, p := range parts {
		d := &p.doc
		switch {
		case d.Kind != fd.Kind:
			errs = append(errs, fmt.Errorf("%s is a shard of a %s, %s of a %s", p.dir, d.Kind, first.dir, fd.Kind))
		case d.Scenario.SHA256 != fd.Scenario.SHA256:
			errs = append(errs, fmt.Errorf("%s ran another scenario than %s: %s (sha256 %.12s) and %s (sha256 %.12s)",
				p.dir, first.dir, d.Scenario.Path, d.Scenario.SHA256, fd.Scenario.Path, fd.Scenario.SHA256))
		case d.Scenario.Path != fd.Scenario.Path:
			errs = append(errs, fmt.Errorf("%s ran the scenario as %s, %s as %s: its messages would differ; run every shard with the same scenario argument",
				p.dir, d.Scenario.Path, first.dir, fd.Scenario.Path))
		case !d.Overrides.equal(fd.Overrides):
			errs = append(errs, fmt.Errorf("%s ran with overrides %s, %s with %s", p.dir, d.Overrides, first.dir, fd.Overrides))
		case d.Shard.N != fd.Shard.N:
			errs = append(errs, fmt.Errorf("%s is shard %d/%d, %s shard %d/%d: the shards of one run share N",
				p.dir, d.Shard.I, d.Shard.N, first.dir, fd.Shard.I, fd.Shard.N))
		case byShard[d.Shard.I] != nil:
			errs = append(errs, fmt.Errorf("shard %d/%d appears twice: %s and %s", d.Shard.I, d.Shard.N, byShard[d.Shard.I].dir, p.dir))
		default:
			byShard[d.Shard.I] = p
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var missing []string
	for i := range fd.Shard.N {
		if byShard[i] == nil {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("shards %s of %d are missing (have %d of them); merge needs every shard of the run", strings.Join(missing, ", "), fd.Shard.N, len(byShard))
	}
	out := make([]*shardPart, fd.Shard.N)
	for i, p := range byShard {
		out[i] = p
	}
	return out, nil
}

// readPartial reads one partial report directory.
func readPartial(dir string) (*shardPart, error) {
	data, err := os.ReadFile(filepath.Join(dir, partialName))
	if err != nil {
		return nil, err
	}
	p := &shardPart{dir: dir}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p.doc); err != nil {
		return nil, fmt.Errorf("%s: %s is not a partial report: %v", dir, partialName, err)
	}
	d := &p.doc
	switch {
	case d.SchemaVersion != report.SchemaVersion:
		return nil, fmt.Errorf("%s: %s has schema_version %d; this idcsim reads %d", dir, partialName, d.SchemaVersion, report.SchemaVersion)
	case d.Kind != "run" && d.Kind != "sweep":
		return nil, fmt.Errorf("%s: %s is of kind %q, want run or sweep", dir, partialName, d.Kind)
	case d.Shard.N < 1 || d.Shard.I < 0 || d.Shard.I >= d.Shard.N:
		return nil, fmt.Errorf("%s: %s names shard %d/%d", dir, partialName, d.Shard.I, d.Shard.N)
	}
	if p.src, err = os.ReadFile(filepath.Join(dir, partialSource)); err != nil {
		return nil, fmt.Errorf("%s: the scenario's source text: %v", dir, err)
	}
	sum := sha256.Sum256(p.src)
	if hex.EncodeToString(sum[:]) != d.Scenario.SHA256 {
		return nil, fmt.Errorf("%s: %s does not match the digest in %s: the partial report was changed", dir, partialSource, partialName)
	}
	return p, nil
}
