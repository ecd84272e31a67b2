package awscli

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"idcsim/importer"
)

// IDs of the small export the bad-input tests change.
const (
	psArn = "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6"
	alice = "9067c8a1b2-1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
	devs  = "9067c8a1b2-b2c3d4e5-f6a7-4829-8b1c-2d3e4f5a6b7c"
)

// small is a valid export: one permission set, one user in one group, one assignment each.
func small() map[string]string {
	return map[string]string{
		"instances.json": `{"Instances": [{"InstanceArn": "arn:aws:sso:::instance/ssoins-72230e5b2a1c9d4f", "IdentityStoreId": "d-9067c8a1b2", "Status": "ACTIVE"}]}`,
		"ps.json":        `{"PermissionSet": {"Name": "Admin", "PermissionSetArn": "` + psArn + `", "SessionDuration": "PT4H"}}`,
		"users.json":     `{"Users": [{"IdentityStoreId": "d-9067c8a1b2", "UserId": "` + alice + `", "UserName": "alice", "UserStatus": "ENABLED"}]}`,
		"groups.json":    `{"Groups": [{"IdentityStoreId": "d-9067c8a1b2", "GroupId": "` + devs + `", "DisplayName": "Developers"}]}`,
		"members.json":   `{"GroupMemberships": [{"IdentityStoreId": "d-9067c8a1b2", "GroupId": "` + devs + `", "MemberId": {"UserId": "` + alice + `"}}]}`,
		"assignments.json": `{"AccountAssignments": [{"AccountId": "210987654321", "PermissionSetArn": "` + psArn + `", "PrincipalType": "GROUP", "PrincipalId": "` + devs + `"}]}
{"AccountAssignments": [{"AccountId": "210987654321", "PermissionSetArn": "` + psArn + `", "PrincipalType": "USER", "PrincipalId": "` + alice + `"}]}`,
	}
}

// importFiles parses and builds an export of the given files, in the order of their names.
func importFiles(files map[string]string) (*importer.Result, error) {
	var fs []File
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fs = append(fs, File{Name: name, Data: []byte(files[name])})
	}
	org, err := Parse("test", fs)
	if err != nil {
		return nil, err
	}
	return importer.Build(org, importer.Options{MaxUsers: 10})
}

// Each kind of bad input is refused with every problem at its file and JSON path.
func TestBadInput(t *testing.T) {
	t.Parallel()
	if _, err := importFiles(small()); err != nil {
		t.Fatalf("the small export: %v", err)
	}
	other := "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0b4a2e7c9d1f3a5b"
	assignment := func(account, ps, kind, id string) string {
		return fmt.Sprintf(`{"AccountId": %q, "PermissionSetArn": %q, "PrincipalType": %q, "PrincipalId": %q}`, account, ps, kind, id)
	}
	ok := assignment("210987654321", psArn, "GROUP", devs)
	for _, c := range []struct {
		name  string
		files map[string]string // replacing those of the small export
		want  []string
	}{
		{"no known shape", map[string]string{"x.json": `{"Foo": [], "NextToken": "a"}`},
			[]string{"x.json: not an output idcsim reads: want an object with one of Instances, PermissionSets, PermissionSet, AccountIds, AccountAssignments, Applications, ApplicationAssignments, Users, Groups, GroupMemberships, Accounts"}},
		{"two shapes", map[string]string{"x.json": `{"Users": [], "Groups": []}`},
			[]string{"x.json: holds both Users and Groups: want one command's output a document"}},
		{"not an object", map[string]string{"x.json": `["Users"]`}, []string{"x.json: want an object, got an array"}},
		{"not JSON", map[string]string{"x.json": "{\"Users\": [\n  {,}]}"},
			[]string{"x.json: not valid JSON, at line 2, column 4: invalid character ',' looking for beginning of object key string"}},
		{"cut short", map[string]string{"x.json": `{"Users": [`}, []string{"x.json: not valid JSON, at line 1, column 12: the file ends inside a JSON value"}},
		{"empty", map[string]string{"x.json": " \n"}, []string{"x.json: no JSON document: want the output of an AWS CLI command (Instances, PermissionSets, PermissionSet, AccountIds, AccountAssignments, Applications, ApplicationAssignments, Users, Groups, GroupMemberships, Accounts)"}},
		{"wrong type", map[string]string{"users.json": `{"Users": [{"IdentityStoreId": "d-9067c8a1b2", "UserId": 7, "UserName": "alice"}]}`},
			[]string{"users.json: Users[0].UserId: want a string, got the number 7"}},
		{"missing member", map[string]string{"users.json": `{"Users": [{"IdentityStoreId": "d-9067c8a1b2", "UserName": "alice"}]}`},
			[]string{"users.json: Users[0].UserId: missing"}},
		{"duplicate key", map[string]string{"ps.json": `{"PermissionSet": {"Name": "Admin", "Name": "Root", "PermissionSetArn": "` + psArn + `"}}`},
			[]string{"ps.json: PermissionSet.Name: duplicate key"}},
		{"unknown permission set", map[string]string{"assignments.json": `{"AccountAssignments": [` + ok + `, ` +
			assignment("210987654321", psArn, "USER", alice) + `, ` + assignment("345678901234", psArn, "GROUP", devs) + `, ` +
			assignment("210987654321", other, "USER", alice) + `]}`},
			[]string{"assignments.json: AccountAssignments[3].PermissionSetArn: unknown permission set " + other}},
		{"assignment twice", map[string]string{"assignments.json": `{"AccountAssignments": [` + ok + `]}` + "\n" + `{"AccountAssignments": [` + ok + `]}`},
			[]string{"assignments.json, document 2: AccountAssignments[0].PrincipalId: the same assignment is listed twice (first at assignments.json, document 1: AccountAssignments[0].PrincipalId)"}},
		{"unknown principals", map[string]string{"assignments.json": `{"AccountAssignments": [` +
			assignment("210987654321", psArn, "USER", "9067c8a1b2-00000000-0000-4000-8000-000000000000") + `, ` +
			assignment("210987654321", psArn, "USER", devs) + `, ` +
			assignment("210987654321", psArn, "GROUP", "9067c8a1b2-00000000-0000-4000-8000-000000000001") + `, ` +
			assignment("210987654321", psArn, "ROLE", alice) + `]}`},
			[]string{
				"assignments.json: AccountAssignments[0].PrincipalId: unknown user 9067c8a1b2-00000000-0000-4000-8000-000000000000",
				"assignments.json: AccountAssignments[1].PrincipalId: unknown user " + devs + " (it is a group; the principal type says USER)",
				"assignments.json: AccountAssignments[2].PrincipalId: unknown group 9067c8a1b2-00000000-0000-4000-8000-000000000001",
				`assignments.json: AccountAssignments[3].PrincipalType: want USER or GROUP, not "ROLE"`,
			}},
		{"bad account", map[string]string{"assignments.json": `{"AccountAssignments": [` + assignment("2109876543", psArn, "USER", alice) + `]}`},
			[]string{`assignments.json: AccountAssignments[0].AccountId: want a 12-digit AWS account ID, not "2109876543"`}},
		{"duration too long", map[string]string{"ps.json": `{"PermissionSet": {"Name": "Admin", "PermissionSetArn": "` + psArn + `", "SessionDuration": "PT13H"}}`},
			[]string{"ps.json: PermissionSet.SessionDuration: session duration PT13H is outside 1h..12h, the range of a permission set (ROLE-2)"}},
		{"duration too short", map[string]string{"ps.json": `{"PermissionSet": {"Name": "Admin", "PermissionSetArn": "` + psArn + `", "SessionDuration": "PT30M"}}`},
			[]string{"ps.json: PermissionSet.SessionDuration: session duration PT30M is outside 1h..12h, the range of a permission set (ROLE-2)"}},
		{"duration not ISO 8601", map[string]string{"ps.json": `{"PermissionSet": {"Name": "Admin", "PermissionSetArn": "` + psArn + `", "SessionDuration": "4h"}}`},
			[]string{`ps.json: PermissionSet.SessionDuration: want an ISO 8601 duration such as PT8H, not "4h"`}},
		{"user twice", map[string]string{"users.json": `{"Users": [{"IdentityStoreId": "d-9067c8a1b2", "UserId": "` + alice + `", "UserName": "alice"}], "NextToken": "x"}
{"Users": [{"IdentityStoreId": "d-9067c8a1b2", "UserId": "` + alice + `", "UserName": "alice2"}]}`},
			[]string{"users.json, document 2: Users[0].UserId: user " + alice + " is listed twice (first at users.json, document 1: Users[0].UserId)"}},
		{"user status", map[string]string{"users.json": `{"Users": [{"IdentityStoreId": "d-9067c8a1b2", "UserId": "` + alice + `", "UserName": "alice", "UserStatus": "SUSPENDED"}]}`},
			[]string{`users.json: Users[0].UserStatus: want ENABLED or DISABLED, not "SUSPENDED"`}},
		{"listed, not described", map[string]string{"list.json": `{"PermissionSets": ["` + psArn + `", "` + other + `"]}`},
			[]string{"list.json: PermissionSets[1]: permission set " + other + " is listed but not described: the export needs the output of sso-admin describe-permission-set for it"}},
		{"two identity stores", map[string]string{"groups.json": `{"Groups": [{"IdentityStoreId": "d-0000000000", "GroupId": "` + devs + `", "DisplayName": "Developers"}]}`},
			[]string{"groups.json: Groups[0].IdentityStoreId: identity store d-0000000000 is not d-9067c8a1b2, the instance's (instances.json: Instances[0].IdentityStoreId): export one instance at a time"}},
		{"membership of an unknown user", map[string]string{"members.json": `{"GroupMemberships": [{"IdentityStoreId": "d-9067c8a1b2", "GroupId": "g-1", "MemberId": {"UserId": "u-1"}}]}`},
			[]string{"members.json: GroupMemberships[0].GroupId: unknown group g-1", "members.json: GroupMemberships[0].MemberId.UserId: unknown user u-1"}},
		{"unknown application", map[string]string{"apps.json": `{"ApplicationAssignments": [{"ApplicationArn": "arn:aws:sso::111122223333:application/ssoins-72230e5b2a1c9d4f/apl-1a2b3c4d5e6f7a8b", "PrincipalType": "USER", "PrincipalId": "` + alice + `"}]}`},
			[]string{"apps.json: ApplicationAssignments[0].ApplicationArn: unknown application arn:aws:sso::111122223333:application/ssoins-72230e5b2a1c9d4f/apl-1a2b3c4d5e6f7a8b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := small()
			for name, data := range c.files {
				files[name] = data
			}
			_, err := importFiles(files)
			var list importer.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v (%T), want an ErrorList", err, err)
			}
			if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", err, strings.Join(c.want, "\n"))
			}
		})
	}
}

// Every problem is listed, up to importer.MaxErrors, and the others counted.
func TestManyErrors(t *testing.T) {
	t.Parallel()
	files := small()
	var as []string
	for i := range 150 {
		as = append(as, fmt.Sprintf(`{"AccountId": "210987654321", "PermissionSetArn": "%s", "PrincipalType": "USER", "PrincipalId": "u-%d"}`, psArn, i))
	}
	files["assignments.json"] = `{"AccountAssignments": [` + strings.Join(as, ",") + `]}`
	_, err := importFiles(files)
	lines := strings.Split(fmt.Sprint(err), "\n")
	if len(lines) != importer.MaxErrors+1 || lines[0] != "assignments.json: AccountAssignments[0].PrincipalId: unknown user u-0" ||
		lines[importer.MaxErrors] != "and 50 more errors" {
		t.Errorf("%d lines: first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}
