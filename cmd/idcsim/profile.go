package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"idcsim/report"
	"idcsim/sim"
)

// applyProfile replaces the scenario's profile with the named one. Timing parameters the scenario
// set to other than its profile's values are kept; durations are checked again against the new
// profile's ranges, and background and Kiro sessions are turned off, with a warning, in profiles
// that do not have them.
func applyProfile(sc *sim.Scenario, name string) error {
	p, ok := sim.LookupProfile(name)
	if !ok {
		return fmt.Errorf("unknown profile %q (want one of %s)", name, strings.Join(sim.ProfileNames(), ", "))
	}
	if old, ok := sim.LookupProfile(sc.Profile.Name); ok {
		for _, t := range sim.TimingNames() {
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
	inRange := func(what string, d, lo, hi time.Duration) {
		if d != 0 && (d < lo || d > hi) {
			f := report.FormatDuration
			errs = append(errs, fmt.Errorf("--profile %s: %s %s is outside %s..%s", name, what, f(d), f(lo), f(hi)))
		}
	}
	inRange("settings.portal_session", sc.Settings.PortalSession, p.PortalMin, p.PortalMax)
	for _, ps := range sc.PermissionSets {
		inRange("session_duration of permission set "+ps.Name, ps.SessionDuration, p.PermissionSetMin, p.PermissionSetMax)
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
	sc.Profile = p
	return nil
}
