package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"idcsim/scenarios"
	"idcsim/shard"
	"idcsim/sim"
)

// overrides returns the overrides of the flags given.
func (o *runOptions) overrides(fs *flagSet) shard.Overrides {
	var ov shard.Overrides
	if fs.isSet("seed") {
		seed := o.seed
		ov.Seed = &seed
	}
	if fs.isSet("replications") {
		replications := o.replications
		ov.Replications = &replications
	}
	ov.Profile = o.profile
	return ov
}

// applyOverrides changes the scenario as the overrides say.
func applyOverrides(sc *sim.Scenario, ov shard.Overrides) error {
	if ov.Seed != nil {
		sc.Seed = *ov.Seed
	}
	if ov.Replications != nil {
		sc.Replications = *ov.Replications
	}
	if ov.Profile != "" {
		return sc.SetProfile(ov.Profile)
	}
	return nil
}

// loadScenario reads a scenario, from a file, a built-in example (example:NAME) or standard
// input ("-", named "stdin" in errors), and returns it with its source text.
func loadScenario(path string) (*sim.Scenario, []byte, error) {
	if path == "-" {
		return scenarios.ReadSource(displayName(path), stdin)
	}
	return scenarios.LoadSource(path)
}

// displayName is how messages name the scenario path: "stdin" for "-".
func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// stdin is where a scenario named "-" is read from; tests replace it.
var stdin io.Reader = os.Stdin

// Environment variables that give a shard's index or count.
const (
	envShards     = "IDCSIM_SHARDS"             // the count, or I/N, when --shard is not given
	envK8sIndex   = "JOB_COMPLETION_INDEX"      // Kubernetes Indexed Jobs
	envBatchIndex = "AWS_BATCH_JOB_ARRAY_INDEX" // AWS Batch array jobs
	envBatchSize  = "AWS_BATCH_JOB_ARRAY_SIZE"
	envSlurmID    = "SLURM_ARRAY_TASK_ID"    // Slurm job arrays: the task's array index,
	envSlurmMin   = "SLURM_ARRAY_TASK_MIN"   // the array's first index (--array=1-3 starts at 1)
	envSlurmMax   = "SLURM_ARRAY_TASK_MAX"   // its last index,
	envSlurmCount = "SLURM_ARRAY_TASK_COUNT" // and its number of tasks
)

// An arrayJob is a kind of batch job whose members each run one shard, told their index (and
// perhaps the count) by their environment.
type arrayJob struct {
	name    string // for messages: "Kubernetes Indexed Job"
	index   string // the variable with the member's index
	first   string // the variable with the index of the first member, "" when it is 0
	last    string // the variable with the index of the last member, "" when there is none
	count   string // the variable with the count of members, "" when there is none
	members string // what the members are called: "children", "tasks"
}

// arrayJobs are the batch systems whose environment gives a shard, in the order messages name them.
var arrayJobs = []arrayJob{
	{name: "Kubernetes Indexed Job", index: envK8sIndex},
	{name: "AWS Batch array job", index: envBatchIndex, count: envBatchSize, members: "children"},
	{name: "Slurm job array", index: envSlurmID, first: envSlurmMin, last: envSlurmMax, count: envSlurmCount, members: "tasks"},
}

// shardFrom works out which shard to run from the --shard flag (or IDCSIM_SHARDS when the flag is
// not given) and the environment: "I/N" in full, the environment not read; "N", with the index
// from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs), AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array
// jobs) or SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN (Slurm job arrays); or "auto", with the
// count from AWS_BATCH_JOB_ARRAY_SIZE or SLURM_ARRAY_TASK_COUNT as well. Variables of two systems
// that are both set must agree. ok is false when the run is not sharded.
func shardFrom(flag string, getenv func(string) string) (sh sim.Shard, ok bool, err error) {
	spec, from := flag, "--shard"
	if spec == "" {
		spec, from = strings.TrimSpace(getenv(envShards)), envShards
		if spec == "" {
			return sim.Shard{}, false, nil
		}
	}
	bad := func(err error) (sim.Shard, bool, error) {
		return sim.Shard{}, false, fmt.Errorf("%s %s: %v", from, spec, err)
	}
	var n int
	switch is, ns, full := strings.Cut(spec, "/"); {
	case full:
		if n, err = wholeNumber("the count N of I/N", ns, 1, shard.MaxShards); err != nil {
			return bad(err)
		}
		i, err := wholeNumber("the index I of I/N", is, 0, n-1)
		if err != nil {
			return bad(err)
		}
		return sim.Shard{I: i, N: n}, true, nil
	case spec == "auto":
		if n, err = countFromEnv(getenv); err != nil {
			return bad(err)
		}
	default:
		if n, err = wholeNumber("the count of shards", spec, 1, shard.MaxShards); err != nil {
			return bad(fmt.Errorf("%v; write I/N (0 <= I < N), or N with the index from %s", err, listJobs(func(j arrayJob) string { return j.index })))
		}
	}
	i, err := indexFromEnv(getenv, n)
	if err != nil {
		return bad(err)
	}
	return sim.Shard{I: i, N: n}, true, nil
}

// wholeNumber reads s, the value of what, as a whole number from lo to hi.
func wholeNumber(what, s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: want a whole number from %d to %d, not %q", what, lo, hi, s)
	}
	return n, nil
}

// listJobs lists what item says of each array job, when it says something: "A, B or C".
func listJobs(item func(arrayJob) string) string {
	var names []string
	for _, j := range arrayJobs {
		if name := item(j); name != "" {
			names = append(names, name)
		}
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " or " + names[last]
}

// countFromEnv is the count of shards of --shard auto: the count of members of the array job that
// the environment gives.
func countFromEnv(getenv func(string) string) (int, error) {
	n, from := 0, ""
	for _, j := range arrayJobs {
		if j.count == "" || getenv(j.count) == "" {
			continue
		}
		c, err := wholeNumber(j.count, getenv(j.count), 1, shard.MaxShards)
		if err != nil {
			return 0, err
		}
		if from != "" && c != n {
			return 0, fmt.Errorf("%s=%d and %s=%d disagree on the count of shards", from, n, j.count, c)
		}
		n, from = c, j.count
	}
	if from == "" {
		return 0, fmt.Errorf("auto takes the count of shards from the environment (%s), which gives none; give the count as --shard N or %s=N",
			listJobs(func(j arrayJob) string { return j.count }), envShards)
	}
	return n, nil
}

// indexFromEnv is the index of a shard of n: the index of the member of the array job that runs
// it, as the environment gives it.
func indexFromEnv(getenv func(string) string, n int) (int, error) {
	i, from := -1, ""
	for _, j := range arrayJobs {
		v := getenv(j.index)
		if v == "" {
			continue
		}
		if c := getenv(j.count); j.count != "" && c != "" && c != strconv.Itoa(n) {
			return 0, fmt.Errorf("%d shards, but the %s has %s=%s %s", n, j.name, j.count, c, j.members)
		}
		k, err := j.memberIndex(getenv, v, n)
		if err != nil {
			return 0, err
		}
		if from != "" && k != i {
			return 0, fmt.Errorf("%s and %s disagree on the shard's index (%d and %d)", from, j.index, i, k)
		}
		i, from = k, j.index
	}
	if i < 0 {
		return 0, fmt.Errorf("the shard's index is missing: write I/%d, or run in an array job, whose member's index is read from the environment: %s", n,
			listJobs(func(j arrayJob) string { return fmt.Sprintf("%s (%s)", j.name, j.index) }))
	}
	return i, nil
}

// memberIndex is the shard's index, from 0 to n-1, of the member of the array job whose index
// variable is v: v itself, or v less the first member's index when the job's indexes need not
// start at 0. Such indexes must follow each other (not --array=1,3,7 or --array=0-4:2, whose
// tasks would not map one to one onto the shards).
func (j arrayJob) memberIndex(getenv func(string) string, v string, n int) (int, error) {
	if j.first == "" {
		return wholeNumber(j.index, v, 0, n-1)
	}
	id, err := wholeNumber(j.index, v, 0, math.MaxInt32)
	if err != nil {
		return 0, err
	}
	first := getenv(j.first)
	if first == "" {
		return 0, fmt.Errorf("%s=%s but %s, the array's first index, is not set", j.index, v, j.first)
	}
	lo, err := wholeNumber(j.first, first, 0, id)
	if err != nil {
		return 0, err
	}
	if last, count := getenv(j.last), getenv(j.count); j.last != "" && last != "" && count != "" {
		hi, err := wholeNumber(j.last, last, id, math.MaxInt32)
		if err != nil {
			return 0, err
		}
		if c := strconv.Itoa(hi - lo + 1); c != count {
			return 0, fmt.Errorf("the %s's indexes from %s=%d to %s=%d are not consecutive, with %s=%s: give it %d %s with consecutive indexes (--array=%d-%d)",
				j.name, j.first, lo, j.last, hi, j.count, count, n, j.members, lo, lo+n-1)
		}
	}
	if k := id - lo; k < n {
		return k, nil
	}
	return 0, fmt.Errorf("%s=%d less %s=%d is the shard's index %d, not one from 0 to %d: give the %s %d %s with consecutive indexes (--array=%d-%d)",
		j.index, id, j.first, lo, id-lo, n-1, j.name, n, j.members, lo, lo+n-1)
}

// shardOut is the report directory of a shard: --out when given, else one named after the shard,
// so that the shards of a run started in one directory do not overwrite each other.
func shardOut(fs *flagSet, out string, sh sim.Shard) string {
	if fs.isSet("out") {
		return out
	}
	return fmt.Sprintf("idcsim-shard-%d-of-%d", sh.I, sh.N)
}
