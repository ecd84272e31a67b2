package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
// federation is an sso Federate and an sts AssumeRoleWithSAML; an application's role
// credentials follow its exchange (TTI-1). A refused sign-in is a failed one; other refused
// requests are attempts, not grants.
func grantKinds(a sim.Audit) []string {
	switch {
	case a.Kind == sim.AuditSignIn && a.Refused:
		return []string{"sign_in_failed"}
	case a.Refused:
		return nil
	case a.Kind == sim.AuditRoleCredentials && a.App != "":
		return []string{gAppCreds}
	}
	return map[sim.AuditKind][]string{
		sim.AuditSignIn: {gSignIn}, sim.AuditSignOut: {gSignOut}, sim.AuditCLILogin: {gLogin},
		sim.AuditTokenRefresh: {gRefresh}, sim.AuditFederate: {gFederate, gAssume}, sim.AuditRoleCredentials: {gCreds},
		sim.AuditExchange: {gExchange},
	}[a.Kind]
}

// sameGrants checks that the timeline shows, per user, as many sign-ins (and failed ones),
// sign-outs, CLI logins, refreshes, federations, role credentials and exchanges as the engine
// audited, and that those counts are the engine's counters of replication 0; and that the role
// sessions read back show as many calls, and as many refused ones, as were audited.
func sameGrants(t *testing.T, res *sim.Results, audit []sim.Audit, tl *Timeline) {
	t.Helper()
	want := map[string]map[string]int{}
	kinds := map[sim.AuditKind]int64{}
	uses := map[string][2]int{}
	for _, a := range audit {
		if !a.Refused {
			kinds[a.Kind]++
		}
		if a.Kind == sim.AuditRoleUse {
			n := uses[a.User]
			if a.Refused {
				n[1]++
			} else {
				n[0]++
			}
			uses[a.User] = n
		}
		for _, g := range grantKinds(a) {
			if want[a.User] == nil {
				want[a.User] = map[string]int{}
			}
			want[a.User][g]++
		}
	}
	got := map[string]map[string]int{}
	gotUses := map[string][2]int{}
	for _, u := range tl.Users {
		for _, g := range u.Grants {
			if got[u.Name] == nil {
				got[u.Name] = map[string]int{}
			}
			k := g.Kind
			if g.Failed {
				k = "sign_in_failed"
			}
			got[u.Name][k]++
		}
		for _, rs := range u.Roles {
			if u.Name == "admin" {
				break // Write's administrator, whose admin actions are calls of a permission set's role session
			}
			n := gotUses[u.Name]
			n[0] += rs.Uses.N
			n[1] += rs.Refused.N
			gotUses[u.Name] = n
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grants per user read back %v, audited %v", got, want)
	}
	if !reflect.DeepEqual(gotUses, uses) {
		t.Errorf("role session calls (and refused ones) per user read back %v, audited %v", gotUses, uses)
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

// sameBytes writes the activity again and checks that it gives the bytes written in dir; it
// returns the number of files.
func sameBytes(t *testing.T, sc *sim.Scenario, audit []sim.Audit, dir string) int {
	t.Helper()
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
	return files
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
	files := sameBytes(t, sc, audit, dir)
	// trent signs in on day 0 at 09:00; mallory's activity is on day 1 at 09:00-09:10, her
	// offboarding at 11:00-11:01, and her sign-in at 13:00 once provisioning has enabled her
	// again (PROV-3): four hours, each with a file of the management account's records, and
	// 09:00 on day 1 with one of the member account where her role session's calls were made
	if files != 5 {
		t.Errorf("%d files, want 5", files)
	}
	checkPrefixes(t, dir)
}

// checkPrefixes checks that every file under dir holds the records of the account its path and
// name give, as CloudTrail delivers them: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
// ACCOUNT_CloudTrail_REGION_...; and that more than one account received records.
func checkPrefixes(t *testing.T, dir string) {
	t.Helper()
	accounts := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != 8 || parts[0] != "AWSLogs" || parts[2] != "CloudTrail" || !strings.HasPrefix(parts[7], parts[1]+"_CloudTrail_") {
			t.Errorf("%s: not in CloudTrail's layout", rel)
			return nil
		}
		accounts[parts[1]] = true
		_, err = Read(context.Background(), []string{p}, ReadOptions{All: true}, func(rec *Record) {
			if got := recipientOf(rec.Raw); got != parts[1] {
				t.Errorf("%s: a record received by %q", rel, got)
			}
		})
		return err
	})
	if len(accounts) < 2 {
		t.Errorf("records of %d accounts, want the management account's and a member account's", len(accounts))
	}
}

// recipientOf returns the recipientAccountId of the record raw.
func recipientOf(raw []byte) string {
	var r struct {
		Recipient string `json:"recipientAccountId"`
	}
	json.Unmarshal(raw, &r)
	return r.Recipient
}

// deny-policy's playbook begins with a deny policy (CUT-1), written as a service control policy
// keyed on her user ID, then remove_assignments (which the engine does not audit: it names no
// one assignment), end_sessions at 2m, disable_user at 3m and allow_user 12h later (the policy
// detached and deleted): the offboarding read back begins with the deny, at the engine's time,
// and its steps are the deny, end_sessions, disable_user and the deny lifted.
func TestWriteRoundTripDenyPolicy(t *testing.T) {
	sc := example(t, "deny-policy")
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	engine, read := offboardings(res, tl)
	if want := []string{"peggy@2026-03-03T11:00:00Z"}; !reflect.DeepEqual(engine, want) || !reflect.DeepEqual(read, want) {
		t.Errorf("offboardings: engine %v, read back %v, want %v", engine, read, want)
	}
	var steps []string
	for _, s := range tl.Offboardings[0].Steps {
		steps = append(steps, s.Action.String()+"@"+s.Ev.Time.Format("15:04"))
	}
	if want := []string{"deny_user@11:00", "end_sessions@11:02", "disable_user@11:03", "allow_user@23:03"}; !reflect.DeepEqual(steps, want) {
		t.Errorf("steps read back %v, want %v", steps, want)
	}
}

// data-science draws 25 people's days for 21 days and 4 offboardings from its behaviours: the
// logs read back show every one of replication 0's grants, and its offboardings at the engine's
// times: the playbooks aws-recommended and recommended-and-jobs begin with the deny policy
// (CUT-1), which is written.
func TestWriteRoundTripBehaviours(t *testing.T) {
	sc := example(t, "data-science")
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	want, got := offboardings(res, tl)
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

// auditChannels are the channels on which each kind of audited activity, not refused, is
// observed once written and read back (Analyze's observe): a sign-in opens a portal session, a
// federation needs one, CLI role credentials need the CLI's token, an application's need the
// token it exchanged (TTI-1).
func auditChannels(a sim.Audit) []string {
	if a.Refused && a.Kind == sim.AuditRoleCredentials && a.App != "" {
		return []string{chAppOnBehalf}
	}
	if a.Refused {
		return refusedChannels[a.Kind]
	}
	switch a.Kind {
	case sim.AuditSignIn:
		return []string{chSignIn, chPortal}
	case sim.AuditFederate:
		return []string{chRoleNew, chPortal}
	case sim.AuditRoleCredentials:
		if a.App != "" {
			return []string{chAppOnBehalf}
		}
		return []string{chRoleNew, chCLIToken}
	case sim.AuditCLILogin, sim.AuditTokenRefresh:
		return []string{chCLIToken}
	case sim.AuditRoleUse:
		return []string{chRoleExisting}
	case sim.AuditExchange:
		return []string{chAppOnBehalf}
	}
	return nil
}

// refusedChannels are the channels on which the refused requests are attempts, as the reader
// counts them: a failed sign-in on sign_in, a refused federation on portal, refused role
// credentials on role_new (an application's on app_on_behalf), a refused token on cli_token.
var refusedChannels = map[sim.AuditKind][]string{
	sim.AuditSignIn: {chSignIn}, sim.AuditFederate: {chPortal}, sim.AuditRoleCredentials: {chRoleNew},
	sim.AuditCLILogin: {chCLIToken}, sim.AuditTokenRefresh: {chCLIToken}, sim.AuditRoleUse: {chRoleExisting},
	sim.AuditExchange: {chAppOnBehalf},
}

// lastActivity returns, per channel, the time from the offboarding at at to the user's last
// audited activity after it that was not refused, and the same for the refused attempts. Role
// credentials issued once a deny policy on the user is in force (its time plus the longest
// propagation) give no access on role_new or app_on_behalf (CUT-1, TTI-3).
func lastActivity(audit []sim.Audit, user string, at, propagation time.Duration) (last, refused map[string]time.Duration) {
	last, refused = map[string]time.Duration{}, map[string]time.Duration{}
	deny := time.Duration(-1)
	for _, a := range audit {
		if a.User != user {
			continue
		}
		switch a.Kind {
		case sim.AuditDenyUser:
			deny = a.At.Truncate(time.Second) + propagation
		case sim.AuditAllowUser:
			deny = -1
		}
		if a.At.Truncate(time.Second) <= at {
			continue
		}
		if deny >= 0 && a.At >= deny && !a.Refused && (a.Kind == sim.AuditFederate || a.Kind == sim.AuditRoleCredentials) {
			if a.Kind == sim.AuditFederate {
				last[chPortal] = max(last[chPortal], a.At.Truncate(time.Second)-at)
			} else if a.App == "" {
				last[chCLIToken] = max(last[chCLIToken], a.At.Truncate(time.Second)-at)
			}
			continue
		}
		m := last
		if a.Refused {
			m = refused
		}
		for _, ch := range auditChannels(a) {
			m[ch] = max(m[ch], a.At.Truncate(time.Second)-at)
		}
	}
	return last, refused
}

// checkWindows analyses the timeline read back and checks each offboarding of replication 0
// against what the engine measured:
//   - the same offboardings: each user's, at the first of its steps that AWS's logs show (a
//     disable at the IdP is not in them: the provisioning run that carries it over is, PROV-2);
//   - per channel, the observed window is the user's last audited activity after it, not
//     refused, to the second (the records' times are whole seconds), and the last refused
//     attempt likewise: the engine's last use of a role session is role_existing's (ROLE-3,
//     CUT-1), an application's last exchange or credentials app_on_behalf's (TTI-1);
//   - activity needs access: the observed window is within the engine's window on sign_in
//     (UIS-5), portal (UIS-1), role_new (ROLE-1), role_existing (ROLE-3, CUT-1), cli_token
//     (CLI-1, CLI-3) and app_on_behalf (TTI-1, TTI-2);
//   - the engine's window is within the bound the analysis gives, on every modelled channel
//     but any, give or take the one phase it draws that the logs do not show, the deny
//     policy's propagation (CUT-1, at most 5m in profile current), and a second of rounding;
//   - so nothing is beyond the rules, and the analysis passes.
//
// app_existing is observed only: Write writes no application's activity.
func checkWindows(t *testing.T, sc *sim.Scenario, res *sim.Results, audit []sim.Audit, tl *Timeline) *Report {
	t.Helper()
	rep, err := Analyze(context.Background(), tl, &Counts{}, Options{Replications: 20, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Pass {
		t.Error("activity beyond the rules in the logs the engine wrote")
	}
	propagation := sc.Profile.DenyPropagation
	checked := 0
	for _, o := range res.Offboardings {
		if o.Replication != 0 {
			continue
		}
		// the first step the logs show
		first := time.Duration(-1)
		for _, a := range audit {
			written := a.Kind >= sim.AuditDisableUser && a.Kind != sim.AuditRoleUse && a.Kind != sim.AuditExchange &&
				(a.Provisioned || a.Where != sim.AtIdP)
			if a.User == o.User && a.At >= o.At && written {
				first = a.At
				break
			}
		}
		var or *OffboardingReport
		for _, r := range rep.Offboardings {
			if r.Name == o.User {
				or = r
			}
		}
		if or == nil || first < 0 || !or.At.Equal(sc.Start.Add(first).UTC().Truncate(time.Second)) {
			t.Errorf("%s offboarded at %v, first written step at %v: read back %+v", o.User, o.At, first, or)
			continue
		}
		checked++
		at := or.At.Sub(sc.Start)
		last, refused := lastActivity(audit, o.User, at, propagation)
		for _, w := range or.Windows {
			c, _ := sim.ParseChannel(w.Channel)
			want, seen := last[w.Channel]
			if w.Channel == chAny {
				continue
			}
			if w.Seen != seen || seen && w.Observed != want {
				t.Errorf("%s %s: observed %v (seen %v), the engine's last activity %v (%v)", o.User, w.Channel, w.Observed, w.Seen, want, seen)
			}
			if r, ok := refused[w.Channel]; ok != (w.Refused != nil) || ok && w.LastRefused != r {
				t.Errorf("%s %s: last refused %v (%v), the engine's %v (%v)", o.User, w.Channel, w.LastRefused, w.Refused != nil, r, ok)
			}
			ew := o.Windows[c]
			if seen && w.Channel != chAppExisting && !ew.Open && w.Observed+(at-o.At) > ew.Length+time.Second {
				t.Errorf("%s %s: observed %v after %v, beyond the engine's window %v", o.User, w.Channel, w.Observed, at-o.At, ew.Length)
			}
			if w.Modelled && w.BoundOpen == 0 && !ew.Open && ew.Length > w.BoundMax+propagation+time.Second {
				t.Errorf("%s %s: the engine's window %v beyond the bound %v", o.User, w.Channel, ew.Length, w.BoundMax)
			}
		}
	}
	if checked == 0 || checked != len(rep.Offboardings) {
		t.Errorf("%d offboardings checked, %d read back", checked, len(rep.Offboardings))
	}
	return rep
}

// seenOn counts the offboardings read back with activity observed on the channel, and those with
// refused attempts on it.
func seenOn(rep *Report, channel string) (seen, refused int) {
	for _, o := range rep.Offboardings {
		for _, w := range o.Windows {
			if w.Channel == channel && w.Seen {
				seen++
			}
			if w.Channel == channel && w.Refused != nil {
				refused++
			}
		}
	}
	return seen, refused
}

// The default example, one replication: 342 people over 30 days, erin's and grace's stories and
// 7 leavers drawn, 5 of them with the documented order that begins with the deny policy (CUT-1)
// and 2 office staff disabled at the IdP alone. Written, read back and analysed, the windows
// are the engine's (checkWindows), and a call refused by a deny is read back where the engine refused one.
func TestWriteRoundTripWindowsDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("a month of 342 people")
	}
	sc := example(t, "default")
	sc.Replications = 1
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	rep := checkWindows(t, sc, res, audit, tl)
	// 7 drawn and erin and grace (default.yaml)
	if len(rep.Offboardings) != 9 {
		t.Errorf("%d offboardings read back, want 9", len(rep.Offboardings))
	}
	// Whether a leaver's call is refused by their deny policy (CUT-1) depends on the draws: the
	// offboardings with one read back are those where the engine refused one.
	want := 0
	for _, o := range rep.Offboardings {
		for _, a := range audit {
			if a.Kind == sim.AuditRoleUse && a.Refused && a.User == o.Name && !sc.Start.Add(a.At).Before(o.At) {
				want++
				break
			}
		}
	}
	if _, refused := seenOn(rep, chRoleExisting); refused != want {
		t.Errorf("%d offboardings with a role session call refused after them read back, the engine refused one after %d (CUT-1)", refused, want)
	}
	t.Logf("%d offboardings with a role session call refused by a deny policy after them", want)
}

// deny-policy: peggy's console and CLI role sessions of 09:05 and 09:12 (12h, ROLE-2) would run
// to the evening; the deny policy at 11:00 (CUT-1) stops them within its propagation. Read back,
// the deny is the offboarding's first step and the bound on role_existing is the propagation's,
// at most 5 minutes, not 12 hours.
func TestWriteRoundTripWindowsDenyPolicy(t *testing.T) {
	sc := example(t, "deny-policy")
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	rep := checkWindows(t, sc, res, audit, tl)
	for _, w := range rep.Offboardings[0].Windows {
		if w.Channel == chRoleExisting && (w.BoundMax <= 0 || w.BoundMax > 5*time.Minute) {
			t.Errorf("peggy's role_existing bound %v, want within the deny's propagation, (0, 5m]", w.BoundMax)
		}
	}
}

// app-on-behalf: the reporting service acts as nina at 10:30 (an exchange, TTI-1), at 11:20 with
// the token of 10:30 after her offboarding at 11:00 (TTI-4: the disable does not revoke it), and
// at 12:00, when the exchange is refused: she is disabled in IAM Identity Center (TTI-2). Read
// back, the reconstruction replays them as act_as_user, so the bound covers app_on_behalf: nina's
// observed app_on_behalf is 20m (the credentials of 11:20), within the bound of 30m (the token to
// 11:30); her last refused attempt 1h (the exchange of 12:00); role_existing 20m, the call the
// service made with the credentials of 11:20.
func TestWriteRoundTripWindowsOnBehalf(t *testing.T) {
	sc := example(t, "app-on-behalf")
	sc.Replications = 1
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	rep := checkWindows(t, sc, res, audit, tl)
	var nina *OffboardingReport
	for _, o := range rep.Offboardings {
		if o.Name == "nina" {
			nina = o
		}
	}
	if nina == nil {
		t.Fatal("nina's offboarding not read back")
	}
	want := map[string][3]time.Duration{ // observed, last refused, bound max
		chAppOnBehalf:  {20 * time.Minute, time.Hour, 30 * time.Minute},
		chRoleExisting: {20 * time.Minute, 0, 12*time.Hour + 20*time.Minute},
	}
	for _, w := range nina.Windows {
		x, ok := want[w.Channel]
		if !ok {
			continue
		}
		if !w.Modelled || !w.Seen || w.Observed != x[0] || w.LastRefused != x[1] || w.BoundMax != x[2] {
			t.Errorf("nina %s: observed %v, refused %v, bound %v (modelled %v); want %v", w.Channel, w.Observed, w.LastRefused, w.BoundMax, w.Modelled, x)
		}
	}
	var acts int
	for _, e := range rep.Scenario.Events {
		if e.Action == sim.ActAsUser && e.User == "nina" {
			acts++
		}
	}
	// 10:30 and 11:20: the refused exchange of 12:00 obtained nothing
	if acts != 2 {
		t.Errorf("%d act_as_user of nina replayed, want 2", acts)
	}
}

// app-on-behalf-idp-first: the deny policy at 11:00 (CUT-1), the disable at the IdP at 11:01
// carried over by the push at 11:02 (a PatchUser), end_sessions, the disable in IAM Identity
// Center at 11:03, and the deny lifted 13h later (its DetachPolicy and DeletePolicy read back
// as allow_user). At 11:20 the service obtains a role session as nina with the token of 10:30
// (TTI-4), but the deny, in force by 11:05, blocks its call (CUT-1, TTI-3): read back, nothing
// is observed on app_on_behalf or role_existing, and role_existing's last refused call is at
// +20m; the windows are the engine's (checkWindows).
func TestWriteRoundTripWindowsOnBehalfDeny(t *testing.T) {
	sc := example(t, "app-on-behalf-idp-first")
	sc.Replications = 1
	res, audit := simulate(t, sc)
	dir, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	sameBytes(t, sc, audit, dir) // exchanges, deny policies, refused calls: the same bytes again
	rep := checkWindows(t, sc, res, audit, tl)
	for _, o := range rep.Offboardings {
		if o.Name != "nina" {
			continue
		}
		var steps []string
		for _, s := range o.Steps {
			steps = append(steps, s.Action.String()+"@"+s.Ev.Time.Format("15:04"))
		}
		want := []string{"deny_user@11:00", "disable_user@11:02", "end_sessions@11:02", "disable_user@11:03", "allow_user@00:03"}
		if !reflect.DeepEqual(steps, want) {
			t.Errorf("nina's steps read back %v, want %v", steps, want)
		}
		for _, w := range o.Windows {
			switch {
			case w.Channel == chAppOnBehalf && w.Seen:
				t.Errorf("app_on_behalf observed %v: the credentials of 11:20 came under the deny", w.Observed)
			case w.Channel == chRoleExisting && (w.Seen || w.LastRefused != 20*time.Minute):
				t.Errorf("role_existing observed %v (seen %v), last refused %v; want none, and a refused call at +20m", w.Observed, w.Seen, w.LastRefused)
			}
		}
		return
	}
	t.Error("nina's offboarding not read back")
}

// deny-policy with a revocation in place of the deny on the user: revoke_role_sessions of
// Operator at 11:00 (CUT-2), a deny on aws:TokenIssueTime in the permission set's inline policy.
// Read back, it is the offboarding's first step, replayed as revoke_role_sessions: peggy's two
// Operator sessions of 09:05 and 09:12 end within its propagation, so the bound on
// role_existing is at most 5 minutes (CUT-2 propagates as CUT-1), not their 12 hours; victor's
// Operator session of the day before has expired (9h05m + 12h), so nothing is collateral.
func TestWriteRoundTripWindowsRevoke(t *testing.T) {
	sc := example(t, "deny-policy")
	for i, e := range sc.Events {
		if e.Action != sim.Offboard {
			continue
		}
		var steps []sim.Step
		for _, s := range e.Playbook {
			switch s.Event.Action {
			case sim.DenyUser:
				s.Event = sim.Event{Action: sim.RevokeRoleSessions, PermissionSet: "Operator"}
			case sim.AllowUser:
				continue
			}
			steps = append(steps, s)
		}
		sc.Events[i].Playbook = steps
	}
	res, audit := simulate(t, sc)
	_, tl := readBack(t, sc, audit)
	sameGrants(t, res, audit, tl)
	rep := checkWindows(t, sc, res, audit, tl)
	o := rep.Offboardings[0]
	if s := o.Steps[0]; s.Action != sim.RevokeRoleSessions || s.Event != "sso:PutInlinePolicyToPermissionSet" {
		t.Errorf("first step read back %+v, want the revocation", s)
	}
	var replayed bool
	for _, e := range rep.Scenario.Events {
		for _, s := range e.Playbook {
			replayed = replayed || s.Event.Action == sim.RevokeRoleSessions && s.Event.PermissionSet == "Operator"
		}
	}
	if !replayed {
		t.Error("the revocation is not replayed")
	}
	for _, w := range o.Windows {
		if w.Channel == chRoleExisting && (w.BoundMax <= 0 || w.BoundMax > 5*time.Minute) {
			t.Errorf("peggy's role_existing bound %v, want within the revocation's propagation, (0, 5m]", w.BoundMax)
		}
	}
	if c := res.Replications[0].Counters.CollateralRoleSessions; c != 0 {
		t.Errorf("%d collateral role sessions, want 0", c)
	}
}
