package sim

import (
	"testing"
	"time"
)

// PROV-1..3: with periodic provisioning, a user disabled only in IAM Identity Center is enabled
// again by the next run while still active at the IdP; disabling at the IdP first is carried in.
func TestProvisioning(t *testing.T) {
	t.Parallel()
	idcOnly := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser))), 12*time.Hour, true)
	idcOnly.Source.Provisioning = ProvisioningPeriodic
	idcOnly.Source.ProvisioningInterval = 40 * time.Minute
	idcOnly.Replications = 100
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
	for _, o := range runScenario(t, idpFirst).Offboardings {
		want(t, o.Windows, ChSignIn, "0s", false)
		want(t, o.Windows, ChPortal, "0s", false)
	}
	t.Run("PROV-2 periodic", func(t *testing.T) {
		sc := externalIdP(testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser, "where", "idp"))), 12*time.Hour, true)
		sc.Source.Provisioning = ProvisioningPeriodic
		sc.Source.ProvisioningInterval = 40 * time.Minute
		sc.Replications = 200
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
		want(t, windows(t, sc), ChPortal, "2m", false)
	})
	t.Run("PROV-4 Active Directory sync", func(t *testing.T) {
		sc := testScenario(e("0s", SignIn, "device", "laptop"), offboard("1h", act(DisableUser, "where", "idp")))
		sc.Source = IdentitySource{Kind: ActiveDirectory}
		sc.Replications = 200
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
