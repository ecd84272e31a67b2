package scenarios

import (
	"context"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

// runExample parses a built-in example, lets change adjust it, and runs it.
func runExample(t *testing.T, name string, change func(*sim.Scenario)) *sim.Results {
	t.Helper()
	sc, err := Load("example:" + name)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(sc)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{})
	if err != nil {
		t.Fatalf("example %s: %v", name, err)
	}
	if len(res.Offboardings) == 0 {
		t.Fatalf("example %s measured no offboarding", name)
	}
	return res
}

// of returns the offboardings of the named user.
func of(res *sim.Results, user string) []sim.Offboarding {
	var out []sim.Offboarding
	for _, o := range res.Offboardings {
		if o.User == user {
			out = append(out, o)
		}
	}
	return out
}

// worst returns the longest window of a channel over some offboardings, and how many were open.
func worst(offs []sim.Offboarding, ch sim.Channel) (time.Duration, int) {
	var longest time.Duration
	open := 0
	for _, o := range offs {
		w := o.Windows[ch]
		longest = max(longest, w.Length)
		if w.Open {
			open++
		}
	}
	return longest, open
}

func hasNote(o sim.Offboarding, prefix string) bool {
	for _, n := range o.Notes {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// TestExampleIdPFirst: the same offboarding at an external IdP with periodic SCIM, IdP first and
// IAM Identity Center first.
func TestExampleIdPFirst(t *testing.T) {
	t.Parallel()
	idp := runExample(t, "idp-first", nil)
	idc := runExample(t, "idc-first", nil)
	t.Run("PROV-1 idp-first", func(t *testing.T) {
		offs := of(idp, "mallory")
		if len(offs) != 20 {
			t.Fatalf("%d offboardings, want one per replication", len(offs))
		}
		for _, o := range offs {
			if w := o.Windows[sim.ChSignIn]; w.Length != 0 || w.Open || hasNote(o, "PROV-3") {
				t.Errorf("replication %d: sign_in %+v, notes %q", o.Replication, w, o.Notes)
			}
			if any := o.Windows[sim.ChAny]; any.Open || any.Length > 30*time.Minute {
				t.Errorf("replication %d: any %+v", o.Replication, any)
			}
		}
	})
	t.Run("PROV-3 idc-first", func(t *testing.T) {
		offs := of(idc, "mallory")
		if len(offs) != 20 {
			t.Fatalf("%d offboardings, want one per replication", len(offs))
		}
		for _, o := range offs {
			if w := o.Windows[sim.ChSignIn]; !w.Open || w.Length != 37*time.Hour {
				t.Errorf("replication %d: sign_in %+v, want open at the horizon", o.Replication, w)
			}
			if !hasNote(o, "PROV-3") {
				t.Errorf("replication %d: no PROV-3 note: %q", o.Replication, o.Notes)
			}
			// UIS-6, UIS-7: she signs in again silently at 13:00, capped by her IdP session at 21:00.
			if w := o.Windows[sim.ChPortal]; w.Length != 10*time.Hour || w.Open {
				t.Errorf("replication %d: portal %+v, want 10h", o.Replication, w)
			}
		}
		if idc.Counters.SilentSignIns == 0 {
			t.Error("UIS-7: the sign-in after the provisioning run was not silent")
		}
	})
}

// TestExampleDenyPolicy: the same offboarding with and without the deny policy.
func TestExampleDenyPolicy(t *testing.T) {
	t.Parallel()
	t.Run("CUT-1 deny-policy", func(t *testing.T) {
		max, open := worst(of(runExample(t, "deny-policy", nil), "peggy"), sim.ChRoleExisting)
		if max > 5*time.Minute || max == 0 || open > 0 {
			t.Errorf("role_existing max %v (%d open), want within the 5-minute propagation", max, open)
		}
	})
	t.Run("ROLE-3 no-deny-policy", func(t *testing.T) {
		offs := of(runExample(t, "no-deny-policy", nil), "peggy")
		for _, o := range offs {
			// the CLI's credentials, minted at 09:12 for 12 hours, work until 21:12
			if w := o.Windows[sim.ChRoleExisting]; w.Length != 10*time.Hour+12*time.Minute {
				t.Errorf("replication %d: role_existing %+v, want 10h12m", o.Replication, w)
			}
		}
		if max, _ := worst(offs, sim.ChRoleExisting); max < time.Hour {
			t.Errorf("role_existing max %v, want at least 1h", max)
		}
	})
}

// TestExampleDataScience: long jobs outlive the documented offboarding under their background
// sessions, unless the playbook ends them.
func TestExampleDataScience(t *testing.T) {
	t.Parallel()
	res := runExample(t, "data-science", nil)
	t.Run("BG-2", func(t *testing.T) {
		for _, o := range of(res, "quinn") {
			// the 5-day job started at 1d9h30m finishes at 6d9h30m, 4d18h30m after the offboarding
			if w := o.Windows[sim.ChBackground]; w.Length != 4*day+18*time.Hour+30*time.Minute || w.Open {
				t.Errorf("replication %d: background %+v", o.Replication, w)
			}
		}
		var recommended []sim.Offboarding
		for _, o := range res.Offboardings {
			if o.Playbook == builtinPlaybook {
				recommended = append(recommended, o)
			}
		}
		if max, _ := worst(recommended, sim.ChBackground); max <= day {
			t.Errorf("background max %v under aws-recommended, want more than 1d", max)
		}
	})
	t.Run("BG-3", func(t *testing.T) {
		n := 0
		for _, o := range res.Offboardings {
			if o.Playbook != "recommended-and-jobs" {
				continue
			}
			n++
			// end_background_session at 2m; the job fails at its next 15-minute check
			if w := o.Windows[sim.ChBackground]; w.Length > 17*time.Minute || w.Open {
				t.Errorf("%s in replication %d: background %+v", o.User, o.Replication, w)
			}
		}
		if n != 20 {
			t.Errorf("%d offboardings with recommended-and-jobs, want 2 in each of 10 replications", n)
		}
	})
}

// TestExampleActiveDirectory: the ticket lifetime caps the portal session; a disable in the
// directory stops sign-ins at once and reaches IAM Identity Center with the AD sync.
func TestExampleActiveDirectory(t *testing.T) {
	t.Parallel()
	res := runExample(t, "active-directory", nil)
	t.Run("UIS-8", func(t *testing.T) {
		if max, open := worst(res.Offboardings, sim.ChPortal); max > 10*time.Hour || open > 0 {
			t.Errorf("portal max %v (%d open), want within the 10h ticket", max, open)
		}
		for _, o := range of(res, "ivan") {
			// signed in at 09:00 for 7d, capped at 19:00; the stolen laptop is reported at noon
			if w := o.Windows[sim.ChPortal]; w.Length != 7*time.Hour {
				t.Errorf("replication %d: portal %+v, want 7h", o.Replication, w)
			}
		}
	})
	t.Run("PROV-4", func(t *testing.T) {
		offs := of(res, "judy")
		if max, _ := worst(offs, sim.ChSignIn); max != 0 {
			t.Errorf("sign_in max %v after a disable in the directory, want 0", max)
		}
		// UIS-5, UIS-8: the sync's disable leaves her portal session running to the ticket's
		// end, 10h after her 09:00 sign-in: 7h after the 12:00 offboarding.
		for _, o := range offs {
			if w := o.Windows[sim.ChPortal]; w.Length != 7*time.Hour {
				t.Errorf("replication %d: portal %+v, want 7h", o.Replication, w)
			}
		}
		for _, o := range of(res, "oscar") {
			if hasNote(o, "PROV-3") || o.Windows[sim.ChSignIn].Length > 2*time.Minute {
				t.Errorf("replication %d: aws-recommended with AD: sign_in %+v, notes %q", o.Replication, o.Windows[sim.ChSignIn], o.Notes)
			}
		}
	})
	t.Run("SAML-2", func(t *testing.T) {
		if max, _ := worst(of(res, "judy"), sim.ChSAMLApp); max != 5*time.Hour+5*time.Minute {
			t.Errorf("saml_app max %v, want the CRM's own 8h session: 5h05m", max)
		}
	})
}

// TestExampleKiroTeam: Kiro sessions outlive the documented offboarding by weeks, unless the
// switch says that user actions end them.
func TestExampleKiroTeam(t *testing.T) {
	t.Parallel()
	t.Run("KIRO-1", func(t *testing.T) {
		res := runExample(t, "kiro-team", nil)
		for _, o := range of(res, "rupert") {
			if w := o.Windows[sim.ChKiro]; w.Length < 30*day || !w.Open {
				t.Errorf("replication %d: kiro %+v, want open at the horizon, beyond 30d", o.Replication, w)
			}
		}
		if res.Counters.KiroLogins == 0 {
			t.Error("no Kiro logins")
		}
	})
	t.Run("KIRO-3", func(t *testing.T) {
		res := runExample(t, "kiro-team", func(sc *sim.Scenario) { sc.Switches.UserActionsEndKiroSessions = true })
		// aws-recommended ends the user's sessions 2 minutes in, and with them the Kiro sessions
		if longest, open := worst(res.Offboardings, sim.ChKiro); longest != 2*time.Minute || open != 0 {
			t.Errorf("kiro max %v (%d open) with user_actions_end_kiro_sessions, want 2m", longest, open)
		}
	})
}

// TestExampleDefault: the company of the default scenario.
func TestExampleDefault(t *testing.T) {
	t.Parallel()
	sc, err := Load("example:default")
	if err != nil {
		t.Fatal(err)
	}
	people := len(sc.Users)
	for _, p := range sc.Populations {
		people += p.Count
	}
	if people < 200 || people > 500 || len(sc.Populations) < 3 || sc.Horizon != 30*day || sc.Replications != 20 {
		t.Errorf("%d people, %d populations, horizon %v, %d replications", people, len(sc.Populations), sc.Horizon, sc.Replications)
	}
	res := runExample(t, "default", nil)
	if len(res.Offboardings) != 20*(7+2) {
		t.Errorf("%d offboardings, want 9 in each of 20 replications", len(res.Offboardings))
	}
	for ch := sim.Channel(0); ch < sim.NumChannels; ch++ {
		if _, open := worst(res.Offboardings, ch); open > 0 {
			t.Errorf("%s: %d windows open at the horizon", ch, open)
		}
	}
	// OFF-1 and OFF-2 hold; a control on any within 1h would fail (SAML-2).
	if max, _ := worst(res.Offboardings, sim.ChAny); max <= time.Hour {
		t.Errorf("any max %v: a control of 1h on any would hold", max)
	}
	// CUT-1: the deny policy, the first step of aws-recommended, propagates within 5m.
	if max, _ := worst(res.Offboardings, sim.ChRoleExisting); max > 5*time.Minute {
		t.Errorf("role_existing max %v: OFF-1 would fail", max)
	}
	if max, _ := worst(res.Offboardings, sim.ChSignIn); max > 5*time.Minute {
		t.Errorf("sign_in max %v: OFF-2 would fail", max)
	}
	t.Run("SAML-2", func(t *testing.T) {
		for _, o := range of(res, "erin") {
			if w := o.Windows[sim.ChSAMLApp]; w.Length != 23*time.Hour+5*time.Minute {
				t.Errorf("replication %d: saml_app %+v", o.Replication, w)
			}
		}
	})
	t.Run("CLI-3", func(t *testing.T) {
		// grace's legacy 8h token (CLI-4) is revoked an hour after end_sessions, the playbook's
		// fourth step, 3m after the offboarding: 1h03m
		for _, o := range of(res, "grace") {
			if w := o.Windows[sim.ChCLIToken]; w.Length != time.Hour+3*time.Minute {
				t.Errorf("replication %d: cli_token %+v", o.Replication, w)
			}
		}
	})
	t.Run("UIS-5", func(t *testing.T) {
		// The idp-only playbook: sign-in stops at once (PROV-1) and SCIM disables the user a
		// minute later, but the live portal sessions of office staff go on to their end, up to
		// 8h (UIS-5, the default reading); the documented order ends them (UIS-4).
		var idpOnly, recommended []sim.Offboarding
		for _, o := range res.Offboardings {
			switch o.Playbook {
			case "idp-only":
				idpOnly = append(idpOnly, o)
			case "aws-recommended":
				recommended = append(recommended, o)
			}
		}
		if max, _ := worst(idpOnly, sim.ChPortal); max < time.Hour || max > 8*time.Hour {
			t.Errorf("portal max %v under idp-only, want over an hour and within the 8h portal session", max)
		}
		if max, _ := worst(recommended, sim.ChPortal); max > 10*time.Minute {
			t.Errorf("portal max %v under aws-recommended, want the few minutes before its end_sessions step", max)
		}
	})
	t.Run("UIS-5 SRE idp-only", func(t *testing.T) {
		// What the scenario's comment says of the idp-only playbook for SREs: after the SCIM
		// disable their live portal session goes on (UIS-5), the pipeline keeps minting 12h
		// Operator credentials through it (ROLE-5), so role sessions outlive the offboarding by
		// more than 12h: over 12h of credentials minted after it.
		alt := runExample(t, "default", func(sc *sim.Scenario) {
			sc.Offboardings[1].PlaybookName = sc.Offboardings[3].PlaybookName
			sc.Offboardings[1].Playbook = sc.Offboardings[3].Playbook
		})
		var sre []sim.Offboarding
		for _, o := range alt.Offboardings {
			if strings.HasPrefix(o.User, "sre-") {
				sre = append(sre, o)
			}
		}
		if max, _ := worst(sre, sim.ChRoleExisting); max <= 12*time.Hour {
			t.Errorf("role_existing max %v for SREs offboarded idp-only, want over 12h", max)
		}
	})
	if res.Counters.JobsStarted == 0 || res.Counters.KiroLogins == 0 || res.Counters.CLILogins == 0 || res.Counters.SilentSignIns == 0 {
		t.Errorf("counters %+v", res.Counters)
	}
}

// TestExamplesRun runs the other examples; org-100k with one replication over three days.
func TestExamplesRun(t *testing.T) {
	t.Parallel()
	for _, e := range Examples() {
		switch e.Name {
		case "quickstart", "spec-example":
			t.Run(e.Name, func(t *testing.T) { runExample(t, e.Name, nil) })
		case "org-100k":
			t.Run(e.Name, func(t *testing.T) {
				if testing.Short() {
					t.Skip("100,000 people")
				}
				res := runExample(t, e.Name, func(sc *sim.Scenario) {
					sc.Replications = 1
					sc.Horizon = 3 * day
					for i := range sc.Offboardings {
						sc.Offboardings[i].From, sc.Offboardings[i].To = day, 2*day
					}
				})
				people := 0
				for _, p := range res.Scenario.Populations {
					people += p.Count
				}
				if people != 100000 || len(res.Offboardings) != 50 {
					t.Errorf("%d people, %d offboardings", people, len(res.Offboardings))
				}
			})
		}
	}
}

// TestExampleAppOnBehalf: an application with AWS account access outlives the usual offboarding
// by hours, and the deny policy with the IdP first stops it within the deny's propagation.
func TestExampleAppOnBehalf(t *testing.T) {
	t.Parallel()
	t.Run("TTI-3 app-on-behalf", func(t *testing.T) {
		res := runExample(t, "app-on-behalf", nil)
		for _, o := range of(res, "nina") {
			// end_sessions at 11:00 and the disable at 11:01 leave the token of 10:30 to 11:30
			// (TTI-4), and with it the role session of 11:20 to 23:20 (ROLE-3)
			if w := o.Windows[sim.ChAppOnBehalf]; w.Length != 30*time.Minute || w.Open {
				t.Errorf("replication %d: app_on_behalf %+v, want 30m", o.Replication, w)
			}
			if w := o.Windows[sim.ChRoleExisting]; w.Length != 12*time.Hour+20*time.Minute || w.Open {
				t.Errorf("replication %d: role_existing %+v, want 12h20m", o.Replication, w)
			}
		}
		var analysts []sim.Offboarding
		for _, o := range res.Offboardings {
			if o.User != "nina" {
				analysts = append(analysts, o)
			}
		}
		if len(analysts) != 40 {
			t.Fatalf("%d analysts offboarded, want 2 in each of 20 replications", len(analysts))
		}
		// the last token exchanged before the disable at +1m lives an hour: under 1h01m; a
		// 12h role session minted with it ends under 13h01m, and some are minted after the
		// offboarding
		if max, open := worst(analysts, sim.ChAppOnBehalf); max >= time.Hour+time.Minute || open > 0 {
			t.Errorf("app_on_behalf max %v (%d open), want under 1h01m", max, open)
		}
		if max, open := worst(analysts, sim.ChRoleExisting); max >= 13*time.Hour+time.Minute || max <= 12*time.Hour || open > 0 {
			t.Errorf("role_existing max %v (%d open), want over 12h and under 13h01m", max, open)
		}
	})
	t.Run("TTI-4 app-on-behalf", func(t *testing.T) {
		res := runExample(t, "app-on-behalf", func(sc *sim.Scenario) { sc.Switches.DisableRevokesExchangedTokens = true })
		for _, o := range of(res, "nina") {
			// the disable at 11:01 revokes the token of 10:30; the call of 11:20 is refused;
			// the role session of 10:30 runs to 22:30
			if w := o.Windows[sim.ChAppOnBehalf]; w.Length != time.Minute {
				t.Errorf("replication %d: app_on_behalf %+v, want 1m", o.Replication, w)
			}
			if w := o.Windows[sim.ChRoleExisting]; w.Length != 11*time.Hour+30*time.Minute {
				t.Errorf("replication %d: role_existing %+v, want 11h30m", o.Replication, w)
			}
		}
	})
	t.Run("CUT-1 app-on-behalf-idp-first", func(t *testing.T) {
		res := runExample(t, "app-on-behalf-idp-first", nil)
		for _, o := range of(res, "nina") {
			// the token of 10:30 still lives when the deny takes effect: both close with it
			a, r := o.Windows[sim.ChAppOnBehalf], o.Windows[sim.ChRoleExisting]
			if a.Length != r.Length || a.Length <= 0 || a.Length > 5*time.Minute {
				t.Errorf("replication %d: app_on_behalf %v, role_existing %v, want the same, within (0, 5m]", o.Replication, a.Length, r.Length)
			}
		}
		for _, ch := range []sim.Channel{sim.ChAppOnBehalf, sim.ChRoleExisting, sim.ChAny} {
			if max, open := worst(res.Offboardings, ch); max > 5*time.Minute || open > 0 {
				t.Errorf("%s max %v (%d open), want within the deny's 5m", ch, max, open)
			}
		}
	})
}
