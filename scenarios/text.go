package scenarios

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// textErrors finds what YAML refuses in a file's characters before it is parsed, each at its
// line and column (the YAML library reports them without a place): invalid UTF-8, and characters
// outside YAML 1.2's printable set (c-printable: tab, line feed, carriage return, U+0020..U+007E,
// U+0085, U+00A0..U+D7FF, U+E000..U+FFFD and the planes above, with a byte order mark allowed).
// Columns count characters from 1, as the YAML library's do.
func textErrors(file string, data []byte) ErrorList {
	var errs problems
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		var msg string
		switch {
		case r == utf8.RuneError && size == 1:
			msg = fmt.Sprintf("invalid UTF-8 (byte 0x%02x): a scenario is UTF-8 text", data[i])
		case !printable(r):
			msg = fmt.Sprintf("character %U is not allowed in YAML", r)
		}
		if msg != "" {
			errs.add(&Error{File: file, Line: line, Col: col, Msg: "YAML syntax: " + msg})
		}
		i += size
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return errs.result(file, "errors")
}

// printable says whether YAML 1.2 allows r in a stream (its c-printable set, and the byte order mark).
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7e:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd:
		return true // U+FEFF, the byte order mark, lies in this range
	case r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

var unknownAnchor = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)

// aliasPlace finds where the alias that a YAML error names is used, for errors the library gives
// without a place; ok is false when the message names none or the alias cannot be found.
func aliasPlace(msg string, data []byte) (line, col int, ok bool) {
	m := unknownAnchor.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0, false
	}
	i := bytes.Index(data, []byte("*"+m[1]))
	if i < 0 {
		return 0, 0, false
	}
	before := data[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col, true
}
