package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/sim"
)

// overrides are what the command line changed of the scenario. A shard's partial report records
// them, so that merge sets up the very run the shards ran.
type overrides struct {
	Seed         *uint64 `json:"seed,omitempty"`
	Replications *int    `json:"replications,omitempty"`
	Profile      string  `json:"profile,omitempty"`
}

// overrides returns the overrides of the flags given.
func (o *runOptions) overrides(fs *flagSet) overrides {
	var ov overrides
	if fs.isSet("seed") {
		ov.Seed = &o.seed
	}
	if fs.isSet("replications") {
		ov.Replications = &o.replications
	}
	ov.Profile = o.profile
	return ov
}

// apply changes the scenario as the overrides say.
func (ov overrides) apply(sc *sim.Scenario) error {
	if ov.Seed != nil {
		sc.Seed = *ov.Seed
	}
	if ov.Replications != nil {
		sc.Replications = *ov.Replications
	}
	if ov.Profile != "" {
		return applyProfile(sc, ov.Profile)
	}
	return nil
}

func (ov overrides) equal(o overrides) bool {
	a, _ := json.Marshal(ov)
	b, _ := json.Marshal(o)
	return bytes.Equal(a, b)
}

func (ov overrides) String() string {
	var parts []string
	if ov.Seed != nil {
		parts = append(parts, fmt.Sprintf("--seed %d", *ov.Seed))
	}
	if ov.Replications != nil {
		parts = append(parts, fmt.Sprintf("--replications %d", *ov.Replications))
	}
	if ov.Profile != "" {
		parts = append(parts, "--profile "+ov.Profile)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// maxScenarioBytes bounds the scenario files read here; scenarios.Parse refuses larger ones with
// its own message.
const maxScenarioBytes = 64 << 20

// loadScenario reads a scenario, from a file or a built-in example (example:NAME), and returns it
// with its source text.
func loadScenario(path string) (*sim.Scenario, []byte, error) {
	if name, ok := strings.CutPrefix(path, "example:"); ok {
		sc, err := scenarios.Load(path)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range scenarios.Examples() {
			if e.Name == name {
				return sc, e.Source, nil
			}
		}
		return nil, nil, fmt.Errorf("no built-in example %q", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxScenarioBytes+1))
	if err != nil {
		return nil, nil, err
	}
	sc, err := scenarios.Parse(path, src)
	if err != nil {
		return nil, nil, err
	}
	return sc, src, nil
}

// maxShards is the most shards a run may be split into.
const maxShards = 100000

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
		if n, err = number("the count N of I/N", ns, 1, maxShards); err != nil {
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
		if n, err = number(envBatchSize, size, 1, maxShards); err != nil {
			return bad(err)
		}
	default:
		if n, err = number("the count of shards", spec, 1, maxShards); err != nil {
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

// partialName is the file of a partial report that holds a shard's results; the scenario's source
// text sits beside it as partialSource.
const (
	partialName   = "partial.json"
	partialSource = "scenario.yaml"
)

// partialDoc is a shard's partial report: what merge needs to put the whole run together.
type partialDoc struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"` // run or sweep
	Note          string `json:"note"`
	Scenario      struct {
		// Path is the scenario as the command line named it: errors and warnings give it.
		Path   string `json:"path"`
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"scenario"`
	Overrides overrides `json:"overrides"`
	// Profile, Seed and Replications are those in force, after the overrides.
	Profile      string `json:"profile"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	Shard        struct {
		I int `json:"i"`
		N int `json:"n"`
	} `json:"shard"`
	// Results are a run's, for the replications of the shard.
	Results *sim.Results `json:"results,omitempty"`
	// Candidates are a sweep's, for the candidates of the shard.
	Candidates []partialCandidate `json:"candidates,omitempty"`
}

type partialCandidate struct {
	Index   int          `json:"index"`
	Name    string       `json:"name"`
	Results *sim.Results `json:"results"`
}

// newPartial starts a shard's partial report.
func newPartial(kind, path string, src []byte, sc *sim.Scenario, ov overrides, sh sim.Shard) *partialDoc {
	doc := &partialDoc{SchemaVersion: report.SchemaVersion, Kind: kind, Overrides: ov,
		Profile: sc.Profile.Name, Seed: sc.Seed, Replications: sc.Replications}
	doc.Note = fmt.Sprintf("shard %s of an idcsim %s; combine every shard's directory with idcsim merge", sh, kind)
	sum := sha256.Sum256(src)
	doc.Scenario.Path, doc.Scenario.Name, doc.Scenario.SHA256 = path, sc.Name, hex.EncodeToString(sum[:])
	doc.Shard.I, doc.Shard.N = sh.I, sh.N
	return doc
}

// write writes the partial report directory, partial.json and the scenario's source text, and
// returns report.WriteDir's warnings.
func (doc *partialDoc) write(dir string, src []byte) ([]string, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return report.WriteDir(dir, report.KindPartial, map[string][]byte{partialName: append(data, '\n'), partialSource: src})
}

// shardOut is the report directory of a shard: --out when given, else one named after the shard,
// so that the shards of a run started in one directory do not overwrite each other.
func shardOut(fs *flagSet, out string, sh sim.Shard) string {
	if fs.isSet("out") {
		return out
	}
	return fmt.Sprintf("idcsim-shard-%d-of-%d", sh.I, sh.N)
}
