package sim

import (
	"fmt"
	"sort"
	"time"
)

// Timing holds the timing parameters of a profile; each is overridable by name in a scenario.
type Timing struct {
	PortalMin            time.Duration // UIS-1 range
	PortalMax            time.Duration
	PortalDefault        time.Duration
	AppSessionCheck      time.Duration // APP-2
	AppEntitlementCheck  time.Duration // APP-3
	GroupMembershipDelay time.Duration // GRP-1
	PermissionSetMin     time.Duration // ROLE-2
	PermissionSetMax     time.Duration
	PermissionSetDefault time.Duration
	CLIAccessToken       time.Duration // CLI-1
	CLIRefreshWindow     time.Duration // CLI-2, CLI-5 (AWS CLI)
	SDKRefreshWindow     time.Duration // CLI-2, CLI-5 (SDKs)
	LegacyToken          time.Duration // CLI-4
	CLIFixedSession      time.Duration // CLI-7: 2022-10's fixed CLI sessions; 0 where they follow the portal session
	CLIRevocation        time.Duration // CLI-3: how long an issued token outlives its portal session
	PortalStatusCache    time.Duration // UIS-11: 2022-10's hourly refresh of a portal session's view of the user; 0 where there is none
	ADTicketLifetime     time.Duration // UIS-8
	ADFixedPortal        time.Duration // UIS-8, profiles without AD session management
	ADSync               time.Duration // PROV-4: the longest delay of an AD sync
	ADSyncMin            time.Duration // PROV-4: the shortest delay of configurable AD sync
	BackgroundMin        time.Duration // BG-1
	BackgroundMax        time.Duration
	BackgroundDefault    time.Duration
	JobFailureCheck      time.Duration // BG-3
	KiroMax              time.Duration // KIRO-1
	KiroDefault          time.Duration
	DenyPropagation      time.Duration // CUT-1, CUT-2: delay uniform in (0, this]
	SCIMPushLatency      time.Duration // PROV-2 default push latency
	SCIMInterval         time.Duration // PROV-2 default periodic interval
	TTIAccessToken       time.Duration // TTI-1: the access token a JWT is exchanged for
}

// Profile is a set of timings and capabilities of the service at some date (RULES.md, timing profiles).
type Profile struct {
	Name string
	Timing
	// ADSessionManagement says whether an Active Directory source has session management (UIS-8).
	ADSessionManagement bool
	// ExtendedSessions says whether background and Kiro sessions exist (BG-1, KIRO-1).
	ExtendedSessions bool
	// IdPCapAlways says whether an external IdP's session caps the portal session whether or not
	// its assertion carries SessionNotOnOrAfter (UIS-6: profile 2022-10).
	IdPCapAlways bool
	// AccountAccess says whether applications with AWS account access exist (TTI-1: launched
	// 2026-06, so in profile current only).
	AccountAccess bool
}

func baseTiming() Timing {
	return Timing{
		PortalMin:            15 * time.Minute,
		PortalMax:            90 * 24 * time.Hour,
		PortalDefault:        8 * time.Hour,
		AppSessionCheck:      30 * time.Minute,
		AppEntitlementCheck:  60 * time.Minute,
		GroupMembershipDelay: 60 * time.Minute,
		PermissionSetMin:     time.Hour,
		PermissionSetMax:     12 * time.Hour,
		PermissionSetDefault: time.Hour,
		CLIAccessToken:       time.Hour,
		CLIRefreshWindow:     15 * time.Minute,
		SDKRefreshWindow:     5 * time.Minute,
		LegacyToken:          8 * time.Hour,
		CLIRevocation:        time.Hour,
		ADTicketLifetime:     10 * time.Hour,
		ADFixedPortal:        8 * time.Hour,
		ADSync:               2 * time.Hour,
		ADSyncMin:            30 * time.Minute,
		BackgroundMin:        15 * time.Minute,
		BackgroundMax:        90 * 24 * time.Hour,
		BackgroundDefault:    7 * 24 * time.Hour,
		JobFailureCheck:      15 * time.Minute,
		KiroMax:              90 * 24 * time.Hour,
		KiroDefault:          90 * 24 * time.Hour,
		DenyPropagation:      5 * time.Minute,
		SCIMPushLatency:      time.Minute,
		SCIMInterval:         40 * time.Minute,
		TTIAccessToken:       time.Hour,
	}
}

// LookupProfile returns the named profile of RULES.md: current, 2023-09, 2023-07 or 2022-10.
func LookupProfile(name string) (Profile, bool) {
	p := Profile{Name: name, Timing: baseTiming(), ADSessionManagement: true, ExtendedSessions: true}
	switch name {
	case "current":
		p.AccountAccess = true
	case "2023-09":
		p.AppSessionCheck = 60 * time.Minute
		p.ExtendedSessions = false
	case "2023-07":
		p.AppSessionCheck = 60 * time.Minute
		p.PortalMax = 7 * 24 * time.Hour
		p.ADSessionManagement = false
		p.ExtendedSessions = false
	case "2022-10":
		p.AppSessionCheck = 60 * time.Minute // APP-2: "automatically refreshed every hour"
		p.PortalStatusCache = time.Hour      // UIS-11
		p.CLIFixedSession = 8 * time.Hour    // CLI-7
		p.IdPCapAlways = true                // UIS-6
		p.PortalMax = 7 * 24 * time.Hour
		p.ADSessionManagement = false
		p.ExtendedSessions = false
	default:
		return Profile{}, false
	}
	return p, true
}

// ProfileNames lists the profiles, newest first.
func ProfileNames() []string { return []string{"current", "2023-09", "2023-07", "2022-10"} }

// timingFields maps each scenario name of a timing parameter to its field.
func (t *Timing) fields() map[string]*time.Duration {
	return map[string]*time.Duration{
		"portal_session_min":         &t.PortalMin,
		"portal_session_max":         &t.PortalMax,
		"portal_session_default":     &t.PortalDefault,
		"app_session_check":          &t.AppSessionCheck,
		"app_entitlement_check":      &t.AppEntitlementCheck,
		"group_membership_delay":     &t.GroupMembershipDelay,
		"permission_set_min":         &t.PermissionSetMin,
		"permission_set_max":         &t.PermissionSetMax,
		"permission_set_default":     &t.PermissionSetDefault,
		"cli_access_token":           &t.CLIAccessToken,
		"cli_refresh_window":         &t.CLIRefreshWindow,
		"sdk_refresh_window":         &t.SDKRefreshWindow,
		"legacy_token":               &t.LegacyToken,
		"cli_fixed_session":          &t.CLIFixedSession,
		"cli_revocation":             &t.CLIRevocation,
		"portal_status_cache":        &t.PortalStatusCache,
		"ad_ticket_lifetime":         &t.ADTicketLifetime,
		"ad_fixed_portal_session":    &t.ADFixedPortal,
		"ad_sync":                    &t.ADSync,
		"ad_sync_min":                &t.ADSyncMin,
		"background_session_min":     &t.BackgroundMin,
		"background_session_max":     &t.BackgroundMax,
		"background_session_default": &t.BackgroundDefault,
		"job_failure_check":          &t.JobFailureCheck,
		"kiro_session_max":           &t.KiroMax,
		"kiro_session_default":       &t.KiroDefault,
		"deny_propagation":           &t.DenyPropagation,
		"scim_push_latency":          &t.SCIMPushLatency,
		"scim_interval":              &t.SCIMInterval,
		"tti_access_token":           &t.TTIAccessToken,
	}
}

// TimingNames lists the names of the timing parameters, sorted.
func TimingNames() []string {
	var t Timing
	var names []string
	for n := range t.fields() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TimingMayBeZero says whether the named timing parameter may be 0, which means the mechanism is
// not there: cli_fixed_session (CLI-7) and portal_status_cache (UIS-11), 0 outside profile 2022-10.
func TimingMayBeZero(name string) bool {
	return name == "cli_fixed_session" || name == "portal_status_cache"
}

// SetTiming overrides the named timing parameter. It refuses unknown names, negative values, and 0
// where TimingMayBeZero does not allow it.
func (t *Timing) SetTiming(name string, d time.Duration) error {
	f, ok := t.fields()[name]
	if !ok {
		return fmt.Errorf("unknown timing parameter %q", name)
	}
	switch {
	case d < 0:
		return fmt.Errorf("timing %s must not be negative", name)
	case d == 0 && !TimingMayBeZero(name):
		return fmt.Errorf("timing %s must be positive", name)
	}
	*f = d
	return nil
}

// TimingValue returns the named timing parameter.
func (t *Timing) TimingValue(name string) (time.Duration, bool) {
	f, ok := t.fields()[name]
	if !ok {
		return 0, false
	}
	return *f, true
}

// Switches are the choices RULES.md makes where the sources are silent; each default gives the longer exposure.
type Switches struct {
	DisableEndsPortalSessions     bool // UIS-5
	CLITokenSurvivesSessionEnd    bool // CLI-3
	DisableEndsBackgroundSessions bool // BG-6
	UserActionsEndKiroSessions    bool // KIRO-3
	// LastAssignmentEndsRoleSessions says whether removing a user's last assignment to an account
	// (which deletes the role there) kills live credentials; the tables say no.
	LastAssignmentEndsRoleSessions bool
	// ProvisioningRecreatesDeletedUsers says whether a user deleted in IAM Identity Center but
	// still active at the source is created again by the next provisioning run or sync (PROV-5).
	ProvisioningRecreatesDeletedUsers bool
	// DisableRevokesExchangedTokens says whether disabling or deleting the user in IAM Identity
	// Center revokes the access tokens that applications with AWS account access obtained by
	// exchanging the user's JWTs (TTI-4).
	DisableRevokesExchangedTokens bool
}

// DefaultSwitches returns the switches as RULES.md sets them.
func DefaultSwitches() Switches {
	return Switches{CLITokenSurvivesSessionEnd: true, ProvisioningRecreatesDeletedUsers: true}
}

func (s *Switches) fields() map[string]*bool {
	return map[string]*bool{
		"disable_ends_portal_sessions":         &s.DisableEndsPortalSessions,
		"cli_token_survives_session_end":       &s.CLITokenSurvivesSessionEnd,
		"disable_ends_background_sessions":     &s.DisableEndsBackgroundSessions,
		"user_actions_end_kiro_sessions":       &s.UserActionsEndKiroSessions,
		"last_assignment_ends_role_sessions":   &s.LastAssignmentEndsRoleSessions,
		"provisioning_recreates_deleted_users": &s.ProvisioningRecreatesDeletedUsers,
		"disable_revokes_exchanged_tokens":     &s.DisableRevokesExchangedTokens,
	}
}

// SwitchNames lists the switch names, sorted.
func SwitchNames() []string {
	var s Switches
	var names []string
	for n := range s.fields() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Set sets the named switch.
func (s *Switches) Set(name string, v bool) error {
	f, ok := s.fields()[name]
	if !ok {
		return fmt.Errorf("unknown switch %q", name)
	}
	*f = v
	return nil
}

// Map returns every switch by name.
func (s Switches) Map() map[string]bool {
	m := map[string]bool{}
	for n, f := range s.fields() {
		m[n] = *f
	}
	return m
}
