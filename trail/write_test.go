package trail

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"idcsim/scenarios"
	"idcsim/sim"
)

// example parses a built-in scenario.
func example(t *testing.T, name string) *sim.Scenario {
	t.Helper()
	for _, e := range scenarios.Examples() {
		if e.Name == name {
			sc, err := scenarios.Parse("example:"+name, e.Source)
			if err != nil {
				t.Fatal(err)
			}
			return sc
		}
	}
	t.Fatalf("no example %s", name)
	return nil
}

// simulate runs the scenario with and without sim.Options.Audit and returns the results and
// replication 0's audited activity; the results must not differ.
func simulate(t *testing.T, sc *sim.Scenario) (*sim.Results, []sim.Audit) {
	t.Helper()
	var audit []sim.Audit
	res, err := sim.Run(context.Background(), sc, sim.Options{Workers: 2, Audit: func(a sim.Audit) { audit = append(audit, a) }})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sim.Run(context.Background(), sc, sim.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res, plain) {
		t.Error("the results with Options.Audit differ from those without")
	}
	return res, audit
}

// readBack writes the activity, reads it back and rebuilds the timeline.
func readBack(t *testing.T, sc *sim.Scenario, audit []sim.Audit) (string, *Timeline) {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, sc, audit); err != nil {
		t.Fatal(err)
	}
	b := NewBuilder()
	counts, err := Read(context.Background(), []string{dir}, ReadOptions{}, b.Add)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Malformed+counts.Oversize+counts.Unreadable > 0 {
		t.Errorf("problems reading the written records: %v", counts.Problems)
	}
	return dir, b.Timeline(DefaultPlaybookWindow)
}

// grantKinds are the grants each kind of audited activity shows in the timeline: a console
// federation is an sso Federate and an sts AssumeRoleWithSAML.
var grantKinds = map[sim.AuditKind][]string{
	sim.AuditSignIn: {gSignIn}, sim.AuditSignOut: {gSignOut}, sim.AuditCLILogin: {gLogin},
	sim.AuditTokenRefresh: {gRefresh}, sim.AuditFederate: {gFederate, gAssume}, sim.AuditRoleCredentials: {gCreds},
}

// sameGrants checks that the timeline shows, per user, as many sign-ins, sign-outs, CLI logins,
// refreshes, federations and role credentials as the engine audited, and that those counts are
// the engine's counters of replication 0.
func sameGrants(t *testing.T, res *sim.Results, audit []sim.Audit, tl *Timeline) {
	t.Helper()
	want := map[string]map[string]int{}
	kinds := map[sim.AuditKind]int64{}
	for _, a := range audit {
		kinds[a.Kind]++
		for _, g := range grantKinds[a.Kind] {
			if want[a.User] == nil {
				want[a.User] = map[string]int{}
			}
			want[a.User][g]++
		}
	}
	got := map[string]map[string]int{}
	for _, u := range tl.Users {
		for _, g := range u.Grants {
			if got[u.Name] == nil {
				got[u.Name] = map[string]int{}
			}
			got[u.Name][g.Kind]++
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grants per user read back %v, audited %v", got, want)
	}
	c := res.Replications[0].Counters
	if kinds[sim.AuditSignIn] != c.SignInPrompts+c.SilentSignIns || kinds[sim.AuditCLILogin] != c.CLILogins ||
		kinds[sim.AuditFederate] != c.Federations {
		t.Errorf("audited %d sign-ins, %d CLI logins, %d federations; counters %+v", kinds[sim.AuditSignIn],
			kinds[sim.AuditCLILogin], kinds[sim.AuditFederate], c)
	}
	if len(want) == 0 {
		t.Error("nothing audited")
	}
}

// offboardings returns the offboardings of replication 0 as user@time, and the timeline's.
func offboardings(res *sim.Results, tl *Timeline) (engine, read []string) {
	for _, o := range res.Offboardings {
		if o.Replication == 0 {
			engine = append(engine, o.User+"@"+res.Scenario.Start.Add(o.At).UTC().Format(time.RFC3339))
		}
	}
	for _, o := range tl.Offboardings {
		read = append(read, o.User.Name+"@"+o.At.Format(time.RFC3339))
	}
	return engine, read
}

// idc-first disables mallory in IAM Identity Center as its playbook's first step: written,
// read back and rebuilt, the logs show the engine's grants and its offboarding at the same time.
func TestWriteRoundTrip(t *testing.T) {
	sc := example(t, "idc-first")
	res, audit := simulate(t, sc)
	dir, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	engine, read := offboardings(res, tl)
	// the scenario offboards mallory at 1d11h from 2026-03-02T00:00:00Z
	if want := []string{"mallory@2026-03-03T11:00:00Z"}; !reflect.DeepEqual(engine, want) || !reflect.DeepEqual(read, want) {
		t.Errorf("offboardings: engine %v, read back %v, want %v", engine, read, want)
	}
	// the playbook idc-only: disable_user, end_sessions 1m later; then the provisioning run
	// enables her again within its 40-minute interval (PROV-3), a SCIM PatchUser
	if steps := tl.Offboardings[0].Steps; len(steps) != 3 || steps[0].Action != sim.DisableUser || steps[1].Action != sim.EndSessions ||
		steps[1].Ev.Time.Sub(steps[0].Ev.Time) != time.Minute || steps[2].Action != sim.EnableUser ||
		steps[2].Event != "identitystore-scim:PatchUser" || steps[2].Ev.Time.Sub(steps[0].Ev.Time) > 40*time.Minute {
		t.Errorf("steps %+v, want disable_user, end_sessions 1m later, enable_user by provisioning within 40m", steps)
	}
	// the same activity gives the same bytes
	again, _ := readBack(t, sc, audit)
	files := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		rel, _ := filepath.Rel(dir, p)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(again, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes (%v)", rel, err)
		}
		return nil
	})
	// trent signs in on day 0 at 09:00; mallory's activity is on day 1 at 09:00-09:10, her
	// offboarding at 11:00-11:01, and her sign-in at 13:00 once provisioning has enabled her
	// again (PROV-3): four hours, four files
	if files != 4 {
		t.Errorf("%d files, want 4", files)
	}
}

// deny-policy's playbook begins with a deny policy and the removal of assignments, which Write
// does not write: the offboarding read back begins with its first written step, end_sessions,
// 2 minutes after the engine's (deny_user at 0, remove_assignments at 1m, end_sessions at 2m,
// disable_user at 3m).
func TestWriteRoundTripDenyPolicy(t *testing.T) {
	sc := example(t, "deny-policy")
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	engine, read := offboardings(res, tl)
	if want := []string{"peggy@2026-03-03T11:00:00Z"}; !reflect.DeepEqual(engine, want) {
		t.Errorf("engine's offboardings %v, want %v", engine, want)
	}
	if want := []string{"peggy@2026-03-03T11:02:00Z"}; !reflect.DeepEqual(read, want) {
		t.Errorf("offboardings read back %v, want %v", read, want)
	}
}

// data-science draws 25 people's days for 21 days and 4 offboardings from its behaviours: the
// logs read back show every one of replication 0's grants, and its offboardings, each beginning
// at its playbook's first written step, end_sessions: 2m after the engine's offboarding in
// aws-recommended (deny_user, remove_assignments 1m, end_sessions 1m, disable_user 1m), 3m in
// recommended-and-jobs (end_background_session 1m before end_sessions).
func TestWriteRoundTripBehaviours(t *testing.T) {
	sc := example(t, "data-science")
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	delay := map[string]time.Duration{"aws-recommended": 2 * time.Minute, "recommended-and-jobs": 3 * time.Minute}
	var want, got []string
	for _, o := range res.Offboardings {
		if o.Replication == 0 {
			want = append(want, o.User+"@"+sc.Start.Add(o.At+delay[o.Playbook]).UTC().Format(time.RFC3339))
		}
	}
	for _, o := range tl.Offboardings {
		got = append(got, o.User.Name+"@"+o.At.Format(time.RFC3339))
	}
	// quinn's and the 4 drawn offboardings
	if len(want) != 5 || !reflect.DeepEqual(got, want) {
		t.Errorf("offboardings read back %v, want %v", got, want)
	}
}

// spec-example runs a CLI workload on an sso-session profile: its token refreshes (CLI-2) and
// role credentials (CLI-5) are read back as the engine audited them.
func TestWriteRoundTripWorkload(t *testing.T) {
	sc := example(t, "spec-example")
	sc.Replications = 2
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	n := map[sim.AuditKind]int{}
	for _, a := range audit {
		n[a.Kind]++
	}
	if n[sim.AuditTokenRefresh] == 0 || n[sim.AuditRoleCredentials] == 0 {
		t.Errorf("audited %v: want token refreshes and role credentials", n)
	}
}
