// Package orgtest makes organisations out of scenarios and compares them, for the importers' tests.
package orgtest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"idcsim/sim"
)

// Instance and IdentityStore are the IAM Identity Center instance and identity store of every
// organisation made here.
const (
	Instance      = "arn:aws:sso:::instance/ssoins-7223a0b1c2d3e4f5"
	IdentityStore = "d-9067a1b2c3"
	// Management is the organisation's management account, owner of the applications.
	Management = "111122223333"
)

// Org is an organisation as IAM Identity Center holds it: everything by ID.
type Org struct {
	Accounts       []Account
	PermissionSets []PermissionSet
	Applications   []Application
	Groups         []Principal
	Users          []Principal
	Memberships    []Membership
	Assignments    []Assignment
}

// Account is an account of the organisation.
type Account struct{ ID, Name string }

// PermissionSet is a permission set; SessionDuration is in ISO 8601.
type PermissionSet struct{ ARN, Name, SessionDuration string }

// Application is an application and the ARN of its provider.
type Application struct{ ARN, Name, Provider string }

// Principal is a user (Name its user name) or a group (Name its display name).
type Principal struct{ ID, Name string }

// Membership puts a user in a group.
type Membership struct{ GroupID, UserID string }

// Assignment entitles a principal (PrincipalType USER or GROUP) to an account with a
// permission set, or to an application.
type Assignment struct {
	PrincipalType, PrincipalID          string
	AccountID, PermissionSetARN, AppARN string
}

// FromScenario returns the organisation of a scenario: its accounts, permission sets,
// applications, groups, users and the people of its populations (as users named as the
// scenario names them), with IDs and ARNs of the forms the service gives.
func FromScenario(sc *sim.Scenario) *Org {
	o := &Org{}
	accounts := map[string]string{}
	for i, name := range sc.Accounts {
		id := fmt.Sprintf("%012d", 210987654321+int64(i)*1_000_003)
		accounts[name] = id
		o.Accounts = append(o.Accounts, Account{ID: id, Name: name})
	}
	sets := map[string]string{}
	for i, ps := range sc.PermissionSets {
		arn := fmt.Sprintf("arn:aws:sso:::permissionSet/%s/ps-%016x", Instance[len("arn:aws:sso:::instance/"):], 0x6fd9f1b2c3d4e5a6+uint64(i)*7919)
		sets[ps.Name] = arn
		o.PermissionSets = append(o.PermissionSets, PermissionSet{ARN: arn, Name: ps.Name, SessionDuration: ISO(ps.SessionDuration)})
	}
	apps := map[string]string{}
	for i, a := range sc.Applications {
		arn := fmt.Sprintf("arn:aws:sso::%s:application/%s/apl-%016x", Management, Instance[len("arn:aws:sso:::instance/"):], 0x1a2b3c4d5e6f7a8b+uint64(i)*104729)
		provider := "arn:aws:sso::aws:applicationProvider/custom"
		if a.Kind == sim.SAML {
			provider = "arn:aws:sso::aws:applicationProvider/custom-saml"
		}
		apps[a.Name] = arn
		o.Applications = append(o.Applications, Application{ARN: arn, Name: a.Name, Provider: provider})
	}
	assign := func(kind, id string, as []sim.Assignment) {
		for _, a := range as {
			x := Assignment{PrincipalType: kind, PrincipalID: id}
			if a.Application != "" {
				x.AppARN = apps[a.Application]
			} else {
				x.AccountID, x.PermissionSetARN = accounts[a.Account], sets[a.PermissionSet]
			}
			o.Assignments = append(o.Assignments, x)
		}
	}
	groups := map[string]string{}
	for i, g := range sc.Groups {
		id := storeID(0xa1b2c3d4, i)
		groups[g.Name] = id
		o.Groups = append(o.Groups, Principal{ID: id, Name: g.Name})
		assign("GROUP", id, g.Assignments)
	}
	addUser := func(name string, gs []string, as []sim.Assignment) {
		id := storeID(0x1a2b3c4d, len(o.Users))
		o.Users = append(o.Users, Principal{ID: id, Name: name})
		for _, g := range gs {
			o.Memberships = append(o.Memberships, Membership{GroupID: groups[g], UserID: id})
		}
		assign("USER", id, as)
	}
	for _, u := range sc.Users {
		addUser(u.Name, u.Groups, u.Assignments)
	}
	for _, p := range sc.Populations {
		for i := 1; i <= p.Count; i++ {
			addUser(sim.PopulationUser(p.Name, i), p.Groups, p.Assignments)
		}
	}
	return o
}

// storeID is the i-th ID of the identity store's form: the store's digits, then a UUID.
func storeID(base uint32, i int) string {
	return fmt.Sprintf("%s-%08x-%04x-4%03x-8%03x-%012x", IdentityStore[2:], base+uint32(i), i&0xffff, i&0xfff, (i*7)&0xfff, uint64(i)*0x9e3779b97f)
}

// ISO writes a duration in ISO 8601, as the service does: PT8H, PT1H30M.
func ISO(d time.Duration) string {
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += fmt.Sprintf("%dH", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		s += fmt.Sprintf("%dM", m)
	}
	if sec := d % time.Minute / time.Second; sec > 0 || s == "PT" {
		s += fmt.Sprintf("%dS", sec)
	}
	return s
}

// View is what a scenario says of the organisation's configuration, to compare two: the
// accounts, the permission sets and their durations, the applications, each group's
// assignments, and each person's groups and direct assignments (People) and name (Names), both
// sorted.
type View struct {
	Accounts       []string
	PermissionSets map[string]time.Duration
	Applications   []string
	Groups         map[string][]string
	People         []string
	Names          []string
}

// ViewOf returns the view of a scenario, the people of its populations among its people.
func ViewOf(sc *sim.Scenario) View {
	v := View{Accounts: slices.Sorted(slices.Values(sc.Accounts)), PermissionSets: map[string]time.Duration{}, Groups: map[string][]string{}}
	for _, ps := range sc.PermissionSets {
		v.PermissionSets[ps.Name] = ps.SessionDuration
	}
	for _, a := range sc.Applications {
		v.Applications = append(v.Applications, a.Name)
	}
	slices.Sort(v.Applications)
	for _, g := range sc.Groups {
		v.Groups[g.Name] = assignments(g.Assignments)
	}
	person := func(groups []string, as []sim.Assignment) string {
		return strings.Join(slices.Sorted(slices.Values(groups)), ",") + " | " + strings.Join(assignments(as), ",")
	}
	for _, u := range sc.Users {
		v.People = append(v.People, person(u.Groups, u.Assignments))
		v.Names = append(v.Names, u.Name)
	}
	for _, p := range sc.Populations {
		for i := range p.Count {
			v.People = append(v.People, person(p.Groups, p.Assignments))
			v.Names = append(v.Names, sim.PopulationUser(p.Name, i+1))
		}
	}
	slices.Sort(v.People)
	slices.Sort(v.Names)
	return v
}

func assignments(as []sim.Assignment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	slices.Sort(out)
	return out
}
