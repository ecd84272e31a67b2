package trail

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"idcsim/sim"
)

// What Write's records name: the organisation's management account, where IAM Identity Center
// and its trail live, its identity store, the region, and the administrator.
const (
	writeAccount  = "111122223333"
	writeRegion   = "us-east-1"
	writeStore    = "d-1234567890"
	writeInstance = "ssoins-1234567890abcdef"
	writeRoot     = "r-examplerootid111"
	writeAdmin    = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_fedcba9876543210/admin"
	writeBrowser  = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
	writeCLI      = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5 md/arch#x86_64 lang/python#3.11.8"
)

// Write writes the audited activity of a run (sim.Options.Audit) under dir as CloudTrail
// delivers it to S3: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, one gzip file of
// {"Records": [...]} per hour for each account that received records (recipientAccountId: the
// calls made with role sessions in their member account, the rest in the management account),
// with the event shapes of IAM Identity Center's real records:
// sign-ins (signin UserAuthentication), logouts, CLI logins and refreshes (sso-oauth
// CreateToken), console federations (sso Federate, then sts AssumeRoleWithSAML), role
// credentials (sso GetRoleCredentials: a CLI's, or an application's with the user agent of its
// exchange), TTI exchanges (sso-oauth CreateTokenWithIAM by the application's role, the user in
// additionalEventData), the calls made with role sessions (userIdentity the AssumedRole
// AWSReservedSSO_<permission set>_<hash>/<user>, with the session's creationDate: the console's
// AWS Health call, a CLI's S3 call, an application's Athena query), and the admin actions on
// users (sso-directory DisableUser and EnableUser, identitystore DeleteUser,
// identitystore-auth ListSessions and BatchDeleteSession, sso-directory RemoveMemberFromGroup,
// sso DeleteAccountAssignment; a deny policy on the user as an organizations CreatePolicy of a
// service control policy keyed on identitystore:UserId and its AttachPolicy, lifted by
// DetachPolicy and DeletePolicy; a revocation by aws:TokenIssueTime as sso
// PutInlinePolicyToPermissionSet and ProvisionPermissionSet). Refused requests carry the
// errorCode and errorMessage IAM Identity Center and IAM write: a failed UserAuthentication,
// CreateToken's InvalidGrantException, Federate's UnauthorizedException, GetRoleCredentials'
// ForbiddenException, CreateTokenWithIAM's AccessDeniedException, a role session's call denied
// by the policy. A user's ID is derived from their name; the scenario's i-th account is the
// account ID 222233334444+i. Disabling at the IdP is not in AWS's logs: the provisioning run
// that carries it over is, as an identitystore-scim PatchUser of the user's active attribute;
// nor is a sign-in the IdP refuses. The bytes depend only on the arguments. Write creates dir's
// subdirectories; it does not remove what is there.
func Write(dir string, sc *sim.Scenario, audit []sim.Audit) error {
	audit = slices.Clone(audit)
	slices.SortStableFunc(audit, func(a, b sim.Audit) int { return cmp.Compare(a.At, b.At) })
	w := &trailWriter{sc: sc, accounts: map[string]string{}, records: map[string][][]byte{}}
	for i, a := range sc.Accounts {
		w.accounts[a] = fmt.Sprintf("%012d", 222233334444+i)
	}
	var hour time.Time
	for _, a := range audit {
		t := sc.Start.Add(a.At).UTC().Truncate(time.Second)
		if h := t.Truncate(time.Hour); !h.Equal(hour) {
			if err := w.flush(dir, hour); err != nil {
				return err
			}
			hour = h
		}
		w.audit(a, t)
	}
	return w.flush(dir, hour)
}

// trailWriter holds the records of the hour being written.
type trailWriter struct {
	sc       *sim.Scenario
	accounts map[string]string
	n        int // records written: their IDs
	files    int
	records  map[string][][]byte // of the hour, by the account that received them
}

// userID is the identity-store user ID Write gives a user: derived from the name.
func userID(name string) string {
	h := sha256.Sum256([]byte(name))
	return fmt.Sprintf("906752e3d7-%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// id returns the next record's ID, a UUID-shaped counter.
func (w *trailWriter) id() string {
	w.n++
	return fmt.Sprintf("5eed%04x-0000-4000-8000-%012x", w.n>>48&0xffff, w.n)
}

// add adds a record.
func (w *trailWriter) add(t time.Time, src, name string, who, req, resp, extra, details any, agent string) {
	w.addRecord(t, src, name, who, req, resp, extra, details, agent, writeAccount, "", "")
}

// addRefused adds a record of a request refused with the error code and message.
func (w *trailWriter) addRefused(t time.Time, src, name string, who, req, extra, details any, agent, code, message string) {
	w.addRecord(t, src, name, who, req, nil, extra, details, agent, writeAccount, code, message)
}

// addRecord adds a record received in account recipient, refused with an error code when code
// is not empty.
func (w *trailWriter) addRecord(t time.Time, src, name string, who, req, resp, extra, details any, agent, recipient, code, message string) {
	if agent == "" {
		agent = src
	}
	typ := "AwsApiCall"
	if details != nil {
		typ = "AwsServiceEvent"
	}
	r := struct {
		EventVersion        string `json:"eventVersion"`
		UserIdentity        any    `json:"userIdentity"`
		EventTime           string `json:"eventTime"`
		EventSource         string `json:"eventSource"`
		EventName           string `json:"eventName"`
		AWSRegion           string `json:"awsRegion"`
		SourceIPAddress     string `json:"sourceIPAddress"`
		UserAgent           string `json:"userAgent"`
		RequestParameters   any    `json:"requestParameters"`
		ResponseElements    any    `json:"responseElements"`
		RequestID           string `json:"requestID"`
		EventID             string `json:"eventID"`
		ReadOnly            bool   `json:"readOnly"`
		EventType           string `json:"eventType"`
		ManagementEvent     bool   `json:"managementEvent"`
		RecipientAccountID  string `json:"recipientAccountId"`
		EventCategory       string `json:"eventCategory"`
		AdditionalEventData any    `json:"additionalEventData,omitempty"`
		ServiceEventDetails any    `json:"serviceEventDetails,omitempty"`
		ErrorCode           string `json:"errorCode,omitempty"`
		ErrorMessage        string `json:"errorMessage,omitempty"`
	}{"1.08", who, t.Format(time.RFC3339), src, name, writeRegion, "203.0.113.10", agent, req, resp,
		w.id(), w.id(), false, typ, true, recipient, "Management", extra, details, code, message}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // maps and strings only: cannot fail
	}
	w.records[recipient] = append(w.records[recipient], b)
}

type obj = map[string]any

// person is the userIdentity of a user's own sign-in, token and portal events.
func person(user string) obj {
	return obj{"type": "Unknown", "principalId": writeAccount, "arn": "", "accountId": writeAccount,
		"accessKeyId": "", "userName": user,
		"onBehalfOf": obj{"userId": userID(user), "identityStoreArn": "arn:aws:identitystore::" + writeAccount + ":identitystore/" + writeStore}}
}

// writeAdminID is the userIdentity of the administrator.
var writeAdminID = obj{"type": "AssumedRole", "principalId": "AROAEXAMPLEADMIN:admin", "arn": writeAdmin, "accountId": writeAccount,
	"sessionContext": obj{"sessionIssuer": obj{"type": "Role", "arn": "arn:aws:iam::" + writeAccount +
		":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_fedcba9876543210"}}}

// audit writes the records of one audited activity at t.
func (w *trailWriter) audit(a sim.Audit, t time.Time) {
	u, uid := a.User, userID(a.User)
	account := w.accounts[a.Account]
	client := u + "-" + a.Device + "-cli-client"
	secs := int64(a.Duration / time.Second)
	switch {
	case a.Kind == sim.AuditSignIn:
		cred := "PASSWORD"
		if w.sc.Source.Kind == sim.ExternalIdP {
			cred = "EXTERNAL_IDP"
		}
		result, code, message := "Success", "", ""
		if a.Refused {
			result, code, message = "Failure", "AccessDenied", "Authentication failed"
		}
		w.addRecord(t, srcSignIn, "UserAuthentication", person(u), nil, nil,
			obj{"AuthWorkflowID": w.id(), "CredentialType": cred, "LoginTo": "https://" + writeStore + ".awsapps.com/start/"},
			obj{"UserAuthentication": result}, writeBrowser, writeAccount, code, message)
	case a.Kind == sim.AuditSignOut:
		w.add(t, srcSSO, "Logout", person(u), nil, nil, nil, obj{}, writeBrowser)
	case a.Kind == sim.AuditCLILogin || a.Kind == sim.AuditTokenRefresh:
		req := obj{"clientId": client, "clientSecret": hidden, "grantType": "authorization_code", "code": hidden, "codeVerifier": hidden}
		if a.Kind == sim.AuditTokenRefresh {
			req = obj{"clientId": client, "clientSecret": hidden, "grantType": "refresh_token", "refreshToken": hidden}
		}
		if a.Refused {
			w.addRefused(t, srcOAuth, "CreateToken", person(u), req, nil, nil, writeCLI, "InvalidGrantException", "Invalid grant provided")
			return
		}
		w.add(t, srcOAuth, "CreateToken", person(u), req,
			obj{"accessToken": hidden, "tokenType": "Bearer", "expiresIn": secs, "refreshToken": hidden}, nil, nil, writeCLI)
	case a.Kind == sim.AuditFederate && a.Refused:
		w.addRefused(t, srcSSO, "Federate", person(u), nil, nil, obj{"account_id": account, "role_name": a.PermissionSet}, writeBrowser,
			"UnauthorizedException", "Session token not found or invalid")
	case a.Kind == sim.AuditFederate:
		w.add(t, srcSSO, "Federate", person(u), nil, nil, nil, obj{"account_id": account, "role_name": a.PermissionSet}, writeBrowser)
		w.add(t, srcSTS, "AssumeRoleWithSAML",
			obj{"type": "SAMLUser", "principalId": "EXAMPLEnameQualifier=:" + u, "userName": u, "identityProvider": "EXAMPLEnameQualifier="},
			obj{"sAMLAssertionID": "_" + w.id(), "roleSessionName": u, "durationSeconds": secs, "roleArn": permSetRole(account, a.PermissionSet),
				"principalArn": "arn:aws:iam::" + account + ":saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"},
			obj{"subjectType": "persistent", "issuer": "https://portal.sso." + writeRegion + ".amazonaws.com/saml/assertion/EXAMPLE",
				"assumedRoleUser": obj{"arn": sessionARN(account, a.PermissionSet, u)},
				"credentials":     obj{"accessKeyId": "ASIAEXAMPLE", "expiration": t.Add(a.Duration).Format("Jan 2, 2006, 3:04:05 PM")}},
			nil, nil, "sso.amazonaws.com")
	case a.Kind == sim.AuditRoleCredentials:
		agent := writeCLI
		if a.App != "" {
			agent = appAgent(a.App)
		}
		req, details := obj{"roleName": a.PermissionSet, "accountId": account}, obj{"account_id": account, "role_name": a.PermissionSet}
		if a.Refused {
			w.addRefused(t, srcSSO, "GetRoleCredentials", person(u), req, nil, details, agent, "ForbiddenException", "No access")
			return
		}
		w.add(t, srcSSO, "GetRoleCredentials", person(u), req,
			obj{"roleCredentials": obj{"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": hidden, "sessionToken": hidden,
				"expiration": t.Add(a.Duration).UnixMilli()}},
			nil, details, agent)
	case a.Kind == sim.AuditRoleUse:
		w.roleUse(a, t, account)
	case a.Kind == sim.AuditExchange:
		w.exchange(a, t, uid)
	case (a.Kind == sim.AuditDisableUser || a.Kind == sim.AuditEnableUser) && a.Provisioned:
		w.add(t, srcSCIM, "PatchUser", obj{"type": "Unknown", "principalId": writeAccount, "accountId": writeAccount},
			obj{"identityStoreId": writeStore, "userId": uid,
				"operations": []obj{{"op": "replace", "path": "active", "value": a.Kind == sim.AuditEnableUser}}},
			nil, nil, nil, "Okta SCIM Client")
	case a.Kind == sim.AuditDisableUser || a.Kind == sim.AuditEnableUser:
		if a.Where == sim.AtIdP {
			return // the IdP's own logs; its provisioning is not simulated as records
		}
		name := "DisableUser"
		if a.Kind == sim.AuditEnableUser {
			name = "EnableUser"
		}
		w.add(t, srcDirectory, name, writeAdminID, obj{"directoryId": writeStore, "userId": uid}, nil, nil, nil, "")
	case a.Kind == sim.AuditDeleteUser:
		w.add(t, srcIdentityStore, "DeleteUser", writeAdminID, obj{"identityStoreId": writeStore, "userId": uid}, nil, nil, nil, "")
	case a.Kind == sim.AuditEndSessions:
		w.add(t, srcStoreAuth, "ListSessions", writeAdminID, obj{"identityStoreId": writeStore, "userId": uid}, nil, nil, nil, "")
		w.add(t, srcStoreAuth, "BatchDeleteSession", writeAdminID, obj{"identityStoreId": writeStore, "sessionIds": []string{hidden}}, nil, nil, nil, "")
	case a.Kind == sim.AuditRemoveFromGroup:
		w.add(t, srcDirectory, "RemoveMemberFromGroup", writeAdminID,
			obj{"directoryId": writeStore, "groupId": a.Group, "memberId": obj{"userId": uid}}, nil, nil, nil, "")
	case a.Kind == sim.AuditRemoveAssignment:
		principal, typ := uid, "USER"
		if a.Group != "" {
			principal, typ = a.Group, "GROUP"
		}
		w.add(t, srcSSO, "DeleteAccountAssignment", writeAdminID,
			obj{"instanceArn": "arn:aws:sso:::instance/" + writeInstance, "targetId": account, "targetType": "AWS_ACCOUNT",
				"permissionSetArn": permissionSetARN(a.PermissionSet),
				"principalType":    typ, "principalId": principal},
			obj{"accountAssignmentDeletionStatus": obj{"status": "IN_PROGRESS"}}, nil, nil, "")
	case a.Kind == sim.AuditDenyUser || a.Kind == sim.AuditAllowUser:
		w.denyPolicy(a, t, uid)
	case a.Kind == sim.AuditRevokeRoleSessions:
		// CUT-2: a deny on aws:TokenIssueTime before now in the permission set's inline policy,
		// then the permission set provisioned to its accounts
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"%s"}}}]}`,
			t.Format(time.RFC3339))
		arn := permissionSetARN(a.PermissionSet)
		w.add(t, srcSSO, "PutInlinePolicyToPermissionSet", writeAdminID,
			obj{"instanceArn": "arn:aws:sso:::instance/" + writeInstance, "permissionSetArn": arn, "inlinePolicy": policy}, nil, nil, nil, "")
		w.add(t, srcSSO, "ProvisionPermissionSet", writeAdminID,
			obj{"instanceArn": "arn:aws:sso:::instance/" + writeInstance, "permissionSetArn": arn, "targetType": "ALL_PROVISIONED_ACCOUNTS"},
			obj{"permissionSetProvisioningStatus": obj{"status": "IN_PROGRESS"}}, nil, nil, "")
	}
}

// permSetRole is the ARN of the role of permission set ps in account.
func permSetRole(account, ps string) string {
	return "arn:aws:iam::" + account + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_" + ps + "_0123456789abcdef"
}

// sessionARN is the ARN of user's role session of permission set ps in account.
func sessionARN(account, ps, user string) string {
	return "arn:aws:sts::" + account + ":assumed-role/AWSReservedSSO_" + ps + "_0123456789abcdef/" + user
}

// permissionSetARN is the ARN Write gives a permission set: its name in place of its ID.
func permissionSetARN(ps string) string {
	return "arn:aws:sso:::permissionSet/" + writeInstance + "/" + ps
}

// appAgent is the user agent of an application of kind account_access.
func appAgent(app string) string { return app + "/1.0 aws-sdk-go-v2/1.30.3" }

// appClient is the client ID of an application of kind account_access: its ARN.
func appClient(app string) string {
	return "arn:aws:sso::" + writeAccount + ":application/" + writeInstance + "/apl-" + app
}

// roleUse writes a call made with a role session, as its account's trail shows it: the console's
// landing page (AWS Health), a CLI command (S3), an application's query (Athena). A call that a
// deny policy blocked (CUT-1) is written with its AccessDenied error.
func (w *trailWriter) roleUse(a sim.Audit, t time.Time, account string) {
	role := "AWSReservedSSO_" + a.PermissionSet + "_0123456789abcdef"
	who := obj{"type": "AssumedRole", "principalId": "AROAEXAMPLEROLEID:" + a.User, "arn": sessionARN(account, a.PermissionSet, a.User),
		"accountId": account, "accessKeyId": "ASIAEXAMPLE",
		"sessionContext": obj{"sessionIssuer": obj{"type": "Role", "principalId": "AROAEXAMPLEROLEID", "arn": permSetRole(account, a.PermissionSet),
			"accountId": account, "userName": role},
			"attributes": obj{"creationDate": w.sc.Start.Add(a.Issued).UTC().Truncate(time.Second).Format(time.RFC3339), "mfaAuthenticated": "false"}}}
	src, name, agent, req, code := "s3.amazonaws.com", "ListBuckets", writeCLI, any(obj{"Host": "s3." + writeRegion + ".amazonaws.com"}), "AccessDenied"
	switch {
	case a.App != "":
		src, name, agent, req, code = "athena.amazonaws.com", "StartQueryExecution", appAgent(a.App), obj{"workGroup": "primary"}, "AccessDeniedException"
	case a.Console:
		src, name, agent, req, code = "health.amazonaws.com", "DescribeEventAggregates", writeBrowser, obj{"aggregateField": "eventTypeCategory"}, "AccessDeniedException"
	}
	message := ""
	if a.Refused {
		message = "User: " + sessionARN(account, a.PermissionSet, a.User) + " is not authorized to perform: " +
			strings.TrimSuffix(src, ".amazonaws.com") + ":" + name + " with an explicit deny in a service control policy"
	} else {
		code = ""
	}
	w.addRecord(t, src, name, who, req, nil, nil, nil, agent, account, code, message)
}

// exchange writes an application's CreateTokenWithIAM (TTI-1): made by the application's own
// role, the user in additionalEventData; refused with AccessDeniedException when the user may
// not act (TTI-2).
func (w *trailWriter) exchange(a sim.Audit, t time.Time, uid string) {
	who := obj{"type": "AssumedRole", "principalId": "AROAEXAMPLEAPPROLE:" + a.App,
		"arn": "arn:aws:sts::" + writeAccount + ":assumed-role/" + a.App + "-service/" + a.App, "accountId": writeAccount,
		"sessionContext": obj{"sessionIssuer": obj{"type": "Role", "principalId": "AROAEXAMPLEAPPROLE",
			"arn": "arn:aws:iam::" + writeAccount + ":role/" + a.App + "-service", "accountId": writeAccount, "userName": a.App + "-service"}}}
	req := obj{"clientId": appClient(a.App), "grantType": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": hidden}
	extra := obj{"identitystore:UserId": uid}
	if a.Refused {
		w.addRecord(t, srcOAuth, "CreateTokenWithIAM", who, req, nil, extra, nil, appAgent(a.App), writeAccount,
			"AccessDeniedException", "The user is not enabled")
		return
	}
	w.add(t, srcOAuth, "CreateTokenWithIAM", who, req,
		obj{"accessToken": hidden, "tokenType": "Bearer", "expiresIn": int64(a.Duration / time.Second), "idToken": hidden,
			"scope": []string{"sso:account:access"}}, extra, nil, appAgent(a.App))
}

// denyPolicy writes a deny policy keyed on the user's identity-store user ID (CUT-1) as a
// service control policy of its own, created and attached to the organisation's root; and
// lifting it, as its detachment and deletion.
func (w *trailWriter) denyPolicy(a sim.Audit, t time.Time, uid string) {
	h := sha256.Sum256([]byte(uid))
	id := fmt.Sprintf("p-%x", h[:4])
	if a.Kind == sim.AuditAllowUser {
		w.add(t, srcOrganizations, "DetachPolicy", writeAdminID, obj{"policyId": id, "targetId": writeRoot}, nil, nil, nil, "")
		w.add(t, srcOrganizations, "DeletePolicy", writeAdminID, obj{"policyId": id}, nil, nil, nil, "")
		return
	}
	content := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"identitystore:UserId":"` + uid + `"}}}]}`
	w.add(t, srcOrganizations, "CreatePolicy", writeAdminID,
		obj{"content": content, "description": "offboarding of " + a.User, "name": "deny-" + id, "type": "SERVICE_CONTROL_POLICY"},
		obj{"policy": obj{"policySummary": obj{"id": id, "arn": "arn:aws:organizations::" + writeAccount + ":policy/o-exampleorgid/service_control_policy/" + id,
			"name": "deny-" + id, "type": "SERVICE_CONTROL_POLICY", "awsManaged": false}}}, nil, nil, "")
	w.add(t, srcOrganizations, "AttachPolicy", writeAdminID, obj{"policyId": id, "targetId": writeRoot}, nil, nil, nil, "")
}

const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// flush writes the records of the hour h, if any: a file for each account that received some,
// under the account's prefix, in the order of the accounts' IDs.
func (w *trailWriter) flush(dir string, h time.Time) error {
	for _, account := range slices.Sorted(maps.Keys(w.records)) {
		if err := w.flushAccount(dir, h, account, w.records[account]); err != nil {
			return err
		}
	}
	clear(w.records)
	return nil
}

// flushAccount writes the records the account received in the hour h.
func (w *trailWriter) flushAccount(dir string, h time.Time, account string, records [][]byte) error {
	w.files++
	sub := filepath.Join(dir, "AWSLogs", account, "CloudTrail", writeRegion, h.Format("2006"), h.Format("01"), h.Format("02"))
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%016X.json.gz", account, writeRegion, h.Format("20060102T1504Z"), w.files)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // no name, no modification time: the same records give the same bytes
	zw.Write([]byte(`{"Records":[`))
	for i, r := range records {
		if i > 0 {
			zw.Write([]byte{','})
		}
		zw.Write(r)
	}
	zw.Write([]byte("]}\n"))
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(sub, name), buf.Bytes(), 0o644)
}
