package sim

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// tableScenario builds the experiment of one row of the timing tables: a user signs in, opens an
// AWS managed application and federates into an account at random phases, then the row's action
// is taken on them as an offboarding, whose windows give the cells.
func tableScenario(opts *TableOptions, row string) (*Scenario, error) {
	const (
		app, account, permSet, group, device = "app", "account", "PermissionSet", "group", "browser"
	)
	sc := &Scenario{
		Name:           "timing table: " + row,
		Horizon:        15*time.Hour + 2*24*time.Hour,
		Seed:           opts.Seed,
		Replications:   1,
		Profile:        opts.Profile,
		Switches:       opts.Switches,
		Settings:       Settings{PortalSession: 7 * 24 * time.Hour},
		Accounts:       []string{account},
		PermissionSets: []PermissionSet{{Name: permSet, SessionDuration: opts.PermissionSetDuration}},
		Applications:   []Application{{Name: app, Kind: AWSManaged}},
	}
	assignments := []Assignment{{Application: app}, {Account: account, PermissionSet: permSet}}
	user := User{Name: "user", Devices: []Device{{Name: device, Kind: Browser}}}
	var steps []Event
	switch row {
	case "disable_user":
		steps = []Event{{Action: DisableUser, Where: AtIdentityCenter}}
	case "delete_user":
		steps = []Event{{Action: DeleteUser}}
	case "end_sessions":
		steps = []Event{{Action: EndSessions}}
	case "sign_out":
		steps = []Event{{Action: SignOut, Device: device}}
	case "remove_user_assignment":
		steps = []Event{{Action: RemoveAssignment, Application: app}, {Action: RemoveAssignment, Account: account, PermissionSet: permSet}}
	case "remove_from_group":
		steps = []Event{{Action: RemoveFromGroup, Group: group}}
	case "remove_group_assignment":
		steps = []Event{{Action: RemoveAssignment, Group: group, Application: app},
			{Action: RemoveAssignment, Group: group, Account: account, PermissionSet: permSet}}
	default:
		return nil, errorf("unknown table row %q", row)
	}
	if row == "remove_from_group" || row == "remove_group_assignment" {
		sc.Groups = []Group{{Name: group, Assignments: assignments}}
		user.Groups = []string{group}
	} else {
		user.Assignments = assignments
	}
	sc.Users = []User{user}
	var playbook []Step
	for _, e := range steps {
		if e.Group == "" || e.Action == RemoveFromGroup {
			e.User = user.Name
		}
		playbook = append(playbook, Step{Event: e})
	}
	// The times are placeholders: each trial draws its own.
	sc.Events = []Event{
		{Action: SignIn, User: user.Name, Device: device},
		{Action: OpenApp, User: user.Name, Device: device, Application: app},
		{Action: Federate, User: user.Name, Device: device, Account: account, PermissionSet: permSet},
		{Action: Offboard, User: user.Name, Playbook: playbook, PlaybookName: row},
	}
	return sc, nil
}

func reproduceTable(opts TableOptions) ([]RowResult, error) {
	if opts.PermissionSetDuration == 0 {
		opts.PermissionSetDuration = 12 * time.Hour
	}
	if opts.Trials == 0 {
		opts.Trials = DefaultTrials
	}
	if opts.Profile.Name == "" {
		opts.Profile, _ = LookupProfile("current")
	}
	if opts.PermissionSetDuration > 12*time.Hour {
		return nil, errorf("permission set duration %s is above the 12h the experiment leaves room for", FormatDuration(opts.PermissionSetDuration))
	}
	out := make([]RowResult, len(TableRows))
	errs := make([]error, len(TableRows))
	// Each row compiles its own scenario and keeps its own world.
	err := parallel(context.Background(), len(TableRows), Options{}, func(_ map[int]*world, k int, _ func(int64)) {
		out[k], errs[k] = reproduceRow(&opts, TableRows[k])
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reproduceRow runs the row's trials and keeps the worst case of each cell.
func reproduceRow(opts *TableOptions, row string) (RowResult, error) {
	sc, err := tableScenario(opts, row)
	if err != nil {
		return RowResult{}, err
	}
	m, err := compile(sc)
	if err != nil {
		return RowResult{}, err
	}
	base := slices.Clone(m.events)
	w := newWorld(m)
	// A trial has a handful of events hours apart: a plain heap serves them better than the
	// calendar of one-minute buckets, which would walk and clear thousands of empty buckets.
	w.q.init(0)
	var worst [NumChannels]time.Duration
	var portalKept, signInKept bool
	for trial := 0; trial < opts.Trials; trial++ {
		w.reset(trial)
		// The action falls at a random time; the application session and the role session
		// started at random phases before it (the role session within its duration).
		action := 12*time.Hour + w.uniform(time.Hour)
		signIn, open, federate, offboard := base[0], base[1], base[2], base[3]
		open.at = action - w.uniform(4*time.Hour)
		federate.at = action - w.uniform(opts.PermissionSetDuration)
		offboard.at = action
		m.events = append(m.events[:0], signIn, open, federate, offboard)
		slices.SortStableFunc(m.events, func(a, b step) int { return cmp.Compare(a.at, b.at) })
		w.run()
		// the windows alone: the evidence of every trial would cost more than the trial
		s := &w.tracks[w.users[w.offs[0].user].track]
		for c := range worst {
			if win, _ := w.window(s, Channel(c), action); win.Length > worst[c] {
				worst[c] = win.Length
			}
		}
		portalKept = portalKept || s.avail[ChPortal]
		signInKept = signInKept || s.avail[ChSignIn]
	}
	res := RowResult{Row: row, Trials: opts.Trials, Cells: map[string]CellResult{}}
	// idc_access is signing in (T0: "cannot sign in"); a portal session that runs on is access
	// kept, or, once the user may sign in again, the time until they must (UIS-11).
	idc := CellResult{ObservedMax: worst[ChSignIn]}
	switch {
	case portalKept:
		idc = CellResult{Text: KeepsAccess}
	case signInKept && worst[ChPortal] == 0:
		idc = CellResult{Text: MustSignInAgain}
	case signInKept:
		idc = CellResult{ObservedMax: worst[ChPortal]}
	}
	res.Cells["idc_access"] = idc
	res.Cells["app_new"] = CellResult{ObservedMax: worst[ChAppNew]}
	res.Cells["app_existing"] = CellResult{ObservedMax: worst[ChAppExisting]}
	res.Cells["role_existing"] = CellResult{ObservedMax: worst[ChRoleExisting]}
	return res, nil
}
