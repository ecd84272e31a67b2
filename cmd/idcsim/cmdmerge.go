package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"

	"idcsim/report"
	"idcsim/shard"
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
same number of shards N, every shard 0 to N-1 exactly once, and the build of idcsim that merges
them. Merge reads each partial.json strictly (no duplicate or unknown keys, no trailing data, at
most 2 GiB), recomputes its digest, and checks every replication, offboarding and window
against the scenario: the replications and candidates of each shard, the people offboarded and
when, windows inside the run. With IDCSIM_SHARD_KEY set (a secret shared with the shards), every
shard must carry an HMAC made with that key; without it, shards that carry one are refused. --out
must not be a DIR, nor lie inside one, nor hold one. On any problem merge says what is wrong and exits 2,
writing nothing. Its exit status then follows the controls, as run's and sweep's do.`,
	run:      runMerge,
	setFlags: mergeFlags.register,
}

// mergeFlags are the flags of the command, as its last parse left them.
var mergeFlags mergeOptions

type mergeOptions struct {
	outputOptions
}

func runMerge(c *command, args []string, stdout, stderr io.Writer) int {
	args, status, ok := c.parseFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	mo := &mergeFlags
	if len(args) == 0 {
		return c.usageError(stderr, "no partial report given")
	}
	if err := mo.check(&c.Flag); err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if err := outApart(mo.out, args); mo.out != "" && err != nil {
		return c.fail(stderr, err)
	}
	if status, ok := c.checkOutputs(mo.out, mo.junit, stderr); !ok {
		return status
	}
	set, err := shard.Read(args, shardKey())
	if err != nil {
		return c.fail(stderr, err)
	}
	sc, err := set.Scenario(applyOverrides)
	if err != nil {
		return c.fail(stderr, err)
	}
	o := &mo.outputOptions
	if set.Kind() == shard.KindRun {
		res, err := set.MergeRun(sc)
		if err != nil {
			return c.fail(stderr, err)
		}
		return c.emitRun(o, set.Path(), report.Summarize(res), stdout, stderr)
	}
	results, err := set.MergeSweep(sc)
	if err != nil {
		return c.fail(stderr, err)
	}
	ss, err := report.SummarizeSweep(sc, results)
	if err != nil {
		return c.fail(stderr, err)
	}
	return c.emitSweep(o, set.Path(), ss, stdout, stderr)
}

// shardKey returns the key of the shards' HMAC, nil when there is none.
func shardKey() []byte {
	if k := os.Getenv(shard.KeyEnv); k != "" {
		return []byte(k)
	}
	return nil
}

// outApart checks that the report directory out is none of the inputs, is inside none, and holds
// none, comparing absolute paths with symbolic links resolved: merge must not replace or write
// into its own input. The inputs are the arguments, since every partial report is one of them or
// inside one.
func outApart(out string, inputs []string) error {
	o, err := resolvePath(out)
	if err != nil {
		return fmt.Errorf("--out %s: %v", out, err)
	}
	var errs []error
	for _, in := range inputs {
		i, err := resolvePath(in)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", in, err))
			continue
		}
		switch {
		case o == i:
			errs = append(errs, fmt.Errorf("--out %s is the input %s: merge would replace what it reads; write the report elsewhere", out, in))
		case within(o, i):
			errs = append(errs, fmt.Errorf("--out %s is inside the input %s: write the report elsewhere", out, in))
		case within(i, o):
			errs = append(errs, fmt.Errorf("--out %s holds the input %s: merge would replace what it reads; write the report elsewhere", out, in))
		}
	}
	return errors.Join(errs...)
}

// resolvePath returns path absolute and clean, with the symbolic links of the part that exists
// resolved.
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var rest []string // the elements, last first, that do not exist
	for {
		r, err := filepath.EvalSymlinks(abs)
		if err == nil {
			slices.Reverse(rest)
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		parent := filepath.Dir(abs)
		if !errors.Is(err, iofs.ErrNotExist) || parent == abs {
			return "", err
		}
		rest = append(rest, filepath.Base(abs))
		abs = parent
	}
}

// within says whether path is inside dir (both absolute and clean).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && filepath.IsLocal(rel)
}
