package awscli

import (
	"bytes"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"idcsim/importer/internal/orgtest"
)

// FuzzParse reads files of an export (the input split at NUL bytes, which JSON cannot hold) and
// builds their scenario: it never panics, every problem is an importer.ErrorList, and what it
// writes is a scenario that reads back (Build checks) with the first line Written accepts. The
// seeds are the recorded export, the small export of the bad-input tests, and
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	tree := treeOf(f, filepath.Join("testdata", "export"))
	f.Add(join(tree))
	f.Add(join(small()))
	for _, name := range slices.Sorted(maps.Keys(tree)) {
		f.Add([]byte(tree[name]))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var files []File
		for i, part := range bytes.Split(data, []byte{0}) {
			files = append(files, File{Name: fmt.Sprintf("f%d.json", i), Data: part})
		}
		org, err := Parse("fuzz", files)
		orgtest.CheckImport(t, org, err)
	})
}

// join puts files together as FuzzParse splits them, in the order of their names.
func join(files map[string]string) []byte {
	var parts [][]byte
	for _, name := range slices.Sorted(maps.Keys(files)) {
		parts = append(parts, []byte(files[name]))
	}
	return bytes.Join(parts, []byte{0})
}
