package scenarios_test

import (
	"fmt"

	"idcsim/scenarios"
	"idcsim/sim"
)

func ExampleParse() {
	src := `name: one offboarding
horizon: 2d
users:
  - name: alice
    devices: [{name: laptop, kind: browser}]
events:
  - {at: 9h, action: sign_in, user: alice, device: laptop}
  - {at: 1d9h, action: offboard, user: alice, playbook: aws-recommended}
`
	sc, err := scenarios.Parse("one.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, sc.Profile.Name, sim.FormatDuration(sc.Horizon))
	for _, e := range sc.Events {
		fmt.Println(sim.FormatDuration(e.At), e.Action, e.User)
	}

	_, err = scenarios.Parse("bad.yaml", []byte("events:\n  - {at: 1h, action: sign_on, user: alice}\n"))
	fmt.Println(err)
	// Output:
	// one offboarding current 2d
	// 9h sign_in alice
	// 1d9h offboard alice
	// bad.yaml:2:22: unknown action "sign_on"; did you mean "sign_in"?
}
