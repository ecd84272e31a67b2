package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"idcsim/sim"
)

// meanings says, per channel, what the user can still do while its window is open (SPEC.md, channels).
var meanings = [sim.NumChannels]string{
	sim.ChPortal:       "use a live access portal session",
	sim.ChSignIn:       "start a new portal session",
	sim.ChAppNew:       "open a new session of an AWS managed application",
	sim.ChAppExisting:  "use an AWS managed application session",
	sim.ChSAMLApp:      "use a SAML application session",
	sim.ChRoleNew:      "obtain new role credentials (console or CLI)",
	sim.ChRoleExisting: "act with role credentials not blocked by a deny",
	sim.ChCLIToken:     "use a CLI access token",
	sim.ChBackground:   "have a job run under a background session",
	sim.ChKiro:         "use a Kiro session",
	sim.ChAppOnBehalf:  "have an application with AWS account access obtain role credentials as them",
	sim.ChAny:          "any of the above",
}

// maxTextOffboardings is how many offboardings the text summary lists; results.json has them all.
const maxTextOffboardings = 20

// maxListedOffboardings is how many offboardings the Markdown and HTML reports list; results.json
// and exposures.csv have them all.
const maxListedOffboardings = 200

// maxListedNotes is how many of the offboardings' distinct notes the text, Markdown and HTML
// reports list; results.json has every offboarding's.
const maxListedNotes = 20

// moreOffboardings says that an offboardings list leaves out k of them, and where they all are.
func moreOffboardings(k int) string {
	return fmt.Sprintf("and %d more; all are in results.json and exposures.csv", k)
}

// header returns the label and value lines that open the text and Markdown summaries.
func (s *Summary) header() [][2]string {
	sc := s.Results.Scenario
	name := sc.Name
	if sc.SHA256 != "" {
		name += " (sha256 " + sc.SHA256[:min(12, len(sc.SHA256))] + ")"
	}
	rows := [][2]string{
		{"scenario", name},
		{"profile", sc.Profile.Name},
	}
	sw := sc.Switches.Map()
	for i, n := range sim.SwitchNames() {
		label := ""
		if i == 0 {
			label = "switches"
		}
		rows = append(rows, [2]string{label, fmt.Sprintf("%s=%t", n, sw[n])})
	}
	return append(rows,
		[2]string{"run", fmt.Sprintf("%d replications, seed %d, horizon %s, %d events",
			sc.Replications, sc.Seed, sim.HumanDuration(sc.Horizon), s.Results.Events)},
		[2]string{"users", fmt.Sprint(userCount(sc))},
		[2]string{"offboardings", fmt.Sprint(len(s.Results.Offboardings))},
	)
}

// ciString formats an interval as lo..hi, or "-" when there is none.
func ciString(ci Interval) string {
	if !ci.OK {
		return "-"
	}
	return sim.HumanDuration(ci.Lo) + ".." + sim.HumanDuration(ci.Hi)
}

// withCI formats a statistic followed by its interval in brackets, when there is one.
func withCI(d time.Duration, ci Interval) string {
	if !ci.OK {
		return sim.HumanDuration(d)
	}
	return sim.HumanDuration(d) + " [" + ciString(ci) + "]"
}

// offboardingName names an offboarding so that it can be replayed.
func (s *Summary) offboardingName(o *sim.Offboarding) string {
	if o == nil {
		return "-"
	}
	return fmt.Sprintf("%s at %s (replication %d)", o.User, s.at(o.At), o.Replication)
}

// windowString formats a window's length, saying when it is open at the horizon.
func windowString(w sim.Window) string {
	if w.Open {
		return sim.HumanDuration(w.Length) + " (open at horizon)"
	}
	return sim.HumanDuration(w.Length)
}

var textChannelColumns = []string{"channel", "open", "mean [95% CI]", "p50", "p95 [95% CI]", "p99 [95% CI]", "max", "worst offboarding"}

func (s *Summary) textChannelRows() [][]string {
	var rows [][]string
	for i := range s.Channels {
		cs := &s.Channels[i]
		rows = append(rows, []string{cs.Channel.String(), fmt.Sprint(cs.Open), withCI(cs.Mean, cs.MeanCI),
			sim.HumanDuration(cs.P50), withCI(cs.P95, cs.P95CI), withCI(cs.P99, cs.P99CI), sim.HumanDuration(cs.Max),
			s.offboardingName(cs.Worst)})
	}
	return rows
}

var channelColumns = []string{"channel", "n", "open", "mean", "mean 95% CI", "p50", "p95", "p95 95% CI", "p99", "p99 95% CI", "max", "the user can still"}

func (s *Summary) channelRows() [][]string {
	var rows [][]string
	for i := range s.Channels {
		cs := &s.Channels[i]
		rows = append(rows, []string{cs.Channel.String(), fmt.Sprint(cs.N), fmt.Sprint(cs.Open),
			sim.HumanDuration(cs.Mean), ciString(cs.MeanCI), sim.HumanDuration(cs.P50),
			sim.HumanDuration(cs.P95), ciString(cs.P95CI), sim.HumanDuration(cs.P99), ciString(cs.P99CI),
			sim.HumanDuration(cs.Max), meanings[cs.Channel]})
	}
	return rows
}

var worstColumns = []string{"channel", "exposure", "offboarding", "playbook", "evidence"}

// worstRows describe the worst offboarding of each channel that has one.
func (s *Summary) worstRows() [][]string {
	var rows [][]string
	for i := range s.Channels {
		cs := &s.Channels[i]
		if o := cs.Worst; o != nil {
			w := o.Windows[cs.Channel]
			rows = append(rows, []string{cs.Channel.String(), windowString(w), s.offboardingName(o), o.Playbook, evidence(o, cs.Channel)})
		}
	}
	return rows
}

// channelWarnings lists the statistics' warnings once each, naming the channels they concern.
func (s *Summary) channelWarnings() []string {
	var texts []string
	chans := map[string][]string{}
	for _, cs := range s.Channels {
		for _, w := range cs.Warnings {
			if _, ok := chans[w]; !ok {
				texts = append(texts, w)
			}
			chans[w] = append(chans[w], cs.Channel.String())
		}
	}
	var out []string
	for _, w := range texts {
		who := strings.Join(chans[w], ", ")
		if len(chans[w]) == int(sim.NumChannels) {
			who = "all channels"
		}
		out = append(out, who+": "+w)
	}
	return out
}

// allWarnings are the statistics' warnings followed by the scenario's and the run's.
func (s *Summary) allWarnings() []string {
	return append(s.channelWarnings(), s.Warnings()...)
}

// note is a note of the engine's with the number of offboardings it concerns and the first of them.
type note struct {
	Text  string
	Count int
	First *sim.Offboarding
}

// notes gathers the offboardings' notes, once each, in the order they first appear.
func (s *Summary) notes() []note {
	var out []note
	index := map[string]int{}
	obs := s.Results.Offboardings
	for i := range obs {
		for _, n := range obs[i].Notes {
			j, ok := index[n]
			if !ok {
				j = len(out)
				index[n] = j
				out = append(out, note{Text: n, First: &obs[i]})
			}
			out[j].Count++
		}
	}
	return out
}

// noteLines are the lines that list the notes: the first maxListedNotes, then how many more.
func (s *Summary) noteLines() []string {
	var out []string
	notes := s.notes()
	for _, n := range notes[:min(len(notes), maxListedNotes)] {
		out = append(out, fmt.Sprintf("%s: %s, first %s", n.Text, plural(n.Count, "offboarding"), s.offboardingName(n.First)))
	}
	if len(notes) > maxListedNotes {
		out = append(out, fmt.Sprintf("and %d more; all are in results.json", len(notes)-maxListedNotes))
	}
	return out
}

var offboardingColumns = []string{"replication", "user", "at", "playbook", "worst channel", "exposure"}

// worstChannel returns the channel other than any with the longest window (the first of equals).
func worstChannel(o *sim.Offboarding) sim.Channel {
	worst := sim.Channel(0)
	for ch := range sim.ChAny {
		if o.Windows[ch].Length > o.Windows[worst].Length {
			worst = ch
		}
	}
	return worst
}

func (s *Summary) offboardingRow(o *sim.Offboarding) []string {
	ch := worstChannel(o)
	w := o.Windows[ch]
	name := ch.String()
	if w.Length == 0 {
		name = "none"
	}
	return []string{fmt.Sprint(o.Replication), o.User, s.at(o.At), o.Playbook, name, windowString(w)}
}

var policyColumns = []string{"verdict", "control", "channel", "statistic", "value", "limit", "text"}

func (s *Summary) policyRows() [][]string {
	var rows [][]string
	for _, v := range s.Policy {
		verdict, text := "PASS", v.Control.Text
		if !v.Pass {
			verdict = "FAIL"
			text = strings.TrimPrefix(text+"; "+v.Reason, "; ")
		}
		rows = append(rows, []string{verdict, v.Control.ID, v.Control.Channel.String(), v.Control.Statistic,
			sim.HumanDuration(v.Value), sim.HumanDuration(v.Control.Within), text})
	}
	return rows
}

var evidenceColumns = []string{"control", "worst offboarding", "exposure", "evidence"}

// evidenceRows give each control's evidence: the worst offboarding on its channel and what held it.
func (s *Summary) evidenceRows() [][]string {
	var rows [][]string
	for _, v := range s.Policy {
		exposure, evidence := "-", "no window longer than 0"
		if v.Worst != nil {
			exposure = windowString(v.Worst.Windows[v.Control.Channel])
			evidence = v.Evidence
		}
		rows = append(rows, []string{v.Control.ID, s.offboardingName(v.Worst), exposure, evidence})
	}
	return rows
}

var frictionColumns = []string{"figure", "per user-week", "total"}

// frictionRows are the friction figures: name, rate per user-week and total ("" when not counted).
func (s *Summary) frictionRows() [][]string {
	f := &s.Friction
	t := &f.Totals
	rate := significant
	return [][]string{
		{"sign-in prompts", rate(f.SignInPrompts), fmt.Sprint(t.SignInPrompts)},
		{"silent sign-ins (UIS-7, no prompt)", rate(f.SilentSignIns), fmt.Sprint(t.SilentSignIns)},
		{"CLI logins", rate(f.CLILogins), fmt.Sprint(t.CLILogins)},
		{"console federations", rate(f.ConsoleFederations), fmt.Sprint(t.Federations)},
		{"console re-federations (ROLE-6)", rate(f.ConsoleRefederations), fmt.Sprint(t.Refederations)},
		{"jobs killed", rate(f.JobsKilled), fmt.Sprintf("%d of %d started", t.JobsKilled, t.JobsStarted)},
		{"Kiro logins", rate(f.KiroLogins), fmt.Sprint(t.KiroLogins)},
		{"collateral role sessions (CUT-2)", "", fmt.Sprint(t.CollateralRoleSessions)},
	}
}

// significant formats x with three significant digits, without an exponent: 5.04, 0.787, 0.0000682.
func significant(x float64) string {
	if x == 0 {
		return "0"
	}
	d := max(2-int(math.Floor(math.Log10(math.Abs(x)))), 0)
	return strconv.FormatFloat(x, 'f', d, 64)
}

// frictionBasis says what the friction rates are per.
func (s *Summary) frictionBasis() string {
	sc := s.Results.Scenario
	weeks := sc.Horizon.Hours() / (7 * 24)
	unit := "weeks"
	if weeks == 1 {
		unit = "week"
	}
	return fmt.Sprintf("%s × %.4g %s × %s = %.6g user-weeks", plural(userCount(sc), "user"), weeks, unit,
		plural(sc.Replications, "replication"), s.Friction.UserWeeks)
}

// plural writes n things, with an s when n is not 1.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func (s *Summary) failed() int {
	n := 0
	for _, v := range s.Policy {
		if !v.Pass {
			n++
		}
	}
	return n
}

// Verdict is the run's verdict in a line: PASS or FAIL and how many controls fail.
func (s *Summary) Verdict() string {
	if len(s.Policy) == 0 {
		return "no policy controls"
	}
	if n := s.failed(); n > 0 {
		return fmt.Sprintf("FAIL: %d of %d controls fail", n, len(s.Policy))
	}
	return fmt.Sprintf("PASS: all %d controls hold", len(s.Policy))
}

// WriteText writes a summary for people: the run's setup, exposure per channel with confidence
// intervals, each offboarding's worst channel, friction and the policy verdicts with their
// evidence, in aligned columns.
func WriteText(w io.Writer, s *Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	for _, r := range s.header() {
		line(r[0], r[1])
	}
	line()
	line(upper(textChannelColumns)...)
	for _, r := range s.textChannelRows() {
		line(r...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	list := func(title string, items []string) {
		if len(items) > 0 {
			fmt.Fprintf(w, "\n%s:\n", title)
			for _, x := range items {
				fmt.Fprintln(w, "  "+x)
			}
		}
	}
	list("warnings", s.allWarnings())
	list("notes", s.noteLines())
	if obs := s.Results.Offboardings; len(obs) > 0 {
		fmt.Fprintln(tw)
		line(upper(offboardingColumns)...)
		for i := range obs[:min(len(obs), maxTextOffboardings)] {
			line(s.offboardingRow(&obs[i])...)
		}
		if len(obs) > maxTextOffboardings {
			line(moreOffboardings(len(obs) - maxTextOffboardings))
		}
	}
	fmt.Fprintf(tw, "\nfriction per user-week (%s):\n", s.frictionBasis())
	for _, r := range s.frictionRows() {
		line("  "+r[0], r[1], r[2])
	}
	if len(s.Policy) > 0 {
		fmt.Fprintln(tw)
		line(upper(policyColumns)...)
		for _, r := range s.policyRows() {
			line(r...)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nevidence:")
		for _, r := range s.evidenceRows() {
			fmt.Fprintf(w, "  %s: %s, %s: %s\n", r[0], r[1], r[2], r[3])
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", s.Verdict())
	return err
}

func upper(cols []string) []string {
	out := slices.Clone(cols)
	for i := range out {
		out[i] = strings.ToUpper(out[i])
	}
	return out
}

// WriteMarkdown writes the summary as Markdown fit for a CI job summary: the verdict first, then
// the controls with their evidence, the statistics, friction, warnings and notes, and the first
// offboardings.
func WriteMarkdown(w io.Writer, s *Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# idcsim: %s\n\n", mdEscape(s.Results.Scenario.Name))
	mark := ""
	switch {
	case len(s.Policy) == 0:
	case s.Pass:
		mark = "✅ "
	default:
		mark = "❌ "
	}
	fmt.Fprintf(&b, "**%s%s**\n\n", mark, s.Verdict())
	var hdr [][]string
	for _, r := range s.header() {
		hdr = append(hdr, []string{r[0], r[1]})
	}
	mdTable(&b, []string{"", ""}, hdr)
	if len(s.Policy) > 0 {
		b.WriteString("\n## Controls\n\n")
		mdTable(&b, policyColumns, s.policyRows())
		b.WriteString("\nEvidence: the worst offboarding on each control's channel.\n\n")
		mdTable(&b, evidenceColumns, s.evidenceRows())
	}
	b.WriteString("\n## Exposure after offboarding\n\n")
	mdTable(&b, channelColumns, s.channelRows())
	b.WriteString("\nIntervals are 95% confidence intervals: Student t for the mean, order statistics for p95 and p99.\n")
	if rows := s.worstRows(); len(rows) > 0 {
		b.WriteString("\n## Worst offboarding per channel\n\n")
		mdTable(&b, worstColumns, rows)
	}
	if warnings := s.allWarnings(); len(warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, x := range warnings {
			fmt.Fprintf(&b, "- %s\n", mdEscape(x))
		}
	}
	fmt.Fprintf(&b, "\n## Friction\n\nPer user-week: %s.\n\n", s.frictionBasis())
	mdTable(&b, frictionColumns, s.frictionRows())
	if notes := s.noteLines(); len(notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, x := range notes {
			fmt.Fprintf(&b, "- %s\n", mdEscape(x))
		}
	}
	if obs := s.Results.Offboardings; len(obs) > 0 {
		b.WriteString("\n## Offboardings\n\n")
		n := min(len(obs), maxListedOffboardings)
		var rows [][]string
		for i := range obs[:n] {
			rows = append(rows, s.offboardingRow(&obs[i]))
		}
		mdTable(&b, offboardingColumns, rows)
		if n < len(obs) {
			fmt.Fprintf(&b, "\n%s.\n", moreOffboardings(len(obs)-n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdTable(b *strings.Builder, head []string, rows [][]string) {
	mdRow(b, head)
	b.WriteString("|")
	for range head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		mdRow(b, r)
	}
}

func mdRow(b *strings.Builder, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" " + mdEscape(c) + " |")
	}
	b.WriteString("\n")
}

// mdEscaper turns what Markdown (CommonMark with GitHub's tables) or HTML could read as syntax into
// literals: a backslash first, so that a name cannot undo an escape; square brackets, so that no
// name becomes a link or an image ("[x](javascript:...)"); angle brackets and ampersands, so that
// no name becomes HTML, an autolink or an entity; the table's bar, asterisks and backquotes.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"*", `\*`, "`", "\\`", "[", `\[`, "]", `\]`)

// mdEscape keeps a cell's text from breaking the table or being read as Markdown or HTML.
func mdEscape(s string) string { return mdEscaper.Replace(s) }
