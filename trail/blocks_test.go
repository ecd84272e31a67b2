package trail

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// scanStep is what one call of value gave, and the scanner's state after it.
type scanStep struct {
	v                   string
	size                int64
	newline             bool
	err                 string
	offs                []memberOffsets
	badOffs, escapedKey bool
	line                int
	offset              int64
}

// trickle is a reader that gives at most n bytes a read.
type trickle struct {
	r io.Reader
	n int
}

func (t trickle) Read(p []byte) (int, error) { return t.r.Read(p[:min(len(p), t.n)]) }

// scanAll scans b as records are read, values between separators, with or without the block
// scanner, reading at most chunk bytes at a time and keeping values of at most max bytes.
func scanAll(b []byte, blocks bool, chunk, max int) []scanStep {
	s := newScanner(trickle{bytes.NewReader(b), chunk}, max)
	s.noBlocks = !blocks
	var out []scanStep
	for len(out) < 1000 {
		c, ok := s.skipSpace()
		if !ok {
			break
		}
		if c == ',' || c == '[' || c == ']' {
			s.pos++
			continue
		}
		v, size, nl, err := s.value()
		st := scanStep{v: string(v), size: size, newline: nl, badOffs: s.badOffs, escapedKey: s.escapedKey, line: s.line, offset: s.offset()}
		if v != nil {
			st.offs = append([]memberOffsets{}, s.offs...)
		}
		if err != nil {
			st.err = err.Error()
			out = append(out, st)
			break
		}
		out = append(out, st)
	}
	return out
}

// checkBlocks fails when the block scanner changes what value gives for b.
func checkBlocks(t *testing.T, b []byte, chunk, max int) {
	t.Helper()
	want := scanAll(b, false, chunk, max)
	if got := scanAll(b, true, chunk, max); !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%q, reads of %d: value %d is %+v with the block scanner, %+v without", b, chunk, i, got[i], want[i])
			}
		}
		t.Fatalf("%q, reads of %d: %d values with the block scanner, %d without", b, chunk, len(got), len(want))
	}
}

// checkLine fails when the members the block scanner finds in the line b, as the decoding of a
// file of lines takes them, are not those members finds.
func checkLine(t *testing.T, b []byte) {
	t.Helper()
	v := make([]byte, len(b), len(b)+64) // as in a batch: room for whole blocks
	copy(v, b)
	offs, end, ok := blockObject(v, v[:cap(v)], nil)
	if !ok || len(trimWS(v[end:])) != 0 {
		return // members reads it
	}
	want, err := members(v, nil)
	if err != nil {
		t.Fatalf("%q: the block scanner found %d members, members fails: %v", b, len(offs), err)
	}
	if got := membersAt(nil, v, offs); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: the block scanner found %q, members %q", b, got, want)
	}
}

// The block scanner gives what value's own scanning gives, or leaves it to it: on records as
// written, the reference records, and objects that are not as JSON has them, read whole and a
// few bytes at a time (a record then goes past what is read, and the block scanner gives up).
func TestBlockScanner(t *testing.T) {
	cases := []string{
		`{}`, `{ }`, `{"a":1}`, `{"a" : 1 , "b" : "x" }`, `{"a":{"b":[1,{"c":"}"}]},"d":[]}`,
		`{"a":true,"b":null,"c":-1.5e3,"d":"","e":{}}`,
		// not as JSON has them: value's scanning tells the members it can, or badOffs
		`{"a":1,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{"a":1 2}`, `{"a":"x""y"}`, `{"a":{}1}`, `{"a":tr ue}`,
		`{"a":#x}`, `{:1}`, `{"a"::1}`, `{"a",1}`, `{"a":1]`, `{"a":[}`, `{"a":{"b":1}}}`, `{1:2}`, `{"a":1}x`,
		`{"a":"\"}"}`, "{\"a\":\n1}", "{\"a\":\t1}", `{"k\"ey":1}`, `{"a":"é","b":"\u00e9"}`,
		// cut short
		`{"a":`, `{"a":"xy`, `{"a":{"b":`, `{`,
	}
	var all bytes.Buffer
	for _, c := range cases {
		all.WriteString(c + "\n")
		for _, chunk := range []int{1, 3, 7, 64, 1 << 20} {
			checkBlocks(t, []byte(c), chunk, 1<<20)
		}
		checkLine(t, []byte(c))
	}
	// every case after the others, and records of 100 bytes and more not kept
	checkBlocks(t, all.Bytes(), 1<<20, 1<<20)
	for line := range bytes.Lines(generated(t, 256<<10, true, false)) {
		checkLine(t, bytes.TrimRight(line, "\n"))
	}
	log := generated(t, 256<<10, false, false)
	for _, chunk := range []int{1 << 20, 4093, 100} {
		checkBlocks(t, log, chunk, DefaultMaxRecord)
	}
	checkBlocks(t, log[:100<<10], 1<<20, 100)
	refs, err := filepath.Glob("testdata/reference/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range refs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkBlocks(t, b, 1<<20, DefaultMaxRecord)
		checkBlocks(t, bytes.Join(bytes.Fields(b), []byte(" ")), 1<<20, DefaultMaxRecord) // on one line
	}
	if len(refs) == 0 {
		t.Fatal("no reference records in testdata/reference")
	}
}

// The block scanner gives what value's own scanning gives, on any bytes, read in any chunks, and
// the members that members gives, on any line.
func FuzzBlockScanner(f *testing.F) {
	f.Add([]byte(`{"Records":[`+rec("a")+","+other("b")+`]}`), uint8(0))
	f.Add([]byte(`{"a":{"b":[1,{"c":"}"}]},"d":[]} {"a":1 2}`), uint8(3))
	f.Add([]byte(`{"k\"ey":1,"b":tr ue}`), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, chunk uint8) {
		checkBlocks(t, b, int(chunk)+1, 1<<20)
		checkBlocks(t, b, 1<<20, 64)
		checkLine(t, b)
	})
}
