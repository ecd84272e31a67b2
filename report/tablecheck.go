package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"idcsim/sim"
)

// TableReport compares reproduced timing tables with a published or user-written table.
type TableReport struct {
	Profile               string
	PermissionSetDuration time.Duration
	// Switches are the table's reading, which the cells were checked under.
	Switches sim.Switches
	// Defaults, when not nil, are the default switches, under which each cell's worst case is
	// given beside it (CompareDefaults).
	Defaults *sim.Switches
	// Pass says every cell is within its bound and comes within 1% of it, under the reading.
	Pass bool
	Rows []RowReport
}

// RowReport is one row of a TableReport, in the order of sim.TableRows.
type RowReport struct {
	Action string
	Trials int
	Cells  []CellReport // in the order of sim.TableCells
}

// CellReport is the verdict on one cell.
type CellReport struct {
	Cell     string
	Observed sim.CellResult
	// Reproduced says the experiments produced the cell at all.
	Reproduced bool
	Bound      sim.Bound
	// Limit is the bound's limit with the permission-set duration resolved.
	Limit time.Duration
	// Published says the bound as the tables word it.
	Published string
	Pass      bool
	// Reason says why the cell is off.
	Reason string
	// Default is the worst case under the default switches, when compared (CompareDefaults).
	Default *sim.CellResult
	// Conflict, when not nil, is the documented conflict that makes Default differ from Observed.
	Conflict *sim.TableConflict
}

// Tightness is the fraction of a bound the observed worst case must reach: a bound that is never
// approached means a mechanism is wrong.
const Tightness = 0.99

// CheckTable compares observed worst cases with the bounds of want. A duration cell passes when
// Tightness × bound <= observed <= bound, and a bound of 0 only when observed is exactly 0; a text
// cell passes when the observed text is the same. Rows and cells of want that rows lack fail;
// rows and cells that want does not list are not checked.
func CheckTable(rows []sim.RowResult, want sim.Table) TableReport {
	r := TableReport{Profile: want.Profile, PermissionSetDuration: want.PermissionSetDuration, Switches: want.Switches, Pass: true}
	for _, action := range sim.TableRows {
		bounds, ok := want.Rows[action]
		if !ok {
			continue
		}
		i := slices.IndexFunc(rows, func(rr sim.RowResult) bool { return rr.Row == action })
		var observed sim.RowResult
		if i >= 0 {
			observed = rows[i]
		}
		rr := RowReport{Action: action, Trials: observed.Trials}
		for _, cell := range sim.TableCells {
			b, ok := bounds[cell]
			if !ok {
				continue
			}
			cr := CellReport{Cell: cell, Bound: b, Limit: want.Limit(b), Published: describeBound(&want, b)}
			cr.Observed, cr.Reproduced = observed.Cells[cell]
			cr.Pass, cr.Reason = judge(cr, observed.Trials)
			r.Pass = r.Pass && cr.Pass
			rr.Cells = append(rr.Cells, cr)
		}
		r.Rows = append(r.Rows, rr)
	}
	return r
}

// CompareDefaults puts beside each cell of r the worst case the rows reproduced under the default
// switches give, and marks the cells where it differs from the one under the table's reading with
// the documented conflict that explains it (sim.ConflictOf). The verdicts do not change: they
// follow the table's reading only.
func (r *TableReport) CompareDefaults(rows []sim.RowResult, defaults sim.Switches) {
	r.Defaults = &defaults
	for i := range r.Rows {
		row := &r.Rows[i]
		k := slices.IndexFunc(rows, func(rr sim.RowResult) bool { return rr.Row == row.Action })
		if k < 0 {
			continue
		}
		for j := range row.Cells {
			c := &row.Cells[j]
			d, ok := rows[k].Cells[c.Cell]
			if !ok {
				continue
			}
			c.Default = &d
			if c.Reproduced && d != c.Observed {
				if conflict, ok := sim.ConflictOf(row.Action, r.Switches, defaults); ok {
					c.Conflict = &conflict
				}
			}
		}
	}
}

// judge gives the verdict on a cell reproduced over the given number of trials.
func judge(c CellReport, trials int) (bool, string) {
	obs := c.Observed
	switch {
	case !c.Reproduced:
		return false, "not reproduced"
	case c.Bound.Text != "":
		if obs.Text != c.Bound.Text {
			return false, "not the published outcome"
		}
		return true, ""
	case obs.Text != "":
		return false, "not the published outcome"
	case obs.ObservedMax > c.Limit:
		return false, "over the bound"
	case c.Limit == 0:
		return true, ""
	case float64(obs.ObservedMax) < Tightness*float64(c.Limit) && trials < sim.DefaultTrials:
		return false, fmt.Sprintf("never within %g%% of the bound in %d trials: too few trials to reach within %g%% of the bound (the default is %d)",
			100*(1-Tightness), trials, 100*(1-Tightness), sim.DefaultTrials)
	case float64(obs.ObservedMax) < Tightness*float64(c.Limit):
		return false, fmt.Sprintf("never within %g%% of the bound: a mechanism is wrong", 100*(1-Tightness))
	}
	return true, ""
}

// switchList writes the switches of s that keep says to keep (every one when keep is nil) as
// name=value, in the order of sim.SwitchNames.
func switchList(s sim.Switches, keep func(name string) bool) string {
	m := s.Map()
	var out []string
	for _, n := range sim.SwitchNames() {
		if keep == nil || keep(n) {
			out = append(out, fmt.Sprintf("%s=%t", n, m[n]))
		}
	}
	return strings.Join(out, ", ")
}

func observedString(c sim.CellResult) string {
	if c.Text != "" {
		return c.Text
	}
	return sim.HumanDuration(c.ObservedMax)
}

// tableSeconds is d in seconds to the precision that HumanDuration shows it (milliseconds below a
// second, whole seconds below a day, whole minutes from a day on), so that the text and the JSON
// of a table agree.
func tableSeconds(d time.Duration) float64 {
	switch {
	case d < time.Second:
		d = d.Round(time.Millisecond)
	case d < 24*time.Hour:
		d = d.Truncate(time.Second)
	default:
		d = d.Truncate(time.Minute)
	}
	return d.Seconds()
}

func (r *TableReport) failed() int {
	n := 0
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			if !c.Pass {
				n++
			}
		}
	}
	return n
}

// conflicts lists the documented conflicts of the report, each once in the order they first
// appear, with the cells each explains by row ("disable_user idc_access, role_existing").
func (r *TableReport) conflicts() ([]*sim.TableConflict, map[string][]string) {
	var list []*sim.TableConflict
	where := map[string][]string{}
	for _, row := range r.Rows {
		byRule := map[string][]string{}
		for _, c := range row.Cells {
			if k := c.Conflict; k != nil {
				if where[k.Rule] == nil && byRule[k.Rule] == nil {
					list = append(list, k)
				}
				byRule[k.Rule] = append(byRule[k.Rule], c.Cell)
			}
		}
		for _, k := range list {
			if cells := byRule[k.Rule]; cells != nil {
				where[k.Rule] = append(where[k.Rule], row.Action+" "+strings.Join(cells, ", "))
			}
		}
	}
	return list, where
}

// WriteTableText writes the observed worst cases beside the published bounds with a verdict per
// cell and, when compared, the worst case under the default switches with the conflicts that
// make it differ.
func WriteTableText(w io.Writer, r TableReport) error {
	fmt.Fprintf(w, "timing tables, profile %s, permission-set duration %s\n", r.Profile, sim.HumanDuration(r.PermissionSetDuration))
	fmt.Fprintf(w, "switches (the table's reading): %s\n", switchList(r.Switches, nil))
	if d := r.Defaults; d != nil {
		differ := func(n string) bool { return r.Switches.Map()[n] != d.Map()[n] }
		if *d == r.Switches {
			fmt.Fprintf(w, "DEFAULTS: the worst case under the default switches, which are the table's reading\n")
		} else {
			fmt.Fprintf(w, "DEFAULTS: the worst case under the default switches, where %s\n", switchList(*d, differ))
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	compared := r.Defaults != nil
	if compared {
		fmt.Fprintln(tw, "ACTION\tTRIALS\tCELL\tOBSERVED\tDEFAULTS\tCONFLICT\tPUBLISHED\tVERDICT")
	} else {
		fmt.Fprintln(tw, "ACTION\tTRIALS\tCELL\tOBSERVED\tPUBLISHED\tVERDICT")
	}
	for _, row := range r.Rows {
		action, trials := row.Action, fmt.Sprint(row.Trials)
		for _, c := range row.Cells {
			obs, verdict := "-", "ok"
			if c.Reproduced {
				obs = observedString(c.Observed)
			}
			if !c.Pass {
				verdict = "OFF: " + c.Reason
			}
			if compared {
				dflt, conflict := "-", ""
				if c.Default != nil {
					dflt = observedString(*c.Default)
				}
				if c.Conflict != nil {
					conflict = c.Conflict.Rule
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", action, trials, c.Cell, obs, dflt, conflict, c.Published, verdict)
			} else {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", action, trials, c.Cell, obs, c.Published, verdict)
			}
			action, trials = "", ""
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "PASS: every cell within its bound and within 1% of it"
	if n := r.failed(); n > 0 {
		verdict = fmt.Sprintf("FAIL: %d cells off", n)
	}
	var notes strings.Builder
	list, cells := r.conflicts()
	if len(list) > 0 {
		notes.WriteString("\nDocumented conflicts: the cells where the default switches differ, and the sources on each side\n")
	}
	for _, c := range list {
		fmt.Fprintf(&notes, "  %s: %s\n    table:   %s\n    default: %s\n", c.Rule, strings.Join(cells[c.Rule], "; "), c.Table, c.Default)
	}
	_, err := fmt.Fprintf(w, "\n%s\n%s", verdict, notes.String())
	return err
}

// WriteTableMarkdown writes what WriteTableText writes as Markdown, for a CI job's summary: the
// reading, a table of the cells with their verdicts, and the documented conflicts.
func WriteTableMarkdown(w io.Writer, r TableReport) error {
	var b strings.Builder
	mark := "✅ "
	verdict := "PASS: every cell within its bound and within 1% of it"
	if n := r.failed(); n > 0 {
		mark, verdict = "❌ ", fmt.Sprintf("FAIL: %d cells off", n)
	}
	fmt.Fprintf(&b, "# idcsim timing tables, profile %s\n\n**%s%s**\n\n", mdEscape(r.Profile), mark, verdict)
	fmt.Fprintf(&b, "Permission-set duration %s. The table's reading: %s.\n\n", sim.HumanDuration(r.PermissionSetDuration), mdEscape(switchList(r.Switches, nil)))
	head := []string{"action", "cell", "observed", "published", "verdict"}
	if r.Defaults != nil {
		head = []string{"action", "cell", "observed", "under the default switches", "conflict", "published", "verdict"}
	}
	var rows [][]string
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			obs, v := "-", "ok"
			if c.Reproduced {
				obs = observedString(c.Observed)
			}
			if !c.Pass {
				v = "OFF: " + c.Reason
			}
			cells := []string{row.Action, c.Cell, obs, c.Published, v}
			if r.Defaults != nil {
				dflt, conflict := "-", ""
				if c.Default != nil {
					dflt = observedString(*c.Default)
				}
				if c.Conflict != nil {
					conflict = c.Conflict.Rule
				}
				cells = []string{row.Action, c.Cell, obs, dflt, conflict, c.Published, v}
			}
			rows = append(rows, cells)
		}
	}
	mdTable(&b, head, rows)
	list, where := r.conflicts()
	if len(list) > 0 {
		b.WriteString("\n## Documented conflicts\n\n")
	}
	for _, c := range list {
		fmt.Fprintf(&b, "- **%s** (%s): the table: %s; the default: %s\n", c.Rule, mdEscape(strings.Join(where[c.Rule], "; ")), mdEscape(c.Table), mdEscape(c.Default))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type tableJSON struct {
	SchemaVersion          int             `json:"schema_version"`
	Profile                string          `json:"profile"`
	PermissionSetDurationS float64         `json:"permission_set_duration_s"`
	Switches               map[string]bool `json:"switches"`
	DefaultSwitches        map[string]bool `json:"default_switches,omitempty"`
	Pass                   bool            `json:"pass"`
	Rows                   []rowJSON       `json:"rows"`
}

type rowJSON struct {
	Action string `json:"action"`
	Trials int    `json:"trials"`
	Cells  object `json:"cells"`
}

type cellJSON struct {
	ObservedMaxS        *float64      `json:"observed_max_s,omitempty"`
	ObservedText        string        `json:"observed_text,omitempty"`
	Text                string        `json:"text,omitempty"`
	BoundS              *float64      `json:"bound_s"`
	Pass                bool          `json:"pass"`
	Reason              string        `json:"reason,omitempty"`
	DefaultObservedMaxS *float64      `json:"default_observed_max_s,omitempty"`
	DefaultObservedText string        `json:"default_observed_text,omitempty"`
	Conflict            *conflictJSON `json:"conflict,omitempty"`
}

// conflictJSON is a documented conflict of a cell: the rule, and what the source on each side says.
type conflictJSON struct {
	Rule    string `json:"rule"`
	Table   string `json:"table"`
	Default string `json:"default"`
}

// observedJSON gives the worst case c as the JSON does: seconds, or a text.
func observedJSON(c sim.CellResult) (*float64, string) {
	if c.Text != "" {
		return nil, c.Text
	}
	s := tableSeconds(c.ObservedMax)
	return &s, ""
}

// WriteTableJSON writes the report as the table document of SPEC.md.
func WriteTableJSON(w io.Writer, r TableReport) error {
	doc := tableJSON{SchemaVersion: SchemaVersion, Profile: r.Profile, Pass: r.Pass, Switches: r.Switches.Map(),
		PermissionSetDurationS: seconds(r.PermissionSetDuration), Rows: []rowJSON{}}
	if r.Defaults != nil {
		doc.DefaultSwitches = r.Defaults.Map()
	}
	for _, row := range r.Rows {
		rj := rowJSON{Action: row.Action, Trials: row.Trials, Cells: object{}}
		for _, c := range row.Cells {
			cj := cellJSON{Text: c.Bound.Text, Pass: c.Pass, Reason: c.Reason}
			if c.Reproduced {
				cj.ObservedMaxS, cj.ObservedText = observedJSON(c.Observed)
			}
			if c.Bound.Text == "" {
				s := seconds(c.Limit)
				cj.BoundS = &s
			}
			if c.Default != nil {
				cj.DefaultObservedMaxS, cj.DefaultObservedText = observedJSON(*c.Default)
			}
			if k := c.Conflict; k != nil {
				cj.Conflict = &conflictJSON{Rule: k.Rule, Table: k.Table, Default: k.Default}
			}
			rj.Cells = append(rj.Cells, member{c.Cell, cj})
		}
		doc.Rows = append(doc.Rows, rj)
	}
	return writeIndented(w, doc)
}

// WriteTableJUnit writes the report as a JUnit XML test suite with one test case per cell, for CI
// systems; a failed cell's text, and the suite's output, give the worst case under the default
// switches and its conflict.
func WriteTableJUnit(w io.Writer, r TableReport, run JUnitRun) error {
	s := junitSuite{Name: "idcsim table " + r.Profile, Properties: []junitProperty{{"profile", r.Profile},
		{"permission_set_duration", sim.FormatDuration(r.PermissionSetDuration)}}}
	var out strings.Builder
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			jc := junitCase{Class: "idcsim.table." + r.Profile + "." + row.Action, Name: c.Cell}
			if !c.Pass {
				obs := "nothing"
				if c.Reproduced {
					obs = observedString(c.Observed)
				}
				jc.Failure = junitFailed(fmt.Sprintf("observed %s, published %s: %s", obs, c.Published, c.Reason),
					fmt.Sprintf("%s %s: observed %s, published %s", row.Action, c.Cell, obs, c.Published))
			}
			if c.Default != nil {
				line := fmt.Sprintf("%s %s: under the default switches %s", row.Action, c.Cell, observedString(*c.Default))
				if k := c.Conflict; k != nil {
					line += fmt.Sprintf("; documented conflict %s: table: %s; default: %s", k.Rule, k.Table, k.Default)
				}
				out.WriteString(line + "\n")
				if jc.Failure != nil {
					jc.Failure.Text += "\n" + line
				}
			}
			s.Cases = append(s.Cases, jc)
		}
	}
	s.Out = out.String()
	return s.write(w, run)
}
