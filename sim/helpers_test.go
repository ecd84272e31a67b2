package sim

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// h parses a Go duration, with days allowed in front, for the tests' timelines: h("1h30m"), h("2d").
func h(s string) time.Duration {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			panic(err)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days
		}
	}
	d, err := time.ParseDuration(s)
	d += days
	if err != nil {
		panic(err)
	}
	return d
}

// testScenario is a small organisation for rule tests: one user, alice, directly assigned to an
// AWS managed application (q), a SAML application (wiki, 24h sessions) and the account prod with
// the permission sets Admin (1h) and Long (12h); a group platform assigned to q and prod/Admin that
// bob belongs to. alice has two browsers (laptop, phone), an AWS CLI (term), an SDK (sdk) and a
// legacy CLI profile (old).
func testScenario(events ...Event) *Scenario {
	p, _ := LookupProfile("current")
	return &Scenario{
		Name:           "test",
		Horizon:        10 * 24 * time.Hour,
		Seed:           1,
		Replications:   1,
		Profile:        p,
		Switches:       DefaultSwitches(),
		Settings:       Settings{PortalSession: 8 * time.Hour},
		Accounts:       []string{"prod"},
		PermissionSets: []PermissionSet{{Name: "Admin", SessionDuration: time.Hour}, {Name: "Long", SessionDuration: 12 * time.Hour}},
		Applications: []Application{{Name: "q", Kind: AWSManaged}, {Name: "wiki", Kind: SAML, SessionDuration: 24 * time.Hour},
			{Name: "extra", Kind: AWSManaged}},
		Groups: []Group{{Name: "platform", Assignments: []Assignment{{Application: "q"}, {Account: "prod", PermissionSet: "Admin"}}}},
		Users: []User{
			{Name: "alice",
				Assignments: []Assignment{{Application: "q"}, {Application: "wiki"}, {Account: "prod", PermissionSet: "Admin"}, {Account: "prod", PermissionSet: "Long"}},
				Devices: []Device{{Name: "laptop", Kind: Browser}, {Name: "phone", Kind: Browser},
					{Name: "term", Kind: CLI, Browser: "laptop"}, {Name: "sdk", Kind: CLI, Client: SDK, Browser: "laptop"},
					{Name: "old", Kind: CLI, Config: Legacy, Browser: "laptop"}, {Name: "own", Kind: CLI}}},
			{Name: "bob", Groups: []string{"platform"},
				Devices: []Device{{Name: "laptop", Kind: Browser}, {Name: "term", Kind: CLI, Browser: "laptop"}}},
		},
		Events: events,
	}
}

// e builds a timeline event for alice unless the event names another user.
func e(at string, a Action, fields ...string) Event {
	ev := Event{At: h(at), Action: a, User: "alice"}
	for i := 0; i+1 < len(fields); i += 2 {
		v := fields[i+1]
		switch fields[i] {
		case "user":
			ev.User = v
		case "device":
			ev.Device = v
		case "app":
			ev.Application = v
		case "account":
			ev.Account = v
		case "ps":
			ev.PermissionSet = v
		case "group":
			ev.Group = v
		case "where":
			if v == "idp" {
				ev.Where = AtIdP
			}
		case "duration":
			ev.Duration = h(v)
		default:
			panic("unknown field " + fields[i])
		}
	}
	return ev
}

// offboard is an offboarding of alice at the given time with the given steps (each After 0).
func offboard(at string, steps ...Event) Event {
	ev := Event{At: h(at), Action: Offboard, User: "alice", PlaybookName: "test"}
	for _, s := range steps {
		s.User = "alice"
		ev.Playbook = append(ev.Playbook, Step{Event: s})
	}
	return ev
}

func act(a Action, fields ...string) Event { return e("0s", a, fields...) }

func runScenario(t *testing.T, sc *Scenario) *Results {
	t.Helper()
	res, err := Run(context.Background(), sc, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// windows runs the scenario and returns the windows of its only offboarding.
func windows(t *testing.T, sc *Scenario) [NumChannels]Window {
	t.Helper()
	res := runScenario(t, sc)
	if len(res.Offboardings) != 1 {
		t.Fatalf("%d offboardings, want 1", len(res.Offboardings))
	}
	return res.Offboardings[0].Windows
}

// want checks one channel's window.
func want(t *testing.T, w [NumChannels]Window, c Channel, length string, open bool) {
	t.Helper()
	got := w[c]
	if got.Length != h(length) || got.Open != open {
		t.Errorf("%s window = %v (open %v), want %v (open %v); evidence: %s", c, got.Length, got.Open, h(length), open, got.Evidence)
	}
}
