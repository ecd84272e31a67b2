package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"idcsim/sim"
)

// The words of the format's enumerations.
var (
	sourceKinds       = enumOf(int(sim.ActiveDirectory), func(i int) string { return sim.SourceKind(i).String() })
	provisioningModes = enumOf(int(sim.ProvisioningPeriodic), func(i int) string { return sim.ProvisioningMode(i).String() })
	appKinds          = enumOf(int(sim.AccountAccess), func(i int) string { return sim.AppKind(i).String() })
	deviceKinds       = enumOf(int(sim.KiroIDE), func(i int) string { return sim.DeviceKind(i).String() })
	cliConfigs        = enumOf(int(sim.Legacy), func(i int) string { return sim.CLIConfig(i).String() })
	cliClients        = enumOf(int(sim.SDK), func(i int) string { return sim.CLIClient(i).String() })
	wheres            = enumOf(int(sim.AtIdP), func(i int) string { return sim.Where(i).String() })
)

func enumOf(last int, name func(int) string) []string {
	var out []string
	for i := 0; i <= last; i++ {
		out = append(out, name(i))
	}
	return out
}

// prop is one key of an object of the format.
type prop struct {
	name   string
	desc   string
	schema map[string]any
}

type object struct {
	name  string
	desc  string
	props []prop
}

func ref(def string) map[string]any { return map[string]any{"$ref": "#/definitions/" + def} }

func withDesc(s map[string]any, desc string) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	if _, isRef := out["$ref"]; isRef {
		// Older validators ignore siblings of $ref; wrap it so the description shows in editors.
		return map[string]any{"allOf": []any{s}, "description": desc}
	}
	out["description"] = desc
	return out
}

func str() map[string]any                 { return map[string]any{"type": "string"} }
func boolean() map[string]any             { return map[string]any{"type": "boolean"} }
func enum(values []string) map[string]any { return map[string]any{"type": "string", "enum": values} }
func listOf(item map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": item}
}

var formatObjects = sync.OnceValue(func() []object {
	dur := ref("duration")
	pos := ref("positive_duration")
	session := ref("session_duration")
	name := ref("name")
	durationDesc := "a duration: 15m, 8h, 90d, 1w, 12h30m, 30s or ISO 8601 (PT8H, P90D, P1DT2H); months, years and bare numbers are refused"
	return append([]object{
		{"scenario", "An idcsim scenario: an organisation, its IAM Identity Center settings and a timeline of actions. One YAML document per file; anchors, aliases, merge keys and tags other than the standard ones are refused.", []prop{
			{"name", "The scenario's name, shown in reports.", str()},
			{"start", "The simulated clock's origin, an RFC 3339 time. Default 2026-01-05T00:00:00Z (a Monday).", map[string]any{"type": "string", "format": "date-time"}},
			{"horizon", fmt.Sprintf("How long to simulate; at most %dd. Default 30d.", MaxHorizonDays), pos},
			{"seed", "The seed of the random phases and delays. Default 1.", map[string]any{"type": "integer", "minimum": 0}},
			{"replications", fmt.Sprintf("How many times to run the timeline with fresh random draws; 1 to %d. Default 1.", MaxReplications), map[string]any{"type": "integer", "minimum": 1, "maximum": MaxReplications}},
			{"profile", "The timing profile (docs/RULES.md). Default current.", enum(sim.ProfileNames())},
			{"switches", "Choices where the sources are silent or contradict each other (docs/RULES.md); each defaults to the longer exposure.", ref("switches")},
			{"timing", "Overrides of the profile's timing parameters, by name.", ref("timing")},
			{"identity_source", "Where users come from. Default identity_center.", ref("identity_source")},
			{"settings", "The instance's session settings.", ref("settings")},
			{"accounts", "The AWS accounts, by name.", listOf(name)},
			{"permission_sets", "The permission sets.", listOf(ref("permission_set"))},
			{"applications", "The applications users can be assigned.", listOf(ref("application"))},
			{"groups", "The groups with their assignments.", listOf(ref("group"))},
			{"users", fmt.Sprintf("The users; at most %d.", MaxUsers), map[string]any{"type": "array", "items": ref("user"), "maxItems": MaxUsers}},
			{"behaviours", "How kinds of people work: their working days and hours, and how often they open applications, federate, use the CLI, start jobs and use Kiro. Populations use them; the engine draws their activity anew in each replication.", listOf(ref("behaviour"))},
			{"populations", fmt.Sprintf("Groups of people described by a behaviour: COUNT people named NAME-1 to NAME-COUNT, who may also be named in events. Users and population people together are at most %d.", MaxUsers), listOf(ref("population"))},
			{"offboardings", "Offboardings generated in each replication: how many, between which times, of whom, with which playbook. They are measured like offboard events.", listOf(ref("offboarding_plan"))},
			{"events", fmt.Sprintf("The timeline, in any order; events at the same time keep their order in the file. At most %d.", MaxEvents), map[string]any{"type": "array", "items": ref("event"), "maxItems": MaxEvents}},
			{"playbooks", "Named offboarding playbooks: lists of steps. The names " + builtinPlaybook + " and " + inlinePlaybook + " are reserved.", map[string]any{"type": "object", "additionalProperties": listOf(ref("step"))}},
			{"policy", "The organisation's controls, checked against the exposure windows.", listOf(ref("control"))},
			{"sweep", "Candidate settings to compare with idcsim sweep: their exposure against friction, and which meet every control.", ref("sweep")},
		}},
		{"identity_source", "Where users come from.", []prop{
			{"kind", "identity_center (the default), external_idp or active_directory.", enum(sourceKinds)},
			{"idp_session", "external_idp: the IdP's own session length (UIS-6, UIS-7). Default 12h.", pos},
			{"session_not_on_or_after", "external_idp: whether the SAML assertion carries SessionNotOnOrAfter, so that the IdP session caps the portal and Kiro sessions (UIS-6, KIRO-2). Default false (the longer exposure); profile 2022-10 caps them always.", boolean()},
			{"provisioning", "external_idp: how the IdP carries changes into IAM Identity Center (PROV-2). Default periodic with the profile's scim_interval.", ref("provisioning")},
			{"ticket_lifetime", "active_directory: the Kerberos ticket lifetime that caps portal and Kiro sessions (UIS-8). Default: the profile's ad_ticket_lifetime.", pos},
			{"sync", "active_directory: how directory changes reach IAM Identity Center (PROV-4): classic (within the profile's ad_sync, 2h) or configurable (from ad_sync_min to ad_sync, 30m to 2h). Default classic.", enum(sim.ADSyncModes())},
		}},
		{"provisioning", "SCIM provisioning from an external IdP (PROV-2).", []prop{
			{"mode", "none, push (a small latency) or periodic (a cycle).", enum(provisioningModes)},
			{"latency", "push: the delay of each change. Default: the profile's scim_push_latency.", pos},
			{"interval", "periodic: the cycle. Default: the profile's scim_interval.", pos},
		}},
		{"settings", "The instance's session settings.", []prop{
			{"portal_session", "The access portal session duration (UIS-1): 15m..90d, or 15m..7d in profiles 2023-07 and 2022-10. Default 8h.", session},
			{"background_sessions", "Background sessions (BG-1): default enabled for 7d, 15m..90d; only in profile current.", ref("extended_sessions")},
			{"kiro_sessions", "Kiro extended sessions (KIRO-1): default enabled for 90d, at most 90d; only in profile current.", ref("extended_sessions")},
		}},
		{"extended_sessions", "An extended session setting.", []prop{
			{"enabled", "Whether the sessions exist.", boolean()},
			{"duration", "How long each lasts.", session},
		}},
		{"permission_set", "A permission set.", []prop{
			{"name", "Its name.", name},
			{"session_duration", "Its role session duration (ROLE-2): 1h..12h. Default 1h.", pos},
		}},
		{"application", "An application.", []prop{
			{"name", "Its name.", name},
			{"kind", "aws_managed (the default), saml, jobs (starts background jobs), kiro, or account_access: a customer-managed application with a trusted token issuer and AWS account access, which exchanges the JWTs the IdP issues for its users for IAM Identity Center tokens and obtains role credentials as them with their own account entitlements, no assignment needed (TTI-1; act_as_user). account_access needs an identity source of kind external_idp, the trusted token issuer, and profile current.", enum(appKinds)},
			{"session_duration", "saml only, and required there: how long the application keeps its own session (SAML-1).", pos},
			{"background_sessions", "jobs only: overrides the instance's background session setting for this application (BG-1).", boolean()},
			{"jwt_lifetime", "account_access only: how long a JWT the IdP issues to the application lives, and can be exchanged after the user is disabled at the IdP (TTI-2): 5m..24h. Default 1h.", pos},
		}},
		{"assignment", "An assignment: an application, or an account with a permission set.", []prop{
			{"account", "The account (with permission_set).", name},
			{"permission_set", "The permission set (with account).", name},
			{"application", "The application (alone).", name},
		}},
		{"group", "A group.", []prop{
			{"name", "Its name.", name},
			{"assignments", "What its members are entitled to.", listOf(ref("assignment"))},
		}},
		{"user", "A user.", []prop{
			{"name", "Their name.", name},
			{"groups", "The groups they belong to at the start.", listOf(name)},
			{"assignments", "Their direct assignments.", listOf(ref("assignment"))},
			{"devices", "Their devices.", listOf(ref("device"))},
		}},
		{"device", "One of a user's devices.", []prop{
			{"name", "Its name, unique for the user.", name},
			{"kind", "browser (the default), cli or kiro.", enum(deviceKinds)},
			{"config", "cli only: sso_session (the default; CLI-1) or legacy (an 8h token without refresh; CLI-4).", enum(cliConfigs)},
			{"client", "cli only: cli (the AWS CLI, the default) or sdk (CLI-2, CLI-5).", enum(cliClients)},
			{"browser", "cli only: the browser device (of the same user) it logs in through, reusing that device's portal session without extending it; without it the CLI device signs in on its own (UIS-9).", name},
		}},
		{"event", "One event of the timeline.", []prop{
			{"at", "When: an offset from start (" + durationDesc + ") or an RFC 3339 time; within the horizon.", ref("at")},
			{"action", "What happens.", enum(sim.Actions())},
			{"user", "The user who acts or is acted on: a user, or a population's person (NAME-i).", name},
			{"device", "The user's device: browser for sign_in, sign_out, open_app, federate, start_job; cli for cli_login, cli_logout, get_role_credentials, start_cli_workload, stop_cli_workload; kiro for open_app of a kiro application; any for end_sessions. close_app (the user signs out of an application) takes none.", name},
			{"application", "The application (open_app, close_app, start_job, add_assignment, remove_assignment, end_background_session; enable_background_sessions and disable_background_sessions, optional, an application of kind jobs: that application only, otherwise the instance; act_as_user: an application of kind account_access, which obtains role credentials as the user, TTI-1).", name},
			{"account", "The account (federate, get_role_credentials, start_cli_workload, stop_cli_workload, act_as_user, add_assignment, remove_assignment).", name},
			{"permission_set", "The permission set (with account; and set_permission_set_duration, revoke_role_sessions).", name},
			{"group", "The group (add_to_group, remove_from_group; or the group whose assignment changes).", name},
			{"where", "disable_user, enable_user: identity_center (the default) or idp: at the external IdP (PROV-1), or in the directory of an active_directory source, carried over by the next AD sync (PROV-4); refused for an identity_center source.", enum(wheres)},
			{"duration", "start_job: the job's length; set_portal_session, set_permission_set_duration, set_background_session_duration (within the profile's background range, BG-1, BG-5): the new setting.", pos},
			{"scheduled", "start_job: true for an automated or scheduled workflow, which gets no background session and rides on no session of the user's (BG-8). Default false: a job started by hand.", boolean()},
			{"playbook", "offboard: the name of a playbook, " + builtinPlaybook + " (CUT-4), or a list of steps written in place ([] changes nothing).", map[string]any{"anyOf": []any{name, listOf(ref("step"))}}},
		}},
		{"step", "A playbook step: an admin action on the offboarded user.", []prop{
			{"after", "The delay after the previous step (or the offboarding). Default 0s.", dur},
			{"action", "What the step does.", enum(stepActions())},
			{"device", "end_sessions: only this device's portal session.", name},
			{"application", "remove_assignment, add_assignment, end_background_session: the application.", name},
			{"account", "remove_assignment, add_assignment: the account.", name},
			{"permission_set", "remove_assignment, add_assignment: with account; revoke_role_sessions.", name},
			{"group", "add_to_group, remove_from_group.", name},
			{"where", "disable_user, enable_user: identity_center (the default) or idp (the external IdP, or the Active Directory).", enum(wheres)},
		}},
		{"behaviour", "How a kind of person works. Each working day a person signs in from their browser at the start (within arrival_spread), opens Kiro if the behaviour names it, starts the CLI workload, then does the day's activities at random moments (a Poisson process at the summed rates, each activity chosen in proportion to its rate), and at the end stops the workload and may sign out. An application that acts as them (act_as_user) does so day and night.", []prop{
			{"name", "Its name, for populations.", name},
			{"time_zone", "The IANA time zone of the working hours, such as Europe/Berlin or America/New_York; working hours follow its daylight saving time. Default UTC.", str()},
			{"working_days", "The days people work: mon, tue, wed, thu, fri, sat, sun (or the full names). Default mon to fri; at least one.", map[string]any{"type": "array", "items": enum(append(append([]string(nil), weekdays...), weekdayNames...)), "minItems": 1, "uniqueItems": true}},
			{"working_hours", "The working day, as times of day in time_zone. Default 9h to 17h.", ref("working_hours")},
			{"arrival_spread", "Each day, a person starts at a moment uniform within this much after the start of the working hours (the day keeps its length). Less than 1d. Default 0s.", dur},
			{"sign_out", "The probability, 0 to 1, that a person signs out of the portal at the end of a working day (UIS-3); otherwise the session runs to its end. Default 0.", map[string]any{"type": "number", "minimum": 0, "maximum": 1}},
			{"open_app", "Opening an application from the browser (AWS managed or SAML; not jobs or kiro).", ref("app_activity")},
			{"federate", "Federating into an account from the browser (a console role session, ROLE-1).", ref("role_activity")},
			{"cli", "A CLI command that needs role credentials (get_role_credentials) from the person's cli device, logging in first when the CLI asks (CLI-1, CLI-2, CLI-5).", ref("role_activity")},
			{"cli_workload", "A CLI workload that runs on this account and permission set through each working day from the cli device (CLI-5, ROLE-5).", ref("role_target")},
			{"jobs", "Starting a job in an application of kind jobs from the browser (BG-1).", ref("jobs_activity")},
			{"kiro", "An application of kind kiro, opened from the person's kiro device at the start of each working day that has no Kiro session (KIRO-1).", name},
			{"act_as_user", "An application of kind account_access obtaining role credentials as the person (act_as_user, TTI-1), around the clock: a server-side application keeps no working hours.", ref("on_behalf_activity")},
		}},
		{"working_hours", "The working hours of a day, as times of day: a duration from midnight (9h, 17h30m) or HH:MM; start before end, end at most 24h.", []prop{
			{"start", "When the working day starts. Default 9h.", ref("time_of_day")},
			{"end", "When it ends. Default 17h.", ref("time_of_day")},
		}},
		{"app_activity", "An activity on applications.", []prop{
			{"per_day", fmt.Sprintf("How many times a working day, on average: 0 to %d.", maxPerDay), map[string]any{"type": "number", "minimum": 0, "maximum": maxPerDay}},
			{"applications", "The applications, each time one chosen at random; needed when per_day is more than 0.", listOf(name)},
		}},
		{"role_activity", "An activity on accounts with permission sets.", []prop{
			{"per_day", fmt.Sprintf("How many times a working day, on average: 0 to %d.", maxPerDay), map[string]any{"type": "number", "minimum": 0, "maximum": maxPerDay}},
			{"targets", "The accounts with permission sets, each time one chosen at random; needed when per_day is more than 0.", listOf(ref("role_target"))},
		}},
		{"jobs_activity", "Starting jobs.", []prop{
			{"per_day", fmt.Sprintf("How many jobs a working day, on average: 0 to %d.", maxPerDay), map[string]any{"type": "number", "minimum": 0, "maximum": maxPerDay}},
			{"applications", "Applications of kind jobs, each time one chosen at random; needed when per_day is more than 0.", listOf(name)},
			{"duration", "How long each job runs: a duration, or a distribution; needed when per_day is more than 0.", ref("distribution")},
		}},
		{"on_behalf_activity", "An application acting as a person, at random moments of every day and night (a Poisson process).", []prop{
			{"application", "The application, of kind account_access.", name},
			{"per_day", fmt.Sprintf("How many times a day (24 hours), on average: 0 to %d.", maxPerDay), map[string]any{"type": "number", "minimum": 0, "maximum": maxPerDay}},
			{"targets", "The accounts with permission sets it obtains role credentials for, each time one chosen at random; needed when per_day is more than 0.", listOf(ref("role_target"))},
		}},
		{"role_target", "An account with a permission set.", []prop{
			{"account", "The account.", name},
			{"permission_set", "The permission set.", name},
		}},
		{"distribution", "A distribution of durations: write a duration for a fixed value, or exactly one of these.", []prop{
			{"exponential", "Exponential with the given mean.", ref("exponential")},
			{"lognormal", "Log-normal with the given median and shape sigma.", ref("lognormal")},
			{"uniform", "Uniform between min and max.", ref("uniform")},
		}},
		{"exponential", "An exponential distribution.", []prop{
			{"mean", "Its mean.", pos},
		}},
		{"lognormal", "A log-normal distribution.", []prop{
			{"median", "Its median.", pos},
			{"sigma", fmt.Sprintf("The standard deviation of the logarithm: 0 to %g; 1 puts the 90th percentile at about 3.6 times the median.", maxSigma), map[string]any{"type": "number", "minimum": 0, "maximum": maxSigma}},
		}},
		{"uniform", "A uniform distribution.", []prop{
			{"min", "Its least value.", dur},
			{"max", "Its greatest value; at least min.", pos},
		}},
		{"population", "COUNT people of one behaviour, named NAME-1 to NAME-COUNT, with the same groups, assignments and devices. No user may have one of their names.", []prop{
			{"name", "Its name, the stem of its people's names.", name},
			{"count", fmt.Sprintf("How many people: 1 to %d.", MaxUsers), map[string]any{"type": "integer", "minimum": 1, "maximum": MaxUsers}},
			{"behaviour", "The behaviour of its people.", name},
			{"groups", "The groups its people belong to at the start.", listOf(name)},
			{"assignments", "Its people's direct assignments.", listOf(ref("assignment"))},
			{"devices", "Each person's devices: a browser to sign in, open applications, federate and start jobs; a cli device for cli and cli_workload; a kiro device for kiro.", listOf(ref("device"))},
		}},
		{"offboarding_plan", "Offboardings generated in each replication, at times uniform between from and to, of people drawn without repeats.", []prop{
			{"count", "How many in each replication; at most the number of people to draw from.", map[string]any{"type": "integer", "minimum": 1}},
			{"from", "The earliest time: an offset from start or an RFC 3339 time. Default 0s.", ref("at")},
			{"to", "The latest time, within the horizon. Default the horizon.", ref("at")},
			{"population", "The population to draw from. Default: every user and every population's people.", name},
			{"playbook", "The name of a playbook, " + builtinPlaybook + " (CUT-4), or a list of steps written in place ([] changes nothing). Steps cannot name a device.", map[string]any{"anyOf": []any{name, listOf(ref("step"))}}},
		}},
		{"control", "A control: a statistic of a channel's exposure must be within a limit.", []prop{
			{"id", "The control's identifier, such as OFF-1.", name},
			{"channel", "The channel whose exposure is measured.", enum(channelNames())},
			{"statistic", "max (the default), mean, p50, p95 or p99.", enum(sim.Statistics())},
			{"within", "The limit.", dur},
			{"text", "The control in words.", str()},
		}},
	}, sweepObjects(pos, name)...)
})

func stepActions() []string {
	var out []string
	for _, a := range sim.Actions() {
		if x, _ := sim.ParseAction(a); x.Spec().Step {
			out = append(out, a)
		}
	}
	return out
}

// keysOf returns the keys of an object of the format.
func keysOf(obj string) []string {
	for _, o := range formatObjects() {
		if o.name == obj {
			keys := make([]string, len(o.props))
			for i, p := range o.props {
				keys[i] = p.name
			}
			return keys
		}
	}
	return nil
}

// durationPattern is the duration grammar of sim.ParseDuration as a regular expression that
// JSON Schema validators of every dialect read (no lookaround): the short form with units from
// weeks to seconds, each at most once and from the largest to the smallest, or ISO 8601 with
// weeks, days, hours, minutes and seconds. Whole seconds, which it cannot say, are left to idcsim.
var durationPattern = func() string {
	n := `[0-9]+(\.[0-9]+)?`
	u := func(unit string) string { return n + unit }
	opt := func(unit string) string { return "(" + u(unit) + ")?" }
	short := u("w") + opt("d") + opt("h") + opt("m") + opt("s") + "|" +
		u("d") + opt("h") + opt("m") + opt("s") + "|" +
		u("h") + opt("m") + opt("s") + "|" + u("m") + opt("s") + "|" + u("s")
	clock := "T(" + u("H") + opt("M") + opt("S") + "|" + u("M") + opt("S") + "|" + u("S") + ")"
	iso := "P((" + u("W") + opt("D") + "|" + u("D") + ")(" + clock + ")?|" + clock + ")"
	return "^(" + short + "|" + iso + ")$"
}()

// overNinetyDays matches the plain ways of writing more than 90 days (days, weeks, hours, ISO
// days), which no range of docs/RULES.md allows for a portal, background or Kiro session.
const overNinetyDays = `^((9[1-9]|[1-9][0-9]{2,})d|(1[3-9]|[2-9][0-9]|[1-9][0-9]{2,})w|(216[1-9]|21[7-9][0-9]|2[2-9][0-9]{2}|[3-9][0-9]{3}|[1-9][0-9]{4,})h|P(9[1-9]|[1-9][0-9]{2,})D)$`

// Schema returns a draft-07 JSON Schema of the scenario format, as indented JSON.
func Schema() []byte {
	defs := map[string]any{
		"duration": map[string]any{
			"type":        "string",
			"pattern":     durationPattern,
			"description": "A duration: 15m, 8h, 90d, 1w, 12h30m, 1d9h5m, 30s, or ISO 8601 PT8H, P90D, P1DT2H, PT30M. Units must go from the largest to the smallest. Months and years are not accepted because their length varies; bare numbers and negative durations are refused.",
		},
		"positive_duration": map[string]any{
			"allOf":       []any{ref("duration"), map[string]any{"not": map[string]any{"type": "string", "pattern": "^[^1-9]*$"}}},
			"description": "A duration longer than 0s.",
		},
		"session_duration": map[string]any{
			"allOf":       []any{ref("positive_duration"), map[string]any{"not": map[string]any{"type": "string", "pattern": overNinetyDays}}},
			"description": "A session duration: longer than 0s and at most 90d (the profile may allow less).",
		},
		"name": map[string]any{
			"anyOf":       []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}},
			"description": "A name: printable, without spaces at either end, at most 200 characters.",
		},
		"time_of_day": map[string]any{
			"anyOf":       []any{ref("duration"), map[string]any{"type": "string", "pattern": `^([01]?[0-9]|2[0-3]):[0-5][0-9]$|^24:00$`}},
			"description": "A time of day: a duration from midnight (9h, 17h30m) or HH:MM (17:30).",
		},
		"at": map[string]any{
			"anyOf":       []any{ref("duration"), map[string]any{"type": "string", "format": "date-time"}},
			"description": "An offset from start, or an RFC 3339 time.",
		},
	}
	switches := map[string]any{}
	for _, s := range sim.SwitchNames() {
		switches[s] = map[string]any{"type": "boolean", "description": switchDesc[s]}
	}
	defs["switches"] = map[string]any{"type": "object", "properties": switches, "additionalProperties": false,
		"description": "Switches of docs/RULES.md, by name."}
	timing := map[string]any{}
	for _, t := range sim.TimingNames() {
		desc, d := "Overrides the profile's "+t+"; must be positive.", ref("positive_duration")
		if sim.TimingMayBeZero(t) {
			desc, d = "Overrides the profile's "+t+"; 0 turns the mechanism off.", ref("duration")
		}
		timing[t] = withDesc(d, desc)
	}
	defs["timing"] = map[string]any{"type": "object", "properties": timing, "additionalProperties": false,
		"description": "Overrides of the profile's timing parameters."}
	var top map[string]any
	for _, o := range formatObjects() {
		props := map[string]any{}
		for _, p := range o.props {
			props[p.name] = withDesc(p.schema, p.desc)
		}
		s := map[string]any{"type": "object", "description": o.desc, "properties": props, "additionalProperties": false}
		if req := requiredKeys[o.name]; req != nil {
			s["required"] = req
		}
		if o.name == "scenario" {
			top = s
			continue
		}
		if o.name == "distribution" {
			s["minProperties"], s["maxProperties"] = 1, 1
			s = map[string]any{"anyOf": []any{ref("duration"), s}, "description": o.desc}
		}
		defs[o.name] = s
	}
	top["$schema"] = "http://json-schema.org/draft-07/schema#"
	top["title"] = "idcsim scenario"
	top["definitions"] = defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(top); err != nil {
		return nil
	}
	return buf.Bytes()
}

var requiredKeys = map[string][]string{
	"permission_set":     {"name"},
	"application":        {"name"},
	"group":              {"name"},
	"user":               {"name"},
	"device":             {"name"},
	"event":              {"at", "action"},
	"step":               {"action"},
	"control":            {"id", "channel", "within"},
	"provisioning":       {"mode"},
	"behaviour":          {"name"},
	"app_activity":       {"per_day"},
	"role_activity":      {"per_day"},
	"jobs_activity":      {"per_day"},
	"on_behalf_activity": {"application", "per_day"},
	"role_target":        {"account", "permission_set"},
	"exponential":        {"mean"},
	"lognormal":          {"median", "sigma"},
	"uniform":            {"min", "max"},
	"population":         {"name", "count", "behaviour"},
	"offboarding_plan":   {"count", "playbook"},
}

var switchDesc = map[string]string{
	"disable_ends_portal_sessions":       "UIS-5: disabling a user ends their portal sessions at once (table T1's reading). Default false (the revocation page's reading, the longer exposure): a disabled user's live portal sessions and CLI tokens go on, and through them the user can still obtain role credentials while entitled; a delete always ends them.",
	"cli_token_survives_session_end":     "CLI-3: an issued CLI access token stays usable to its expiry after the portal session ends. Default true.",
	"disable_ends_background_sessions":   "BG-6: disabling or deleting a user ends their background sessions. Default false.",
	"user_actions_end_kiro_sessions":     "KIRO-3: end session, disable and delete end Kiro sessions. Default false.",
	"last_assignment_ends_role_sessions": "Removing a user's last assignment to an account (which deletes the role) kills live credentials. Default false.",
	"disable_revokes_exchanged_tokens":   "TTI-4: disabling or deleting a user in IAM Identity Center revokes at once the access tokens that applications with AWS account access exchanged their JWTs for; false lets them live to their 1h expiry. Default false.",
}
