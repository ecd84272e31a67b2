package report

import (
	"fmt"
	"io"
	"slices"
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
	sim.ChAny:          "any of the above",
}

// Meaning returns what the user can still do while a window of the channel is open.
func Meaning(ch sim.Channel) string { return meanings[ch] }

// FormatDuration formats d compactly for people: 0s, 0.250s, 45s, 29m59s, 12h00m, 1h00m01s, 3d04h00m.
// Below a day whole seconds are kept, from a day on whole minutes; smaller parts are dropped, never rounded up.
func FormatDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%s%.3fs", sign, d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", sign, d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%s%dm%02ds", sign, d/time.Minute, d%time.Minute/time.Second)
	case d < 24*time.Hour && d%time.Minute >= time.Second:
		return fmt.Sprintf("%s%dh%02dm%02ds", sign, d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	case d < 24*time.Hour:
		return fmt.Sprintf("%s%dh%02dm", sign, d/time.Hour, d%time.Hour/time.Minute)
	}
	day := 24 * time.Hour
	return fmt.Sprintf("%s%dd%02dh%02dm", sign, d/day, d%day/time.Hour, d%time.Hour/time.Minute)
}

// maxTextOffboardings is how many offboardings the text summary lists; results.json has them all.
const maxTextOffboardings = 20

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
			sc.Replications, sc.Seed, FormatDuration(sc.Horizon), s.Results.Events)},
		[2]string{"offboardings", fmt.Sprint(len(s.Results.Offboardings))},
	)
}

var channelColumns = []string{"channel", "worst", "median", "p95", "p95 95% CI", "open", "worst offboarding", "the user can still"}

func (s *Summary) channelRows() [][]string {
	var rows [][]string
	for i := range s.Channels {
		cs := &s.Channels[i]
		ci := "-"
		if cs.HasCI {
			ci = FormatDuration(cs.P95CI[0]) + ".." + FormatDuration(cs.P95CI[1])
		}
		worst := "-"
		if o := cs.Worst; o != nil {
			worst = fmt.Sprintf("%s at %s (replication %d)", o.User, s.at(o.At), o.Replication)
		}
		rows = append(rows, []string{cs.Channel.String(), FormatDuration(cs.Max), FormatDuration(cs.P50),
			FormatDuration(cs.P95), ci, fmt.Sprint(cs.Open), worst, meanings[cs.Channel]})
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
	exposure := FormatDuration(w.Length)
	if w.Open {
		exposure += " (open at horizon)"
	}
	name := ch.String()
	if w.Length == 0 {
		name = "none"
	}
	return []string{fmt.Sprint(o.Replication), o.User, s.at(o.At), o.Playbook, name, exposure}
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
			FormatDuration(v.Value), FormatDuration(v.Control.Within), text})
	}
	return rows
}

func (s *Summary) frictionRows() [][2]string {
	f := s.Friction
	return [][2]string{
		{"sign-in prompts", fmt.Sprintf("%.2f", f.SignInPrompts)},
		{"silent sign-ins", fmt.Sprintf("%.2f", f.SilentSignIns)},
		{"CLI logins", fmt.Sprintf("%.2f", f.CLILogins)},
		{"console federations", fmt.Sprintf("%.2f", f.ConsoleFederations)},
	}
}

func (s *Summary) verdict() string {
	if len(s.Policy) == 0 {
		return "no policy controls"
	}
	failed := 0
	for _, v := range s.Policy {
		if !v.Pass {
			failed++
		}
	}
	if failed == 0 {
		return fmt.Sprintf("PASS: all %d controls hold", len(s.Policy))
	}
	return fmt.Sprintf("FAIL: %d of %d controls fail", failed, len(s.Policy))
}

// WriteText writes a summary for people: the run's setup, exposure per channel, each offboarding's
// worst channel, friction and the policy verdicts, in aligned columns.
func WriteText(w io.Writer, s *Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	for _, r := range s.header() {
		line(r[0], r[1])
	}
	line()
	line(upper(channelColumns)...)
	for _, r := range s.channelRows() {
		line(r...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	warnings := append(s.channelWarnings(), s.Warnings()...)
	if len(warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, x := range warnings {
			fmt.Fprintln(w, "  "+x)
		}
	}
	if obs := s.Results.Offboardings; len(obs) > 0 {
		fmt.Fprintln(tw)
		line(upper(offboardingColumns)...)
		for i := range obs[:min(len(obs), maxTextOffboardings)] {
			line(s.offboardingRow(&obs[i])...)
		}
		if len(obs) > maxTextOffboardings {
			line(fmt.Sprintf("... and %d more (results.json lists them all)", len(obs)-maxTextOffboardings))
		}
	}
	fmt.Fprintln(tw, "\nfriction per user and week:")
	for _, r := range s.frictionRows() {
		line("  "+r[0], r[1])
	}
	if len(s.Policy) > 0 {
		fmt.Fprintln(tw)
		line(upper(policyColumns)...)
		for _, r := range s.policyRows() {
			line(r...)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", s.verdict())
	return err
}

func upper(cols []string) []string {
	out := slices.Clone(cols)
	for i := range out {
		out[i] = strings.ToUpper(out[i])
	}
	return out
}

// WriteMarkdown writes the summary as Markdown tables.
func WriteMarkdown(w io.Writer, s *Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# idcsim: %s\n\n", mdEscape(s.Results.Scenario.Name))
	var hdr [][]string
	for _, r := range s.header() {
		hdr = append(hdr, []string{r[0], r[1]})
	}
	mdTable(&b, []string{"", ""}, hdr)
	b.WriteString("\n## Exposure after offboarding\n\n")
	mdTable(&b, channelColumns, s.channelRows())
	if warnings := append(s.channelWarnings(), s.Warnings()...); len(warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, x := range warnings {
			fmt.Fprintf(&b, "- %s\n", mdEscape(x))
		}
	}
	if obs := s.Results.Offboardings; len(obs) > 0 {
		b.WriteString("\n## Offboardings\n\n")
		var rows [][]string
		for i := range obs {
			rows = append(rows, s.offboardingRow(&obs[i]))
		}
		mdTable(&b, offboardingColumns, rows)
	}
	b.WriteString("\n## Friction per user and week\n\n")
	var fr [][]string
	for _, r := range s.frictionRows() {
		fr = append(fr, []string{r[0], r[1]})
	}
	mdTable(&b, []string{"", ""}, fr)
	b.WriteString("\n## Policy\n\n")
	if len(s.Policy) > 0 {
		mdTable(&b, policyColumns, s.policyRows())
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "**%s**\n", s.verdict())
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

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
