package sim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSetProfile(t *testing.T) {
	t.Parallel()
	cur, _ := LookupProfile("current")
	sc := &Scenario{Profile: cur}
	sc.Profile.JobFailureCheck = 5 * time.Minute // a scenario's timing override
	sc.Settings.BackgroundSessions = true
	sc.Settings.PortalSession = 7 * 24 * time.Hour
	if err := sc.SetProfile("2022-10"); err != nil {
		t.Fatal(err)
	}
	// RULES.md's profile table: 2022-10 checks app sessions every 60m (APP-2) and caches the
	// portal session's view of the user for 1h (UIS-11)
	if p := sc.Profile; p.Name != "2022-10" || p.AppSessionCheck != time.Hour || p.PortalStatusCache != time.Hour {
		t.Errorf("profile %s with app check %v and status cache %v, want 2022-10's 1h and 1h", p.Name, p.AppSessionCheck, p.PortalStatusCache)
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

func TestSettingRange(t *testing.T) {
	t.Parallel()
	cur, _ := LookupProfile("current")
	old, _ := LookupProfile("2023-07")
	const d = 24 * time.Hour
	for _, c := range []struct {
		s      Setting
		p      *Profile
		lo, hi time.Duration
		rule   string
	}{
		{PortalSessionSetting, &cur, 15 * time.Minute, 90 * d, "UIS-1"},            // UIS-1: 15m to 90d
		{PortalSessionSetting, &old, 15 * time.Minute, 7 * d, "UIS-1"},             // UIS-1: 7d at most in 2023-07
		{PermissionSetSetting("Admin"), &cur, time.Hour, 12 * time.Hour, "ROLE-2"}, // ROLE-2: 1h to 12h
		{BackgroundSessionSetting, &cur, 15 * time.Minute, 90 * d, "BG-1"},         // BG-1: 15m to 90d
		{KiroSessionSetting, &cur, time.Nanosecond, 90 * d, "KIRO-1"},              // KIRO-1: at most 90d
	} {
		lo, hi, rule, ok := c.s.Range(c.p)
		if !ok || lo != c.lo || hi != c.hi || rule != c.rule {
			t.Errorf("%s in %s: %v..%v (%s, %v), want %v..%v (%s)", c.s.Name, c.p.Name, lo, hi, rule, ok, c.lo, c.hi, c.rule)
		}
	}
	if _, _, _, ok := TimingSetting("app_session_check").Range(&cur); ok {
		t.Error("a timing parameter has a range")
	}
}

func TestSettingGetSet(t *testing.T) {
	t.Parallel()
	cur, _ := LookupProfile("current")
	sc := &Scenario{Profile: cur, PermissionSets: []PermissionSet{{Name: "Admin", SessionDuration: time.Hour}}}
	if v, ok := PortalSessionSetting.Get(sc); !ok || v != 8*time.Hour {
		t.Errorf("portal_session unset = %v, %v; want the profile's default 8h (UIS-1)", v, ok)
	}
	for _, s := range []Setting{
		{PortalSessionSetting.Name, 2 * time.Hour},
		{PermissionSetSetting("Admin").Name, 4 * time.Hour},
		{BackgroundSessionSetting.Name, time.Hour},
		{KiroSessionSetting.Name, time.Hour},
		{TimingSetting("app_session_check").Name, 10 * time.Minute},
	} {
		if err := s.Set(sc); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if v, ok := s.Get(sc); !ok || v != s.Value {
			t.Errorf("%s = %v, %v after setting %v", s.Name, v, ok, s.Value)
		}
	}
	for _, c := range []struct {
		s   Setting
		msg string
	}{
		{Setting{"portal_session", 91 * 24 * time.Hour}, "(UIS-1)"},
		{Setting{"permission_set.Admin", 13 * time.Hour}, "permission set Admin duration 13h is outside 1h..12h (ROLE-2)"},
		{Setting{"background_session", time.Minute}, "background_session 1m is outside 15m..90d (BG-1)"},
		{Setting{"kiro_session", 0}, "kiro_session 0s is outside 0..90d (KIRO-1)"},
		{Setting{"permission_set.None", time.Hour}, `unknown permission set "None"`},
		{Setting{"timing.none", time.Hour}, `unknown timing parameter "none"`},
		{Setting{"portal", time.Hour}, `unknown setting "portal"`},
	} {
		if err := c.s.Set(sc); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s=%v: %v, want an error with %q", c.s.Name, c.s.Value, err, c.msg)
		}
	}
	if _, ok := (Setting{Name: "permission_set.None"}).Get(sc); ok {
		t.Error("an unknown permission set has a value")
	}
}

// UIS-8: moved to a profile where Active Directory has no session management, a scenario is told
// that its ticket lifetime and portal session no longer do anything.
func TestSetProfileADWarnings(t *testing.T) {
	t.Parallel()
	cur, _ := LookupProfile("current")
	sc := &Scenario{Profile: cur, Source: IdentitySource{Kind: ActiveDirectory, TicketLifetime: 9 * time.Hour}}
	sc.Settings.PortalSession = 12 * time.Hour
	if err := sc.SetProfile("2023-07"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ticket_lifetime has no effect: in profile 2023-07 an Active Directory source has no session management (UIS-8)",
		"portal_session has no effect: in profile 2023-07 an Active Directory source has a fixed 8h portal session (UIS-8)",
	}
	if !slices.Equal(sc.Warnings, want) {
		t.Errorf("warnings %q, want %q", sc.Warnings, want)
	}
	// from one profile without AD session management to another: nothing new to say
	sc.Warnings = nil
	if err := sc.SetProfile("2022-10"); err != nil || len(sc.Warnings) != 0 {
		t.Errorf("2023-07 to 2022-10: %v, warnings %q", err, sc.Warnings)
	}
}
