package awscli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"idcsim/importer/internal/orgtest"
)

// writeExport writes the AWS CLI outputs of an organisation into dir, laid out as
// scripts/export-identity-center.sh lays them out, with members the importer does not use, and
// the users in pages of pageSize (one output each, one after the other in users.json).
func writeExport(t testing.TB, dir string, o *orgtest.Org, pageSize int) {
	t.Helper()
	files := map[string][]any{}
	add := func(name string, doc any) { files[name] = append(files[name], doc) }
	add("instances.json", map[string]any{"Instances": []any{map[string]any{
		"InstanceArn": orgtest.Instance, "IdentityStoreId": orgtest.IdentityStore, "OwnerAccountId": orgtest.Management,
		"Name": "example", "CreatedDate": "2023-03-14T09:26:53.589000+00:00", "Status": "ACTIVE",
	}}})
	arns := []string{}
	for _, ps := range o.PermissionSets {
		arns = append(arns, ps.ARN)
		add(filepath.Join("permission-sets", ps.ARN[strings.LastIndexByte(ps.ARN, '/')+1:]+".json"), map[string]any{"PermissionSet": map[string]any{
			"Name": ps.Name, "PermissionSetArn": ps.ARN, "SessionDuration": ps.SessionDuration,
			"Description": "the " + ps.Name + " permission set", "CreatedDate": "2023-03-15T10:00:00+00:00",
		}})
		provisioned := []string{}
		byAccount := map[string][]any{}
		for _, a := range o.Assignments {
			if a.PermissionSetARN != ps.ARN {
				continue
			}
			if byAccount[a.AccountID] == nil {
				provisioned = append(provisioned, a.AccountID)
			}
			byAccount[a.AccountID] = append(byAccount[a.AccountID], map[string]any{
				"AccountId": a.AccountID, "PermissionSetArn": a.PermissionSetARN, "PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalID,
			})
		}
		add("provisioned-accounts.json", map[string]any{"AccountIds": provisioned})
		for _, acct := range provisioned {
			add("account-assignments.json", map[string]any{"AccountAssignments": byAccount[acct]})
		}
	}
	add("permission-sets.json", map[string]any{"PermissionSets": arns})
	apps := []any{}
	for _, a := range o.Applications {
		apps = append(apps, map[string]any{"ApplicationArn": a.ARN, "Name": a.Name, "ApplicationProviderArn": a.Provider,
			"InstanceArn": orgtest.Instance, "Status": "ENABLED", "PortalOptions": map[string]any{"Visibility": "ENABLED"}})
		as := []any{}
		for _, x := range o.Assignments {
			if x.AppARN == a.ARN {
				as = append(as, map[string]any{"ApplicationArn": a.ARN, "PrincipalType": x.PrincipalType, "PrincipalId": x.PrincipalID})
			}
		}
		add("application-assignments.json", map[string]any{"ApplicationAssignments": as})
	}
	add("applications.json", map[string]any{"Applications": apps})
	for i := 0; i < len(o.Users) || i == 0; i += pageSize {
		page := []any{}
		for _, u := range o.Users[i:min(i+pageSize, len(o.Users))] {
			page = append(page, map[string]any{
				"IdentityStoreId": orgtest.IdentityStore, "UserId": u.ID, "UserName": u.Name, "DisplayName": u.Name,
				"Emails": []any{map[string]any{"Value": u.Name + "@example.com", "Type": "work", "Primary": true}}, "UserStatus": "ENABLED",
			})
		}
		doc := map[string]any{"Users": page}
		if i+pageSize < len(o.Users) {
			doc["NextToken"] = fmt.Sprintf("page-%d", i/pageSize+1)
		}
		add("users.json", doc)
	}
	groups := []any{}
	for _, g := range o.Groups {
		groups = append(groups, map[string]any{"GroupId": g.ID, "DisplayName": g.Name, "IdentityStoreId": orgtest.IdentityStore})
		ms := []any{}
		for _, m := range o.Memberships {
			if m.GroupID == g.ID {
				ms = append(ms, map[string]any{"IdentityStoreId": orgtest.IdentityStore, "MembershipId": "m-" + m.UserID, "GroupId": g.ID, "MemberId": map[string]any{"UserId": m.UserID}})
			}
		}
		add("group-memberships.json", map[string]any{"GroupMemberships": ms})
	}
	add("groups.json", map[string]any{"Groups": groups})
	accounts := []any{}
	for _, a := range o.Accounts {
		accounts = append(accounts, map[string]any{"Id": a.ID, "Name": a.Name, "Email": "aws@example.com", "Status": "ACTIVE"})
	}
	add("accounts.json", map[string]any{"Accounts": accounts})
	for name, docs := range files {
		var b strings.Builder
		for _, d := range docs {
			out, err := json.MarshalIndent(d, "", "    ")
			if err != nil {
				t.Fatal(err)
			}
			b.Write(out)
			b.WriteByte('\n')
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
