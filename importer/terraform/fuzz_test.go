package terraform

import (
	"path/filepath"
	"testing"

	"idcsim/importer/internal/orgtest"
)

// FuzzParse reads terraform show -json and builds its scenario: it never panics, every problem
// is an importer.ErrorList, and what it writes is a scenario that reads back (Build checks) with
// the first line Written accepts. The seeds are the recorded state, the plan of TestPlan, and
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(mustRead(f, filepath.Join("testdata", "state.json")))
	f.Add([]byte(plan))
	f.Fuzz(func(t *testing.T, data []byte) {
		org, err := Parse("fuzz.json", data)
		orgtest.CheckImport(t, org, err)
	})
}
