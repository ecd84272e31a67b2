package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

// errorLine is the form of every error ParseTable reports.
var errorLine = regexp.MustCompile(`^t\.yaml:\d+:\d+: .+`)

// FuzzParseTable feeds table files to the parser: it never panics or hangs, every error it
// reports is FILE:LINE:COL: message, and a table it accepts has only the known rows and cells.
func FuzzParseTable(f *testing.F) {
	for _, p := range BuiltinTables() {
		data, err := builtinTables.ReadFile("tables/" + p + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"profile": "current", "rows": {"sign_out": {"app_existing": "30m"}}}`))
	f.Add([]byte("rows:\n  disable_user: {idc_access: keeps access, app_new: -1h}\n"))
	f.Add([]byte("profile: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseTable("t.yaml", data, time.ParseDuration)
		if err != nil {
			for _, l := range strings.Split(err.Error(), "\n") {
				if !errorLine.MatchString(l) {
					t.Fatalf("error line %q is not FILE:LINE:COL: message", l)
				}
			}
			return
		}
		for row, cells := range tab.Rows {
			if !slices.Contains(sim.TableRows, row) {
				t.Fatalf("accepted unknown row %q", row)
			}
			for cell := range cells {
				if !slices.Contains(sim.TableCells, cell) {
					t.Fatalf("accepted unknown cell %q", cell)
				}
			}
		}
	})
}
