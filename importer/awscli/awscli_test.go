package awscli

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"idcsim/importer"
	"idcsim/importer/internal/orgtest"
	"idcsim/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/export and the golden files")

// build reads an export and builds its scenario.
func build(t *testing.T, path string, opt importer.Options) *importer.Result {
	t.Helper()
	org, err := Read(path, nil)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	res, err := importer.Build(org, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

// example returns a built-in example.
// The configuration of built-in examples, exported in the AWS CLI's shapes and imported back,
// gives the same accounts, permission sets and durations, applications, groups and their
// assignments, and people with the same groups and direct assignments: by name when they are
// listed, as populations of the same sizes otherwise.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"default", "data-science", "kiro-team", "spec-example"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := orgtest.Example(t, name)
			dir := t.TempDir()
			writeExport(t, dir, orgtest.FromScenario(sc), 100)
			want := orgtest.ViewOf(sc)
			listed := build(t, dir, importer.Options{MaxUsers: importer.DefaultMaxUsers})
			if got := orgtest.ViewOf(listed.Scenario); !reflect.DeepEqual(got, want) {
				t.Errorf("listed by name:\ngot  %+v\nwant %+v", got, want)
			}
			pops := build(t, dir, importer.Options{MaxUsers: 0})
			got := orgtest.ViewOf(pops.Scenario)
			if len(pops.Scenario.Users) > 0 || len(pops.Scenario.Populations) == 0 {
				t.Errorf("with --max-users 0: %d users listed, %d populations", len(pops.Scenario.Users), len(pops.Scenario.Populations))
			}
			got.Names, want.Names = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("as populations:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}

// The populations of example:default's 342 people (its 340 in five populations, erin in
// everyone and grace in engineering) come back as populations of those sizes: erin joins the 150
// of office (groups everyone), and grace is one of her own.
func TestPopulations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeExport(t, dir, orgtest.FromScenario(orgtest.Example(t, "default")), 50)
	res := build(t, dir, importer.Options{MaxUsers: 341})
	got := map[string]int{}
	for _, p := range res.Scenario.Populations {
		got[strings.Join(p.Groups, ",")] = p.Count
		if p.Behaviour != p.Name || len(p.Devices) != 2 || p.Devices[1].Browser != p.Devices[0].Name {
			t.Errorf("population %s: behaviour %s, devices %+v", p.Name, p.Behaviour, p.Devices)
		}
	}
	want := map[string]int{
		"engineering,everyone":     120,
		"engineering,everyone,sre": 20,
		"data-science,everyone":    30,
		"everyone":                 151, // office's 150 and erin
		"builders,everyone":        20,
		"engineering":              1, // grace
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("populations by groups: got %v, want %v", got, want)
	}
	// 342 people: 1% of them, 3, leave in each replication; 50,000/342 replications, at most 20.
	if n := len(res.Scenario.Offboardings); n != 1 || res.Scenario.Offboardings[0].Count != 3 || res.Scenario.Replications != 20 {
		t.Errorf("offboardings %+v, replications %d", res.Scenario.Offboardings, res.Scenario.Replications)
	}
	if res.Summary.Populations != 6 || res.Summary.People != 342 {
		t.Errorf("summary: %d populations, %d people", res.Summary.Populations, res.Summary.People)
	}
}

// The export script, run against the recorded answers of the AWS CLI, writes testdata/export
// (go test -update rewrites it), which imports.
func TestExportScript(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	fake, err := filepath.Abs(filepath.Join("testdata", "fakeaws"))
	if err != nil {
		t.Fatal(err)
	}
	responses, _ := filepath.Abs(filepath.Join("testdata", "responses.txt"))
	script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "export-identity-center.sh"))
	out := filepath.Join(t.TempDir(), "export")
	cmd := exec.Command("bash", script, out)
	cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_AWS_RESPONSES="+responses, "IDCSIM_INSTANCE_ARN=")
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v:\n%s", err, msg)
	}
	want := filepath.Join("testdata", "export")
	if *update {
		if err := os.RemoveAll(want); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(want, os.DirFS(out)); err != nil {
			t.Fatal(err)
		}
	}
	if got, exp := treeOf(t, out), treeOf(t, want); !reflect.DeepEqual(got, exp) {
		for name := range exp {
			if got[name] != exp[name] {
				t.Errorf("%s differs from testdata/export (go test -update rewrites it):\n%s", name, got[name])
			}
		}
		for name := range got {
			if _, ok := exp[name]; !ok {
				t.Errorf("the script wrote %s, which testdata/export lacks", name)
			}
		}
	}
	res := build(t, out, importer.Options{MaxUsers: importer.DefaultMaxUsers})
	if res.Summary.Users != 10 || res.Summary.PermissionSets != 5 {
		t.Errorf("imported %+v", res.Summary)
	}
}

// The script fails, writing nothing, when a command fails.
func TestExportScriptFails(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	fake, _ := filepath.Abs(filepath.Join("testdata", "fakeaws"))
	script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "export-identity-center.sh"))
	// answers for list-instances alone: list-permission-sets is refused
	responses := filepath.Join(t.TempDir(), "responses.txt")
	data, err := os.ReadFile(filepath.Join("testdata", "responses.txt"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(data), "### aws sso-admin list-permission-sets")
	if err := os.WriteFile(responses, []byte(head), 0o644); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "export")
	cmd := exec.Command("bash", script, out)
	cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_AWS_RESPONSES="+responses, "IDCSIM_INSTANCE_ARN=")
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "no recorded answer for: aws sso-admin list-permission-sets") {
		t.Fatalf("want a failure naming the command; got %v:\n%s", err, msg)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("the script left %d entries behind, the first %s", len(entries), entries[0].Name())
	}
}

// treeOf returns the files under dir by their paths in it.
func treeOf(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// The recorded export imports to the scenario and summary of the golden files (go test -update
// rewrites them); the scenario says where each value came from, and it validates.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		golden string
		opt    importer.Options
	}{
		{"export.yaml", importer.Options{MaxUsers: importer.DefaultMaxUsers}},
		{"export-populations.yaml", importer.Options{MaxUsers: 0, Source: sim.ExternalIdP}},
	} {
		res := build(t, filepath.Join("testdata", "export"), c.opt)
		var sum strings.Builder
		if err := res.Summary.WriteText(&sum); err != nil {
			t.Fatal(err)
		}
		golden(t, c.golden, string(res.YAML))
		golden(t, strings.TrimSuffix(c.golden, ".yaml")+".summary", sum.String())
		if err := importer.Written(res.YAML); err != nil {
			t.Errorf("%s: %v", c.golden, err)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", name, got)
	}
}

// One output a file, several outputs one after the other in a file, and everything in one
// stream on standard input give the same scenario.
func TestLayouts(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "export")
	files := treeOf(t, dir)
	var all strings.Builder
	var parts []File
	for name, data := range files {
		all.WriteString(data)
		// each output of a file of several in a file of its own
		docs := strings.SplitAfter(data, "\n}\n")
		for i, d := range docs {
			if strings.TrimSpace(d) != "" {
				parts = append(parts, File{Name: name + "." + string(rune('a'+i)), Data: []byte(d)})
			}
		}
	}
	want := build(t, dir, importer.Options{MaxUsers: 500}).Scenario
	fromStdin, err := Read("-", strings.NewReader(all.String()))
	if err != nil {
		t.Fatal(err)
	}
	fromParts, err := Parse("parts", parts)
	if err != nil {
		t.Fatal(err)
	}
	for what, org := range map[string]*importer.Org{"stdin": fromStdin, "a file an output": fromParts} {
		res, err := importer.Build(org, importer.Options{MaxUsers: 500})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(orgtest.ViewOf(res.Scenario), orgtest.ViewOf(want)) || len(res.Scenario.Events) != len(want.Events) {
			t.Errorf("%s: a different scenario", what)
		}
	}
}

// A missing directory is the *fs.PathError; a file outside the export's limits, or a directory
// without files, is an error of the export.
func TestReadErrors(t *testing.T) {
	t.Parallel()
	if _, err := Read(filepath.Join(t.TempDir(), "absent"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
	var list importer.ErrorList
	if _, err := Read(t.TempDir(), nil); !errors.As(err, &list) || !strings.Contains(err.Error(), "holds no file") {
		t.Errorf("empty directory: %v", err)
	}
	big := strings.NewReader(strings.Repeat(" ", importer.MaxFileSize+1))
	if _, err := Read("-", big); !errors.As(err, &list) || err.Error() != "stdin: larger than 128 MiB, the limit" {
		t.Errorf("a large file: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".hidden"), []byte("not JSON"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("not JSON"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir, nil); err == nil || !strings.Contains(err.Error(), "holds no file") {
		t.Errorf("hidden files are left out: %v", err)
	}
}
