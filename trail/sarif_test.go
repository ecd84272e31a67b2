package trail

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The SARIF log of the story: valid SARIF 2.1.0 (the published schema, in report's testdata),
// with a result for each of carol's channels beyond its bound (she signs in 40m after her
// delete, where the rules allow 0: portal and sign_in) and none for bob, within his bounds.
func TestSARIF(t *testing.T) {
	t.Parallel()
	r := story(t, 20)
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	sch, err := jsonschema.NewCompiler().Compile("../report/testdata/schemas/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v", err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Message struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, res := range doc.Runs[0].Results {
		got = append(got, res.RuleID)
		if !strings.HasPrefix(res.Message.Text, "carol, offboarded at 2026-03-05T14:00:00Z") {
			t.Errorf("%s: %s", res.RuleID, res.Message.Text)
		}
	}
	if strings.Join(got, " ") != "beyond-portal beyond-sign_in" {
		t.Errorf("results %q, want carol's portal and sign_in", got)
	}
}
