package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"idcsim/sim"
)

// sarifSchema is the published SARIF 2.1.0 schema (OASIS, sarif-2.1/schema/sarif-schema-2.1.0.json
// of github.com/oasis-tcs/sarif-spec), compiled once.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile("testdata/schemas/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validSARIF checks out against the published schema and returns it decoded.
func validSARIF(t *testing.T, sch *jsonschema.Schema, out []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("the SARIF log is not valid SARIF 2.1.0: %v\n%s", err, out)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// A run's SARIF log: valid against the published schema, a rule per control, one result per
// failed control at the control's place in the scenario, its message the reason and evidence.
func TestSARIF(t *testing.T) {
	t.Parallel()
	sch := sarifSchema(t)
	res := smallResults()
	res.Scenario.Policy[0].Line, res.Scenario.Policy[0].Column = 40, 5
	s := Summarize(res)
	var b bytes.Buffer
	if err := WriteSARIF(&b, s, "org/offboarding.yaml"); err != nil {
		t.Fatal(err)
	}
	doc := validSARIF(t, sch, b.Bytes())
	run := doc["runs"].([]any)[0].(map[string]any)
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	results := run["results"].([]any)
	// smallResults: OFF-1 (max of any within 1h) fails, with a window open at the horizon;
	// APP-30 (p50 of app_existing within 30m) holds: the windows are 20m10s, 29m59s and 0.
	if len(rules) != 2 || len(results) != 1 {
		t.Fatalf("%d rules, %d results; want 2 and 1:\n%s", len(rules), len(results), b.Bytes())
	}
	r := results[0].(map[string]any)
	loc := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	region := loc["region"].(map[string]any)
	msg := r["message"].(map[string]any)["text"].(string)
	if r["ruleId"] != "OFF-1" || r["level"] != "error" || loc["artifactLocation"].(map[string]any)["uri"] != "org/offboarding.yaml" ||
		region["startLine"] != 40.0 || region["startColumn"] != 5.0 {
		t.Errorf("result %v", r)
	}
	for _, want := range []string{"OFF-1: 1 of 3 windows open at the horizon", "role session Admin@prod (ROLE-3)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}

	// the schema does refuse what is not SARIF 2.1.0
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bytes.Replace(b.Bytes(), []byte(`"version": "2.1.0"`), []byte(`"version": "2.0"`), 1)))
	if sch.Validate(bad) == nil {
		t.Error("the schema accepts version 2.0")
	}

	// every control holding: no results, still valid
	res = smallResults()
	res.Scenario.Policy = res.Scenario.Policy[1:]
	b.Reset()
	if err := WriteSARIF(&b, Summarize(res), "example:default"); err != nil {
		t.Fatal(err)
	}
	run = validSARIF(t, sch, b.Bytes())["runs"].([]any)[0].(map[string]any)
	if n := len(run["results"].([]any)); n != 0 {
		t.Errorf("%d results with every control holding", n)
	}
}

// A sweep's SARIF log: a result per control some candidate fails; errors when no candidate
// meets every control, notes when one does.
func TestSweepSARIF(t *testing.T) {
	t.Parallel()
	sch := sarifSchema(t)
	for _, c := range []struct {
		within time.Duration
		level  string
	}{
		{time.Hour, "note"},         // TestSummarizeSweep: the 12h sets fail, the 1h ones pass
		{10 * time.Minute, "error"}, // TestSweepNonePass: every candidate fails
	} {
		sc := sweepScenario()
		sc.Policy = []sim.Control{{ID: "OFF-1", Channel: sim.ChAny, Statistic: "max", Within: c.within, Line: 12, Column: 3}}
		ss, err := SummarizeSweep(sc, sweepResults(t, sc))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteSweepSARIF(&b, ss, "sweep.yaml"); err != nil {
			t.Fatal(err)
		}
		run := validSARIF(t, sch, b.Bytes())["runs"].([]any)[0].(map[string]any)
		results := run["results"].([]any)
		if len(results) != 1 || results[0].(map[string]any)["level"] != c.level {
			t.Errorf("within %v: results %v, want one of level %s", c.within, results, c.level)
		}
	}
}
