package sim

import (
	"math"
	"time"
)

// never is a time after every horizon.
const never = time.Duration(math.MaxInt64)

// target is what an assignment entitles to: an application (its index), or an account with a
// permission set (numApps + account*numPermissionSets + permission set).
type target int32

const noTarget target = -1

// model is a scenario compiled to indices, shared read-only by every replication.
type model struct {
	sc       *Scenario
	apps     []Application
	permSets []PermissionSet
	accounts []string
	users    []userModel
	devices  []deviceModel
	groups   [][]target // each group's assignments at the start
	events   []step     // the timeline
	kiroApps bool
}

type userModel struct {
	name    string
	groups  []int32
	direct  []target
	devices []int32
}

type deviceModel struct {
	name   string
	user   int32
	kind   DeviceKind
	config CLIConfig
	client CLIClient
}

// step is an event of the timeline or of a playbook, compiled.
type step struct {
	at       time.Duration // time of a timeline event; delay after the previous step in a playbook
	action   Action
	user     int32
	group    int32
	device   int32
	target   target
	permSet  int32
	where    Where
	duration time.Duration
	playbook []step
	name     string // the playbook's name, for offboard
}

func (m *model) appTarget(i int) target { return target(i) }

func (m *model) roleTarget(account, permSet int) target {
	return target(len(m.apps) + account*len(m.permSets) + permSet)
}

func (m *model) isApp(t target) bool { return int(t) < len(m.apps) }

// targetPermSet returns the permission set of a role target.
func (m *model) targetPermSet(t target) int32 {
	return int32((int(t) - len(m.apps)) % len(m.permSets))
}

func (m *model) targetName(t target) string {
	if m.isApp(t) {
		return m.apps[t].Name
	}
	i := int(t) - len(m.apps)
	return m.accounts[i/len(m.permSets)] + "/" + m.permSets[i%len(m.permSets)].Name
}

// compile resolves the scenario's names to indices. It reports the first reference it cannot resolve;
// scenarios from the YAML language have been checked already, so this guards programs only.
func compile(sc *Scenario) (*model, error) {
	m := &model{sc: sc, apps: sc.Applications, permSets: sc.PermissionSets, accounts: sc.Accounts}
	index := func(names []string) map[string]int32 {
		ix := make(map[string]int32, len(names))
		for i, n := range names {
			ix[n] = int32(i)
		}
		return ix
	}
	var appNames, psNames, groupNames, userNames []string
	for _, a := range sc.Applications {
		appNames = append(appNames, a.Name)
		if a.Kind == Kiro {
			m.kiroApps = true
		}
	}
	for _, p := range sc.PermissionSets {
		psNames = append(psNames, p.Name)
	}
	for _, g := range sc.Groups {
		groupNames = append(groupNames, g.Name)
	}
	for _, u := range sc.Users {
		userNames = append(userNames, u.Name)
	}
	apps, permSets, accounts := index(appNames), index(psNames), index(sc.Accounts)
	groups, users := index(groupNames), index(userNames)

	resolve := func(a Assignment) (target, error) {
		if a.Application != "" {
			i, ok := apps[a.Application]
			if !ok {
				return noTarget, errorf("unknown application %q", a.Application)
			}
			return m.appTarget(int(i)), nil
		}
		ac, ok := accounts[a.Account]
		if !ok {
			return noTarget, errorf("unknown account %q", a.Account)
		}
		ps, ok := permSets[a.PermissionSet]
		if !ok {
			return noTarget, errorf("unknown permission set %q", a.PermissionSet)
		}
		return m.roleTarget(int(ac), int(ps)), nil
	}
	for _, g := range sc.Groups {
		var ts []target
		for _, a := range g.Assignments {
			t, err := resolve(a)
			if err != nil {
				return nil, err
			}
			ts = append(ts, t)
		}
		m.groups = append(m.groups, ts)
	}
	deviceOf := map[[2]string]int32{}
	for ui, u := range sc.Users {
		um := userModel{name: u.Name}
		for _, g := range u.Groups {
			gi, ok := groups[g]
			if !ok {
				return nil, errorf("user %s: unknown group %q", u.Name, g)
			}
			um.groups = append(um.groups, gi)
		}
		for _, a := range u.Assignments {
			t, err := resolve(a)
			if err != nil {
				return nil, errorf("user %s: %v", u.Name, err)
			}
			um.direct = append(um.direct, t)
		}
		for _, d := range u.Devices {
			di := int32(len(m.devices))
			m.devices = append(m.devices, deviceModel{name: d.Name, user: int32(ui), kind: d.Kind, config: d.Config, client: d.Client})
			um.devices = append(um.devices, di)
			deviceOf[[2]string{u.Name, d.Name}] = di
		}
		m.users = append(m.users, um)
	}

	var compileEvent func(e *Event) (step, error)
	compileEvent = func(e *Event) (step, error) {
		s := step{at: e.At, action: e.Action, user: -1, group: -1, device: -1, target: noTarget, permSet: -1,
			where: e.Where, duration: e.Duration, name: e.PlaybookName}
		if e.User != "" {
			u, ok := users[e.User]
			if !ok {
				return s, errorf("%s: unknown user %q", e.Action, e.User)
			}
			s.user = u
		}
		if e.Group != "" {
			g, ok := groups[e.Group]
			if !ok {
				return s, errorf("%s: unknown group %q", e.Action, e.Group)
			}
			s.group = g
		}
		if e.Device != "" {
			d, ok := deviceOf[[2]string{e.User, e.Device}]
			if !ok {
				return s, errorf("%s: user %s has no device %q", e.Action, e.User, e.Device)
			}
			s.device = d
		}
		if e.PermissionSet != "" {
			ps, ok := permSets[e.PermissionSet]
			if !ok {
				return s, errorf("%s: unknown permission set %q", e.Action, e.PermissionSet)
			}
			s.permSet = ps
		}
		if e.Application != "" || e.Account != "" {
			t, err := resolve(Assignment{Account: e.Account, PermissionSet: e.PermissionSet, Application: e.Application})
			if err != nil {
				return s, errorf("%s: %v", e.Action, err)
			}
			s.target = t
		}
		if needsUser(e.Action) && s.user < 0 {
			return s, errorf("%s needs a user", e.Action)
		}
		if needsDevice(e.Action) && s.device < 0 {
			return s, errorf("%s needs a device", e.Action)
		}
		for i := range e.Playbook {
			st := e.Playbook[i].Event
			st.User = e.User
			c, err := compileEvent(&st)
			if err != nil {
				return s, err
			}
			c.at = e.Playbook[i].After
			s.playbook = append(s.playbook, c)
		}
		return s, nil
	}
	var last time.Duration
	for i := range sc.Events {
		e := &sc.Events[i]
		if e.At < last || e.At < 0 || e.At > sc.Horizon {
			return nil, errorf("event %d (%s) at %v is out of order or outside the horizon", i, e.Action, e.At)
		}
		last = e.At
		s, err := compileEvent(e)
		if err != nil {
			return nil, err
		}
		m.events = append(m.events, s)
	}
	return m, nil
}

func needsUser(a Action) bool {
	switch a {
	case SetPortalSession, SetPermissionSetDuration, RevokeRoleSessions, AddAssignment, RemoveAssignment:
		return false
	}
	return true
}

func needsDevice(a Action) bool {
	switch a {
	case SignIn, SignOut, OpenApp, Federate, CLILogin, CLILogout, GetRoleCredentials,
		StartCLIWorkload, StopCLIWorkload, StartJob:
		return true
	}
	return false
}
