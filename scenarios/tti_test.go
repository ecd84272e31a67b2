package scenarios

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

const ttiSrc = `name: tti
start: 2026-03-02T00:00:00Z
horizon: 3d
switches: {disable_revokes_exchanged_tokens: true}
timing: {tti_access_token: 30m}
identity_source: {kind: external_idp, provisioning: {mode: none}}
accounts: [prod]
permission_sets:
  - {name: Admin, session_duration: 1h}
applications:
  - {name: reports, kind: account_access, jwt_lifetime: 30m}
  - {name: etl, kind: account_access}
groups:
  - {name: staff, assignments: [{account: prod, permission_set: Admin}]}
users:
  - {name: alice, groups: [staff]}
behaviours:
  - name: nightly
    working_days: [mon]
    act_as_user: {application: etl, per_day: 4.5, targets: [{account: prod, permission_set: Admin}]}
populations:
  - {name: ops, count: 2, behaviour: nightly, groups: [staff], devices: [{name: laptop}]}
events:
  - {at: 9h, action: act_as_user, user: alice, application: reports, account: prod, permission_set: Admin}
  - {at: 9h10m, action: offboard, user: alice, playbook: [{action: disable_user}]}
  - {at: 9h20m, action: act_as_user, user: alice, application: reports, account: prod, permission_set: Admin}
`

// TTI-1, TTI-2, TTI-4: applications of kind account_access, act_as_user, its behaviour activity,
// the switch and the timing are read, written back by Marshal, and run.
func TestAccountAccessScenario(t *testing.T) {
	t.Parallel()
	sc, err := Parse("tti.yaml", []byte(ttiSrc))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) > 0 {
		t.Errorf("warnings: %q", sc.Warnings)
	}
	apps := sc.Applications
	if apps[0].Kind != sim.AccountAccess || apps[0].JWTLifetime != 30*time.Minute || apps[1].JWTLifetime != time.Hour {
		t.Errorf("applications %+v, want jwt_lifetime 30m and the default 1h (TTI-2)", apps)
	}
	if ev := sc.Events[0]; ev.Action != sim.ActAsUser || ev.Application != "reports" || ev.Account != "prod" || ev.PermissionSet != "Admin" {
		t.Errorf("event %+v", ev)
	}
	if ob := sc.Behaviours[0].ActAsUser; ob == nil || ob.Application != "etl" || ob.PerDay != 4.5 || len(ob.Targets) != 1 {
		t.Errorf("act_as_user activity %+v", ob)
	}
	if !sc.Switches.DisableRevokesExchangedTokens || sc.Profile.TTIAccessToken != 30*time.Minute {
		t.Errorf("switch %v, tti_access_token %v", sc.Switches.DisableRevokesExchangedTokens, sc.Profile.TTIAccessToken)
	}
	roundTrip(t, sc)

	res, err := sim.Run(context.Background(), sc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 9:00 JWT to 9:30, token to 9:30 (tti_access_token 30m), Admin to 10:00. 9:10 disabled in
	// IAM Identity Center: the switch revokes the token at once (TTI-4); 9:20 refused (TTI-2).
	// app_on_behalf 0; role_existing to 10:00, 50m.
	w := res.Offboardings[0].Windows
	if w[sim.ChAppOnBehalf].Length != 0 || w[sim.ChRoleExisting].Length != 50*time.Minute {
		t.Errorf("app_on_behalf %+v, role_existing %+v; want 0 and 50m", w[sim.ChAppOnBehalf], w[sim.ChRoleExisting])
	}
}

// TTI-1: the schema describes the kind, its JWT lifetime and its requirement of an external
// IdP, the act_as_user activity, and the switch.
func TestAccountAccessSchema(t *testing.T) {
	t.Parallel()
	var s struct {
		Definitions map[string]struct {
			Properties map[string]struct {
				Description string `json:"description"`
			} `json:"properties"`
			Required []string `json:"required"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	app := s.Definitions["application"].Properties
	if d := app["kind"].Description; !strings.Contains(d, "account_access") || !strings.Contains(d, "external_idp") {
		t.Errorf("application kind: %q, want account_access and its need of external_idp", d)
	}
	if d := app["jwt_lifetime"].Description; !strings.Contains(d, "5m..24h") || !strings.Contains(d, "TTI-2") {
		t.Errorf("jwt_lifetime: %q", d)
	}
	if d := s.Definitions["behaviour"].Properties["act_as_user"].Description; !strings.Contains(d, "around the clock") {
		t.Errorf("behaviour act_as_user: %q", d)
	}
	if r := s.Definitions["on_behalf_activity"].Required; strings.Join(r, " ") != "application per_day" {
		t.Errorf("on_behalf_activity requires %q", r)
	}
	if d := s.Definitions["switches"].Properties["disable_revokes_exchanged_tokens"].Description; !strings.Contains(d, "TTI-4") || !strings.Contains(d, "Default false") {
		t.Errorf("switch: %q", d)
	}
}

// TTI-1: --profile into a profile without applications of kind account_access is refused,
// naming the profile and the application.
func TestAccountAccessProfile(t *testing.T) {
	t.Parallel()
	sc, err := Parse("tti.yaml", []byte(ttiSrc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.SetProfile("2023-09"); err == nil || !strings.Contains(err.Error(), "profile 2023-09: application reports is of kind account_access") {
		t.Errorf("SetProfile(2023-09) = %v", err)
	}
}

// A population whose behaviour has an application act as them for what they are not entitled
// to is warned about.
func TestActAsUserWarning(t *testing.T) {
	t.Parallel()
	src := strings.Replace(ttiSrc, "  - {name: ops, count: 2, behaviour: nightly, groups: [staff], devices: [{name: laptop}]}", "  - {name: ops, count: 2, behaviour: nightly, devices: [{name: laptop}]}", 1)
	sc, err := Parse("w.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "w.yaml:22:12: population ops is never entitled to account prod with Admin, which behaviour nightly has etl obtain role credentials for; those actions will be refused (TTI-1, GRP-1)"
	if got := strings.Join(sc.Warnings, "\n"); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}
