package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"idcsim/sim"
)

type sweepJSON struct {
	headerJSON
	Objective       objectiveJSON   `json:"objective"`
	FrictionMeasure string          `json:"friction_measure"`
	Settings        []string        `json:"settings"`
	Candidates      []candidateJSON `json:"candidates"`
	Recommended     []int           `json:"recommended"`
	Pass            bool            `json:"pass"`
	Warnings        []string        `json:"warnings"`
}

type objectiveJSON struct {
	Channel   string `json:"channel"`
	Statistic string `json:"statistic"`
}

type candidateJSON struct {
	Index        int           `json:"index"`
	Name         string        `json:"name"`
	Settings     object        `json:"settings"`
	ObjectiveS   float64       `json:"objective_s"`
	FrictionPUW  float64       `json:"friction_per_user_week"`
	Exposure     object        `json:"exposure"`
	Friction     frictionJSON  `json:"friction"`
	Policy       []verdictJSON `json:"policy"`
	Offboardings int           `json:"offboardings"`
	Events       int64         `json:"events"`
	Pass         bool          `json:"pass"`
	Pareto       bool          `json:"pareto"`
	Recommended  bool          `json:"recommended"`
}

// WriteSweepJSON writes sweep.json: the sweep's setup, then per candidate its settings (in
// seconds), exposure statistics per channel (as in results.json), friction, control verdicts, and
// whether it is on the Pareto front and recommended.
func WriteSweepJSON(w io.Writer, ss *SweepSummary) error {
	sc := ss.Scenario
	doc := sweepJSON{
		headerJSON:      header(sc, ss.events()),
		Objective:       objectiveJSON{Channel: ss.Channel.String(), Statistic: ss.Statistic},
		FrictionMeasure: FrictionMeasure,
		Settings:        append([]string{}, ss.Settings...),
		Candidates:      []candidateJSON{},
		Recommended:     append([]int{}, ss.Recommended...),
		Pass:            ss.Pass,
		Warnings:        ss.Warnings(),
	}
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		s := c.Summary
		cj := candidateJSON{
			Index: c.Index, Name: c.Name(), Settings: object{},
			ObjectiveS: seconds(c.Objective), FrictionPUW: round(c.Friction, 3),
			Exposure: s.exposureJSON(), Friction: s.frictionJSON(), Policy: []verdictJSON{},
			Offboardings: len(s.Results.Offboardings), Events: s.Results.Events,
			Pass: c.Pass, Pareto: c.Pareto, Recommended: c.Recommended,
		}
		for k, name := range ss.Settings {
			cj.Settings = append(cj.Settings, member{name, seconds(c.Values[k])})
		}
		for _, v := range s.Policy {
			cj.Policy = append(cj.Policy, verdictJSON{
				ID: v.Control.ID, Channel: v.Control.Channel.String(), Statistic: v.Control.Statistic,
				LimitS: seconds(v.Control.Within), ValueS: seconds(v.Value), Open: v.Open,
				Pass: v.Pass, Text: v.Control.Text, Reason: v.Reason, Worst: s.worstJSON(v.Worst, v.Control.Channel),
			})
		}
		doc.Candidates = append(doc.Candidates, cj)
	}
	return writeIndented(w, doc)
}

// sweepCSVColumns are the columns of sweep.csv around the settings' and the channels' own.
var (
	sweepCSVHead = []string{"candidate", "name"}
	sweepCSVTail = []string{"friction_per_user_week", "sign_in_prompts_per_user_week", "silent_sign_ins_per_user_week",
		"cli_logins_per_user_week", "kiro_logins_per_user_week", "jobs_killed_per_user_week"}
	sweepCSVEnd = []string{"pass", "failed_controls", "pareto", "recommended"}
)

// SweepCSVHeader returns the header of sweep.csv: candidate, name, each swept setting in seconds
// (NAME_s), the objective (CHANNEL_STATISTIC_s), friction figures, each channel's p95 and max, and
// the verdicts.
func SweepCSVHeader(ss *SweepSummary) []string {
	h := append([]string{}, sweepCSVHead...)
	for _, name := range ss.Settings {
		h = append(h, name+"_s")
	}
	h = append(h, "objective_"+ss.Channel.String()+"_"+ss.Statistic+"_s")
	h = append(h, sweepCSVTail...)
	for ch := range sim.NumChannels {
		h = append(h, ch.String()+"_p95_s", ch.String()+"_max_s", ch.String()+"_open")
	}
	return append(h, sweepCSVEnd...)
}

// WriteSweepCSV writes sweep.csv: a header (SweepCSVHeader), then one row per candidate.
func WriteSweepCSV(w io.Writer, ss *SweepSummary) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SweepCSVHeader(ss)); err != nil {
		return err
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		f := &c.Summary.Friction
		row := []string{strconv.Itoa(c.Index), csvText(c.Name())}
		for _, v := range c.Values {
			row = append(row, num(seconds(v)))
		}
		row = append(row, num(seconds(c.Objective)))
		for _, x := range []float64{c.Friction, f.SignInPrompts, f.SilentSignIns, f.CLILogins, f.KiroLogins, f.JobsKilled} {
			row = append(row, num(round(x, 3)))
		}
		for ch := range sim.NumChannels {
			cs := &c.Summary.Channels[ch]
			row = append(row, num(seconds(cs.P95)), num(seconds(cs.Max)), strconv.Itoa(cs.Open))
		}
		row = append(row, strconv.FormatBool(c.Pass), csvText(strings.Join(c.FailedControls(), " ")),
			strconv.FormatBool(c.Pareto), strconv.FormatBool(c.Recommended))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteSweepJUnit writes the controls of every candidate as a JUnit XML document, one test case
// per candidate and control. When some candidate meets every control, the sweep passes, and a
// candidate failing a control is skipped with the reason, not a failure: a green CI job shows
// no red tests. When none does, those are failures.
func WriteSweepJUnit(w io.Writer, ss *SweepSummary, run JUnitRun) error {
	suite := junitSuite{Name: "idcsim sweep " + ss.Scenario.Name, Properties: scenarioProperties(ss.Scenario)}
	var out strings.Builder
	for _, line := range ss.Recommendation() {
		fmt.Fprintln(&out, line)
	}
	for i := range ss.Candidates {
		c := &ss.Candidates[i]
		for _, v := range c.Summary.Policy {
			jc := c.Summary.junitCase(fmt.Sprintf("idcsim.sweep.candidate-%d", c.Index), v, c.Name())
			if jc.Failure != nil && ss.Pass {
				jc.Skipped = &junitSkipped{Message: "candidate ruled out: " + jc.Failure.Message, Text: jc.Failure.Text}
				jc.Failure = nil
			}
			suite.Cases = append(suite.Cases, jc)
		}
	}
	suite.Out = out.String()
	return suite.write(w, run)
}

// SweepFiles returns the files of a sweep's report directory by name: sweep.json, sweep.csv,
// report.md, report.html, and the frontier and heatmap figures as SVG and PNG. The same summary
// always gives the same bytes. Write them with WriteDir.
func SweepFiles(ss *SweepSummary) (map[string][]byte, error) {
	figs, err := SweepFigures(ss)
	if err != nil {
		return nil, err
	}
	return assemble([]namedWriter{
		{"sweep.json", func(b *bytes.Buffer) error { return WriteSweepJSON(b, ss) }},
		{"sweep.csv", func(b *bytes.Buffer) error { return WriteSweepCSV(b, ss) }},
		{"report.md", func(b *bytes.Buffer) error { return WriteSweepMarkdown(b, ss) }},
		{"report.html", func(b *bytes.Buffer) error { return WriteSweepHTML(b, ss, figs) }},
	}, figs)
}
