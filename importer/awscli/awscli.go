// Package awscli reads the JSON that the AWS CLI prints for an IAM Identity Center configuration.
//
// The outputs it reads, each recognised by its top-level member (the names of botocore's service
// models sso-admin 2020-07-20, identitystore 2020-06-15 and organizations 2016-11-28):
//
//	sso-admin list-instances                              Instances
//	sso-admin list-permission-sets                        PermissionSets
//	sso-admin describe-permission-set                     PermissionSet
//	sso-admin list-accounts-for-provisioned-permission-set AccountIds
//	sso-admin list-account-assignments                    AccountAssignments
//	sso-admin list-applications                           Applications
//	sso-admin list-application-assignments                ApplicationAssignments
//	identitystore list-users                              Users
//	identitystore list-groups                             Groups
//	identitystore list-group-memberships                  GroupMemberships
//	organizations list-accounts                           Accounts
//
// A file holds one output or several one after the other (the pages of a paginated output, or
// the outputs of one command run for each permission set or group), whatever its name. Members
// the package does not use are skipped; the ones it uses are checked, with the file and JSON
// path of any problem.
package awscli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"idcsim/importer"
	"idcsim/internal/strictjson"
)

// File is a file of an export: its name, as messages give it, and its content.
type File struct {
	Name string
	Data []byte
}

// Read reads the export at path: a directory whose files (in it and its subdirectories, hidden
// ones left out) each hold AWS CLI outputs, one such file, or standard input for "-". Problems
// of the export are an importer.ErrorList; a failure to read is the *fs.PathError.
func Read(path string, stdin io.Reader) (*importer.Org, error) {
	if path == "-" {
		data, err := importer.ReadAll("stdin", stdin)
		if err != nil {
			return nil, err
		}
		return Parse("the AWS CLI output on standard input", []File{{"stdin", data}})
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		data, err := importer.ReadAll(path, f)
		if err != nil {
			return nil, err
		}
		return Parse("the AWS CLI output in "+path, []File{{path, data}})
	}
	var files []File
	total := 0
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return importer.ErrorList{{Source: importer.Source{File: p}, Msg: "not a regular file"}}
			}
		}
		if len(files) == importer.MaxFiles {
			return importer.ErrorList{{Source: importer.Source{File: path}, Msg: fmt.Sprintf("more than %d files, the limit", importer.MaxFiles)}}
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := importer.ReadAll(p, f)
		if err != nil {
			return err
		}
		if total += len(data); total > importer.MaxTotalSize {
			return importer.ErrorList{{Source: importer.Source{File: path}, Msg: fmt.Sprintf("its files hold more than %d MiB, the limit", importer.MaxTotalSize>>20)}}
		}
		files = append(files, File{p, data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, importer.ErrorList{{Source: importer.Source{File: path}, Msg: "the directory holds no file"}}
	}
	return Parse("the AWS CLI export in "+path, files)
}

// The outputs, with the members the package uses. Every member of a page is optional: the one
// present says what the page is.
type (
	page struct {
		Instances              *[]instance              `json:"Instances,omitempty"`
		PermissionSets         *[]string                `json:"PermissionSets,omitempty"`
		PermissionSet          *permissionSet           `json:"PermissionSet,omitempty"`
		AccountIds             *[]string                `json:"AccountIds,omitempty"`
		AccountAssignments     *[]accountAssignment     `json:"AccountAssignments,omitempty"`
		Applications           *[]application           `json:"Applications,omitempty"`
		ApplicationAssignments *[]applicationAssignment `json:"ApplicationAssignments,omitempty"`
		Users                  *[]user                  `json:"Users,omitempty"`
		Groups                 *[]group                 `json:"Groups,omitempty"`
		GroupMemberships       *[]membership            `json:"GroupMemberships,omitempty"`
		Accounts               *[]orgAccount            `json:"Accounts,omitempty"`
	}
	instance struct {
		InstanceArn     string `json:"InstanceArn"`
		IdentityStoreID string `json:"IdentityStoreId,omitempty"`
	}
	permissionSet struct {
		Name             string `json:"Name"`
		PermissionSetArn string `json:"PermissionSetArn"`
		SessionDuration  string `json:"SessionDuration,omitempty"`
	}
	accountAssignment struct {
		AccountID        string `json:"AccountId"`
		PermissionSetArn string `json:"PermissionSetArn"`
		PrincipalType    string `json:"PrincipalType"`
		PrincipalID      string `json:"PrincipalId"`
	}
	application struct {
		ApplicationArn         string `json:"ApplicationArn"`
		Name                   string `json:"Name,omitempty"`
		ApplicationProviderArn string `json:"ApplicationProviderArn,omitempty"`
	}
	applicationAssignment struct {
		ApplicationArn string `json:"ApplicationArn"`
		PrincipalType  string `json:"PrincipalType"`
		PrincipalID    string `json:"PrincipalId"`
	}
	user struct {
		UserID          string     `json:"UserId"`
		UserName        string     `json:"UserName"`
		IdentityStoreID string     `json:"IdentityStoreId"`
		UserStatus      string     `json:"UserStatus,omitempty"`
		ExternalIDs     []struct{} `json:"ExternalIds,omitempty"`
	}
	group struct {
		GroupID         string `json:"GroupId"`
		DisplayName     string `json:"DisplayName"`
		IdentityStoreID string `json:"IdentityStoreId"`
	}
	membership struct {
		GroupID         string `json:"GroupId"`
		MemberID        member `json:"MemberId"`
		IdentityStoreID string `json:"IdentityStoreId"`
	}
	member struct {
		UserID string `json:"UserId,omitempty"`
	}
	orgAccount struct {
		ID   string `json:"Id"`
		Name string `json:"Name,omitempty"`
	}
)

// shapes are the members that say what a page is, in the order of page's fields.
var shapes = func() []string {
	t := reflect.TypeFor[page]()
	var names []string
	for i := range t.NumField() {
		names = append(names, t.Field(i).Name)
	}
	return names
}()

// reader collects an organisation from pages.
type reader struct {
	org    importer.Org
	errs   importer.Problems
	listed []importer.Field // permission sets listed by list-permission-sets
	stores []store          // the identity stores named, in order
}

// store is an identity store named by a value.
type store struct {
	id       string
	from     importer.Source
	instance bool // named by an instance
}

// Parse reads the files of an export; from says what they are, for the scenario's comments.
func Parse(from string, files []File) (*importer.Org, error) {
	r := &reader{org: importer.Org{From: from, Files: len(files)}}
	for _, f := range files {
		r.file(f)
	}
	r.checkStores()
	described := map[string]bool{}
	for _, ps := range r.org.PermissionSets {
		described[ps.Key.Value] = true
	}
	for _, l := range r.listed {
		if !described[l.Value] {
			r.errs.Add(l.From, "permission set %s is listed but not described: the export needs the output of sso-admin describe-permission-set for it", l.Value)
		}
	}
	if err := r.errs.Err(); err != nil {
		return nil, err
	}
	return &r.org, nil
}

// file reads the JSON documents of one file.
func (r *reader) file(f File) {
	dec := json.NewDecoder(bytes.NewReader(f.Data))
	var docs [][]byte
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			off := dec.InputOffset()
			var se *json.SyntaxError
			if errors.As(err, &se) {
				off = se.Offset - 1 // the offset is past the byte at fault
			}
			msg := strings.TrimPrefix(err.Error(), "json: ")
			if errors.Is(err, io.ErrUnexpectedEOF) {
				off, msg = int64(len(f.Data)), "the file ends inside a JSON value"
			}
			line, col := position(f.Data, off)
			r.errs.Add(importer.Source{File: f.Name}, "not valid JSON, at line %d, column %d: %s", line, col, msg)
			return
		}
		end := int(dec.InputOffset())
		docs = append(docs, f.Data[end-len(raw):end])
	}
	if len(docs) == 0 {
		r.errs.Add(importer.Source{File: f.Name}, "no JSON document: want the output of an AWS CLI command (%s)", strings.Join(shapes, ", "))
		return
	}
	for i, doc := range docs {
		name := f.Name
		if len(docs) > 1 {
			name += ", document " + strconv.Itoa(i+1)
		}
		r.document(name, doc)
	}
}

// position returns the line and column (in bytes, from 1) of the byte at offset off of data.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, len(before) - bytes.LastIndexByte(before, '\n')
}

// at is the place of a value in a document.
func at(file, format string, args ...any) importer.Source {
	return importer.Source{File: file, Path: fmt.Sprintf(format, args...)}
}

// field is a value at a place.
func field(v, file, format string, args ...any) importer.Field {
	return importer.Field{Value: v, From: at(file, format, args...)}
}

// document reads one output.
func (r *reader) document(file string, doc []byte) {
	var p page
	if err := strictjson.UnmarshalKnown(doc, &p); err != nil {
		r.errs.AddJSON(err, importer.Source{File: file})
		return
	}
	var present []string
	v := reflect.ValueOf(p)
	for i, name := range shapes {
		if !v.Field(i).IsNil() {
			present = append(present, name)
		}
	}
	switch {
	case len(present) == 0:
		r.errs.Add(importer.Source{File: file}, "not an output idcsim reads: want an object with one of %s", strings.Join(shapes, ", "))
		return
	case len(present) > 1:
		r.errs.Add(importer.Source{File: file}, "holds both %s and %s: want one command's output a document", present[0], present[1])
		return
	}
	o := &r.org
	switch {
	case p.Instances != nil:
		for i, in := range *p.Instances {
			o.Instances = append(o.Instances, field(in.InstanceArn, file, "Instances[%d].InstanceArn", i))
			r.identityStore(in.IdentityStoreID, at(file, "Instances[%d].IdentityStoreId", i), true)
		}
	case p.PermissionSets != nil:
		for i, arn := range *p.PermissionSets {
			r.listed = append(r.listed, field(arn, file, "PermissionSets[%d]", i))
		}
	case p.PermissionSet != nil:
		ps := p.PermissionSet
		o.PermissionSets = append(o.PermissionSets, importer.PermissionSet{
			Key:             field(ps.PermissionSetArn, file, "PermissionSet.PermissionSetArn"),
			Name:            field(ps.Name, file, "PermissionSet.Name"),
			SessionDuration: field(ps.SessionDuration, file, "PermissionSet.SessionDuration"),
		})
	case p.AccountIds != nil:
		for i, id := range *p.AccountIds {
			o.AccountRefs = append(o.AccountRefs, field(id, file, "AccountIds[%d]", i))
		}
	case p.AccountAssignments != nil:
		for i, a := range *p.AccountAssignments {
			o.Assignments = append(o.Assignments, importer.Assignment{
				PrincipalType: field(a.PrincipalType, file, "AccountAssignments[%d].PrincipalType", i),
				Principal:     field(a.PrincipalID, file, "AccountAssignments[%d].PrincipalId", i),
				Account:       field(a.AccountID, file, "AccountAssignments[%d].AccountId", i),
				PermissionSet: field(a.PermissionSetArn, file, "AccountAssignments[%d].PermissionSetArn", i),
			})
		}
	case p.Applications != nil:
		for i, a := range *p.Applications {
			o.Applications = append(o.Applications, importer.Application{
				Key:      field(a.ApplicationArn, file, "Applications[%d].ApplicationArn", i),
				Name:     field(a.Name, file, "Applications[%d].Name", i),
				Provider: field(a.ApplicationProviderArn, file, "Applications[%d].ApplicationProviderArn", i),
			})
		}
	case p.ApplicationAssignments != nil:
		for i, a := range *p.ApplicationAssignments {
			o.Assignments = append(o.Assignments, importer.Assignment{
				PrincipalType: field(a.PrincipalType, file, "ApplicationAssignments[%d].PrincipalType", i),
				Principal:     field(a.PrincipalID, file, "ApplicationAssignments[%d].PrincipalId", i),
				Application:   field(a.ApplicationArn, file, "ApplicationAssignments[%d].ApplicationArn", i),
			})
		}
	case p.Users != nil:
		for i, u := range *p.Users {
			r.identityStore(u.IdentityStoreID, at(file, "Users[%d].IdentityStoreId", i), false)
			o.Users = append(o.Users, importer.User{
				ID:       field(u.UserID, file, "Users[%d].UserId", i),
				Name:     field(u.UserName, file, "Users[%d].UserName", i),
				Status:   field(u.UserStatus, file, "Users[%d].UserStatus", i),
				External: len(u.ExternalIDs) > 0,
			})
		}
	case p.Groups != nil:
		for i, g := range *p.Groups {
			r.identityStore(g.IdentityStoreID, at(file, "Groups[%d].IdentityStoreId", i), false)
			o.Groups = append(o.Groups, importer.Group{
				ID:   field(g.GroupID, file, "Groups[%d].GroupId", i),
				Name: field(g.DisplayName, file, "Groups[%d].DisplayName", i),
			})
		}
	case p.GroupMemberships != nil:
		for i, m := range *p.GroupMemberships {
			r.identityStore(m.IdentityStoreID, at(file, "GroupMemberships[%d].IdentityStoreId", i), false)
			if m.MemberID.UserID == "" {
				o.Skip("group memberships of members that are not users", 1)
				continue
			}
			o.Memberships = append(o.Memberships, importer.Membership{
				Group: field(m.GroupID, file, "GroupMemberships[%d].GroupId", i),
				User:  field(m.MemberID.UserID, file, "GroupMemberships[%d].MemberId.UserId", i),
			})
		}
	case p.Accounts != nil:
		for i, a := range *p.Accounts {
			o.Accounts = append(o.Accounts, importer.Account{
				ID:   field(a.ID, file, "Accounts[%d].Id", i),
				Name: field(a.Name, file, "Accounts[%d].Name", i),
			})
		}
	}
}

// identityStore records the identity store a value belongs to, for checkStores.
func (r *reader) identityStore(id string, from importer.Source, instance bool) {
	if id != "" {
		r.stores = append(r.stores, store{id, from, instance})
	}
}

// checkStores checks that everything comes from one identity store: the first instance's when
// the export lists instances, else the first one met.
func (r *reader) checkStores() {
	if len(r.stores) == 0 {
		return
	}
	ref := r.stores[0]
	for _, s := range r.stores {
		if s.instance {
			ref = s
			break
		}
	}
	where := "the identity store of the rest of the export"
	if ref.instance {
		where = "the instance's (" + ref.from.String() + ")"
	}
	for _, s := range r.stores {
		if s.id != ref.id {
			r.errs.Add(s.from, "identity store %s is not %s, %s: export one instance at a time", s.id, ref.id, where)
		}
	}
}
