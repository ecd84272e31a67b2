// Package shard reads and writes the partial reports of sharded runs and sweeps, and merges them.
package shard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"idcsim/internal/buildinfo"
	"idcsim/report"
	"idcsim/sim"
)

// Kinds of partial report: a shard of a run or of a sweep.
const (
	KindRun   = "run"
	KindSweep = "sweep"
)

// What the shards of a run or sweep share out: a run's replications or its people (a run of one
// replication), a sweep's candidates.
const (
	SplitReplications = "replications"
	SplitPeople       = "people"
	SplitCandidates   = "candidates"
)

// MaxShards is the most shards a run may be split into.
const MaxShards = 100000

// Overrides are what the command line changed of the scenario. A shard's partial report records
// them, so that merge sets up the very run the shards ran.
type Overrides struct {
	Seed         *uint64 `json:"seed,omitempty"`
	Replications *int    `json:"replications,omitempty"`
	Profile      string  `json:"profile,omitempty"`
}

// Equal says whether the overrides are the same.
func (ov Overrides) Equal(o Overrides) bool {
	return equalPtr(ov.Seed, o.Seed) && equalPtr(ov.Replications, o.Replications) && ov.Profile == o.Profile
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// String returns the overrides as the flags that give them, or "none".
func (ov Overrides) String() string {
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

// FileName is the file of a partial report directory that holds a shard's results; the
// scenario's source text sits beside it as scenario.yaml (sourceName).
const (
	FileName   = "partial.json"
	sourceName = "scenario.yaml"
)

// formatVersion is the version of the format of partial.json.
const formatVersion = 3

// KeyEnv is the environment variable that holds the key, shared by the shards and merge, of
// the shards' HMAC.
const KeyEnv = "IDCSIM_SHARD_KEY"

// File is the content of partial.json: a shard's partial report and the digests of its
// content, which is the Doc as JSON.
type File struct {
	Doc
	// ContentSHA256 is the SHA-256 of the content, in hex.
	ContentSHA256 string `json:"content_sha256"`
	// ContentHMAC is the HMAC-SHA256 of the content with the key of IDCSIM_SHARD_KEY, in hex,
	// when the key was set.
	ContentHMAC string `json:"content_hmac_sha256,omitempty"`
}

// Doc is a shard's partial report: what merge needs to put the whole run together and to
// check it against the scenario. Times and durations are whole nanoseconds from the start of the
// run, so that merged shards give the very results of a run without shards.
type Doc struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"` // run or sweep
	// Split is what the shards share out: SplitReplications, SplitPeople or SplitCandidates.
	Split string `json:"split"`
	Note  string `json:"note"`
	// Build is the idcsim that ran the shard: merge takes shards of its own build only.
	Build    buildinfo.Info `json:"build"`
	Scenario ScenarioRef    `json:"scenario"`
	// Overrides are what the command line changed of the scenario.
	Overrides Overrides `json:"overrides"`
	// Profile, Seed and Replications are those in force, after the overrides.
	Profile      string   `json:"profile"`
	Seed         uint64   `json:"seed"`
	Replications int      `json:"replications"`
	Shard        Position `json:"shard"`
	// Results are a run's, for the replications of the shard.
	Results *Results `json:"results,omitempty"`
	// Candidates are a sweep's, for the candidates of the shard, each with every replication.
	Candidates []Candidate `json:"candidates,omitempty"`

	src []byte // the scenario's source text, written beside partial.json
}

// ScenarioRef names the scenario of a shard.
type ScenarioRef struct {
	// Path is the scenario as the command line named it: errors and warnings give it.
	Path string `json:"path"`
	Name string `json:"name"`
	// SHA256 is the digest of its source text, sourceName.
	SHA256 string `json:"sha256"`
}

// Position is the shard's index I and the number of shards N of its run.
type Position struct {
	I int `json:"i"`
	N int `json:"n"`
}

// Candidate is the results of one candidate of a sweep, its Index in the sweep's list.
type Candidate struct {
	Index   int      `json:"index"`
	Name    string   `json:"name"`
	Results *Results `json:"results"`
}

// Results are the results of some replications of a run.
type Results struct {
	Replications []Replication `json:"replications"`
}

// Replication is what one replication produced (sim.Replication), with its offboardings.
type Replication struct {
	Index        int           `json:"index"`
	Events       int64         `json:"events"`
	Counters     sim.Counters  `json:"counters"`
	Warnings     []string      `json:"warnings"`
	Offboardings []Offboarding `json:"offboardings"`
}

// Offboarding is a sim.Offboarding; its windows are keyed by the channels' names.
type Offboarding struct {
	User     string            `json:"user"`
	AtNS     int64             `json:"at_ns"`
	Playbook string            `json:"playbook"`
	Windows  map[string]Window `json:"windows"`
	Notes    []string          `json:"notes"`
	Sessions []Span            `json:"sessions"`
	Steps    []Step            `json:"steps"`
}

// Window is a sim.Window.
type Window struct {
	LengthNS int64  `json:"length_ns"`
	Open     bool   `json:"open"`
	Evidence string `json:"evidence,omitempty"`
}

// Span is a sim.Span.
type Span struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	StartNS int64  `json:"start_ns"`
	EndNS   int64  `json:"end_ns"`
	Open    bool   `json:"open"`
}

// Step is a sim.StepMark.
type Step struct {
	AtNS   int64  `json:"at_ns"`
	Action string `json:"action"`
}

// newDoc starts a shard's partial report of the scenario at path, whose source text is src, as
// set up with the overrides.
func newDoc(kind, path string, src []byte, sc *sim.Scenario, ov Overrides, sh sim.Shard) *Doc {
	doc := &Doc{SchemaVersion: formatVersion, Kind: kind, Split: SplitReplications, Build: buildinfo.Read(), Overrides: ov,
		Profile: sc.Profile.Name, Seed: sc.Seed, Replications: sc.Replications, src: src}
	switch {
	case kind == KindSweep:
		doc.Split = SplitCandidates
	case sh.People:
		doc.Split = SplitPeople
	}
	doc.Note = fmt.Sprintf("shard %s of the %s of an idcsim %s; combine every shard's directory with idcsim merge", sh, doc.Split, kind)
	sum := sha256.Sum256(src)
	doc.Scenario = ScenarioRef{Path: path, Name: sc.Name, SHA256: hex.EncodeToString(sum[:])}
	doc.Shard = Position{I: sh.I, N: sh.N}
	return doc
}

// NewRun returns the partial report of shard sh of a run: res, the results of its replications
// (or, when sh shares out the people, of the shard's people in the run's one replication),
// of the scenario sc at path, whose source text is src, as set up with the overrides ov.
func NewRun(path string, src []byte, sc *sim.Scenario, ov Overrides, sh sim.Shard, res *sim.Results) *Doc {
	doc := newDoc(KindRun, path, src, sc, ov, sh)
	doc.Results = resultsOf(res)
	return doc
}

// NewSweep returns the partial report of shard sh of a sweep: results holds the results of the
// candidates cands that the shard ran, nil for the others.
func NewSweep(path string, src []byte, sc *sim.Scenario, ov Overrides, sh sim.Shard, cands []sim.Candidate, results []*sim.Results) *Doc {
	doc := newDoc(KindSweep, path, src, sc, ov, sh)
	doc.Candidates = []Candidate{}
	for i, r := range results {
		if r != nil {
			doc.Candidates = append(doc.Candidates, Candidate{Index: i, Name: cands[i].String(), Results: resultsOf(r)})
		}
	}
	return doc
}

// resultsOf returns the results of a run, replication by replication, for a partial report.
func resultsOf(res *sim.Results) *Results {
	pr := &Results{Replications: []Replication{}}
	offs := res.Offboardings
	for _, r := range res.Replications {
		pr.Replications = append(pr.Replications, Replication{Index: r.Index, Events: r.Events,
			Counters: r.Counters, Warnings: r.Warnings, Offboardings: []Offboarding{}})
		pe := &pr.Replications[len(pr.Replications)-1]
		for _, o := range offs[:r.Offboardings] {
			po := Offboarding{User: o.User, AtNS: int64(o.At), Playbook: o.Playbook,
				Windows: map[string]Window{}, Notes: o.Notes}
			for c, w := range o.Windows {
				po.Windows[sim.Channel(c).String()] = Window{LengthNS: int64(w.Length), Open: w.Open, Evidence: w.Evidence}
			}
			for _, s := range o.Sessions {
				po.Sessions = append(po.Sessions, Span{Kind: s.Kind, Label: s.Label,
					StartNS: int64(s.Start), EndNS: int64(s.End), Open: s.Open})
			}
			for _, st := range o.Steps {
				po.Steps = append(po.Steps, Step{AtNS: int64(st.At), Action: st.Action})
			}
			pe.Offboardings = append(pe.Offboardings, po)
		}
		offs = offs[r.Offboardings:]
	}
	return pr
}

// parts returns the results, one sim.Results per replication, for sim.Merge; every offboarding
// must have a window on every channel.
func (pr *Results) parts(sc *sim.Scenario) []*sim.Results {
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
func (pr *Results) offboardings() int {
	n := 0
	for _, r := range pr.Replications {
		n += len(r.Offboardings)
	}
	return n
}

// content is what the digests of a partial report cover: everything in it but themselves,
// the digest of the scenario's source text included.
func (doc *Doc) content() ([]byte, error) {
	return json.Marshal(doc)
}

// Seal returns the partial report with the digests of its content: its SHA-256 and, with a key,
// its HMAC-SHA256.
func (doc *Doc) Seal(key []byte) (*File, error) {
	content, err := doc.content()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	f := &File{Doc: *doc, ContentSHA256: hex.EncodeToString(sum[:])}
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

// Write writes the partial report directory dir: partial.json, sealed with key when it is not nil
// (the key of KeyEnv), and the scenario's source text; it returns report.WriteDir's warnings.
// Its errors are report.WriteDir's.
func (doc *Doc) Write(dir string, key []byte) ([]string, error) {
	f, err := doc.Seal(key)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return report.WriteDir(dir, report.KindPartial, map[string][]byte{FileName: append(data, '\n'), sourceName: doc.src})
}

// What says what the partial report holds: its offboardings or candidates.
func (doc *Doc) What() string {
	if doc.Results != nil {
		return fmt.Sprintf("%d offboardings", doc.Results.offboardings())
	}
	return fmt.Sprintf("%d candidates", len(doc.Candidates))
}
