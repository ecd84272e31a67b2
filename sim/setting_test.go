package sim

import (
	"strings"
	"testing"
	"time"
)

func TestSetProfile(t *testing.T) {
	cur, _ := LookupProfile("current")
	sc := &Scenario{Profile: cur}
	sc.Profile.JobFailureCheck = 5 * time.Minute // a scenario's timing override
	sc.Settings.BackgroundSessions = true
	sc.Settings.PortalSession = 7 * 24 * time.Hour
	if err := sc.SetProfile("2022-10"); err != nil {
		t.Fatal(err)
	}
	if sc.Profile.Name != "2022-10" || sc.Profile.AppSessionCheck != 2*time.Hour {
		t.Errorf("profile %s with app check %v, want 2022-10's 2h", sc.Profile.Name, sc.Profile.AppSessionCheck)
	}
	if sc.Profile.JobFailureCheck != 5*time.Minute {
		t.Errorf("the scenario's override was lost: job_failure_check %v", sc.Profile.JobFailureCheck)
	}
	if sc.Settings.BackgroundSessions || len(sc.Warnings) != 1 || !strings.Contains(sc.Warnings[0], "no background sessions") {
		t.Errorf("background sessions %v, warnings %q", sc.Settings.BackgroundSessions, sc.Warnings)
	}

	sc = &Scenario{Profile: cur}
	sc.Settings.PortalSession = 30 * 24 * time.Hour
	sc.PermissionSets = []PermissionSet{{Name: "Admin", SessionDuration: time.Hour}}
	err := sc.SetProfile("2023-07")
	if err == nil || !strings.Contains(err.Error(), "settings.portal_session 30d00h00m is outside 15m00s..7d00h00m") {
		t.Errorf("portal session out of the 2023-07 range: %v", err)
	}
	if sc.Profile.Name != "current" {
		t.Error("the profile changed despite the error")
	}
}
