package shard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"idcsim/internal/buildinfo"
	"idcsim/internal/strictjson"
	"idcsim/scenarios"
)

// maxPartialBytes bounds the partial.json that merge reads: 2 GiB. A partial report takes about
// 1.5 kB an offboarding (measured on the default example, whose replications offboard 9 people):
// a shard of 100,000 replications of it, the most a scenario may ask for, takes about 1.4 GB.
const maxPartialBytes = 2 << 30

// maxSourceBytes bounds the scenario.yaml that merge reads: the largest scenario file.
const maxSourceBytes = scenarios.MaxFileSize

// Limits of the values of a partial report.
const (
	maxReplications = scenarios.MaxReplications // replications of a run, as the scenario format allows
	// maxCount bounds the events and each counter of a replication, so that their sums over
	// maxReplications cannot overflow.
	maxCount = math.MaxInt64 / maxReplications
	// maxErrors is the most problems merge reports at once.
	maxErrors = 20
)

// An Error reports partial reports that are bad input: not in the format, changed after they were
// written, or not the shards of one run of their scenario. Err holds every problem found, up to
// 20, each with its file and, inside partial.json, its JSON path.
type Error struct {
	Err error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the problems.
func (e *Error) Unwrap() error { return e.Err }

// inputf returns an *Error of the message.
func inputf(format string, args ...any) error {
	return &Error{Err: fmt.Errorf(format, args...)}
}

// problems gathers what is wrong with the shards, up to maxErrors.
type problems struct {
	errs []error
	more int // left out
}

// add records a problem at a place: a file and the JSON path in it.
func (p *problems) add(file, path, format string, args ...any) {
	if len(p.errs) == maxErrors {
		p.more++
		return
	}
	if path != "" {
		file += ": " + path
	}
	p.errs = append(p.errs, inputf("%s: %s", file, fmt.Sprintf(format, args...)))
}

// count is the number of problems found.
func (p *problems) count() int { return len(p.errs) + p.more }

// err returns the problems as one error, nil when there are none.
func (p *problems) err() error {
	errs := p.errs
	if p.more > 0 {
		errs = append(errs, inputf("and %d more problems", p.more))
	}
	return errors.Join(errs...)
}

// part is one shard's partial report as read from its directory.
type part struct {
	dir string
	doc Doc
	src []byte
}

// file is the shard's partial.json, for messages.
func (p *part) file() string { return filepath.Join(p.dir, FileName) }

// partialDirs lists the partial report directories the arguments name: each is one, or holds
// them as subdirectories (hidden ones, which are reports still being written, left out).
func partialDirs(args []string) ([]string, error) {
	var dirs []string
	var errs []error
	for _, a := range args {
		if isFile(filepath.Join(a, FileName)) {
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
			if d := filepath.Join(a, e.Name()); e.IsDir() && !strings.HasPrefix(e.Name(), ".") && isFile(filepath.Join(d, FileName)) {
				dirs = append(dirs, d)
				n++
			}
		}
		if n == 0 {
			errs = append(errs, inputf("%s holds no %s, nor do its subdirectories: it is no shard's partial report (idcsim run --shard, idcsim sweep --shard)", a, FileName))
		}
	}
	return dirs, errors.Join(errs...)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// Set is the partial reports of every shard of one run or sweep, in the order of their shards.
type Set struct {
	parts []*part
}

// Kind is the kind of the shards: KindRun or KindSweep.
func (s *Set) Kind() string { return s.parts[0].doc.Kind }

// Path is the scenario as the shards' command line named it (the same in every shard).
func (s *Set) Path() string { return s.parts[0].doc.Scenario.Path }

// Read reads the partial reports in dirs, each a partial report directory or a directory whose
// subdirectories are partial reports (hidden ones, reports still being written, left out), and
// checks that they are the shards of one run, each once and none missing, written by this build.
// Each partial.json is read strictly and checked against its digests; with a key, its HMAC must
// verify with the key, and without one it must carry none.
//
// Problems with the partial reports are an *Error; a failure to read a file is an *fs.PathError.
func Read(dirs []string, key []byte) (*Set, error) {
	args := dirs
	dirs, err := partialDirs(args)
	if err != nil {
		return nil, err
	}
	if err := checkPartialsSize(dirs); err != nil {
		return nil, err
	}
	var parts []*part
	var errs []error
	for _, dir := range dirs {
		p, err := readPartial(dir, key)
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
	byShard := map[int]*part{}
	for _, p := range parts {
		d := &p.doc
		switch {
		case d.Build != fd.Build:
			errs = append(errs, inputf("%s was written by idcsim %s, %s by idcsim %s: results may differ between builds; run every shard with one build",
				p.dir, d.Build, first.dir, fd.Build))
		case d.Kind != fd.Kind:
			errs = append(errs, inputf("%s is a shard of a %s, %s of a %s", p.dir, d.Kind, first.dir, fd.Kind))
		case d.Split != fd.Split:
			errs = append(errs, inputf("%s is a shard of the %s of its run, %s of the %s: the shards of one run share out the same", p.dir, d.Split, first.dir, fd.Split))
		case d.Scenario.SHA256 != fd.Scenario.SHA256:
			errs = append(errs, inputf("%s ran another scenario than %s: %s (sha256 %.12s) and %s (sha256 %.12s)",
				p.dir, first.dir, d.Scenario.Path, d.Scenario.SHA256, fd.Scenario.Path, fd.Scenario.SHA256))
		case d.Scenario.Path != fd.Scenario.Path:
			errs = append(errs, inputf("%s ran the scenario as %s, %s as %s: its messages would differ; run every shard with the same scenario argument",
				p.dir, d.Scenario.Path, first.dir, fd.Scenario.Path))
		case !d.Overrides.Equal(fd.Overrides):
			errs = append(errs, inputf("%s ran with overrides %s, %s with %s", p.dir, d.Overrides, first.dir, fd.Overrides))
		case d.Shard.N != fd.Shard.N:
			errs = append(errs, inputf("%s is shard %d/%d, %s shard %d/%d: the shards of one run share N",
				p.dir, d.Shard.I, d.Shard.N, first.dir, fd.Shard.I, fd.Shard.N))
		case byShard[d.Shard.I] != nil:
			errs = append(errs, inputf("shard %d/%d appears twice: %s and %s", d.Shard.I, d.Shard.N, byShard[d.Shard.I].dir, p.dir))
		default:
			byShard[d.Shard.I] = p
		}
	}
	if own := buildinfo.Read(); len(errs) == 0 && fd.Build != own {
		errs = append(errs, inputf("%s was written by idcsim %s, but this is idcsim %s: results may differ between builds; merge with the build that ran the shards",
			first.dir, fd.Build, own))
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
		return nil, inputf("shards %s of %d are missing (have %d of them); merge needs every shard of the run", abbreviate(missing), fd.Shard.N, len(byShard))
	}
	out := make([]*part, fd.Shard.N)
	for i, p := range byShard {
		out[i] = p
	}
	return &Set{parts: out}, nil
}

// checkPartialsSize refuses, before reading any, more partial reports than a run may have shards,
// or partial.json files larger together than maxPartialBytes: merge holds them all in memory, and
// the whole run or sweep could not be larger than one partial report may be.
func checkPartialsSize(dirs []string) error {
	if len(dirs) > MaxShards {
		return inputf("%d partial reports, more than the %d shards a run may have", len(dirs), MaxShards)
	}
	var total int64
	for _, dir := range dirs {
		if fi, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
			total += fi.Size()
		}
	}
	if total > maxPartialBytes {
		return inputf("the %d partial reports hold %d bytes of %s together, more than the %d GiB merge reads", len(dirs), total, FileName, maxPartialBytes>>30)
	}
	return nil
}

// readPartial reads one partial report directory: its partial.json, strictly, checked against its
// digests, and the scenario's source text, checked against its digest in partial.json.
func readPartial(dir string, key []byte) (*part, error) {
	file := filepath.Join(dir, FileName)
	data, err := readFileMax(file, maxPartialBytes)
	if err != nil {
		return nil, err
	}
	f, err := parsePartial(file, data)
	if err != nil {
		return nil, err
	}
	if err := f.verify(file, key); err != nil {
		return nil, err
	}
	p := &part{dir: dir, doc: f.Doc}
	if p.src, err = readFileMax(filepath.Join(dir, sourceName), maxSourceBytes); err != nil {
		return nil, fmt.Errorf("%s: the scenario's source text: %w", dir, err)
	}
	sum := sha256.Sum256(p.src)
	if hex.EncodeToString(sum[:]) != f.Scenario.SHA256 {
		return nil, inputf("%s: %s does not match the digest in %s ($.scenario.sha256): the partial report was changed", dir, sourceName, FileName)
	}
	return p, nil
}

// readFileMax reads a file of at most max bytes.
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooLarge := inputf("%s is larger than %d bytes, the most idcsim reads", path, max)
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, tooLarge
	}
	return data, nil
}

// parsePartial decodes partial.json strictly and checks what needs no scenario: its version,
// kind, shard, replications and overrides.
func parsePartial(file string, data []byte) (*File, error) {
	var f File
	if err := strictjson.Unmarshal(data, &f); err != nil {
		// a partial report of another version says so rather than how its format differs
		var v struct {
			SchemaVersion int `json:"schema_version"`
		}
		if json.Unmarshal(data, &v) == nil && v.SchemaVersion != formatVersion {
			return nil, versionError(file, v.SchemaVersion)
		}
		var list strictjson.ErrorList
		if !errors.As(err, &list) {
			return nil, inputf("%s: %v", file, err)
		}
		errs := make([]error, len(list))
		for i, e := range list {
			errs[i] = inputf("%s: %v", file, e)
		}
		return nil, errors.Join(errs...)
	}
	if f.SchemaVersion != formatVersion {
		return nil, versionError(file, f.SchemaVersion)
	}
	var p problems
	switch f.Kind {
	case "run":
		if f.Results == nil {
			p.add(file, "$.results", "missing: a shard of a run holds its results")
		}
		if f.Candidates != nil {
			p.add(file, "$.candidates", "a shard of a run holds no candidates")
		}
		switch {
		case f.Split != SplitReplications && f.Split != SplitPeople:
			p.add(file, "$.split", "%q, want %s or %s for a shard of a run", f.Split, SplitReplications, SplitPeople)
		case f.Split == SplitPeople && f.Replications != 1:
			p.add(file, "$.split", "%s, but the run has %d replications: a run is shared out by people only with one", f.Split, f.Replications)
		}
	case "sweep":
		if f.Results != nil {
			p.add(file, "$.results", "a shard of a sweep holds its results under candidates")
		}
		if f.Split != SplitCandidates {
			p.add(file, "$.split", "%q, want %s for a shard of a sweep", f.Split, SplitCandidates)
		}
	default:
		p.add(file, "$.kind", "%q, want run or sweep", f.Kind)
	}
	if f.Shard.N < 1 || f.Shard.N > MaxShards {
		p.add(file, "$.shard.n", "%d shards, want 1 to %d", f.Shard.N, MaxShards)
	} else if f.Shard.I < 0 || f.Shard.I >= f.Shard.N {
		p.add(file, "$.shard.i", "shard %d of %d, want 0 to %d", f.Shard.I, f.Shard.N, f.Shard.N-1)
	}
	if f.Replications < 1 || f.Replications > maxReplications {
		p.add(file, "$.replications", "%d, want 1 to %d", f.Replications, maxReplications)
	}
	if r := f.Overrides.Replications; r != nil && (*r < 1 || *r > maxReplications) {
		p.add(file, "$.overrides.replications", "%d, want 1 to %d", *r, maxReplications)
	}
	return &f, p.err()
}

func versionError(file string, version int) error {
	return inputf("%s: $.schema_version: %d, but this idcsim reads partial reports of version %d: run the shards with this idcsim", file, version, formatVersion)
}

// verify checks the partial report's digests against its content; with a key, its HMAC must
// verify, and without one it must carry none. The key is never shown.
func (f *File) verify(file string, key []byte) error {
	content, err := f.content()
	if err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	sum := sha256.Sum256(content)
	if f.ContentSHA256 != hex.EncodeToString(sum[:]) {
		return inputf("%s: $.content_sha256 does not match the content: the partial report was changed after it was written", file)
	}
	switch {
	case key == nil && f.ContentHMAC != "":
		return inputf("%s: $.content_hmac_sha256: the shard was written with a key, which merge cannot check without it: set %s to the shards' key", file, KeyEnv)
	case key != nil && f.ContentHMAC == "":
		return inputf("%s: $.content_hmac_sha256: missing, but %s is set: the shard was written without the key; run it with %s set, as merge is", file, KeyEnv, KeyEnv)
	case key != nil:
		mac, err := hex.DecodeString(f.ContentHMAC)
		if err != nil || !hmac.Equal(mac, contentHMAC(key, content)) {
			return inputf("%s: $.content_hmac_sha256 does not verify with the key of %s: the shard was written with another key, or changed after it was written", file, KeyEnv)
		}
	}
	return nil
}
