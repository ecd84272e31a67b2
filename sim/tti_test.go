package sim

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// ttiScenario is testScenario with alice's users coming from an external IdP that provisions
// nothing (so that nothing but the timeline changes her state in IAM Identity Center), and an
// application reports of kind account_access whose JWTs live jwt (0: the default, 1h).
func ttiScenario(jwt time.Duration, events ...Event) *Scenario {
	sc := testScenario(events...)
	sc.Source = IdentitySource{Kind: ExternalIdP, IdPSession: 12 * time.Hour, Provisioning: ProvisioningNone}
	sc.Applications = append(sc.Applications, Application{Name: "reports", Kind: AccountAccess, JWTLifetime: jwt})
	return sc
}

// actAs is reports acting as alice at the given time for prod with the permission set.
func actAs(at, ps string) Event {
	return e(at, ActAsUser, "app", "reports", "account", "prod", "ps", ps)
}

// spansOf returns the offboarding's spans of the given kind.
func spansOf(o *Offboarding, kind string) []Span {
	var out []Span
	for _, s := range o.Sessions {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

// TTI-1: with no portal session at all, the application exchanges a JWT for a 1h access token
// and obtains role credentials; a second call within the hour uses the same token.
func TestAppActsAsUser(t *testing.T) {
	t.Parallel()
	// 9:00 the IdP issues a JWT (the default 1h, to 10:00), exchanged for a token to 10:00, and
	// GetRoleCredentials gives prod/Admin to 10:00. 9:30 alice is disabled at the IdP. 9:45 the
	// token is still live: prod/Long (12h) to 21:45. 11:00 the token and the JWT have expired and
	// the IdP issues no new JWT (PROV-1): refused.
	// app_on_behalf: the token (and the JWT) to 10:00, 30m after the offboarding at 9:30.
	// role_existing: prod/Long to 21:45, 12h15m after it. She never had a portal session.
	res := runScenario(t, ttiScenario(0,
		actAs("9h", "Admin"),
		offboard("9h30m", act(DisableUser, "where", "idp")),
		actAs("9h45m", "Long"),
		actAs("11h", "Admin"),
	))
	o := &res.Offboardings[0]
	want(t, o.Windows, ChAppOnBehalf, "30m", false)
	want(t, o.Windows, ChRoleExisting, "12h15m", false)
	want(t, o.Windows, ChPortal, "0s", false)
	want(t, o.Windows, ChRoleNew, "0s", false)
	want(t, o.Windows, ChAny, "12h15m", false)
	if res.Counters.RefusedActions != 1 || res.Counters.SignInPrompts != 0 {
		t.Errorf("TTI-1: %d refused (want the 11:00 call), %d sign-ins (want none)", res.Counters.RefusedActions, res.Counters.SignInPrompts)
	}
	if ev := o.Windows[ChRoleExisting].Evidence; !strings.Contains(ev, "role session prod/Long that application reports obtained as the user at 0001-01-01T09:45:00Z") || !strings.Contains(ev, "TTI-1") {
		t.Errorf("TTI-1: role_existing evidence %q", ev)
	}
	// the token of 9:00 served the call of 9:45: one token, issued at 9:00
	if ts := spansOf(o, "app_token"); len(ts) != 1 || ts[0].Start != h("9h") || ts[0].End != h("10h") {
		t.Errorf("TTI-1: exchanged tokens %+v, want one from 9:00 to 10:00", ts)
	}
	if js := spansOf(o, "jwt"); len(js) != 1 || js[0].Start != h("9h") || js[0].End != h("10h") {
		t.Errorf("TTI-1: JWTs %+v, want the one of 9:00 to 10:00 (the default 1h)", js)
	}
	if rs := spansOf(o, "role"); len(rs) != 2 || !strings.HasSuffix(rs[0].Label, " via reports") {
		t.Errorf("TTI-1: role sessions %+v, want two via reports", rs)
	}
}

// TTI-2: a JWT already issued outlives a disable at the IdP and can be exchanged until it
// expires; an exchange needs the user enabled in IAM Identity Center.
func TestJWTOutlivesIdPDisable(t *testing.T) {
	t.Parallel()
	t.Run("TTI-2 disabled at the IdP", func(t *testing.T) {
		// JWT lifetime 2h: 9:00 JWT to 11:00, token to 10:00, prod/Admin (1h) to 10:00. 9:30
		// disabled at the IdP. 10:30 the token has expired, the JWT has not: exchanged for a
		// token to 11:30, prod/Admin to 11:30. 11:10 that token: prod/Admin to 12:10. 11:40 the
		// token and the JWT have expired and the IdP issues none: refused.
		// app_on_behalf: to 11:30, 2h after 9:30; role_existing: to 12:10, 2h40m after it.
		res := runScenario(t, ttiScenario(2*time.Hour,
			actAs("9h", "Admin"),
			offboard("9h30m", act(DisableUser, "where", "idp")),
			actAs("10h30m", "Admin"),
			actAs("11h10m", "Admin"),
			actAs("11h40m", "Admin"),
		))
		o := &res.Offboardings[0]
		want(t, o.Windows, ChAppOnBehalf, "2h", false)
		want(t, o.Windows, ChRoleExisting, "2h40m", false)
		if res.Counters.RefusedActions != 1 {
			t.Errorf("%d refused, want the 11:40 call", res.Counters.RefusedActions)
		}
		if ev := o.Windows[ChAppOnBehalf].Evidence; !strings.Contains(ev, "exchanged at 0001-01-01T10:30:00Z, valid to 0001-01-01T11:30:00Z") {
			t.Errorf("app_on_behalf evidence %q, want the token of 10:30", ev)
		}
	})
	t.Run("TTI-2 JWT held while the token lives", func(t *testing.T) {
		// JWT lifetime 2h, no further call: the token lives to 10:00, the JWT to 11:00 and the
		// user is still enabled in IAM Identity Center, so the application could exchange it
		// until 11:00: app_on_behalf 1h30m after 9:30; role_existing prod/Admin to 10:00, 30m.
		w := windows(t, ttiScenario(2*time.Hour, actAs("9h", "Admin"), offboard("9h30m", act(DisableUser, "where", "idp"))))
		want(t, w, ChAppOnBehalf, "1h30m", false)
		want(t, w, ChRoleExisting, "30m", false)
		if ev := w[ChAppOnBehalf].Evidence; !strings.Contains(ev, "JWT the IdP issued to application reports at 0001-01-01T09:00:00Z, valid to 0001-01-01T11:00:00Z") || !strings.Contains(ev, "TTI-2") {
			t.Errorf("app_on_behalf evidence %q", ev)
		}
	})
	t.Run("TTI-2 disabled in IAM Identity Center", func(t *testing.T) {
		// JWT lifetime 2h: 9:00 JWT to 11:00, token to 10:00. 9:30 disabled in IAM Identity
		// Center: the token lives on to 10:00 (TTI-4, switch off), the JWT can no longer be
		// exchanged. 10:30: refused. app_on_behalf and role_existing: 30m.
		res := runScenario(t, ttiScenario(2*time.Hour, actAs("9h", "Admin"), offboard("9h30m", act(DisableUser)), actAs("10h30m", "Admin")))
		want(t, res.Offboardings[0].Windows, ChAppOnBehalf, "30m", false)
		want(t, res.Offboardings[0].Windows, ChRoleExisting, "30m", false)
		if res.Counters.RefusedActions != 1 {
			t.Errorf("%d refused, want the 10:30 call", res.Counters.RefusedActions)
		}
	})
	t.Run("TTI-2 not entitled", func(t *testing.T) {
		// bob is entitled to prod/Admin through platform only: the token is exchanged, and
		// GetRoleCredentials for prod/Long is refused (GRP-1)
		res := runScenario(t, ttiScenario(0, e("9h", ActAsUser, "user", "bob", "app", "reports", "account", "prod", "ps", "Long"), offboard("9h30m")))
		if res.Counters.RefusedActions != 1 {
			t.Errorf("%d refused, want 1", res.Counters.RefusedActions)
		}
	})
}

// TTI-3: sign-out, the admin's end session and the portal duration do not touch the path; a
// deny policy blocks the role sessions it yields.
func TestOnBehalfIgnoresSessions(t *testing.T) {
	t.Parallel()
	events := func(steps ...Event) []Event {
		return []Event{
			e("8h", SignIn, "device", "laptop"), // the portal session (1h below) ends at 9:00
			actAs("9h", "Long"),                 // prod/Long to 21:00
			e("9h10m", SignOut, "device", "laptop"),
			offboard("9h30m", steps...),
			actAs("12h", "Long"), // prod/Long to 24:00
		}
	}
	t.Run("TTI-3 end_sessions", func(t *testing.T) {
		// The user stays enabled at the IdP and in IAM Identity Center: the IdP issues JWTs at
		// will, and the channel is open to the horizon (10d - 9h30m). The call of 12:00 gets
		// prod/Long to 24:00: role_existing 14h30m after 9:30.
		sc := ttiScenario(0, events(act(EndSessions))...)
		sc.Settings.PortalSession = time.Hour
		res := runScenario(t, sc)
		w := res.Offboardings[0].Windows
		want(t, w, ChAppOnBehalf, "9d14h30m", true)
		want(t, w, ChRoleExisting, "14h30m", false)
		want(t, w, ChPortal, "0s", false)
		if res.Counters.RefusedActions != 0 {
			t.Errorf("%d refused, want none", res.Counters.RefusedActions)
		}
	})
	t.Run("TTI-3 CUT-1 deny", func(t *testing.T) {
		// the deny takes effect 1ns after 9:30 and blocks prod/Long of 9:00 and of 12:00 alike
		sc := ttiScenario(0, events(act(DenyUser))...)
		sc.Profile.DenyPropagation = time.Nanosecond
		w := windows(t, sc)
		want(t, w, ChAppOnBehalf, "1ns", false)
		want(t, w, ChRoleExisting, "1ns", false)
		if ev := w[ChAppOnBehalf].Evidence; !strings.Contains(ev, "CUT-1, TTI-3") {
			t.Errorf("app_on_behalf evidence %q, want the deny", ev)
		}
	})
}

// TTI-4: whether a disable or delete in IAM Identity Center revokes the tokens already exchanged
// is the switch disable_revokes_exchanged_tokens, off by default.
func TestExchangedTokensAndDisable(t *testing.T) {
	t.Parallel()
	// 9:00 JWT and token to 10:00, prod/Admin to 10:00. 9:30 disabled at the IdP and then in
	// IAM Identity Center (or deleted). 9:45 prod/Long with the token, if it still lives.
	for _, c := range []struct {
		name            string
		revoke          bool
		step            Action
		onBehalf, roles string
	}{
		// the token lives to 10:00: 30m; prod/Long of 9:45 to 21:45: 12h15m
		{"TTI-4 switch off, disable", false, DisableUser, "30m", "12h15m"},
		{"TTI-4 switch off, delete", false, DeleteUser, "30m", "12h15m"},
		// revoked at 9:30: 0; the 9:45 call is refused; prod/Admin of 9:00 to 10:00: 30m
		{"TTI-4 switch on, disable", true, DisableUser, "0s", "30m"},
		{"TTI-4 switch on, delete", true, DeleteUser, "0s", "30m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := ttiScenario(0, actAs("9h", "Admin"), offboard("9h30m", act(DisableUser, "where", "idp"), act(c.step)), actAs("9h45m", "Long"))
			sc.Switches.DisableRevokesExchangedTokens = c.revoke
			res := runScenario(t, sc)
			o := &res.Offboardings[0]
			want(t, o.Windows, ChAppOnBehalf, c.onBehalf, false)
			want(t, o.Windows, ChRoleExisting, c.roles, false)
			if c.revoke {
				if ts := spansOf(o, "app_token"); len(ts) != 1 || ts[0].End != h("9h30m") {
					t.Errorf("exchanged tokens %+v, want one revoked at 9:30", ts)
				}
			} else if ev := o.Windows[ChAppOnBehalf].Evidence; !strings.Contains(ev, "valid to 0001-01-01T10:00:00Z: disabling or deleting the user in IAM Identity Center does not revoke it (TTI-4)") {
				t.Errorf("app_on_behalf evidence %q", ev)
			}
		})
	}
}

// TTI-1: applications of kind account_access exist only in profile current and only with an
// external IdP; the engine refuses them elsewhere, and so does SetProfile.
func TestAccountAccessRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"2023-09", "2023-07", "2022-10"} {
		sc := ttiScenario(0, offboard("1h"))
		if err := sc.SetProfile(name); err == nil || !strings.Contains(err.Error(), "profile "+name) || !strings.Contains(err.Error(), "account_access") {
			t.Errorf("SetProfile(%s) = %v, want a refusal naming the profile", name, err)
		}
		if sc.Profile.Name != "current" {
			t.Errorf("SetProfile(%s) changed the profile on an error", name)
		}
		sc.Profile, _ = LookupProfile(name)
		if _, err := Run(context.Background(), sc, Options{}); err == nil || !strings.Contains(err.Error(), "profile "+name) {
			t.Errorf("profile %s: Run = %v, want a refusal naming it", name, err)
		}
	}
	sc := ttiScenario(0, offboard("1h"))
	sc.Source = IdentitySource{}
	if _, err := Run(context.Background(), sc, Options{}); err == nil || !strings.Contains(err.Error(), "external_idp") {
		t.Errorf("identity_center source: Run = %v, want a refusal", err)
	}
	sc = ttiScenario(time.Minute, offboard("1h"))
	if _, err := Run(context.Background(), sc, Options{}); err == nil || !strings.Contains(err.Error(), "jwt_lifetime") {
		t.Errorf("jwt_lifetime 1m: Run = %v, want a refusal", err)
	}
	sc = ttiScenario(0, e("1h", ActAsUser, "app", "q", "account", "prod", "ps", "Admin"), offboard("1h"))
	if _, err := Run(context.Background(), sc, Options{}); err == nil || !strings.Contains(err.Error(), "not account_access") {
		t.Errorf("act_as_user of an aws_managed application: Run = %v, want a refusal", err)
	}
}

// TTI-1: a behaviour's application acts as its people around the clock, weekends and nights
// included, the same under any number of workers.
func TestActAsUserActivity(t *testing.T) {
	t.Parallel()
	sc := orgScenario(3, 7, 0)
	sc.Source = IdentitySource{Kind: ExternalIdP, IdPSession: 12 * time.Hour, Provisioning: ProvisioningNone}
	sc.Applications = append(sc.Applications, Application{Name: "reports", Kind: AccountAccess})
	sc.Behaviours[0].ActAsUser = &OnBehalf{Application: "reports",
		Activity: Activity{PerDay: 24, Targets: []Assignment{{Account: "prod", PermissionSet: "Long"}}}}
	// offboarded at the start with no playbook, so that every session of theirs is kept
	sc.Offboardings = []OffboardingPlan{{Count: 3, From: 0, To: 0, Population: "eng", PlaybookName: "none"}}
	sc.Replications = 2
	a, err := Run(context.Background(), sc, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), sc, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("results differ between 1 and 2 workers")
	}
	for _, o := range a.Offboardings {
		var calls, offHours int
		for _, s := range spansOf(&o, "role") {
			if !strings.HasSuffix(s.Label, " via reports") {
				continue
			}
			calls++
			at := sc.Start.Add(s.Start).In(sc.Behaviours[0].Location)
			if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday || at.Hour() < 9 || at.Hour() >= 17 {
				offHours++
			}
		}
		// 24 a day for 7 days: 168 on average (a Poisson count, standard deviation 13); the
		// working hours are 40 of the week's 168 hours, so about 128 fall outside them
		if calls < 110 || calls > 230 || offHours < 70 {
			t.Errorf("%s: %d calls, %d outside working hours; want about 168 and 128", o.User, calls, offHours)
		}
		if w := o.Windows[ChAppOnBehalf]; !w.Open {
			t.Errorf("%s: app_on_behalf %+v, want open: nothing stops the IdP", o.User, w)
		}
	}
}

// The estimate of a run counts an application acting as people around the clock (TTI-1).
func TestEstimateActAsUser(t *testing.T) {
	t.Parallel()
	sc := orgScenario(3, 7, 0)
	base := Estimate(sc, nil, Options{Workers: 1}).Events
	sc.Behaviours[0].ActAsUser = &OnBehalf{Application: "reports", Activity: Activity{PerDay: 24}}
	// 3 people × 24 a day × 7 days, every day of the week, at eventsPerActivity (1.1) each
	if got, want := Estimate(sc, nil, Options{Workers: 1}).Events-base, 3*24*7*1.1; math.Abs(got-want) > 1e-6 {
		t.Errorf("act_as_user adds %v events to the estimate, want %v", got, want)
	}
}
