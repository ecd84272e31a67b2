package scenarios

import (
	"embed"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// defaultTablePSD is the permission-set duration of a table file that does not give one.
const defaultTablePSD = 12 * time.Hour

// tableKeys are the keys of a table file.
var tableKeys = []string{"profile", "permission_set_duration", "switches", "rows"}

// ParseTable reads a table file, YAML or JSON, with the same limits and checks as a scenario:
//
//	profile: current
//	permission_set_duration: 12h
//	switches: {disable_ends_portal_sessions: true, cli_token_survives_session_end: false}
//	rows:
//	  disable_user: {idc_access: 0s, app_new: 0s, app_existing: 30m, role_existing: 12h}
//	  end_sessions: {idc_access: must sign in again, app_new: immediately, role_existing: permission_set_duration}
//
// A cell is a duration (ParseDuration), "immediately", "keeps access", "must sign in again",
// "permission_set_duration" (the duration the table is checked with), or
// "permission_set_duration + D" for a duration D (T0: "1h, then a role session of up to 12h"). A table may list only some
// rows (those its source published), and a row only some cells. permission_set_duration defaults
// to 12h; switches are the table's reading, the switches its bounds hold under (sim.Table), by
// default sim.DefaultSwitches. filename is used in error positions only. When
// anything is wrong, the error is an ErrorList of the problems found.
func ParseTable(filename string, data []byte) (*sim.Table, error) {
	if err := CheckSize(filename, data); err != nil {
		return nil, err
	}
	b := &builder{decoder: decoder{file: filename, budget: 2_000_000}}
	root, errs := b.document(data, "table")
	if root == nil {
		return nil, errs
	}
	t := b.table(root)
	if b.errs.len() > 0 {
		return nil, b.errs.result(filename, "errors")
	}
	return t, nil
}

// table reads the root of a table file.
func (d *decoder) table(root *yaml.Node) *sim.Table {
	t := &sim.Table{PermissionSetDuration: defaultTablePSD, Switches: sim.DefaultSwitches(), Rows: map[string]map[string]sim.Bound{}}
	if root.Kind != yaml.MappingNode {
		d.wrongType(root, "the table", "a mapping (key: value)")
		return t
	}
	top := &fields{n: root, val: map[string]*yaml.Node{}, key: map[string]*yaml.Node{}}
	keys, vals := d.entries(root, "the table")
	for i, k := range keys {
		if !contains(tableKeys, k.Value) {
			d.errorf(k, "unknown key %q in the table%s", k.Value, d.orList(k.Value, tableKeys))
			continue
		}
		top.key[k.Value], top.val[k.Value] = k, vals[i]
	}
	for _, k := range []string{"profile", "rows"} {
		if !top.has(k) {
			d.errorf(root, "the table needs %s", k)
		}
	}
	var profile *sim.Profile
	if n := top.get("profile"); n != nil {
		if name, ok := d.enum(n, "profile", sim.ProfileNames()); ok {
			t.Profile = name
			p, _ := sim.LookupProfile(name)
			profile = &p
		}
	}
	if n := top.get("permission_set_duration"); n != nil {
		if v, ok := d.positive(n, "permission_set_duration"); ok {
			t.PermissionSetDuration = v
			if profile != nil && (v < profile.PermissionSetMin || v > profile.PermissionSetMax) {
				d.errorf(n, "permission_set_duration %s is outside the range of profile %s: %s to %s (ROLE-2)", sim.FormatDuration(v),
					profile.Name, sim.FormatDuration(profile.PermissionSetMin), sim.FormatDuration(profile.PermissionSetMax))
			}
		}
	}
	if n := top.get("switches"); n != nil {
		d.switches(n, &t.Switches)
	}
	if n := top.get("rows"); n != nil {
		keys, vals := d.entries(n, "rows")
		if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
			d.errorf(n, "rows is empty; list at least one row")
		}
		for i, k := range keys {
			if !contains(sim.TableRows, k.Value) {
				d.errorf(k, "unknown row %q%s", k.Value, d.orList(k.Value, sim.TableRows))
				continue
			}
			t.Rows[k.Value] = d.tableRow(vals[i], k.Value)
		}
	}
	return t
}

// tableRow reads the cells of a row of a table file.
func (d *decoder) tableRow(n *yaml.Node, name string) map[string]sim.Bound {
	row := map[string]sim.Bound{}
	keys, vals := d.entries(n, "row "+name)
	for i, k := range keys {
		if !contains(sim.TableCells, k.Value) {
			d.errorf(k, "unknown cell %q in row %s%s", k.Value, name, d.orList(k.Value, sim.TableCells))
			continue
		}
		if b, ok := d.bound(vals[i], name+" "+k.Value); ok {
			row[k.Value] = b
		}
	}
	return row
}

// bound reads a cell of a table file.
func (d *decoder) bound(n *yaml.Node, what string) (sim.Bound, bool) {
	const want = "a duration, immediately, " + sim.KeepsAccess + ", " + sim.MustSignInAgain + ", permission_set_duration or permission_set_duration + a duration"
	if !isScalar(n, "!!str", "!!int", "!!float") {
		d.wrongType(n, what, want)
		return sim.Bound{}, false
	}
	switch n.Value {
	case sim.KeepsAccess, sim.MustSignInAgain:
		return sim.Bound{Text: n.Value}, true
	case "immediately":
		return sim.Bound{}, true
	case "permission_set_duration":
		return sim.Bound{PermissionSet: true}, true
	}
	value, psd := n.Value, false
	if rest, ok := strings.CutPrefix(value, "permission_set_duration"); ok {
		if rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "+"); ok {
			value, psd = strings.TrimSpace(rest), true
		}
	}
	v, err := sim.ParseDuration(value)
	switch {
	case err != nil:
		d.errorf(n, "%s must be %s: %v", what, want, err)
		return sim.Bound{}, false
	case v < 0:
		d.errorf(n, "%s must not be negative, not %s", what, n.Value)
		return sim.Bound{}, false
	}
	return sim.Bound{Limit: v, PermissionSet: psd}, true
}

// LoadTable reads a table file (ParseTable) no larger than a scenario file may be.
func LoadTable(path string) (*sim.Table, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTable(path, data)
}

// readFile reads a file of at most MaxFileSize bytes; a larger one is an ErrorList.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return data, CheckSize(path, data)
}

//go:embed tables/*.yaml
var builtinTables embed.FS

// BuiltinTable returns the published table of a profile; there are tables for "current" (T1 and
// T2 of RULES.md), "2023-09", "2023-07" (the 2023 blog post, T1 only) and "2022-10" (T0: the
// disable and delete rows of the October 2022 documentation).
func BuiltinTable(profile string) (*sim.Table, bool) {
	name := "tables/" + profile + ".yaml"
	data, err := builtinTables.ReadFile(name)
	if err != nil {
		return nil, false
	}
	t, err := ParseTable(name, data)
	if err != nil {
		panic(err) // the built-in tables are tested
	}
	return t, true
}

// BuiltinTables lists the profiles that have a built-in table.
func BuiltinTables() []string {
	entries, err := builtinTables.ReadDir("tables")
	if err != nil {
		panic(err) // embedded: a mistake in building the program
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}
