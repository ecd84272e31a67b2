package scenarios

import "testing"

func TestExamplesParse(t *testing.T) {
	t.Parallel()
	exs := Examples()
	names := map[string]bool{}
	for _, e := range exs {
		names[e.Name] = true
		if e.Description == "" {
			t.Errorf("example %s has no description", e.Name)
		}
		sc, err := Parse("example:"+e.Name, e.Source)
		if err != nil {
			t.Errorf("example %s:\n%v", e.Name, err)
			continue
		}
		if len(sc.Warnings) > 0 {
			t.Errorf("example %s has warnings: %q", e.Name, sc.Warnings)
		}
	}
	for _, want := range []string{"default", "quickstart", "spec-example"} {
		if !names[want] {
			t.Errorf("no example %q", want)
		}
	}
	for i := 1; i < len(exs); i++ {
		if exs[i-1].Name >= exs[i].Name {
			t.Errorf("examples not sorted: %s before %s", exs[i-1].Name, exs[i].Name)
		}
	}
}
