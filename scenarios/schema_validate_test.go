package scenarios

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// compiledSchema compiles the scenario format's JSON Schema with a validator of the standard.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("idcsim.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("idcsim.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// asJSON turns a YAML scenario into the JSON value a validator reads, as an editor's YAML
// language server does.
func asJSON(t *testing.T, src []byte) (any, []byte) {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst, b
}

// Every built-in example is valid under the schema, and the schema refuses what idcsim refuses
// where JSON Schema can say so: durations out of order, below a second or of 0 where they must
// be positive, sessions over 90 days, unknown keys and values.
func TestSchemaValidates(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	for _, e := range Examples() {
		inst, _ := asJSON(t, e.Source)
		if err := sch.Validate(inst); err != nil {
			t.Errorf("example %s is invalid under the schema: %v", e.Name, err)
		}
	}
	const base = "users: [{name: a, devices: [{name: l}, {name: t, kind: cli, browser: l}]}]\n"
	for _, c := range []struct {
		yaml  string
		valid bool
	}{
		{"horizon: 1d9h5m", true},
		{"horizon: PT8H", true},
		{"horizon: P1DT2H", true},
		{"horizon: 1.5h", true},
		{"settings: {portal_session: 90d}", true},
		{"settings: {portal_session: 2160h}", true},
		{"settings: {portal_session: P90D}", true},
		{"events: [{at: 0s, action: sign_in, user: a, device: l}]", true},
		{"permission_sets: [{name: 1234, session_duration: 12h}]", true},
		{"horizon: 1h2d", false},
		{"horizon: 10ms", false},
		{"horizon: 0s", false},
		{"horizon: PT0S", false},
		{"horizon: 3mo", false},
		{"horizon: 30", false},
		{"horizon: P", false},
		{"horizon: PT", false},
		{"settings: {portal_session: 91d}", false},
		{"settings: {portal_session: 13w}", false},
		{"settings: {portal_session: 2161h}", false},
		{"settings: {portal_session: P91D}", false},
		{"settings: {background_sessions: {enabled: true, duration: 100d}}", false},
		{"timing: {app_session_check: 0s}", false},
		{"timing: {app_session_chek: 30m}", false},
		{"identity_source: {kind: okta}", false},
		{"switches: {disable_ends_portal_sessions: yes please}", false},
		{"start: 2026-13-01T00:00:00Z", false},
	} {
		inst, _ := asJSON(t, []byte(base+c.yaml+"\n"))
		err := sch.Validate(inst)
		if (err == nil) != c.valid {
			t.Errorf("%s: valid %v under the schema, want %v (%v)", c.yaml, err == nil, c.valid, err)
		}
		// idcsim agrees
		_, perr := Parse("s.yaml", []byte(base+c.yaml+"\n"))
		if (perr == nil) != c.valid {
			t.Errorf("%s: idcsim says %v, the schema %v", c.yaml, perr, err == nil)
		}
	}
}

// ajv, the JSON Schema validator of most editors and of many CI tools, compiles the schema in
// strict mode (strict types and tuples: no union types, no unknown keywords or formats) and
// validates every example. It runs where Node.js and ajv are installed: the directory holding
// node_modules with ajv and ajv-formats in IDCSIM_AJV_DIR (.ci/run installs them); with
// IDCSIM_REQUIRE_AJV=1 their absence fails the test.
func TestSchemaAjvStrict(t *testing.T) {
	dir := os.Getenv("IDCSIM_AJV_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		if os.Getenv("IDCSIM_REQUIRE_AJV") == "1" {
			t.Fatal("IDCSIM_REQUIRE_AJV=1 but no node, or no IDCSIM_AJV_DIR with ajv and ajv-formats")
		}
		t.Skip("no node or IDCSIM_AJV_DIR: npm install ajv@8 ajv-formats@3 in a directory and name it in IDCSIM_AJV_DIR")
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "schema.json"), Schema(), 0o644); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range Examples() {
		_, b := asJSON(t, e.Source)
		if err := os.WriteFile(filepath.Join(tmp, e.Name+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name+".json")
	}
	script := `
const Ajv = require("ajv"), addFormats = require("ajv-formats"), fs = require("fs"), path = require("path");
const fail = (m) => { console.error(m); process.exitCode = 1; };
const ajv = new Ajv({strict: true, strictTypes: true, strictTuples: true, allErrors: true,
  logger: {log: console.log, warn: (m) => fail("warning: " + m), error: (m) => fail("error: " + m)}});
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(process.argv[1], "schema.json"))));
for (const f of process.argv.slice(2)) {
  if (!validate(JSON.parse(fs.readFileSync(path.join(process.argv[1], f))))) fail(f + ": " + ajv.errorsText(validate.errors));
}
`
	cmd := exec.Command(node, append([]string{"-e", script, tmp}, names...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("ajv (strict): %v\n%s", err, strings.TrimSpace(string(out)))
	}
}
