package trail

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"idcsim/sim"
)

// The data of the timelines of the offboardings, built apart from their drawing so that tests
// can check what is drawn.

// Kinds of the rows of a timeline: the kinds of sim.Span they are drawn as, and the attempts.
const (
	rowPortal   = "portal"
	rowCLI      = "cli_token"
	rowRole     = "role"
	rowApp      = "app"
	rowAttempts = "attempts"
)

// Kinds of the marks of a timeline.
const (
	markCall    = "call"    // an API call with the session: a role session's, the portal's, an application's
	markToken   = "token"   // a CLI login, token refresh or credentials fetched with the token
	markSignIn  = "sign_in" // a sign-in that succeeded
	markRefused = "refused" // a refused request or a failed sign-in: an attempt, not access
)

// timelineMark is an activity the logs show, at a time relative to the offboarding.
type timelineMark struct {
	At   time.Duration
	Kind string
	// Event is the record's event ID.
	Event string
	// Beyond says the activity is later than its session's bound allows (Tolerance past it).
	Beyond bool
}

// timelineRow is a session of the offboarded user, with times relative to the offboarding.
type timelineRow struct {
	Label string
	Kind  string
	// Start is the session's first record; LastUse its last use that the logs show (Start when
	// they show none).
	Start, LastUse time.Duration
	// Modelled says the engine models the session, and Bound is then the latest end that the
	// rules allow it over the replications (0 when the rules give it no time after the
	// offboarding); Open says a replication left it open at the horizon.
	Modelled bool
	Bound    time.Duration
	Open     bool
	// Calls and Refused count the uses and refused requests that the logs show, of which Marks
	// holds, for calls that the timeline keeps as counts, the first of each day and the last
	// few (Usage.Recent).
	Calls, Refused int
	Marks          []timelineMark
}

// timelineStep is a vertical line of the timeline: the offboarding or one of its steps.
type timelineStep struct {
	Label string
	At    time.Duration
}

// offboardingTimeline is what the timeline of one offboarding draws.
type offboardingTimeline struct {
	// Name is the figure's file name without extension: the user and the offboarding's time.
	Name string
	O    *OffboardingReport
	// Replications is how many runs of the engine the bounds are the max over.
	Replications int
	Steps        []timelineStep
	Rows         []timelineRow
	// Dropped counts the rows left out: only maxTimelineRows, those active last, are kept.
	Dropped int
}

// maxTimelineRows is the most sessions a timeline shows.
const maxTimelineRows = 40

// maxTimelines is the most offboardings that get a figure: the first in time order.
const maxTimelines = 200

// timelines returns the timeline of each offboarding, the first maxTimelines of them, each
// with a file name of its own.
func timelines(r *Report) []offboardingTimeline {
	names := timelineNames(r)
	out := make([]offboardingTimeline, len(names))
	for i, name := range names {
		out[i] = timelineOf(r, r.Offboardings[i])
		out[i].Name = name
	}
	return out
}

// timelineNames returns the file names, without extension, of the timelines of the first
// maxTimelines offboardings: timeline-USER-TIME, unique.
func timelineNames(r *Report) []string {
	var names []string
	used := map[string]bool{}
	for _, o := range r.Offboardings[:min(len(r.Offboardings), maxTimelines)] {
		names = append(names, uniqueName(used, "timeline-"+safeName(o.Name)+"-"+o.At.UTC().Format("20060102T150405Z")))
	}
	return names
}

// safeName returns s as part of a file name: letters, digits, '.', '-' and '_' kept, anything
// else '_', at most 64 bytes, never starting with '.'.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// uniqueName returns name, or name with -2, -3... when used has it, and marks it used. Names
// are compared without case, for file systems that do not tell case apart.
func uniqueName(used map[string]bool, name string) string {
	n := name
	for i := 2; used[strings.ToLower(n)]; i++ {
		n = fmt.Sprintf("%s-%d", name, i)
	}
	used[strings.ToLower(n)] = true
	return n
}

// timelineOf returns the timeline of an offboarding: a row per session of the user live at it
// or active after it (portal sessions by sign-in, CLI tokens by client, role sessions,
// applications acting on the user's behalf, and the refused attempts), each from its first
// record to its last use, with its uses and attempts as marks, beside the latest end the
// engine's runs give it.
func timelineOf(r *Report, o *OffboardingReport) offboardingTimeline {
	tl := offboardingTimeline{O: o, Replications: r.Scenario.Replications}
	tl.Steps = []timelineStep{{"offboarding", 0}}
	for i, st := range o.Steps {
		label := st.Action.String()
		if i == 0 && st.Ev.Time.Equal(o.At) {
			tl.Steps[0].Label += ": " + label
			continue
		}
		tl.Steps = append(tl.Steps, timelineStep{fmt.Sprintf("+%s %s", sim.HumanDuration(st.Ev.Time.Sub(o.At)), label), st.Ev.Time.Sub(o.At)})
	}
	b := rowBuilder{o: o, from: o.At.Add(-24 * time.Hour), until: o.Until}
	b.build()
	spans := engineSpans(r, o)
	for _, row := range b.rows {
		row.finish(o.At)
		live := row.bound(spans, o.At)
		if !live && !slices.ContainsFunc(row.Marks, func(m timelineMark) bool { return m.At >= 0 }) {
			continue // over before the offboarding
		}
		for i := range row.Marks {
			m := &row.Marks[i]
			m.Beyond = row.Modelled && !row.Open && m.Kind != markRefused && m.At > 0 && m.At > row.Bound+Tolerance
		}
		tl.Rows = append(tl.Rows, row.timelineRow)
	}
	if len(tl.Rows) > maxTimelineRows {
		slices.SortStableFunc(tl.Rows, func(a, b timelineRow) int { return -cmp.Compare(a.last(), b.last()) })
		tl.Dropped = len(tl.Rows) - maxTimelineRows
		tl.Rows = tl.Rows[:maxTimelineRows]
	}
	slices.SortStableFunc(tl.Rows, func(a, b timelineRow) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Label, b.Label))
	})
	return tl
}

// last is the row's last mark, or its start.
func (row *timelineRow) last() time.Duration {
	t := row.Start
	for _, m := range row.Marks {
		t = max(t, m.At)
	}
	return t
}

// span is an engine session of the offboarded user in one replication, in absolute time.
type span struct {
	kind, label string
	start, end  time.Time
	open        bool
	replication int
}

// engineSpans returns the sessions of the user that the engine's runs found live at the
// offboarding or started after it.
func engineSpans(r *Report, o *OffboardingReport) []span {
	var out []span
	if r.Results == nil {
		return nil
	}
	start := r.Scenario.Start
	for _, x := range r.Results.Offboardings {
		if x.User != o.Name {
			continue
		}
		for _, s := range x.Sessions {
			out = append(out, span{s.Kind, s.Label, start.Add(s.Start), start.Add(s.End), s.Open, x.Replication})
		}
	}
	return out
}

// buildRow is a row being built, in absolute time.
type buildRow struct {
	timelineRow
	start time.Time
	// grants are the times of the grants that made or renewed the session (a CLI client's
	// logins and refreshes), to match the engine's sessions.
	grants  []time.Time
	account string // a role session's account and permission set
	ps      string
	marks   []absMark
}

type absMark struct {
	t    time.Time
	kind string
	ev   string
}

// finish sets the row's times relative to the offboarding at.
func (row *buildRow) finish(at time.Time) {
	slices.SortStableFunc(row.marks, func(a, b absMark) int { return a.t.Compare(b.t) })
	for _, m := range row.marks {
		if row.start.IsZero() || m.t.Before(row.start) {
			row.start = m.t
		}
	}
	row.Start, row.LastUse = row.start.Sub(at), row.start.Sub(at)
	for _, m := range row.marks {
		row.Marks = append(row.Marks, timelineMark{At: m.t.Sub(at), Kind: m.kind, Event: m.ev})
		if m.kind != markRefused {
			row.LastUse = max(row.LastUse, m.t.Sub(at))
		}
	}
}

// bound sets the row's bound from the engine's sessions that are it, and says whether there
// were any: the latest end over the replications. A row the engine models that matches none
// was not live at the offboarding in any run: the rules give it no time after it.
func (row *buildRow) bound(spans []span, at time.Time) bool {
	var kind string
	switch row.Kind {
	case rowPortal, rowCLI, rowRole:
		kind = row.Kind
	default:
		return false
	}
	row.Modelled = true
	// per replication, the nearest session of the kind (role: of the account and permission
	// set) that began within matchWindow of the row's start (a CLI token: of any of its grants)
	best := map[int]span{}
	near := func(s span) (time.Duration, bool) {
		ts := append([]time.Time{row.start}, row.grants...)
		d := time.Duration(-1)
		for _, t := range ts {
			if x := absDur(s.start.Sub(t)); x <= matchWindow && (d < 0 || x < d) {
				d = x
			}
		}
		return d, d >= 0
	}
	for _, s := range spans {
		if s.kind != kind || kind == rowRole && s.label != row.account+"/"+row.ps {
			continue
		}
		d, ok := near(s)
		if !ok {
			continue
		}
		if b, seen := best[s.replication]; seen {
			db, _ := near(b)
			// a CLI token's row is all its tokens: the last to end
			if kind == rowCLI && !s.end.After(b.end) || kind != rowCLI && d >= db {
				continue
			}
		}
		best[s.replication] = s
	}
	for _, s := range best {
		row.Bound = max(row.Bound, s.end.Sub(at))
		row.Open = row.Open || s.open
	}
	row.Bound = max(row.Bound, 0)
	return len(best) > 0
}

// rowBuilder sorts a user's grants, role sessions and activity around an offboarding into rows.
type rowBuilder struct {
	o           *OffboardingReport
	from, until time.Time
	rows        []*buildRow
	portals     []*buildRow // in order of start
	clients     map[string]*buildRow
	lastCLI     *buildRow
	attempts    *buildRow
}

// in says whether t is within what the timeline shows: from a day before the offboarding to
// the user's enabling again.
func (b *rowBuilder) in(t time.Time) bool {
	return !t.Before(b.from) && (b.until.IsZero() || !t.After(b.until))
}

func (b *rowBuilder) add(row *buildRow) *buildRow {
	b.rows = append(b.rows, row)
	return row
}

// portal returns the portal session that t falls in: the last begun at or before it, or one
// whose sign-in the logs do not show.
func (b *rowBuilder) portal(t time.Time) *buildRow {
	for i := len(b.portals) - 1; i >= 0; i-- {
		if !b.portals[i].start.After(t) {
			return b.portals[i]
		}
	}
	row := b.add(&buildRow{timelineRow: timelineRow{Label: "portal (sign-in not in the logs)", Kind: rowPortal}, start: t})
	b.portals = append([]*buildRow{row}, b.portals...)
	return row
}

// attempt returns the row of refused attempts that belong to no session.
func (b *rowBuilder) attempt(t time.Time) *buildRow {
	if b.attempts == nil {
		b.attempts = b.add(&buildRow{timelineRow: timelineRow{Label: "refused attempts", Kind: rowAttempts}, start: t})
	}
	return b.attempts
}

// mark adds a mark to a row and counts it.
func (row *buildRow) mark(e Evidence, kind string) {
	row.marks = append(row.marks, absMark{e.Time, kind, e.EventID})
	row.count(kind, 1)
}

// count counts n uses, or refused requests, of the row.
func (row *buildRow) count(kind string, n int) {
	if kind == markRefused {
		row.Refused += n
	} else {
		row.Calls += n
	}
}

// usage marks an aggregate's first and last records in range (the first only, when it is one),
// and the latest few before the last, and counts them all: the timeline keeps the others only
// as a count.
func (b *rowBuilder) usage(row *buildRow, u Usage, kind string) {
	if u.N == 0 {
		return
	}
	marked := 0
	if b.in(u.First.Time) {
		row.mark(u.First, kind)
		marked++
	}
	if u.N > 1 && b.in(u.Last.Time) {
		row.mark(u.Last, kind)
		marked++
	}
	for _, t := range u.Recent() {
		if marked < u.N && !t.Equal(u.First.Time) && b.in(t) {
			row.mark(Evidence{Time: t}, kind)
			marked++
		}
	}
	row.count(kind, u.N-marked)
}

// build sorts the user's grants, role sessions and activity into rows: a sign-in begins a
// portal session, which the federations and the browser's role credentials after it use; a CLI
// client's logins and refreshes are its token, which the CLI's role credentials after them use;
// a role session, an application, and the refused attempts of no session have a row each.
func (b *rowBuilder) build() {
	u := b.o.User
	b.clients = map[string]*buildRow{}
	rel := func(t time.Time) string { return sim.HumanDuration(t.Sub(b.o.At)) }
	issuedAt := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return " " + rel(t)
	}
	for _, g := range u.Grants {
		if !b.in(g.Ev.Time) {
			continue
		}
		switch g.Kind {
		case gSignIn:
			if g.Failed {
				b.attempt(g.Ev.Time).mark(g.Ev, markRefused)
				continue
			}
			row := b.add(&buildRow{timelineRow: timelineRow{Label: "portal, sign-in " + rel(g.Ev.Time), Kind: rowPortal}, start: g.Ev.Time})
			b.portals = append(b.portals, row)
			row.mark(g.Ev, markSignIn)
		case gFederate:
			b.portal(g.Ev.Time).mark(g.Ev, markCall)
		case gCreds:
			if browserAgent(g.Agent) {
				b.portal(g.Ev.Time).mark(g.Ev, markCall)
				continue
			}
			// the CLI's: with the token of its last login or refresh
			if b.lastCLI == nil {
				b.lastCLI = b.cli("", g.Ev.Time)
			}
			b.lastCLI.mark(g.Ev, markToken)
		case gLogin, gRefresh:
			row := b.cli(g.Client, g.Ev.Time)
			row.grants = append(row.grants, g.Ev.Time)
			row.mark(g.Ev, markToken)
			b.lastCLI = row
		}
	}
	for _, rs := range u.Roles {
		if !b.in(rs.Issued) && !(rs.Uses.N > 0 && b.in(rs.Uses.Last.Time)) && !(rs.Refused.N > 0 && b.in(rs.Refused.Last.Time)) {
			continue
		}
		row := b.add(&buildRow{timelineRow: timelineRow{Label: "role " + rs.Account + "/" + rs.PermissionSet + issuedAt(rs.Issued), Kind: rowRole},
			start: rs.Issued, account: rs.Account, ps: rs.PermissionSet})
		b.usage(row, rs.Uses, markCall)
		b.usage(row, rs.Refused, markRefused)
	}
	apps := map[string]*buildRow{}
	for _, a := range u.Activity {
		if !b.in(a.Uses.Last.Time) && !b.in(a.Refused.Last.Time) {
			continue
		}
		var row *buildRow
		switch a.Channel {
		case chAppOnBehalf, chAppExisting:
			row = apps[a.Channel+"\x00"+a.Label]
			if row == nil {
				first := a.Uses.First.Time
				if a.Uses.N == 0 || a.Refused.N > 0 && a.Refused.First.Time.Before(first) {
					first = a.Refused.First.Time
				}
				row = b.add(&buildRow{timelineRow: timelineRow{Label: "application: " + a.Label, Kind: rowApp}, start: first})
				apps[a.Channel+"\x00"+a.Label] = row
			}
		case chPortal:
			t := a.Uses.First.Time
			if a.Uses.N == 0 {
				t = a.Refused.First.Time
			}
			row = b.portal(t)
		case chCLIToken:
			client := strings.TrimPrefix(a.Label, "token of client ")
			if row = b.clients[client]; row == nil {
				row = b.attempt(a.Refused.First.Time)
			}
		default:
			row = b.attempt(a.Refused.First.Time)
		}
		b.usage(row, a.Uses, markCall)
		b.usage(row, a.Refused, markRefused)
	}
	for _, row := range b.rows {
		if row.Calls+row.Refused > 0 {
			row.Label += fmt.Sprintf(" (%s", plural(row.Calls, "use"))
			if row.Refused > 0 {
				row.Label += fmt.Sprintf(", %d refused", row.Refused)
			}
			row.Label += ")"
		}
	}
}

// cli returns the row of a CLI client's tokens.
func (b *rowBuilder) cli(client string, t time.Time) *buildRow {
	row := b.clients[client]
	if row == nil {
		label := "CLI client " + client
		if client == "" {
			label = "CLI role credentials (token not in the logs)"
		}
		row = b.add(&buildRow{timelineRow: timelineRow{Label: label, Kind: rowCLI}, start: t})
		b.clients[client] = row
	}
	return row
}
