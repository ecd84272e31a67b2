package sim

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// tableScenario builds the experiment of one row of the timing tables. A user has a browser and
// a CLI (sso-session configuration, the AWS CLI). In the browser they sign in, open an AWS managed
// application and federate into an account; the CLI logs in through the browser's portal session
// (UIS-9) and runs a workload that keeps minting role credentials for the account (CLI-5, ROLE-5).
// Each trial draws the phases of these (reproduceRow); then the row's action is taken on the user
// as an offboarding, whose windows give the cells. So both the console and the CLI path are
// measured, and each cell's worst case is over both.
func tableScenario(opts *TableOptions, row string) (*Scenario, error) {
	const (
		app, account, permSet, group = "app", "account", "PermissionSet", "group"
		device, cli                  = "browser", "cli"
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
	user := User{Name: "user", Devices: []Device{{Name: device, Kind: Browser}, {Name: cli, Kind: CLI, Config: SSOSession, Client: AWSCLI, Browser: device}}}
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
	// The times are placeholders: each trial draws its own, in this order (reproduceRow).
	sc.Events = []Event{
		{Action: SignIn, User: user.Name, Device: device},
		{Action: OpenApp, User: user.Name, Device: device, Application: app},
		{Action: Federate, User: user.Name, Device: device, Account: account, PermissionSet: permSet},
		{Action: StartCLIWorkload, User: user.Name, Device: cli, Account: account, PermissionSet: permSet},
		{Action: CLILogin, User: user.Name, Device: cli},
		{Action: Offboard, User: user.Name, Playbook: playbook, PlaybookName: row},
	}
	return sc, nil
}

// entitlementRows are the rows of T2: changes of entitlements, after which the user keeps their
// sessions and access to IAM Identity Center. Their role_existing cell is the role sessions that
// existed at the change, as the table words it ("existing role sessions"): role sessions obtained
// after it are new sessions, which the user may still obtain until the change is seen (GRP-1,
// T2's note: the portal and the CLI show it within the hour). In the other rows, which end the
// user's access, role_existing is every role session the user has after the action, those
// that the action should have prevented included (UIS-5, UIS-11, CLI-3).
var entitlementRows = []string{"remove_user_assignment", "remove_from_group", "remove_group_assignment"}

// rolesExistingAt returns how long after at the user's role sessions issued by then lasted, and
// whether one was still valid at the horizon.
func (w *world) rolesExistingAt(u int32, at time.Duration) (time.Duration, bool) {
	var last time.Duration
	for i := range w.roles {
		if r := &w.roles[i]; r.user == u && r.issued <= at && r.end > at {
			last = max(last, r.end-at)
		}
	}
	if horizon := w.sc.Horizon - at; last > horizon {
		return horizon, true
	}
	return last, false
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
	// calendar of two-minute buckets, which would walk and clear thousands of empty buckets.
	w.q.init(0)
	existingOnly := slices.Contains(entitlementRows, row)
	var worst [NumChannels]time.Duration
	var kept [NumChannels]bool
	for trial := 0; trial < opts.Trials; trial++ {
		w.reset(trial)
		// The action falls at a random time. Before it, at random phases: the application session
		// opened; the console role session and the CLI workload's first credentials issued
		// within a permission-set duration, so that some are still valid at the action and the
		// workload's refresh falls anywhere in the next; and the CLI's access token, which lives an
		// hour (CLI-1), issued in the hour before, as a CLI in use keeps it.
		action := 12*time.Hour + w.uniform(time.Hour)
		signIn, open, federate, workload, login, offboard := base[0], base[1], base[2], base[3], base[4], base[5]
		open.at = action - w.uniform(4*time.Hour)
		federate.at = action - w.uniform(opts.PermissionSetDuration)
		workload.at = action - w.uniform(opts.PermissionSetDuration)
		login.at = action - w.uniform(time.Hour)
		offboard.at = action
		m.events = append(m.events[:0], signIn, open, federate, workload, login, offboard)
		slices.SortStableFunc(m.events, func(a, b step) int { return cmp.Compare(a.at, b.at) })
		w.run()
		// the windows alone: the evidence of every trial would cost more than the trial
		u := w.offs[0].user
		s := &w.tracks[w.users[u].track]
		for c := range worst {
			win, _ := w.window(s, Channel(c), action)
			if c == int(ChRoleExisting) && existingOnly {
				win.Length, win.Open = w.rolesExistingAt(u, action)
			}
			worst[c] = max(worst[c], win.Length)
			kept[c] = kept[c] || win.Open
		}
	}
	res := RowResult{Row: row, Trials: opts.Trials, Cells: map[string]CellResult{}}
	// idc_access is signing in (T0: "cannot sign in"); a portal session that runs on is access
	// kept, or, once the user may sign in again, the time until they must (UIS-11).
	idc := CellResult{ObservedMax: worst[ChSignIn]}
	switch {
	case kept[ChPortal]:
		idc = CellResult{Text: KeepsAccess}
	case kept[ChSignIn] && worst[ChPortal] == 0:
		idc = CellResult{Text: MustSignInAgain}
	case kept[ChSignIn]:
		idc = CellResult{ObservedMax: worst[ChPortal]}
	}
	res.Cells["idc_access"] = idc
	// a channel still open at the horizon in some trial is access kept
	cell := func(c Channel) CellResult {
		if kept[c] {
			return CellResult{Text: KeepsAccess}
		}
		return CellResult{ObservedMax: worst[c]}
	}
	res.Cells["app_new"] = cell(ChAppNew)
	res.Cells["app_existing"] = cell(ChAppExisting)
	res.Cells["role_new"] = cell(ChRoleNew)
	res.Cells["role_existing"] = cell(ChRoleExisting)
	return res, nil
}
