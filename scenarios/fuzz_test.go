package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"idcsim/sim"
)

// roundTrip checks that Marshal writes a scenario that parses back to an equal one.
func roundTrip(t *testing.T, sc *sim.Scenario) {
	t.Helper()
	out, err := Marshal(sc)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := Parse("marshalled.yaml", out)
	if err != nil {
		t.Fatalf("parsing the marshalled scenario: %v\n%s", err, out)
	}
	a, b := *sc, *back
	a.SHA256, b.SHA256 = "", ""
	a.Warnings, b.Warnings = nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip changed the scenario\nbefore: %+v\nafter:  %+v\nyaml:\n%s", a, b, out)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, e := range Examples() {
		t.Run(e.Name, func(t *testing.T) {
			sc, err := Parse(e.Name, e.Source)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, sc)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, e := range Examples() {
		f.Add(e.Source)
	}
	bad, _ := filepath.Glob(filepath.Join("..", "testdata", "bad", "*.yaml"))
	for _, path := range bad {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("Parse returned %T, not ErrorList", err)
			}
			return
		}
		roundTrip(t, sc)
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"15m", "8h", "90d", "1w", "12h30m", "1d9h5m", "30s", "PT8H", "P90D",
		"P1DT2H", "PT30M", "1.5h", "0s", "1mo", "P1M", "-5m", "30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		text := FormatDuration(d)
		back, err := ParseDuration(text)
		if err != nil {
			t.Fatalf("ParseDuration(FormatDuration(%v) = %q): %v", d, text, err)
		}
		if back != d {
			t.Fatalf("ParseDuration(%q) = %v, then FormatDuration %q gives back %v", s, d, text, back)
		}
	})
}
