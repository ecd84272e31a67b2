// Package terraform reads an IAM Identity Center configuration from terraform show -json.
//
// It reads a state (values) or a plan (planned_values), the root module and its child modules
// at any depth, and in them these resources and data sources of the AWS provider:
//
//	aws_ssoadmin_permission_set                 arn, name, session_duration (default PT1H)
//	aws_ssoadmin_account_assignment             permission_set_arn, principal_type, principal_id, target_id
//	aws_ssoadmin_application                    application_arn, name, application_provider_arn
//	aws_ssoadmin_application_assignment         application_arn, principal_type, principal_id
//	aws_identitystore_user                      user_id, user_name
//	aws_identitystore_group                     group_id, display_name
//	aws_identitystore_group_membership          group_id, member_id
//	aws_organizations_account                   id, name
//	aws_organizations_organization (data)       accounts
//	aws_ssoadmin_instances (data)               arns
//
// Other resources are counted and left out. In a plan, a value not known until apply (the ARN
// of a permission set to be created, say) is found through the configuration's references: the
// resource it names stands for it.
package terraform

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"idcsim/importer"
	"idcsim/internal/strictjson"
)

// Read reads terraform show -json from the file path, or from stdin for "-". Problems of the
// document are an importer.ErrorList; a failure to read is the *fs.PathError.
func Read(path string, stdin io.Reader) (*importer.Org, error) {
	name := path
	r := stdin
	if path == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, importer.ErrorList{{Source: importer.Source{File: path}, Msg: "a directory: want the file terraform show -json wrote"}}
		}
		r = f
	}
	data, err := importer.ReadAll(name, r)
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}

// The document, with the members the package uses.
type (
	document struct {
		FormatVersion string         `json:"format_version"`
		Values        *values        `json:"values,omitempty"`
		PlannedValues *values        `json:"planned_values,omitempty"`
		Configuration *configuration `json:"configuration,omitempty"`
	}
	values struct {
		RootModule module `json:"root_module"`
	}
	module struct {
		Address      string     `json:"address,omitempty"`
		Resources    []resource `json:"resources,omitempty"`
		ChildModules []module   `json:"child_modules,omitempty"`
	}
	resource struct {
		Address string          `json:"address"`
		Mode    string          `json:"mode"`
		Type    string          `json:"type"`
		Name    string          `json:"name"`
		Values  json.RawMessage `json:"values,omitempty"`
	}
	configuration struct {
		RootModule configModule `json:"root_module"`
	}
	configModule struct {
		Resources   []configResource      `json:"resources,omitempty"`
		ModuleCalls map[string]moduleCall `json:"module_calls,omitempty"`
	}
	moduleCall struct {
		Module configModule `json:"module"`
	}
	configResource struct {
		Address     string                `json:"address"`
		Expressions map[string]expression `json:"expressions,omitempty"`
	}
	expression struct {
		References []string `json:"references,omitempty"`
	}
)

// The values of the resources read.
type (
	permissionSet struct {
		ARN             string  `json:"arn,omitempty"`
		Name            string  `json:"name,omitempty"`
		SessionDuration *string `json:"session_duration,omitempty"`
	}
	accountAssignment struct {
		PermissionSetARN string `json:"permission_set_arn,omitempty"`
		PrincipalType    string `json:"principal_type,omitempty"`
		PrincipalID      string `json:"principal_id,omitempty"`
		TargetID         string `json:"target_id,omitempty"`
		TargetType       string `json:"target_type,omitempty"`
	}
	application struct {
		ApplicationARN string `json:"application_arn,omitempty"`
		Name           string `json:"name,omitempty"`
		Provider       string `json:"application_provider_arn,omitempty"`
	}
	applicationAssignment struct {
		ApplicationARN string `json:"application_arn,omitempty"`
		PrincipalType  string `json:"principal_type,omitempty"`
		PrincipalID    string `json:"principal_id,omitempty"`
	}
	user struct {
		UserID   string `json:"user_id,omitempty"`
		UserName string `json:"user_name,omitempty"`
	}
	group struct {
		GroupID     string `json:"group_id,omitempty"`
		DisplayName string `json:"display_name,omitempty"`
	}
	membership struct {
		GroupID  string `json:"group_id,omitempty"`
		MemberID string `json:"member_id,omitempty"`
	}
	orgAccount struct {
		ID   string `json:"id,omitempty"`
		Name string `json:"name,omitempty"`
	}
	organization struct {
		Accounts []orgAccount `json:"accounts,omitempty"`
	}
	instances struct {
		ARNs []string `json:"arns,omitempty"`
	}
)

// placed is a resource of the document with where it is.
type placed struct {
	resource
	path   string // its JSON path
	module string // the address of its module instance, "" for the root
}

// reader collects an organisation from a document.
type reader struct {
	file string
	org  importer.Org
	errs importer.Problems
	plan bool
	// resources by address, for references; config holds each module's resources' expressions
	// by the module's path without instance keys ("module.a.module.b") and resource address.
	byAddress map[string]*placed
	config    map[string]map[string]configResource
	// seen are the IDs declared, by kind, so that data sources naming them again are skipped.
	seen map[string]bool
}

// Parse reads terraform show -json of a state or a plan; file names it in messages.
func Parse(file string, data []byte) (*importer.Org, error) {
	var doc document
	if err := strictjson.UnmarshalKnown(data, &doc); err != nil {
		var errs importer.Problems
		errs.AddJSON(err, importer.Source{File: file})
		return nil, errs.Err()
	}
	r := &reader{file: file, byAddress: map[string]*placed{}, config: map[string]map[string]configResource{}, seen: map[string]bool{}}
	r.org.From = "the Terraform " + "state " + file
	r.org.Files = 1
	v, root := doc.Values, "values"
	if doc.PlannedValues != nil {
		v, root, r.plan = doc.PlannedValues, "planned_values", true
		r.org.From = "the Terraform plan " + file
	}
	if v == nil {
		return nil, importer.ErrorList{{Source: importer.Source{File: file}, Msg: "holds neither values (a state) nor planned_values (a plan): want the output of terraform show -json"}}
	}
	if file == "stdin" {
		r.org.From = strings.Replace(r.org.From, " stdin", " on standard input", 1)
	}
	var all []*placed
	var walk func(m *module, path string)
	walk = func(m *module, path string) {
		for i := range m.Resources {
			p := &placed{resource: m.Resources[i], path: fmt.Sprintf("%s.resources[%d]", path, i), module: m.Address}
			all = append(all, p)
			r.byAddress[p.Address] = p
		}
		for i := range m.ChildModules {
			walk(&m.ChildModules[i], fmt.Sprintf("%s.child_modules[%d]", path, i))
		}
	}
	walk(&v.RootModule, root+".root_module")
	if doc.Configuration != nil {
		r.configModule(&doc.Configuration.RootModule, "")
	}
	// managed resources first, so that a data source naming what a resource declares is skipped
	for _, mode := range []string{"managed", "data"} {
		for _, p := range all {
			if p.Mode == mode {
				r.resource(p)
			}
		}
	}
	if err := r.errs.Err(); err != nil {
		return nil, err
	}
	return &r.org, nil
}

// configModule records the expressions of a module's resources and of its calls' modules.
func (r *reader) configModule(m *configModule, path string) {
	rs := map[string]configResource{}
	for _, c := range m.Resources {
		rs[c.Address] = c
	}
	r.config[path] = rs
	for name, call := range m.ModuleCalls {
		r.configModule(&call.Module, strings.TrimPrefix(path+".module."+name, "."))
	}
}

// at is the place of a resource's attribute.
func (r *reader) at(p *placed, attr string) importer.Source {
	path := p.path + ".values"
	if attr != "" {
		path += "." + attr
	}
	return importer.Source{File: r.file, Path: path, Address: p.Address}
}

// decode decodes a resource's values into v, reporting problems at their paths.
func (r *reader) decode(p *placed, v any) bool {
	if len(p.Values) == 0 {
		return true
	}
	if err := strictjson.UnmarshalKnown(p.Values, v); err != nil {
		r.errs.AddJSON(err, r.at(p, ""))
		return false
	}
	return true
}

// value is an attribute's value with its place. In a plan, a value not known until apply
// stands as the address of the resource of one of types that its expression names.
func (r *reader) value(p *placed, attr, v string, types ...string) importer.Field {
	f := importer.Field{Value: v, From: r.at(p, attr)}
	if v == "" && r.plan && len(types) > 0 {
		if addr, ok := r.resolve(p, attr, types); ok {
			f.Value = addr
		}
	}
	return f
}

// once says whether a data source's ID is new, recording it; managed resources are always new.
func (r *reader) once(p *placed, kind, id string) bool {
	if id == "" {
		return true
	}
	k := kind + "\x00" + id
	if p.Mode == "data" && r.seen[k] {
		r.org.Skip("data sources naming what the document declares already", 1)
		return false
	}
	r.seen[k] = true
	return true
}

// resource reads one resource or data source.
func (r *reader) resource(p *placed) {
	o := &r.org
	switch p.Type {
	case "aws_ssoadmin_permission_set":
		var v permissionSet
		if !r.decode(p, &v) {
			return
		}
		key := r.key(p, "arn", v.ARN)
		if !r.once(p, "permission set", key.Value) {
			return
		}
		ps := importer.PermissionSet{Key: key, Name: r.value(p, "name", v.Name)}
		if v.SessionDuration != nil {
			ps.SessionDuration = r.value(p, "session_duration", *v.SessionDuration)
		}
		o.PermissionSets = append(o.PermissionSets, ps)
	case "aws_ssoadmin_account_assignment":
		var v accountAssignment
		if !r.decode(p, &v) || p.Mode != "managed" {
			return
		}
		if v.TargetType != "" && v.TargetType != "AWS_ACCOUNT" {
			r.errs.Add(r.at(p, "target_type"), "want AWS_ACCOUNT, not %q", v.TargetType)
			return
		}
		o.Assignments = append(o.Assignments, importer.Assignment{
			PrincipalType: r.value(p, "principal_type", v.PrincipalType),
			Principal:     r.value(p, "principal_id", v.PrincipalID, "aws_identitystore_user", "aws_identitystore_group"),
			Account:       r.value(p, "target_id", v.TargetID),
			PermissionSet: r.value(p, "permission_set_arn", v.PermissionSetARN, "aws_ssoadmin_permission_set"),
		})
	case "aws_ssoadmin_application":
		var v application
		if !r.decode(p, &v) {
			return
		}
		key := r.key(p, "application_arn", v.ApplicationARN)
		if !r.once(p, "application", key.Value) {
			return
		}
		o.Applications = append(o.Applications, importer.Application{
			Key: key, Name: r.value(p, "name", v.Name), Provider: r.value(p, "application_provider_arn", v.Provider),
		})
	case "aws_ssoadmin_application_assignment":
		var v applicationAssignment
		if !r.decode(p, &v) || p.Mode != "managed" {
			return
		}
		o.Assignments = append(o.Assignments, importer.Assignment{
			PrincipalType: r.value(p, "principal_type", v.PrincipalType),
			Principal:     r.value(p, "principal_id", v.PrincipalID, "aws_identitystore_user", "aws_identitystore_group"),
			Application:   r.value(p, "application_arn", v.ApplicationARN, "aws_ssoadmin_application"),
		})
	case "aws_identitystore_user":
		var v user
		if !r.decode(p, &v) {
			return
		}
		key := r.key(p, "user_id", v.UserID)
		if !r.once(p, "user", key.Value) {
			return
		}
		o.Users = append(o.Users, importer.User{ID: key, Name: r.value(p, "user_name", v.UserName)})
	case "aws_identitystore_group":
		var v group
		if !r.decode(p, &v) {
			return
		}
		key := r.key(p, "group_id", v.GroupID)
		if !r.once(p, "group", key.Value) {
			return
		}
		o.Groups = append(o.Groups, importer.Group{ID: key, Name: r.value(p, "display_name", v.DisplayName)})
	case "aws_identitystore_group_membership":
		var v membership
		if !r.decode(p, &v) || p.Mode != "managed" {
			return
		}
		o.Memberships = append(o.Memberships, importer.Membership{
			Group: r.value(p, "group_id", v.GroupID, "aws_identitystore_group"),
			User:  r.value(p, "member_id", v.MemberID, "aws_identitystore_user"),
		})
	case "aws_organizations_account":
		var v orgAccount
		if !r.decode(p, &v) || !r.once(p, "account", v.ID) {
			return
		}
		o.Accounts = append(o.Accounts, importer.Account{ID: r.value(p, "id", v.ID), Name: r.value(p, "name", v.Name)})
	case "aws_organizations_organization":
		var v organization
		if !r.decode(p, &v) {
			return
		}
		for i, a := range v.Accounts {
			if !r.once(p, "account", a.ID) {
				continue
			}
			o.Accounts = append(o.Accounts, importer.Account{
				ID:   importer.Field{Value: a.ID, From: r.at(p, fmt.Sprintf("accounts[%d].id", i))},
				Name: importer.Field{Value: a.Name, From: r.at(p, fmt.Sprintf("accounts[%d].name", i))},
			})
		}
	case "aws_ssoadmin_instances":
		var v instances
		if !r.decode(p, &v) {
			return
		}
		for i, arn := range v.ARNs {
			o.Instances = append(o.Instances, importer.Field{Value: arn, From: r.at(p, fmt.Sprintf("arns[%d]", i))})
		}
	default:
		o.Skip("resources and data sources of types idcsim does not read", 1)
	}
}

// key is the identifying attribute of a resource: in a plan, its address while the attribute
// is not known until apply.
func (r *reader) key(p *placed, attr, v string) importer.Field {
	f := importer.Field{Value: v, From: r.at(p, attr)}
	if v == "" && r.plan {
		f.Value = p.Address
	}
	return f
}

// resolve finds the resource that the expression of a planned resource's attribute names: one
// of the given types, in the resource's module instance. A reference without an instance key
// must name a resource with one instance.
func (r *reader) resolve(p *placed, attr string, types []string) (string, bool) {
	mod := stripKeys(p.module)
	self := p.Type + "." + p.Name
	if p.Mode == "data" {
		self = "data." + self
	}
	c, ok := r.config[mod][self]
	if !ok {
		return "", false
	}
	prefix := ""
	if p.module != "" {
		prefix = p.module + "."
	}
	for _, ref := range c.Expressions[attr].References {
		target, ok := referencedResource(ref, types)
		if !ok {
			continue
		}
		if _, ok := r.byAddress[prefix+target]; ok {
			return prefix + target, true
		}
		var found []string
		for addr := range r.byAddress {
			if strings.HasPrefix(addr, prefix+target+"[") {
				found = append(found, addr)
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
		if len(found) > 1 {
			r.errs.Add(r.at(p, attr), "not known until apply, and its expression names %s, which has %d instances: import the state after terraform apply", prefix+target, len(found))
			return "", false
		}
	}
	return "", false
}

// referencedResource returns the resource a reference names (its address in the module, with
// the instance key when the reference has one), when it is of one of the types.
func referencedResource(ref string, types []string) (string, bool) {
	data := strings.HasPrefix(ref, "data.")
	rest := strings.TrimPrefix(ref, "data.")
	for _, t := range types {
		name, ok := strings.CutPrefix(rest, t+".")
		if !ok {
			continue
		}
		end := strings.IndexAny(name, ".[")
		key := ""
		if end < 0 {
			end = len(name)
		} else if name[end] == '[' {
			if k, ok := bracketed(name[end:]); ok {
				key = k
			}
		}
		addr := t + "." + name[:end] + key
		if data {
			addr = "data." + addr
		}
		return addr, true
	}
	return "", false
}

// bracketed returns the instance key at the start of s ("[0]", "[\"a.b\"]"), brackets included.
func bracketed(s string) (string, bool) {
	if len(s) < 3 || s[0] != '[' {
		return "", false
	}
	if s[1] == '"' {
		q, err := strconv.QuotedPrefix(s[1:])
		if err != nil || len(s) < len(q)+2 || s[1+len(q)] != ']' {
			return "", false
		}
		return s[:len(q)+2], true
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return "", false
	}
	return s[:end+1], true
}

// stripKeys returns a module instance's address without its instance keys:
// module.a["x"].module.b[0] is module.a.module.b.
func stripKeys(addr string) string {
	var out strings.Builder
	for i := 0; i < len(addr); {
		if addr[i] == '[' {
			k, ok := bracketed(addr[i:])
			if !ok {
				return addr
			}
			i += len(k)
			continue
		}
		out.WriteByte(addr[i])
		i++
	}
	return out.String()
}
