package terraform

import (
	"errors"
	"path/filepath"
	"testing"

	"idcsim/importer"
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
		if err == nil {
			var res *importer.Result
			if res, err = importer.Build(org, importer.Options{MaxUsers: 2}); err == nil {
				if err := importer.Written(res.YAML); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		var list importer.ErrorList
		if !errors.As(err, &list) || len(list) == 0 || len(list) > importer.MaxErrors+1 {
			t.Fatalf("%T with %d problems: %v", err, len(list), err)
		}
	})
}
