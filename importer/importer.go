// Package importer turns an organisation's IAM Identity Center configuration into a scenario.
//
// The packages of the outside formats (awscli, terraform) read their files into an Org, every
// value with where it came from; Build checks it and writes the scenario.
package importer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"idcsim/internal/strictjson"
)

// Source is where a value came from: a file and a JSON path in it.
type Source struct {
	File string
	// Path is a JSON path without its leading $: "AccountAssignments[3].PermissionSetArn".
	Path string
	// Address names the place as the format does, when its path alone is hard to follow:
	// a Terraform resource's address.
	Address string
}

func (s Source) String() string {
	out := s.File
	if s.Path != "" {
		out += ": " + s.Path
	}
	if s.Address != "" {
		out += " (" + s.Address + ")"
	}
	return out
}

// Element returns the place of the element that holds the value at s: its path up to the last
// index ("AccountAssignments[3]", "values.root_module.resources[2]"), or its first member
// ("PermissionSet").
func (s Source) Element() Source {
	if i := strings.LastIndexByte(s.Path, ']'); i >= 0 {
		s.Path = s.Path[:i+1]
	} else if i := strings.IndexByte(s.Path, '.'); i >= 0 {
		s.Path = s.Path[:i]
	}
	return s
}

// Field is a value read from an export, and where it came from.
type Field struct {
	Value string
	From  Source
}

// Org is what an export says of an organisation: its declarations, each keyed by its ID, and
// the references between them by ID.
type Org struct {
	// From says what the export is, for the scenario's first comment and the summary: "the
	// AWS CLI export in DIR".
	From string
	// Files is how many files were read.
	Files int
	// Instances are the IAM Identity Center instances the export names (their ARNs).
	Instances []Field
	// Accounts are the accounts the export names (by the organisation's list, say); a name may
	// be empty.
	Accounts []Account
	// AccountRefs are accounts the export mentions without naming them, to be written even
	// when no assignment uses them (where a permission set is provisioned, say).
	AccountRefs    []Field
	PermissionSets []PermissionSet
	Applications   []Application
	Groups         []Group
	Users          []User
	Memberships    []Membership
	Assignments    []Assignment
	// Skipped counts what the export held and the importer left out, by reason.
	Skipped map[string]int
}

// Skip counts something left out, with the reason.
func (o *Org) Skip(reason string, n int) {
	if n == 0 {
		return
	}
	if o.Skipped == nil {
		o.Skipped = map[string]int{}
	}
	o.Skipped[reason] += n
}

// Account is an AWS account: its 12-digit ID and its name.
type Account struct {
	ID, Name Field
}

// PermissionSet is a permission set: Key identifies it (its ARN, or what stands for an ARN not
// yet known), and SessionDuration is in ISO 8601, empty when the export leaves it out (the
// service's default, PT1H).
type PermissionSet struct {
	Key, Name, SessionDuration Field
}

// Application is an application of IAM Identity Center, with the ARN of its provider.
type Application struct {
	Key, Name, Provider Field
}

// Group is a group of the identity store.
type Group struct {
	ID, Name Field
}

// User is a user of the identity store. Status is ENABLED, DISABLED or empty (not exported).
type User struct {
	ID, Name, Status Field
	// External says the user carries external IDs: it was provisioned from an external IdP or
	// Active Directory.
	External bool
}

// Membership puts a user in a group, both by ID.
type Membership struct {
	Group, User Field
}

// Assignment entitles a principal (PrincipalType USER or GROUP, Principal its ID) to an
// account with a permission set (Account, PermissionSet) or to an application (Application).
type Assignment struct {
	PrincipalType, Principal            Field
	Account, PermissionSet, Application Field
}

// Error is a problem of an export, at a file and JSON path.
type Error struct {
	Source
	Msg string
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.Source.String() + ": " + e.Msg
}

// ErrorList is every problem found in an export, at most MaxErrors and a last saying how many
// more there were.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Problems collects the problems of an export, keeping the first MaxErrors.
type Problems struct {
	list ErrorList
	more int
}

// Add records a problem at a place.
func (p *Problems) Add(at Source, format string, args ...any) {
	if len(p.list) == MaxErrors {
		p.more++
		return
	}
	p.list = append(p.list, &Error{Source: at, Msg: fmt.Sprintf(format, args...)})
}

// Len is how many problems were found.
func (p *Problems) Len() int { return len(p.list) + p.more }

// Err returns the problems as an ErrorList, nil when there are none.
func (p *Problems) Err() error {
	if p.Len() == 0 {
		return nil
	}
	l := slices.Clone(p.list)
	if p.more > 0 {
		l = append(l, &Error{Msg: fmt.Sprintf("and %d more errors", p.more)})
	}
	return l
}

// AddJSON records the problems that strictjson found in a document, each at its path under the
// place at: the document, or a value inside one.
func (p *Problems) AddJSON(err error, at Source) {
	var list strictjson.ErrorList
	if !errors.As(err, &list) {
		p.Add(at, "%v", err)
		return
	}
	for _, e := range list {
		src := at
		if q := strings.TrimPrefix(strings.TrimPrefix(e.Path, "$"), "."); q != "" && src.Path != "" {
			src.Path += "." + q
		} else if q != "" {
			src.Path = q
		}
		p.Add(src, "%s", e.Msg)
	}
}

// ReadAll reads a file of an export, at most MaxFileSize bytes; name names it in messages.
// A failure to read is an *fs.PathError.
func ReadAll(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			err = &fs.PathError{Op: "read", Path: name, Err: err}
		}
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, ErrorList{{Source: Source{File: name}, Msg: fmt.Sprintf("larger than %d MiB, the limit", MaxFileSize>>20)}}
	}
	return data, nil
}
