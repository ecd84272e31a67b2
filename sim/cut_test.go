package sim

import (
	"strings"
	"testing"
	"time"
)

// CUT-1: a deny-all policy keyed on the user blocks live and new role sessions once propagated
// (uniform in (0, 5m]); removing it lets the remaining ones act again.
func TestDenyPolicy(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
		offboard("2h", act(DenyUser)),
	)
	sc.Replications = 300
	res := runScenario(t, sc)
	var worst time.Duration
	for _, o := range res.Offboardings {
		l := o.Windows[ChRoleExisting].Length
		if l <= 0 || l > 5*time.Minute {
			t.Fatalf("CUT-1: role session cut %v after the deny, want within (0, 5m]", l)
		}
		if o.Windows[ChRoleNew].Length != l {
			t.Errorf("CUT-1: role_new %v, role_existing %v: the deny blocks both", o.Windows[ChRoleNew].Length, l)
		}
		worst = max(worst, l)
		// the evidence says the deny cut the session, at the offboarding plus the propagation
		cut := sc.Start.Add(o.At + l).UTC().Format("2006-01-02T15:04:05Z")
		if ev := o.Windows[ChRoleExisting].Evidence; !strings.Contains(ev, "cut at "+cut+" by the deny policy on the user (CUT-1)") {
			t.Fatalf("CUT-1 evidence %q, want the cut at %s", ev, cut)
		}
	}
	if worst < 4*time.Minute+30*time.Second { // 300 uniform draws: the largest passes 4m30s with probability 1 - 0.9^300
		t.Errorf("CUT-1: worst propagation %v, want close to 5m", worst)
	}
	t.Run("CUT-1 allow before expiry", func(t *testing.T) {
		sc := testScenario(
			e("0s", SignIn, "device", "laptop"),
			e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
			offboard("2h", act(DenyUser)),
			e("3h", AllowUser),
		)
		sc.Profile.DenyPropagation = time.Nanosecond // make propagation immediate for exact figures
		want(t, windows(t, sc), ChRoleExisting, "11h", false)
	})
}

// CUT-2: a TokenIssueTime deny on a permission set kills every session of it issued before the
// cut-off, whoever holds it; the other users' are collateral. Later sessions are untouched.
func TestRevokeRoleSessions(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("0s", SignIn, "user", "bob", "device", "laptop"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Admin"),
		e("1h", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
		e("1h", Federate, "user", "bob", "device", "laptop", "account", "prod", "ps", "Admin"),
		offboard("1h30m", act(RevokeRoleSessions, "ps", "Admin"), act(RevokeRoleSessions, "ps", "Long"), act(DisableUser)),
		e("1h40m", Federate, "user", "bob", "device", "laptop", "account", "prod", "ps", "Admin"),
	)
	sc.Profile.DenyPropagation = time.Nanosecond
	res := runScenario(t, sc)
	want(t, res.Offboardings[0].Windows, ChRoleExisting, "1ns", false)
	if res.Counters.CollateralRoleSessions != 1 {
		t.Errorf("CUT-2: %d collateral sessions, want bob's 1", res.Counters.CollateralRoleSessions)
	}
	if res.Counters.Federations != 4 {
		t.Errorf("CUT-2: bob could not federate again after the cut-off")
	}
}

// CUT-3: removing all assignments stops new role and app sessions: direct ones at once, group
// ones when the membership view follows (GRP-1).
func TestRemoveAllAssignments(t *testing.T) {
	t.Parallel()
	sc := testScenario(
		e("0s", SignIn, "device", "laptop"),
		offboard("1h", act(RemoveAssignments)),
	)
	w := windows(t, sc)
	want(t, w, ChAppNew, "0s", false)
	want(t, w, ChRoleNew, "0s", false)
	want(t, w, ChPortal, "7h", false)
	sc = testScenario(
		e("0s", SignIn, "user", "bob", "device", "laptop"),
		e("1h", Offboard, "user", "bob", "playbook"),
	)
	sc.Events[1].Playbook = []Step{{Event: Event{Action: RemoveAssignments, User: "bob"}}}
	sc.Replications = 100
	for _, o := range runScenario(t, sc).Offboardings {
		if l := o.Windows[ChRoleNew].Length; l <= 0 || l > time.Hour {
			t.Errorf("CUT-3: bob's group assignments stopped new role sessions after %v, want within (0, 1h]", l)
		}
	}
}

// CUT-4: the documented order (deny; remove assignments; disable at the IdP; end sessions; disable
// in IAM Identity Center; after 12 hours remove the deny) leaves only the SAML session and the
// minutes the deny takes to propagate.
func TestRecommendedOrder(t *testing.T) {
	t.Parallel()
	sc := externalIdP(testScenario(
		e("0s", SignIn, "device", "laptop"),
		e("10m", OpenApp, "device", "laptop", "app", "q"),
		e("20m", OpenApp, "device", "laptop", "app", "wiki"),
		e("30m", Federate, "device", "laptop", "account", "prod", "ps", "Long"),
		e("40m", CLILogin, "device", "term"),
		e("40m", StartCLIWorkload, "device", "term", "account", "prod", "ps", "Long"),
		Event{At: h("1h"), Action: Offboard, User: "alice", PlaybookName: "aws-recommended", Playbook: []Step{
			{Event: Event{Action: DenyUser}},
			{After: time.Minute, Event: Event{Action: RemoveAssignments}},
			{After: time.Minute, Event: Event{Action: DisableUser, Where: AtIdP}},
			{After: time.Minute, Event: Event{Action: EndSessions}},
			{After: time.Minute, Event: Event{Action: DisableUser}},
			{After: 12 * time.Hour, Event: Event{Action: AllowUser}},
		}},
	), 12*time.Hour, true)
	sc.Source.Provisioning = ProvisioningPeriodic
	sc.Source.ProvisioningInterval = 40 * time.Minute
	for i := range sc.Events[6].Playbook {
		sc.Events[6].Playbook[i].Event.User = "alice"
	}
	sc.Replications = 50
	for _, o := range runScenario(t, sc).Offboardings {
		w := o.Windows
		if l := w[ChRoleExisting].Length; l > 5*time.Minute {
			t.Errorf("CUT-4: role sessions lasted %v, want at most the deny's propagation", l)
		}
		want(t, w, ChSignIn, "2m", false)               // the IdP refuses from the third step
		if l := w[ChPortal].Length; l > 3*time.Minute { // end session at the fourth, or provisioning before
			t.Errorf("CUT-4: portal session lasted %v, want at most 3m", l)
		}
		want(t, w, ChSAMLApp, "23h20m", false) // nothing ends it (SAML-2)
		if w[ChAppExisting].Length > 33*time.Minute {
			t.Errorf("CUT-4: app session lasted %v, want within 30m of the end session", w[ChAppExisting].Length)
		}
	}
}
