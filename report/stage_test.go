package report

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CheckJUnit knows the JUnit documents of idcsim's three writers, and nothing else.
func TestCheckJUnit(t *testing.T) {
	t.Parallel()
	for _, golden := range []string{"testdata/small.junit.xml", "testdata/table.xml"} {
		data, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckJUnit(data); err != nil {
			t.Errorf("%s: %v", golden, err)
		}
	}
	for _, c := range []struct{ data, want string }{
		{`<?xml version="1.0"?><testsuites><testsuite name="idcsim run a"></testsuite><testsuite name="idcsim run b"/></testsuites>`, ""},
		{"", "holds no test suite"},
		{"# notes\n", "text outside its root element"},
		{`<testsuites></testsuites>`, "holds no test suite"},
		{`<html><body/></html>`, "its root element is <html>"},
		{`<testsuite name="pytest"></testsuite>`, `the test suite "pytest"`},
		{`<testsuite></testsuite>`, `the test suite ""`},
		{`<testsuites><testsuite name="idcsim run"/><testsuite name="go test"/></testsuites>`, `the test suite "go test"`},
		{`<testsuite name="idcsim run a">`, "not well-formed XML"},
		{`<testsuite name="idcsim run a"></testsuite><testsuite name="idcsim run b"></testsuite>`, "more than one root element"},
		{`<testsuite name="idcsim run a"></testsuite>trailing`, "text outside its root element"},
	} {
		err := CheckJUnit([]byte(c.data))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.data, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want %q", c.data, err, c.want)
		}
	}
}

const idcsimJUnit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="idcsim run x" tests="0" failures="0"></testsuite>
`

// WriteFile replaces only an absent file or one that idcsim wrote, and nothing through a link.
func TestWriteFile(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	path := filepath.Join(parent, "junit.xml")
	if warnings, err := WriteFile(path, []byte(idcsimJUnit), CheckJUnit); err != nil || len(warnings) > 0 {
		t.Fatalf("writing a new file: %v %q", err, warnings)
	}
	next := strings.Replace(idcsimJUnit, "run x", "run y", 1)
	if _, err := WriteFile(path, []byte(next), CheckJUnit); err != nil {
		t.Fatalf("replacing idcsim's file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != next {
		t.Errorf("the file holds %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	noTemps(t, parent)

	for _, c := range []struct {
		name  string
		setup func(t *testing.T, p string)
		want  string
	}{
		{"another's file", func(t *testing.T, p string) { writeTestFile(t, p, "<html/>") }, "its root element is <html>"},
		{"an empty file", func(t *testing.T, p string) { writeTestFile(t, p, "") }, "holds no test suite"},
		{"a directory", func(t *testing.T, p string) { writeTestFile(t, filepath.Join(p, "keep"), "") }, "it is a directory"},
		{"a link to idcsim's file", func(t *testing.T, p string) {
			writeTestFile(t, p+".real", idcsimJUnit)
			if err := os.Symlink(p+".real", p); err != nil {
				t.Fatal(err)
			}
		}, "it is a symbolic link"},
		{"a link to nothing", func(t *testing.T, p string) {
			if err := os.Symlink(p+".missing", p); err != nil {
				t.Fatal(err)
			}
		}, "it is a symbolic link"},
	} {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			p := filepath.Join(parent, "junit.xml")
			c.setup(t, p)
			before := snapshot(t, parent)
			_, err := WriteFile(p, []byte(idcsimJUnit), CheckJUnit)
			if !errors.Is(err, ErrNotReplaceable) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p+" is not one") {
				t.Errorf("WriteFile: %v, want a refusal saying %q", err, c.want)
			}
			if after := snapshot(t, parent); !maps.Equal(before, after) {
				t.Errorf("a refused WriteFile changed the directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}

	// A path whose parent is a file cannot be written: a failure, not a refusal.
	file := filepath.Join(parent, "file")
	writeTestFile(t, file, "")
	if _, err := WriteFile(filepath.Join(file, "junit.xml"), []byte(idcsimJUnit), CheckJUnit); err == nil || errors.Is(err, ErrNotReplaceable) {
		t.Errorf("writing under a file: %v, want a failure to write", err)
	}
}

// A staged file takes its path's place only at Commit; Discard leaves the path as it was.
func TestStageFile(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	path := filepath.Join(parent, "junit.xml")
	writeTestFile(t, path, idcsimJUnit)
	next := strings.Replace(idcsimJUnit, "run x", "run y", 1)
	s, _, err := StageFile(path, []byte(next), CheckJUnit)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != idcsimJUnit {
		t.Error("staging changed the file")
	}
	s.Discard()
	noTemps(t, parent)
	if b, _ := os.ReadFile(path); string(b) != idcsimJUnit {
		t.Error("discarding changed the file")
	}
	if err := s.Commit(); err == nil {
		t.Error("a discarded file was committed")
	}
	if s, _, err = StageFile(path, []byte(next), CheckJUnit); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Discard()
	if b, _ := os.ReadFile(path); string(b) != next {
		t.Errorf("after Commit and Discard the file holds %q", b)
	}
	noTemps(t, parent)
}

// Leftovers of interrupted writes of a file are removed when empty or idcsim's, and otherwise
// left alone with a warning.
func TestStageFileLeftovers(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	path := filepath.Join(parent, "junit.xml")
	own := filepath.Join(parent, ".idcsim-tmp.junit.xml.1")
	empty := filepath.Join(parent, ".idcsim-tmp.junit.xml.2")
	torn := filepath.Join(parent, ".idcsim-tmp.junit.xml.3")
	writeTestFile(t, own, idcsimJUnit)
	writeTestFile(t, empty, "")
	writeTestFile(t, torn, idcsimJUnit[:60])
	warnings, err := WriteFile(path, []byte(idcsimJUnit), CheckJUnit)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{own, empty} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("leftover %s not removed", p)
		}
	}
	if _, err := os.Lstat(torn); err != nil {
		t.Errorf("%s, which is not idcsim's whole JUnit file, was removed", torn)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], torn+" ") || !strings.Contains(warnings[0], "not well-formed XML") {
		t.Errorf("warnings %q, want one naming %s", warnings, torn)
	}
}
