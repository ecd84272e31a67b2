package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"
)

// yamlNodes counts the nodes yaml.v3 builds from data, every document's; ok is false when it
// cannot read the data.
func yamlNodes(data []byte) (n int, ok bool) {
	var count func(*yaml.Node) int
	count = func(x *yaml.Node) int {
		c := 1
		for _, k := range x.Content {
			c += count(k)
		}
		return c
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		n += count(&doc)
	}
}

// checkBound checks that nodeBound is at least the nodes yaml.v3 builds from data.
func checkBound(t *testing.T, name string, data []byte) {
	t.Helper()
	nodes, ok := yamlNodes(data)
	if !ok {
		return
	}
	if bound, _, _, _ := nodeBound(data, MaxNodes); bound < nodes {
		t.Errorf("%s: bound %d, but yaml.v3 builds %d nodes:\n%s", name, bound, nodes, data)
	}
}

// trickyYAML are inputs whose nodes come without tokens of their own, or whose comments and
// quotes could hide tokens from a careless count.
var trickyYAML = []string{
	"a:\n",
	":\n:\n",
	": x\n",
	"- \n-\n- - -\n",
	"{a, b, c}\n",
	"{a, b: , c}\n",
	"{: , ? }\n",
	"[a: 1, : , ? b, ?]\n",
	"[? : ]\n",
	"? \n: \n",
	"---\n---\n--- \n...\n",
	"a\n...\nb\n",
	"--- a\n--- [b]\n",
	`["x
 # ", 1, 1, 1, 1, 1, 1, 1, 1, 1]`,
	`['it''s # ', 1, 1, 1, 1, 1, 1, 1, 1]`,
	`["a \" # b", 1, 1, 1, 1, 1, 1, 1, 1]`,
	"[it's, ' # ', 1, 1, 1, 1, 1, 1, 1, 1]\n",
	"a: |\n  it's a \"test # not a comment\n  - x\nb: [1, 1, 1, 1, 1]\n",
	"a: >\n  #x\n b: 1\n",
	"- a\u2028- b\u2028- c\u2028- d\n",
	"a: 1\u2029b: 2\u0085c: 3\n",
	"-\r-\r-\r-\r\n- x\r\n",
	"a: &x [1, 2, {b, c}]\nb: *x\n<<: *x\n",
	"!!map {? !!str a : !!null , b}\n",
	"a: b # c, d, e, [f]\n# - - - -\n",
	"a:\t[1,2,3]\t# x\n",
	"{\"a\":1,\"b\":[2,3],\"c\":{}}",
	"%YAML 1.2\n---\na: b\n",
	"",
	"# only a comment\n",
}

// TestNodeBound checks that the pre-scan bounds the nodes yaml.v3 builds, on tricky inputs, in
// UTF-16 too, and on every example and bad input.
func TestNodeBound(t *testing.T) {
	t.Parallel()
	for i, s := range trickyYAML {
		checkBound(t, fmt.Sprint("tricky ", i), []byte(s))
		// yaml.v3 reads UTF-16 with a byte order mark
		le := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			le = append(le, byte(u), byte(u>>8))
		}
		checkBound(t, fmt.Sprint("tricky UTF-16 ", i), le)
	}
	for _, e := range Examples() {
		checkBound(t, e.Name, e.Source)
	}
	bad, _ := filepath.Glob(filepath.Join("..", "testdata", "bad", "*.yaml"))
	for _, path := range bad {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkBound(t, path, data)
	}
}

func FuzzNodeBound(f *testing.F) {
	for _, s := range trickyYAML {
		f.Add([]byte(s))
	}
	for _, e := range Examples() {
		f.Add(e.Source)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkBound(t, "fuzz", data)
	})
}

// TestNodeBoundTight checks that the bound stays within 2.5 times the nodes of the examples,
// written in block and flow style with comments, as nodeBound's doc comment says: the cap lets
// through files of 400,000 nodes.
func TestNodeBoundTight(t *testing.T) {
	t.Parallel()
	for _, e := range Examples() {
		nodes, _ := yamlNodes(e.Source)
		bound, _, _, _ := nodeBound(e.Source, MaxNodes)
		if 2*bound > 5*nodes {
			t.Errorf("%s: bound %d for %d nodes, more than 2.5 times", e.Name, bound, nodes)
		}
	}
}

// TestNodeCap checks that a file just over MaxNodes is refused at the place the bound crosses
// it, before yaml.v3 builds anything.
func TestNodeCap(t *testing.T) {
	t.Parallel()
	// Each line "- {name: uN}" counts 7 (nodeBound): "-" 2 as a block entry, "{" 1, "name:"
	// 1 and 1 for its ":", "uN" 1, "}" 1. With 2 for the document and 3 for "users:" (the
	// run, its ":" and the empty value it could have), 142,856 lines count 999,997; on line
	// 142,858 of the file, "-" brings 999,999, "{" 1,000,000 and "name:", at column 4, crosses
	// the cap.
	var b bytes.Buffer
	b.WriteString("users:\n")
	for i := range 150_000 { // more than the 142,858 lines the cap allows

		fmt.Fprintf(&b, "- {name: u%d}\n", i)
	}
	start := time.Now()
	_, err := Parse("users.yaml", b.Bytes())
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("got %v, want one error", err)
	}
	if want := "users.yaml:142858:4: the file could make more than 1000000 YAML nodes by here"; !strings.HasPrefix(list[0].Error(), want) {
		t.Errorf("got %v, want %s", list[0], want)
	}
	// The pre-scan reads 2.6 MB; yaml.v3 would take seconds and hundreds of MB.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing took %v", d)
	}
	// Under the cap, the same file is not refused by the pre-scan.
	under := b.Bytes()[:bytes.Index(b.Bytes(), []byte("- {name: u142856}"))]
	if err := CheckSize("users.yaml", under); err != nil {
		t.Errorf("142,856 users: %v", err)
	}
}

// TestErrorCap checks that a file with 10,000 errors lists the first MaxErrors, then a line
// counting the others.
func TestErrorCap(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("accounts: [a]\nusers:\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "- {name: u%d, groups: [nosuch]}\n", i) // an unknown group each
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want an ErrorList", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(list) != MaxErrors+1 || len(lines) != MaxErrors+1 {
		t.Fatalf("got %d errors in %d lines, want %d", len(list), len(lines), MaxErrors+1)
	}
	if !strings.HasPrefix(lines[0], "many.yaml:3:") || !strings.HasPrefix(lines[MaxErrors-1], "many.yaml:102:") {
		t.Errorf("the first errors listed are not the first of the file:\n%s\n%s", lines[0], lines[MaxErrors-1])
	}
	// 10,000 unknown groups, of which 100 are listed
	if got, want := lines[MaxErrors], "many.yaml: and 9900 more errors"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

// TestProblemsBounded checks that the problems kept stay bounded however many are found, and
// that the first by position are kept whatever the order they were found in.
func TestProblemsBounded(t *testing.T) {
	t.Parallel()
	var p problems
	const n = 5 * compactAt
	for i := n; i > 0; i-- {
		p.add(&Error{File: "f", Line: i, Col: 1, Msg: "x"})
		if len(p.list) >= compactAt {
			t.Fatalf("%d problems kept", len(p.list))
		}
	}
	if p.len() != n {
		t.Errorf("len %d, want %d", p.len(), n)
	}
	l := p.result("f", "errors")
	if len(l) != MaxErrors+1 || l[0].Line != 1 || l[MaxErrors-1].Line != MaxErrors {
		t.Errorf("kept %d, from line %d to %d", len(l), l[0].Line, l[len(l)-2].Line)
	}
	if got := l[MaxErrors].Error(); got != fmt.Sprintf("f: and %d more errors", n-MaxErrors) {
		t.Errorf("last: %s", got)
	}
}

// A population is its count, not a list: reading a scenario of MaxUsers people in populations
// allocates nothing per person (the engine compiles them).
func TestPopulationsNotListed(t *testing.T) {
	src := []byte(fmt.Sprintf(`name: many
applications: [{name: q, kind: aws_managed}]
behaviours:
  - {name: worker, working_days: [mon], working_hours: {start: 9h, end: 17h}, open_app: {per_day: 1, applications: [q]}}
populations:
  - {name: a, count: %d, behaviour: worker, devices: [{name: laptop, kind: browser}]}
  - {name: b, count: %d, behaviour: worker, devices: [{name: laptop, kind: browser}]}
`, MaxUsers/2, MaxUsers/2))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sc, err := Parse("many.yaml", src)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n := sc.Populations[0].Count + sc.Populations[1].Count; n != MaxUsers {
		t.Fatalf("%d people, want %d", n, MaxUsers)
	}
	// a byte a person would be 10 MB; the YAML, the time zones and the rest took 125 kB
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("reading %d people allocated %d bytes", MaxUsers, got)
	}
}
