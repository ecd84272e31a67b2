package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"idcsim/report"
)

// quickRun runs the quickstart example briefly into out, with the extra arguments.
func quickRun(t *testing.T, out string, args ...string) (int, string, string) {
	t.Helper()
	return idcsim(t, append([]string{"run", "example:quickstart", "--replications", "2", "--progress", "never", "--out", out}, args...)...)
}

// mustQuickRun runs quickRun and fails the test unless it wrote its report.
func mustQuickRun(t *testing.T, out string, args ...string) string {
	t.Helper()
	code, _, stderr := quickRun(t, out, args...)
	if code != exitOK && code != exitFail {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	return stderr
}

// tree returns everything under root: each file's content, each directory and link by kind.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			out[path] = "link to " + target
			return err
		case d.IsDir():
			out[path] = "directory"
		default:
			b, err := os.ReadFile(path)
			out[path] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// The case of the issue: a directory with a results.json, a precious file and docs/ is not a
// report of idcsim's; run refuses it, names what is in the way, and deletes nothing.
func TestRunKeepsForeignDirectory(t *testing.T) {
	x := filepath.Join(t.TempDir(), "x")
	for name, content := range map[string]string{"results.json": "{}\n", "precious.txt": "keep\n", "docs/index.md": "# docs\n"} {
		p := filepath.Join(x, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, filepath.Dir(x))
	code, stdout, stderr := quickRun(t, x)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	// refused before the simulation runs, not after it
	if !strings.HasPrefix(stderr, "the report directory: ") {
		t.Errorf("not refused before the run:\n%s", stderr)
	}
	for _, want := range []string{x + " holds no .idcsim-manifest.json", "docs/", "precious.txt", "choose another --out, or move or remove " + x + " yourself"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("stdout: %s", stdout)
	}
	if after := tree(t, filepath.Dir(x)); !sameTree(before, after) {
		t.Errorf("the directory changed:\nbefore %v\nafter  %v", before, after)
	}
}

// A results.json, sweep.json or partial.json without a manifest proves nothing.
func TestRunRefusesReportsWithoutManifest(t *testing.T) {
	for _, name := range []string{"results.json", "sweep.json", "partial.json"} {
		x := filepath.Join(t.TempDir(), "x")
		if err := os.Mkdir(x, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(x, name), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := quickRun(t, x)
		if code != exitUsage || !strings.Contains(stderr, "holds no .idcsim-manifest.json") {
			t.Errorf("a directory holding only %s: exit %d:\n%s", name, code, stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(x, name)); string(b) != "junk" {
			t.Errorf("%s was touched", name)
		}
	}
}

// Run replaces its own previous report, and a sweep's and a shard's, whatever their kind; the
// manifest records the kind.
func TestRunReplacesOwnReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	kind := func() string {
		var m struct{ Kind string }
		b, _ := os.ReadFile(filepath.Join(out, ".idcsim-manifest.json"))
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m.Kind
	}
	mustQuickRun(t, out)
	mustQuickRun(t, out, "--seed", "2")
	if k := kind(); k != "run" {
		t.Errorf("manifest kind %q after a run", k)
	}
	code, _, stderr := idcsim(t, "sweep", writeFile(t, "sweep.yaml", sweepScenario), "--out", out, "--progress", "never")
	if code != exitOK || kind() != "sweep" {
		t.Fatalf("a sweep over a run's report: exit %d, kind %s: %s", code, kind(), stderr)
	}
	if stdout := shardRun(t, []int{exitOK}, "run", "example:quickstart", "--replications", "2", "--shard", "0/2", "--out", out); !strings.Contains(stdout, "partial report in "+out) {
		t.Errorf("shard: %s", stdout)
	}
	if kind() != "partial" {
		t.Errorf("manifest kind %q after a shard", kind())
	}
	mustQuickRun(t, out)
	if kind() != "run" {
		t.Errorf("manifest kind %q after a run over a shard's report", kind())
	}
}

// A report changed or added to since idcsim wrote it is refused, naming the file, and kept.
func TestRunRefusesChangedReport(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(out string) error
		want   string
	}{
		{"edited", func(out string) error {
			return os.WriteFile(filepath.Join(out, "report.md"), []byte("# my notes\n"), 0o644)
		}, "/report.md was changed since idcsim wrote it"},
		{"added to", func(out string) error {
			return os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine\n"), 0o644)
		}, "/notes.txt is not a file of the report idcsim wrote"},
		{"a file removed", func(out string) error { return os.Remove(filepath.Join(out, "exposures.csv")) },
			"/exposures.csv is missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r")
			mustQuickRun(t, out)
			if err := c.change(out); err != nil {
				t.Fatal(err)
			}
			before := tree(t, filepath.Dir(out))
			code, _, stderr := quickRun(t, out, "--seed", "2")
			if code != exitUsage || !strings.Contains(stderr, out+c.want) {
				t.Errorf("exit %d, want %d and %q:\n%s", code, exitUsage, out+c.want, stderr)
			}
			if after := tree(t, filepath.Dir(out)); !sameTree(before, after) {
				t.Error("the report changed")
			}
		})
	}
}

// A symbolic link --out is refused, not followed nor replaced.
func TestRunRefusesSymlinkOut(t *testing.T) {
	parent := t.TempDir()
	real, link := filepath.Join(parent, "real"), filepath.Join(parent, "link")
	mustQuickRun(t, real)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	before := tree(t, parent)
	code, _, stderr := quickRun(t, link)
	if code != exitUsage || !strings.Contains(stderr, link+" is a symbolic link") {
		t.Errorf("exit %d, want %d and a message:\n%s", code, exitUsage, stderr)
	}
	if after := tree(t, parent); !sameTree(before, after) {
		t.Error("the link or its report changed")
	}
}

// A JUnit file that cannot be written fails the command before the report is replaced: a path
// that cannot be a file is the user's mistake, found before the run (exit 2); a failure of the
// machine while writing it (here a full disk, made by the test) is exit 3.
func TestRunUnwritableJUnitKeepsReport(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "r")
	mustQuickRun(t, out)
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, parent)
	// The parent of the JUnit file is a regular file: no one, root included, can write it.
	code, _, stderr := quickRun(t, out, "--seed", "2", "--junit", filepath.Join(file, "junit.xml"))
	if code != exitUsage || !strings.Contains(stderr, "the JUnit file") {
		t.Errorf("exit %d, want %d:\n%s", code, exitUsage, stderr)
	}
	if after := tree(t, parent); !sameTree(before, after) {
		t.Error("the report changed")
	}

	defer func(f func(string, []byte, func([]byte) error) (*report.StagedFile, []string, error)) { stageFile = f }(stageFile)
	stageFile = func(path string, _ []byte, _ func([]byte) error) (*report.StagedFile, []string, error) {
		return nil, nil, &fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	}
	code, _, stderr = quickRun(t, out, "--seed", "2", "--junit", filepath.Join(parent, "junit.xml"))
	if code != exitInternal || !strings.Contains(stderr, "writing the JUnit file") || !strings.Contains(stderr, "no space left on device") {
		t.Errorf("exit %d, want %d:\n%s", code, exitInternal, stderr)
	}
	if after := tree(t, parent); !sameTree(before, after) {
		t.Error("the report changed")
	}
}

// --junit replaces only a JUnit file of idcsim's, in run and table alike.
func TestJUnitReplacesOnlyIdcsims(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "r")
	junit := filepath.Join(parent, "junit.xml")
	mustQuickRun(t, out, "--junit", junit)
	mustQuickRun(t, out, "--junit", junit, "--seed", "2")
	if code, _, stderr := idcsim(t, "table", "--trials", "10", "--junit", junit); code != exitOK && code != exitFail {
		t.Fatalf("table over run's JUnit file: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(junit); !bytes.Contains(b, []byte(`<testsuite name="idcsim table current"`)) {
		t.Errorf("the JUnit file holds:\n%s", b)
	}

	foreign := filepath.Join(parent, "foreign.xml")
	if err := os.WriteFile(foreign, []byte(`<testsuite name="pytest"></testsuite>`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "dir.xml")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(parent, "link.xml")
	if err := os.Symlink(junit, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{foreign, `it holds the test suite "pytest"`},
		{dir, "it is a directory"},
		{link, "it is a symbolic link"},
	} {
		before := tree(t, parent)
		code, _, stderr := quickRun(t, out, "--seed", "3", "--junit", c.path)
		if code != exitUsage || !strings.Contains(stderr, c.path+" is not one: "+c.want) {
			t.Errorf("run --junit %s: exit %d, want %d and %q:\n%s", c.path, code, exitUsage, c.want, stderr)
		}
		code, _, stderr = idcsim(t, "table", "--trials", "10", "--junit", c.path)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("table --junit %s: exit %d, want %d and %q:\n%s", c.path, code, exitUsage, c.want, stderr)
		}
		if after := tree(t, parent); !sameTree(before, after) {
			t.Errorf("--junit %s: something changed", c.path)
		}
	}

	// A JUnit file inside the report directory would stop the next run from replacing it.
	code, _, stderr := quickRun(t, out, "--junit", filepath.Join(out, "junit.xml"))
	if code != exitUsage || !strings.Contains(stderr, "is inside the report directory") {
		t.Errorf("--junit inside --out: exit %d:\n%s", code, stderr)
	}
}

// Leftovers of an interrupted run that idcsim cannot prove its own are named in a warning and kept.
func TestRunWarnsOfForeignLeftovers(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "r")
	leftover := filepath.Join(parent, ".idcsim-tmp.r.12345")
	if err := os.MkdirAll(leftover, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(leftover, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr := mustQuickRun(t, out)
	if !strings.Contains(stderr, "warning: "+leftover+" bears the name of a leftover of idcsim") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(leftover, "mine.txt")); string(b) != "keep" {
		t.Error("the leftover was touched")
	}
}
