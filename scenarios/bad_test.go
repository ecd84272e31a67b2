package scenarios

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var wantLine = regexp.MustCompile(`^# want: (\d+):(\d+): (.*)$`)

// TestBadInputs parses every file of testdata/bad at the repository root. Each file lists the
// errors it must give, in order, as trailing comments "# want: LINE:COL: fragment of the message".
// Files named after a rule (UIS-1, ROLE-2, BG-1, KIRO-1) check that rule's range.
func TestBadInputs(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("found only %d files in testdata/bad", len(files))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var wants []string
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				if m := wantLine.FindStringSubmatch(sc.Text()); m != nil {
					wants = append(wants, fmt.Sprintf("%s:%s:%s: %s", name+".yaml", m[1], m[2], m[3]))
				}
			}
			if len(wants) == 0 {
				t.Fatal("the file has no # want: lines")
			}
			_, err = Parse(name+".yaml", data)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse returned %v, want an ErrorList", err)
			}
			if len(list) != len(wants) {
				t.Errorf("got %d errors, want %d:\n%v", len(list), len(wants), err)
			}
			for i := 0; i < len(list) && i < len(wants); i++ {
				got := list[i].Error()
				pos, frag, _ := strings.Cut(wants[i], " ")
				if !strings.HasPrefix(got, pos+" ") || !strings.Contains(got, frag) {
					t.Errorf("error %d:\n got %s\nwant %s", i, got, wants[i])
				}
			}
		})
	}
}
