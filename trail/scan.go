package trail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// readChunk is how much the scanner asks of its input at a time.
const readChunk = 256 << 10

// scanner finds the extent of JSON values in a stream without decoding them: it keeps the bytes
// of a value no longer than max, and passes over longer ones keeping nothing, so that memory
// stays bounded whatever the input holds. It counts lines to place what it reads.
type scanner struct {
	r   io.Reader
	buf []byte
	// buf[pos:end] is read and not yet scanned; start is where the value being kept begins,
	// or -1 when nothing is kept.
	start, pos, end int
	// base is the stream offset of buf[0].
	base int64
	line int
	max  int
	err  error // the error that ended the input: io.EOF at its end
	// offs are the members of the top-level object of the last value, as offsets from its
	// start; badOffs says its structure did not allow them to be found.
	offs    []memberOffsets
	badOffs bool
	// escapedKey says a key of offs holds a backslash
	escapedKey bool
	last       []byte   // the last value returned
	ms         []member // what members returned last, reused
	// noBlocks makes value scan without the block scanner (tests compare the two); blocked says
	// the block scanner found the last value
	noBlocks, blocked bool
	// judge makes the block scanner judge the records it finds (blockObject); passed says it
	// passed over the last value, a record not worth decoding, offs then holding the members
	// before its eventSource and userIdentity and those two
	judge, passed bool
}

// memberOffsets are where a member's key and value are in its object.
type memberOffsets struct{ ks, ke, vs, ve int }

// members returns the members of the top-level object of the last value that value returned
// whole, or nil when it is not an object whose keys could be told.
func (s *scanner) members() []member {
	if s.last == nil || s.badOffs || s.passed || len(s.last) == 0 || s.last[0] != '{' {
		return nil
	}
	for _, o := range s.offs {
		if len(trimWS(s.last[o.vs:o.ve])) == 0 {
			return nil // a key without a value: let the record be checked
		}
	}
	s.ms = membersAt(s.ms[:0], s.last, s.offs)
	if s.ms == nil {
		s.ms = []member{} // an empty object: found, none
	}
	return s.ms
}

// sourceAndIdentity returns what relevant reads of the members that members would return: the
// value of eventSource without its quotes, when a string, and that of userIdentity; found is
// false when members would return nil. s may be nil. It builds no members: it is called for
// every record.
func (s *scanner) sourceAndIdentity() (src, id []byte, found bool) {
	if s == nil || s.last == nil || s.badOffs || len(s.last) == 0 || s.last[0] != '{' {
		return nil, nil, false
	}
	v := s.last
	var seen [2]bool
	for _, o := range s.offs {
		if s.blocked && o.ke-o.ks != len(`"eventSource"`) && o.ke-o.ks != len(`"userIdentity"`) {
			continue // a value of the block scanner is never empty, and keys have no escape
		}
		val := trimWS(v[o.vs:o.ve])
		if len(val) == 0 {
			return nil, nil, false // as members
		}
		key := v[o.ks+1 : o.ke-1]
		if s.escapedKey {
			key = member{key: v[o.ks:o.ke]}.name()
		}
		sourceOrIdentity(key, val, &src, &id, &seen)
	}
	return src, id, true
}

// offsets returns the offsets of the members that members returned last; s may be nil.
func (s *scanner) offsets() []memberOffsets {
	if s == nil {
		return nil
	}
	return s.offs
}

// membersAt appends to dst the members of the object v at offsets.
func membersAt(dst []member, v []byte, offs []memberOffsets) []member {
	for _, o := range offs {
		dst = append(dst, member{v[o.ks:o.ke], trimWS(v[o.vs:o.ve])})
	}
	return dst
}

// trimWS trims JSON's white space.
func trimWS(b []byte) []byte {
	if len(b) > 0 && b[0] > ' ' && b[len(b)-1] > ' ' {
		return b // the common value, told at once
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func newScanner(r io.Reader, max int) *scanner {
	return &scanner{r: r, buf: make([]byte, max+2*readChunk), start: -1, line: 1, max: max}
}

// reset makes s a scanner of r, as newScanner would, keeping its buffers: reading many small
// files then costs no allocation per file.
func (s *scanner) reset(r io.Reader) {
	*s = scanner{r: r, buf: s.buf, start: -1, line: 1, max: s.max, offs: s.offs[:0], ms: s.ms[:0]}
}

// errOversize and the others are what value returns for a value it could not give whole.
var (
	// errTruncatedLine: a line of a file of one record per line ends inside the record.
	errTruncatedLine = errors.New("the line ends inside a JSON value")
	// errTruncated: the input ends inside a value.
	errTruncated = errors.New("the input ends inside a JSON value")
)

// fill reads more input, keeping buf[start:] (or buf[pos:] when nothing is kept). It returns
// false when no more can be had: s.err then says why.
func (s *scanner) fill() bool {
	if s.err != nil {
		return false
	}
	keep := s.pos
	if s.start >= 0 {
		keep = s.start
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.base += int64(keep)
		s.pos -= keep
		if s.start >= 0 {
			s.start -= keep
		}
		s.end = n
	}
	for {
		if s.end == len(s.buf) {
			// only a value over max fills the buffer, and it is not kept (value)
			panic("trail: scanner buffer full")
		}
		// a chunk at a time, which the scanning finds in the cache
		n, err := s.r.Read(s.buf[s.end:min(len(s.buf), s.end+readChunk)])
		s.end += n
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// offset is the stream offset of buf[pos].
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// skipSpace passes over white space and returns the next byte, without consuming it; ok is
// false at the end of the input or on a read error.
func (s *scanner) skipSpace() (c byte, ok bool) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case '\n':
				s.line++
				fallthrough
			case ' ', '\t', '\r':
				s.pos++
			default:
				return c, true
			}
		}
		if !s.fill() {
			return 0, false
		}
	}
}

// skipLine passes over the rest of the current line, its newline included.
func (s *scanner) skipLine() {
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); i >= 0 {
			s.pos += i + 1
			s.line++
			return
		}
		s.pos = s.end
		if !s.fill() {
			return
		}
	}
}

// peek returns up to n unread bytes, reading more input when fewer are at hand.
func (s *scanner) peek(n int) []byte {
	for s.end-s.pos < n && s.fill() {
	}
	return s.buf[s.pos:min(s.end, s.pos+n)]
}

// value scans the JSON value that begins at the next byte (an object or an array; anything
// else is scanned to the next delimiter). It returns the value's bytes when they are at most
// max, valid until the next call, and its size in bytes in any case. newline says whether the
// value spans more than one line.
// At the end of the input inside the value, the error is errTruncated, or the read error.
//
// It is the reader's inner loop: the bytes are scanned in a local slice, strings passed over
// eight bytes at a time (stringEnd), the top-level members tracked at depth 1, and the objects
// and arrays inside them passed over by the word scanner.
func (s *scanner) value() (v []byte, size int64, newline bool, err error) {
	s.start = s.pos
	from := s.offset()
	s.offs, s.badOffs, s.escapedKey, s.last, s.blocked, s.passed = s.offs[:0], false, false, nil, false, false
	if !s.noBlocks && s.buf[s.pos] == '{' {
		// the common record, in blocks of 64 bytes
		offs, n, passed, ok := blockObject(s.buf[s.pos:s.end], s.buf[s.pos:], s.offs, s.judge)
		if ok && n <= s.max {
			s.offs = offs
			v = s.buf[s.pos : s.pos+n]
			s.pos += n
			s.start, s.last, s.blocked, s.passed = -1, v, true, passed
			return v, int64(n), false, nil
		}
		s.offs = s.offs[:0]
	}
	// the members of the top-level object, told by what comes at depth 1: a key (st wantKey),
	// a colon (inKey, then wantColon), a value (wantValue, then inValue), a comma or the end;
	// anything else there makes badOffs
	st := wantKey
	var ks, ke, vs int
	depth := 0
	// escaped says the last read ended inside a string on a backslash
	inString, escaped := false, false
	// skipping says a value at depth 2 is being passed over by the word scanner ws
	skipping := false
	var ws wordScanner
	scalar := s.buf[s.pos] != '{' && s.buf[s.pos] != '['
	if c := s.buf[s.pos]; scalar && (c == ',' || c == ':' || c == ']' || c == '}') {
		s.start = -1
		return nil, 0, false, fmt.Errorf("found %q where a value was expected", c)
	}
	// buf[pos] is the byte scanned next; rel+pos its offset from the value's start
	buf, pos := s.buf[:s.end], s.pos
	rel := int(s.base - from)
	for {
		if pos == len(buf) {
			s.pos = pos
			s.checkSize(from)
			if !s.fill() {
				pos = s.pos // fill may have moved what is kept
				if s.err == io.EOF && scalar && !inString {
					break // a scalar ends at the end of the input
				}
				s.start = -1
				if s.err == io.EOF {
					return nil, s.offset() - from, newline, errTruncated
				}
				return nil, s.offset() - from, newline, s.err
			}
			buf, pos, rel = s.buf[:s.end], s.pos, int(s.base-from)
			continue
		}
		if skipping {
			k := ws.scan(buf[pos:])
			s.line += ws.newlines
			newline = newline || ws.newlines > 0
			ws.newlines = 0
			if k < 0 {
				pos = len(buf)
				continue
			}
			pos += k
			skipping, depth = false, 1
			continue
		}
		if inString {
			if escaped {
				pos++ // the byte after a backslash
				escaped = false
				continue
			}
			pos = stringEnd(buf, pos)
			if pos == len(buf) {
				continue
			}
			c := buf[pos]
			pos++
			if c == '\\' {
				escaped = true
				if depth == 1 && st == inKey {
					s.escapedKey = true
				}
				continue
			}
			inString = false
			if depth == 1 && st == inKey {
				st, ke = wantColon, rel+pos
			}
			continue
		}
		c := buf[pos]
		pos++
		switch c {
		case '"':
			if depth == 1 {
				switch st {
				case wantKey:
					st, ks = inKey, rel+pos-1
				case wantValue:
					st = inValue
				default:
					s.badOffs = true
				}
			}
			// most strings end in what is read without an escape: pass over them here
			if i := stringEnd(buf, pos); i < len(buf) && buf[i] == '"' {
				pos = i + 1
				if depth == 1 && st == inKey {
					st, ke = wantColon, rel+pos
				}
				continue
			}
			inString = true
			continue
		case '{', '[':
			depth++
			if depth == 2 {
				if st != wantValue {
					s.badOffs = true
				}
				st = inValue
				// what is inside is not looked at: the word scanner passes over it
				ws, skipping = wordScanner{depth: 1}, true
			}
			continue
		case '}', ']':
			if scalar && depth == 0 {
				pos--
				break
			}
			depth--
			if depth == 0 {
				switch {
				case c != '}':
					s.badOffs = true
				case st == inValue:
					s.offs = append(s.offs, memberOffsets{ks, ke, vs, rel + pos - 1})
				case st != wantKey || len(s.offs) > 0:
					s.badOffs = true // a key without a value, or a comma before the }
				}
			}
			if depth > 0 {
				continue
			}
		case '\n':
			newline = true
			if scalar {
				pos--
				break
			}
			s.line++
			continue
		case ',', ':':
			if scalar && depth == 0 {
				pos--
				break
			}
			if depth == 1 {
				switch {
				case c == ':' && st == wantColon:
					st, vs = wantValue, rel+pos
				case c == ',' && st == inValue:
					s.offs = append(s.offs, memberOffsets{ks, ke, vs, rel + pos - 1})
					st = wantKey
				default:
					s.badOffs = true
				}
			}
			continue
		case ' ', '\t', '\r':
			if scalar && depth == 0 {
				pos--
				break
			}
			continue
		default:
			// a literal or a number
			if depth == 1 {
				switch {
				case st == wantValue:
					st = inValue
				case st == inValue && pos >= 2 && literal[buf[pos-2]]:
					// the literal goes on
				default:
					s.badOffs = true
				}
			}
			continue
		}
		break // the end of the value
	}
	s.pos = pos
	s.checkSize(from)
	size = s.offset() - from
	if s.start < 0 {
		return nil, size, newline, nil
	}
	v = s.buf[s.start:s.pos]
	s.start = -1
	s.last = v
	return v, size, newline, nil
}

// stringEnd returns the offset of the first quote or backslash in b from i on, or len(b): it
// compares eight bytes at a time, as most strings of a record are longer.
func stringEnd(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, bs := x^('"'*ones), x^('\\'*ones)
		// a byte of q or bs is 0 where x has a quote or a backslash; the lowest byte found
		// this way is exact (a borrow only makes bytes above a zero byte look like zeros)
		if m := ((q-ones)&^q | (bs-ones)&^bs) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b) && b[i] != '"' && b[i] != '\\'; i++ {
	}
	return i
}

// checkSize stops keeping a value that has grown past max.
func (s *scanner) checkSize(from int64) {
	if s.start >= 0 && s.offset()-from > int64(s.max) {
		s.start = -1
	}
}

// expect consumes the byte c after white space, or returns an error saying what was found.
func (s *scanner) expect(c byte, what string) error {
	got, ok := s.skipSpace()
	if !ok {
		if s.err != nil && s.err != io.EOF {
			return s.err
		}
		return fmt.Errorf("the input ends where %s was expected", what)
	}
	if got != c {
		return fmt.Errorf("found %q where %s was expected", got, what)
	}
	s.pos++
	return nil
}

// nextLine returns the current line, without its line break, when it is at most max bytes, and
// its size in any case; the scanner is then at the next line. Only the line break is looked
// for: what the line holds is not scanned.
func (s *scanner) nextLine() (v []byte, size int64, err error) {
	s.start = s.pos
	from := s.offset()
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); i >= 0 {
			end := s.pos + i
			s.pos = end + 1
			s.line++
			size = s.base + int64(end) - from
			if s.start < 0 || size > int64(s.max) {
				s.start = -1
				return nil, size, nil
			}
			v = s.buf[s.start:end]
			s.start = -1
			return v, size, nil
		}
		s.pos = s.end
		s.checkSize(from)
		if !s.fill() {
			size = s.offset() - from
			if s.err != io.EOF {
				s.start = -1
				return nil, size, s.err
			}
			if s.start < 0 {
				return nil, size, nil
			}
			v = s.buf[s.start:s.pos]
			s.start = -1
			return v, size, nil // the last line, without a line break
		}
	}
}

// literal are the bytes that go on a literal or a number: a byte after one of them is of the
// same literal.
var literal = func() (t [256]bool) {
	for _, c := range []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") {
		t[c] = true
	}
	return t
}()
