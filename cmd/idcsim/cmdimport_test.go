package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"idcsim/scenarios"
)

var updateImport = flag.Bool("update-import", false, "rewrite testdata/import-readme.txt")

// exportDir is the recorded AWS CLI export of the importer's tests.
var exportDir = filepath.Join("..", "..", "importer", "awscli", "testdata", "export")

// import aws writes the scenario on stdout (also with --out -) and the summary on stderr; the
// scenario validates.
func TestImportStdout(t *testing.T) {
	code, stdout, stderr := idcsim(t, "import", "aws", exportDir)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "# Written by idcsim import; sha256 of the lines below: ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	sc, err := scenarios.Parse("stdout", []byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	// the export's 10 users, frank.li disabled by the first event
	if len(sc.Users) != 10 || len(sc.Events) != 1 || sc.Events[0].User != "frank.li" {
		t.Errorf("%d users, events %+v", len(sc.Users), sc.Events)
	}
	if code, again, _ := idcsim(t, "import", "aws", exportDir, "--out", "-"); code != exitOK || again != stdout {
		t.Errorf("--out -: exit %d, another scenario on stdout", code)
	}
	for _, want := range []string{"users            10 (1 disabled)", "longest permission set: DataScientist (12h00m)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// import terraform reads standard input for -; the flags set what no API exposes.
func TestImportTerraformStdin(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "importer", "terraform", "testdata", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := stdin
	stdin = f
	defer func() { stdin = old }()
	code, stdout, stderr := idcsim(t, "import", "terraform", "-", "--portal-session", "12h", "--identity-source", "external_idp", "--max-users", "3")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	sc, err := scenarios.Parse("stdout", []byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Settings.PortalSession.Hours() != 12 || sc.Source.Kind.String() != "external_idp" || len(sc.Users) != 0 || len(sc.Populations) == 0 {
		t.Errorf("portal %v, source %v, %d users, %d populations", sc.Settings.PortalSession, sc.Source.Kind, len(sc.Users), len(sc.Populations))
	}
	if !strings.Contains(stderr, "imported the Terraform state on standard input") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// --out writes the scenario whole; it replaces a scenario import wrote and nobody changed, and
// refuses anything else, leaving it as it was.
func TestImportOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "org.yaml")
	code, stdout, stderr := idcsim(t, "import", "aws", exportDir, "--out", out)
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "wrote "+out+"; run it with: idcsim run "+out) {
		t.Fatalf("exit %d, stdout %q:\n%s", code, stdout, stderr)
	}
	first, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// unchanged: replaced
	if code, _, stderr := idcsim(t, "import", "aws", exportDir, "--out", out, "--max-users", "0"); code != exitOK {
		t.Fatalf("replacing an unchanged import: exit %d:\n%s", code, stderr)
	}
	second, _ := os.ReadFile(out)
	if string(second) == string(first) || !strings.Contains(string(second), "populations:") {
		t.Error("the unchanged import was not replaced")
	}
	for _, c := range []struct {
		name, content, want string
	}{
		{"edited", string(second) + "# a note\n", "it was changed after idcsim import wrote it"},
		{"someone else's", "name: mine\n", "it is not a scenario written by idcsim import"},
	} {
		if err := os.WriteFile(out, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := idcsim(t, "import", "aws", exportDir, "--out", out)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d:\n%s", c.name, code, stderr)
		}
		if got, _ := os.ReadFile(out); string(got) != c.content {
			t.Errorf("%s: the file was changed", c.name)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want the scenario alone", len(entries))
	}
}

// Bad input and usage exit 2 with every problem listed and nothing written; a failure to write
// the scenario exits 3.
func TestImportErrors(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "assignments.json"), []byte(`{"AccountAssignments": [{"AccountId": "210987654321",
 "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0000000000000000", "PrincipalType": "USER", "PrincipalId": "u-1"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notes := t.TempDir()
	if err := os.WriteFile(filepath.Join(notes, "notes.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.yaml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "no source given: write aws DIR or terraform FILE"},
		{[]string{"import", "csv", "x"}, `unknown source "csv"`},
		{[]string{"import", "aws"}, "import aws needs the directory to read"},
		{[]string{"import", "aws", "a", "b"}, "one source at a time"},
		{[]string{"import", "aws", exportDir, "--identity-source", "okta"}, `--identity-source "okta": want identity_center, external_idp, active_directory`},
		{[]string{"import", "aws", exportDir, "--portal-session", "soon"}, `--portal-session "soon"`},
		{[]string{"import", "aws", exportDir, "--portal-session", "100d"}, "portal session 100d is outside 15m..90d, the range of the portal session (UIS-1)"},
		{[]string{"import", "aws", exportDir, "--max-users", "-1"}, "--max-users -1: want 0 or more"},
		{[]string{"import", "aws", filepath.Join(bad, "absent")}, "idcsim import: stat " + filepath.Join(bad, "absent") + ": no such file or directory"},
		{[]string{"import", "terraform", bad}, bad + ": a directory: want the file terraform show -json wrote"},
		{[]string{"import", "aws", bad, "--out", out}, filepath.Join(bad, "assignments.json") + ": AccountAssignments[0].PrincipalId: unknown user u-1\n" +
			filepath.Join(bad, "assignments.json") + ": AccountAssignments[0].PermissionSetArn: unknown permission set arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0000000000000000\n"},
		{[]string{"import", "aws", notes, "--out", out}, filepath.Join(notes, "notes.txt") + ": not valid JSON, at line 1, column 1: invalid character 'h' looking for beginning of value"},
	} {
		code, stdout, stderr := idcsim(t, c.args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("idcsim %s: exit %d, stdout %q, stderr:\n%s\nwant %q", strings.Join(c.args, " "), code, stdout, stderr, c.want)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--out was written: %v", err)
	}
	var stderr strings.Builder
	if code := run([]string{"import", "aws", exportDir}, failingWriter{}, &stderr); code != exitInternal ||
		!strings.Contains(stderr.String(), "writing the scenario: the disk is full") {
		t.Errorf("a failure to write: exit %d:\n%s", code, stderr.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("the disk is full") }

// The README's example, as a user types it at the repository's root: the export imported into
// imported.yaml as populations, then run. testdata/import-readme.txt holds the commands and
// what they print (go test -run TestImportREADME -update-import rewrites it).
func TestImportREADME(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", "import-readme.txt"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "importer", "awscli", "testdata", "export"), os.DirFS(exportDir)); err != nil {
		t.Fatal(err)
	}
	// The commands are the README's, in the order it gives them, run in one directory.
	text := readme(t)
	var cmds [][]string
	for _, b := range readmeBlocks(text, "sh") {
		if strings.Contains(b, "idcsim import aws") {
			for line := range strings.Lines(b) {
				if f := strings.Fields(line); len(f) > 1 && f[0] == "idcsim" {
					cmds = append(cmds, f[1:])
				}
			}
		}
	}
	if len(cmds) != 2 {
		t.Fatalf("README.md: %d commands in the import example, want 2: %q", len(cmds), cmds)
	}
	t.Chdir(root)
	var got strings.Builder
	for _, args := range cmds {
		code, stdout, stderr := idcsim(t, args...)
		if code != exitOK {
			t.Fatalf("idcsim %s: exit %d:\n%s", strings.Join(args, " "), code, stderr)
		}
		got.WriteString("$ idcsim " + strings.Join(args, " ") + "\n" + stderr + stdout)
	}
	if *updateImport {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("the commands print (go test -run TestImportREADME -update-import rewrites testdata/import-readme.txt):\n%s", got.String())
	}
	// and the README shows what they print
	var shown []string
	for line := range strings.Lines(string(want)) {
		if !strings.HasPrefix(line, "$ idcsim") {
			shown = append(shown, line)
		}
	}
	if !strings.Contains(text, "```\n"+strings.Join(shown, "")+"```\n") {
		t.Error("README.md does not show what the import example prints: paste testdata/import-readme.txt without its $ lines")
	}
}
