package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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

func TestWriteDirNewAndReplace(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	if err := WriteDir(dir, map[string][]byte{"results.json": []byte("1"), "plots/a.svg": []byte("<svg/>")}); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(dir, map[string][]byte{"results.json": []byte("2")}); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, dir)
	if len(got) != 1 || got["results.json"] != "2" {
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

func TestWriteDirFailureKeepsOldReport(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	old := map[string][]byte{"results.json": []byte("good"), "report.md": []byte("# good")}
	if err := WriteDir(dir, old); err != nil {
		t.Fatal(err)
	}
	// "a" is written as a file, so "a/b" cannot be created: the write fails midway.
	err := WriteDir(dir, map[string][]byte{"results.json": []byte("new"), "a": nil, "a/b": nil})
	if err == nil {
		t.Fatal("WriteDir succeeded writing a file under a file")
	}
	got := readTree(t, dir)
	if len(got) != 2 || got["results.json"] != "good" || got["report.md"] != "# good" {
		t.Errorf("after a failed write the report holds %v, want the old one", got)
	}
	noTemps(t, parent)
}

func TestWriteDirRefuses(t *testing.T) {
	parent := t.TempDir()
	other := filepath.Join(parent, "notes")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, name string }{
		{other, "results.json"}, // a directory that is not a report
		{file, "results.json"},  // a file
		{filepath.Join(parent, "r"), "../escape"},
	} {
		if err := WriteDir(c.dir, map[string][]byte{c.name: []byte("x")}); err == nil {
			t.Errorf("WriteDir(%s, %s) succeeded", c.dir, c.name)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(other, "keep.txt")); string(b) != "mine" {
		t.Error("a directory that is not a report was touched")
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Error("a file was touched")
	}
	if _, err := os.Stat(filepath.Join(parent, "escape")); err == nil {
		t.Error("a file was written outside the report")
	}
	noTemps(t, parent)
}
