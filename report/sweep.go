package report

import (
	"fmt"
	"slices"
	"time"

	"idcsim/sim"
)

// SweepSummary is what a sweep's results mean: each candidate's statistics, friction and control
// verdicts, the candidates on the Pareto front of exposure against friction, and those recommended.
type SweepSummary struct {
	// Scenario is the scenario swept, without any candidate's settings.
	Scenario *sim.Scenario
	// Channel and Statistic name the exposure the candidates are compared on (the objective).
	Channel   sim.Channel
	Statistic string
	// Settings are the names of the swept settings, in the order they first appear.
	Settings   []string
	Candidates []CandidateSummary
	// Recommended lists the indexes of the recommended candidates, in order.
	Recommended []int
	// Pass says at least one candidate meets every control.
	Pass bool
}

// CandidateSummary is one candidate of a sweep and what its run gave.
type CandidateSummary struct {
	Index     int
	Candidate sim.Candidate
	// Values are the values in force of SweepSummary.Settings: the candidate's, or the scenario's
	// where the candidate leaves a setting alone.
	Values  []time.Duration
	Summary *Summary
	// Objective is the candidate's exposure statistic the sweep compares on.
	Objective time.Duration
	// Friction is the friction the sweep compares on: interactive sign-in prompts, CLI logins and
	// Kiro logins per user-week (FrictionScore).
	Friction float64
	// Pass says the candidate meets every control.
	Pass bool
	// Pareto says no other candidate has at most its exposure and its friction and less of one of them.
	Pareto bool
	// Recommended says the candidate meets every control and no other candidate that does has at
	// most its exposure and its friction and less of one of them.
	Recommended bool
}

// FrictionMeasure says in words what the sweep's friction figure counts.
const FrictionMeasure = "interactive sign-in prompts + CLI logins + Kiro logins per user-week (silent IdP re-authentication is not counted)"

// FrictionScore is the friction a sweep compares candidates on: the prompts people see per
// user-week. Silent sign-ins through a live IdP session (UIS-7) ask for nothing and do not count.
func FrictionScore(f *Friction) float64 { return f.SignInPrompts + f.CLILogins + f.KiroLogins }

// Name names the candidate by its settings.
func (c *CandidateSummary) Name() string {
	if len(c.Candidate) == 0 {
		return "the scenario's settings"
	}
	return c.Candidate.String()
}

// SummarizeSweep summarizes the results of every candidate of the scenario's sweep, in the
// order of sc.Sweep.List(); each result's Scenario must be set (as sim.RunSweep and sim.Merge do).
func SummarizeSweep(sc *sim.Scenario, results []*sim.Results) (*SweepSummary, error) {
	if sc.Sweep == nil {
		return nil, fmt.Errorf("the scenario has no sweep")
	}
	cands := sc.Sweep.List()
	if len(results) != len(cands) {
		return nil, fmt.Errorf("%d results for %d candidates", len(results), len(cands))
	}
	ss := &SweepSummary{Scenario: sc, Channel: sc.Sweep.Channel, Statistic: sc.Sweep.Statistic}
	if ss.Statistic == "" {
		ss.Statistic = "p95"
	}
	for _, c := range cands {
		for _, s := range c {
			if !slices.Contains(ss.Settings, s.Name) {
				ss.Settings = append(ss.Settings, s.Name)
			}
		}
	}
	for i, res := range results {
		if res == nil || res.Scenario == nil {
			return nil, fmt.Errorf("candidate %d (%s) has no results", i, cands[i])
		}
		s := Summarize(res)
		cs := CandidateSummary{Index: i, Candidate: cands[i], Summary: s, Pass: s.Pass, Friction: FrictionScore(&s.Friction)}
		var ok bool
		if cs.Objective, ok = s.Channels[ss.Channel].Statistic(ss.Statistic); !ok {
			return nil, fmt.Errorf("unknown statistic %q (want one of %v)", ss.Statistic, sim.Statistics())
		}
		for _, name := range ss.Settings {
			v, ok := sim.Setting{Name: name}.Get(res.Scenario)
			if !ok {
				return nil, fmt.Errorf("unknown setting %q", name)
			}
			cs.Values = append(cs.Values, v)
		}
		ss.Candidates = append(ss.Candidates, cs)
	}
	all := make([]int, len(ss.Candidates))
	var passing []int
	for i := range ss.Candidates {
		all[i] = i
		if ss.Candidates[i].Pass {
			passing = append(passing, i)
		}
	}
	for _, i := range ss.front(all) {
		ss.Candidates[i].Pareto = true
	}
	for _, i := range ss.front(passing) {
		ss.Candidates[i].Recommended = true
		ss.Recommended = append(ss.Recommended, i)
	}
	slices.Sort(ss.Recommended)
	ss.Pass = len(passing) > 0
	return ss, nil
}

// front returns the candidates among idx that no other candidate among idx dominates: none has
// at most their objective and their friction and less of one of them. Equal candidates are both
// on the front.
func (ss *SweepSummary) front(idx []int) []int {
	c := ss.Candidates
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(a, b int) int {
		if c[a].Friction != c[b].Friction {
			if c[a].Friction < c[b].Friction {
				return -1
			}
			return 1
		}
		return int(c[a].Objective - c[b].Objective)
	})
	var out []int
	best := time.Duration(-1) // the least objective of candidates with less friction; -1 for none
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && c[order[j]].Friction == c[order[i]].Friction {
			j++
		}
		least := c[order[i]].Objective // the group is sorted by objective
		if best < 0 || least < best {
			for _, k := range order[i:j] {
				if c[k].Objective == least {
					out = append(out, k)
				}
			}
			best = least
		}
		i = j
	}
	slices.Sort(out)
	return out
}

// Objective names the exposure the sweep compares on, as "p95 of any".
func (ss *SweepSummary) Objective() string { return ss.Statistic + " of " + ss.Channel.String() }

// FailedControls returns the IDs of the controls the candidate fails.
func (c *CandidateSummary) FailedControls() []string {
	var out []string
	for _, v := range c.Summary.Policy {
		if !v.Pass {
			out = append(out, v.Control.ID)
		}
	}
	return out
}

// controlFailure is how one control fared over the candidates.
type controlFailure struct {
	Control sim.Control
	Failed  int
	// Best is the candidate with the least value of the control's statistic, and Value that value.
	Best  int
	Value time.Duration
}

// controlFailures says, for each control that some candidate fails, how many fail it and the
// best value any candidate reached.
func (ss *SweepSummary) controlFailures() []controlFailure {
	var out []controlFailure
	for k, c := range ss.Scenario.Policy {
		f := controlFailure{Control: c, Best: -1}
		for i := range ss.Candidates {
			v := ss.Candidates[i].Summary.Policy[k]
			if !v.Pass {
				f.Failed++
			}
			if f.Best < 0 || v.Value < f.Value {
				f.Best, f.Value = i, v.Value
			}
		}
		if f.Failed > 0 {
			out = append(out, f)
		}
	}
	return out
}

// Recommendation says in sentences which candidates to choose and why, or why none can be.
func (ss *SweepSummary) Recommendation() []string {
	var out []string
	describe := func(i int) string {
		c := &ss.Candidates[i]
		return fmt.Sprintf("candidate %d (%s): %s %s, friction %.3f", i, c.Name(), ss.Objective(), sim.HumanDuration(c.Objective), c.Friction)
	}
	switch {
	case len(ss.Scenario.Policy) == 0:
		out = append(out, "The scenario states no controls, so every candidate on the front is recommended:")
	case ss.Pass:
		out = append(out, fmt.Sprintf("%s every control, and no other candidate that meets them is as good on both exposure and friction and better on one:",
			map[bool]string{true: "This candidate meets", false: "These candidates meet"}[len(ss.Recommended) == 1]))
	default:
		out = append(out, "No candidate meets every control.")
		for _, f := range ss.controlFailures() {
			c := f.Control
			who := fmt.Sprintf("%d of %d candidates", f.Failed, len(ss.Candidates))
			if f.Failed == len(ss.Candidates) {
				who = fmt.Sprintf("every candidate (%d)", f.Failed)
			}
			out = append(out, fmt.Sprintf("%s (%s of %s within %s) fails for %s; the least %s of %s is %s, with candidate %d (%s).",
				c.ID, c.Statistic, c.Channel, sim.HumanDuration(c.Within), who, c.Statistic, c.Channel,
				sim.HumanDuration(f.Value), f.Best, ss.Candidates[f.Best].Name()))
		}
		return out
	}
	for _, i := range ss.Recommended {
		out = append(out, "  "+describe(i))
	}
	return out
}

// Warnings returns the scenario's warnings, then those of the candidates' runs, each once.
func (ss *SweepSummary) Warnings() []string {
	seen := map[string]bool{}
	out := []string{}
	add := func(ws []string) {
		for _, w := range ws {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	add(ss.Scenario.Warnings)
	for i := range ss.Candidates {
		add(ss.Candidates[i].Summary.Results.Warnings)
	}
	return out
}

// events is the number of events over every candidate.
func (ss *SweepSummary) events() int64 {
	var n int64
	for i := range ss.Candidates {
		n += ss.Candidates[i].Summary.Results.Events
	}
	return n
}
