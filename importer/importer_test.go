package importer

import (
	"strings"
	"testing"
)

// Written accepts what seal wrote, and refuses it changed by a byte, or another file.
func TestWritten(t *testing.T) {
	t.Parallel()
	body := []byte("name: x\n")
	data := seal(body)
	if err := Written(data); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ data, want string }{
		{string(data[:len(data)-1]) + "y\n", "it was changed after idcsim import wrote it"},
		{string(data) + "# more\n", "it was changed after idcsim import wrote it"},
		{"name: x\n", "it is not a scenario written by idcsim import"},
		{"", "it is not a scenario written by idcsim import"},
		{strings.Replace(string(data), "sha256", "SHA256", 1), "it is not a scenario written by idcsim import"},
	} {
		if err := Written([]byte(c.data)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.data, err, c.want)
		}
	}
}

// Names from an export become names a scenario accepts.
func TestCleanName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Developers":                   "Developers",
		"  Data\tScience \n team  ":    "Data Science team",
		"a\x00b\u2028c\u3000d":         "a b c d",
		"\xff":                         "",
		strings.Repeat("é", 250):       strings.Repeat("é", 200),
		strings.Repeat("a ", 150) + "": strings.TrimSpace(strings.Repeat("a ", 100)),
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The place of a value's element: up to its last index, or its first member.
func TestElement(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Users[3].UserId":                            "Users[3]",
		"GroupMemberships[0].MemberId.UserId":        "GroupMemberships[0]",
		"PermissionSet.SessionDuration":              "PermissionSet",
		"values.root_module.resources[2].values.arn": "values.root_module.resources[2]",
		"": "",
	} {
		if got := (Source{File: "f", Path: in}).Element().Path; got != want {
			t.Errorf("Element of %q = %q, want %q", in, got, want)
		}
	}
}
