package trail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
}

func newScanner(r io.Reader, max int) *scanner {
	return &scanner{r: r, buf: make([]byte, max+2*readChunk), start: -1, line: 1, max: max}
}

// errOversize and the others are what value returns for a value it could not give whole.
var (
	// errTruncatedLine: a line of a file of one value per line ends inside the value.
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
		n, err := s.r.Read(s.buf[s.end:])
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
// max, valid until the next call, and its size in bytes in any case. lineMode says that the
// value must end on the line it begins on: a newline inside it ends it with errTruncatedLine,
// the scanner then at the next line. newline says whether the value spans more than one line.
// At the end of the input inside the value, the error is errTruncated, or the read error.
func (s *scanner) value(lineMode bool) (v []byte, size int64, newline bool, err error) {
	s.start = s.pos
	from := s.offset()
	depth := 0
	// oddBackslashes says the last read ended inside a string with an odd number of backslashes
	inString, oddBackslashes := false, false
	scalar := s.buf[s.pos] != '{' && s.buf[s.pos] != '['
	if c := s.buf[s.pos]; scalar && (c == ',' || c == ':' || c == ']' || c == '}') {
		s.start = -1
		return nil, 0, false, fmt.Errorf("found %q where a value was expected", c)
	}
	done := false
	for !done {
		if s.pos == s.end && !s.fill() {
			if s.err == io.EOF && scalar && !inString {
				break // a scalar ends at the end of the input
			}
			s.start = -1
			if s.err == io.EOF {
				return nil, s.offset() - from, newline, errTruncated
			}
			return nil, s.offset() - from, newline, s.err
		}
		if inString {
			// the string ends at the first quote not escaped: after an even number of
			// backslashes, counted back into the last read when they begin the segment
			seg := s.buf[s.pos:s.end]
			q := bytes.IndexByte(seg, '"')
			for q >= 0 {
				n := 0
				for n < q && seg[q-1-n] == '\\' {
					n++
				}
				if n == q && oddBackslashes {
					n++
				}
				if n%2 == 0 {
					break
				}
				oddBackslashes = false
				next := bytes.IndexByte(seg[q+1:], '"')
				if next < 0 {
					q = -1
					break
				}
				q += 1 + next
			}
			limit := q
			if q < 0 {
				limit = len(seg)
			}
			if lineMode {
				if nl := bytes.IndexByte(seg[:limit], '\n'); nl >= 0 {
					s.pos += nl + 1
					s.line++
					s.start = -1
					return nil, s.offset() - from, newline, errTruncatedLine
				}
			}
			if q < 0 {
				// the string goes on past what is read: carry the parity of the backslashes
				// that end the segment
				n := 0
				for n < len(seg) && seg[len(seg)-1-n] == '\\' {
					n++
				}
				if n == len(seg) {
					oddBackslashes = oddBackslashes != (n%2 == 1)
				} else {
					oddBackslashes = n%2 == 1
				}
				s.pos = s.end
				s.checkSize(from)
				continue
			}
			oddBackslashes = false
			s.pos += q + 1
			inString = false
			continue
		}
	scan:
		for s.pos < s.end {
			c := s.buf[s.pos]
			s.pos++
			switch c {
			case '"':
				inString = true
				break scan
			case '{', '[':
				depth++
			case '}', ']':
				if scalar && depth == 0 {
					s.pos--
					done = true
					break scan
				}
				depth--
				if depth <= 0 {
					done = true
					break scan
				}
			case '\n':
				s.line++
				newline = true
				if lineMode {
					s.start = -1
					return nil, s.offset() - from, newline, errTruncatedLine
				}
				if scalar {
					s.pos--
					s.line--
					done = true
					break scan
				}
			case ' ', '\t', '\r', ',', ':':
				if scalar && depth == 0 {
					s.pos--
					done = true
					break scan
				}
			}
		}
		s.checkSize(from)
	}
	size = s.offset() - from
	if s.start < 0 {
		return nil, size, newline, nil
	}
	v = s.buf[s.start:s.pos]
	s.start = -1
	return v, size, newline, nil
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
