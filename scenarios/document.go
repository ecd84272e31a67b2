package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// document decodes the one YAML document of a file that holds a what ("scenario", "table") and
// returns its root node, with anchors, aliases, merge keys and unusual tags reported (checkTree).
// When there is no root to read (the text is not readable as YAML, or the file holds nothing),
// it returns nil and the problems found.
func (b *builder) document(data []byte, what string) (root *yaml.Node, errs ErrorList) {
	defer func() {
		if r := recover(); r != nil {
			// The YAML library panics on some malformed input; report it as a syntax error.
			root, errs = nil, ErrorList{{File: b.file, Line: 1, Col: 1, Msg: fmt.Sprintf("cannot read the file as YAML: %v", r)}}
		}
	}()
	if errs := textErrors(b.file, data); len(errs) > 0 {
		return nil, errs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{File: b.file, Line: 1, Col: 1, Msg: "the file holds no " + what + "; it is empty"}}
		}
		return nil, ErrorList{b.syntaxError(err, data)}
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		n := &second
		if len(n.Content) > 0 {
			n = n.Content[0]
		}
		b.errorf(n, "a second YAML document (after ---) is not allowed; a file holds one %s", what)
	case !errors.Is(err, io.EOF):
		b.errs.add(b.syntaxError(err, data))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		b.errorf(&doc, "the file holds no %s", what)
		return nil, b.errs.result(b.file, "errors")
	}
	b.checkTree(doc.Content[0])
	return doc.Content[0], nil
}
