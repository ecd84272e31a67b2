package orgtest

import (
	"errors"
	"testing"

	"idcsim/importer"
	"idcsim/scenarios"
	"idcsim/sim"
)

// Example returns the built-in example scenario of the name.
func Example(t testing.TB, name string) *sim.Scenario {
	t.Helper()
	sc, err := scenarios.Load("example:" + name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// CheckImport checks what an importer made of any input, as the fuzz targets do: when it read
// an organisation (err nil), Build either writes a scenario whose first line Written accepts,
// or fails as an importer.ErrorList; every failure is an ErrorList of 1 to MaxErrors+1 problems.
func CheckImport(t testing.TB, org *importer.Org, err error) {
	t.Helper()
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
}
