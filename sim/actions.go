package sim

import "strings"

// KeyUse says whether an action requires, allows or refuses a key of its event.
type KeyUse uint8

// Uses of a key.
const (
	Refused KeyUse = iota
	Optional
	Required
)

// EventKeys are the keys an event may have besides its time and its action, in the order
// scenarios write them.
var EventKeys = []string{"user", "device", "application", "account", "permission_set", "group", "where", "duration", "scheduled", "playbook"}

// ActionSpec is what an action needs of an event.
type ActionSpec struct {
	Action Action
	// Keys says how the action uses each key of EventKeys; a key not listed is refused.
	Keys map[string]KeyUse
	// Device is the kind of device the action needs when it requires one.
	Device DeviceKind
	// Step says the action may be a step of an offboarding playbook: an admin action on the
	// offboarded user.
	Step bool
	// JobsApp says the application, when the event names one, must be of kind jobs (BG-1).
	JobsApp bool
	// AccountAccessApp says the application must be of kind account_access (TTI-1).
	AccountAccessApp bool
}

// Use returns how the action uses key.
func (s ActionSpec) Use(key string) KeyUse { return s.Keys[key] }

// NeedsUser says the action acts on a user named by the event.
func (s ActionSpec) NeedsUser() bool { return s.Keys["user"] == Required }

// NeedsDevice says the action is done from one of its user's devices, of kind Device.
func (s ActionSpec) NeedsDevice() bool { return s.Keys["device"] == Required }

// Spec returns what the action needs of an event.
func (a Action) Spec() ActionSpec { return actionSpecs[a] }

func spec(a Action, req, opt string, device DeviceKind, step bool) ActionSpec {
	s := ActionSpec{Action: a, Keys: map[string]KeyUse{}, Device: device, Step: step}
	for _, k := range strings.Fields(req) {
		s.Keys[k] = Required
	}
	for _, k := range strings.Fields(opt) {
		s.Keys[k] = Optional
	}
	return s
}

// actionSpecs is the action table, as SPEC.md lists the keys of each action.
var actionSpecs = [numActions]ActionSpec{
	SignIn:                   spec(SignIn, "user device", "", Browser, false),
	SignOut:                  spec(SignOut, "user device", "", Browser, false),
	OpenApp:                  spec(OpenApp, "user device application", "", Browser, false),
	CloseApp:                 spec(CloseApp, "user application", "", Browser, false),
	Federate:                 spec(Federate, "user device account permission_set", "", Browser, false),
	CLILogin:                 spec(CLILogin, "user device", "", CLI, false),
	CLILogout:                spec(CLILogout, "user device", "", CLI, false),
	GetRoleCredentials:       spec(GetRoleCredentials, "user device account permission_set", "", CLI, false),
	StartCLIWorkload:         spec(StartCLIWorkload, "user device account permission_set", "", CLI, false),
	StopCLIWorkload:          spec(StopCLIWorkload, "user device", "account permission_set", CLI, false),
	StartJob:                 jobsApp(spec(StartJob, "user device application duration", "scheduled", Browser, false)),
	EndSessions:              spec(EndSessions, "user", "device", Browser, true),
	DisableUser:              spec(DisableUser, "user", "where", Browser, true),
	EnableUser:               spec(EnableUser, "user", "where", Browser, true),
	DeleteUser:               spec(DeleteUser, "user", "", Browser, true),
	AddToGroup:               spec(AddToGroup, "user group", "", Browser, true),
	RemoveFromGroup:          spec(RemoveFromGroup, "user group", "", Browser, true),
	AddAssignment:            spec(AddAssignment, "", "user group application account permission_set", Browser, true),
	RemoveAssignment:         spec(RemoveAssignment, "", "user group application account permission_set", Browser, true),
	RemoveAssignments:        spec(RemoveAssignments, "user", "", Browser, true),
	SetPortalSession:         spec(SetPortalSession, "duration", "", Browser, false),
	SetPermissionSetDuration: spec(SetPermissionSetDuration, "permission_set duration", "", Browser, false),
	EndBackgroundSession:     jobsApp(spec(EndBackgroundSession, "user", "application", Browser, true)),
	DenyUser:                 spec(DenyUser, "user", "", Browser, true),
	AllowUser:                spec(AllowUser, "user", "", Browser, true),
	RevokeRoleSessions:       spec(RevokeRoleSessions, "permission_set", "", Browser, true),
	Offboard:                 spec(Offboard, "user playbook", "", Browser, false),

	SetBackgroundSessionDuration: spec(SetBackgroundSessionDuration, "duration", "", Browser, false),
	EnableBackgroundSessions:     jobsApp(spec(EnableBackgroundSessions, "", "application", Browser, false)),
	DisableBackgroundSessions:    jobsApp(spec(DisableBackgroundSessions, "", "application", Browser, false)),
	ActAsUser:                    accountAccessApp(spec(ActAsUser, "user application account permission_set", "", Browser, false)),
}

// accountAccessApp marks the actions of applications with AWS account access: their application
// is of kind account_access (TTI-1).
func accountAccessApp(s ActionSpec) ActionSpec {
	s.AccountAccessApp = true
	return s
}

// jobsApp marks the actions on jobs' background sessions: their application is of kind jobs.
func jobsApp(s ActionSpec) ActionSpec {
	s.JobsApp = true
	return s
}

// needsDevice says the action is done from a device.
func needsDevice(a Action) bool { return actionSpecs[a].NeedsDevice() }
