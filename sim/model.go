// Package sim is the discrete-event engine that implements the session rules of IAM Identity Center.
package sim

import (
	"fmt"
	"time"
)

// SourceKind is the kind of identity source.
type SourceKind uint8

// Identity source kinds.
const (
	IdentityCenter SourceKind = iota
	ExternalIdP
	ActiveDirectory
)

var sourceKindNames = [...]string{"identity_center", "external_idp", "active_directory"}

func (k SourceKind) String() string { return sourceKindNames[k] }

// ProvisioningMode says how an external IdP carries changes into IAM Identity Center (PROV-2).
type ProvisioningMode uint8

// Provisioning modes.
const (
	ProvisioningNone ProvisioningMode = iota
	ProvisioningPush
	ProvisioningPeriodic
)

var provisioningModeNames = [...]string{"none", "push", "periodic"}

func (m ProvisioningMode) String() string { return provisioningModeNames[m] }

// ADSyncMode is how an Active Directory source's changes reach the identity store (PROV-4).
type ADSyncMode uint8

// Active Directory sync modes.
const (
	// ADSyncClassic lands a change after a delay uniform in (0, ad_sync].
	ADSyncClassic ADSyncMode = iota
	// ADSyncConfigurable lands a change after a delay uniform in [ad_sync_min, ad_sync].
	ADSyncConfigurable
)

var adSyncModeNames = [...]string{"classic", "configurable"}

func (m ADSyncMode) String() string { return adSyncModeNames[m] }

// ADSyncModes lists the names of the Active Directory sync modes.
func ADSyncModes() []string { return adSyncModeNames[:] }

// IdentitySource describes where users come from.
type IdentitySource struct {
	Kind SourceKind
	// IdPSession is the external IdP's own session length (UIS-6, UIS-7).
	IdPSession time.Duration
	// SessionNotOnOrAfter says whether the IdP's assertion caps the portal session (UIS-6).
	SessionNotOnOrAfter bool
	// Provisioning carries IdP changes into IAM Identity Center (PROV-2).
	Provisioning ProvisioningMode
	// ProvisioningLatency is the delay of push provisioning.
	ProvisioningLatency time.Duration
	// ProvisioningInterval is the cycle of periodic provisioning.
	ProvisioningInterval time.Duration
	// TicketLifetime caps portal and Kiro sessions for Active Directory (UIS-8). Zero means the profile's cap.
	TicketLifetime time.Duration
	// ADSync is how Active Directory changes reach IAM Identity Center (PROV-4).
	ADSync ADSyncMode
}

// Settings are the instance-wide session settings.
type Settings struct {
	// PortalSession is the access portal session duration (UIS-1). Zero means the profile default.
	PortalSession        time.Duration
	BackgroundSessions   bool
	BackgroundDuration   time.Duration
	KiroExtendedSessions bool
	KiroDuration         time.Duration
}

// PermissionSet is a permission set with its role session duration (ROLE-2).
type PermissionSet struct {
	Name            string
	SessionDuration time.Duration
}

// AppKind is the kind of an application.
type AppKind uint8

// Application kinds.
const (
	AWSManaged AppKind = iota
	SAML
	Jobs
	Kiro
	// AccountAccess is a customer-managed application with a trusted token issuer and AWS
	// account access: it acts in AWS as its users (TTI-1).
	AccountAccess
)

var appKindNames = [...]string{"aws_managed", "saml", "jobs", "kiro", "account_access"}

func (k AppKind) String() string { return appKindNames[k] }

// Application is an application users can be assigned.
type Application struct {
	Name string
	Kind AppKind
	// SessionDuration is the SAML application's own session length (SAML-1).
	SessionDuration time.Duration
	// BackgroundSessions, when not nil, overrides the instance setting for a jobs application (BG-1).
	BackgroundSessions *bool
	// JWTLifetime is how long a JWT the IdP issues to an account_access application lives
	// (TTI-2). Zero means DefaultJWTLifetime.
	JWTLifetime time.Duration
}

// Assignment entitles a user or group to an account with a permission set, or to an application.
// Exactly one of Application or (Account and PermissionSet) is set.
type Assignment struct {
	Account       string
	PermissionSet string
	Application   string
}

func (a Assignment) String() string {
	if a.Application != "" {
		return "application " + a.Application
	}
	return "account " + a.Account + " with " + a.PermissionSet
}

// Group is a group of users with its assignments.
type Group struct {
	Name        string
	Assignments []Assignment
}

// DeviceKind is the kind of a user's device.
type DeviceKind uint8

// Device kinds.
const (
	Browser DeviceKind = iota
	CLI
	KiroIDE
)

var deviceKindNames = [...]string{"browser", "cli", "kiro"}

func (k DeviceKind) String() string { return deviceKindNames[k] }

// CLIConfig is the CLI's profile configuration (CLI-1, CLI-4).
type CLIConfig uint8

// CLI configurations.
const (
	SSOSession CLIConfig = iota
	Legacy
)

var cliConfigNames = [...]string{"sso_session", "legacy"}

func (c CLIConfig) String() string { return cliConfigNames[c] }

// CLIClient is the program that holds the token: the AWS CLI or an SDK (CLI-2, CLI-5).
type CLIClient uint8

// CLI clients.
const (
	AWSCLI CLIClient = iota
	SDK
)

var cliClientNames = [...]string{"cli", "sdk"}

func (c CLIClient) String() string { return cliClientNames[c] }

// Device is one of a user's devices.
type Device struct {
	Name   string
	Kind   DeviceKind
	Config CLIConfig
	Client CLIClient
	// Browser names the browser device a CLI device logs in through, reusing its portal
	// session (UIS-9); empty, the CLI device signs in on its own.
	Browser string
}

// User is a person with an identity.
type User struct {
	Name        string
	Groups      []string
	Assignments []Assignment
	Devices     []Device
}

// Action is what a timeline event does.
type Action uint8

// Actions, as SPEC.md names them.
const (
	SignIn Action = iota
	SignOut
	OpenApp
	CloseApp
	Federate
	CLILogin
	CLILogout
	GetRoleCredentials
	StartCLIWorkload
	StopCLIWorkload
	StartJob
	EndSessions
	DisableUser
	EnableUser
	DeleteUser
	AddToGroup
	RemoveFromGroup
	AddAssignment
	RemoveAssignment
	RemoveAssignments
	SetPortalSession
	SetPermissionSetDuration
	EndBackgroundSession
	DenyUser
	AllowUser
	RevokeRoleSessions
	Offboard
	SetBackgroundSessionDuration
	EnableBackgroundSessions
	DisableBackgroundSessions
	// ActAsUser is an application of kind account_access obtaining role credentials as the
	// user (TTI-1).
	ActAsUser
	numActions
)

var actionNames = [...]string{
	"sign_in", "sign_out", "open_app", "close_app", "federate", "cli_login", "cli_logout",
	"get_role_credentials", "start_cli_workload", "stop_cli_workload", "start_job",
	"end_sessions", "disable_user", "enable_user", "delete_user", "add_to_group",
	"remove_from_group", "add_assignment", "remove_assignment", "remove_assignments",
	"set_portal_session", "set_permission_set_duration", "end_background_session",
	"deny_user", "allow_user", "revoke_role_sessions", "offboard",
	"set_background_session_duration", "enable_background_sessions", "disable_background_sessions",
	"act_as_user",
}

func (a Action) String() string { return actionNames[a] }

// Actions returns every action name, in order.
func Actions() []string { return append([]string(nil), actionNames[:]...) }

// ParseAction returns the action with the given name.
func ParseAction(name string) (Action, bool) {
	for i, n := range actionNames {
		if n == name {
			return Action(i), true
		}
	}
	return 0, false
}

// Where says where a user is disabled or enabled.
type Where uint8

// Places to disable a user.
const (
	AtIdentityCenter Where = iota
	AtIdP
)

var whereNames = [...]string{"identity_center", "idp"}

func (w Where) String() string { return whereNames[w] }

// Event is one entry of the timeline. Which fields an action uses is listed in SPEC.md.
type Event struct {
	At     time.Duration
	Action Action
	User   string
	// Group is the subject of add_to_group/remove_from_group, or the group whose assignment changes.
	Group         string
	Device        string
	Application   string
	Account       string
	PermissionSet string
	Where         Where
	// Duration is a job's length (start_job) or the new setting (set_portal_session, set_permission_set_duration).
	Duration time.Duration
	// Scheduled marks a start_job of an automated or scheduled workflow, not started by hand: it
	// gets no background session and rides on no session of the user's (BG-8).
	Scheduled bool
	// Playbook is the offboarding's steps (offboard); PlaybookName names it in reports.
	Playbook     []Step
	PlaybookName string
}

// Step is one step of a playbook: an admin action on the offboarded user, After the previous step.
type Step struct {
	After time.Duration
	Event Event
}

// Scenario is everything the engine needs to run, with references by name.
type Scenario struct {
	Name           string
	Start          time.Time
	Horizon        time.Duration
	Seed           uint64
	Replications   int
	Profile        Profile
	Switches       Switches
	Source         IdentitySource
	Settings       Settings
	Accounts       []string
	PermissionSets []PermissionSet
	Applications   []Application
	Groups         []Group
	Users          []User
	Events         []Event
	// Behaviours, Populations and Offboardings describe people statistically: the engine draws
	// their activity and the offboardings anew in each replication.
	Behaviours   []Behaviour
	Populations  []Population
	Offboardings []OffboardingPlan
	// Sweep, when set, lists candidate settings to compare (RunSweep).
	Sweep *Sweep
	// Policy is the organisation's controls; the engine carries them for the reports.
	Policy []Control
	// SHA256 is the hex digest of the scenario's source text, when it came from a file.
	SHA256 string
	// Warnings are what validation noticed without refusing the scenario.
	Warnings []string
}

// Control is one of the organisation's controls: Statistic of Channel's exposure must be within Within.
type Control struct {
	ID        string
	Channel   Channel
	Statistic string // max, mean, p50, p95, p99
	Within    time.Duration
	Text      string
	// Line and Column are where the control is written in the scenario file (1-based), for
	// outputs that point at it (SARIF); 0 when it was not read from a file.
	Line, Column int
}

var statistics = [...]string{"max", "mean", "p50", "p95", "p99"}

// Statistics returns the statistics a control may bound, in order.
func Statistics() []string { return append([]string(nil), statistics[:]...) }

// Channel is a kind of access whose exposure window is measured.
type Channel uint8

// Channels, as SPEC.md names them.
const (
	ChPortal Channel = iota
	ChSignIn
	ChAppNew
	ChAppExisting
	ChSAMLApp
	ChRoleNew
	ChRoleExisting
	ChCLIToken
	ChBackground
	ChKiro
	ChAppOnBehalf // TTI: an application with AWS account access obtaining role credentials as the user
	ChAny
	NumChannels
)

var channelNames = [...]string{"portal", "sign_in", "app_new", "app_existing", "saml_app", "role_new",
	"role_existing", "cli_token", "background", "kiro", "app_on_behalf", "any"}

func (c Channel) String() string { return channelNames[c] }

// ParseChannel returns the channel with the given name.
func ParseChannel(name string) (Channel, bool) {
	for i, n := range channelNames {
		if n == name {
			return Channel(i), true
		}
	}
	return 0, false
}

// Window is the exposure of one channel after one offboarding.
type Window struct {
	// Length is the time from the offboarding to the last instant the access existed (0 if never after it).
	Length time.Duration
	// Open says the access still existed at the horizon; Length is then measured to the horizon.
	Open bool
	// Evidence names what held the access last and the rule that let it.
	Evidence string
}

// Offboarding is one offboarding and its exposure windows.
type Offboarding struct {
	Replication int
	User        string
	At          time.Duration
	Playbook    string
	Windows     [NumChannels]Window
	// Notes explain windows, for example a provisioning run that enabled the user again (PROV-3).
	Notes []string
	// Sessions are the user's sessions that were live at the offboarding or started after it.
	Sessions []Span
	// Steps are the playbook's steps as they were carried out.
	Steps []StepMark
}

// Span is one session of an offboarded user, for timelines.
type Span struct {
	Kind  string // portal, app, saml, role, cli_token, job, kiro; app_token and jwt (TTI)
	Label string
	Start time.Duration
	End   time.Duration // the horizon when Open
	Open  bool          // still live at the horizon
}

// StepMark is a playbook step carried out at a time.
type StepMark struct {
	At     time.Duration
	Action string
}

// Counters are what a replication counted, for friction figures.
type Counters struct {
	SignInPrompts  int64 // interactive sign-ins (a credential prompt)
	SilentSignIns  int64 // sign-ins made silently through a live IdP session (UIS-7)
	CLILogins      int64
	Federations    int64
	Refederations  int64 // console federations into an account whose console session had expired (ROLE-6)
	KiroLogins     int64 // Kiro sign-ins (KIRO-1)
	JobsStarted    int64
	JobsKilled     int64 // jobs that failed because their session ended before they finished (BG-3, BG-4)
	RefusedActions int64 // user actions the rules refused (no session, no entitlement, disabled)
	// CollateralRoleSessions counts other users' role sessions that a revocation also killed (CUT-2).
	CollateralRoleSessions int64
}

// Results is what a run produced.
type Results struct {
	Scenario     *Scenario `json:"-"`
	Events       int64     // events processed, over all replications
	Offboardings []Offboarding
	Counters     Counters // summed over replications
	Warnings     []string
	// Replications are the replications run, in order, each with what it alone produced.
	Replications []Replication
}

// Replication is what one replication of a run produced, besides its offboardings' windows.
type Replication struct {
	Index    int
	Events   int64 // events processed
	Counters Counters
	// Offboardings is how many offboardings the replication measured: in Results.Offboardings,
	// they follow those of the replications before it.
	Offboardings int
	// Warnings are what the engine noticed in this replication.
	Warnings []string
}

// errorf is the error type of invalid scenarios given to the engine directly.
func errorf(format string, args ...any) error { return fmt.Errorf("sim: "+format, args...) }

// DistKind is the family of a distribution of durations.
type DistKind uint8

// Distribution families.
const (
	Fixed DistKind = iota
	Exponential
	LogNormal
	Uniform
)

var distKindNames = [...]string{"fixed", "exponential", "lognormal", "uniform"}

func (k DistKind) String() string { return distKindNames[k] }

// Dist is a distribution of durations: Fixed (A), Exponential (mean A), LogNormal (median A,
// shape Sigma) or Uniform (A to B).
type Dist struct {
	Kind  DistKind
	A, B  time.Duration
	Sigma float64
}

// Activity is something people do at random moments of their working hours, PerDay times a
// working day on average (a Poisson process), each time on one of Targets chosen at random.
type Activity struct {
	PerDay  float64
	Targets []Assignment
}

// Behaviour is how a kind of person works.
type Behaviour struct {
	Name string
	// Location is the time zone of the working hours.
	Location    *time.Location
	WorkingDays [7]bool // indexed by time.Weekday
	// DayStart and DayEnd are the working hours, as times of day in Location.
	DayStart, DayEnd time.Duration
	// ArrivalSpread: each day, a person starts at a moment uniform in [DayStart, DayStart+ArrivalSpread).
	ArrivalSpread time.Duration
	// SignOutProbability is the chance that a person signs out of the portal at the end of a day.
	SignOutProbability float64
	OpenApp            Activity // open_app from the browser
	Federate           Activity // federate from the browser
	CLI                Activity // get_role_credentials from the CLI device, logging in when needed
	// CLIWorkload, when set, runs a CLI workload on it through the working hours.
	CLIWorkload *Assignment
	Jobs        Activity // start_job from the browser; Targets are applications of kind jobs
	JobDuration Dist
	// Kiro, when set, is the Kiro application opened from the Kiro IDE at the start of each day
	// that has no Kiro session.
	Kiro string
	// ActAsUser, when set, is an application of kind account_access acting as the person.
	ActAsUser *OnBehalf
}

// OnBehalf is an application of kind account_access acting as a person (TTI-1) around the
// clock, as a server-side application does, not in working hours: PerDay times a day on average
// (a Poisson process), each time obtaining role credentials for one of Targets, accounts with
// permission sets, chosen at random.
type OnBehalf struct {
	Application string
	Activity
}

// Population is Count people of one behaviour, named Name-1 to Name-Count, with the same groups,
// assignments and devices.
type Population struct {
	Name        string
	Count       int
	Behaviour   string
	Groups      []string
	Assignments []Assignment
	Devices     []Device
}

// OffboardingPlan generates Count offboardings per replication at times uniform in [From, To],
// of people drawn without replacement from Population (or from every user when empty).
type OffboardingPlan struct {
	Count        int
	From, To     time.Duration
	Population   string
	Playbook     []Step
	PlaybookName string
}

// PopulationUser returns the name of the i-th person (from 1) of a population.
func PopulationUser(population string, i int) string {
	return fmt.Sprintf("%s-%d", population, i)
}
