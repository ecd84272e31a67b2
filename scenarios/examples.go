package scenarios

import (
	"embed"
	"path"
	"sort"
	"strings"
)

//go:embed examples/*.yaml
var exampleFiles embed.FS

// Example is a built-in scenario.
type Example struct {
	Name        string
	Description string
	Source      []byte
}

// Examples returns the built-in scenarios, sorted by name; "default" is among them. The examples
// are embedded in the program: failing to read them is a mistake in building it, and panics.
func Examples() []Example {
	entries, err := exampleFiles.ReadDir("examples")
	if err != nil {
		panic(err)
	}
	var out []Example
	for _, e := range entries {
		data, err := exampleFiles.ReadFile(path.Join("examples", e.Name()))
		if err != nil {
			panic(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		out = append(out, Example{
			Name:        strings.TrimSuffix(e.Name(), ".yaml"),
			Description: strings.TrimSpace(strings.TrimPrefix(first, "#")),
			Source:      data,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
