package sim

import "time"

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
