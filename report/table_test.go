package report

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
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

// rulesDefaults are the default switches of RULES.md: a disable leaves the portal sessions (UIS-5),
// a CLI token outlives its session by up to an hour (CLI-3), deleted users are provisioned again (PROV-5).
var rulesDefaults = sim.Switches{CLITokenSurvivesSessionEnd: true, ProvisioningRecreatesDeletedUsers: true}

// defaultRows are observedRows as the default switches would give them: the disabled user's portal
// session goes on, and with it new role credentials and role sessions (UIS-5's default).
func defaultRows() []sim.RowResult {
	rows := observedRows()
	for _, c := range []string{"idc_access", "role_new", "role_existing"} {
		rows[0].Cells[c] = sim.CellResult{Text: sim.KeepsAccess}
	}
	return rows
}

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
	r.CompareDefaults(defaultRows(), rulesDefaults)
	for name, write := range map[string]func(*bytes.Buffer, TableReport) error{
		"table.txt":  func(b *bytes.Buffer, r TableReport) error { return WriteTableText(b, r) },
		"table.json": func(b *bytes.Buffer, r TableReport) error { return WriteTableJSON(b, r) },
		"table.xml":  func(b *bytes.Buffer, r TableReport) error { return WriteTableJUnit(b, r, junitTestRun) },
		"table.md":   func(b *bytes.Buffer, r TableReport) error { return WriteTableMarkdown(b, r) },
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
	if err := WriteTableJUnit(&b, r, junitTestRun); err != nil {
		t.Fatal(err)
	}
	doc := readJUnit(t, b.Bytes())
	if doc.Tests != 9 || doc.Failures != 4 || len(doc.Cases) != 9 {
		t.Fatalf("%d tests, %d failures, %d cases; want 9, 4, 9", doc.Tests, doc.Failures, len(doc.Cases))
	}
	if c := doc.Cases[1]; c.Class != "idcsim.table.current.disable_user" || c.Name != "app_new" || c.Failure == nil ||
		c.Failure.Message != "observed 1s, published immediately: over the bound" || !strings.HasSuffix(c.Failure.Text, "disable_user app_new: under the default switches 1s") {
		t.Errorf("case %s %s: failure %+v", c.Class, c.Name, c.Failure)
	}
	if c := doc.Cases[0]; c.Failure != nil || !strings.Contains(doc.Out, "disable_user idc_access: under the default switches keeps access; documented conflict UIS-5: table: ") {
		t.Errorf("case %s %s: failure %+v; the suite's output %q", c.Class, c.Name, c.Failure, doc.Out)
	}
}

// UIS-5: the worst case under the default switches is given beside every cell; the cells where
// it differs carry the documented conflict of the rule whose switch makes the difference, and
// the verdicts, which follow the table's reading only, do not change.
func TestCompareDefaults(t *testing.T) {
	t.Parallel()
	cur := currentTable()
	cur.Switches = tableReading
	r := CheckTable(observedRows(), *cur)
	before := r.Pass
	r.CompareDefaults(defaultRows(), rulesDefaults)
	if r.Pass != before || r.Defaults == nil || *r.Defaults != rulesDefaults {
		t.Errorf("pass %v (was %v), defaults %+v", r.Pass, before, r.Defaults)
	}
	conflicts := map[string]string{}
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			if c.Default == nil && row.Action != "sign_out" {
				t.Errorf("%s %s: no worst case under the defaults", row.Action, c.Cell)
			}
			if c.Conflict != nil {
				conflicts[row.Action+" "+c.Cell] = c.Conflict.Rule
			}
		}
	}
	// the disable row's idc_access and role_existing (its role_new is not in the table)
	want := map[string]string{"disable_user idc_access": "UIS-5", "disable_user role_existing": "UIS-5"}
	if !maps.Equal(conflicts, want) {
		t.Errorf("conflicts %v, want %v", conflicts, want)
	}
	// the same switches on both sides: no conflict
	r = CheckTable(observedRows(), *cur)
	r.CompareDefaults(defaultRows(), tableReading)
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			if c.Conflict != nil {
				t.Errorf("%s %s: conflict %+v with the reading as the defaults", row.Action, c.Cell, c.Conflict)
			}
		}
	}
}

// The text and the JSON of a table give every worst case, under the reading and under the
// defaults, to the same second: real reproductions, and values at the edges of what the text
// shows (a fraction of a second, a fraction below a whole second, more than a day).
func TestTableTextAgreesWithJSON(t *testing.T) {
	t.Parallel()
	p, _ := sim.LookupProfile("current")
	opts := sim.TableOptions{Profile: p, Switches: tableReading, Trials: 2000, Seed: 7}
	reading, err := sim.ReproduceTable(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Switches = rulesDefaults
	defaults, err := sim.ReproduceTable(opts)
	if err != nil {
		t.Fatal(err)
	}
	edge := sim.RowResult{Row: "remove_group_assignment", Trials: 2000, Cells: map[string]sim.CellResult{
		"idc_access":    {ObservedMax: 250400 * time.Microsecond},
		"app_new":       {ObservedMax: 43199*time.Second + 960*time.Millisecond},
		"app_existing":  {ObservedMax: 27*time.Hour + 4*time.Minute + 5*time.Second},
		"role_new":      {Text: sim.KeepsAccess},
		"role_existing": {ObservedMax: 999 * time.Millisecond},
	}}
	reading[len(reading)-1], defaults[len(defaults)-1] = edge, edge
	all := map[string]sim.Bound{}
	for _, c := range sim.TableCells {
		all[c] = sim.Bound{Limit: time.Hour}
	}
	tab := sim.Table{Profile: "current", PermissionSetDuration: 12 * time.Hour, Switches: tableReading, Rows: map[string]map[string]sim.Bound{}}
	for _, row := range sim.TableRows {
		tab.Rows[row] = all
	}
	r := CheckTable(reading, tab)
	r.CompareDefaults(defaults, rulesDefaults)
	var text, js bytes.Buffer
	if err := WriteTableText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteTableJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []struct {
			Action string
			Cells  map[string]struct {
				ObservedMaxS        *float64 `json:"observed_max_s"`
				ObservedText        string   `json:"observed_text"`
				DefaultObservedMaxS *float64 `json:"default_observed_max_s"`
				DefaultObservedText string   `json:"default_observed_text"`
				Conflict            *struct{ Rule string }
			}
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	cells := parseTableText(t, text.String())
	n := 0
	for _, row := range doc.Rows {
		for name, c := range row.Cells {
			got, ok := cells[row.Action+" "+name]
			if !ok {
				t.Errorf("%s %s: not in the text", row.Action, name)
				continue
			}
			n++
			same := func(what, text string, secs *float64, txt string) {
				if secs == nil {
					if text != txt {
						t.Errorf("%s %s %s: text %q, JSON %q", row.Action, name, what, text, txt)
					}
					return
				}
				d, err := parseHuman(text)
				if err != nil || d.Seconds() != *secs {
					t.Errorf("%s %s %s: text %q (%v), JSON %v s", row.Action, name, what, text, err, *secs)
				}
			}
			same("observed", got["OBSERVED"], c.ObservedMaxS, c.ObservedText)
			same("defaults", got["DEFAULTS"], c.DefaultObservedMaxS, c.DefaultObservedText)
			if rule := got["CONFLICT"]; (c.Conflict == nil) != (rule == "") || c.Conflict != nil && c.Conflict.Rule != rule {
				t.Errorf("%s %s: conflict %q in the text, %+v in the JSON", row.Action, name, rule, c.Conflict)
			}
		}
	}
	if n != len(sim.TableRows)*len(sim.TableCells) {
		t.Errorf("%d cells compared, want every cell of every row", n)
	}
}

// parseTableText reads the table of WriteTableText: for each "ACTION CELL", its columns by header.
func parseTableText(t *testing.T, text string) map[string]map[string]string {
	t.Helper()
	lines := strings.Split(text, "\n")
	h := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "ACTION ") })
	if h < 0 {
		t.Fatalf("no header in\n%s", text)
	}
	header := lines[h]
	names := strings.Fields(header)
	var starts []int
	for _, n := range names {
		starts = append(starts, strings.Index(header, n))
	}
	out := map[string]map[string]string{}
	action := ""
	for _, l := range lines[h+1:] {
		if strings.TrimSpace(l) == "" {
			break
		}
		cols := map[string]string{}
		for i, n := range names {
			end := len(l)
			if i+1 < len(starts) {
				end = min(starts[i+1], len(l))
			}
			cols[n] = strings.TrimSpace(l[min(starts[i], len(l)):end])
		}
		if cols["ACTION"] != "" {
			action = cols["ACTION"]
		}
		out[action+" "+cols["CELL"]] = cols
	}
	return out
}

// parseHuman reads a duration as sim.HumanDuration writes it (0.250s, 29m59s, 12h00m, 1d03h04m).
func parseHuman(s string) (time.Duration, error) {
	if strings.Contains(s, ".") {
		return time.ParseDuration(s)
	}
	return sim.ParseDuration(s)
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
