package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Table is a timing table: for each row (an action of TableRows) and cell (one of TableCells),
// the bound the observed worst case must meet.
type Table struct {
	Profile string
	// PermissionSetDuration is the role session duration the table assumes; it resolves the bounds
	// that follow the permission set.
	PermissionSetDuration time.Duration
	// Switches are the table's reading: the switches under which its bounds hold (RULES.md, "The
	// table's reading and the defaults"). A table that names none holds under DefaultSwitches.
	Switches Switches
	Rows     map[string]map[string]Bound
}

// Bound is what a table states for one cell.
type Bound struct {
	// Limit is the longest the access may survive the action; 0 means immediately.
	Limit time.Duration
	// PermissionSet says the limit is the table's permission-set duration, plus Limit (T0: an
	// hour, then a role session).
	PermissionSet bool
	// Text is set instead of a limit when the access outlives the action: KeepsAccess or
	// MustSignInAgain.
	Text string
}

// Limit returns the limit of the bound b in the table.
func (t *Table) Limit(b Bound) time.Duration {
	if b.PermissionSet {
		return t.PermissionSetDuration + b.Limit
	}
	return b.Limit
}

// TableConflict is a documented conflict between a published table's reading and the default
// switches (RULES.md, "The table's reading and the defaults"): where the sources contradict each
// other the defaults take the longer exposure, so some cells come out longer under them.
type TableConflict struct {
	// Rule is the rule of RULES.md whose switch differs, or, for a conflict no rule documents,
	// the switches that differ.
	Rule string
	// Table and Default say what the source on each side says: the table's, and the one the
	// default switches follow.
	Table, Default string
}

// tableConflicts are the documented conflicts, by rule: the switch that decides each, the rows
// it bears on, and the sources on either side.
var tableConflicts = []struct {
	rule, sw string
	rows     []string
	table    string
	dflt     string
}{
	{"UIS-5", "disable_ends_portal_sessions", []string{"disable_user"},
		"the published table (T1; T0 in 2022-10, at the session's hourly refresh, UIS-11): a disable ends the user's portal access, so no sign-in and no new sessions",
		`the revocation page: a disabled user with an active portal session "can continue to assume new roles until you remove their access": the portal session and the CLI token go on (switch disable_ends_portal_sessions)`},
	{"CLI-3", "cli_token_survives_session_end", []string{"disable_user", "delete_user", "end_sessions", "sign_out"},
		"the published table: role sessions end within the permission-set duration, no new role credentials once the portal session has ended, the CLI's token included",
		`the 2023 blog and the session page: "it can take up to an hour for the CLI interface to be terminated" after the portal session: a surviving CLI token can mint a role session of the permission set's duration up to an hour after the session ended (switch cli_token_survives_session_end)`},
}

// ConflictOf returns the conflict that explains why a cell of the row differs between the
// table's reading and the defaults: the first documented conflict whose switch differs between
// the two and that bears on the row, or else one naming the switches that differ. ok is false
// when the two are the same switches.
func ConflictOf(row string, reading, defaults Switches) (c TableConflict, ok bool) {
	r, d := reading.Map(), defaults.Map()
	for _, tc := range tableConflicts {
		if r[tc.sw] != d[tc.sw] && slices.Contains(tc.rows, row) {
			return TableConflict{Rule: tc.rule, Table: tc.table, Default: tc.dflt}, true
		}
	}
	var names, table, dflt []string
	for _, n := range SwitchNames() {
		if r[n] != d[n] {
			names = append(names, n)
			table = append(table, fmt.Sprintf("%s=%t", n, r[n]))
			dflt = append(dflt, fmt.Sprintf("%s=%t", n, d[n]))
		}
	}
	if names == nil {
		return TableConflict{}, false
	}
	return TableConflict{Rule: "switches " + strings.Join(names, ", "),
		Table: "the table's reading: " + strings.Join(table, ", "), Default: "the defaults: " + strings.Join(dflt, ", ")}, true
}
