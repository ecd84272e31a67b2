package sim

import "testing"

func TestActionSpecs(t *testing.T) {
	t.Parallel()
	for a := Action(0); a < numActions; a++ {
		s := a.Spec()
		if s.Action != a {
			t.Errorf("%s: the table's entry is %s's", a, s.Action)
		}
		for k := range s.Keys {
			found := false
			for _, e := range EventKeys {
				found = found || e == k
			}
			if !found {
				t.Errorf("%s takes %q, not a key of events", a, k)
			}
		}
		// A playbook step acts on the offboarded user, not from one of their devices.
		if s.Step && s.NeedsDevice() {
			t.Errorf("%s is a playbook step that needs a device", a)
		}
		if s.NeedsDevice() && !s.NeedsUser() {
			t.Errorf("%s needs a device but no user to own it", a)
		}
	}
	// The admin actions on settings and assignments name no user (SPEC.md's event keys).
	for _, a := range []Action{SetPortalSession, SetPermissionSetDuration, RevokeRoleSessions, AddAssignment, SetBackgroundSessionDuration} {
		if a.Spec().NeedsUser() {
			t.Errorf("%s needs a user", a)
		}
	}
	// BG-1: jobs, and their background sessions, belong to applications of kind jobs.
	if !StartJob.Spec().JobsApp || !EndBackgroundSession.Spec().JobsApp || OpenApp.Spec().JobsApp {
		t.Error("start_job and end_background_session need an application of kind jobs, open_app does not")
	}
	if s := GetRoleCredentials.Spec(); !s.NeedsDevice() || s.Device != CLI {
		t.Errorf("get_role_credentials needs device %v of kind %s, want a cli device", s.NeedsDevice(), s.Device)
	}
}

func TestNamesOf(t *testing.T) {
	t.Parallel()
	sc := &Scenario{
		Accounts:       []string{"prod", "dev"},
		PermissionSets: []PermissionSet{{Name: "Admin"}},
		Users:          []User{{Name: "alice"}, {Name: "bob"}},
		Populations:    []Population{{Name: "staff", Count: 3}},
	}
	n := NamesOf(sc)
	if i, ok := n.Accounts.Lookup("dev"); !ok || i != 1 {
		t.Errorf("account dev = %d, %v; want 1", i, ok)
	}
	if i, ok := n.Users.Lookup("bob"); !ok || i != 1 {
		t.Errorf("user bob = %d, %v; want 1", i, ok)
	}
	if n.Users.Has("staff-1") || !n.Populations.Has("staff") || n.Groups.Has("prod") {
		t.Error("people of populations are not users, and names of one kind are not of another")
	}
}
