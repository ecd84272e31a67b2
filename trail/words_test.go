package trail

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// byteScan is what the word scanner must find, told a byte at a time as the scanner's value
// reads JSON: the end of the object or array that b begins with (-1 when it does not end) and
// the line breaks outside strings before it.
func byteScan(b []byte) (end, newlines int) {
	depth, inString, escaped := 0, false, false
	for k, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			escaped, inString = c == '\\', c != '"'
		case c == '"':
			inString = true
		case c == '\n':
			newlines++
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return k + 1, newlines
			}
		}
	}
	return -1, newlines
}

// wordScan runs the word scanner over b given in pieces cut at cuts (offsets, in order), as the
// scanner gives it what it has read so far.
func wordScan(b []byte, cuts []int) (end, newlines int) {
	var st wordScanner
	from := 0
	for _, to := range append(cuts, len(b)) {
		if to < from || to > len(b) {
			continue
		}
		if k := st.scan(b[from:to]); k >= 0 {
			return from + k, st.newlines
		}
		from = to
	}
	return -1, st.newlines
}

func TestWordScanner(t *testing.T) {
	for _, c := range []string{
		`{}`,
		`{"a":"b"}  tail`,
		`[1,2,{"x":[3]}]`,
		// brackets and quotes inside strings, escaped quotes, backslash runs across words
		`{"k":"a}]{[\"x\\","l":"\\\\\\\"}"}`,
		`{"long string that spans words":"{{{{{{{{[[[[[[[[","n":"\"\"\"\"\"\"\"\"\"\""}`,
		// an escape at the last byte of a word: the quote after it is escaped
		`{"abcde\"fgh":"}"}`,
		`{"abcdef\\":"}"}`,
		// line breaks outside strings count, and bytes that look like brackets to the masks
		"{\n\"a\":\n[\n1]\n,\"Yy_\x7f\":Yy_}",
		"{\"a\":\"caf\xc3\xa9 \xe2\x82\xac\"}",
		`{"unended": "`,
		`{"a":[}`,
	} {
		want, wantNL := byteScan([]byte(c))
		for _, cuts := range [][]int{nil, {1}, {7, 8, 9}, {3, 11, 19, 27}} {
			if got, nl := wordScan([]byte(c), cuts); got != want || nl != wantNL {
				t.Errorf("%q cut at %v: end %d, %d line breaks; want %d, %d", c, cuts, got, nl, want, wantNL)
			}
		}
	}
}

// The word scanner agrees with the byte-at-a-time reading on any bytes and any cuts, and with
// encoding/json on where a valid value ends.
func FuzzWordScanner(f *testing.F) {
	f.Add([]byte(rec("a")), uint64(0))
	f.Add([]byte(other("b")), uint64(0x0817))
	f.Add([]byte(`{"k\"ey": "v\\", "n": -1.5e3, "o": {"p": [true, null]}}`), uint64(0x0305070b))
	f.Add([]byte("[\"\\\\\\\"\n{\", {\"a\":\n]}]"), uint64(0x01))
	f.Fuzz(func(t *testing.T, b []byte, seed uint64) {
		if len(b) == 0 || b[0] != '{' && b[0] != '[' {
			return
		}
		var cuts []int
		for at := 0; seed != 0; seed >>= 6 {
			at += int(seed & 63)
			cuts = append(cuts, at)
		}
		want, wantNL := byteScan(b)
		got, nl := wordScan(b, cuts)
		if got != want || nl != wantNL {
			t.Fatalf("%q cut at %v: end %d, %d line breaks; want %d, %d", b, cuts, got, nl, want, wantNL)
		}
		var raw json.RawMessage
		d := json.NewDecoder(bytes.NewReader(b))
		if d.Decode(&raw) == nil && got != int(d.InputOffset()) {
			t.Fatalf("%q: end %d, encoding/json's %d", b, got, d.InputOffset())
		}
	})
}

// skipValue passes over an object or array with the word scanner, and says where one that does
// not end goes wrong.
func TestSkipValueComposite(t *testing.T) {
	v := `{"a":{"b":["}",{"c":"]"}]},"d":1}`
	if end, err := skipValue([]byte(v+`,"e":2`), 0); err != nil || end != len(v) {
		t.Errorf("end %d, %v; want %d", end, err, len(v))
	}
	if _, err := skipValue([]byte(`{"a":["x]`), 0); err == nil || !strings.Contains(err.Error(), "does not end") {
		t.Errorf("an array that does not end: %v", err)
	}
}
