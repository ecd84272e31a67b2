package trail

import (
	"bytes"
	"strings"
)

// Event sources that idcsim reads (SPEC.md, "Reality in").
const (
	srcSignIn        = "signin.amazonaws.com"
	srcSSO           = "sso.amazonaws.com"
	srcOAuth         = "sso-oauth.amazonaws.com"
	srcDirectory     = "sso-directory.amazonaws.com"
	srcIdentityStore = "identitystore.amazonaws.com"
	srcStoreAuth     = "identitystore-auth.amazonaws.com"
	srcSCIM          = "identitystore-scim.amazonaws.com"
	srcSTS           = "sts.amazonaws.com"
	srcOrganizations = "organizations.amazonaws.com"
	srcIAM           = "iam.amazonaws.com"
)

// idcSources are the sources whose every record is decoded.
var idcSources = map[string]bool{srcSignIn: true, srcSSO: true, srcOAuth: true, srcDirectory: true,
	srcIdentityStore: true, srcStoreAuth: true, srcSCIM: true}

// Markers that make a record of another source worth decoding: the roles of permission sets,
// requests made on behalf of a user, and policies keyed on identity-store user IDs.
var (
	reservedRole  = []byte("AWSReservedSSO_")
	onBehalfOfKey = []byte(`"onBehalfOf"`)
	userIDKey     = []byte("identitystore:UserId")
	userIDKeyURL  = []byte("identitystore%3AUserId")
	sourceKey     = []byte(`"eventSource"`)
	identityKey   = []byte(`"userIdentity"`)
	detachPolicy  = []byte(`"DetachPolicy"`)
	deletePolicy  = []byte(`"DeletePolicy"`)
)

// relevant says, from a record's bytes and without decoding them, whether the record may be
// about an IAM Identity Center user or its administration: a record of one of idcSources, or
// one whose userIdentity names a permission set's role or a user it was made on behalf of, an
// STS call into a permission set's role, a policy naming user IDs. Records of other services
// are far the most, and are passed over. ms are the record's top-level members when the scanner
// found them; without them, the keys are looked for in the bytes.
func relevant(v []byte, ms []member) bool {
	var src, id []byte
	if ms != nil {
		var seen [2]bool
		for _, m := range ms {
			sourceOrIdentity(m.name(), m.val, &src, &id, &seen)
		}
	} else {
		src, id = eventSource(v), identityOf(v)
	}
	return relevantTo(v, src, id)
}

// sourceOrIdentity sets src (the string's bytes without its quotes) or id from the value val
// of the top-level member named name, when it is eventSource or userIdentity and the first of
// that name (seen says which were met: a record is judged by the first of each, as the block
// scanner judges it as soon as it has read them).
func sourceOrIdentity(name, val []byte, src, id *[]byte, seen *[2]bool) {
	switch string(name) {
	case "eventSource":
		if !seen[0] && len(val) >= 2 && val[0] == '"' {
			*src = val[1 : len(val)-1]
		}
		seen[0] = true
	case "userIdentity":
		if !seen[1] {
			*id = val
		}
		seen[1] = true
	}
}

// passOver says, from the members eventSource and userIdentity of the record data alone,
// that it is not worth decoding: of a source that relevant does not read whole, and without
// a marker in its userIdentity.
func passOver(data []byte, src, id memberOffsets) bool {
	s := trimWS(data[src.vs:src.ve])
	if len(s) >= 2 && s[0] == '"' {
		s = s[1 : len(s)-1]
	} else {
		s = nil // not a string: as sourceOrIdentity reads it
	}
	switch string(s) {
	case srcSTS, srcOrganizations, srcIAM:
		return false // judged by the whole record
	}
	return !relevantTo(nil, s, trimWS(data[id.vs:id.ve]))
}

// relevantTo is relevant for the record v of the event source src (without its quotes) and the
// userIdentity value id.
func relevantTo(v, src, id []byte) bool {
	switch {
	case idcSources[string(src)]:
		return true
	case string(src) == srcSTS:
		return bytes.Contains(v, reservedRole) // AssumeRoleWithSAML into a permission set's role
	case string(src) == srcOrganizations || string(src) == srcIAM:
		if bytes.Contains(v, userIDKey) || bytes.Contains(v, userIDKeyURL) {
			return true // a policy keyed on user IDs
		}
		if string(src) == srcOrganizations && (bytes.Contains(v, detachPolicy) || bytes.Contains(v, deletePolicy)) {
			return true // perhaps lifting such a policy: rare events
		}
	}
	return indexAfter(id, reservedRole, len("AWS")) >= 0 || indexAfter(id, onBehalfOfKey, len(`"on`)) >= 0
}

// indexAfter returns the index of the first pat in v, or -1, looking for pat[k:] and then at
// what precedes it: pat[k] is a byte that records hold less often than pat[0] (a quote, an A),
// so that the search stops on fewer false starts.
func indexAfter(v, pat []byte, k int) int {
	for from := k; from < len(v); {
		j := bytes.Index(v[from:], pat[k:])
		if j < 0 {
			return -1
		}
		if i := from + j - k; bytes.Equal(v[i:i+k], pat[:k]) {
			return i
		}
		from += j + 1
	}
	return -1
}

// identityOf returns the value of the first "userIdentity" key in a record's bytes, or nil.
func identityOf(v []byte) []byte {
	i := bytes.Index(v, identityKey)
	if i < 0 {
		return nil
	}
	j := skipWS(v, i+len(identityKey))
	if j >= len(v) || v[j] != ':' {
		return nil
	}
	j = skipWS(v, j+1)
	end, err := skipValue(v, j)
	if err != nil {
		return nil
	}
	return v[j:end]
}

// eventSource returns the value of the first "eventSource" key in a record's bytes, or nil.
func eventSource(v []byte) []byte {
	i := bytes.Index(v, sourceKey)
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(v[i+len(sourceKey):], " \t\r\n")
	rest, ok := bytes.CutPrefix(rest, []byte(":"))
	if !ok {
		return nil
	}
	rest, ok = bytes.CutPrefix(bytes.TrimLeft(rest, " \t\r\n"), []byte(`"`))
	if !ok {
		return nil
	}
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return nil
}

// Identity types of CloudTrail's userIdentity element (CloudTrail User Guide, "CloudTrail
// userIdentity element"; SAMLUser and WebIdentityUser from its "Values for AWS STS APIs with
// SAML and web identity federation").
const (
	TypeRoot               = "Root"
	TypeIAMUser            = "IAMUser"
	TypeAssumedRole        = "AssumedRole"
	TypeRole               = "Role"
	TypeFederatedUser      = "FederatedUser"
	TypeDirectory          = "Directory"
	TypeAWSAccount         = "AWSAccount"
	TypeAWSService         = "AWSService"
	TypeIdentityCenterUser = "IdentityCenterUser"
	TypeUnknown            = "Unknown"
	TypeSAMLUser           = "SAMLUser"
	TypeWebIdentityUser    = "WebIdentityUser"
)

// Actor says who made a request, as far as IAM Identity Center users go.
type Actor uint8

// Actors.
const (
	// NotAUser is anyone else: the root user, IAM users, roles other than permission sets',
	// federated users, directories, other accounts, AWS services. Such a principal may be an
	// administrator: its admin events are read for the user they act on.
	NotAUser Actor = iota
	// Person is the user themselves: a sign-in, the access portal, a token (types Unknown and
	// IdentityCenterUser).
	Person
	// Role is a role session of a permission set, whose session name is the user's name
	// (AssumedRole of an AWSReservedSSO_ role).
	Role
	// OnBehalf is an application acting as the user: an identity-enhanced role session that
	// carries onBehalfOf.
	OnBehalf
)

var actorNames = [...]string{"not a user", "person", "role session", "on behalf"}

func (a Actor) String() string { return actorNames[a] }

// Who is the IAM Identity Center user a record is about, as far as it says: an identity-store
// user ID, a user name, or both.
type Who struct {
	ID   string
	Name string
}

// Known says the record names a user.
func (w Who) Known() bool { return w.ID != "" || w.Name != "" }

// RoleARN is a role session of a permission set: the role AWSReservedSSO_<PermissionSet>_<hash>
// in Account, with the session name Session.
type RoleARN struct {
	Account, PermissionSet, Session string
}

// Classify says who made the record's request and which user it is about. Every userIdentity
// type is classified; those that are not about an IAM Identity Center user are NotAUser.
func Classify(rec *Record) (Actor, Who, RoleARN) {
	id := &rec.UserIdentity
	who := Who{ID: id.OnBehalfOf.UserID}
	switch id.Type {
	case TypeAssumedRole:
		if r, ok := ParseReservedRole(id.ARN); ok {
			if r.Account == "" {
				r.Account = id.AccountID
			}
			return Role, Who{ID: who.ID, Name: r.Session}, r
		}
		if who.ID != "" {
			return OnBehalf, who, RoleARN{}
		}
	case TypeIdentityCenterUser, TypeUnknown:
		who.Name = userName(id.UserName)
		if who.ID == "" {
			who.ID = rec.AdditionalEventData.IdentityStoreUserID
		}
		if who.Known() {
			return Person, who, RoleARN{}
		}
	case TypeSAMLUser:
		// AssumeRoleWithSAML into a permission set's role: the user is the session's name
		if r, ok := ParseReservedRole(rec.ResponseElements.AssumedRoleUser.ARN); ok {
			return Person, Who{ID: who.ID, Name: r.Session}, r
		}
	}
	return NotAUser, Who{}, RoleARN{}
}

// userName returns a user name as CloudTrail writes it, or "" when it hides it.
func userName(s string) string {
	if s == "HIDDEN_DUE_TO_SECURITY_REASONS" {
		return ""
	}
	return s
}

// ParseReservedRole reads the ARN of a permission set's role or of its sessions:
// arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_<PermissionSet>_<hash>/<session> or
// arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/[REGION/]AWSReservedSSO_<PermissionSet>_<hash>.
// The permission set's name may hold underscores; the hash is what follows the last one.
func ParseReservedRole(arn string) (RoleARN, bool) {
	// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return RoleARN{}, false
	}
	var r RoleARN
	for i := range 4 {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return RoleARN{}, false
		}
		if i == 3 {
			r.Account = rest[:j]
		}
		rest = rest[j+1:]
	}
	var role string
	switch {
	case strings.HasPrefix(rest, "assumed-role/"):
		role, r.Session, ok = strings.Cut(strings.TrimPrefix(rest, "assumed-role/"), "/")
		if !ok || r.Session == "" {
			return RoleARN{}, false
		}
	case strings.HasPrefix(rest, "role/"):
		role = rest[strings.LastIndexByte(rest, '/')+1:]
	default:
		return RoleARN{}, false
	}
	ps, ok := strings.CutPrefix(role, "AWSReservedSSO_")
	if !ok {
		return RoleARN{}, false
	}
	i := strings.LastIndexByte(ps, '_')
	if i <= 0 {
		return RoleARN{}, false
	}
	r.PermissionSet = ps[:i]
	return r, true
}
