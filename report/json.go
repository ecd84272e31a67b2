package report

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"slices"
	"time"

	"idcsim/sim"
)

// SchemaVersion is the version of the JSON documents this package writes.
const SchemaVersion = 1

// seconds converts d to seconds rounded to 0.1 s, the precision of every JSON figure.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*10) / 10 }

// member is one key of an object whose keys keep their order.
type member struct {
	Key   string
	Value any
}

// object is a JSON object written with its keys in order.
type object []member

func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encode(&buf, m.Key); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encode(&buf, m.Value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encode writes v as compact JSON without escaping <, > and &, which evidence texts use.
func encode(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // the newline Encode adds
	return nil
}

// writeIndented writes v as indented JSON followed by a newline.
func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// headerJSON is what results.json and sweep.json both start with: the run's setup.
type headerJSON struct {
	SchemaVersion int             `json:"schema_version"`
	Scenario      scenarioJSON    `json:"scenario"`
	Profile       string          `json:"profile"`
	Switches      map[string]bool `json:"switches"`
	Seed          uint64          `json:"seed"`
	Replications  int             `json:"replications"`
	Start         string          `json:"start"`
	HorizonS      float64         `json:"horizon_s"`
	Events        int64           `json:"events"`
}

func header(sc *sim.Scenario, events int64) headerJSON {
	return headerJSON{
		SchemaVersion: SchemaVersion,
		Scenario:      scenarioJSON{Name: sc.Name, SHA256: sc.SHA256},
		Profile:       sc.Profile.Name,
		Switches:      sc.Switches.Map(),
		Seed:          sc.Seed,
		Replications:  sc.Replications,
		Start:         sc.Start.Format(time.RFC3339),
		HorizonS:      seconds(sc.Horizon),
		Events:        events,
	}
}

type resultsJSON struct {
	headerJSON
	Exposure     object         `json:"exposure"`
	Offboardings []offboardJSON `json:"offboardings"`
	Friction     frictionJSON   `json:"friction"`
	Policy       []verdictJSON  `json:"policy"`
	Pass         bool           `json:"pass"`
	Warnings     []string       `json:"warnings"`
}

type scenarioJSON struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

type exposureJSON struct {
	N     int     `json:"n"`
	Open  int     `json:"open"`
	MeanS float64 `json:"mean_s"`
	P50S  float64 `json:"p50_s"`
	P95S  float64 `json:"p95_s"`
	P99S  float64 `json:"p99_s"`
	MaxS  float64 `json:"max_s"`
	// The intervals are null when there are too few offboardings for one; Warnings then say so.
	MeanCI95S *[2]float64 `json:"mean_ci95_s"`
	P95CI95S  *[2]float64 `json:"p95_ci95_s"`
	P99CI95S  *[2]float64 `json:"p99_ci95_s"`
	Worst     *worstJSON  `json:"worst"`
	Warnings  []string    `json:"warnings"`
}

// worstJSON names an offboarding and one of its windows, enough to replay it.
type worstJSON struct {
	Replication int     `json:"replication"`
	User        string  `json:"user"`
	At          string  `json:"at"`
	Playbook    string  `json:"playbook"`
	ExposureS   float64 `json:"exposure_s"`
	Open        bool    `json:"open"`
	Evidence    string  `json:"evidence"`
}

type offboardJSON struct {
	Replication int      `json:"replication"`
	User        string   `json:"user"`
	At          string   `json:"at"`
	Playbook    string   `json:"playbook"`
	ExposureS   object   `json:"exposure_s"`
	Open        []string `json:"open"`
	Evidence    object   `json:"evidence"`
	Notes       []string `json:"notes"`
}

type frictionJSON struct {
	SignInPrompts          float64 `json:"sign_in_prompts_per_user_week"`
	SilentSignIns          float64 `json:"silent_sign_ins_per_user_week"`
	CLILogins              float64 `json:"cli_logins_per_user_week"`
	ConsoleFederations     float64 `json:"console_federations_per_user_week"`
	ConsoleRefederations   float64 `json:"console_refederations_per_user_week"`
	JobsKilled             float64 `json:"jobs_killed_per_user_week"`
	KiroLogins             float64 `json:"kiro_logins_per_user_week"`
	UserWeeks              float64 `json:"user_weeks"`
	JobsStarted            int64   `json:"jobs_started"`
	JobsKilledTotal        int64   `json:"jobs_killed"`
	CollateralRoleSessions int64   `json:"collateral_role_sessions"`
	RefusedActions         int64   `json:"refused_actions"`
}

type verdictJSON struct {
	ID        string     `json:"id"`
	Channel   string     `json:"channel"`
	Statistic string     `json:"statistic"`
	LimitS    float64    `json:"limit_s"`
	ValueS    float64    `json:"value_s"`
	Open      int        `json:"open"`
	Pass      bool       `json:"pass"`
	Text      string     `json:"text"`
	Reason    string     `json:"reason,omitempty"`
	Worst     *worstJSON `json:"worst"`
}

// WriteJSON writes the summary as the results document of SPEC.md (results.json).
func WriteJSON(w io.Writer, s *Summary) error {
	return writeIndented(w, s.resultsJSON())
}

func (s *Summary) at(d time.Duration) string {
	return s.Results.Scenario.Start.Add(d).Format(time.RFC3339)
}

func (s *Summary) resultsJSON() resultsJSON {
	res := s.Results
	sc := res.Scenario
	doc := resultsJSON{
		headerJSON:   header(sc, res.Events),
		Offboardings: []offboardJSON{},
		Friction:     s.frictionJSON(),
		Policy:       []verdictJSON{},
		Pass:         s.Pass,
		Warnings:     s.Warnings(),
	}
	doc.Exposure = s.exposureJSON()
	for i := range res.Offboardings {
		o := &res.Offboardings[i]
		oj := offboardJSON{
			Replication: o.Replication, User: o.User, At: s.at(o.At), Playbook: o.Playbook,
			ExposureS: object{}, Open: []string{}, Evidence: object{}, Notes: append([]string{}, o.Notes...),
		}
		for ch, w := range o.Windows {
			name := sim.Channel(ch).String()
			oj.ExposureS = append(oj.ExposureS, member{name, seconds(w.Length)})
			if w.Open {
				oj.Open = append(oj.Open, name)
			}
			if e := evidence(o, sim.Channel(ch)); e != "" {
				oj.Evidence = append(oj.Evidence, member{name, e})
			}
		}
		doc.Offboardings = append(doc.Offboardings, oj)
	}
	for _, v := range s.Policy {
		doc.Policy = append(doc.Policy, verdictJSON{
			ID: v.Control.ID, Channel: v.Control.Channel.String(), Statistic: v.Control.Statistic,
			LimitS: seconds(v.Control.Within), ValueS: seconds(v.Value), Open: v.Open,
			Pass: v.Pass, Text: v.Control.Text, Reason: v.Reason, Worst: s.worstJSON(v.Worst, v.Control.Channel),
		})
	}
	return doc
}

// exposureJSON is the exposure object of results.json: each channel's statistics.
func (s *Summary) exposureJSON() object {
	var out object
	for i := range s.Channels {
		cs := &s.Channels[i]
		e := exposureJSON{
			N: cs.N, Open: cs.Open,
			MeanS: seconds(cs.Mean), P50S: seconds(cs.P50), P95S: seconds(cs.P95), P99S: seconds(cs.P99), MaxS: seconds(cs.Max),
			Warnings: append([]string{}, cs.Warnings...),
		}
		e.MeanCI95S, e.P95CI95S, e.P99CI95S = intervalJSON(cs.MeanCI), intervalJSON(cs.P95CI), intervalJSON(cs.P99CI)
		e.Worst = s.worstJSON(cs.Worst, cs.Channel)
		out = append(out, member{cs.Channel.String(), e})
	}
	return out
}

func intervalJSON(ci Interval) *[2]float64 {
	if !ci.OK {
		return nil
	}
	return &[2]float64{seconds(ci.Lo), seconds(ci.Hi)}
}

// worstJSON describes o's window on ch; nil when o is.
func (s *Summary) worstJSON(o *sim.Offboarding, ch sim.Channel) *worstJSON {
	if o == nil {
		return nil
	}
	w := o.Windows[ch]
	return &worstJSON{Replication: o.Replication, User: o.User, At: s.at(o.At), Playbook: o.Playbook,
		ExposureS: seconds(w.Length), Open: w.Open, Evidence: evidence(o, ch)}
}

func (s *Summary) frictionJSON() frictionJSON {
	f := &s.Friction
	return frictionJSON{
		SignInPrompts:          round(f.SignInPrompts, 3),
		SilentSignIns:          round(f.SilentSignIns, 3),
		CLILogins:              round(f.CLILogins, 3),
		ConsoleFederations:     round(f.ConsoleFederations, 3),
		ConsoleRefederations:   round(f.ConsoleRefederations, 3),
		JobsKilled:             round(f.JobsKilled, 3),
		KiroLogins:             round(f.KiroLogins, 3),
		UserWeeks:              round(f.UserWeeks, 3),
		JobsStarted:            f.Totals.JobsStarted,
		JobsKilledTotal:        f.Totals.JobsKilled,
		CollateralRoleSessions: f.Totals.CollateralRoleSessions,
		RefusedActions:         f.Totals.RefusedActions,
	}
}

func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}

// Warnings returns the warnings of the scenario and of the run, in that order, each once: the
// run's results repeat the scenario's.
func (s *Summary) Warnings() []string {
	w := []string{}
	for _, x := range append(slices.Clip(s.Results.Scenario.Warnings), s.Results.Warnings...) {
		if !slices.Contains(w, x) {
			w = append(w, x)
		}
	}
	return w
}
