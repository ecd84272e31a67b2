package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"idcsim/internal/buildinfo"
	"idcsim/sim"
)

// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/): the subset idcsim writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool         `json:"tool"`
		Artifacts  []sarifArtifact   `json:"artifacts"`
		Results    []sarifResult     `json:"results"`
		Properties map[string]any    `json:"properties"`
		Invocation []sarifInvocation `json:"invocations"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string          `json:"id"`
		Name             string          `json:"name"`
		ShortDescription sarifText       `json:"shortDescription"`
		FullDescription  sarifText       `json:"fullDescription"`
		Default          sarifRuleConfig `json:"defaultConfiguration"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifArtifact struct {
		Location sarifArtifactLocation `json:"location"`
		Hashes   map[string]string     `json:"hashes,omitempty"`
	}
	sarifArtifactLocation struct {
		URI string `json:"uri"`
	}
	sarifResult struct {
		RuleID     string          `json:"ruleId"`
		RuleIndex  int             `json:"ruleIndex"`
		Level      string          `json:"level"`
		Message    sarifText       `json:"message"`
		Locations  []sarifLocation `json:"locations"`
		Properties map[string]any  `json:"properties"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		Artifact sarifArtifactLocation `json:"artifactLocation"`
		Region   *sarifRegion          `json:"region,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool `json:"executionSuccessful"`
	}
)

// WriteSARIF writes the verdicts of a run as a SARIF 2.1.0 log: each control of the policy is a
// rule, and each control that fails is a result of level error, located at the control's line in
// the scenario file (uri, as the command line named it), with the reason and the evidence (the
// worst offboarding and what held its window open) as its message.
func WriteSARIF(w io.Writer, s *Summary, uri string) error {
	sc := s.Results.Scenario
	run := newSARIFRun(sc, uri)
	for i, v := range s.Policy {
		if v.Pass {
			continue
		}
		msg := fmt.Sprintf("%s: %s", v.Control.ID, v.Reason)
		if v.Worst != nil {
			msg += fmt.Sprintf(". Worst: %s, %s: %s", s.offboardingName(v.Worst), windowString(v.Worst.Windows[v.Control.Channel]), v.Evidence)
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: v.Control.ID, RuleIndex: i, Level: "error", Message: sarifText{msg},
			Locations:  controlLocation(uri, v.Control),
			Properties: map[string]any{"value_s": v.Value.Seconds(), "limit_s": v.Control.Within.Seconds(), "open": v.Open},
		})
	}
	return writeSARIF(w, run)
}

// WriteSweepSARIF writes the verdicts of a sweep as a SARIF 2.1.0 log: a result for each control
// that some candidate fails, saying how many fail it and the best value any reached. Its level is
// error when no candidate meets every control (the sweep fails), and note when some candidate
// does: then the failures only rule candidates out.
func WriteSweepSARIF(w io.Writer, ss *SweepSummary, uri string) error {
	run := newSARIFRun(ss.Scenario, uri)
	level := "note"
	if !ss.Pass {
		level = "error"
	}
	index := map[string]int{}
	for i, c := range ss.Scenario.Policy {
		index[c.ID] = i
	}
	for _, f := range ss.controlFailures() {
		msg := fmt.Sprintf("%s: %d of %d candidates fail it; the best, candidate %d, reaches %s against a limit of %s",
			f.Control.ID, f.Failed, len(ss.Candidates), f.Best, sim.HumanDuration(f.Value), sim.HumanDuration(f.Control.Within))
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Control.ID, RuleIndex: index[f.Control.ID], Level: level, Message: sarifText{msg},
			Locations:  controlLocation(uri, f.Control),
			Properties: map[string]any{"failed_candidates": f.Failed, "best_candidate": f.Best, "best_value_s": f.Value.Seconds()},
		})
	}
	return writeSARIF(w, run)
}

// SARIFRule is a rule of a SARIF log written by WriteSARIFFindings: its ID and descriptions.
type SARIFRule struct {
	ID, Short, Full string
}

// SARIFFinding is a result of a SARIF log written by WriteSARIFFindings: the rule it breaks, its
// level (error, warning or note), its message, and where: an artifact's URI and, when known, a
// line and column in it.
type SARIFFinding struct {
	RuleID, Level, Message, URI string
	Line, Column                int
	Properties                  map[string]any
}

// WriteSARIFFindings writes a SARIF 2.1.0 log of idcsim with the rules, the findings, the
// artifacts they name (in the order first named) and the run's properties: the writer of
// outputs that are not a run or a sweep (idcsim trail's).
func WriteSARIFFindings(w io.Writer, rules []SARIFRule, findings []SARIFFinding, props map[string]any) error {
	run := emptySARIFRun(props)
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: r.ID, Name: ruleName(r.ID),
			ShortDescription: sarifText{r.Short}, FullDescription: sarifText{r.Full}, Default: sarifRuleConfig{"error"}})
	}
	seen := map[string]bool{}
	for _, f := range findings {
		if !seen[f.URI] {
			seen[f.URI] = true
			run.Artifacts = append(run.Artifacts, sarifArtifact{Location: sarifArtifactLocation{f.URI}})
		}
		loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifactLocation{f.URI}}}
		if f.Line > 0 {
			loc.Physical.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		}
		run.Results = append(run.Results, sarifResult{RuleID: f.RuleID, RuleIndex: index[f.RuleID], Level: f.Level,
			Message: sarifText{f.Message}, Locations: []sarifLocation{loc}, Properties: f.Properties})
	}
	return writeSARIF(w, run)
}

// SARIFURI is a scenario or log named on the command line as a SARIF URI reference: a file's
// path with forward slashes and escaped, example:NAME as it is, stdin for "-" (or no name).
func SARIFURI(path string) string {
	switch {
	case path == "" || path == "-":
		return "stdin"
	case strings.HasPrefix(path, "example:"):
		return path
	}
	return (&url.URL{Path: filepath.ToSlash(path)}).String()
}

// emptySARIFRun is a SARIF run of idcsim with the properties and no rules, artifacts or results.
func emptySARIFRun(props map[string]any) sarifRun {
	return sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "idcsim", Version: buildinfo.Read().Version,
			InformationURI: "https://docs.aws.amazon.com/singlesignon/latest/userguide/authconcept.html", Rules: []sarifRule{}}},
		Artifacts: []sarifArtifact{}, Results: []sarifResult{}, Properties: props,
		Invocation: []sarifInvocation{{ExecutionSuccessful: true}},
	}
}

// newSARIFRun is a SARIF run with the tool, the scenario as its artifact, a rule per control and
// no results yet.
func newSARIFRun(sc *sim.Scenario, uri string) sarifRun {
	run := emptySARIFRun(map[string]any{"profile": sc.Profile.Name, "switches": sc.Switches.Map(), "seed": sc.Seed, "replications": sc.Replications})
	run.Artifacts = []sarifArtifact{{Location: sarifArtifactLocation{uri}, Hashes: map[string]string{"sha-256": sc.SHA256}}}
	for _, c := range sc.Policy {
		short := fmt.Sprintf("%s of %s within %s", c.Statistic, c.Channel, sim.HumanDuration(c.Within))
		full := short
		if c.Text != "" {
			full = c.Text + " (" + short + ")"
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: c.ID, Name: ruleName(c.ID),
			ShortDescription: sarifText{short}, FullDescription: sarifText{full}, Default: sarifRuleConfig{"error"}})
	}
	return run
}

// ruleName makes a control's ID a SARIF rule name: letters and digits, each word capitalised.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up {
				r = []rune(strings.ToUpper(string(r)))[0]
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return "Control" + b.String()
}

// controlLocation locates a control in the scenario file; a control read from no file is located
// at the file alone.
func controlLocation(uri string, c sim.Control) []sarifLocation {
	loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifactLocation{uri}}}
	if c.Line > 0 {
		loc.Physical.Region = &sarifRegion{StartLine: c.Line, StartColumn: c.Column}
	}
	return []sarifLocation{loc}
}

func writeSARIF(w io.Writer, run sarifRun) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
