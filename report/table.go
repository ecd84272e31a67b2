package report

import (
	"fmt"

	"idcsim/sim"
)

// describeBound says the bound b of the table t as the published tables do.
func describeBound(t *sim.Table, b sim.Bound) string {
	switch {
	case b.Text != "":
		return b.Text
	case t.Limit(b) == 0:
		return "immediately"
	case b.PermissionSet && b.Limit > 0:
		return fmt.Sprintf("within %s (%s, then the permission set's %s)", sim.HumanDuration(t.Limit(b)),
			sim.HumanDuration(b.Limit), sim.HumanDuration(t.PermissionSetDuration))
	case b.PermissionSet:
		return "within the permission set's " + sim.HumanDuration(t.PermissionSetDuration)
	}
	return "within " + sim.HumanDuration(b.Limit)
}
