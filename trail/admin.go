package trail

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"idcsim/sim"
)

// admin reads an administrator's action on a user (SPEC.md's table: identitystore,
// sso-directory and sso admin events, session deletions, deny policies) and says whether the
// record was one. An action that failed (an error code) did nothing and is passed over.
func (b *Builder) admin(rec *Record) bool {
	src, name := rec.EventSource, rec.EventName
	if !adminSource(src) && !policyEvent(src, name) {
		return false // most records: the admin event below is not made for them
	}
	rp := &rec.RequestParameters
	by := rec.UserIdentity.ARN
	if by == "" {
		by = rec.UserIdentity.UserName
	}
	if by == "" {
		by = rec.UserIdentity.Type
	}
	ae := AdminEvent{Ev: evidenceOf(rec), By: by, Event: strings.TrimSuffix(src, ".amazonaws.com") + ":" + name}
	on := func(userID string, a sim.Action) {
		if userID == "" {
			b.Ignored++
			return
		}
		ae.Action, ae.UserID = a, userID
		f := b.frag(b.key(Who{ID: userID}))
		f.admin = append(f.admin, ae)
	}
	if policyEvent(src, name) {
		switch {
		case rec.ErrorCode != "":
		case name == "DetachPolicy" || name == "DeletePolicy":
			if id := policyID(rec.Raw, false); id != "" {
				b.denies = append(b.denies, denyCandidate{ev: ae.Ev, by: ae.By, lift: true, policy: id})
			}
		default:
			b.deny(rec, ae)
		}
		return true
	}
	if rec.ErrorCode != "" {
		if src == srcSSO && userEvents[name] {
			return false // a user's refused attempt, not a failed administration
		}
		b.Ignored++
		return true
	}
	switch {
	case name == "DisableUser" && src == srcDirectory:
		on(rp.UserID, sim.DisableUser)
	case name == "EnableUser" && src == srcDirectory:
		on(rp.UserID, sim.EnableUser)
	case name == "DeleteUser":
		on(rp.UserID, sim.DeleteUser)
	case name == "UpdateUser" || name == "PatchUser":
		switch active(rec) {
		case "false":
			on(rp.UserID, sim.DisableUser)
		case "true":
			on(rp.UserID, sim.EnableUser)
		default:
			b.Ignored++
		}
	case name == "CreateUser" && src == srcIdentityStore:
		b.Link(rec.ResponseElements.UserID, rp.UserName)
	case name == "RemoveMemberFromGroup":
		ae.Group = rp.GroupID
		on(memberUserID(rp.MemberID, rp.Member), sim.RemoveFromGroup)
	case name == "CreateGroupMembership":
		if id := rec.ResponseElements.MembershipID; id != "" {
			b.memberships[id] = [2]string{memberUserID(rp.MemberID, rp.Member), rp.GroupID}
		}
	case name == "DeleteGroupMembership":
		b.delMember = append(b.delMember, pendingAdmin{rp.MembershipID, ae})
	case name == "DeleteAccountAssignment" && src == srcSSO:
		if !strings.EqualFold(rp.PrincipalType, "USER") {
			b.Ignored++ // a group's assignment: not about one user
			return true
		}
		ae.Account, ae.PermissionSet = rp.TargetID, rp.PermissionSetARN
		on(rp.PrincipalID, sim.RemoveAssignment)
	case name == "ListSessions" && src == srcStoreAuth:
		if rp.UserID != "" {
			b.listed = append(b.listed, listing{by, rp.UserID, rec.Time})
		}
	case strings.HasPrefix(name, "BatchDeleteSession") || name == "DeleteSession" || name == "DeleteUserSessions":
		if rp.UserID != "" {
			on(rp.UserID, sim.EndSessions)
		} else {
			b.delSessions = append(b.delSessions, pendingAdmin{by, ae})
		}
	default:
		if src == srcSSO {
			return false // the access portal and other sso events are the users'
		}
		b.Ignored++
	}
	return true
}

// adminSource says whether records of the source are administrators' (sso.amazonaws.com
// carries both: its admin events are named above, the others are the users').
// userEvents are the events of sso.amazonaws.com that users make, not administrators: refused,
// they are attempts to get in.
var userEvents = map[string]bool{"Authenticate": true, "Federate": true, "GetRoleCredentials": true, "Logout": true,
	"CreateToken": true, "ListAccounts": true, "ListAccountRoles": true}

func adminSource(src string) bool {
	return src == srcDirectory || src == srcIdentityStore || src == srcSCIM || src == srcStoreAuth || src == srcSSO
}

// policyEvent says whether the event writes a policy that could deny a user: an SCP, an IAM
// policy, a permission set's inline policy.
func policyEvent(src, name string) bool {
	switch src {
	case srcOrganizations:
		return name == "CreatePolicy" || name == "UpdatePolicy" || name == "DetachPolicy" || name == "DeletePolicy"
	case srcIAM:
		return name == "PutRolePolicy" || name == "CreatePolicy" || name == "CreatePolicyVersion"
	case srcSSO:
		return name == "PutInlinePolicyToPermissionSet"
	}
	return false
}

// tokenIssueTime is the condition key of a revocation of role sessions (CUT-2).
var tokenIssueTime = []byte("aws:TokenIssueTime")

// idPattern matches identity-store user IDs: a UUID, with a 10-digit prefix in some stores.
var idPattern = regexp.MustCompile(`\b(?:[0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// deny keeps a policy that denies by identity-store user ID, with the IDs it names: the users
// are known once every record is read; and a permission set's inline policy that denies by
// aws:TokenIssueTime, a revocation of its role sessions (CUT-2).
func (b *Builder) deny(rec *Record, ae AdminEvent) {
	raw := rec.Raw
	if rec.EventName == "PutInlinePolicyToPermissionSet" && bytes.Contains(raw, []byte("Deny")) && bytes.Contains(raw, tokenIssueTime) {
		ae.Action, ae.PermissionSet = sim.RevokeRoleSessions, rec.RequestParameters.PermissionSetARN
		b.revokes = append(b.revokes, ae)
		return
	}
	if !bytes.Contains(raw, []byte("Deny")) || !bytes.Contains(raw, userIDKey) && !bytes.Contains(raw, userIDKeyURL) {
		return
	}
	var ids []string
	for _, m := range idPattern.FindAll(raw, 100) {
		if s := string(m); !strings.Contains(rec.EventID, s) && !slices.Contains(ids, s) {
			ids = append(ids, s)
		}
	}
	if len(ids) > 0 {
		d := denyCandidate{ev: ae.Ev, by: ae.By, ids: ids}
		if rec.EventSource == srcOrganizations {
			d.policy = policyID(raw, rec.EventName == "CreatePolicy")
		}
		b.denies = append(b.denies, d)
	}
}

// policyID returns the ID of the service control policy of an organizations record: the
// policyId of its request, or, for a CreatePolicy (created), the ID of its response's policy.
func policyID(raw []byte, created bool) string {
	var r struct {
		RequestParameters struct {
			PolicyID string `json:"policyId"`
		} `json:"requestParameters"`
		ResponseElements struct {
			Policy struct {
				PolicySummary struct {
					ID string `json:"id"`
				} `json:"policySummary"`
			} `json:"policy"`
		} `json:"responseElements"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return ""
	}
	if created {
		return r.ResponseElements.Policy.PolicySummary.ID
	}
	return r.RequestParameters.PolicyID
}

// active returns the new value of a user's active attribute in an UpdateUser or a SCIM PATCH,
// "true" or "false", or "" when the record does not change it.
func active(rec *Record) string {
	for _, op := range rec.RequestParameters.Operations {
		path, v := op.AttributePath, op.AttributeValue
		if path == "" {
			path, v = op.Path, op.Value
		}
		if strings.EqualFold(path, "active") {
			s := strings.Trim(strings.ToLower(string(bytes.TrimSpace(v))), `"`)
			if s == "true" || s == "false" {
				return s
			}
		}
	}
	return ""
}

// memberUserID returns the user ID of a group member: memberId is the ID itself or
// {"userId": ID}; member is {"memberId": ...}.
func memberUserID(memberID, member json.RawMessage) string {
	var s string
	if json.Unmarshal(memberID, &s) == nil && s != "" {
		return s
	}
	var o struct {
		UserID   string          `json:"userId"`
		MemberID json.RawMessage `json:"memberId"`
	}
	if json.Unmarshal(memberID, &o) == nil && o.UserID != "" {
		return o.UserID
	}
	if len(member) > 0 && json.Unmarshal(member, &o) == nil {
		if o.UserID != "" {
			return o.UserID
		}
		return memberUserID(o.MemberID, nil)
	}
	return ""
}
