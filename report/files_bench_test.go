package report

import (
	"context"
	"testing"

	"idcsim/scenarios"
	"idcsim/sim"
)

// defaultSummary is the summary of the built-in default scenario, what `idcsim run
// example:default` writes.
func defaultSummary(b *testing.B) *Summary {
	b.Helper()
	for _, e := range scenarios.Examples() {
		if e.Name != "default" {
			continue
		}
		sc, err := scenarios.Parse("default.yaml", e.Source)
		if err != nil {
			b.Fatal(err)
		}
		res, err := sim.Run(context.Background(), sc, sim.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return Summarize(res)
	}
	b.Fatal("no example named default")
	return nil
}

// BenchmarkFiles writes the report directory's files of the default scenario: the pages and the
// figures as SVG and PNG.
func BenchmarkFiles(b *testing.B) {
	s := defaultSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Files(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFigures draws the default scenario's figures alone.
func BenchmarkFigures(b *testing.B) {
	s := defaultSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Figures(s); err != nil {
			b.Fatal(err)
		}
	}
}
