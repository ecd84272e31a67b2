package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// PROV-1..3: with periodic provisioning, a user disabled only in IAM Identity Center is enabled
// again by the next run while still active at the IdP; disabling at the IdP first is carried in.
//
// The arrival of a provisioning run is read off the portal window, so these experiments take the
// table's reading of UIS-5 (a disable ends the portal sessions); under the default a disabled
// user's portal session runs to its end whenever the run arrives.
func TestProvisioning(t *testing.T) {
	t.Parallel()
	idcOnly := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser))), 12*time.Hour, true)
	idcOnly.Source.Provisioning = ProvisioningPeriodic
	idcOnly.Source.ProvisioningInterval = 40 * time.Minute
	idcOnly.Replications = 100
	idcOnly.Switches.DisableEndsPortalSessions = true
	res := runScenario(t, idcOnly)
	for _, o := range res.Offboardings {
		w := o.Windows[ChSignIn]
		if !w.Open || len(o.Notes) != 1 {
			t.Fatalf("PROV-3: sign_in window %v open=%v, notes %q; want open at the horizon with a note", w.Length, w.Open, o.Notes)
		}
	}
	idpFirst := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"),
		offboard("1h", act(DisableUser, "where", "idp"), act(DisableUser))), 12*time.Hour, true)
	idpFirst.Source.Provisioning = ProvisioningPeriodic
	idpFirst.Source.ProvisioningInterval = 40 * time.Minute
	idpFirst.Switches.DisableEndsPortalSessions = true
	for _, o := range runScenario(t, idpFirst).Offboardings {
		want(t, o.Windows, ChSignIn, "0s", false)
		want(t, o.Windows, ChPortal, "0s", false)
	}
	t.Run("PROV-2 periodic", func(t *testing.T) {
		sc := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser, "where", "idp"))), 12*time.Hour, true)
		sc.Source.Provisioning = ProvisioningPeriodic
		sc.Source.ProvisioningInterval = 40 * time.Minute
		sc.Replications = 200
		sc.Switches.DisableEndsPortalSessions = true
		var worst time.Duration
		for _, o := range runScenario(t, sc).Offboardings {
			want(t, o.Windows, ChSignIn, "0s", false) // PROV-1: at once
			l := o.Windows[ChPortal].Length           // the portal session lives until the run arrives
			if l <= 0 || l > 40*time.Minute {
				t.Fatalf("PROV-2: disable arrived after %v, want within (0, 40m]", l)
			}
			worst = max(worst, l)
		}
		if worst < 38*time.Minute { // 200 uniform draws: the largest passes 38m with probability 1 - 0.95^200
			t.Errorf("PROV-2: worst arrival %v, want close to 40m", worst)
		}
	})
	t.Run("PROV-2 push", func(t *testing.T) {
		sc := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser, "where", "idp"))), 12*time.Hour, true)
		sc.Source.Provisioning = ProvisioningPush
		sc.Source.ProvisioningLatency = 2 * time.Minute
		sc.Switches.DisableEndsPortalSessions = true
		want(t, windows(t, sc), ChPortal, "2m", false)
	})
	t.Run("PROV-4 Active Directory sync", func(t *testing.T) {
		sc := testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser, "where", "idp")))
		sc.Source = IdentitySource{Kind: ActiveDirectory}
		sc.Replications = 200
		sc.Switches.DisableEndsPortalSessions = true
		var worst time.Duration
		for _, o := range runScenario(t, sc).Offboardings {
			want(t, o.Windows, ChSignIn, "0s", false)
			worst = max(worst, o.Windows[ChPortal].Length)
		}
		if worst > 2*time.Hour || worst < 110*time.Minute {
			t.Errorf("PROV-4: worst sync %v, want close to and within 2h", worst)
		}
	})
}

// PROV-4: a disable in Active Directory reaches IAM Identity Center with the directory's sync:
// classic sync within 2h (a delay uniform in (0, 2h]), configurable sync in 30m to 2h (uniform in
// [30m, 2h]). The user is disabled in the directory at 1h with a portal session live to 8h; the
// sync's disable ends that portal session (the table's reading of UIS-5), so the portal window is
// the sync's delay.
func TestDirectorySync(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode     ADSyncMode
		min, max time.Duration // the delay's range
	}{
		{ADSyncClassic, 0, 2 * time.Hour},
		{ADSyncConfigurable, 30 * time.Minute, 2 * time.Hour},
	} {
		t.Run("PROV-4 "+c.mode.String(), func(t *testing.T) {
			sc := testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser, "where", "idp")))
			sc.Source = IdentitySource{Kind: ActiveDirectory, TicketLifetime: 10 * time.Hour, ADSync: c.mode}
			sc.Switches.DisableEndsPortalSessions = true
			sc.Replications = 1000
			lo, hi := time.Duration(1<<62), time.Duration(0)
			for _, o := range runScenario(t, sc).Offboardings {
				l := o.Windows[ChPortal].Length
				if l <= c.min && c.min == 0 || l < c.min || l > c.max {
					t.Fatalf("portal window %v, want the sync's delay in %v..%v", l, c.min, c.max)
				}
				if !strings.Contains(o.Windows[ChPortal].Evidence, "(PROV-4)") {
					t.Fatalf("evidence %q does not cite PROV-4", o.Windows[ChPortal].Evidence)
				}
				lo, hi = min(lo, l), max(hi, l)
			}
			// 1000 uniform draws over a range of 90m or 120m: the extremes come within 1% of the
			// range of its ends with probability 1 - 0.99^1000, all but certain
			if span := c.max - c.min; lo > c.min+span/100 || hi < c.max-span/100 {
				t.Errorf("delays from %v to %v: want the whole range %v..%v", lo, hi, c.min, c.max)
			}
		})
	}
}

// PROV-5: bob, deleted in IAM Identity Center at 1h while still active at the IdP, is created
// again by the next periodic run (within 40m) with a new user ID: his group's assignments come
// back and the deny policy on his old ID does not match, so a sign-in at 3h and a federation at
// 3h05m into prod/Admin (1h) work: role_existing to 4h05m, 3h05m after the offboarding, and
// sign_in open to the horizon. With the switch off, a deletion is final.
func TestDeletedUserRecreated(t *testing.T) {
	t.Parallel()
	for _, recreate := range []bool{true, false} {
		off := offboard("1h", act(DenyUser), act(DeleteUser))
		off.User = "bob"
		sc := externalIdP(testScenario(off,
			e("3h", SignIn, "user", "bob", "device", "laptop"),
			e("3h5m", Federate, "user", "bob", "device", "laptop", "account", "prod", "ps", "Admin"),
		), 12*time.Hour, false)
		sc.Source.Provisioning = ProvisioningPeriodic
		sc.Source.ProvisioningInterval = 40 * time.Minute
		sc.Switches.ProvisioningRecreatesDeletedUsers = recreate
		sc.Profile.DenyPropagation = time.Nanosecond
		res := runScenario(t, sc)
		o := res.Offboardings[0]
		t.Run(fmt.Sprintf("PROV-5 recreate=%v", recreate), func(t *testing.T) {
			if recreate {
				want(t, o.Windows, ChRoleExisting, "3h5m", false)
				want(t, o.Windows, ChSignIn, "9d23h", true) // open from 1h to the 10-day horizon
				if len(o.Notes) != 1 || !strings.Contains(o.Notes[0], "PROV-5") {
					t.Errorf("notes %q, want the re-creation", o.Notes)
				}
			} else {
				want(t, o.Windows, ChRoleExisting, "0s", false)
				want(t, o.Windows, ChSignIn, "0s", false)
				if res.Counters.RefusedActions != 2 {
					t.Errorf("%d refused, want 2 (the sign-in and the federation)", res.Counters.RefusedActions)
				}
			}
		})
	}
}
