package report

import (
	"embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

// Table is a timing table: for each row (an action of sim.TableRows) and cell (one of
// sim.TableCells), the bound the observed worst case must meet.
type Table struct {
	Profile string
	// PermissionSetDuration is the role session duration the table assumes; it resolves the bounds
	// that follow the permission set.
	PermissionSetDuration time.Duration
	Rows                  map[string]map[string]Bound
}

// Bound is what a table states for one cell.
type Bound struct {
	// Limit is the longest the access may survive the action; 0 means immediately.
	Limit time.Duration
	// PermissionSet says the limit is the table's permission-set duration instead of Limit.
	PermissionSet bool
	// Text is set instead of a limit when the access outlives the action: sim.KeepsAccess or sim.MustSignInAgain.
	Text string
}

// limit returns the bound's limit in t.
func (t *Table) limit(b Bound) time.Duration {
	if b.PermissionSet {
		return t.PermissionSetDuration
	}
	return b.Limit
}

// describe says the bound as the published tables do.
func (t *Table) describe(b Bound) string {
	switch {
	case b.Text != "":
		return b.Text
	case t.limit(b) == 0:
		return "immediately"
	case b.PermissionSet:
		return "within the permission set's " + sim.HumanDuration(t.PermissionSetDuration)
	}
	return "within " + sim.HumanDuration(b.Limit)
}

//go:embed tables/*.yaml
var builtinTables embed.FS

// BuiltinTable returns the published table of a profile; there are tables for "current" (T1 and
// T2 of RULES.md) and "2023-07" (the 2023 blog post, T1 only).
func BuiltinTable(profile string) (*Table, bool) {
	name := "tables/" + profile + ".yaml"
	data, err := builtinTables.ReadFile(name)
	if err != nil {
		return nil, false
	}
	t, err := ParseTable(name, data, time.ParseDuration)
	if err != nil {
		panic(err) // the built-in tables are tested
	}
	return t, true
}

// BuiltinTables lists the profiles that have a built-in table.
func BuiltinTables() []string {
	entries, _ := builtinTables.ReadDir("tables")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// ParseTable reads a table file, YAML or JSON:
//
//	profile: current
//	permission_set_duration: 12h
//	rows:
//	  disable_user: {idc_access: 0s, app_new: 0s, app_existing: 30m, role_existing: 12h}
//	  end_sessions: {idc_access: must sign in again, app_new: immediately, role_existing: permission_set_duration}
//
// A cell is a duration (parsed by parseDuration), "immediately", "keeps access", "must sign in
// again", or "permission_set_duration" (the duration the table is checked with). A row may list
// only some cells. permission_set_duration defaults to 12h. The error, when not nil, has one line
// per problem found, each "FILE:LINE:COL: message".
func ParseTable(filename string, data []byte, parseDuration func(string) (time.Duration, error)) (*Table, error) {
	p := tableParser{file: filename, parseDuration: parseDuration}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.syntaxError(err)
	}
	t := &Table{PermissionSetDuration: 12 * time.Hour, Rows: map[string]map[string]Bound{}}
	if len(doc.Content) == 0 {
		p.errorf(&doc, "empty table file")
		return nil, p.err()
	}
	var psd *yaml.Node
	p.mapping(doc.Content[0], func(key, val *yaml.Node) {
		switch key.Value {
		case "profile":
			if p.scalar(val) {
				if _, ok := sim.LookupProfile(val.Value); !ok {
					p.errorf(val, "unknown profile %q (want one of %s)", val.Value, strings.Join(sim.ProfileNames(), ", "))
				}
				t.Profile = val.Value
			}
		case "permission_set_duration":
			if d, ok := p.duration(val); ok {
				t.PermissionSetDuration, psd = d, val
			}
		case "rows":
			p.mapping(val, func(key, val *yaml.Node) {
				if !slices.Contains(sim.TableRows, key.Value) {
					p.errorf(key, "unknown row %q (want one of %s)", key.Value, strings.Join(sim.TableRows, ", "))
					return
				}
				row := map[string]Bound{}
				t.Rows[key.Value] = row
				p.mapping(val, func(key, val *yaml.Node) {
					if !slices.Contains(sim.TableCells, key.Value) {
						p.errorf(key, "unknown cell %q (want one of %s)", key.Value, strings.Join(sim.TableCells, ", "))
						return
					}
					if b, ok := p.bound(val); ok {
						row[key.Value] = b
					}
				})
			})
			if val.Kind == yaml.MappingNode && len(val.Content) == 0 {
				p.errorf(val, "no rows")
			}
		default:
			p.errorf(key, "unknown key %q (want profile, permission_set_duration, rows)", key.Value)
		}
	})
	root := doc.Content[0]
	if t.Profile == "" && root.Kind == yaml.MappingNode {
		p.errorf(root, "missing profile")
	}
	if _, ok := findKey(root, "rows"); !ok && root.Kind == yaml.MappingNode {
		p.errorf(root, "missing rows")
	}
	if prof, ok := sim.LookupProfile(t.Profile); ok && psd != nil {
		if d := t.PermissionSetDuration; d < prof.PermissionSetMin || d > prof.PermissionSetMax {
			p.errorf(psd, "permission_set_duration %s is outside %s..%s", sim.HumanDuration(d),
				sim.HumanDuration(prof.PermissionSetMin), sim.HumanDuration(prof.PermissionSetMax))
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return t, nil
}

// maxTableErrors is how many problems of a table file are listed; the others are counted.
const maxTableErrors = 100

type tableParser struct {
	file          string
	parseDuration func(string) (time.Duration, error)
	errs          []error
	more          int // problems past maxTableErrors
}

func (p *tableParser) errorf(n *yaml.Node, format string, args ...any) {
	if len(p.errs) == maxTableErrors {
		p.more++
		return
	}
	p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (p *tableParser) err() error {
	if p.more > 0 {
		return errors.Join(append(p.errs, fmt.Errorf("%s: and %d more errors", p.file, p.more))...)
	}
	return errors.Join(p.errs...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML syntax error into FILE:LINE:COL form.
func (p *tableParser) syntaxError(err error) error {
	line, msg := 1, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	return fmt.Errorf("%s:%d:%d: %s", p.file, line, 1, msg)
}

// mapping calls f for each key and value of a mapping node, reporting duplicate keys.
func (p *tableParser) mapping(n *yaml.Node, f func(key, val *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "want a mapping")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if seen[key.Value] {
			p.errorf(key, "duplicate key %q", key.Value)
			continue
		}
		seen[key.Value] = true
		f(key, val)
	}
}

func findKey(n *yaml.Node, name string) (*yaml.Node, bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1], true
		}
	}
	return nil, false
}

func (p *tableParser) scalar(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "want a single value")
		return false
	}
	return true
}

func (p *tableParser) duration(n *yaml.Node) (time.Duration, bool) {
	if !p.scalar(n) {
		return 0, false
	}
	d, err := p.parseDuration(n.Value)
	if err != nil {
		p.errorf(n, "%v", err)
		return 0, false
	}
	if d < 0 {
		p.errorf(n, "negative duration %s", n.Value)
		return 0, false
	}
	return d, true
}

func (p *tableParser) bound(n *yaml.Node) (Bound, bool) {
	if !p.scalar(n) {
		return Bound{}, false
	}
	switch n.Value {
	case sim.KeepsAccess, sim.MustSignInAgain:
		return Bound{Text: n.Value}, true
	case "immediately":
		return Bound{}, true
	case "permission_set_duration":
		return Bound{PermissionSet: true}, true
	}
	d, err := p.parseDuration(n.Value)
	switch {
	case err != nil:
		p.errorf(n, "want a duration, immediately, %s, %s or permission_set_duration: %v", sim.KeepsAccess, sim.MustSignInAgain, err)
		return Bound{}, false
	case d < 0:
		p.errorf(n, "negative duration %s", n.Value)
		return Bound{}, false
	}
	return Bound{Limit: d}, true
}
