package report

import (
	"bytes"
)

// Files returns the files of the report directory by name: report.html, report.md,
// results.json, exposures.csv and each figure as SVG and PNG. The same summary always gives the
// same bytes. Write them with WriteDir.
func Files(s *Summary) (map[string][]byte, error) {
	figs, err := Figures(s)
	if err != nil {
		return nil, err
	}
	return assemble([]namedWriter{
		{"results.json", func(b *bytes.Buffer) error { return WriteJSON(b, s) }},
		{"report.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, s) }},
		{"exposures.csv", func(b *bytes.Buffer) error { return WriteCSV(b, s) }},
		{"report.html", func(b *bytes.Buffer) error { return WriteHTML(b, s, figs) }},
	}, figs)
}

// namedWriter writes one file of a report directory.
type namedWriter struct {
	name  string
	write func(*bytes.Buffer) error
}

// assemble writes each file and adds each figure as SVG and PNG.
func assemble(writers []namedWriter, figs []Figure) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, w := range writers {
		var b bytes.Buffer
		if err := w.write(&b); err != nil {
			return nil, err
		}
		files[w.name] = b.Bytes()
	}
	for _, f := range figs {
		files[f.Name+".svg"] = f.SVG
		files[f.Name+".png"] = f.PNG
	}
	return files, nil
}
