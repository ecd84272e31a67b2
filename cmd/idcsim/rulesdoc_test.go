package main

import (
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the repository's root, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// ruleID matches a rule ID of docs/RULES.md: a family and a number.
var ruleID = regexp.MustCompile(`\b(UIS|APP|SAML|GRP|ROLE|CLI|BG|KIRO|PROV|TTI|CUT|EV)-(\d+)\b`)

// ruleFamilies lists the families of the catalogue in the order of its sections, each with its
// number of rules: UIS-1..11, APP-1..4, SAML-1..2, GRP-1..2, ROLE-1..6, CLI-1..7, BG-1..8,
// KIRO-1..3, PROV-1..5, TTI-1..4, CUT-1..4, EV-1..2, the 58 rules of the project's catalogue.
var ruleFamilies = []struct {
	name  string
	count int
}{
	{"UIS", 11}, {"APP", 4}, {"SAML", 2}, {"GRP", 2}, {"ROLE", 6}, {"CLI", 7},
	{"BG", 8}, {"KIRO", 3}, {"PROV", 5}, {"TTI", 4}, {"CUT", 4}, {"EV", 2},
}

// ruleDefinition matches where docs/RULES.md defines a rule: a table row keyed by its ID
// ("| UIS-1 | ...") or a heading that starts with it ("### UIS-1: ...").
var ruleDefinition = regexp.MustCompile(`^(?:\|\s*|#{1,6}\s+)` + ruleID.String() + `\s*(?:\||:|$)`)

// mentions is where a rule ID occurs: the file and line of its first occurrence.
type mentions map[string]string

func (m mentions) add(id, file string, line int) {
	if _, ok := m[id]; !ok {
		m[id] = fmt.Sprintf("%s:%d", file, line)
	}
}

// rel names a file of the repository as the repository does.
func rel(t *testing.T, path string) string {
	t.Helper()
	r, err := filepath.Rel(repoRoot, path)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(r)
}

// goCitations adds the rule IDs in the comments and string literals of a Go file.
func goCitations(t *testing.T, path string, m mentions) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(path, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, func(pos token.Position, msg string) { t.Errorf("%s: %s", pos, msg) }, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return
		}
		if tok != token.COMMENT && tok != token.STRING && tok != token.CHAR {
			continue
		}
		for _, loc := range ruleID.FindAllStringIndex(lit, -1) {
			line := fset.Position(pos).Line + strings.Count(lit[:loc[0]], "\n")
			m.add(lit[loc[0]:loc[1]], rel(t, path), line)
		}
	}
}

// textCitations adds the rule IDs of a text file (Markdown, YAML).
func textCitations(t *testing.T, path string, m mentions) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		for _, id := range ruleID.FindAllString(line, -1) {
			m.add(id, rel(t, path), i+1)
		}
	}
}

// docRules returns the rules docs/RULES.md defines, in its order, with their lines.
func docRules(t *testing.T) (ids []string, lines []int) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, "docs", "RULES.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(withoutCode(string(src)), "\n") {
		if sm := ruleDefinition.FindStringSubmatch(line); sm != nil {
			ids = append(ids, sm[1]+"-"+sm[2])
			lines = append(lines, i+1)
		}
	}
	return ids, lines
}

// Every rule ID the code cites, in its comments and in the strings it prints (evidence, notes,
// warnings, errors), and every one the README, the docs and the built-in scenarios and tables
// cite, is a rule of docs/RULES.md, the catalogue written for users; the catalogue defines each
// rule exactly once, every family in the order of its sections, numbered from 1 without gaps.
func TestRulesDocCoversCitedRules(t *testing.T) {
	ids, lines := docRules(t)
	defined := map[string]int{}
	for i, id := range ids {
		if first, dup := defined[id]; dup {
			t.Errorf("docs/RULES.md:%d: %s is defined a second time; the first is at line %d", lines[i], id, first)
			continue
		}
		defined[id] = lines[i]
	}

	// The families in the order of the catalogue's sections, each rule once, in order.
	var want []string
	for _, f := range ruleFamilies {
		for n := 1; n <= f.count; n++ {
			want = append(want, f.name+"-"+strconv.Itoa(n))
		}
	}
	if len(want) != 58 { // the rules of the project's catalogue
		t.Fatalf("ruleFamilies lists %d rules, want 58", len(want))
	}
	if !slices.Equal(ids, want) {
		for _, id := range want {
			if _, ok := defined[id]; !ok {
				t.Errorf("docs/RULES.md does not define %s", id)
			}
		}
		t.Errorf("docs/RULES.md defines, in order:\n%s\nwant:\n%s", strings.Join(ids, " "), strings.Join(want, " "))
	}

	// The rule IDs the repository cites.
	cited := mentions{}
	scanned := map[string]int{} // Go files per directory
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != repoRoot && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		r := rel(t, path)
		switch {
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			goCitations(t, path, cited)
			scanned[filepath.ToSlash(filepath.Dir(r))]++
		case r == "README.md" || strings.HasPrefix(r, "docs/") && strings.HasSuffix(name, ".md"):
			textCitations(t, path, cited)
		case strings.HasPrefix(r, "scenarios/") && (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")):
			textCitations(t, path, cited)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"sim", "scenarios", "report", "shard", "cmd/idcsim"} {
		if scanned[dir] == 0 {
			t.Errorf("no Go file of %s was scanned for rule IDs", dir)
		}
	}
	// The engine cites most of the catalogue; far fewer would mean the scan misses them.
	if len(cited) < 40 {
		t.Errorf("found only %d rule IDs cited in the repository: %v", len(cited), cited)
	}
	var missing []string
	for id, where := range cited {
		if _, ok := defined[id]; !ok {
			missing = append(missing, where+": "+id+" is not a rule of docs/RULES.md")
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// fence matches the line that opens or closes a fenced code block.
var fence = regexp.MustCompile("^\\s*(```|~~~)")

// codeSpan matches an inline code span.
var codeSpan = regexp.MustCompile("`+[^`]*`+")

// withoutCode blanks Markdown's fenced code blocks and inline code spans, keeping the lines.
func withoutCode(text string) string {
	lines := strings.Split(text, "\n")
	in := false
	for i, line := range lines {
		switch {
		case fence.MatchString(line):
			in = !in
			lines[i] = ""
		case in:
			lines[i] = ""
		default:
			lines[i] = codeSpan.ReplaceAllStringFunc(line, func(s string) string { return strings.Repeat(" ", len(s)) })
		}
	}
	return strings.Join(lines, "\n")
}

// mdLink matches an inline Markdown link or image, capturing its target.
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// scheme matches a target with a URL scheme (https:, mailto:): not a file of the repository.
var scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// heading matches a Markdown heading, capturing its text.
var heading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// anchors returns the anchors GitHub gives a Markdown file's headings: the text in lower case,
// spaces as hyphens, other punctuation dropped, a repeated anchor numbered -1, -2….
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for line := range strings.SplitSeq(withoutCodeBlocks(text), "\n") {
		sm := heading.FindStringSubmatch(line)
		if sm == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(sm[1]) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// withoutCodeBlocks blanks fenced code blocks only: headings keep their inline code's text.
func withoutCodeBlocks(text string) string {
	lines := strings.Split(text, "\n")
	in := false
	for i, line := range lines {
		if fence.MatchString(line) {
			in = !in
			lines[i] = ""
		} else if in {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// Every relative link of README.md and docs/*.md (the built-in tables, the docs, the plot)
// points to a file of the repository, and a link to a heading (#anchor) to a heading that exists,
// so that the documentation can be followed from the repository alone.
func TestRulesDocAndREADMELinks(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{filepath.Join(repoRoot, "README.md")}, docs...)
	if len(files) < 3 { // README.md, docs/ARCHITECTURE.md, docs/RULES.md
		t.Fatalf("found only %q", files)
	}
	links := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// A link's text may wrap onto the next line: the whole file is searched at once.
		prose := withoutCode(string(src))
		for _, loc := range mdLink.FindAllStringSubmatchIndex(prose, -1) {
			target := prose[loc[2]:loc[3]]
			if scheme.MatchString(target) {
				continue
			}
			links++
			line := 1 + strings.Count(prose[:loc[0]], "\n")
			where := fmt.Sprintf("%s:%d: link %s", rel(t, file), line, target)
			path, frag, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s: %s does not exist", where, rel(t, dest))
					continue
				}
			}
			if frag == "" || !strings.HasSuffix(dest, ".md") {
				continue
			}
			text, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			if !anchors(string(text))[frag] {
				t.Errorf("%s: %s has no heading #%s", where, rel(t, dest), frag)
			}
		}
	}
	// README.md alone links the four built-in tables, the plot and sections of its own.
	t.Logf("%d relative links checked", links)
	if links < 8 {
		t.Errorf("found only %d relative links", links)
	}
}
