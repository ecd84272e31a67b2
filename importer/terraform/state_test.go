package terraform

import (
	"encoding/json"
	"fmt"
	"testing"

	"idcsim/importer/internal/orgtest"
)

// state writes terraform show -json of a state holding an organisation as a typical
// configuration lays it out: the permission sets and the instance in the root module, the
// directory in module.directory, the assignments in module.access and the applications in
// module.access.module.apps, resources made with for_each, with the attributes the provider
// writes beside those read, a data source looking up a group the state declares, and resources
// of other types.
func state(t testing.TB, o *orgtest.Org) []byte {
	t.Helper()
	res := func(typ, key string, values map[string]any) map[string]any {
		return map[string]any{
			"address": fmt.Sprintf("%s.this[%q]", typ, key), "mode": "managed", "type": typ, "name": "this", "index": key,
			"provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values, "sensitive_values": map[string]any{},
		}
	}
	in := func(module string, r map[string]any) map[string]any {
		r["address"] = module + "." + r["address"].(string)
		return r
	}
	var root, directory, access, apps []any
	root = append(root, map[string]any{
		"address": "data.aws_ssoadmin_instances.this", "mode": "data", "type": "aws_ssoadmin_instances", "name": "this",
		"provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
		"values": map[string]any{"arns": []string{orgtest.Instance}, "identity_store_ids": []string{orgtest.IdentityStore}, "id": "eu-west-1"},
	})
	var accounts []any
	for _, a := range o.Accounts {
		accounts = append(accounts, map[string]any{"id": a.ID, "name": a.Name, "arn": "arn:aws:organizations::" + orgtest.Management + ":account/o-a1b2c3d4e5/" + a.ID, "email": "aws@example.com", "status": "ACTIVE"})
	}
	root = append(root, map[string]any{
		"address": "data.aws_organizations_organization.this", "mode": "data", "type": "aws_organizations_organization", "name": "this",
		"values": map[string]any{"accounts": accounts, "id": "o-a1b2c3d4e5", "feature_set": "ALL"},
	})
	for _, ps := range o.PermissionSets {
		root = append(root, res("aws_ssoadmin_permission_set", ps.Name, map[string]any{
			"arn": ps.ARN, "name": ps.Name, "session_duration": ps.SessionDuration, "instance_arn": orgtest.Instance,
			"description": nil, "relay_state": "", "tags": nil, "tags_all": map[string]any{}, "id": ps.ARN + "," + orgtest.Instance,
		}))
	}
	root = append(root, res("aws_iam_role", "audit", map[string]any{"name": "audit", "arn": "arn:aws:iam::111122223333:role/audit"}))
	for _, g := range o.Groups {
		directory = append(directory, in("module.directory", res("aws_identitystore_group", g.Name, map[string]any{
			"group_id": g.ID, "display_name": g.Name, "identity_store_id": orgtest.IdentityStore, "description": "", "external_ids": []any{},
			"id": orgtest.IdentityStore + "/" + g.ID,
		})))
	}
	for _, u := range o.Users {
		directory = append(directory, in("module.directory", res("aws_identitystore_user", u.Name, map[string]any{
			"user_id": u.ID, "user_name": u.Name, "display_name": u.Name, "identity_store_id": orgtest.IdentityStore,
			"name":   []any{map[string]any{"given_name": u.Name, "family_name": "Example"}},
			"emails": []any{map[string]any{"value": u.Name + "@example.com", "primary": true, "type": "work"}},
		})))
	}
	for i, m := range o.Memberships {
		directory = append(directory, in("module.directory", res("aws_identitystore_group_membership", fmt.Sprint(i), map[string]any{
			"group_id": m.GroupID, "member_id": m.UserID, "membership_id": fmt.Sprintf("m-%d", i), "identity_store_id": orgtest.IdentityStore,
		})))
	}
	if len(o.Groups) > 0 {
		g := o.Groups[0]
		access = append(access, map[string]any{
			"address": "module.access.data.aws_identitystore_group.first", "mode": "data", "type": "aws_identitystore_group", "name": "first",
			"values": map[string]any{"group_id": g.ID, "display_name": g.Name, "identity_store_id": orgtest.IdentityStore},
		})
	}
	for _, a := range o.Applications {
		apps = append(apps, in("module.access.module.apps", res("aws_ssoadmin_application", a.Name, map[string]any{
			"application_arn": a.ARN, "arn": a.ARN, "name": a.Name, "application_provider_arn": a.Provider, "instance_arn": orgtest.Instance,
			"status": "ENABLED", "portal_options": []any{map[string]any{"visibility": "ENABLED"}},
		})))
	}
	for i, a := range o.Assignments {
		key := fmt.Sprint(i)
		if a.AppARN != "" {
			apps = append(apps, in("module.access.module.apps", res("aws_ssoadmin_application_assignment", key, map[string]any{
				"application_arn": a.AppARN, "principal_id": a.PrincipalID, "principal_type": a.PrincipalType, "id": a.AppARN + "," + a.PrincipalID,
			})))
			continue
		}
		access = append(access, in("module.access", res("aws_ssoadmin_account_assignment", key, map[string]any{
			"instance_arn": orgtest.Instance, "permission_set_arn": a.PermissionSetARN, "principal_id": a.PrincipalID,
			"principal_type": a.PrincipalType, "target_id": a.AccountID, "target_type": "AWS_ACCOUNT",
		})))
	}
	doc := map[string]any{
		"format_version": "1.0", "terraform_version": "1.9.5",
		"values": map[string]any{
			"outputs": map[string]any{"instance": map[string]any{"sensitive": false, "value": orgtest.Instance, "type": "string"}},
			"root_module": map[string]any{
				"resources": root,
				"child_modules": []any{
					map[string]any{"address": "module.directory", "resources": directory},
					map[string]any{"address": "module.access", "resources": access, "child_modules": []any{
						map[string]any{"address": "module.access.module.apps", "resources": apps},
					}},
				},
			},
		},
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
