package report

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// validManifest is a manifest as WriteDir writes it, but for the build.
const validManifest = `{
  "tool": "idcsim",
  "build": {
    "version": "(devel)",
    "revision": ""
  },
  "kind": "run",
  "files": [
    {
      "name": "plots/a.svg",
      "size": 6,
      "sha256": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    },
    {
      "name": "results.json",
      "size": 0,
      "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    }
  ]
}
`

// The manifest reader takes what WriteDir writes and nothing else: strict JSON, known fields once
// each, the tool and a kind of idcsim's, clean names in order, digests in lower-case hex.
func TestParseManifest(t *testing.T) {
	t.Parallel()
	if _, err := parseManifest([]byte(validManifest)); err != nil {
		t.Fatalf("a valid manifest: %v", err)
	}
	sub := func(old, new string) string {
		if !strings.Contains(validManifest, old) {
			t.Fatalf("%q is not in the manifest", old)
		}
		return strings.Replace(validManifest, old, new, 1)
	}
	for _, c := range []struct{ data, want string }{
		{"", "EOF"},
		{"[]", "cannot unmarshal array"},
		{validManifest + "{}", "data after the JSON value"},
		{validManifest + "x", "invalid character 'x'"},
		{sub(`"kind": "run",`, `"kind": "run", "extra": 1,`), `unknown field "extra"`},
		{sub(`"kind": "run",`, `"kind": "run", "kind": "sweep",`), `key "kind" appears twice`},
		{sub(`"kind": "run",`, `"kind": "run", "KIND": "sweep",`), `key "KIND" appears twice`},
		{sub(`"size": 6,`, `"size": 6, "size": 6,`), `key "size" appears twice`},
		{sub(`"tool": "idcsim"`, `"tool": "other"`), `tool is "other"`},
		{sub(`"kind": "run"`, `"kind": "summary"`), `kind is "summary"`},
		{sub(`"size": 6`, `"size": -6`), "size -6"},
		{sub(`"size": 6`, `"size": 6.5`), "cannot unmarshal number 6.5"},
		{sub(`"6e340b9c`, `"6E340B9C`), "not 64 lower-case hexadecimal digits"},
		{sub(`"6e340b9c`, `"6e340b9`), "not 64 lower-case hexadecimal digits"},
		{sub(`"6e340b9c`, `"xx340b9c`), "not 64 lower-case hexadecimal digits"},
		{sub(`"plots/a.svg"`, `"../a.svg"`), "not a clean slash-separated path"},
		{sub(`"plots/a.svg"`, `"/a.svg"`), "not a clean slash-separated path"},
		{sub(`"plots/a.svg"`, `"plots//a.svg"`), "not a clean slash-separated path"},
		{sub(`"plots/a.svg"`, `"plots\\a.svg"`), "not a clean slash-separated path"},
		{sub(`"plots/a.svg"`, `"z.svg"`), "out of order or repeated"},
		{sub(`"plots/a.svg"`, `"results.json"`), "out of order or repeated"},
		{sub(`"plots/a.svg"`, `"results.json/a.svg"`), "out of order or repeated"},
		{sub(`"plots/a.svg"`, `"plots"`), ""}, // a name like a directory's, with no file under it: valid
		{sub(`"results.json"`, `"plots/a.svg/b"`), `"plots/a.svg" is both a file and a directory`},
		{sub(`"plots/a.svg"`, `".idcsim-manifest.json"`), "bears the name of idcsim's bookkeeping"},
	} {
		_, err := parseManifest([]byte(c.data))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s\nrefused: %v", c.data, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s\nerror %v, want %q", c.data, err, c.want)
		}
	}
}

// A manifest is read no further than its bound.
func TestReadBookkeepingBound(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Replace(validManifest, `"(devel)"`, `"`+strings.Repeat("x", maxManifestBytes)+`"`, 1)
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	data, reason, err := readBookkeeping(dir, manifestName)
	if err != nil || data != nil || !strings.Contains(reason, "is larger than 2097152 bytes") {
		t.Errorf("a manifest of %d bytes: %d bytes read, reason %q, error %v", len(big), len(data), reason, err)
	}
}

// FuzzParseManifest feeds the manifest reader: it never panics, and a manifest it accepts is
// one WriteDir could have written: written again it reads back the same.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(validManifest))
	f.Add([]byte(`{"tool":"idcsim","build":{"version":"v1","revision":"x"},"kind":"partial","files":[]}`))
	f.Add([]byte(`{"tool":"idcsim","kind":"sweep","files":[{"name":"a","size":1,"sha256":"` + strings.Repeat("0", 64) + `"}],"kind":"run"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data)
		if err != nil {
			return
		}
		again, err := encodeBookkeeping(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := parseManifest(again)
		if err != nil {
			t.Fatalf("an accepted manifest, written again, is refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("an accepted manifest reads back as %+v, not %+v", m2, m)
		}
		for _, f := range m.Files {
			if checkName(f.Name) != nil || f.Size < 0 || len(f.SHA256) != 64 {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}
