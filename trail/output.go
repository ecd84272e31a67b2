package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"idcsim/report"
	"idcsim/sim"
)

// SchemaVersion is the version of trail.json.
const SchemaVersion = 1

type jsonDoc struct {
	SchemaVersion int              `json:"schema_version"`
	Inputs        jsonInputs       `json:"inputs"`
	Window        *jsonWindow      `json:"window"`
	Engine        jsonEngine       `json:"engine"`
	Users         []jsonUser       `json:"users"`
	Offboardings  []jsonOffboarded `json:"offboardings"`
	Notes         []string         `json:"notes"`
	Pass          bool             `json:"pass"`
}

type jsonInputs struct {
	Files      int           `json:"files"`
	Bytes      int64         `json:"bytes"`
	Records    int           `json:"records"`
	Decoded    int           `json:"decoded"`
	Skipped    int           `json:"skipped_other_services"`
	Ignored    int           `json:"ignored"`
	Outside    int           `json:"outside_window"`
	Oversize   int           `json:"oversize"`
	Malformed  int           `json:"malformed"`
	Unreadable int           `json:"unreadable"`
	Problems   []jsonProblem `json:"problems"`
}

type jsonProblem struct {
	File    string `json:"file"`
	Record  int    `json:"record,omitempty"`
	Line    int    `json:"line,omitempty"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

type jsonWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type jsonEngine struct {
	Profile        string             `json:"profile"`
	Switches       map[string]bool    `json:"switches"`
	Replications   int                `json:"replications"`
	Seed           uint64             `json:"seed"`
	PortalSessionS float64            `json:"portal_session_s"`
	PermissionSets map[string]float64 `json:"permission_set_session_s"`
	Start          string             `json:"start"`
	HorizonS       float64            `json:"horizon_s"`
}

type jsonUser struct {
	Name            string   `json:"name"`
	IDs             []string `json:"ids"`
	Names           []string `json:"names"`
	SignIns         int      `json:"sign_ins"`
	FailedSignIns   int      `json:"failed_sign_ins"`
	CLILogins       int      `json:"cli_logins"`
	TokenRefreshes  int      `json:"token_refreshes"`
	Federations     int      `json:"federations"`
	RoleCredentials int      `json:"role_credentials"`
	RoleSessions    int      `json:"role_sessions"`
	Exchanges       int      `json:"tti_exchanges"`
	AdminEvents     int      `json:"admin_events"`
	Offboarded      bool     `json:"offboarded"`
}

type jsonOffboarded struct {
	User     string                 `json:"user"`
	At       string                 `json:"at"`
	Until    string                 `json:"until,omitempty"`
	Steps    []jsonStep             `json:"steps"`
	Windows  map[string]jsonWindow2 `json:"windows"`
	Sessions []jsonSession          `json:"sessions"`
	Hints    []string               `json:"hints"`
	Beyond   bool                   `json:"beyond"`
	// Figure is the timeline's SVG file in the report directory, if it has one.
	Figure string `json:"figure,omitempty"`
}

type jsonStep struct {
	At            string        `json:"at"`
	Action        string        `json:"action"`
	Event         string        `json:"event"`
	By            string        `json:"by"`
	Group         string        `json:"group,omitempty"`
	Account       string        `json:"account,omitempty"`
	PermissionSet string        `json:"permission_set,omitempty"`
	Evidence      *jsonEvidence `json:"evidence"`
}

type jsonEvidence struct {
	EventID string `json:"event_id"`
	Time    string `json:"time"`
	File    string `json:"file"`
	Record  int    `json:"record"`
}

// jsonWindow2 is one channel of an offboarding.
type jsonWindow2 struct {
	ObservedS     *float64      `json:"observed_s"`
	Observed      *jsonEvidence `json:"observed"`
	RefusedS      *float64      `json:"last_refused_s,omitempty"`
	Refused       *jsonEvidence `json:"last_refused,omitempty"`
	Modelled      bool          `json:"modelled"`
	BoundMaxS     *float64      `json:"bound_max_s"`
	BoundP95S     *float64      `json:"bound_p95_s"`
	BoundOpen     int           `json:"bound_open"`
	BoundEvidence string        `json:"bound_evidence,omitempty"`
	Beyond        bool          `json:"beyond"`
}

type jsonSession struct {
	Kind     string        `json:"kind"`
	At       string        `json:"at"`
	Detail   string        `json:"detail,omitempty"`
	Until    string        `json:"until,omitempty"`
	LastUse  string        `json:"last_use,omitempty"`
	Evidence *jsonEvidence `json:"evidence,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func secs(d time.Duration) *float64 {
	x := math.Round(d.Seconds()*10) / 10
	return &x
}

func evidenceJSON(e Evidence) *jsonEvidence {
	if e.EventID == "" && e.File == "" {
		return nil
	}
	return &jsonEvidence{EventID: e.EventID, Time: stamp(e.Time), File: e.File, Record: e.Record}
}

// WriteJSON writes trail.json: the inputs read, the users, and each offboarding with its steps,
// its observed and bound windows per channel, the sessions around it and the file of its
// timeline in the report directory.
func WriteJSON(w io.Writer, r *Report) error {
	c := r.Counts
	doc := jsonDoc{SchemaVersion: SchemaVersion, Pass: r.Pass, Notes: r.Notes, Users: []jsonUser{}, Offboardings: []jsonOffboarded{}}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	doc.Inputs = jsonInputs{Files: c.Files, Bytes: c.Bytes, Records: c.Records, Decoded: c.Decoded, Skipped: c.Skipped,
		Ignored: r.Timeline.Ignored, Outside: r.Timeline.Outside, Oversize: c.Oversize, Malformed: c.Malformed,
		Unreadable: c.Unreadable, Problems: []jsonProblem{}}
	for _, p := range c.Problems {
		doc.Inputs.Problems = append(doc.Inputs.Problems, jsonProblem{p.Place.File, p.Place.Record, p.Place.Line, p.Kind, p.Msg})
	}
	if tl := r.Timeline; !tl.From.IsZero() {
		doc.Window = &jsonWindow{stamp(tl.From), stamp(tl.To)}
	}
	sc := r.Scenario
	doc.Engine = jsonEngine{Profile: sc.Profile.Name, Switches: sc.Switches.Map(), Replications: sc.Replications, Seed: sc.Seed,
		PortalSessionS: *secs(sc.Settings.PortalSession), PermissionSets: map[string]float64{}, Start: stamp(sc.Start), HorizonS: *secs(sc.Horizon)}
	for _, ps := range sc.PermissionSets {
		doc.Engine.PermissionSets[ps.Name] = *secs(ps.SessionDuration)
	}
	off := map[*User]bool{}
	for _, o := range r.Offboardings {
		off[o.User] = true
	}
	for _, u := range r.Timeline.Users {
		ju := jsonUser{Name: u.Name, IDs: nonNil(u.IDs), Names: nonNil(u.Names), RoleSessions: len(u.Roles), AdminEvents: len(u.Admin), Offboarded: off[u]}
		for _, g := range u.Grants {
			switch {
			case g.Kind == gSignIn && g.Failed:
				ju.FailedSignIns++
			case g.Kind == gSignIn:
				ju.SignIns++
			case g.Kind == gLogin:
				ju.CLILogins++
			case g.Kind == gRefresh:
				ju.TokenRefreshes++
			case g.Kind == gFederate:
				ju.Federations++
			case g.Kind == gCreds:
				ju.RoleCredentials++
			case g.Kind == gExchange:
				ju.Exchanges++
			}
		}
		doc.Users = append(doc.Users, ju)
	}
	names := timelineNames(r)
	for i, o := range r.Offboardings {
		jo := jsonOffboarded{User: o.Name, At: stamp(o.At), Until: stamp(o.Until), Steps: []jsonStep{}, Windows: map[string]jsonWindow2{},
			Sessions: []jsonSession{}, Hints: nonNil(o.Hints), Beyond: o.Beyond}
		if i < len(names) {
			jo.Figure = names[i] + ".svg"
		}
		for _, s := range o.Steps {
			jo.Steps = append(jo.Steps, jsonStep{At: stamp(s.Ev.Time), Action: s.Action.String(), Event: s.Event, By: s.By,
				Group: s.Group, Account: s.Account, PermissionSet: s.PermissionSet, Evidence: evidenceJSON(s.Ev)})
		}
		for _, win := range o.Windows {
			jw := jsonWindow2{Modelled: win.Modelled, BoundOpen: win.BoundOpen, BoundEvidence: win.BoundEvidence, Beyond: win.Beyond}
			if win.Seen {
				jw.ObservedS, jw.Observed = secs(win.Observed), evidenceJSON(win.Last)
			}
			if win.Refused != nil {
				jw.RefusedS, jw.Refused = secs(win.LastRefused), evidenceJSON(*win.Refused)
			}
			if win.Modelled {
				jw.BoundMaxS, jw.BoundP95S = secs(win.BoundMax), secs(win.BoundP95)
			}
			jo.Windows[win.Channel] = jw
		}
		for _, s := range o.Sessions {
			js := jsonSession{Kind: s.Kind, At: stamp(s.At), Detail: s.Detail, Until: stamp(s.Until), LastUse: stamp(s.LastUse), Evidence: evidenceJSON(s.Ev)}
			jo.Sessions = append(jo.Sessions, js)
		}
		doc.Offboardings = append(doc.Offboardings, jo)
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// BeyondText is what the text says of activity beyond the bound.
const BeyondText = "beyond the rules: investigate"

// WriteText writes the summary: what was read, and per offboarding the steps and a table of the
// observed windows beside the bounds, with the evidence of each observation.
func WriteText(w io.Writer, r *Report) error {
	var b bytes.Buffer
	c := r.Counts
	fmt.Fprintf(&b, "CloudTrail: %s, %s read: %d about IAM Identity Center users or their administration, %d of other services skipped\n",
		plural(c.Files, "file"), plural(c.Records, "record"), c.Decoded, c.Skipped)
	if n := c.Oversize + c.Malformed + c.Unreadable; n > 0 {
		fmt.Fprintf(&b, "not read: %d oversize, %d malformed, %d unreadable files:\n", c.Oversize, c.Malformed, c.Unreadable)
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
		if len(c.Problems) < n {
			fmt.Fprintf(&b, "  (and %d more)\n", n-len(c.Problems))
		}
	}
	tl := r.Timeline
	if tl.Outside > 0 {
		fmt.Fprintf(&b, "%s outside --from/--to left out\n", plural(tl.Outside, "record"))
	}
	if !tl.From.IsZero() {
		fmt.Fprintf(&b, "from %s to %s: %s, %s\n", stamp(tl.From), stamp(tl.To), plural(len(tl.Users), "user"), plural(len(r.Offboardings), "offboarding"))
	}
	sc := r.Scenario
	fmt.Fprintf(&b, "bounds: the engine over the reconstructed timeline, profile %s, %d replications, seed %d\n", sc.Profile.Name, sc.Replications, sc.Seed)
	for _, o := range r.Offboardings {
		fmt.Fprintf(&b, "\n%s offboarded at %s", o.Name, stamp(o.At))
		if !o.Until.IsZero() {
			fmt.Fprintf(&b, " (enabled again at %s)", stamp(o.Until))
		}
		fmt.Fprintln(&b)
		var table bytes.Buffer
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
		for _, s := range o.Steps {
			what := s.Action.String()
			switch {
			case s.Group != "":
				what += " " + s.Group
			case s.Account != "":
				what += " " + s.Account + " " + roleName(s.PermissionSet)
			}
			fmt.Fprintf(tw, "  +%s\t%s\t%s by %s, event %s\n", sim.FormatDuration(s.Ev.Time.Sub(o.At)), what, s.Event, principal(s.By), s.Ev.EventID)
		}
		tw.Flush()
		fmt.Fprintln(tw, "  channel\tobserved\tbound max\tbound p95\t")
		for _, win := range o.Windows {
			if !win.Seen && !win.Modelled {
				continue
			}
			obs := "-"
			if win.Seen {
				obs = sim.HumanDuration(win.Observed)
			}
			bmax, bp95 := "not modelled", ""
			if win.Modelled {
				bmax, bp95 = sim.HumanDuration(win.BoundMax), sim.HumanDuration(win.BoundP95)
				if win.BoundOpen > 0 {
					bmax += " (open)"
				}
			}
			flag := ""
			if win.Beyond {
				flag = strings.ToUpper(BeyondText[:1]) + BeyondText[1:]
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", win.Channel, obs, bmax, bp95, flag)
		}
		tw.Flush()
		for line := range strings.Lines(table.String()) {
			b.WriteString(strings.TrimRight(line, " \n") + "\n")
		}
		for _, win := range o.Windows {
			if win.Channel == chAny {
				continue
			}
			if win.Seen {
				fmt.Fprintf(&b, "  last %s: %s\n", win.Channel, win.Last)
			}
			if win.Refused != nil {
				fmt.Fprintf(&b, "  last refused %s: %s\n", win.Channel, *win.Refused)
			}
		}
		for _, h := range o.Hints {
			fmt.Fprintf(&b, "  %s\n", h)
		}
	}
	fmt.Fprintln(&b)
	switch {
	case len(r.Offboardings) == 0:
		fmt.Fprintln(&b, "no offboarding in the logs: nothing to measure")
	case r.Pass:
		fmt.Fprintln(&b, "PASS: no activity after an offboarding beyond what the rules allow")
	default:
		n := 0
		for _, o := range r.Offboardings {
			if o.Beyond {
				n++
			}
		}
		fmt.Fprintf(&b, "FAIL: activity beyond what the rules allow after %s (%s): a rule is wrong, or something outside IAM Identity Center kept the access\n",
			plural(n, "offboarding"), BeyondText)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(&b, "\nnotes:")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Files returns the files of the report directory: trail.json, the timeline of each
// offboarding as SVG and PNG (timeline-USER-TIME), and the report of the engine's run over the
// reconstructed timeline (report.Files: report.html, results.json and the rest), whose
// offboardings are the bounds.
func Files(r *Report) (map[string][]byte, error) {
	files, err := report.Files(report.Summarize(r.Results))
	if err != nil {
		return nil, err
	}
	figs, err := figures(r)
	if err != nil {
		return nil, err
	}
	for _, f := range figs {
		files[f.Name+".svg"] = f.SVG
		files[f.Name+".png"] = f.PNG
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		return nil, err
	}
	files["trail.json"] = b.Bytes()
	return files, nil
}

// principal writes who made a request: a role session as its session name and role, another
// ARN without its partition, service, region and account.
func principal(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return arn
	}
	if rest, ok := strings.CutPrefix(parts[5], "assumed-role/"); ok {
		if role, session, ok := strings.Cut(rest, "/"); ok {
			return session + " (" + role + ")"
		}
	}
	return parts[5]
}
