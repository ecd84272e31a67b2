package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"idcsim/sim"
)

// roundTrip checks that Marshal writes a scenario that parses back to an equal one.
func roundTrip(t *testing.T, sc *sim.Scenario) {
	t.Helper()
	out, err := Marshal(sc)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := Parse("marshalled.yaml", out)
	if err != nil {
		t.Fatalf("parsing the marshalled scenario: %v\n%s", err, out)
	}
	a, b := *sc, *back
	a.SHA256, b.SHA256 = "", ""
	a.Warnings, b.Warnings = nil, nil
	// where the controls are written is the file's layout, not the scenario
	a.Policy, b.Policy = unplaced(a.Policy), unplaced(b.Policy)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip changed the scenario\nbefore: %+v\nafter:  %+v\nyaml:\n%s", a, b, out)
	}
}

// unplaced returns the controls without their places in the file.
func unplaced(cs []sim.Control) []sim.Control {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Line, out[i].Column = 0, 0
	}
	return out
}

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range Examples() {
		t.Run(e.Name, func(t *testing.T) {
			sc, err := Parse(e.Name, e.Source)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, sc)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, e := range Examples() {
		f.Add(e.Source)
	}
	bad, _ := filepath.Glob(filepath.Join("..", "testdata", "bad", "*.yaml"))
	for _, path := range bad {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("Parse returned %T, not ErrorList", err)
			}
			return
		}
		roundTrip(t, sc)
	})
}

func TestMarshalRoundTripTricky(t *testing.T) {
	t.Parallel()
	src := `name: "a: b # c 'd' \"e\" ünï"
start: 2026-03-02T01:02:03+05:30
horizon: 400d
seed: 18446744073709551615
profile: 2022-10
timing: {app_session_check: 1h1m1s, portal_session_max: 8d}
switches: {user_actions_end_kiro_sessions: true, cli_token_survives_session_end: false}
identity_source: {kind: active_directory, ticket_lifetime: 9h}
settings: {portal_session: 8d, background_sessions: {enabled: false}}
accounts: [012345678901, "true", "null", "- x", "[y]", 1.5e3]
permission_sets: [{name: "#P", session_duration: PT12H}]
applications: [{name: "k: v", kind: kiro}, {name: j, kind: jobs, background_sessions: false}]
groups: [{name: "*g"}]
users:
  - name: "&u"
    groups: ["*g"]
    assignments: [{account: 012345678901, permission_set: "#P"}, {application: "k: v"}]
    devices: [{name: "!d", kind: kiro}, {name: c, kind: cli, client: sdk, config: legacy}]
events:
  - {at: 2026-03-02T01:02:05+05:30, action: open_app, user: "&u", device: "!d", application: "k: v"}
  - {at: 0.5m, action: stop_cli_workload, user: "&u", device: c}
  - {at: 1h, action: offboard, user: "&u", playbook: [{after: 1.5m, action: end_sessions, device: c}, {action: remove_assignment, application: "k: v"}]}
policy:
  - {id: "1", channel: kiro, statistic: p99, within: 0s, text: "line one\n  line two  \n\ttab\n"}
`
	sc, err := Parse("tricky.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Accounts[0] != "012345678901" || sc.Events[0].At != 2*time.Second || sc.Events[1].At != 30*time.Second {
		t.Errorf("accounts %q, at %v and %v", sc.Accounts, sc.Events[0].At, sc.Events[1].At)
	}
	roundTrip(t, sc)
}
