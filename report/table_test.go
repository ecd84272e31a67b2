package report

import (
	"bytes"
	"encoding/xml"
	"testing"
	"time"

	"idcsim/sim"
)

// observedRows is a reproduction of T1's first row and T2's first row with chosen worst cases.
func observedRows() []sim.RowResult {
	return []sim.RowResult{
		{Row: "disable_user", Trials: sim.DefaultTrials, Cells: map[string]sim.CellResult{
			"idc_access":    {},
			"app_new":       {ObservedMax: time.Second},                  // off: a bound of 0 needs exactly 0
			"app_existing":  {ObservedMax: 1799 * time.Second},           // within 30m and within 1% of it
			"role_new":      {},                                          // as T0's reading would have it at once
			"role_existing": {ObservedMax: 11*time.Hour + 0*time.Minute}, // off: not tight
		}},
		{Row: "remove_user_assignment", Trials: sim.DefaultTrials, Cells: map[string]sim.CellResult{
			"idc_access":    {Text: sim.MustSignInAgain}, // off: the table says keeps access
			"app_new":       {},
			"app_existing":  {ObservedMax: time.Hour + time.Second}, // off: over the bound
			"role_existing": {ObservedMax: 12 * time.Hour},
		}},
	}
}

// currentTable is part of the published table of the current profile (scenarios/tables/current.yaml,
// T1 and T2 of RULES.md): the rows disable_user, sign_out and remove_user_assignment.
func currentTable() *sim.Table {
	psd := sim.Bound{PermissionSet: true}
	return &sim.Table{Profile: "current", PermissionSetDuration: 12 * time.Hour, Rows: map[string]map[string]sim.Bound{
		"disable_user":           {"idc_access": {}, "app_new": {}, "app_existing": {Limit: 30 * time.Minute}, "role_existing": psd},
		"sign_out":               {"idc_access": {Text: sim.MustSignInAgain}, "app_new": {}, "app_existing": {Limit: 30 * time.Minute}, "role_existing": psd},
		"remove_user_assignment": {"idc_access": {Text: sim.KeepsAccess}, "app_new": {}, "app_existing": {Limit: time.Hour}, "role_existing": psd},
	}}
}

func TestCheckTable(t *testing.T) {
	t.Parallel()
	cur := currentTable()
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
	if n != 3*4 {
		t.Errorf("%d cells checked, want the 4 cells of each of the table's 3 rows", n)
	}

	// With a 4h permission set, the bounds that follow the permission set become 4h.
	cur.PermissionSetDuration = 4 * time.Hour
	rows := []sim.RowResult{{Row: "sign_out", Cells: map[string]sim.CellResult{"role_existing": {ObservedMax: 4*time.Hour - time.Minute}}}}
	if r := CheckTable(rows, *cur); !r.Rows[1].Cells[3].Pass { // sign_out, the second row of sim.TableRows in the table
		t.Errorf("4h permission set: %+v", r.Rows[1].Cells[3])
	}
}

// tableReading is the reading of the built-in tables (scenarios/tables): disable ends portal
// sessions (UIS-5), CLI tokens die with their session (CLI-3), the other switches as RULES.md sets them.
var tableReading = sim.Switches{DisableEndsPortalSessions: true, ProvisioningRecreatesDeletedUsers: true}

func TestTableGolden(t *testing.T) {
	t.Parallel()
	// the table file
	//   profile: current
	//   switches: {disable_ends_portal_sessions: true, cli_token_survives_session_end: false}
	//   rows:
	//     disable_user: {idc_access: immediately, app_new: 0s, app_existing: 30m, role_new: 0s, role_existing: permission_set_duration}
	//     remove_user_assignment: {idc_access: keeps access, app_new: 0s, app_existing: 1h, role_existing: 12h}
	tab := &sim.Table{Profile: "current", PermissionSetDuration: 12 * time.Hour, Switches: tableReading, Rows: map[string]map[string]sim.Bound{
		"disable_user":           {"idc_access": {}, "app_new": {}, "app_existing": {Limit: 30 * time.Minute}, "role_new": {}, "role_existing": {PermissionSet: true}},
		"remove_user_assignment": {"idc_access": {Text: sim.KeepsAccess}, "app_new": {}, "app_existing": {Limit: time.Hour}, "role_existing": {Limit: 12 * time.Hour}},
	}}
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
	if doc.Tests != 9 || doc.Failures != 4 || len(doc.Cases) != 9 {
		t.Fatalf("%d tests, %d failures, %d cases; want 9, 4, 9", doc.Tests, doc.Failures, len(doc.Cases))
	}
	if c := doc.Cases[1]; c.Class != "idcsim.table.current.disable_user" || c.Name != "app_new" || c.Failure == nil ||
		c.Failure.Message != "observed 1s, published immediately: over the bound" {
		t.Errorf("case %s %s: failure %+v", c.Class, c.Name, c.Failure)
	}
}

// A cell not approached says why it may not be: with fewer trials than the default, too few
// trials; with the default, a wrong mechanism.
func TestNotTightReason(t *testing.T) {
	t.Parallel()
	cur := currentTable()
	for _, c := range []struct {
		trials int
		want   string
	}{
		{1000, "never within 1% of the bound in 1000 trials: too few trials to reach within 1% of the bound (the default is 100000)"},
		{sim.DefaultTrials, "never within 1% of the bound: a mechanism is wrong"},
	} {
		rows := observedRows()
		rows[0].Trials = c.trials
		r := CheckTable(rows, *cur)
		for _, cr := range r.Rows[0].Cells {
			if cr.Cell == "role_existing" && cr.Reason != c.want {
				t.Errorf("%d trials: reason %q, want %q", c.trials, cr.Reason, c.want)
			}
		}
	}
}
