package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readme is the repository's README.md, whose commands and examples must keep working.
func readme(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readmeBlocks returns the contents of the README's fenced code blocks of a language.
func readmeBlocks(text, lang string) []string {
	var blocks []string
	var cur *strings.Builder
	for line := range strings.Lines(text) {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```"+lang:
			cur = &strings.Builder{}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line)
		}
	}
	return blocks
}

// inlineCommand matches a command written in the README's text: idcsim with arguments and no
// placeholder (an upper-case word, brackets or an ellipsis), or go run of the command.
var inlineCommand = regexp.MustCompile("`((?:go run \\./cmd/)?idcsim(?: [^`A-Z\\[.]*)?)`")

// readmeCommands returns every idcsim command the README shows: each line of its sh blocks
// that runs idcsim (comments cut off), and each command written in its text, once each.
func readmeCommands(text string) []string {
	seen := map[string]bool{}
	var cmds []string
	add := func(c string) {
		c = strings.Join(strings.Fields(c), " ")
		if !seen[c] {
			seen[c] = true
			cmds = append(cmds, c)
		}
	}
	for _, b := range readmeBlocks(text, "sh") {
		for line := range strings.Lines(b) {
			line, _, _ = strings.Cut(line, "#")
			if f := strings.Fields(line); len(f) > 0 && (f[0] == "idcsim" || strings.HasPrefix(line, "go run ./cmd/idcsim")) {
				add(line)
			}
		}
	}
	for _, m := range inlineCommand.FindAllStringSubmatch(text, -1) {
		add(m[1])
	}
	return cmds
}

// Every command the README shows runs: none is refused as bad usage or fails (exit 2 or 3). Each
// runs as a process of its own (the test binary running idcsim), in a directory of its own, in
// parallel with the others; the commands that take long (the timing tables, the 100,000-person
// example) run only without -short.
func TestREADMECommands(t *testing.T) {
	text := readme(t)
	cmds := readmeCommands(text)
	if len(cmds) < 8 {
		t.Fatalf("found only %d commands in README.md: %q", len(cmds), cmds)
	}
	// The table file the README shows is the bounds.yaml its table --check command reads.
	var bounds string
	for _, b := range readmeBlocks(text, "yaml") {
		if strings.Contains(b, "rows:") {
			bounds = b
		}
	}
	for _, c := range cmds {
		// A command may read a file of the repository as its standard input (< FILE) and
		// write its output to a file (> FILE), as a shell would.
		var input string
		if before, after, ok := strings.Cut(c, " < "); ok {
			f := strings.Fields(after)
			input = filepath.Join("..", "..", f[0])
			c = before + " " + strings.Join(f[1:], " ")
		}
		c, _, _ = strings.Cut(c, " > ")
		args := strings.Fields(c)
		switch {
		case args[0] == "go":
			args = args[3:] // go run ./cmd/idcsim ARGS
		default:
			args = args[1:]
		}
		if len(args) == 0 || args[0] == "merge" || args[0] == "validate" || len(args) == 1 && slices.Contains([]string{"sweep", "trail", "import"}, args[0]) {
			continue // the name of a command that needs arguments, not a command to run
		}
		if args[0] == "import" || slices.Contains(args, "imported.yaml") {
			continue // the import example, a sequence in one directory: TestImportREADME runs it
		}
		slow := args[0] == "table" || strings.Contains(c, "org-100k")
		if slow && testing.Short() {
			continue
		}
		if args[0] == "run" || args[0] == "sweep" {
			args = append(args, "--progress", "never")
		}
		t.Run(c, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "bounds.yaml"), []byte(bounds), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), envMainArgs+"="+strings.Join(args, "\n"))
			if input != "" {
				f, err := os.Open(input)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.Stdin = f
			}
			out, err := cmd.CombinedOutput()
			code := 0
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				code = ee.ExitCode()
			case err != nil:
				t.Fatal(err)
			}
			if code != exitOK && code != exitFail {
				t.Errorf("exit %d:\n%s", code, out)
			}
			// The README says this one fails a control.
			if strings.Contains(c, "no-deny-policy") && code != exitFail {
				t.Errorf("exit %d, want %d: the README shows it failing a control", code, exitFail)
			}
		})
	}
}

// The README's example scenario validates, and so does each sweep: block it shows added to it.
func TestREADMEScenarios(t *testing.T) {
	var scenario string
	var sweeps []string
	for _, b := range readmeBlocks(readme(t), "yaml") {
		switch {
		case strings.HasPrefix(b, "name:"):
			scenario = b
		case strings.HasPrefix(b, "sweep:"):
			sweeps = append(sweeps, b)
		}
	}
	if scenario == "" || len(sweeps) < 2 {
		t.Fatalf("README.md: scenario found %v, %d sweep blocks", scenario != "", len(sweeps))
	}
	for i, src := range append([]string{scenario}, sweeps...) {
		if i > 0 {
			src = scenario + src
		}
		path := writeFile(t, "readme.yaml", src)
		if code, _, stderr := idcsim(t, "validate", path); code != exitOK {
			t.Errorf("README block %d: exit %d:\n%s\n%s", i, code, stderr, src)
		}
	}
}

// The Slurm job scripts the README shows (in a bash or sh block) are the files of scripts/slurm,
// which scripts/slurm-test runs on a real cluster, as they are. A README that shows no block of a
// script (none with its #SBATCH --job-name line) skips that script.
func TestREADMESlurmScripts(t *testing.T) {
	text := readme(t)
	blocks := append(readmeBlocks(text, "bash"), readmeBlocks(text, "sh")...)
	for _, name := range []string{"shard.sbatch", "merge.sbatch"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "scripts", "slurm", name))
			if err != nil {
				t.Fatal(err)
			}
			script := string(data)
			var marker string
			for line := range strings.Lines(script) {
				if strings.HasPrefix(line, "#SBATCH --job-name=") {
					marker = line
				}
			}
			if marker == "" {
				t.Fatalf("scripts/slurm/%s has no #SBATCH --job-name line", name)
			}
			shown := 0
			for _, b := range blocks {
				if !strings.Contains(b, marker) {
					continue
				}
				shown++
				if b != script {
					t.Errorf("README.md shows scripts/slurm/%s otherwise: %s", name, firstDifference(b, script))
				}
			}
			if shown == 0 {
				t.Skipf("README.md shows no block of scripts/slurm/%s (none with %q)", name, strings.TrimSpace(marker))
			}
		})
	}
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d is %q, the file's %q", i+1, gl, wl)
		}
	}
	return "no difference"
}
