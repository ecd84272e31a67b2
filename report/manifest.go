package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"idcsim/internal/buildinfo"
)

// The kinds of report directory that WriteDir writes, as their manifests record them.
const (
	KindRun     = "run"     // the report of a run (results.json)
	KindSweep   = "sweep"   // the report of a sweep (sweep.json)
	KindPartial = "partial" // a shard's partial report (partial.json)
	KindTrail   = "trail"   // what idcsim trail read of CloudTrail (trail.json), with its run
)

// kinds are the kinds of report directory, in the order messages list them.
var kinds = []string{KindRun, KindSweep, KindPartial, KindTrail}

// Names of the bookkeeping files of a report directory. The manifest is written last and lists
// every other file with its size and SHA-256 digest; the pending list is written first, while the
// report is being put together under a temporary name, and lists every name it will hold.
const (
	manifestName = ".idcsim-manifest.json"
	pendingName  = ".idcsim-pending.json"
)

// maxReportEntries bounds the files and directories of a report, bookkeeping included: WriteDir
// writes no more, and checks no more of a directory it is to replace. It is a variable for tests.
var maxReportEntries = 4096

// maxManifestBytes bounds a manifest or pending list.
const maxManifestBytes = 2 << 20

// manifest is what .idcsim-manifest.json holds.
type manifest struct {
	Tool  string         `json:"tool"`
	Build manifestBuild  `json:"build"`
	Kind  string         `json:"kind"`
	Files []manifestFile `json:"files"`
}

type manifestBuild struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
}

type manifestFile struct {
	Name   string `json:"name"` // a slash-separated path inside the report
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// pendingList is what .idcsim-pending.json holds.
type pendingList struct {
	Tool string `json:"tool"`
	// Names are every file the directory is to hold, the bookkeeping files included.
	Names []string `json:"names"`
}

const toolName = "idcsim"

// newManifest returns the manifest of a report of the kind with the files, whose names are sorted.
func newManifest(kind string, names []string, files map[string][]byte) *manifest {
	b := buildinfo.Read()
	m := &manifest{Tool: toolName, Build: manifestBuild{b.Version, b.Revision}, Kind: kind, Files: []manifestFile{}}
	for _, name := range names {
		sum := sha256.Sum256(files[name])
		m.Files = append(m.Files, manifestFile{name, int64(len(files[name])), hex.EncodeToString(sum[:])})
	}
	return m
}

// names returns the names of the manifest's files.
func (m *manifest) names() []string {
	names := make([]string, len(m.Files))
	for i, f := range m.Files {
		names[i] = f.Name
	}
	return names
}

// encodeBookkeeping gives a manifest or pending list as written: indented JSON and a newline.
func encodeBookkeeping(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	if len(data) >= maxManifestBytes {
		return nil, fmt.Errorf("the report's manifest would take %d bytes, more than the %d idcsim reads back", len(data), maxManifestBytes)
	}
	return append(data, '\n'), nil
}

// parseManifest decodes and checks a manifest.
func parseManifest(data []byte) (*manifest, error) {
	var m manifest
	if err := decodeStrict(data, &m); err != nil {
		return nil, err
	}
	switch {
	case m.Tool != toolName:
		return nil, fmt.Errorf("tool is %q, not %q", m.Tool, toolName)
	case !slices.Contains(kinds, m.Kind):
		return nil, fmt.Errorf("kind is %q, not one of %s", m.Kind, strings.Join(kinds, ", "))
	}
	for _, f := range m.Files {
		if _, err := hex.DecodeString(f.SHA256); err != nil || len(f.SHA256) != 2*sha256.Size || strings.ToLower(f.SHA256) != f.SHA256 {
			return nil, fmt.Errorf("file %q: sha256 %q is not 64 lower-case hexadecimal digits", f.Name, f.SHA256)
		}
		if f.Size < 0 {
			return nil, fmt.Errorf("file %q: size %d", f.Name, f.Size)
		}
	}
	if err := checkTreeNames(m.names(), false); err != nil {
		return nil, err
	}
	return &m, nil
}

// parsePending decodes and checks a pending list.
func parsePending(data []byte) (*pendingList, error) {
	var p pendingList
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	if p.Tool != toolName {
		return nil, fmt.Errorf("tool is %q, not %q", p.Tool, toolName)
	}
	if err := checkTreeNames(p.Names, true); err != nil {
		return nil, err
	}
	return &p, nil
}

// checkTreeNames checks the names of the files of a report: sorted, each once, each a clean
// slash-separated path inside the report, none a directory of another, no more than a report
// holds. The bookkeeping files are among them only when bookkeeping is set, and then at the top.
func checkTreeNames(names []string, bookkeeping bool) error {
	dirs := neededDirs(names)
	entries := len(names) + len(dirs)
	if !bookkeeping {
		entries += 2 // the manifest and, while it is written, the pending list
	}
	if entries > maxReportEntries {
		return fmt.Errorf("%d files in %d directories, more than the %d entries of a report", len(names), len(dirs), maxReportEntries)
	}
	for i, name := range names {
		if err := checkName(name); err != nil {
			return err
		}
		if i > 0 && names[i-1] >= name {
			return fmt.Errorf("file %q is out of order or repeated", name)
		}
		if dirs[name] {
			return fmt.Errorf("%q is both a file and a directory", name)
		}
		if !bookkeeping && isBookkeeping(path.Base(name)) {
			return fmt.Errorf("file %q bears the name of idcsim's bookkeeping", name)
		}
	}
	return nil
}

// checkName checks the name of a file of a report: a clean slash-separated path inside it.
func checkName(name string) error {
	if path.Clean(name) != name || strings.Contains(name, "\\") || !filepath.IsLocal(filepath.FromSlash(name)) {
		return fmt.Errorf("file name %q is not a clean slash-separated path inside the report", name)
	}
	return nil
}

func isBookkeeping(name string) bool { return name == manifestName || name == pendingName }

// neededDirs returns the directories that the named files need, as slash-separated paths.
func neededDirs(names []string) map[string]bool {
	dirs := map[string]bool{}
	for _, name := range names {
		for d := path.Dir(name); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	return dirs
}

// decodeStrict decodes one JSON value into v: no unknown field, no key twice in an object (nor
// twice but for case, as encoding/json matches field names), nothing after the value.
func decodeStrict(data []byte, v any) error {
	if err := checkDuplicateKeys(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// checkDuplicateKeys returns an error when an object in data has a key twice, ignoring case.
func checkDuplicateKeys(data []byte) error {
	type frame struct {
		keys     map[string]bool // nil for an array
		needsKey bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1].needsKey {
			top := stack[n-1]
			if tok == json.Delim('}') {
				stack = stack[:n-1]
			} else {
				key := strings.ToLower(tok.(string))
				if top.keys[key] {
					return fmt.Errorf("key %q appears twice in an object", tok)
				}
				top.keys[key] = true
				top.needsKey = false
				continue
			}
		} else {
			switch tok {
			case json.Delim('{'):
				stack = append(stack, &frame{keys: map[string]bool{}, needsKey: true})
				continue
			case json.Delim('['):
				stack = append(stack, &frame{})
				continue
			case json.Delim(']'), json.Delim('}'):
				stack = stack[:len(stack)-1]
			}
		}
		// A value is complete: an object that holds it wants a key next.
		if n := len(stack); n > 0 && stack[n-1].keys != nil {
			stack[n-1].needsKey = true
		}
	}
}

// readBookkeeping reads the bookkeeping file name of the directory dir: nil when there is none.
// what is wrong with it (not a regular file, too large) is returned as a reason.
func readBookkeeping(dir, name string) (data []byte, reason string, err error) {
	p := filepath.Join(dir, name)
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, "", nil
	case err != nil:
		return nil, "", err
	case !fi.Mode().IsRegular():
		return nil, fmt.Sprintf("%s is not a regular file", p), nil
	case fi.Size() > maxManifestBytes:
		return nil, fmt.Sprintf("%s is larger than %d bytes, more than idcsim writes", p, maxManifestBytes), nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > maxManifestBytes {
		return nil, fmt.Sprintf("%s is larger than %d bytes, more than idcsim writes", p, maxManifestBytes), nil
	}
	return data, "", nil
}

// treeEntry is a file or directory found under a directory.
type treeEntry struct {
	name string      // slash-separated path inside the directory
	typ  os.FileMode // the type bits
}

// errTooManyEntries says a directory holds more entries than a report.
var errTooManyEntries = errors.New("too many entries")

// listTree lists what the directory root holds, in name order, descending into the directories
// that descend says to; it stops with errTooManyEntries past maxReportEntries entries.
func listTree(root string, descend func(name string) bool) ([]treeEntry, error) {
	var out []treeEntry
	var walk func(rel string) error
	walk = func(rel string) error {
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		var here []treeEntry
		for {
			entries, err := f.ReadDir(256)
			for _, e := range entries {
				here = append(here, treeEntry{path.Join(rel, e.Name()), e.Type()})
			}
			if len(out)+len(here) > maxReportEntries {
				f.Close()
				return errTooManyEntries
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return err
			}
		}
		f.Close()
		slices.SortFunc(here, func(a, b treeEntry) int { return strings.Compare(a.name, b.name) })
		for _, e := range here {
			out = append(out, e)
			if e.typ.IsDir() && descend(e.name) {
				if err := walk(e.name); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(".")
}

// maxProblems bounds what is wrong that a refusal lists.
const maxProblems = 10

// verifyReport checks that the directory dir holds a report that idcsim wrote: a valid manifest and
// exactly the files it lists, with their sizes and digests, and the directories they need. It
// returns what is wrong (nothing when dir is such a report; at most maxProblems and a last line
// saying there is more) and the names of the files; err is a failure to read.
func verifyReport(dir string) (names []string, problems []string, err error) {
	data, reason, err := readBookkeeping(dir, manifestName)
	switch {
	case err != nil:
		return nil, nil, err
	case reason != "":
		return nil, []string{reason + ": it is not a manifest idcsim wrote"}, nil
	case data == nil:
		return noManifest(dir)
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s is not a manifest idcsim wrote: %v", filepath.Join(dir, manifestName), err)}, nil
	}
	names = m.names()
	dirs := neededDirs(names)
	entries, err := listTree(dir, func(name string) bool { return dirs[name] })
	if errors.Is(err, errTooManyEntries) {
		return nil, []string{fmt.Sprintf("%s holds more than %d entries, more than any report idcsim writes", dir, maxReportEntries)}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	listed := map[string]manifestFile{}
	for _, f := range m.Files {
		listed[f.Name] = f
	}
	add := func(format string, args ...any) {
		if len(problems) == maxProblems {
			problems = append(problems, "and more")
		}
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	present := map[string]bool{}
	for _, e := range entries {
		present[e.name] = true
		p := filepath.Join(dir, filepath.FromSlash(e.name))
		f, isListed := listed[e.name]
		switch {
		case e.typ&os.ModeSymlink != 0:
			add("%s is a symbolic link, which idcsim never writes in a report", p)
		case e.typ.IsDir() && !dirs[e.name]:
			add("%s is not a directory of the report idcsim wrote", p)
		case e.typ.IsDir():
		case e.name == manifestName:
		case !isListed:
			add("%s is not a file of the report idcsim wrote", p)
		case !e.typ.IsRegular():
			add("%s is not a regular file", p)
		default:
			same, err := sameFile(p, f)
			if err != nil {
				return nil, nil, err
			}
			if !same {
				add("%s was changed since idcsim wrote it", p)
			}
		}
	}
	for _, f := range m.Files {
		if !present[f.Name] {
			add("%s is missing, though the report idcsim wrote holds it", filepath.Join(dir, filepath.FromSlash(f.Name)))
		}
	}
	return names, problems, nil
}

// noManifest describes a directory without a manifest, naming what it holds.
func noManifest(dir string) ([]string, []string, error) {
	entries, err := listTree(dir, func(string) bool { return false })
	if errors.Is(err, errTooManyEntries) {
		return nil, []string{fmt.Sprintf("%s holds no %s, so it is no report idcsim wrote (it holds more than %d entries)", dir, manifestName, maxReportEntries)}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var held []string
	for i, e := range entries {
		if i == maxProblems {
			held = append(held, fmt.Sprintf("and %d more", len(entries)-i))
			break
		}
		if e.typ.IsDir() {
			held = append(held, e.name+"/")
		} else {
			held = append(held, e.name)
		}
	}
	return nil, []string{fmt.Sprintf("%s holds no %s, so it is no report idcsim wrote (it holds %s)", dir, manifestName, strings.Join(held, ", "))}, nil
}

// sameFile says whether the regular file p has the size and digest of f.
func sameFile(p string, f manifestFile) (bool, error) {
	r, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, f.Size+1))
	if err != nil {
		return false, err
	}
	return n == f.Size && hex.EncodeToString(h.Sum(nil)) == f.SHA256, nil
}
