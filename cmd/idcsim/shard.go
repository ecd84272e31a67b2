package main

import (
	"fmt"
	"io"
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
)

// shardFrom works out which shard to run from the --shard flag (or IDCSIM_SHARDS when the flag is
// not given) and the environment: "I/N" in full; "N", with the index from JOB_COMPLETION_INDEX
// (Kubernetes Indexed Jobs) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array jobs); or "auto", with
// the count from AWS_BATCH_JOB_ARRAY_SIZE as well. ok is false when the run is not sharded.
func shardFrom(flag string, getenv func(string) string) (sh sim.Shard, ok bool, err error) {
	spec, from := flag, "--shard"
	if spec == "" {
		spec, from = strings.TrimSpace(getenv(envShards)), envShards
		if spec == "" {
			return sim.Shard{}, false, nil
		}
	}
	number := func(what, s string, lo, hi int) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%s: want a whole number from %d to %d, not %q", what, lo, hi, s)
		}
		return n, nil
	}
	bad := func(err error) (sim.Shard, bool, error) {
		return sim.Shard{}, false, fmt.Errorf("%s %s: %v", from, spec, err)
	}
	i, n := -1, 0
	switch is, ns, full := strings.Cut(spec, "/"); {
	case full:
		if n, err = number("the count N of I/N", ns, 1, shard.MaxShards); err != nil {
			return bad(err)
		}
		if i, err = number("the index I of I/N", is, 0, n-1); err != nil {
			return bad(err)
		}
	case spec == "auto":
		size := getenv(envBatchSize)
		if size == "" {
			return bad(fmt.Errorf("auto takes the count from %s, which is not set; give the count as --shard N or %s=N", envBatchSize, envShards))
		}
		if n, err = number(envBatchSize, size, 1, shard.MaxShards); err != nil {
			return bad(err)
		}
	default:
		if n, err = number("the count of shards", spec, 1, shard.MaxShards); err != nil {
			return bad(fmt.Errorf("%v; write I/N (0 <= I < N), or N with the index from %s or %s", err, envK8sIndex, envBatchIndex))
		}
	}
	if size := getenv(envBatchSize); size != "" && getenv(envBatchIndex) != "" && size != strconv.Itoa(n) {
		return bad(fmt.Errorf("%d shards, but the AWS Batch array job has %s=%s children", n, envBatchSize, size))
	}
	if i < 0 {
		k8s, batch := getenv(envK8sIndex), getenv(envBatchIndex)
		switch {
		case k8s != "" && batch != "" && k8s != batch:
			return bad(fmt.Errorf("%s=%s and %s=%s disagree on the shard's index", envK8sIndex, k8s, envBatchIndex, batch))
		case k8s != "":
			if i, err = number(envK8sIndex, k8s, 0, n-1); err != nil {
				return bad(err)
			}
		case batch != "":
			if i, err = number(envBatchIndex, batch, 0, n-1); err != nil {
				return bad(err)
			}
		default:
			return bad(fmt.Errorf("the shard's index is missing: write I/%d, or run as a Kubernetes Indexed Job (%s) or an AWS Batch array job (%s)", n, envK8sIndex, envBatchIndex))
		}
	}
	return sim.Shard{I: i, N: n}, true, nil
}

// shardOut is the report directory of a shard: --out when given, else one named after the shard,
// so that the shards of a run started in one directory do not overwrite each other.
func shardOut(fs *flagSet, out string, sh sim.Shard) string {
	if fs.isSet("out") {
		return out
	}
	return fmt.Sprintf("idcsim-shard-%d-of-%d", sh.I, sh.N)
}
