package terraform

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"idcsim/importer"
	"idcsim/importer/awscli"
	"idcsim/importer/internal/orgtest"
)

var update = flag.Bool("update", false, "rewrite testdata/state.json and the golden files")

func build(t *testing.T, data []byte, opt importer.Options) *importer.Result {
	t.Helper()
	org, err := Parse("state.json", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := importer.Build(org, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

// The configuration of built-in examples, written as a Terraform state and imported back, gives
// the same accounts, permission sets and durations, applications, groups and their
// assignments, and people with the same groups and direct assignments.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"default", "data-science", "kiro-team", "spec-example"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := orgtest.Example(t, name)
			data := state(t, orgtest.FromScenario(sc))
			want := orgtest.ViewOf(sc)
			res := build(t, data, importer.Options{MaxUsers: importer.DefaultMaxUsers})
			if got := orgtest.ViewOf(res.Scenario); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			// the data source naming a group the state declares, and the IAM role, are left out
			if res.Summary.Skipped["data sources naming what the document declares already"] != 1 ||
				res.Summary.Skipped["resources and data sources of types idcsim does not read"] != 1 {
				t.Errorf("skipped %v", res.Summary.Skipped)
			}
			pops := build(t, data, importer.Options{MaxUsers: 0})
			got := orgtest.ViewOf(pops.Scenario)
			got.Names, want.Names = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("as populations:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}

// testdata/state.json is the state of the organisation of the AWS CLI export in
// importer/awscli/testdata/export (go test -update rewrites it), and imports to the scenario
// and summary of the golden files; standard input gives the same.
func TestGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "state.json")
	if *update {
		org, err := awscli.Read(filepath.Join("..", "awscli", "testdata", "export"), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := importer.Build(org, importer.Options{MaxUsers: importer.DefaultMaxUsers})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(state(t, orgtest.FromScenario(res.Scenario)), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := build(t, mustRead(t, path), importer.Options{MaxUsers: importer.DefaultMaxUsers})
	golden(t, "state.yaml", string(res.YAML))
	var sum strings.Builder
	if err := res.Summary.WriteText(&sum); err != nil {
		t.Fatal(err)
	}
	golden(t, "state.summary", sum.String())
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	org, err := Read("-", f)
	if err != nil {
		t.Fatal(err)
	}
	if org.From != "the Terraform state on standard input" || len(org.Users) != 10 {
		t.Errorf("from standard input: %s, %d users", org.From, len(org.Users))
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := mustRead(t, path); got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", name, got)
	}
}

// plan is terraform show -json of a plan creating a permission set, a group, a user and its
// membership, and two assignments in a module: their ARNs and IDs are not known until apply, and
// their expressions name the resources that stand for them.
const plan = `{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": {"root_module": {
    "resources": [
      {"address": "aws_ssoadmin_permission_set.admin", "mode": "managed", "type": "aws_ssoadmin_permission_set", "name": "admin",
       "values": {"name": "Admin", "session_duration": "PT2H", "instance_arn": "arn:aws:sso:::instance/ssoins-72230e5b2a1c9d4f"}},
      {"address": "aws_identitystore_group.ops", "mode": "managed", "type": "aws_identitystore_group", "name": "ops",
       "values": {"display_name": "Ops", "identity_store_id": "d-9067c8a1b2"}},
      {"address": "aws_identitystore_user.kim", "mode": "managed", "type": "aws_identitystore_user", "name": "kim",
       "values": {"user_name": "kim", "display_name": "Kim", "identity_store_id": "d-9067c8a1b2"}},
      {"address": "aws_identitystore_group_membership.kim_ops", "mode": "managed", "type": "aws_identitystore_group_membership", "name": "kim_ops",
       "values": {"identity_store_id": "d-9067c8a1b2"}}
    ],
    "child_modules": [{"address": "module.access[\"prod\"]", "resources": [
      {"address": "module.access[\"prod\"].aws_ssoadmin_permission_set.ro", "mode": "managed", "type": "aws_ssoadmin_permission_set", "name": "ro",
       "values": {"name": "ReadOnly"}},
      {"address": "module.access[\"prod\"].aws_ssoadmin_account_assignment.ro[0]", "mode": "managed", "type": "aws_ssoadmin_account_assignment", "name": "ro", "index": 0,
       "values": {"principal_type": "GROUP", "principal_id": "9067c8a1b2-00000000-0000-4000-8000-00000000000a", "target_id": "210987654321", "target_type": "AWS_ACCOUNT"}},
      {"address": "module.access[\"prod\"].aws_ssoadmin_account_assignment.admin", "mode": "managed", "type": "aws_ssoadmin_account_assignment", "name": "admin",
       "values": {"principal_type": "GROUP", "principal_id": "9067c8a1b2-00000000-0000-4000-8000-00000000000a", "permission_set_arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0000000000000001", "target_id": "210987654321", "target_type": "AWS_ACCOUNT"}}
    ]}]
  }},
  "resource_changes": [],
  "configuration": {"root_module": {
    "resources": [
      {"address": "aws_identitystore_group_membership.kim_ops", "expressions": {
        "group_id": {"references": ["aws_identitystore_group.ops.group_id", "aws_identitystore_group.ops"]},
        "member_id": {"references": ["aws_identitystore_user.kim.user_id", "aws_identitystore_user.kim"]}}}
    ],
    "module_calls": {"access": {"source": "./access", "module": {"resources": [
      {"address": "aws_ssoadmin_account_assignment.ro", "expressions": {
        "permission_set_arn": {"references": ["aws_ssoadmin_permission_set.ro.arn", "aws_ssoadmin_permission_set.ro"]}}}
    ]}}}
  }}
}`

// In a plan, values not known until apply are found through the configuration's references:
// the membership joins the planned user and group, and the module's assignment names its
// planned permission set.
func TestPlan(t *testing.T) {
	t.Parallel()
	// the group of the assignments, which the plan does not declare, as a data source
	data := strings.Replace(plan, `"resources": [
      {"address": "aws_ssoadmin_permission_set.admin"`, `"resources": [
      {"address": "data.aws_identitystore_group.platform", "mode": "data", "type": "aws_identitystore_group", "name": "platform",
       "values": {"group_id": "9067c8a1b2-00000000-0000-4000-8000-00000000000a", "display_name": "Platform"}},
      {"address": "data.aws_ssoadmin_permission_set.existing", "mode": "data", "type": "aws_ssoadmin_permission_set", "name": "existing",
       "values": {"arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0000000000000001", "name": "Existing", "session_duration": "PT8H"}},
      {"address": "aws_ssoadmin_permission_set.admin"`, 1)
	res := build(t, []byte(data), importer.Options{MaxUsers: 10})
	sc := res.Scenario
	if got := orgtest.ViewOf(sc); !reflect.DeepEqual(got.Groups, map[string][]string{
		"Ops":      nil,
		"Platform": {"account 210987654321 with Existing", "account 210987654321 with ReadOnly"},
	}) || !reflect.DeepEqual(got.People, []string{"Ops | "}) ||
		!reflect.DeepEqual(got.PermissionSets, map[string]time.Duration{"Admin": 2 * time.Hour, "Existing": 8 * time.Hour, "ReadOnly": time.Hour}) {
		t.Errorf("%+v", got)
	}
	if res.Summary.Skipped["data sources naming what the document declares already"] != 0 {
		t.Errorf("skipped %v", res.Summary.Skipped)
	}
}

// Each kind of bad input is refused with every problem at its file and JSON path, with the
// resource's address.
func TestBadInput(t *testing.T) {
	t.Parallel()
	const ps = `{"address": "aws_ssoadmin_permission_set.a", "mode": "managed", "type": "aws_ssoadmin_permission_set", "name": "a",
		"values": {"arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", "name": "A", "session_duration": %s}}`
	const user = `{"address": "aws_identitystore_user.u", "mode": "managed", "type": "aws_identitystore_user", "name": "u",
		"values": {"user_id": "9067c8a1b2-1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", "user_name": "alice"}}`
	assignment := func(psArn, principalType, principal, targetType string) string {
		return `{"address": "aws_ssoadmin_account_assignment.x", "mode": "managed", "type": "aws_ssoadmin_account_assignment", "name": "x",
		"values": {"permission_set_arn": "` + psArn + `", "principal_type": "` + principalType + `", "principal_id": "` + principal + `",
		"target_id": "210987654321", "target_type": "` + targetType + `"}}`
	}
	good := assignment("arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", "USER", "9067c8a1b2-1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", "AWS_ACCOUNT")
	stateOf := func(resources ...string) string {
		return `{"format_version": "1.0", "values": {"root_module": {"resources": [` + strings.Join(resources, ",\n") + `]}}}`
	}
	if _, err := Parse("state.json", []byte(stateOf(fmt.Sprintf(ps, `"PT4H"`), user, good))); err != nil {
		t.Fatalf("the good state: %v", err)
	}
	for _, c := range []struct {
		name, doc string
		want      []string
	}{
		{"not terraform show -json", `{"resources": []}`, []string{"state.json: format_version: missing"}},
		{"neither state nor plan", `{"format_version": "1.0"}`,
			[]string{"state.json: holds neither values (a state) nor planned_values (a plan): want the output of terraform show -json"}},
		{"not JSON", `{"format_version": "1.0",}`, []string{`state.json: format_version: not valid JSON, at byte 25: invalid character '}' looking for beginning of object key string`}},
		{"wrong type", stateOf(fmt.Sprintf(ps, `3`), user, good),
			[]string{"state.json: values.root_module.resources[0].values.session_duration (aws_ssoadmin_permission_set.a): want a string, got the number 3"}},
		{"duration outside 1h..12h", stateOf(fmt.Sprintf(ps, `"PT13H"`), user, good),
			[]string{"state.json: values.root_module.resources[0].values.session_duration (aws_ssoadmin_permission_set.a): session duration PT13H is outside 1h..12h, the range of a permission set (ROLE-2)"}},
		{"unknown permission set and group", stateOf(fmt.Sprintf(ps, `"PT4H"`), user,
			assignment("arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0b4a2e7c9d1f3a5b", "GROUP", "9067c8a1b2-b2c3d4e5-f6a7-4829-8b1c-2d3e4f5a6b7c", "AWS_ACCOUNT")),
			[]string{
				"state.json: values.root_module.resources[2].values.principal_id (aws_ssoadmin_account_assignment.x): unknown group 9067c8a1b2-b2c3d4e5-f6a7-4829-8b1c-2d3e4f5a6b7c",
				"state.json: values.root_module.resources[2].values.permission_set_arn (aws_ssoadmin_account_assignment.x): unknown permission set arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-0b4a2e7c9d1f3a5b",
			}},
		{"target type", stateOf(fmt.Sprintf(ps, `"PT4H"`), user,
			assignment("arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", "USER", "9067c8a1b2-1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", "ORGANIZATIONAL_UNIT")),
			[]string{`state.json: values.root_module.resources[2].values.target_type (aws_ssoadmin_account_assignment.x): want AWS_ACCOUNT, not "ORGANIZATIONAL_UNIT"`}},
		{"a value unknown until apply", strings.Replace(stateOf(user, good), `"permission_set_arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", `, "", 1),
			[]string{"state.json: values.root_module.resources[1].values.permission_set_arn (aws_ssoadmin_account_assignment.x): the permission set's ARN is missing or empty"}},
		{"ambiguous in a plan", `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [` +
			strings.ReplaceAll(strings.ReplaceAll(fmt.Sprintf(ps, `"PT4H"`), `"arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", `, ""), "permission_set.a\"", `permission_set.a[\"x\"]"`) + `,` +
			strings.ReplaceAll(strings.ReplaceAll(fmt.Sprintf(ps, `"PT4H"`), `"arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", `, ""), "permission_set.a\"", `permission_set.a[\"y\"]"`) + `,` +
			user + `,` + strings.Replace(good, `"permission_set_arn": "arn:aws:sso:::permissionSet/ssoins-72230e5b2a1c9d4f/ps-6fd9f1b2c3d4e5a6", `, "", 1) + `]}},
			"configuration": {"root_module": {"resources": [{"address": "aws_ssoadmin_account_assignment.x", "expressions": {
			"permission_set_arn": {"references": ["aws_ssoadmin_permission_set.a", "each.value"]}}}]}}}`,
			[]string{
				`state.json: planned_values.root_module.resources[3].values.permission_set_arn (aws_ssoadmin_account_assignment.x): not known until apply, and its expression names aws_ssoadmin_permission_set.a, which has 2 instances: import the state after terraform apply`,
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			org, err := Parse("state.json", []byte(c.doc))
			if err == nil {
				_, err = importer.Build(org, importer.Options{MaxUsers: 10})
			}
			var list importer.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v (%T), want an ErrorList", err, err)
			}
			if err.Error() != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", err, strings.Join(c.want, "\n"))
			}
		})
	}
	if _, err := Read(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "a directory: want the file terraform show -json wrote") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "absent.json"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
}
