package importer

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"idcsim/sim"
)

// Summary is what an import found and wrote, for people: counts of each kind, what was left out
// and why, and what must be checked.
type Summary struct {
	From           string
	Files          int
	Accounts       int
	NamedAccounts  int // named by the export
	PermissionSets int
	// Longest are the permission sets of the longest session duration, LongestDuration.
	Longest         []string
	LongestDuration time.Duration
	Applications    int
	Groups          int
	Users           int
	DisabledUsers   int
	// ExternalUsers carry external IDs: provisioned from an external IdP or Active Directory.
	ExternalUsers          int
	Memberships            int
	GroupAssignments       int // to accounts
	UserAssignments        int // to accounts
	ApplicationAssignments int
	MaxUsers               int
	// Listed is the number of users written by name; Populations and People, the populations
	// written instead and the people in them.
	Listed, Populations, People int
	// Skipped counts what was left out, by reason.
	Skipped map[string]int
	// Checks are the values written that no API exposes.
	Checks []string
	// Hints are advice about the flags.
	Hints []string
}

// WriteText writes the summary for people.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %s", s.From)
	if s.Files > 0 {
		fmt.Fprintf(&b, " (%d %s)", s.Files, plural(s.Files, "file", "files"))
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  accounts\t%d (%d named by the export)\n", s.Accounts, s.NamedAccounts)
	fmt.Fprintf(tw, "  permission sets\t%d\n", s.PermissionSets)
	fmt.Fprintf(tw, "  applications\t%d\n", s.Applications)
	fmt.Fprintf(tw, "  groups\t%d\n", s.Groups)
	fmt.Fprintf(tw, "  users\t%d (%d disabled)\n", s.Users, s.DisabledUsers)
	fmt.Fprintf(tw, "  memberships\t%d\n", s.Memberships)
	fmt.Fprintf(tw, "  assignments\t%d to accounts (%d of groups, %d of users), %d to applications\n",
		s.GroupAssignments+s.UserAssignments, s.GroupAssignments, s.UserAssignments, s.ApplicationAssignments)
	tw.Flush()
	switch {
	case s.Listed > 0:
		fmt.Fprintf(&b, "users listed by name (at most --max-users %d); they do nothing until events say so\n", s.MaxUsers)
	case s.Populations > 0:
		fmt.Fprintf(&b, "%d %s in %d %s (more users than --max-users %d), each with a default behaviour; a default offboardings entry\n",
			s.People, plural(s.People, "person", "people"), s.Populations, plural(s.Populations, "population", "populations"), s.MaxUsers)
	}
	if len(s.Longest) > 0 {
		fmt.Fprintf(&b, "longest permission set: %s (%s): whoever holds it may keep role credentials that long after an offboarding, unless a deny policy cuts them (role_existing, ROLE-2)\n",
			strings.Join(s.Longest, ", "), sim.HumanDuration(s.LongestDuration))
	}
	if len(s.Skipped) > 0 {
		b.WriteString("left out:\n")
		reasons := make([]string, 0, len(s.Skipped))
		for r := range s.Skipped {
			reasons = append(reasons, r)
		}
		slices.Sort(reasons)
		for _, r := range reasons {
			fmt.Fprintf(&b, "  %s: %d\n", r, s.Skipped[r])
		}
	}
	if len(s.Checks) > 0 {
		fmt.Fprintf(&b, "must be checked (no API exposes them; written as the defaults): %s\n", strings.Join(s.Checks, "; "))
	}
	for _, h := range s.Hints {
		fmt.Fprintf(&b, "hint: %s\n", h)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
