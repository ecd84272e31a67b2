package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

func TestBuiltinTables(t *testing.T) {
	t.Parallel()
	if got := strings.Join(BuiltinTables(), " "); got != "2022-10 2023-07 2023-09 current" {
		t.Errorf("built-in tables %q", got)
	}
	cur, ok := BuiltinTable("current")
	if !ok {
		t.Fatal("no current table")
	}
	// T1 and T2 of RULES.md: every row, every cell but role_new, which only T0 publishes.
	if len(cur.Rows) != len(sim.TableRows) {
		t.Errorf("current table has %d rows, want %d", len(cur.Rows), len(sim.TableRows))
	}
	for _, row := range sim.TableRows {
		if _, ok := cur.Rows[row]["role_new"]; ok || len(cur.Rows[row]) != len(sim.TableCells)-1 {
			t.Errorf("current %s has the cells %v, want all but role_new", row, cur.Rows[row])
		}
	}
	for _, c := range []struct {
		row, cell string
		want      sim.Bound
	}{
		{"disable_user", "idc_access", sim.Bound{}},
		{"disable_user", "app_existing", sim.Bound{Limit: 30 * time.Minute}},
		{"end_sessions", "idc_access", sim.Bound{Text: sim.MustSignInAgain}},
		{"remove_from_group", "app_new", sim.Bound{Limit: time.Hour}},
		{"remove_from_group", "app_existing", sim.Bound{Limit: 2 * time.Hour}},
		{"remove_group_assignment", "idc_access", sim.Bound{Text: sim.KeepsAccess}},
		{"sign_out", "role_existing", sim.Bound{PermissionSet: true}},
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
	// RULES.md's profile table: the APP-2 check is 60m in 2023-09; T2 is unchanged.
	if tb, ok := BuiltinTable("2023-09"); !ok || len(tb.Rows) != 7 || tb.Rows["sign_out"]["app_existing"].Limit != time.Hour ||
		tb.Rows["remove_from_group"]["app_existing"].Limit != 2*time.Hour {
		t.Errorf("2023-09 table: %+v", tb)
	}
	// T0 (2022-10): the rows its documentation published, disable and delete, and the session
	// page's one figure for an admin's end of session.
	t0, ok := BuiltinTable("2022-10")
	if !ok || len(t0.Rows) != 3 || t0.Rows["disable_user"]["app_new"].Limit != time.Hour || t0.Rows["delete_user"]["role_new"].Limit != time.Hour ||
		t0.Rows["delete_user"]["app_existing"].Limit != 2*time.Hour || len(t0.Rows["end_sessions"]) != 1 {
		t.Errorf("2022-10 table: %+v", t0)
	}
	// T0's "no longer any access to AWS accounts: up to 13 hours" is an hour, then the permission set
	if b := t0.Rows["disable_user"]["role_existing"]; b != (sim.Bound{PermissionSet: true, Limit: time.Hour}) || t0.Limit(b) != 13*time.Hour {
		t.Errorf("2022-10 disable_user role_existing %+v, limit %v; want 12h + 1h", b, t0.Limit(b))
	}
	// RULES.md, "The table's reading and the defaults": every published table holds under the
	// reading that a disable ends portal sessions (UIS-5) and a CLI token dies with its session (CLI-3).
	for _, p := range BuiltinTables() {
		tb, _ := BuiltinTable(p)
		want := sim.DefaultSwitches()
		want.DisableEndsPortalSessions, want.CLITokenSurvivesSessionEnd = true, false
		if tb.Switches != want {
			t.Errorf("%s table's switches %+v, want %+v", p, tb.Switches, want)
		}
	}
	if _, ok := BuiltinTable("1999-01"); ok {
		t.Error("a table for a profile that does not exist")
	}
}

func TestParseTableJSON(t *testing.T) {
	t.Parallel()
	src := `{"profile": "2023-09", "permission_set_duration": "4h",
  "rows": {"sign_out": {"idc_access": "must sign in again", "app_existing": "1h", "role_existing": "permission_set_duration"}}}`
	tab, err := ParseTable("t.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Profile != "2023-09" || tab.PermissionSetDuration != 4*time.Hour || len(tab.Rows["sign_out"]) != 3 {
		t.Errorf("parsed %+v", tab)
	}
	// a bound of the permission-set duration plus a duration, written with or without spaces
	for _, v := range []string{"permission_set_duration + 1h", "permission_set_duration+60m"} {
		tab, err := ParseTable("t.yaml", []byte("profile: current\nrows: {disable_user: {role_existing: "+v+"}}\n"))
		if err != nil || tab.Rows["disable_user"]["role_existing"] != (sim.Bound{PermissionSet: true, Limit: time.Hour}) || tab.Limit(tab.Rows["disable_user"]["role_existing"]) != 13*time.Hour {
			t.Errorf("%s: %+v, %v", v, tab, err)
		}
	}
}

// A table file's switches: are its reading; those it does not name keep their defaults.
func TestParseTableSwitches(t *testing.T) {
	t.Parallel()
	tab, err := ParseTable("t.yaml", []byte("profile: current\nswitches: {cli_token_survives_session_end: false}\nrows: {sign_out: {app_new: 0s}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := sim.DefaultSwitches()
	want.CLITokenSurvivesSessionEnd = false
	if tab.Switches != want {
		t.Errorf("switches %+v, want %+v", tab.Switches, want)
	}
	tab, err = ParseTable("t.yaml", []byte("profile: current\nrows: {sign_out: {app_new: 0s}}\n"))
	if err != nil || tab.Switches != sim.DefaultSwitches() {
		t.Errorf("no switches: %+v, %v; want the defaults", tab, err)
	}
	_, err = ParseTable("t.yaml", []byte("profile: current\nswitches: {cli_tokens_survive: false, disable_ends_portal_sessions: maybe}\nrows: {sign_out: {app_new: 0s}}\n"))
	want2 := `t.yaml:2:12: unknown switch "cli_tokens_survive"; it is one of ` + strings.Join(sim.SwitchNames(), ", ") + "\n" +
		`t.yaml:2:69: switch disable_ends_portal_sessions must be true or false, not "maybe"`
	if err == nil || err.Error() != want2 {
		t.Errorf("bad switches: %v, want:\n%s", err, want2)
	}
}

func TestParseTableErrors(t *testing.T) {
	t.Parallel()
	src := `profile: 2019-01
permission_set_duration: 13h
colour: blue
rows:
  disable_user: {idc_access: soon, app_new: 0s, app_new: 1s}
  resign: {idc_access: 0s}
  sign_out: {app_nwe: 0s, role_existing: [1h]}
  end_sessions: {role_new: permission_set_duration + soon}
`
	_, err := ParseTable("bad.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`bad.yaml:1:10: unknown profile "2019-01"; it is one of current, 2023-09, 2023-07, 2022-10`,
		`bad.yaml:3:1: unknown key "colour" in the table; it is one of profile, permission_set_duration, switches, rows`,
		`bad.yaml:5:30: disable_user idc_access must be a duration, immediately, keeps access, must sign in again, permission_set_duration or permission_set_duration + a duration: "soon" is not a duration; durations are written like 15m, 8h, 90d, 1w, 12h30m or PT8H; months and years are not accepted because their length varies`,
		`bad.yaml:5:49: duplicate key "app_new" in row disable_user (first at line 5)`,
		`bad.yaml:6:3: unknown row "resign"; it is one of disable_user, delete_user, end_sessions, sign_out, remove_user_assignment, remove_from_group, remove_group_assignment`,
		`bad.yaml:7:14: unknown cell "app_nwe" in row sign_out; did you mean "app_new"?`,
		`bad.yaml:7:42: sign_out role_existing must be a duration, immediately, keeps access, must sign in again, permission_set_duration or permission_set_duration + a duration, not a list`,
		`bad.yaml:8:28: end_sessions role_new must be a duration, immediately, keeps access, must sign in again, permission_set_duration or permission_set_duration + a duration: "soon" is not a duration; durations are written like 15m, 8h, 90d, 1w, 12h30m or PT8H; months and years are not accepted because their length varies`,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}

	for _, c := range []struct{ src, want string }{
		{"profile: current\nrows: {}\n", "t.yaml:2:7: rows is empty; list at least one row"},
		{"profile: current\n", "t.yaml:1:1: the table needs rows"},
		{"rows: {sign_out: {app_new: 0s}}\n", "t.yaml:1:1: the table needs profile"},
		{"profile: current\npermission_set_duration: 30m\nrows: {sign_out: {app_new: 0s}}\n",
			"t.yaml:2:26: permission_set_duration 30m is outside the range of profile current: 1h to 12h (ROLE-2)"},
		{"profile: [current\n", "t.yaml:"},
		{"", "t.yaml:1:1: the file holds no table; it is empty"},
	} {
		_, err := ParseTable("t.yaml", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParseTable(%q) = %v, want %q", c.src, err, c.want)
		}
	}
}

// TestParseTableErrorCap checks that a table file with 1,000 errors lists the first 100, then a
// line counting the others.
func TestParseTableErrorCap(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("profile: current\nrows:\n  sign_out:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "    cell%d: 0s\n", i) // an unknown cell each
	}
	_, err := ParseTable("many.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 || !strings.HasPrefix(lines[0], "many.yaml:4:5: unknown cell") || lines[MaxErrors] != "many.yaml: and 900 more errors" {
		t.Errorf("%d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

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
		tab, err := ParseTable("t.yaml", data)
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

// Table files are read with the scenarios' YAML rules and limits: anchors are refused, and a file
// that could make more than MaxNodes YAML nodes is refused before it is parsed, at the place
// where it crossed the limit.
func TestParseTableLimits(t *testing.T) {
	t.Parallel()
	_, err := ParseTable("t.yaml", []byte("profile: &p current\nrows: {sign_out: {app_new: 0s}}\n"))
	if want := "t.yaml:1:10: anchors (&p) are not supported"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("anchor: %v, want %q", err, want)
	}
	big := "profile: current\nrows: [" + strings.Repeat("a,", MaxNodes) + "]\n"
	_, err = ParseTable("t.yaml", []byte(big))
	if want := fmt.Sprintf("the file could make more than %d YAML nodes by here", MaxNodes); err == nil || !strings.HasPrefix(err.Error(), "t.yaml:2:") || !strings.Contains(err.Error(), want) {
		t.Errorf("too many nodes: %v, want t.yaml:2:COL: %s", err, want)
	}
}
