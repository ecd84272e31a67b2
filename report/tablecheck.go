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
	// Pass says every cell is within its bound and comes within 1% of it.
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

// WriteTableText writes the observed worst cases beside the published bounds with a verdict per cell.
func WriteTableText(w io.Writer, r TableReport) error {
	fmt.Fprintf(w, "timing tables, profile %s, permission-set duration %s\n", r.Profile, sim.HumanDuration(r.PermissionSetDuration))
	fmt.Fprintf(w, "switches (the table's reading): %s\n\n", switchList(r.Switches, nil))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tTRIALS\tCELL\tOBSERVED\tPUBLISHED\tVERDICT")
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", action, trials, c.Cell, obs, c.Published, verdict)
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
	_, err := fmt.Fprintf(w, "\n%s\n", verdict)
	return err
}

type tableJSON struct {
	SchemaVersion          int             `json:"schema_version"`
	Profile                string          `json:"profile"`
	PermissionSetDurationS float64         `json:"permission_set_duration_s"`
	Switches               map[string]bool `json:"switches"`
	Pass                   bool            `json:"pass"`
	Rows                   []rowJSON       `json:"rows"`
}

type rowJSON struct {
	Action string `json:"action"`
	Trials int    `json:"trials"`
	Cells  object `json:"cells"`
}

type cellJSON struct {
	ObservedMaxS *float64 `json:"observed_max_s,omitempty"`
	ObservedText string   `json:"observed_text,omitempty"`
	Text         string   `json:"text,omitempty"`
	BoundS       *float64 `json:"bound_s"`
	Pass         bool     `json:"pass"`
	Reason       string   `json:"reason,omitempty"`
}

// WriteTableJSON writes the report as the table document of SPEC.md.
func WriteTableJSON(w io.Writer, r TableReport) error {
	doc := tableJSON{SchemaVersion: SchemaVersion, Profile: r.Profile, Pass: r.Pass, Switches: r.Switches.Map(),
		PermissionSetDurationS: seconds(r.PermissionSetDuration), Rows: []rowJSON{}}
	for _, row := range r.Rows {
		rj := rowJSON{Action: row.Action, Trials: row.Trials, Cells: object{}}
		for _, c := range row.Cells {
			cj := cellJSON{Text: c.Bound.Text, Pass: c.Pass, Reason: c.Reason}
			if c.Reproduced {
				if c.Observed.Text != "" {
					cj.ObservedText = c.Observed.Text
				} else {
					s := seconds(c.Observed.ObservedMax)
					cj.ObservedMaxS = &s
				}
			}
			if c.Bound.Text == "" {
				s := seconds(c.Limit)
				cj.BoundS = &s
			}
			rj.Cells = append(rj.Cells, member{c.Cell, cj})
		}
		doc.Rows = append(doc.Rows, rj)
	}
	return writeIndented(w, doc)
}

// WriteTableJUnit writes the report as a JUnit XML test suite with one test case per cell, for CI systems.
func WriteTableJUnit(w io.Writer, r TableReport) error {
	s := junitSuite{Name: "idcsim table " + r.Profile}
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			jc := junitCase{Class: "idcsim.table." + r.Profile + "." + row.Action, Name: c.Cell}
			if !c.Pass {
				obs := "nothing"
				if c.Reproduced {
					obs = observedString(c.Observed)
				}
				jc.Failure = &junitFailure{Message: fmt.Sprintf("observed %s, published %s: %s", obs, c.Published, c.Reason),
					Text: fmt.Sprintf("%s %s: observed %s, published %s", row.Action, c.Cell, obs, c.Published)}
			}
			s.Cases = append(s.Cases, jc)
		}
	}
	return s.write(w)
}
