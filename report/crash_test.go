package report

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The reports of the crash tests: the one at --out before, the one being written, and the one
// written after the crash.
var (
	crashOld   = map[string][]byte{"results.json": []byte("old"), "report.md": []byte("# old"), "plots/a.svg": []byte("<svg>old</svg>")}
	crashNew   = map[string][]byte{"results.json": []byte("new"), "plots/a.svg": []byte("<svg>new</svg>"), "plots/deep/b.svg": nil}
	crashNewer = map[string][]byte{"results.json": []byte("newer"), "exposures.csv": []byte("a,b\n")}
	crashAfter = map[string][]byte{"results.json": []byte("after")}
)

var crashReports = map[string]map[string][]byte{"new": crashNew, "newer": crashNewer}

// crashEnv holds, in the process that the crash tests start, what it is to do: a crashSpec.
const crashEnv = "IDCSIM_TEST_WRITEDIR_CRASH"

// crashExit is the status of a process that stopped itself at its step.
const crashExit = 75

type crashSpec struct {
	Dir      string // the report directory
	Report   string // which of crashReports to write
	Fallback bool   // whether to replace by two renames
	At       int    // the step to stop at, from 1
}

func noExchange(a, b string) error { return errExchangeUnsupported }

// crashChild writes the report the spec says and exits at its step, as if killed.
func crashChild(t *testing.T, spec string) {
	var s crashSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatal(err)
	}
	if s.Fallback {
		exchangeDirs = noExchange
	}
	n := 0
	testHook = func(string) {
		if n++; n == s.At {
			os.Exit(crashExit)
		}
	}
	_, err := WriteDir(s.Dir, KindRun, crashReports[s.Report])
	t.Fatalf("WriteDir returned (%v) before step %d", err, s.At)
}

// crash runs a process that writes the report at dir and stops at step at.
func crash(t *testing.T, s crashSpec) {
	t.Helper()
	spec, _ := json.Marshal(s)
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteDirCrashes$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+string(spec))
	out, err := cmd.CombinedOutput()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != crashExit {
		t.Fatalf("the writing process did not stop at step %d: %v\n%s", s.At, err, out)
	}
}

// crashCase is a state of --out and a report written over it.
type crashCase struct {
	name     string
	setup    func(t *testing.T, dir string)
	report   string
	fallback bool
	// before are what --out may hold after the crash besides the report written: nil for no
	// directory, an empty map for an empty one.
	before []map[string][]byte
}

// A process killed at any step of WriteDir leaves at --out the report that was there or the new
// one, complete (or, between the two renames of the fallback, the old one aside for the next
// WriteDir to put back); the next WriteDir succeeds and leaves nothing behind.
func TestWriteDirCrashes(t *testing.T) {
	if spec := os.Getenv(crashEnv); spec != "" {
		crashChild(t, spec)
		return
	}
	if testing.Short() {
		t.Skip("starts a process per step")
	}
	writeOld := func(t *testing.T, dir string) { mustWriteDir(t, dir, crashOld) }
	var cases []crashCase
	cases = append(cases,
		crashCase{"absent", func(*testing.T, string) {}, "new", false, []map[string][]byte{nil}},
		crashCase{"empty", func(t *testing.T, dir string) { os.Mkdir(dir, 0o755) }, "new", false, []map[string][]byte{{}}},
		crashCase{"exchange", writeOld, "new", false, []map[string][]byte{crashOld}},
		crashCase{"fallback", writeOld, "new", true, []map[string][]byte{crashOld}},
	)
	// A crash between the two renames of the fallback, then a crash at each step of the next
	// WriteDir, which first puts the old report back and removes the new one left aside.
	between := slices.Index(crashSteps(t, cases[3]), "moved aside") + 1
	if between == 0 {
		t.Fatal("the fallback has no step moved aside")
	}
	cases = append(cases, crashCase{"after a crash between renames", func(t *testing.T, dir string) {
		writeOld(t, dir)
		crash(t, crashSpec{Dir: dir, Report: "new", Fallback: true, At: between})
		if _, err := os.Lstat(dir); err == nil {
			t.Fatal("the report directory is there after a crash between the renames")
		}
	}, "newer", false, []map[string][]byte{crashOld}})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			steps := crashSteps(t, c)
			t.Logf("%d steps: %s", len(steps), strings.Join(steps, ", "))
			for k := 1; k <= len(steps); k++ {
				parent := t.TempDir()
				dir := filepath.Join(parent, "out")
				c.setup(t, dir)
				crash(t, crashSpec{Dir: dir, Report: c.report, Fallback: c.fallback, At: k})
				at := "stopped after " + steps[k-1]
				checkCrashState(t, at, dir, append(c.before, crashReports[c.report]), c.fallback || c.name == "after a crash between renames")

				warnings, err := WriteDir(dir, KindRun, crashAfter)
				if err != nil {
					t.Fatalf("%s: the next WriteDir: %v", at, err)
				}
				for _, w := range warnings {
					if !strings.Contains(w, "put back the previous report") {
						t.Errorf("%s: the next WriteDir warns %q", at, w)
					}
				}
				if got := reportTree(t, dir); !maps.Equal(got, stringFiles(crashAfter)) {
					t.Errorf("%s: the next WriteDir left %v", at, got)
				}
				if entries, _ := os.ReadDir(parent); len(entries) != 1 {
					t.Errorf("%s: the next WriteDir left %v", at, entries)
				}
			}
		})
	}
}

// crashSteps returns the steps of the case's WriteDir, done in this process.
func crashSteps(t *testing.T, c crashCase) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	c.setup(t, dir)
	var steps []string
	testHook = func(s string) { steps = append(steps, s) }
	if c.fallback {
		exchangeDirs = noExchange
	}
	defer func() { testHook, exchangeDirs = nil, exchange }()
	if _, err := WriteDir(dir, KindRun, crashReports[c.report]); err != nil {
		t.Fatal(err)
	}
	return steps
}

// checkCrashState checks that dir holds a complete report among those allowed (nil allows no
// directory), or, when aside is set and dir is missing, that a complete old report is aside.
func checkCrashState(t *testing.T, at, dir string, allowed []map[string][]byte, aside bool) {
	t.Helper()
	fi, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if slices.ContainsFunc(allowed, func(m map[string][]byte) bool { return m == nil }) {
			return
		}
		if !aside {
			t.Fatalf("%s: no report directory", at)
		}
		olds, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), oldPrefix+filepath.Base(dir)+".*"))
		if len(olds) != 1 {
			t.Fatalf("%s: no report directory, and previous reports %v aside", at, olds)
		}
		if got := reportTree(t, olds[0]); !maps.Equal(got, stringFiles(crashOld)) {
			t.Fatalf("%s: no report directory, and %v aside", at, got)
		}
		return
	}
	if err != nil || !fi.IsDir() {
		t.Fatalf("%s: %s is no directory: %v", at, dir, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) == 0 {
		if !slices.ContainsFunc(allowed, func(m map[string][]byte) bool { return m != nil && len(m) == 0 }) {
			t.Fatalf("%s: the report directory is empty", at)
		}
		return
	}
	got := reportTree(t, dir)
	for _, m := range allowed {
		if len(m) > 0 && maps.Equal(got, stringFiles(m)) {
			return
		}
	}
	t.Fatalf("%s: the report directory holds %v", at, got)
}
