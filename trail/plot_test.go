package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"idcsim/report"
	"idcsim/sim"
)

// rowString writes a row as the tests compare it: label, kind, start, last use, bound, and the
// marks (kind@time, ! when beyond).
func rowString(row timelineRow) string {
	bound := "-"
	if row.Modelled {
		bound = row.Bound.String()
		if row.Open {
			bound += " open"
		}
	}
	var marks []string
	for _, m := range row.Marks {
		s := m.Kind + "@" + m.At.String()
		if m.Beyond {
			s += "!"
		}
		marks = append(marks, s)
	}
	return fmt.Sprintf("%s | %s %v..%v bound %s | %s", row.Label, row.Kind, row.Start, row.LastUse, bound, strings.Join(marks, " "))
}

// The timeline of bob's offboarding (testdata/offboarding.json, the story of TestStoryBob), at
// 09:00: every time below is from the log's records, less 09:00.
func TestTimelineBob(t *testing.T) {
	r := story(t, 5)
	tls := timelines(r)
	if len(tls) != 2 {
		t.Fatalf("%d timelines, want 2 (bob, carol)", len(tls))
	}
	tl := tls[0]
	if tl.Name != "timeline-bob-20260304T090000Z" || tl.Replications != 5 || tl.Dropped != 0 {
		t.Errorf("name %s, %d replications, %d dropped", tl.Name, tl.Replications, tl.Dropped)
	}
	// record 10 DisableUser at 09:00, 11 DeleteAccountAssignment at 09:02, 15 BatchDeleteSession
	// at 09:30
	want := []timelineStep{{"offboarding: disable_user", 0}, {"+2m00s remove_assignment", 2 * time.Minute}, {"+30m00s end_sessions", 30 * time.Minute}}
	if fmt.Sprint(tl.Steps) != fmt.Sprint(want) {
		t.Errorf("steps %v, want %v", tl.Steps, want)
	}
	rows := []string{
		// record 3, the sign-in at 08:00:07; 4, the Federate at 08:02; 12, ListAccounts at 09:10.
		// The engine's portal session ends at the session deletion of 09:30 (UIS-4).
		"portal, sign-in -59m53s (3 uses) | portal -59m53s..10m0s bound 30m0s | sign_in@-59m53s call@-58m0s call@10m0s",
		// the console's role session, issued at 08:02:01 (record 5, AssumeRoleWithSAML of 14400s)
		// and used at 08:45 (record 9); the engine's runs it from the federation at 08:02 for 4h
		// (ROLE-2, ROLE-3), to 12:02
		"role 222233334444/Developer -57m59s (1 use) | role -57m59s..-15m0s bound 3h2m0s | call@-15m0s",
		// record 6, the CLI login at 08:05; 7, GetRoleCredentials at 08:05:10 by the CLI; 13, the
		// refresh at 09:20, whose 1h token lives to 10:20 (CLI-1, CLI-3)
		"CLI client bob-laptop-cli-client (3 uses) | cli_token -55m0s..20m0s bound 1h20m0s | token@-55m0s token@-54m50s token@20m0s",
		// the CLI's role session of 08:05:10: calls at 08:30 (record 8), 10:15 (16, one of the
		// latest before the last that the timeline keeps) and 11:50 (17), a refused one at 11:55
		// (18); its bound is 08:05:10 + 4h = 12:05:10, 3h05m10s after the offboarding
		"role 222233334444/Developer -54m50s (3 uses, 1 refused) | role -54m50s..2h50m0s bound 3h5m10s | call@-30m0s call@1h15m0s call@2h50m0s refused@2h55m0s",
	}
	if len(tl.Rows) != len(rows) {
		t.Fatalf("%d rows, want %d", len(tl.Rows), len(rows))
	}
	for i, row := range tl.Rows {
		if got := rowString(row); got != rows[i] {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, rows[i])
		}
	}
	// bob stayed within the rules: no mark is beyond its bound
	for _, row := range tl.Rows {
		for _, m := range row.Marks {
			if m.Beyond {
				t.Errorf("%s: %+v beyond", row.Label, m)
			}
		}
	}
}

// carol signs in at 13:00 (record 21) and is deleted at 14:00 (22): the engine's portal session
// ends at the deletion, a bound of 0. The sign-in at 14:40 (record 23) is a session the rules do
// not allow at all: its mark is beyond.
func TestTimelineCarol(t *testing.T) {
	tl := timelines(story(t, 5))[1]
	rows := []string{
		"portal, sign-in -1h00m (1 use) | portal -1h0m0s..-1h0m0s bound 0s | sign_in@-1h0m0s",
		"portal, sign-in 40m00s (1 use) | portal 40m0s..40m0s bound 0s | sign_in@40m0s!",
	}
	if tl.Name != "timeline-carol-20260305T140000Z" || len(tl.Rows) != len(rows) {
		t.Fatalf("%s: %d rows", tl.Name, len(tl.Rows))
	}
	for i, row := range tl.Rows {
		if got := rowString(row); got != rows[i] {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, rows[i])
		}
	}
	if tl.Rows[1].Marks[0].Event != "5eed002f-0000-4000-8000-00000000002f" {
		t.Errorf("the mark beyond is of event %s", tl.Rows[1].Marks[0].Event)
	}
}

// The figures are in the report's files, named in trail.json, and drawn the same every time.
func TestTimelineFiles(t *testing.T) {
	r := story(t, 3)
	files, err := Files(r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Files(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"timeline-bob-20260304T090000Z", "timeline-carol-20260305T140000Z"} {
		svg, png := files[name+".svg"], files[name+".png"]
		if !bytes.HasPrefix(png, []byte("\x89PNG")) || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s: svg %d bytes, png %d bytes", name, len(svg), len(png))
		}
		if !bytes.Equal(svg, again[name+".svg"]) || !bytes.Equal(png, again[name+".png"]) {
			t.Errorf("%s: drawn differently the second time", name)
		}
	}
	if !bytes.Contains(files["timeline-carol-20260305T140000Z.svg"], []byte("beyond the bound: investigate")) {
		t.Error("carol's figure has no legend for the activity beyond the bound")
	}
	var doc struct {
		Offboardings []struct{ User, Figure string }
	}
	if err := json.Unmarshal(files["trail.json"], &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Offboardings) != 2 || doc.Offboardings[0].Figure != "timeline-bob-20260304T090000Z.svg" || doc.Offboardings[1].Figure != "timeline-carol-20260305T140000Z.svg" {
		t.Errorf("trail.json's figures: %+v", doc.Offboardings)
	}
}

// File names keep what is safe in a file name on any system and are unique without case.
func TestTimelineNames(t *testing.T) {
	for in, want := range map[string]string{
		"bob":                   "bob",
		"bob@example.com":       "bob_example.com",
		"../etc/passwd":         "_._etc_passwd", // no name begins with a dot
		"Zoë Smith":             "Zo__Smith",
		"a/b\\c:d":              "a_b_c_d",
		strings.Repeat("x", 99): strings.Repeat("x", 64),
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
	used := map[string]bool{}
	var got []string
	for _, n := range []string{"timeline-bob-1", "timeline-Bob-1", "timeline-bob-1", "timeline-bob-1-2"} {
		got = append(got, uniqueName(used, n))
	}
	if want := "[timeline-bob-1 timeline-Bob-1-2 timeline-bob-1-3 timeline-bob-1-2-2]"; fmt.Sprint(got) != want {
		t.Errorf("unique names %v, want %s", got, want)
	}
}

// An offboarding whose user has no session left is drawn too, with a caption that says so.
func TestTimelineEmpty(t *testing.T) {
	o := &OffboardingReport{Offboarding: &Offboarding{User: &User{Name: "dave"}, At: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}, Name: "dave"}
	tl := offboardingTimeline{Name: "timeline-dave", O: o, Replications: 1, Steps: []timelineStep{{"offboarding", 0}}}
	figs, err := report.Render(1, func(int) (report.Drawing, error) { return timelineDrawing(&tl) })
	if err != nil || len(figs) != 1 || len(figs[0].PNG) == 0 || !strings.Contains(figs[0].Caption, "no session of the user") {
		t.Fatalf("%v, %d figures", err, len(figs))
	}
}

// A timeline keeps the maxTimelineRows sessions active last; a session the engine does not
// have (no run found it live) has no time after the offboarding, so that its uses later than
// Tolerance after it are beyond.
func TestTimelineRows(t *testing.T) {
	at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	u := &User{Name: "erin"}
	for i := range maxTimelineRows + 5 {
		use := Evidence{EventID: fmt.Sprint(i), Time: at.Add(time.Duration(i) * time.Minute)}
		u.Roles = append(u.Roles, &RoleSession{Account: "prod", PermissionSet: fmt.Sprint("P", i), Issued: at.Add(-time.Hour),
			Uses: Usage{N: 1, First: use, Last: use}})
	}
	o := &OffboardingReport{Offboarding: &Offboarding{User: u, At: at}, Name: "erin"}
	tl := timelineOf(&Report{Scenario: &sim.Scenario{Replications: 1}}, o)
	if len(tl.Rows) != maxTimelineRows || tl.Dropped != 5 {
		t.Fatalf("%d rows, %d dropped; want %d, 5", len(tl.Rows), tl.Dropped, maxTimelineRows)
	}
	// the sessions used at +0m to +4m are left out; the earliest kept is used at +5m
	first := time.Duration(math.MaxInt64)
	for _, row := range tl.Rows {
		if m := row.Marks[0]; len(row.Marks) != 1 || !m.Beyond || !row.Modelled || row.Bound != 0 {
			t.Errorf("row %s", rowString(row))
		}
		first = min(first, row.Marks[0].At)
	}
	if first != 5*time.Minute {
		t.Errorf("the earliest use kept is at %v, want 5m", first)
	}
}
