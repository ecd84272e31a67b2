package trail

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
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
	passed              bool
	line                int
	offset              int64
}

// trickle is a reader that gives at most n bytes a read.
type trickle struct {
	r io.Reader
	n int
}

func (t trickle) Read(p []byte) (int, error) { return t.r.Read(p[:min(len(p), t.n)]) }

// scanners are scanAll's, one for each bound, reset for each call: a fuzzed input then costs no
// buffer of its own.
var scanners = struct {
	sync.Mutex
	m map[int]*scanner
}{m: map[int]*scanner{}}

// scanAll scans b as records are read, values between separators, with or without the block
// scanner, judging the records or not, reading at most chunk bytes at a time and keeping values
// of at most max bytes.
func scanAll(b []byte, blocks, judge bool, chunk, max int) []scanStep {
	scanners.Lock()
	defer scanners.Unlock()
	s := scanners.m[max]
	if s == nil {
		s = newScanner(nil, max)
		scanners.m[max] = s
	}
	s.reset(trickle{bytes.NewReader(b), chunk})
	s.noBlocks, s.judge = !blocks, judge
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
		st := scanStep{v: string(v), size: size, newline: nl, badOffs: s.badOffs, escapedKey: s.escapedKey,
			passed: s.passed, line: s.line, offset: s.offset()}
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

// checkBlocks fails when the block scanner changes what value gives for b, and, judging the
// records, when it passes over a record that value does not find as it does or that relevant
// would decode.
func checkBlocks(t *testing.T, b []byte, chunk, max int) {
	t.Helper()
	want := scanAll(b, false, false, chunk, max)
	if got := scanAll(b, true, false, chunk, max); !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%q, reads of %d: value %d is %+v with the block scanner, %+v without", b, chunk, i, got[i], want[i])
			}
		}
		t.Fatalf("%q, reads of %d: %d values with the block scanner, %d without", b, chunk, len(got), len(want))
	}
	judged := scanAll(b, true, true, chunk, max)
	if len(judged) != len(want) {
		t.Fatalf("%q, reads of %d: %d values judging the records, %d without the block scanner", b, chunk, len(judged), len(want))
	}
	for i, g := range judged {
		w := want[i]
		if !g.passed {
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%q, reads of %d: value %d is %+v judging the records, %+v without the block scanner", b, chunk, i, g, w)
			}
			continue
		}
		// passed over: the same extent, the members read before a prefix of value's, and
		// not relevant by them when value could tell them all (what follows is not checked:
		// value may find it not as JSON has it)
		prefix := w.offs[:min(len(w.offs), len(g.offs))]
		g.passed, g.offs, w.offs, g.badOffs = false, nil, nil, w.badOffs
		if !reflect.DeepEqual(g, w) || !reflect.DeepEqual(judged[i].offs, prefix) {
			t.Fatalf("%q, reads of %d: value %d is %+v passed over, %+v without the block scanner", b, chunk, i, judged[i], want[i])
		}
		if v := []byte(w.v); !w.badOffs && relevant(v, membersOrNil(v, want[i].offs)) {
			t.Fatalf("%q, reads of %d: value %d was passed over, relevant decodes it", b, chunk, i)
		}
	}
}

// membersOrNil returns the members of v at offs, or nil when one is without a value, as
// scanner.members does.
func membersOrNil(v []byte, offs []memberOffsets) []member {
	ms := membersAt([]member{}, v, offs)
	for _, m := range ms {
		if len(m.val) == 0 {
			return nil
		}
	}
	return ms
}

// checkLine fails when the members the block scanner finds in the line b, as the decoding of a
// file of lines takes them, are not those members finds.
func checkLine(t *testing.T, b []byte) {
	t.Helper()
	v := make([]byte, len(b), len(b)+64) // as in a batch: room for whole blocks
	copy(v, b)
	offs, end, _, ok := blockObject(v, v[:cap(v)], nil, false)
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
		// judged: passed over, after the first eventSource and userIdentity
		`{"userIdentity":{"arn":"x"},"eventSource":"ec2.amazonaws.com","a":{"b":["}",{}]},"c":1}`,
		`{"eventSource":"ec2.amazonaws.com","userIdentity":{},"eventSource":"sso.amazonaws.com"}`,
		`{"eventSource":"ec2.amazonaws.com","userIdentity":{},"a" 1}`,
		`{"eventSource":"ec2.amazonaws.com","userIdentity":null,"a":[{"b":"]"}]}`,
		`{"eventSource":1,"userIdentity":"AWSReservedSSO","a":[]}`,
		// judged, then read whole
		`{"userIdentity":{"arn":"assumed-role/AWSReservedSSO_x/y"},"eventSource":"ec2.amazonaws.com","a":1}`,
		`{"userIdentity":{"onBehalfOf":{}},"eventSource":"q.amazonaws.com","a":1}`,
		`{"userIdentity":{},"eventSource":"sso.amazonaws.com","a":1}`,
		`{"userIdentity":{},"eventSource":"sts.amazonaws.com","a":"AWSReservedSSO_"}`,
		`{"eventSource":"ec2.amazonaws.com","userIdentity":{}}`,
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
	// judging the records, every record of the log that the block scanner finds and that is
	// not worth decoding is passed over, but those of the sources relevant reads whole
	recs := log[len(`{"Records":[`):] // records between separators
	checkBlocks(t, recs, 1<<20, DefaultMaxRecord)
	s := newScanner(bytes.NewReader(recs), DefaultMaxRecord)
	s.judge = true
	passed, pass, found := 0, 0, 0
	for {
		if c, ok := s.skipSpace(); !ok || c == ']' {
			break
		} else if c == ',' {
			s.pos++
		}
		v, _, _, err := s.value()
		if err != nil {
			t.Fatal(err)
		}
		if !s.blocked {
			continue // a record across the end of a read
		}
		found++
		if s.passed {
			passed++
		}
		switch string(eventSource(v)) {
		case srcSTS, srcOrganizations, srcIAM:
		default:
			if !relevant(v, nil) {
				pass++
			}
		}
	}
	if passed != pass || pass < found/2 {
		t.Errorf("the generated log: %d of %d records passed over, %d to pass over", passed, found, pass)
	}
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
	// judged and passed over, and judged and read whole
	f.Add([]byte(`{"userIdentity":{"arn":"x"},"eventSource":"ec2.amazonaws.com","a":{"b":["}",{}]},"c" 1}`), uint8(5))
	f.Add([]byte(`{"eventSource":"kms.amazonaws.com","userIdentity":{"onBehalfOf":{}},"a":[]}`), uint8(63))
	f.Fuzz(func(t *testing.T, b []byte, chunk uint8) {
		checkBlocks(t, b, int(chunk)+1, 1<<20)
		checkBlocks(t, b, 1<<20, 64)
		checkLine(t, b)
	})
}
