package scenarios

import (
	"context"
	"strings"
	"testing"
	"time"

	"idcsim/sim"
)

const peopleSrc = `name: people
start: 2026-03-02T00:00:00Z
horizon: 14d
replications: 2
identity_source: {kind: external_idp, provisioning: {mode: periodic, interval: 40m}}
accounts: [prod, dev]
permission_sets:
  - {name: Admin, session_duration: 1h}
  - {name: Dev, session_duration: 8h}
applications:
  - {name: q, kind: aws_managed}
  - {name: wiki, kind: saml, session_duration: 24h}
  - {name: studio, kind: jobs}
  - {name: kiro, kind: kiro}
groups:
  - name: platform
    assignments: [{account: prod, permission_set: Admin}, {account: dev, permission_set: Dev}, {application: q}, {application: wiki}, {application: studio}, {application: kiro}]
users:
  - name: alice
    groups: [platform]
    devices: [{name: laptop}]
behaviours:
  - name: engineer
    time_zone: Europe/Berlin
    working_days: [mon, tue, wed, thu, Friday]
    working_hours: {start: 9h, end: "17:30"}
    arrival_spread: 1h
    sign_out: 0.3
    open_app: {per_day: 6, applications: [q, wiki]}
    federate: {per_day: 2, targets: [{account: prod, permission_set: Admin}]}
    cli: {per_day: 8, targets: [{account: dev, permission_set: Dev}]}
    cli_workload: {account: dev, permission_set: Dev}
    jobs: {per_day: 0.2, applications: [studio], duration: {lognormal: {median: 6h, sigma: 1}}}
    kiro: kiro
  - name: office
    working_days: [tue, sat]
    open_app: {per_day: 1.5e1, applications: [q]}
    jobs: {per_day: 1, applications: [studio], duration: {uniform: {min: 0s, max: 2h}}}
  - name: batch
    jobs: {per_day: 3, applications: [studio], duration: {exponential: {mean: 90m}}}
  - name: fixed
    jobs: {per_day: .5, applications: [studio], duration: 2h}
populations:
  - name: eng
    count: 50
    behaviour: engineer
    groups: [platform]
    devices: [{name: laptop, kind: browser}, {name: term, kind: cli}, {name: ide, kind: kiro}]
  - {name: ops, count: 3, behaviour: office, groups: [platform], devices: [{name: laptop}]}
  - {name: bots, count: 1, behaviour: batch, assignments: [{application: studio}], devices: [{name: laptop}]}
  - {name: fix, count: 2, behaviour: fixed, assignments: [{application: studio}], devices: [{name: laptop}]}
playbooks:
  quick:
    - {action: disable_user}
offboardings:
  - {count: 3, from: 1d, to: 12d, population: eng, playbook: aws-recommended}
  - {count: 2, from: 2026-03-04T00:00:00Z, to: 10d, playbook: [{action: disable_user, where: idp}, {after: 5m, action: end_sessions}]}
  - {count: 1, population: ops, to: 13d, playbook: quick}
events:
  - {at: 1d9h, action: sign_in, user: eng-7, device: laptop}
  - {at: 1d9h5m, action: open_app, user: eng-7, device: ide, application: kiro}
  - {at: 1d10h, action: offboard, user: eng-7, playbook: quick}
policy:
  - {id: OFF-1, channel: any, within: 1h}
`

// Behaviours, populations and generated offboardings are read into the engine's model, written
// back by Marshal, and run.
func TestPeople(t *testing.T) {
	t.Parallel()
	sc, err := Parse("people.yaml", []byte(peopleSrc))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 0 {
		t.Errorf("warnings: %q", sc.Warnings)
	}
	if len(sc.Behaviours) != 4 || len(sc.Populations) != 4 || len(sc.Offboardings) != 3 {
		t.Fatalf("%d behaviours, %d populations, %d offboardings", len(sc.Behaviours), len(sc.Populations), len(sc.Offboardings))
	}
	eng := sc.Behaviours[0]
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if eng.Location.String() != "Europe/Berlin" || eng.WorkingDays != [7]bool{false, true, true, true, true, true, false} ||
		eng.DayStart != 9*time.Hour || eng.DayEnd != 17*time.Hour+30*time.Minute || eng.ArrivalSpread != time.Hour ||
		eng.SignOutProbability != 0.3 {
		t.Errorf("engineer: %+v", eng)
	}
	if time.Date(2026, 7, 1, 9, 0, 0, 0, eng.Location).Sub(time.Date(2026, 7, 1, 9, 0, 0, 0, berlin)) != 0 {
		t.Errorf("time zone %v", eng.Location)
	}
	if eng.OpenApp.PerDay != 6 || len(eng.OpenApp.Targets) != 2 || eng.OpenApp.Targets[1] != (sim.Assignment{Application: "wiki"}) ||
		eng.Federate.Targets[0] != (sim.Assignment{Account: "prod", PermissionSet: "Admin"}) || eng.CLI.PerDay != 8 ||
		*eng.CLIWorkload != (sim.Assignment{Account: "dev", PermissionSet: "Dev"}) || eng.Jobs.PerDay != 0.2 ||
		eng.JobDuration != (sim.Dist{Kind: sim.LogNormal, A: 6 * time.Hour, Sigma: 1}) || eng.Kiro != "kiro" {
		t.Errorf("engineer's activities: %+v", eng)
	}
	office := sc.Behaviours[1]
	if office.Location != nil || office.WorkingDays != [7]bool{2: true, 6: true} || office.DayStart != 9*time.Hour ||
		office.DayEnd != 17*time.Hour || office.OpenApp.PerDay != 15 ||
		office.JobDuration != (sim.Dist{Kind: sim.Uniform, A: 0, B: 2 * time.Hour}) {
		t.Errorf("office: %+v", office)
	}
	if d := sc.Behaviours[2].JobDuration; d != (sim.Dist{Kind: sim.Exponential, A: 90 * time.Minute}) {
		t.Errorf("exponential: %+v", d)
	}
	if d := sc.Behaviours[3].JobDuration; d != (sim.Dist{Kind: sim.Fixed, A: 2 * time.Hour}) || sc.Behaviours[3].Jobs.PerDay != 0.5 {
		t.Errorf("fixed: %+v", sc.Behaviours[3])
	}
	pop := sc.Populations[0]
	if pop.Name != "eng" || pop.Count != 50 || pop.Behaviour != "engineer" || len(pop.Devices) != 3 || pop.Groups[0] != "platform" {
		t.Errorf("population: %+v", pop)
	}
	// CUT-4: the documented order with the IdP step, acting on whoever is drawn.
	p0 := sc.Offboardings[0]
	if p0.Count != 3 || p0.From != day || p0.To != 12*day || p0.Population != "eng" || p0.PlaybookName != "aws-recommended" ||
		len(p0.Playbook) != 6 || p0.Playbook[2].Event.Where != sim.AtIdP || p0.Playbook[2].Event.User != "" {
		t.Errorf("CUT-4 plan: %+v", p0)
	}
	p1 := sc.Offboardings[1]
	if p1.From != 2*day || p1.Population != "" || p1.PlaybookName != "inline" || len(p1.Playbook) != 2 || p1.Playbook[1].After != 5*time.Minute {
		t.Errorf("inline plan: %+v", p1)
	}
	if p2 := sc.Offboardings[2]; p2.From != 0 || p2.To != 13*day || p2.PlaybookName != "quick" || len(p2.Playbook) != 1 {
		t.Errorf("named plan: %+v", p2)
	}
	if ev := sc.Events[1]; ev.User != "eng-7" || ev.Device != "ide" {
		t.Errorf("an event of a population's person: %+v", ev)
	}
	roundTrip(t, sc)

	res, err := sim.Run(context.Background(), sc, sim.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// each replication: the scripted offboarding and 3+2+1 generated ones
	if len(res.Offboardings) != 2*7 || res.Counters.JobsStarted == 0 || res.Counters.CLILogins == 0 || res.Counters.Federations == 0 {
		t.Errorf("%d offboardings, counters %+v", len(res.Offboardings), res.Counters)
	}
	for _, o := range res.Offboardings {
		if o.Playbook == "aws-recommended" && !strings.HasPrefix(o.User, "eng-") {
			t.Errorf("an offboarding of the eng population drew %s", o.User)
		}
	}
}

func TestPeopleWarnings(t *testing.T) {
	t.Parallel()
	src := strings.Replace(peopleSrc, "    devices: [{name: laptop, kind: browser}, {name: term, kind: cli}, {name: ide, kind: kiro}]\n", "", 1)
	src = strings.Replace(src, "  - {name: bots, count: 1, behaviour: batch, assignments: [{application: studio}], devices: [{name: laptop}]}\n", "", 1)
	src = strings.Replace(src, "  - {at: 1d9h, action: sign_in, user: eng-7, device: laptop}\n  - {at: 1d9h5m, action: open_app, user: eng-7, device: ide, application: kiro}\n", "", 1)
	src = strings.Replace(src, "behaviour: office, groups: [platform],", "behaviour: office,", 1)
	src = strings.Replace(src, "to: 13d", "to: 13d13h", 1)
	sc, err := Parse("w.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"w.yaml:39:11: behaviour batch is used by no population",
		"w.yaml:44:11: population eng has no browser device, so its people never sign in from a browser (behaviour engineer)",
		"w.yaml:44:11: population eng has no cli device, so its people never use the CLI (behaviour engineer)",
		"w.yaml:44:11: population eng has no kiro device, so its people never open Kiro (behaviour engineer)",
		"w.yaml:48:12: population ops is never entitled to application q, which behaviour office opens; those actions will be refused (APP-1, ROLE-1)",
		"w.yaml:48:12: population ops is never entitled to application studio, which behaviour office starts jobs in; those actions will be refused (APP-1, ROLE-1)",
		"w.yaml:56:5: these offboardings may fall less than 12h before the horizon; role sessions may still be open when the simulation ends",
	}
	if got := strings.Join(sc.Warnings, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// Generated offboardings alone are enough to measure exposure; a population's people may be
// named in events only within its count.
func TestPopulationNames(t *testing.T) {
	t.Parallel()
	src := `behaviours: [{name: b}]
populations: [{name: eng, count: 3, behaviour: b, devices: [{name: laptop}]}]
users: [{name: eng-03}, {name: eng-4}, {name: eng}]
offboardings: [{count: 6, to: 29d, playbook: []}]
events:
  - {at: 1h, action: sign_in, user: eng-3, device: laptop}
`
	sc, err := Parse("n.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 0 {
		t.Errorf("warnings: %q", sc.Warnings)
	}
	roundTrip(t, sc)
	_, err = Parse("n.yaml", []byte(strings.Replace(src, "user: eng-3,", "user: eng-0,", 1)))
	if err == nil || !strings.Contains(err.Error(), `n.yaml:6:37: unknown user "eng-0"; population eng has 3 people, eng-1 to eng-3`) {
		t.Errorf("eng-0: %v", err)
	}
	_, err = Parse("n.yaml", []byte(strings.Replace(src, "{name: eng-4}", "{name: eng-2}", 1)))
	if err == nil || !strings.Contains(err.Error(), "n.yaml:2:22: population eng names its people eng-1 to eng-3, and user eng-2 (line 3) has one of those names") {
		t.Errorf("eng-2: %v", err)
	}
}

// The users limit counts the people of populations.
func TestPopulationLimit(t *testing.T) {
	t.Parallel()
	src := "behaviours: [{name: b}]\nusers: [{name: a}]\npopulations:\n  - {name: p, count: 5000000, behaviour: b}\n  - {name: q, count: 5000000, behaviour: b}\n"
	_, err := Parse("l.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "l.yaml:5:22: too many people: the users and populations come to 10000001; the limit is 10000000") {
		t.Errorf("limit: %v", err)
	}
}
