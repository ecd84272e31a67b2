// Package scenarios reads, checks and writes the YAML scenario format of idcsim.
package scenarios

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"idcsim/sim"
)

// Error is one problem at a place in a file; Line is 0 for one about no place in particular.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0 && e.File == "":
		return e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	case e.File == "":
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is the problems found in a file, sorted by line and column: every one, or the first
// MaxErrors and a last Error without a position (Line 0) saying how many more there were.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// sortDedup sorts the list by position and drops repeated messages at one place.
func (l ErrorList) sortDedup() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
	var out ErrorList
	seen := map[Error]bool{}
	for _, e := range l {
		if seen[*e] {
			continue
		}
		seen[*e] = true
		out = append(out, e)
	}
	return out
}

// Parse decodes and validates a scenario. filename is used in error positions only.
// When anything is wrong, the error is an ErrorList of the problems found.
func Parse(filename string, data []byte) (*sim.Scenario, error) {
	if err := checkSize(filename, data, "; describe many people with populations and offboardings rather than listing them"); err != nil {
		return nil, err
	}
	sc, errs := parse(filename, data)
	if len(errs) > 0 {
		return nil, errs
	}
	return sc, nil
}

// Load reads a scenario from a file, or a built-in example when path is "example:NAME".
func Load(path string) (*sim.Scenario, error) {
	sc, _, err := LoadSource(path)
	return sc, err
}

// LoadSource is Load that also returns the scenario's source text.
func LoadSource(path string) (*sim.Scenario, []byte, error) {
	if name, ok := strings.CutPrefix(path, "example:"); ok {
		for _, e := range Examples() {
			if e.Name == name {
				sc, err := Parse(path, e.Source)
				return sc, e.Source, err
			}
		}
		var names []string
		for _, e := range Examples() {
			names = append(names, e.Name)
		}
		hint := suggest(name, names)
		if hint == "" {
			hint = "; the examples are " + strings.Join(names, ", ")
		}
		return nil, nil, fmt.Errorf("no built-in example %q%s", name, hint)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	size := "larger than"
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fmt.Sprintf("%d bytes, larger than", fi.Size())
	}
	return read(path, f, size)
}

// ReadSource reads a scenario from r, a stream such as standard input, named name in errors, and
// returns it with its source text. It reads no more than MaxFileSize bytes and one more.
func ReadSource(name string, r io.Reader) (*sim.Scenario, []byte, error) {
	return read(name, r, "larger than")
}

func read(name string, r io.Reader, size string) (*sim.Scenario, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileSize {
		return nil, nil, ErrorList{{File: name, Line: 1, Col: 1,
			Msg: fmt.Sprintf("the file is %s the limit of %d MiB", size, MaxFileSize>>20)}}
	}
	sc, err := Parse(name, data)
	return sc, data, err
}
