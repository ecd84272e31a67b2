package trail

import (
	"bytes"
	"strings"
	"testing"
)

// Every userIdentity type of CloudTrail's documentation is classified: only the user (Unknown
// and IdentityCenterUser naming them), a permission set's role session, an application acting
// on behalf of a user, and an AssumeRoleWithSAML into a permission set's role are about an IAM
// Identity Center user; the others are not.
func TestClassify(t *testing.T) {
	const (
		reserved = "arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_Read_Only_0123456789abcdef/bob@example.com"
		userID   = "906752e3d7-3b1e6c5a-8d2f-4e7b-9c01-5f4a3e2d1c0b"
	)
	for _, c := range []struct {
		name  string
		rec   Record
		actor Actor
		who   Who
		role  RoleARN
	}{
		{"Root", Record{UserIdentity: Identity{Type: TypeRoot, ARN: "arn:aws:iam::111122223333:root"}}, NotAUser, Who{}, RoleARN{}},
		{"IAMUser", Record{UserIdentity: Identity{Type: TypeIAMUser, ARN: "arn:aws:iam::111122223333:user/deploy", UserName: "deploy"}}, NotAUser, Who{}, RoleARN{}},
		{"AssumedRole of a permission set", Record{UserIdentity: Identity{Type: TypeAssumedRole, ARN: reserved}}, Role,
			Who{Name: "bob@example.com"}, RoleARN{"222233334444", "Read_Only", "bob@example.com"}},
		{"AssumedRole of another role", Record{UserIdentity: Identity{Type: TypeAssumedRole, ARN: "arn:aws:sts::222233334444:assumed-role/ec2-app/i-0abc"}}, NotAUser, Who{}, RoleARN{}},
		{"AssumedRole on behalf of a user", func() Record {
			r := Record{UserIdentity: Identity{Type: TypeAssumedRole, ARN: "arn:aws:sts::222233334444:assumed-role/app-role/session"}}
			r.UserIdentity.OnBehalfOf.UserID = userID
			return r
		}(), OnBehalf, Who{ID: userID}, RoleARN{}},
		{"Role", Record{UserIdentity: Identity{Type: TypeRole, ARN: "arn:aws:iam::222233334444:role/app"}}, NotAUser, Who{}, RoleARN{}},
		{"FederatedUser", Record{UserIdentity: Identity{Type: TypeFederatedUser, ARN: "arn:aws:sts::111122223333:federated-user/bob"}}, NotAUser, Who{}, RoleARN{}},
		{"Directory", Record{UserIdentity: Identity{Type: TypeDirectory, UserName: "bob"}}, NotAUser, Who{}, RoleARN{}},
		{"AWSAccount", Record{UserIdentity: Identity{Type: TypeAWSAccount, AccountID: "777788889999"}}, NotAUser, Who{}, RoleARN{}},
		{"AWSService", Record{UserIdentity: Identity{Type: TypeAWSService}}, NotAUser, Who{}, RoleARN{}},
		{"IdentityCenterUser", func() Record {
			r := Record{UserIdentity: Identity{Type: TypeIdentityCenterUser}}
			r.UserIdentity.OnBehalfOf.UserID = userID
			return r
		}(), Person, Who{ID: userID}, RoleARN{}},
		{"Unknown with a name", Record{UserIdentity: Identity{Type: TypeUnknown, UserName: "user1"}}, Person, Who{Name: "user1"}, RoleARN{}},
		{"Unknown with a name and an ID", func() Record {
			r := Record{UserIdentity: Identity{Type: TypeUnknown, UserName: "bob"}}
			r.UserIdentity.OnBehalfOf.UserID = userID
			return r
		}(), Person, Who{ID: userID, Name: "bob"}, RoleARN{}},
		{"Unknown with the ID in the additional event data", func() Record {
			r := Record{UserIdentity: Identity{Type: TypeUnknown}}
			r.AdditionalEventData.IdentityStoreUserID = userID
			return r
		}(), Person, Who{ID: userID}, RoleARN{}},
		{"Unknown, the name hidden", Record{UserIdentity: Identity{Type: TypeUnknown, UserName: "HIDDEN_DUE_TO_SECURITY_REASONS"}}, NotAUser, Who{}, RoleARN{}},
		{"SAMLUser into a permission set's role", func() Record {
			r := Record{UserIdentity: Identity{Type: TypeSAMLUser, UserName: "bob"}}
			r.ResponseElements.AssumedRoleUser.ARN = reserved
			return r
		}(), Person, Who{Name: "bob@example.com"}, RoleARN{"222233334444", "Read_Only", "bob@example.com"}},
		{"SAMLUser into another role", Record{UserIdentity: Identity{Type: TypeSAMLUser, UserName: "bob"}}, NotAUser, Who{}, RoleARN{}},
		{"WebIdentityUser", Record{UserIdentity: Identity{Type: TypeWebIdentityUser, UserName: "user-id"}}, NotAUser, Who{}, RoleARN{}},
		{"no type", Record{}, NotAUser, Who{}, RoleARN{}},
	} {
		actor, who, role := Classify(&c.rec)
		if actor != c.actor || who != c.who || role != c.role {
			t.Errorf("%s: %v %+v %+v, want %v %+v %+v", c.name, actor, who, role, c.actor, c.who, c.role)
		}
	}
}

// The ARNs of permission sets' roles and of their sessions name the permission set, whose name
// may hold underscores: the hash is what follows the last one.
func TestParseReservedRole(t *testing.T) {
	for _, c := range []struct {
		arn  string
		want RoleARN
		ok   bool
	}{
		{"arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/bob", RoleARN{"222233334444", "Developer", "bob"}, true},
		{"arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_Read_Only_0123456789abcdef/bob", RoleARN{"222233334444", "Read_Only", "bob"}, true},
		{"arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_fedcba9876543210", RoleARN{"222233334444", "Admin", ""}, true},
		{"arn:aws-cn:sts::222233334444:assumed-role/AWSReservedSSO_Admin_fedcba9876543210/bob", RoleARN{"222233334444", "Admin", "bob"}, true},
		{"arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_Admin_fedcba9876543210/", RoleARN{}, false},
		{"arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_/bob", RoleARN{}, false},
		{"arn:aws:sts::222233334444:assumed-role/Admin/bob", RoleARN{}, false},
		{"arn:aws:iam::222233334444:user/AWSReservedSSO_x_y", RoleARN{}, false},
		{"AWSReservedSSO_Admin_fedcba9876543210", RoleARN{}, false},
		{"arn:aws:sts", RoleARN{}, false},
		{"", RoleARN{}, false},
	} {
		got, ok := ParseReservedRole(c.arn)
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %+v %v, want %+v %v", c.arn, got, ok, c.want, c.ok)
		}
	}
}

// Records are told relevant from their bytes: IAM Identity Center's sources, a permission set's
// role or a user named in the userIdentity, an STS call into a permission set's role, a policy
// naming user IDs; not the other services' calls, whatever their parameters say.
func TestRelevant(t *testing.T) {
	for _, c := range []struct {
		rec  string
		want bool
	}{
		{`{"eventSource":"sso-oauth.amazonaws.com","eventName":"CreateToken"}`, true},
		{`{"eventSource" : "signin.amazonaws.com"}`, true},
		{`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_A_b/x"},"eventSource":"s3.amazonaws.com"}`, true},
		{`{"userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u"}},"eventSource":"q.amazonaws.com"}`, true},
		{`{"userIdentity":{"type":"IAMUser"},"eventSource":"iam.amazonaws.com","requestParameters":{"roleName":"AWSReservedSSO_A_b"}}`, false},
		{`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app/x"},"eventSource":"sts.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_A_b"}}`, true},
		{`{"eventSource":"organizations.amazonaws.com","requestParameters":{"content":"{\"Effect\":\"Deny\",\"Condition\":{\"StringEquals\":{\"identitystore:UserId\":\"u\"}}}"}}`, true},
		{`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app/x"},"eventSource":"s3.amazonaws.com"}`, false},
		{`{"eventSource":"s3.amazonaws.com","requestParameters":{"key":"onBehalfOf"}}`, false},
		{`not json`, false},
	} {
		if got := relevant([]byte(c.rec), nil); got != c.want {
			t.Errorf("%s: %v, want %v", c.rec, got, c.want)
		}
		// the same from the members the scanner finds
		s := newScanner(strings.NewReader(c.rec), 1<<10)
		if _, ok := s.skipSpace(); ok {
			if v, _, _, err := s.value(); err == nil {
				if ms := s.members(); ms != nil && relevant(v, ms) != c.want {
					t.Errorf("%s, from its members: %v, want %v", c.rec, !c.want, c.want)
				}
			}
		}
	}
}

// indexAfter finds what bytes.Index finds, looking first for the pattern's rarer tail.
func TestIndexAfter(t *testing.T) {
	pat := []byte(`"onBehalfOf"`)
	for _, v := range []string{
		`"onBehalfOf"`,
		`x"BehalfOf" "xnBehalfOf" "onBehalfOf"`,
		`BehalfOf"`,
		`"onBehalf`,
		``,
		`{"userIdentity":{"type":"Unknown","onBehalfOf":{"userId":"u"}}}`,
	} {
		if got, want := indexAfter([]byte(v), pat, len(`"on`)), bytes.Index([]byte(v), pat); got != want {
			t.Errorf("%q: %d, want %d", v, got, want)
		}
	}
}
