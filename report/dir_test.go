package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"idcsim/internal/buildinfo"
)

// readTree returns the files under dir by slash-separated name.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// reportTree returns the files of the report at dir, without its manifest, after checking that
// the manifest verifies.
func reportTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	if _, problems, err := verifyReport(dir); err != nil || len(problems) > 0 {
		t.Fatalf("%s does not verify: %v %v", dir, problems, err)
	}
	got := readTree(t, dir)
	delete(got, manifestName)
	return got
}

// stringFiles converts files to compare them with a tree.
func stringFiles(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = string(v)
	}
	return out
}

// noTemps fails when WriteDir left a temporary directory in parent.
func noTemps(t *testing.T, parent string) {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".idcsim-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func mustWriteDir(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if warnings, err := WriteDir(dir, KindRun, files); err != nil || len(warnings) > 0 {
		t.Fatalf("WriteDir(%s): %v, warnings %q", dir, err, warnings)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteDirNewAndReplace(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	mustWriteDir(t, dir, map[string][]byte{"results.json": []byte("1"), "plots/a.svg": []byte("<svg/>")})
	second := map[string][]byte{"results.json": []byte("2")}
	mustWriteDir(t, dir, second)
	if got := reportTree(t, dir); !maps.Equal(got, stringFiles(second)) {
		t.Errorf("report holds %v, want only the second results.json", got)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("report directory mode %v, want 0755", fi.Mode().Perm())
	}
	noTemps(t, parent)
}

// The manifest names the tool, the build and the kind, and every file with its size and digest,
// in the same bytes for the same files.
func TestWriteDirManifest(t *testing.T) {
	files := map[string][]byte{"sweep.json": []byte("{}\n"), "plots/a.svg": []byte("<svg/>"), "empty": nil}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, dir := range []string{a, b} {
		if _, err := WriteDir(dir, KindSweep, files); err != nil {
			t.Fatal(err)
		}
	}
	ma, _ := os.ReadFile(filepath.Join(a, manifestName))
	mb, _ := os.ReadFile(filepath.Join(b, manifestName))
	if len(ma) == 0 || string(ma) != string(mb) {
		t.Fatalf("manifests of the same files differ:\n%s\n%s", ma, mb)
	}
	var m struct {
		Tool  string
		Build struct{ Version, Revision string }
		Kind  string
		Files []struct {
			Name   string
			Size   int64
			SHA256 string
		}
	}
	if err := json.Unmarshal(ma, &m); err != nil {
		t.Fatal(err)
	}
	bi := buildinfo.Read()
	if m.Tool != "idcsim" || m.Kind != "sweep" || m.Build.Version != bi.Version || m.Build.Revision != bi.Revision {
		t.Errorf("manifest says tool %q, kind %q, build %+v; want idcsim, sweep, %+v", m.Tool, m.Kind, m.Build, bi)
	}
	// The files in name order, with len and crypto/sha256 of their contents.
	want := []string{"empty", "plots/a.svg", "sweep.json"}
	if len(m.Files) != len(want) {
		t.Fatalf("manifest lists %+v, want %v", m.Files, want)
	}
	for i, f := range m.Files {
		sum := sha256.Sum256(files[want[i]])
		if f.Name != want[i] || f.Size != int64(len(files[want[i]])) || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("manifest entry %d is %+v, want %s, %d bytes, %x", i, f, want[i], len(files[want[i]]), sum)
		}
	}
}

func TestWriteDirFailureKeepsOldReport(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	old := map[string][]byte{"results.json": []byte("good"), "report.md": []byte("# good")}
	mustWriteDir(t, dir, old)
	// A name longer than any file system takes: the write fails midway, after results.json.
	_, err := WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("new"), strings.Repeat("z", 300): nil})
	if err == nil || errors.Is(err, ErrNotReplaceable) {
		t.Fatalf("WriteDir of a file whose name is too long: %v, want a failure to write", err)
	}
	if got := reportTree(t, dir); !maps.Equal(got, stringFiles(old)) {
		t.Errorf("after a failed write the report holds %v, want the old one", got)
	}
	noTemps(t, parent)
}

// WriteDir refuses names that are not clean paths inside the report, or idcsim's own.
func TestWriteDirBadNames(t *testing.T) {
	parent := t.TempDir()
	for _, names := range [][]string{{"../escape"}, {"/abs"}, {"a/../b"}, {"a//b"}, {""}, {"a", "a/b"}, {manifestName}, {"sub/" + pendingName}} {
		files := map[string][]byte{}
		for _, n := range names {
			files[n] = []byte("x")
		}
		if _, err := WriteDir(filepath.Join(parent, "r"), KindRun, files); err == nil {
			t.Errorf("WriteDir of %q succeeded", names)
		}
	}
	if _, err := WriteDir(filepath.Join(parent, "r"), "summary", nil); err == nil {
		t.Error("WriteDir of an unknown kind succeeded")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) > 0 {
		t.Errorf("WriteDir of bad names left %v", entries)
	}
}

func TestWriteDirReplacesEmptyDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustWriteDir(t, dir, map[string][]byte{"results.json": nil})
	reportTree(t, dir)
	noTemps(t, parent)
}

// snapshot describes everything under root, links and modes included, to tell whether it changed.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			desc += " -> " + target
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		}
		out[path] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WriteDir replaces nothing it cannot prove it wrote, says what is in the way, and changes nothing.
func TestWriteDirRefuses(t *testing.T) {
	report := map[string][]byte{"results.json": []byte("{}"), "report.md": []byte("# report"), "plots/a.svg": []byte("<svg/>")}
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string // in the error, with DIR for the directory
	}{
		{"foreign files beside a results.json", func(t *testing.T, dir string) {
			writeTestFile(t, filepath.Join(dir, "results.json"), "{}")
			writeTestFile(t, filepath.Join(dir, "precious.txt"), "keep")
			writeTestFile(t, filepath.Join(dir, "docs", "index.md"), "# docs")
		}, []string{"DIR holds no .idcsim-manifest.json", "docs/", "precious.txt", "choose another --out, or move or remove DIR yourself"}},
		{"junk results.json", func(t *testing.T, dir string) { writeTestFile(t, filepath.Join(dir, "results.json"), "junk") },
			[]string{"DIR holds no .idcsim-manifest.json", "results.json"}},
		{"junk sweep.json", func(t *testing.T, dir string) { writeTestFile(t, filepath.Join(dir, "sweep.json"), "junk") },
			[]string{"DIR holds no .idcsim-manifest.json", "sweep.json"}},
		{"junk partial.json", func(t *testing.T, dir string) { writeTestFile(t, filepath.Join(dir, "partial.json"), "junk") },
			[]string{"DIR holds no .idcsim-manifest.json", "partial.json"}},
		{"a report with a file changed", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			writeTestFile(t, filepath.Join(dir, "report.md"), "# mine")
		}, []string{"DIR/report.md was changed since idcsim wrote it"}},
		{"a report with a file of the same size changed", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			writeTestFile(t, filepath.Join(dir, "plots", "a.svg"), "<svG/>")
		}, []string{"DIR/plots/a.svg was changed since idcsim wrote it"}},
		{"a report with a file added", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			writeTestFile(t, filepath.Join(dir, "plots", "notes.txt"), "mine")
		}, []string{"DIR/plots/notes.txt is not a file of the report idcsim wrote"}},
		{"a report with a directory added", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			if err := os.Mkdir(filepath.Join(dir, "mine"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, []string{"DIR/mine is not a directory of the report idcsim wrote"}},
		{"a report with a file removed", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			os.Remove(filepath.Join(dir, "report.md"))
		}, []string{"DIR/report.md is missing"}},
		{"a report with a symbolic link", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			os.Remove(filepath.Join(dir, "report.md"))
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "report.md")); err != nil {
				t.Fatal(err)
			}
		}, []string{"DIR/report.md is a symbolic link"}},
		{"a report whose manifest has a key twice", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			m, _ := os.ReadFile(filepath.Join(dir, manifestName))
			writeTestFile(t, filepath.Join(dir, manifestName), strings.Replace(string(m), `"kind": "run"`, `"kind": "run", "kind": "run"`, 1))
		}, []string{"DIR/.idcsim-manifest.json is not a manifest idcsim wrote", `key "kind" appears twice`}},
		{"a report whose manifest is a link", func(t *testing.T, dir string) {
			mustWriteDir(t, dir, report)
			m := filepath.Join(dir, manifestName)
			os.Rename(m, m+".real")
			if err := os.Symlink(m+".real", m); err != nil {
				t.Fatal(err)
			}
		}, []string{"DIR/.idcsim-manifest.json is not a regular file"}},
		{"a file", func(t *testing.T, dir string) { writeTestFile(t, dir, "mine") }, []string{"DIR exists and is not a directory"}},
		{"a symbolic link to a report", func(t *testing.T, dir string) {
			mustWriteDir(t, dir+".real", report)
			if err := os.Symlink(dir+".real", dir); err != nil {
				t.Fatal(err)
			}
		}, []string{"DIR is a symbolic link"}},
		{"a symbolic link to nothing", func(t *testing.T, dir string) {
			if err := os.Symlink(dir+".missing", dir); err != nil {
				t.Fatal(err)
			}
		}, []string{"DIR is a symbolic link"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "x")
			c.setup(t, dir)
			before := snapshot(t, parent)
			warnings, err := WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("new")})
			if !errors.Is(err, ErrNotReplaceable) {
				t.Fatalf("WriteDir: %v, want a refusal", err)
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %q", warnings)
			}
			if after := snapshot(t, parent); !maps.Equal(before, after) {
				t.Errorf("a refused WriteDir changed the directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// The entries of a directory checked for a manifest are bounded, and so are those of a report.
func TestWriteDirBoundsEntries(t *testing.T) {
	defer func(n int) { maxReportEntries = n }(maxReportEntries)
	maxReportEntries = 10
	dir := filepath.Join(t.TempDir(), "x")
	files := map[string][]byte{}
	for i := range 7 {
		files[fmt.Sprintf("plots/f%d", i)] = nil
	}
	// 7 files, their directory, the manifest and the pending list: 10 entries.
	mustWriteDir(t, dir, files)
	files["plots/f7"] = nil
	if _, err := WriteDir(dir, KindRun, files); err == nil || errors.Is(err, ErrNotReplaceable) || !strings.Contains(err.Error(), "more than the 10 entries") {
		t.Errorf("WriteDir of more entries than a report holds: %v", err)
	}
	for i := range 2 {
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("g%d", i)), "")
	}
	_, err := WriteDir(dir, KindRun, nil)
	if !errors.Is(err, ErrNotReplaceable) || !strings.Contains(err.Error(), "holds more than 10 entries") {
		t.Errorf("WriteDir over a directory of too many entries: %v", err)
	}
}

// Leftovers of interrupted writes that WriteDir can prove its own are removed; others under such
// names are left alone with a warning, and names that are not leftovers' are not looked at.
func TestWriteDirLeftovers(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	mustWriteDir(t, dir, map[string][]byte{"results.json": []byte("{}")})
	// An own leftover with a manifest: a complete report.
	mustWriteDir(t, filepath.Join(parent, ".idcsim-old.r.17"), map[string][]byte{"results.json": nil})
	// An own leftover with a pending list and some of the files it names.
	pending := filepath.Join(parent, ".idcsim-tmp.r.42")
	writeTestFile(t, filepath.Join(pending, pendingName), `{"tool": "idcsim", "names": [".idcsim-manifest.json", ".idcsim-pending.json", "plots/a.svg", "results.json"]}`)
	writeTestFile(t, filepath.Join(pending, "plots", "a.svg"), "<sv")
	// An empty own leftover.
	if err := os.Mkdir(filepath.Join(parent, ".idcsim-tmp.r.7"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Not idcsim's: a file beside a pending list, and no bookkeeping at all.
	foreign := filepath.Join(parent, ".idcsim-tmp.r.43")
	writeTestFile(t, filepath.Join(foreign, pendingName), `{"tool": "idcsim", "names": ["results.json"]}`)
	writeTestFile(t, filepath.Join(foreign, "precious.txt"), "keep")
	bare := filepath.Join(parent, ".idcsim-old.r.44")
	writeTestFile(t, filepath.Join(bare, "precious.txt"), "keep")
	file := filepath.Join(parent, ".idcsim-tmp.r.45")
	writeTestFile(t, file, "keep")
	// Not leftovers of r.
	others := []string{".idcsim-tmp.r.x1", ".idcsim-tmp.rr.1", ".idcsim-tmp.r.", ".idcsim-old.r.1.2"}
	for _, o := range others {
		writeTestFile(t, filepath.Join(parent, o, "precious.txt"), "keep")
	}

	warnings, err := WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("new")})
	if err != nil {
		t.Fatal(err)
	}
	if got := reportTree(t, dir); got["results.json"] != "new" {
		t.Errorf("report holds %v", got)
	}
	for _, p := range []string{".idcsim-old.r.17", ".idcsim-tmp.r.42", ".idcsim-tmp.r.7"} {
		if _, err := os.Lstat(filepath.Join(parent, p)); err == nil {
			t.Errorf("own leftover %s not removed", p)
		}
	}
	want := map[string]string{
		foreign: "it holds precious.txt, which its manifest or pending list does not name",
		bare:    "it holds precious.txt and no manifest or pending list of idcsim's",
		file:    "it is not a directory",
	}
	if len(warnings) != len(want) {
		t.Errorf("warnings %q, want one for each of %v", warnings, want)
	}
	for p, why := range want {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
		found := false
		for _, w := range warnings {
			found = found || strings.HasPrefix(w, p+" ") && strings.Contains(w, why) && strings.Contains(w, "left alone")
		}
		if !found {
			t.Errorf("no warning says %s: %s; warnings %q", p, why, warnings)
		}
	}
	for _, o := range others {
		if b, _ := os.ReadFile(filepath.Join(parent, o, "precious.txt")); string(b) != "keep" {
			t.Errorf("%s was touched", o)
		}
	}
}

// When the report directory is missing and a previous report, complete, was left aside by an
// interrupted write, WriteDir puts it back before anything else.
func TestWriteDirPutsBackPreviousReport(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	old := map[string][]byte{"results.json": []byte("old")}
	mustWriteDir(t, filepath.Join(parent, ".idcsim-old.r.5"), old)
	// A report that is not complete is not put back, but removed.
	mustWriteDir(t, filepath.Join(parent, ".idcsim-old.r.6"), old)
	os.Remove(filepath.Join(parent, ".idcsim-old.r.6", "results.json"))

	// A refused write still puts the previous report back first.
	warnings, err := WriteDir(dir, KindRun, map[string][]byte{manifestName: nil})
	if err == nil {
		t.Fatal("WriteDir of a bad name succeeded")
	}
	if len(warnings) != 0 {
		t.Errorf("a bad name: warnings %q", warnings)
	}
	if _, err := os.Lstat(dir); err == nil {
		t.Fatal("a WriteDir of bad names touched the directory")
	}

	warnings, err = WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("new")})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "put back the previous report from "+filepath.Join(parent, ".idcsim-old.r.5")) {
		t.Errorf("warnings %q, want one saying the previous report was put back", warnings)
	}
	if got := reportTree(t, dir); got["results.json"] != "new" {
		t.Errorf("report holds %v", got)
	}
	noTemps(t, parent)
}

// With several complete previous reports and no report directory, WriteDir cannot tell which to
// put back: it leaves them and says so.
func TestWriteDirSeveralPreviousReports(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	for _, n := range []string{"5", "6"} {
		mustWriteDir(t, filepath.Join(parent, ".idcsim-old.r."+n), map[string][]byte{"results.json": []byte(n)})
	}
	warnings, err := WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("new")})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "several previous reports") {
		t.Errorf("warnings %q", warnings)
	}
	for _, n := range []string{"5", "6"} {
		if got := reportTree(t, filepath.Join(parent, ".idcsim-old.r."+n)); got["results.json"] != n {
			t.Errorf("previous report %s holds %v", n, got)
		}
	}
}

// Without an atomic exchange, WriteDir replaces a report by two renames.
func TestWriteDirFallback(t *testing.T) {
	exchangeDirs = func(a, b string) error { return errExchangeUnsupported }
	defer func() { exchangeDirs = exchange }()
	var steps []string
	testHook = func(s string) { steps = append(steps, s) }
	defer func() { testHook = nil }()
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	mustWriteDir(t, dir, map[string][]byte{"results.json": []byte("old")})
	steps = nil
	mustWriteDir(t, dir, map[string][]byte{"results.json": []byte("new")})
	if got := reportTree(t, dir); got["results.json"] != "new" {
		t.Errorf("report holds %v", got)
	}
	if !strings.Contains(strings.Join(steps, ","), "moved aside,renamed") {
		t.Errorf("steps %q: no two renames", steps)
	}
	noTemps(t, parent)
}

// exchange swaps two directories where the system can, and says it cannot elsewhere.
func TestExchange(t *testing.T) {
	parent := t.TempDir()
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	writeTestFile(t, filepath.Join(a, "f"), "a")
	writeTestFile(t, filepath.Join(b, "f"), "b")
	err := exchange(a, b)
	if errors.Is(err, errExchangeUnsupported) {
		t.Skipf("no atomic exchange here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, a); got["f"] != "b" {
		t.Errorf("after the exchange a holds %v", got)
	}
	if got := readTree(t, b); got["f"] != "a" {
		t.Errorf("after the exchange b holds %v", got)
	}
}

// A previous report changed while the new one is written is not removed, but named in a warning.
func TestWriteDirKeepsPreviousReportChangedMeanwhile(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "r")
	mustWriteDir(t, dir, map[string][]byte{"results.json": []byte("old"), "notes.md": []byte("# old")})
	testHook = func(step string) {
		if step == "manifest written" {
			writeTestFile(t, filepath.Join(dir, "notes.md"), "# mine")
		}
	}
	defer func() { testHook = nil }()
	warnings, err := WriteDir(dir, KindRun, map[string][]byte{"results.json": []byte("new")})
	if err != nil {
		t.Fatal(err)
	}
	if got := reportTree(t, dir); got["results.json"] != "new" {
		t.Errorf("report holds %v", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "was not removed: it changed while the new report was written") ||
		!strings.Contains(warnings[0], "notes.md was changed since idcsim wrote it") {
		t.Fatalf("warnings %q", warnings)
	}
	old, _ := filepath.Glob(filepath.Join(parent, ".idcsim-*"))
	if len(old) != 1 || readTree(t, old[0])["notes.md"] != "# mine" {
		t.Errorf("the previous report is not kept aside: %v", old)
	}
}
