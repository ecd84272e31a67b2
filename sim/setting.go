package sim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The settings a sweep may vary besides permission sets' durations (PermissionSetSetting) and the
// profile's timing parameters (TimingSetting).
var (
	PortalSessionSetting     = Setting{Name: "portal_session"}     // UIS-1
	BackgroundSessionSetting = Setting{Name: "background_session"} // BG-1
	KiroSessionSetting       = Setting{Name: "kiro_session"}       // KIRO-1
)

// PermissionSetSetting is the session duration of the named permission set (ROLE-2).
func PermissionSetSetting(name string) Setting { return Setting{Name: "permission_set." + name} }

// TimingSetting is the named timing parameter of the profile (see TimingNames).
func TimingSetting(name string) Setting { return Setting{Name: "timing." + name} }

// settingKind is what a setting's name designates.
type settingKind uint8

const (
	unknownSetting settingKind = iota
	portalSetting
	backgroundSetting
	kiroSetting
	permissionSetSetting
	timingSetting
)

// kind returns what the setting designates and, for a permission set or a timing parameter, its name.
func (s Setting) kind() (settingKind, string) {
	switch {
	case s.Name == PortalSessionSetting.Name:
		return portalSetting, ""
	case s.Name == BackgroundSessionSetting.Name:
		return backgroundSetting, ""
	case s.Name == KiroSessionSetting.Name:
		return kiroSetting, ""
	case strings.HasPrefix(s.Name, "permission_set."):
		return permissionSetSetting, strings.TrimPrefix(s.Name, "permission_set.")
	case strings.HasPrefix(s.Name, "timing."):
		return timingSetting, strings.TrimPrefix(s.Name, "timing.")
	}
	return unknownSetting, ""
}

// Range returns the values the setting may take in profile p and the rule of RULES.md that
// gives them; ok is false for a setting without such a range (a timing parameter, or an unknown
// name).
func (s Setting) Range(p *Profile) (lo, hi time.Duration, rule string, ok bool) {
	switch k, _ := s.kind(); k {
	case portalSetting:
		return p.PortalMin, p.PortalMax, "UIS-1", true
	case backgroundSetting:
		return p.BackgroundMin, p.BackgroundMax, "BG-1", true
	case kiroSetting:
		return time.Nanosecond, p.KiroMax, "KIRO-1", true
	case permissionSetSetting:
		return p.PermissionSetMin, p.PermissionSetMax, "ROLE-2", true
	}
	return 0, 0, "", false
}

// Get returns the value of the setting in force in the scenario, or false when the scenario
// has no such setting.
func (s Setting) Get(sc *Scenario) (time.Duration, bool) {
	k, name := s.kind()
	switch k {
	case portalSetting:
		if sc.Settings.PortalSession == 0 {
			return sc.Profile.PortalDefault, true
		}
		return sc.Settings.PortalSession, true
	case backgroundSetting:
		return sc.Settings.BackgroundDuration, true
	case kiroSetting:
		return sc.Settings.KiroDuration, true
	case permissionSetSetting:
		for _, p := range sc.PermissionSets {
			if p.Name == name {
				return p.SessionDuration, true
			}
		}
	case timingSetting:
		return sc.Profile.TimingValue(name)
	}
	return 0, false
}

// Set sets the setting to s.Value in the scenario, refusing a setting the scenario does not
// have and a value outside the setting's range for the scenario's profile. It changes the
// scenario's PermissionSets in place.
func (s Setting) Set(sc *Scenario) error {
	k, name := s.kind()
	p := &sc.Profile
	lo, hi, rule, ranged := s.Range(p)
	if ranged && (s.Value < lo || s.Value > hi) {
		v := FormatDuration(RoundMillis(s.Value))
		switch k {
		case portalSetting:
			return errorf("portal_session %s is outside %s..%s of profile %s (%s)", v, FormatDuration(RoundMillis(lo)), FormatDuration(RoundMillis(hi)), p.Name, rule)
		case kiroSetting:
			return errorf("kiro_session %s is outside 0..%s (%s)", v, FormatDuration(RoundMillis(hi)), rule)
		case permissionSetSetting:
			if s.permissionSet(sc, name) >= 0 {
				return errorf("permission set %s duration %s is outside %s..%s (%s)", name, v, FormatDuration(RoundMillis(lo)), FormatDuration(RoundMillis(hi)), rule)
			}
		default:
			return errorf("%s %s is outside %s..%s (%s)", s.Name, v, FormatDuration(RoundMillis(lo)), FormatDuration(RoundMillis(hi)), rule)
		}
	}
	switch k {
	case portalSetting:
		sc.Settings.PortalSession = s.Value
	case backgroundSetting:
		sc.Settings.BackgroundDuration = s.Value
	case kiroSetting:
		sc.Settings.KiroDuration = s.Value
	case permissionSetSetting:
		i := s.permissionSet(sc, name)
		if i < 0 {
			return errorf("sweep: unknown permission set %q", name)
		}
		sc.PermissionSets[i].SessionDuration = s.Value
	case timingSetting:
		if err := p.SetTiming(name, s.Value); err != nil {
			return errorf("sweep: %v", err)
		}
	default:
		return errorf("sweep: unknown setting %q", s.Name)
	}
	return nil
}

// permissionSet returns the index of the named permission set in the scenario, or -1.
func (Setting) permissionSet(sc *Scenario, name string) int {
	for i := range sc.PermissionSets {
		if sc.PermissionSets[i].Name == name {
			return i
		}
	}
	return -1
}

// SetProfile replaces the scenario's profile with the named one. Timing parameters the scenario
// set to other than its profile's values are kept; the portal session and the permission sets'
// durations are checked again against the new profile's ranges (UIS-1, ROLE-2), and background
// and Kiro sessions are turned off, with a warning, in profiles that do not have them (BG-1,
// KIRO-1); an Active Directory source's ticket lifetime and portal session, which a profile
// without AD session management ignores, are warned about (UIS-8). Applications of kind
// account_access are refused in profiles that do not have them (TTI-1). On an error the
// scenario is unchanged.
func (sc *Scenario) SetProfile(name string) error {
	p, ok := LookupProfile(name)
	if !ok {
		return fmt.Errorf("unknown profile %q (want one of %s)", name, strings.Join(ProfileNames(), ", "))
	}
	if old, ok := LookupProfile(sc.Profile.Name); ok {
		for _, t := range TimingNames() {
			was, _ := old.TimingValue(t)
			now, _ := sc.Profile.TimingValue(t)
			if now != was {
				if err := p.SetTiming(t, now); err != nil {
					return err
				}
			}
		}
	}
	var errs []error
	inRange := func(what string, d time.Duration, s Setting) {
		lo, hi, _, _ := s.Range(&p)
		if d != 0 && (d < lo || d > hi) {
			errs = append(errs, fmt.Errorf("profile %s: %s %s is outside %s..%s", name, what, HumanDuration(d), HumanDuration(lo), HumanDuration(hi)))
		}
	}
	inRange("settings.portal_session", sc.Settings.PortalSession, PortalSessionSetting)
	for _, ps := range sc.PermissionSets {
		inRange("session_duration of permission set "+ps.Name, ps.SessionDuration, PermissionSetSetting(ps.Name))
	}
	for _, a := range sc.Applications {
		if a.Kind == AccountAccess && !p.AccountAccess {
			errs = append(errs, fmt.Errorf("profile %s: application %s is of kind account_access, which does not exist in that profile (TTI-1: launched 2026-06); use profile current", name, a.Name))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if !p.ExtendedSessions {
		if sc.Settings.BackgroundSessions {
			sc.Settings.BackgroundSessions = false
			sc.Warnings = append(sc.Warnings, "profile "+name+" has no background sessions: they are off")
		}
		if sc.Settings.KiroExtendedSessions {
			sc.Settings.KiroExtendedSessions = false
			sc.Warnings = append(sc.Warnings, "profile "+name+" has no Kiro extended sessions: they are off")
		}
	}
	if sc.Source.Kind == ActiveDirectory && sc.Profile.ADSessionManagement && !p.ADSessionManagement {
		// UIS-8: the settings the scenario's own profile honoured, and this one does not
		if sc.Source.TicketLifetime != 0 {
			sc.Warnings = append(sc.Warnings, "ticket_lifetime has no effect: in profile "+name+" an Active Directory source has no session management (UIS-8)")
		}
		if d := sc.Settings.PortalSession; d != 0 && d != p.ADFixedPortal {
			sc.Warnings = append(sc.Warnings, fmt.Sprintf("portal_session has no effect: in profile %s an Active Directory source has a fixed %s portal session (UIS-8)",
				name, FormatDuration(p.ADFixedPortal)))
		}
	}
	sc.Profile = p
	return nil
}
