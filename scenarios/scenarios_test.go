package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"idcsim/sim"
)

const minimal = `accounts: [prod]
permission_sets:
  - {name: Admin, session_duration: 1h}
users:
  - name: alice
    devices: [{name: laptop, kind: browser}]
events:
  - {at: 1h, action: sign_in, user: alice, device: laptop}
`

func TestAllErrorsAtOnce(t *testing.T) {
	t.Parallel()
	src := minimal + `  - {at: 2h, action: sign_out, user: bob, device: laptop}
  - {at: 3h, action: federate, user: alice, device: laptop, account: prod, permission_set: Admin, where: idp}
  - {at: 1mo, action: offboard, user: alice, playbook: []}
`
	_, err := Parse("three.yaml", []byte(src))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse returned %v, want an ErrorList", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(list) != 3 || len(lines) != 3 {
		t.Fatalf("got %d errors (%d lines), want 3:\n%v", len(list), len(lines), err)
	}
	for i, want := range []string{
		`three.yaml:9:38: unknown user "bob"`,
		`three.yaml:10:99: federate does not take where`,
		`three.yaml:11:10: at: "1mo": months and years are not accepted`,
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want it to begin %q", i, lines[i], want)
		}
	}
}

func TestErrorNamesFile(t *testing.T) {
	t.Parallel()
	_, err := Parse("dir/my scenario.yaml", []byte("horizon: 30\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "dir/my scenario.yaml:1:10: ") {
		t.Fatalf("got %v, want an error beginning with the file, line and column", err)
	}
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte("seed: -1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":1:7: seed must be a whole number") {
		t.Fatalf("Load: got %v", err)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	sc, err := Load("example:default")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "default" || len(sc.Users) != 2 || len(sc.Populations) != 5 || len(sc.Accounts) != 3 || len(sc.Offboardings) != 5 {
		t.Errorf("default example: name %q, %d users, %d populations, %d accounts, %d offboarding plans",
			sc.Name, len(sc.Users), len(sc.Populations), len(sc.Accounts), len(sc.Offboardings))
	}
	if _, err := Load("example:defualt"); err == nil || !strings.Contains(err.Error(), `did you mean "default"?`) {
		t.Errorf("Load of a misspelt example: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	sc, err := Parse("m.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := sim.LookupProfile("current")
	want := &sim.Scenario{
		Start:        time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Horizon:      30 * day,
		Seed:         1,
		Replications: 1,
		Profile:      p,
		Switches:     sim.DefaultSwitches(),
		Settings: sim.Settings{PortalSession: 8 * time.Hour, BackgroundSessions: true, BackgroundDuration: 7 * day,
			KiroExtendedSessions: true, KiroDuration: 90 * day},
		Accounts:       []string{"prod"},
		PermissionSets: []sim.PermissionSet{{Name: "Admin", SessionDuration: time.Hour}},
		Users:          []sim.User{{Name: "alice", Devices: []sim.Device{{Name: "laptop"}}}},
		Events:         []sim.Event{{At: time.Hour, Action: sim.SignIn, User: "alice", Device: "laptop"}},
	}
	got := *sc
	if len(got.SHA256) != 64 || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "no offboard event") {
		t.Errorf("SHA256 %q, warnings %q", got.SHA256, got.Warnings)
	}
	got.SHA256, got.Warnings = "", nil
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", *want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, *want)
	}

	// An external IdP: 12h IdP session, no SessionNotOnOrAfter (UIS-6: the longer exposure),
	// periodic provisioning.
	sc, err = Parse("idp.yaml", []byte("identity_source: {kind: external_idp}\n"+minimal))
	if err != nil {
		t.Fatal(err)
	}
	src := sc.Source
	if src.IdPSession != 12*time.Hour || src.SessionNotOnOrAfter || src.Provisioning != sim.ProvisioningPeriodic ||
		src.ProvisioningInterval != p.SCIMInterval {
		t.Errorf("external IdP defaults: %+v", src)
	}
	sc, err = Parse("push.yaml", []byte("identity_source: {kind: external_idp, provisioning: {mode: push}}\n"+minimal))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Source.Provisioning != sim.ProvisioningPush || sc.Source.ProvisioningLatency != p.SCIMPushLatency || sc.Source.ProvisioningInterval != 0 {
		t.Errorf("push defaults: %+v", sc.Source)
	}

	// BG-1, KIRO-1: profiles without extended sessions have neither.
	sc, err = Parse("old.yaml", []byte("profile: 2023-07\n"+minimal))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Settings.BackgroundSessions || sc.Settings.KiroExtendedSessions || sc.Settings.PortalSession != 8*time.Hour {
		t.Errorf("2023-07 settings: %+v", sc.Settings)
	}
}

func TestTimingOverrides(t *testing.T) {
	t.Parallel()
	sc, err := Parse("t.yaml", []byte("timing: {app_session_check: 45m, permission_set_max: 24h}\n"+
		"switches: {disable_ends_portal_sessions: false}\n"+
		strings.Replace(minimal, "session_duration: 1h", "session_duration: 20h", 1)))
	if err != nil {
		t.Fatal(err) // ROLE-2: the range follows the overridden maximum
	}
	if sc.Profile.AppSessionCheck != 45*time.Minute || sc.Switches.DisableEndsPortalSessions {
		t.Errorf("timing %v, switches %+v", sc.Profile.AppSessionCheck, sc.Switches)
	}
	roundTrip(t, sc)

	// UIS-11, CLI-7: 2022-10's portal status cache and fixed CLI sessions may be turned off with
	// 0; other timings must be positive, and none negative.
	sc, err = Parse("t.yaml", []byte("profile: 2022-10\ntiming: {portal_status_cache: 0s, cli_fixed_session: 0s}\n"+minimal))
	if err != nil || sc.Profile.PortalStatusCache != 0 || sc.Profile.CLIFixedSession != 0 {
		t.Errorf("UIS-11, CLI-7 turned off: %v, %+v", err, sc)
	} else {
		roundTrip(t, sc)
	}
	for src, want := range map[string]string{
		"timing: {app_session_check: 0s}\n":    "t.yaml:1:29: timing app_session_check must be longer than 0s",
		"timing: {portal_status_cache: -1h}\n": `t.yaml:1:31: timing portal_status_cache: "-1h" is negative`,
	} {
		if _, err := Parse("t.yaml", []byte(src+minimal)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %s", src, err, want)
		}
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	src := `start: 2026-03-02T00:00:00+01:00
horizon: 2d
identity_source: {kind: external_idp}
accounts: [prod]
permission_sets: [{name: Admin}]
groups: [{name: staff}]
users:
  - name: alice
    groups: [staff]
    devices: [{name: laptop}, {name: term, kind: cli}]
  - {name: bob, devices: [{name: laptop}]}
  - {name: carol, devices: [{name: laptop}]}
  - {name: dave, devices: [{name: laptop}]}
playbooks:
  short:
    - {action: disable_user, where: idp}
    - {after: 5m, action: remove_from_group, group: staff}
    - {after: 1m, action: end_sessions, device: term}
events:
  - {at: 2026-03-02T10:00:00+01:00, action: offboard, user: alice, playbook: short}
  - {at: 10h, action: sign_in, user: alice, device: laptop}
  - {at: 5h, action: offboard, user: bob, playbook: aws-recommended}
  - {at: 10h, action: offboard, user: carol, playbook: [{action: deny_user}, {after: 1h, action: revoke_role_sessions, permission_set: Admin}]}
  - {at: 2d, action: offboard, user: dave, playbook: []}
`
	sc, err := Parse("e.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Start.Equal(time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("start %v", sc.Start)
	}
	var got []string
	for _, ev := range sc.Events {
		s := fmt.Sprintf("%s %s %s:", sim.FormatDuration(ev.At), ev.Action, ev.PlaybookName)
		for _, st := range ev.Playbook {
			s += fmt.Sprintf(" +%s %s/%s/%s%s%s", sim.FormatDuration(st.After), st.Event.Action, st.Event.User, st.Event.Where,
				st.Event.Group, st.Event.Device+st.Event.PermissionSet)
		}
		got = append(got, s)
	}
	want := []string{
		"5h offboard aws-recommended: +0s deny_user/bob/identity_center +1m remove_assignments/bob/identity_center" +
			" +1m disable_user/bob/idp +1m end_sessions/bob/identity_center +1m disable_user/bob/identity_center" +
			" +12h allow_user/bob/identity_center",
		"10h offboard short: +0s disable_user/alice/idp +5m remove_from_group/alice/identity_centerstaff +1m end_sessions/alice/identity_centerterm",
		"10h sign_in :",
		"10h offboard inline: +0s deny_user/carol/identity_center +1h revoke_role_sessions/carol/identity_centerAdmin",
		"2d offboard inline:",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(sc.Warnings) != 1 {
		t.Errorf("warnings: %q", sc.Warnings) // the last offboarding is at the horizon
	}
	roundTrip(t, sc)
}

// EV-2: the same person offboarded twice by the timeline is refused, with both places; generated
// offboardings that cannot draw distinct people are refused where the draw runs out.
func TestOffboardedOnce(t *testing.T) {
	t.Parallel()
	_, err := Parse("twice.yaml", []byte(minimal+`  - {at: 2h, action: offboard, user: alice, playbook: []}
  - {at: 3h, action: offboard, user: alice, playbook: []}
`))
	// minimal's events list ends at its last line; the two offboardings follow it
	lines := strings.Count(minimal, "\n")
	want := fmt.Sprintf("twice.yaml:%d:5: user alice is offboarded a second time; the first offboarding is at line %d, column 5", lines+2, lines+1)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse = %v, want %q", err, want)
	}

	people := `horizon: 10d
accounts: [prod]
behaviours: [{name: b}]
populations:
  - {name: eng, count: 3, behaviour: b, devices: [{name: laptop}]}
  - {name: ops, count: 2, behaviour: b, devices: [{name: laptop}]}
events:
  - {at: 1d, action: offboard, user: eng-1, playbook: []}
offboardings:
  - {count: 1, population: eng, playbook: []}
`
	for _, c := range []struct{ extra, want string }{
		// eng has 3 people, one offboarded by the timeline: 2 free; 1 + 2 = 3 asked
		{"  - {count: 2, population: eng, playbook: []}\n", "11:5: the offboardings entries so far draw 3 people from population eng, which has 2 not offboarded by the timeline"},
		// 4 free people in all (2 of eng, 2 of ops); 1 + 2 + 2 = 5 asked
		{"  - {count: 2, population: ops, playbook: []}\n  - {count: 2, playbook: []}\n", "12:5: the offboardings entries so far draw 5 people, and the scenario has 4 not offboarded by the timeline"},
	} {
		_, err := Parse("p.yaml", []byte(people+c.extra))
		if err == nil || !strings.Contains(err.Error(), "p.yaml:"+c.want) {
			t.Errorf("Parse = %v, want %q", err, c.want)
		}
	}
	// exactly as many as there are: accepted
	if _, err := Parse("p.yaml", []byte(people+"  - {count: 1, population: eng, playbook: []}\n  - {count: 2, playbook: []}\n")); err != nil {
		t.Errorf("four offboardings of the four free people: %v", err)
	}
}

func TestRecommendedWithoutIdP(t *testing.T) {
	t.Parallel()
	// CUT-4: the IdP step is skipped when the source is not an external IdP.
	sc, err := Parse("r.yaml", []byte(minimal+"  - {at: 2h, action: offboard, user: alice, playbook: aws-recommended}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, st := range sc.Events[1].Playbook {
		actions = append(actions, st.Event.Action.String())
	}
	if got := strings.Join(actions, " "); got != "deny_user remove_assignments end_sessions disable_user allow_user" {
		t.Errorf("aws-recommended without an IdP: %s", got)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("#"), MaxFileSize+1)
	if _, err := Parse("big.yaml", big); err == nil || !strings.Contains(err.Error(), "big.yaml:1:1: the file is") {
		t.Errorf("file size: %v", err)
	}
	// A file listing MaxUsers users or MaxEvents events would make more than MaxNodes nodes:
	// the node cap refuses it first (TestNodeCap). The people of populations count towards
	// MaxUsers (TestPopulationLimits).
	var b strings.Builder
	b.WriteString("events: [")
	b.WriteString(strings.Repeat("0,", MaxEvents))
	b.WriteString("0]\n")
	// nodeBound: the document 2, "events:" 2 (its run and its ":"), "[" 1, then each "0," 2:
	// 499,997 of them come to 999,999; the next "0" brings 1,000,000 and its ",", at column
	// 11 + 2*499,997, 1,000,001.
	if _, err := Parse("events.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "events.yaml:1:1000005: the file could make more than 1000000 YAML nodes") {
		t.Errorf("events: %v", err)
	}
}

func TestSchema(t *testing.T) {
	t.Parallel()
	data := Schema()
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("the schema is not valid JSON: %v", err)
	}
	if s["$schema"] != "http://json-schema.org/draft-07/schema#" {
		t.Errorf("$schema = %v", s["$schema"])
	}
	if !bytes.Equal(data, Schema()) {
		t.Error("the schema differs between calls")
	}
	defs := s["definitions"].(map[string]any)
	// Every object of the format forbids keys it does not declare and describes every key.
	var check func(path string, v any)
	check = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if props, ok := m["properties"].(map[string]any); ok {
			if m["additionalProperties"] != false {
				t.Errorf("%s allows keys it does not declare", path)
			}
			for k, p := range props {
				if p.(map[string]any)["description"] == nil {
					t.Errorf("%s.%s has no description", path, k)
				}
			}
		}
	}
	check("scenario", s)
	for name, d := range defs {
		check(name, d)
	}
	enums := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if e, ok := v["enum"].([]any); ok {
				enums[fmt.Sprint(e...)] = true
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(s)
	for key, want := range map[string][]string{"action": sim.Actions(), "channel": channelNames(), "profile": sim.ProfileNames(),
		"application kind": appKinds, "device kind": deviceKinds, "source kind": sourceKinds} {
		if !enums[fmt.Sprint(toAny(want)...)] {
			t.Errorf("the schema has no enum of %s %v", key, want)
		}
	}
	for _, n := range append(sim.SwitchNames(), sim.TimingNames()...) {
		if !strings.Contains(string(data), `"`+n+`"`) {
			t.Errorf("the schema does not name %s", n)
		}
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// TestExamplesMatchSchema walks each built-in example beside the schema and checks that every
// key it uses is one the schema declares.
func TestExamplesMatchSchema(t *testing.T) {
	t.Parallel()
	var schema map[string]any
	if err := json.Unmarshal(Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["definitions"].(map[string]any)
	resolve := func(s map[string]any) []map[string]any {
		var out []map[string]any
		var add func(s map[string]any)
		add = func(s map[string]any) {
			if r, ok := s["$ref"].(string); ok {
				add(defs[strings.TrimPrefix(r, "#/definitions/")].(map[string]any))
				return
			}
			out = append(out, s)
			for _, k := range []string{"allOf", "anyOf"} {
				if l, ok := s[k].([]any); ok {
					for _, x := range l {
						add(x.(map[string]any))
					}
				}
			}
		}
		add(s)
		return out
	}
	var walk func(path string, v any, s map[string]any)
	walk = func(path string, v any, s map[string]any) {
		alts := resolve(s)
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				var sub map[string]any
				for _, a := range alts {
					if props, ok := a["properties"].(map[string]any); ok && props[k] != nil {
						sub = props[k].(map[string]any)
					} else if ap, ok := a["additionalProperties"].(map[string]any); ok {
						sub = ap
					}
				}
				if sub == nil {
					t.Errorf("%s.%s: the schema does not declare this key", path, k)
					continue
				}
				walk(path+"."+k, x, sub)
			}
		case []any:
			for i, x := range v {
				for _, a := range alts {
					if items, ok := a["items"].(map[string]any); ok {
						walk(fmt.Sprintf("%s[%d]", path, i), x, items)
						break
					}
				}
			}
		}
	}
	for _, e := range Examples() {
		var doc any
		if err := yaml.Unmarshal(e.Source, &doc); err != nil {
			t.Fatal(err)
		}
		walk(e.Name, doc, schema)
	}
}

func TestBombs(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	start := time.Now()
	if _, err := Parse("deep.yaml", []byte("accounts: "+deep+"\n")); err == nil || !strings.Contains(err.Error(), "deep.yaml:") {
		t.Errorf("deep nesting: %v", err)
	}
	laughs := `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
accounts: *g
`
	_, err := Parse("laughs.yaml", []byte(laughs))
	if err == nil || !strings.Contains(err.Error(), "laughs.yaml:8:11: aliases (*g) are not supported") {
		t.Errorf("alias bomb: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("bombs took %v", d)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	src := minimal + `  - {at: 2h, action: federate, user: alice, device: laptop, account: prod, permission_set: Admin}
playbooks:
  unused: []
`
	sc, err := Parse("w.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"w.yaml:1:1: no offboard event: no exposure window will be measured",
		"w.yaml:9:5: alice is never entitled to account prod with Admin, so this federate will be refused (APP-1, ROLE-1)",
		"w.yaml:11:3: playbook unused is never used",
	}
	if strings.Join(sc.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(sc.Warnings, "\n"), strings.Join(want, "\n"))
	}
	// An assignment added at any time entitles the user.
	src = strings.Replace(minimal, "events:\n", "events:\n  - {at: 1h, action: add_assignment, user: alice, account: prod, permission_set: Admin}\n", 1) +
		"  - {at: 2h, action: federate, user: alice, device: laptop, account: prod, permission_set: Admin}\n"
	if sc, err = Parse("w.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 1 {
		t.Errorf("with the assignment added: %q", sc.Warnings)
	}
}

// A file over the size limit is refused with its real size, however much of it was read.
func TestLoadOverSize(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = MaxFileSize + 12345 // 12,345 bytes past the limit
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, _, err = LoadSource(path)
	want := fmt.Sprintf("huge.yaml:1:1: the file is %d bytes, larger than the limit of 64 MiB", size)
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("LoadSource = %v, want an error ending %q", err, want)
	}
}

// Names that look alike (Unicode Technical Standard #39's confusables) are warned about: a leaver
// "аlice" (Cyrillic а) beside the real alice is how a report could be made to mislead.
func TestLookalikeNames(t *testing.T) {
	t.Parallel()
	src := `accounts: [prod]
users:
  - {name: alice, devices: [{name: laptop}]}
  - {name: аlice, devices: [{name: laptop}]}
  - {name: ａｌｉｃｅ, devices: [{name: laptop}]}
  - {name: al1ce, devices: [{name: laptop}]}
  - {name: alicia, devices: [{name: laptop}]}
events:
  - {at: 1h, action: sign_in, user: alice, device: laptop}
`
	sc, err := Parse("l.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`l.yaml:4:12: user "аlice" mixes Latin and Cyrillic letters`,
		`l.yaml:4:12: user "аlice" looks like user "alice" at line 3, column 12`,
		`l.yaml:5:12: user "ａｌｉｃｅ" looks like user "alice" at line 3, column 12`,
		`l.yaml:6:12: user "al1ce" looks like user "alice" at line 3, column 12`,
	}
	got := strings.Join(sc.Warnings, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("no warning %q in:\n%s", w, got)
		}
	}
	if strings.Contains(got, "alicia") {
		t.Errorf("alicia looks like nobody else, yet:\n%s", got)
	}
}

// A file of NULs lists the first MaxErrors characters YAML refuses, at their places, then counts
// the rest.
func TestTextErrorsCapped(t *testing.T) {
	t.Parallel()
	data := append([]byte("name: x\n"), make([]byte, 5000)...)
	_, err := Parse("nul.yaml", data)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != MaxErrors+1 {
		t.Fatalf("Parse = %v, want %d errors", err, MaxErrors+1)
	}
	if got, want := list[1].Error(), "nul.yaml:2:2: YAML syntax: character U+0000 is not allowed in YAML"; got != want {
		t.Errorf("second error %q, want %q", got, want)
	}
	// 5000 NULs, the first 100 listed
	if got, want := list[MaxErrors].Error(), "nul.yaml: and 4900 more errors"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

// PROV-4: an Active Directory source names its sync, classic by default; only AD takes the key.
func TestDirectorySyncKey(t *testing.T) {
	t.Parallel()
	sc, err := Parse("ad.yaml", []byte("identity_source: {kind: active_directory, sync: configurable}\n"+minimal))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Source.ADSync != sim.ADSyncConfigurable {
		t.Errorf("sync %v, want configurable", sc.Source.ADSync)
	}
	roundTrip(t, sc)
	if sc, err := Parse("ad.yaml", []byte("identity_source: {kind: active_directory}\n"+minimal)); err != nil || sc.Source.ADSync != sim.ADSyncClassic {
		t.Errorf("default sync: %v, %v; want classic", sc.Source.ADSync, err)
	}
	_, err = Parse("idp.yaml", []byte("identity_source: {kind: external_idp, sync: classic}\n"+minimal))
	if want := "idp.yaml:1:39: sync applies only to an identity source of kind active_directory"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse = %v, want %q", err, want)
	}
}

// BG-8: start_job takes scheduled, for an automated workflow's job; other actions refuse it.
func TestScheduledKey(t *testing.T) {
	t.Parallel()
	src := `accounts: [prod]
settings: {background_sessions: {enabled: true, duration: 7d}}
applications: [{name: studio, kind: jobs}]
users:
  - {name: alice, assignments: [{application: studio}], devices: [{name: laptop}]}
events:
  - {at: 1h, action: start_job, user: alice, device: laptop, application: studio, duration: 1d, scheduled: true}
`
	sc, err := Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Events[0].Scheduled {
		t.Error("scheduled: true was not read")
	}
	roundTrip(t, sc)
	_, err = Parse("s.yaml", []byte(src+"  - {at: 2h, action: sign_in, user: alice, device: laptop, scheduled: true}\n"))
	if want := "s.yaml:8:60: sign_in does not take scheduled"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse = %v, want %q", err, want)
	}
}
