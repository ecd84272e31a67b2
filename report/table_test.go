package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

func TestBuiltinTables(t *testing.T) {
	if got := strings.Join(BuiltinTables(), " "); got != "2022-10 2023-07 2023-09 current" {
		t.Errorf("built-in tables %q", got)
	}
	cur, ok := BuiltinTable("current")
	if !ok {
		t.Fatal("no current table")
	}
	// T1 and T2 of RULES.md: every row, every cell.
	if len(cur.Rows) != len(sim.TableRows) {
		t.Errorf("current table has %d rows, want %d", len(cur.Rows), len(sim.TableRows))
	}
	for _, row := range sim.TableRows {
		if len(cur.Rows[row]) != len(sim.TableCells) {
			t.Errorf("current %s has %d cells, want %d", row, len(cur.Rows[row]), len(sim.TableCells))
		}
	}
	for _, c := range []struct {
		row, cell string
		want      Bound
	}{
		{"disable_user", "idc_access", Bound{}},
		{"disable_user", "app_existing", Bound{Limit: 30 * time.Minute}},
		{"end_sessions", "idc_access", Bound{Text: sim.MustSignInAgain}},
		{"remove_from_group", "app_new", Bound{Limit: time.Hour}},
		{"remove_from_group", "app_existing", Bound{Limit: 2 * time.Hour}},
		{"remove_group_assignment", "idc_access", Bound{Text: sim.KeepsAccess}},
		{"sign_out", "role_existing", Bound{PermissionSet: true}},
	} {
		if got := cur.Rows[c.row][c.cell]; got != c.want {
			t.Errorf("current %s %s = %+v, want %+v", c.row, c.cell, got, c.want)
		}
	}
	if cur.PermissionSetDuration != 12*time.Hour {
		t.Errorf("current permission-set duration %v", cur.PermissionSetDuration)
	}
	blog, ok := BuiltinTable("2023-07")
	if !ok {
		t.Fatal("no 2023-07 table")
	}
	if len(blog.Rows) != 4 || blog.Rows["delete_user"]["app_existing"].Limit != time.Hour || blog.Rows["remove_from_group"] != nil {
		t.Errorf("2023-07 table: %+v, want T1 rows with app_existing 60m", blog.Rows)
	}
	// RULES.md's profile table: the APP-2 check is 120m in 2022-10 and 60m in 2023-09; T2 is unchanged.
	for p, check := range map[string]time.Duration{"2022-10": 2 * time.Hour, "2023-09": time.Hour} {
		tb, ok := BuiltinTable(p)
		if !ok {
			t.Fatalf("no %s table", p)
		}
		if len(tb.Rows) != 7 || tb.Rows["sign_out"]["app_existing"].Limit != check || tb.Rows["remove_from_group"]["app_existing"].Limit != 2*time.Hour {
			t.Errorf("%s table: %+v", p, tb.Rows)
		}
	}
	if _, ok := BuiltinTable("1999-01"); ok {
		t.Error("a table for a profile that does not exist")
	}
}

func TestParseTableJSON(t *testing.T) {
	src := `{"profile": "2023-09", "permission_set_duration": "4h",
  "rows": {"sign_out": {"idc_access": "must sign in again", "app_existing": "1h", "role_existing": "permission_set_duration"}}}`
	tab, err := ParseTable("t.json", []byte(src), time.ParseDuration)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Profile != "2023-09" || tab.PermissionSetDuration != 4*time.Hour || len(tab.Rows["sign_out"]) != 3 {
		t.Errorf("parsed %+v", tab)
	}
}

func TestParseTableErrors(t *testing.T) {
	src := `profile: 2019-01
permission_set_duration: 13h
colour: blue
rows:
  disable_user: {idc_access: soon, app_new: 0s, app_new: 1s}
  resign: {idc_access: 0s}
  sign_out: {app_nwe: 0s, role_existing: [1h]}
`
	_, err := ParseTable("bad.yaml", []byte(src), time.ParseDuration)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`bad.yaml:1:10: unknown profile "2019-01" (want one of current, 2023-09, 2023-07, 2022-10)`,
		`bad.yaml:3:1: unknown key "colour" (want profile, permission_set_duration, rows)`,
		`bad.yaml:5:30: want a duration, immediately, keeps access, must sign in again or permission_set_duration: time: invalid duration "soon"`,
		`bad.yaml:5:49: duplicate key "app_new"`,
		`bad.yaml:6:3: unknown row "resign" (want one of disable_user, delete_user, end_sessions, sign_out, remove_user_assignment, remove_from_group, remove_group_assignment)`,
		`bad.yaml:7:14: unknown cell "app_nwe" (want one of idc_access, app_new, app_existing, role_existing)`,
		`bad.yaml:7:42: want a single value`,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}

	for _, c := range []struct{ src, want string }{
		{"profile: current\nrows: {}\n", "t.yaml:2:7: no rows"},
		{"profile: current\n", "t.yaml:1:1: missing rows"},
		{"rows: {sign_out: {app_new: 0s}}\n", "t.yaml:1:1: missing profile"},
		{"profile: current\npermission_set_duration: 30m\nrows: {sign_out: {app_new: 0s}}\n",
			"t.yaml:2:26: permission_set_duration 30m00s is outside 1h00m..12h00m"},
		{"profile: [current\n", "t.yaml:"},
		{"", "t.yaml:0:0: empty table file"},
	} {
		_, err := ParseTable("t.yaml", []byte(c.src), time.ParseDuration)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParseTable(%q) = %v, want %q", c.src, err, c.want)
		}
	}
}

// TestParseTableErrorCap checks that a table file with 1,000 errors lists the first 100, then a
// line counting the others.
func TestParseTableErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("profile: current\nrows:\n  sign_out:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "    cell%d: 0s\n", i) // an unknown cell each
	}
	_, err := ParseTable("many.yaml", []byte(b.String()), time.ParseDuration)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxTableErrors+1 || !strings.HasPrefix(lines[0], "many.yaml:4:5: unknown cell") || lines[maxTableErrors] != "many.yaml: and 900 more errors" {
		t.Errorf("%d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

// observedRows is a reproduction of T1's first row and T2's first row with chosen worst cases.
func observedRows() []sim.RowResult {
	return []sim.RowResult{
		{Row: "disable_user", Trials: 1000, Cells: map[string]sim.CellResult{
			"idc_access":    {},
			"app_new":       {ObservedMax: time.Second},                  // off: a bound of 0 needs exactly 0
			"app_existing":  {ObservedMax: 1799 * time.Second},           // within 30m and within 1% of it
			"role_existing": {ObservedMax: 11*time.Hour + 0*time.Minute}, // off: not tight
		}},
		{Row: "remove_user_assignment", Trials: 1000, Cells: map[string]sim.CellResult{
			"idc_access":    {Text: sim.MustSignInAgain}, // off: the table says keeps access
			"app_new":       {},
			"app_existing":  {ObservedMax: time.Hour + time.Second}, // off: over the bound
			"role_existing": {ObservedMax: 12 * time.Hour},
		}},
	}
}

func TestCheckTable(t *testing.T) {
	cur, _ := BuiltinTable("current")
	r := CheckTable(observedRows(), *cur)
	if r.Pass {
		t.Error("pass with cells off")
	}
	want := map[string]bool{
		"disable_user/idc_access": true, "disable_user/app_new": false, "disable_user/app_existing": true,
		"disable_user/role_existing": false, "remove_user_assignment/idc_access": false,
		"remove_user_assignment/app_new": true, "remove_user_assignment/app_existing": false,
		"remove_user_assignment/role_existing": true,
	}
	n := 0
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			key := row.Action + "/" + c.Cell
			if w, ok := want[key]; !ok {
				if c.Pass || c.Reason != "not reproduced" {
					t.Errorf("%s: pass %v (%s), want not reproduced", key, c.Pass, c.Reason)
				}
			} else if c.Pass != w {
				t.Errorf("%s: pass %v (%s), want %v", key, c.Pass, c.Reason, w)
			}
			n++
		}
	}
	if n != len(sim.TableRows)*len(sim.TableCells) {
		t.Errorf("%d cells checked, want every cell of T1 and T2", n)
	}

	// With a 4h permission set, the bounds that follow the permission set become 4h.
	cur.PermissionSetDuration = 4 * time.Hour
	rows := []sim.RowResult{{Row: "sign_out", Cells: map[string]sim.CellResult{"role_existing": {ObservedMax: 4*time.Hour - time.Minute}}}}
	if r := CheckTable(rows, *cur); !r.Rows[3].Cells[3].Pass {
		t.Errorf("4h permission set: %+v", r.Rows[3].Cells[3])
	}
}

func TestTableGolden(t *testing.T) {
	tab, err := ParseTable("t.yaml", []byte(`profile: current
rows:
  disable_user: {idc_access: immediately, app_new: 0s, app_existing: 30m, role_existing: permission_set_duration}
  remove_user_assignment: {idc_access: keeps access, app_new: 0s, app_existing: 1h, role_existing: 12h}
`), time.ParseDuration)
	if err != nil {
		t.Fatal(err)
	}
	r := CheckTable(observedRows(), *tab)
	for name, write := range map[string]func(*bytes.Buffer, TableReport) error{
		"table.txt":  func(b *bytes.Buffer, r TableReport) error { return WriteTableText(b, r) },
		"table.json": func(b *bytes.Buffer, r TableReport) error { return WriteTableJSON(b, r) },
		"table.xml":  func(b *bytes.Buffer, r TableReport) error { return WriteTableJUnit(b, r) },
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := write(&b, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		})
	}
	// The JUnit file parses, with one case per cell and the observed value against the bound.
	var b bytes.Buffer
	if err := WriteTableJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 8 || doc.Failures != 4 || len(doc.Cases) != 8 {
		t.Fatalf("%d tests, %d failures, %d cases; want 8, 4, 8", doc.Tests, doc.Failures, len(doc.Cases))
	}
	if c := doc.Cases[1]; c.Class != "idcsim.table.current.disable_user" || c.Name != "app_new" || c.Failure == nil ||
		c.Failure.Message != "observed 1s, published immediately: over the bound" {
		t.Errorf("case %s %s: failure %+v", c.Class, c.Name, c.Failure)
	}
}
