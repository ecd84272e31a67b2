package sim_test

import (
	"context"
	"fmt"
	"time"

	"idcsim/sim"
)

// A user with a 12-hour permission set signs in at 9:00, federates into an account at 10:00 and is
// disabled at 11:00: sign-in is refused at once, the portal session runs on to its end at 17:00
// (UIS-5, the default reading), the role session to its expiry at 22:00 (ROLE-3).
func ExampleRun() {
	profile, _ := sim.LookupProfile("current")
	sc := &sim.Scenario{
		Name:           "one leaver",
		Horizon:        48 * time.Hour,
		Seed:           1,
		Replications:   1,
		Profile:        profile,
		Switches:       sim.DefaultSwitches(),
		Accounts:       []string{"prod"},
		PermissionSets: []sim.PermissionSet{{Name: "Admin", SessionDuration: 12 * time.Hour}},
		Users: []sim.User{{Name: "ann", Assignments: []sim.Assignment{{Account: "prod", PermissionSet: "Admin"}},
			Devices: []sim.Device{{Name: "laptop", Kind: sim.Browser}}}},
		Events: []sim.Event{
			{At: 9 * time.Hour, Action: sim.SignIn, User: "ann", Device: "laptop"},
			{At: 10 * time.Hour, Action: sim.Federate, User: "ann", Device: "laptop", Account: "prod", PermissionSet: "Admin"},
			{At: 11 * time.Hour, Action: sim.Offboard, User: "ann", PlaybookName: "disable",
				Playbook: []sim.Step{{Event: sim.Event{Action: sim.DisableUser}}}},
		},
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range []sim.Channel{sim.ChPortal, sim.ChSignIn, sim.ChRoleExisting} {
		w := res.Offboardings[0].Windows[c]
		fmt.Printf("%-13s %s\n", c, sim.FormatDuration(w.Length))
	}
	// Output:
	// portal        6h
	// sign_in       0s
	// role_existing 11h
}
