package sim

import (
	"testing"
	"time"
)

// GRP-1, GRP-2: a membership change reaches entitlement decisions after a delay uniform in (0, 60m];
// new sessions (and the portal's and CLI's lists) follow within the hour, existing application
// sessions within two.
func TestMembershipView(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "user", "bob", "device", "laptop"),
		e("5m", OpenApp, "user", "bob", "device", "laptop", "app", "q"),
		e("1h", Offboard, "user", "bob"),
		e("1h", RemoveFromGroup, "user", "bob", "group", "platform"),
	)
	sc.Replications = 400
	res := runScenario(t, sc)
	var maxNew, minNew, maxExisting time.Duration = 0, time.Hour, 0
	for _, o := range res.Offboardings {
		n, x := o.Windows[ChAppNew].Length, o.Windows[ChAppExisting].Length
		if r := o.Windows[ChRoleNew].Length; r != n {
			t.Errorf("GRP-2: role_new %v differs from app_new %v: the lists must change together", r, n)
		}
		maxNew, minNew, maxExisting = max(maxNew, n), min(minNew, n), max(maxExisting, x)
		if x < n || x > n+time.Hour {
			t.Errorf("APP-3: existing app session ended %v after the change, want within an hour of the view's %v", x, n)
		}
	}
	// 400 draws uniform in (0, 60m]: the largest is above 55m with probability 1 - (11/12)^400.
	if minNew <= 0 || maxNew > time.Hour || maxNew < 55*time.Minute {
		t.Errorf("GRP-1: membership delays in [%v, %v], want within (0, 60m] and reaching past 55m", minNew, maxNew)
	}
	// The session's renewals fall at 1h5m and 2h5m: the view's change lands before one of them.
	if maxExisting != 65*time.Minute {
		t.Errorf("GRP-1, APP-3: existing app sessions gone within %v, want 1h5m at worst", maxExisting)
	}
	t.Run("GRP-1 direct assignments are seen at once", func(t *testing.T) {
		w := windows(t, testScenario(
			e("0s", SignIn, "device", "laptop"),
			offboard("1h", act(RemoveAssignment, "app", "q"), act(RemoveAssignment, "app", "wiki"),
				act(RemoveAssignment, "account", "prod", "ps", "Admin"), act(RemoveAssignment, "account", "prod", "ps", "Long")),
		))
		want(t, w, ChAppNew, "0s", false)
		want(t, w, ChRoleNew, "0s", false)
	})
}
