package sim

import "time"

// Audit is one thing that happened in a replication, as an audit log would show it: a
// user's sign-in, token or credentials, or an administrator's action on a user. Options.Audit
// receives them.
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
	numAuditKinds
)

var auditKindNames = [numAuditKinds]string{"sign_in", "sign_out", "cli_login", "token_refresh",
	"federate", "role_credentials", "disable_user", "enable_user", "delete_user", "end_sessions",
	"remove_from_group", "remove_assignment"}

func (k AuditKind) String() string { return auditKindNames[k] }

// adminAudit is the activity of each admin action that an audit log shows.
var adminAudit = map[Action]AuditKind{
	DisableUser: AuditDisableUser, EnableUser: AuditEnableUser, DeleteUser: AuditDeleteUser,
	EndSessions: AuditEndSessions, RemoveFromGroup: AuditRemoveFromGroup, RemoveAssignment: AuditRemoveAssignment,
}

// emit reports an activity of user u on device dev (or -1) about target t (or noTarget). Callers
// check w.record first, so that a run without Options.Audit pays only that check.
func (w *world) emit(kind AuditKind, u, dev int32, t target, d time.Duration) {
	a := Audit{At: w.now, Kind: kind, Duration: d}
	if u >= 0 {
		a.User = w.m.users[u].name
	}
	if dev >= 0 {
		a.Device = w.m.devices[dev].name
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
	w.record(Audit{At: w.now, Kind: kind, User: w.m.users[u].name, Provisioned: true})
}

// emitAdmin reports the admin action of step s, when an audit log shows it.
func (w *world) emitAdmin(s *step) {
	kind, ok := adminAudit[s.action]
	if !ok {
		return
	}
	a := Audit{At: w.now, Kind: kind, Where: s.where}
	if s.user >= 0 {
		a.User = w.m.users[s.user].name
	}
	if s.group >= 0 {
		a.Group = w.sc.Groups[s.group].Name
	}
	a.Account, a.PermissionSet = w.m.role(s.target)
	w.record(a)
}
