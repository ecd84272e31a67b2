package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

// Comments land where their keys say, lists written on one line with a commented item are
// written one item a line, text that is not printable is replaced, and the scenario reads back
// the same.
func TestMarshalComments(t *testing.T) {
	t.Parallel()
	sc, err := Parse("default", exampleSource(t, "default"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := MarshalComments(sc, map[string]Comment{
		"":                           {Head: "Written by a test\nsecond line"},
		"settings":                   {Head: "must be checked"},
		"settings.portal_session":    {Line: "the profile's default"},
		"identity_source":            {Line: "the source"},
		"accounts[1]":                {Line: "210987654321"},
		"permission_sets[2]":         {Head: "from ps.json", Line: "ps-1\r\nnext\x00line"},
		"groups[1].assignments[0]":   {Line: "assignments.json: AccountAssignments[3]"},
		"populations[0]":             {Line: "120 people"},
		"users[1].devices[0]":        {Head: "a device"},
		"no_such_key":                {Head: "ignored"},
		"permission_sets[9]":         {Line: "ignored"},
		"settings.portal_session.x":  {Line: "ignored"},
		"groups[0].assignments[0].x": {Line: "ignored"},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"# Written by a test\n# second line\n\nname: default\n",
		"# must be checked\nsettings:\n  portal_session: 8h # the profile's default\n",
		"identity_source: # the source\n",
		"accounts:\n  - prod\n  - dev # 210987654321\n  - analytics\n",
		"  # from ps.json\n  - {name: Operator, session_duration: 12h} # ps-1\n",
		"    assignments:\n      - {account: dev, permission_set: Developer} # assignments.json: AccountAssignments[3]\n      - {account: prod, permission_set: ReadOnly}\n",
		"  - name: eng # 120 people\n",
		"      # a device\n      - {name: old-term, kind: cli, config: legacy, client: cli}\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "# next\uFFFDline\n") {
		t.Errorf("a comment's second line with a NUL: want it replaced:\n%s", text)
	}
	if strings.Contains(text, "ignored") {
		t.Errorf("a comment for a place the scenario does not have was written:\n%s", text)
	}
	back, err := Parse("commented.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	a, b := *sc, *back
	a.SHA256, b.SHA256 = "", ""
	a.Warnings, b.Warnings = nil, nil
	a.Policy, b.Policy = unplaced(a.Policy), unplaced(b.Policy)
	if !reflect.DeepEqual(a, b) {
		t.Error("the commented scenario reads back different")
	}
	plain, err := Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := MarshalComments(sc, nil); string(again) != string(plain) {
		t.Error("MarshalComments without comments differs from Marshal")
	}
}

// exampleSource returns the source of a built-in example.
func exampleSource(t *testing.T, name string) []byte {
	t.Helper()
	for _, e := range Examples() {
		if e.Name == name {
			return e.Source
		}
	}
	t.Fatalf("no example %s", name)
	return nil
}
