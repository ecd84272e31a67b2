package sim

import "time"

// Audit is one thing that happened in a replication, as an audit log would show it: a
// user's sign-in, token or credentials, a use of role credentials, an application's exchange of
// a user's token, or an administrator's action on a user. Options.Audit receives them.
type Audit struct {
	At   time.Duration // since the scenario's start
	Kind AuditKind
	User string
	// Device is the user's device (empty for admin actions).
	Device string
	// Account and PermissionSet are the role of a federation or role credentials, or the
	// assignment removed; Group the group of a membership or assignment change.
	Account, PermissionSet, Group string
	// Duration is how long what was issued lasts: role credentials' duration, an access
	// token's lifetime.
	Duration time.Duration
	// Where says where a user was disabled or enabled.
	Where Where
	// Provisioned marks a user enabled or disabled in IAM Identity Center by the identity
	// source's provisioning (PROV-2, PROV-3), not by an administrator.
	Provisioned bool
	// Refused marks a request that reached AWS and was refused: a sign-in of a user disabled or
	// deleted in IAM Identity Center, a CLI login or refresh, a federation, role credentials or
	// an exchange the rules refuse, a call of a role session blocked by a deny policy (CUT-1).
	Refused bool
	// Issued is when the role session of an AuditRoleUse was issued; Console says it is a
	// console session (a federation's).
	Issued  time.Duration
	Console bool
	// App is the application of kind account_access that acts as the user (TTI-1): in an
	// AuditExchange, and in the AuditRoleCredentials and AuditRoleUse of the credentials it
	// obtains.
	App string
}

// AuditKind is what an Audit is.
type AuditKind uint8

// Kinds of audited activity.
const (
	AuditSignIn          AuditKind = iota // a portal session starts (UIS-1)
	AuditSignOut                          // a portal session is signed out (UIS-3)
	AuditCLILogin                         // an access token is issued to a CLI (CLI-1, CLI-4)
	AuditTokenRefresh                     // an access token is refreshed (CLI-2)
	AuditFederate                         // console role credentials are issued (ROLE-1)
	AuditRoleCredentials                  // role credentials are issued to a CLI (ROLE-1)
	AuditDisableUser
	AuditEnableUser
	AuditDeleteUser
	AuditEndSessions
	AuditRemoveFromGroup
	AuditRemoveAssignment
	// AuditRoleUse is a call made with role credentials: where the engine hands live credentials
	// to something that uses them (a CLI command or workload given cached or new credentials,
	// CLI-5; the console on federating, ROLE-1; an application's credentials, TTI-1). The engine
	// has no finer model of API calls: one use is audited each time.
	AuditRoleUse
	AuditExchange // an application exchanges a user's JWT for an access token (TTI-1, TTI-2)
	AuditDenyUser // a deny policy keyed on the user is put in place (CUT-1)
	AuditAllowUser
	AuditRevokeRoleSessions // a deny on aws:TokenIssueTime is added to a permission set (CUT-2)
	numAuditKinds
)

var auditKindNames = [numAuditKinds]string{"sign_in", "sign_out", "cli_login", "token_refresh",
	"federate", "role_credentials", "disable_user", "enable_user", "delete_user", "end_sessions",
	"remove_from_group", "remove_assignment", "role_use", "exchange", "deny_user", "allow_user",
	"revoke_role_sessions"}

func (k AuditKind) String() string { return auditKindNames[k] }

// adminAudit is the activity of each admin action that an audit log shows.
var adminAudit = map[Action]AuditKind{
	DisableUser: AuditDisableUser, EnableUser: AuditEnableUser, DeleteUser: AuditDeleteUser,
	EndSessions: AuditEndSessions, RemoveFromGroup: AuditRemoveFromGroup, RemoveAssignment: AuditRemoveAssignment,
	DenyUser: AuditDenyUser, AllowUser: AuditAllowUser, RevokeRoleSessions: AuditRevokeRoleSessions,
}

// emit reports an activity of user u on device dev (or -1) about target t (or noTarget). Callers
// check w.record first, so that a run without Options.Audit pays only that check.
func (w *world) emit(kind AuditKind, u, dev int32, t target, d time.Duration) {
	a := Audit{At: w.now, Kind: kind, Duration: d}
	if u >= 0 {
		a.User = w.m.userName(u)
	}
	if dev >= 0 {
		a.Device = w.m.deviceName(dev)
	}
	a.Account, a.PermissionSet = w.m.role(t)
	w.record(a)
}

// role returns the account and permission set of a role target, or empty strings.
func (m *model) role(t target) (account, permSet string) {
	if t == noTarget || m.isApp(t) {
		return "", ""
	}
	i := int(t) - len(m.apps)
	return m.accounts[i/len(m.permSets)], m.permSets[i%len(m.permSets)].Name
}

// emitProvisioned reports a provisioning run enabling or disabling user u.
func (w *world) emitProvisioned(kind AuditKind, u int32) {
	w.record(Audit{At: w.now, Kind: kind, User: w.m.userName(u), Provisioned: true})
}

// emitAdmin reports the admin action of step s, when an audit log shows it.
func (w *world) emitAdmin(s *step) {
	kind, ok := adminAudit[s.action]
	if !ok {
		return
	}
	a := Audit{At: w.now, Kind: kind, Where: s.where}
	if s.user >= 0 {
		a.User = w.m.userName(s.user)
	}
	if s.group >= 0 {
		a.Group = w.sc.Groups[s.group].Name
	}
	a.Account, a.PermissionSet = w.m.role(s.target)
	if s.action == RevokeRoleSessions {
		a.PermissionSet = w.m.permSets[s.permSet].Name
	}
	w.record(a)
}

// emitRefused reports a request of user u on device dev (or -1) about target t (or noTarget)
// that reached AWS and was refused.
func (w *world) emitRefused(kind AuditKind, u, dev int32, t target) {
	a := Audit{At: w.now, Kind: kind, User: w.m.userName(u), Refused: true}
	if dev >= 0 {
		a.Device = w.m.deviceName(dev)
	}
	a.Account, a.PermissionSet = w.m.role(t)
	w.record(a)
}

// emitUse reports a call made with role session r, by application app (or noTarget): refused
// when a deny policy on its user is in force (CUT-1).
func (w *world) emitUse(r int32, app target) {
	rs := &w.roles[r]
	a := Audit{At: w.now, Kind: AuditRoleUse, User: w.m.userName(rs.user), Issued: rs.issued,
		Duration: rs.end - rs.issued, Console: rs.console, Refused: w.users[rs.user].denied}
	if rs.device >= 0 {
		a.Device = w.m.deviceName(rs.device)
	}
	if app != noTarget {
		a.App = w.m.apps[app].Name
	}
	a.Account, a.PermissionSet = w.m.role(rs.target)
	w.record(a)
}

// emitAppCredentials reports application app's request for role credentials for t as user u
// (TTI-1), lasting d, or refused.
func (w *world) emitAppCredentials(u int32, app, t target, d time.Duration, refused bool) {
	a := Audit{At: w.now, Kind: AuditRoleCredentials, User: w.m.userName(u), App: w.m.apps[app].Name, Duration: d, Refused: refused}
	a.Account, a.PermissionSet = w.m.role(t)
	w.record(a)
}

// signInReachesAWS says whether a refused sign-in of user u reaches IAM Identity Center, whose
// logs show it: always, but with an external IdP that refuses the user itself (PROV-1).
func (w *world) signInReachesAWS(u int32) bool {
	return w.sc.Source.Kind != ExternalIdP || w.users[u].enabledIdP
}

// emitExchange reports application app's exchange of user u's JWT (TTI-1), refused or not.
func (w *world) emitExchange(u int32, app target, d time.Duration, refused bool) {
	w.record(Audit{At: w.now, Kind: AuditExchange, User: w.m.userName(u), App: w.m.apps[app].Name, Duration: d, Refused: refused})
}
