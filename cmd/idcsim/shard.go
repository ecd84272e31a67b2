package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"idcsim/internal/buildinfo"
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
		return sc.SetProfile(ov.Profile)
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

// loadScenario reads a scenario, from a file or a built-in example (example:NAME), and returns it
// with its source text.
func loadScenario(path string) (*sim.Scenario, []byte, error) {
	return scenarios.LoadSource(path)
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

// partialVersion is the version of the format of partial.json.
const partialVersion = 2

// envShardKey is the environment variable that holds the key, shared by the shards and merge, of
// the shards' HMAC.
const envShardKey = "IDCSIM_SHARD_KEY"

// partialFile is the content of partial.json: a shard's partial report and the digests of its
// content, which is partialDoc as JSON (partialDoc.content).
type partialFile struct {
	partialDoc
	// ContentSHA256 is the SHA-256 of the content, in hex.
	ContentSHA256 string `json:"content_sha256"`
	// ContentHMAC is the HMAC-SHA256 of the content with the key of IDCSIM_SHARD_KEY, in hex,
	// when the key was set.
	ContentHMAC string `json:"content_hmac_sha256,omitempty"`
}

// partialDoc is a shard's partial report: what merge needs to put the whole run together and to
// check it against the scenario. Times and durations are whole nanoseconds from the start of the
// run, so that merged shards give the very results of a run without shards.
type partialDoc struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"` // run or sweep
	Note          string `json:"note"`
	// Build is the idcsim that ran the shard: merge takes shards of its own build only.
	Build    buildinfo.Info  `json:"build"`
	Scenario partialScenario `json:"scenario"`
	// Overrides are what the command line changed of the scenario.
	Overrides overrides `json:"overrides"`
	// Profile, Seed and Replications are those in force, after the overrides.
	Profile      string       `json:"profile"`
	Seed         uint64       `json:"seed"`
	Replications int          `json:"replications"`
	Shard        partialShard `json:"shard"`
	// Results are a run's, for the replications of the shard.
	Results *partialResults `json:"results,omitempty"`
	// Candidates are a sweep's, for the candidates of the shard, each with every replication.
	Candidates []partialCandidate `json:"candidates,omitempty"`
}

type partialScenario struct {
	// Path is the scenario as the command line named it: errors and warnings give it.
	Path string `json:"path"`
	Name string `json:"name"`
	// SHA256 is the digest of its source text, partialSource.
	SHA256 string `json:"sha256"`
}

type partialShard struct {
	I int `json:"i"`
	N int `json:"n"`
}

type partialCandidate struct {
	Index   int             `json:"index"`
	Name    string          `json:"name"`
	Results *partialResults `json:"results"`
}

// partialResults are the results of some replications of a run.
type partialResults struct {
	Replications []partialReplication `json:"replications"`
}

// partialReplication is what one replication produced (sim.Replication), with its offboardings.
type partialReplication struct {
	Index        int                  `json:"index"`
	Events       int64                `json:"events"`
	Counters     sim.Counters         `json:"counters"`
	Warnings     []string             `json:"warnings"`
	Offboardings []partialOffboarding `json:"offboardings"`
}

// partialOffboarding is a sim.Offboarding; its windows are keyed by the channels' names.
type partialOffboarding struct {
	User     string                   `json:"user"`
	AtNS     int64                    `json:"at_ns"`
	Playbook string                   `json:"playbook"`
	Windows  map[string]partialWindow `json:"windows"`
	Notes    []string                 `json:"notes"`
	Sessions []partialSpan            `json:"sessions"`
	Steps    []partialStep            `json:"steps"`
}

type partialWindow struct {
	LengthNS int64  `json:"length_ns"`
	Open     bool   `json:"open"`
	Evidence string `json:"evidence,omitempty"`
}

type partialSpan struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	StartNS int64  `json:"start_ns"`
	EndNS   int64  `json:"end_ns"`
	Open    bool   `json:"open"`
}

type partialStep struct {
	AtNS   int64  `json:"at_ns"`
	Action string `json:"action"`
}

// newPartial starts a shard's partial report.
func newPartial(kind, path string, src []byte, sc *sim.Scenario, ov overrides, sh sim.Shard) *partialDoc {
	doc := &partialDoc{SchemaVersion: partialVersion, Kind: kind, Build: buildinfo.Read(), Overrides: ov,
		Profile: sc.Profile.Name, Seed: sc.Seed, Replications: sc.Replications}
	doc.Note = fmt.Sprintf("shard %s of an idcsim %s; combine every shard's directory with idcsim merge", sh, kind)
	sum := sha256.Sum256(src)
	doc.Scenario = partialScenario{Path: path, Name: sc.Name, SHA256: hex.EncodeToString(sum[:])}
	doc.Shard = partialShard{I: sh.I, N: sh.N}
	return doc
}

// partialOf returns the results of a run, replication by replication, for a partial report.
func partialOf(res *sim.Results) *partialResults {
	pr := &partialResults{Replications: []partialReplication{}}
	offs := res.Offboardings
	for _, r := range res.Replications {
		pr.Replications = append(pr.Replications, partialReplication{Index: r.Index, Events: r.Events,
			Counters: r.Counters, Warnings: r.Warnings, Offboardings: []partialOffboarding{}})
		pe := &pr.Replications[len(pr.Replications)-1]
		for _, o := range offs[:r.Offboardings] {
			po := partialOffboarding{User: o.User, AtNS: int64(o.At), Playbook: o.Playbook,
				Windows: map[string]partialWindow{}, Notes: o.Notes}
			for c, w := range o.Windows {
				po.Windows[sim.Channel(c).String()] = partialWindow{LengthNS: int64(w.Length), Open: w.Open, Evidence: w.Evidence}
			}
			for _, s := range o.Sessions {
				po.Sessions = append(po.Sessions, partialSpan{Kind: s.Kind, Label: s.Label,
					StartNS: int64(s.Start), EndNS: int64(s.End), Open: s.Open})
			}
			for _, st := range o.Steps {
				po.Steps = append(po.Steps, partialStep{AtNS: int64(st.At), Action: st.Action})
			}
			pe.Offboardings = append(pe.Offboardings, po)
		}
		offs = offs[r.Offboardings:]
	}
	return pr
}

// parts returns the results, one sim.Results per replication, for sim.Merge; every offboarding
// must have a window on every channel.
func (pr *partialResults) parts(sc *sim.Scenario) []*sim.Results {
	var out []*sim.Results
	for _, r := range pr.Replications {
		res := &sim.Results{Scenario: sc, Events: r.Events, Counters: r.Counters, Warnings: r.Warnings,
			Replications: []sim.Replication{{Index: r.Index, Events: r.Events, Counters: r.Counters,
				Offboardings: len(r.Offboardings), Warnings: r.Warnings}}}
		for _, po := range r.Offboardings {
			o := sim.Offboarding{Replication: r.Index, User: po.User, At: time.Duration(po.AtNS),
				Playbook: po.Playbook, Notes: po.Notes}
			for c := range o.Windows {
				w := po.Windows[sim.Channel(c).String()]
				o.Windows[c] = sim.Window{Length: time.Duration(w.LengthNS), Open: w.Open, Evidence: w.Evidence}
			}
			for _, s := range po.Sessions {
				o.Sessions = append(o.Sessions, sim.Span{Kind: s.Kind, Label: s.Label,
					Start: time.Duration(s.StartNS), End: time.Duration(s.EndNS), Open: s.Open})
			}
			for _, st := range po.Steps {
				o.Steps = append(o.Steps, sim.StepMark{At: time.Duration(st.AtNS), Action: st.Action})
			}
			res.Offboardings = append(res.Offboardings, o)
		}
		out = append(out, res)
	}
	return out
}

// offboardings counts the offboardings of the results.
func (pr *partialResults) offboardings() int {
	n := 0
	for _, r := range pr.Replications {
		n += len(r.Offboardings)
	}
	return n
}

// content is what the digests of a partial report cover: everything in it but themselves,
// the digest of the scenario's source text included.
func (doc *partialDoc) content() ([]byte, error) {
	return json.Marshal(doc)
}

// seal returns the partial report with the digests of its content: its SHA-256 and, with a key,
// its HMAC-SHA256.
func (doc *partialDoc) seal(key []byte) (*partialFile, error) {
	content, err := doc.content()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	f := &partialFile{partialDoc: *doc, ContentSHA256: hex.EncodeToString(sum[:])}
	if key != nil {
		f.ContentHMAC = hex.EncodeToString(contentHMAC(key, content))
	}
	return f, nil
}

// contentHMAC returns the HMAC-SHA256 of a partial report's content with key.
func contentHMAC(key, content []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(content)
	return m.Sum(nil)
}

// write writes the partial report directory: partial.json, sealed with the key of
// IDCSIM_SHARD_KEY when it is set, and the scenario's source text; it returns report.WriteDir's
// warnings.
func (doc *partialDoc) write(dir string, src []byte) ([]string, error) {
	f, err := doc.seal(shardKey())
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return report.WriteDir(dir, report.KindPartial, map[string][]byte{partialName: append(data, '\n'), partialSource: src})
}

// what says what the partial report holds.
func (doc *partialDoc) what() string {
	if doc.Results != nil {
		return fmt.Sprintf("%d offboardings", doc.Results.offboardings())
	}
	return fmt.Sprintf("%d candidates", len(doc.Candidates))
}

// shardOut is the report directory of a shard: --out when given, else one named after the shard,
// so that the shards of a run started in one directory do not overwrite each other.
func shardOut(fs *flagSet, out string, sh sim.Shard) string {
	if fs.isSet("out") {
		return out
	}
	return fmt.Sprintf("idcsim-shard-%d-of-%d", sh.I, sh.N)
}
