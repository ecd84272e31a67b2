package trail

import (
	"encoding/binary"
	"math/bits"
)

// The word scanner finds where a JSON object or array ends eight bytes at a time. In each word
// it marks the quotes, tells the bytes inside strings by a prefix XOR of the quotes across the
// word's bytes (carried from word to word), and visits only the brackets outside strings: most
// words cost a dozen operations and no branch. A word that holds a backslash or a control byte
// (a line break), or that begins with an escaped byte, is scanned a byte at a time. It reads the
// structure as value does (a backslash escapes the next byte inside a string only; { and [ open,
// } and ] close, whichever pairs with which; line breaks outside strings are counted). The
// scanner's value passes over the objects and arrays inside a record with it, and skipValue
// those a record's decoding does not read.

// Bytes of every lane of a word.
const (
	lanes01 = 0x0101010101010101
	lanes20 = 0x2020202020202020
	lanes7f = 0x7f7f7f7f7f7f7f7f
	lanes80 = 0x8080808080808080
)

// equalLanes returns a word whose byte k has its high bit set when byte k of x is c, and
// nothing else set.
func equalLanes(x uint64, c byte) uint64 {
	t := x ^ (uint64(c) * lanes01)
	return ^((t&lanes7f + lanes7f) | t | lanes7f)
}

// rareLanes says whether x holds a backslash or a byte under 0x20 (a borrow only starts at such
// a byte, so the test is exact for the word as a whole).
func rareLanes(x uint64) bool {
	t := x ^ ('\\' * lanes01)
	return ((t-lanes01)&^t|(x-lanes20)&^x)&lanes80 != 0
}

// wordScanner is the word scanner's state, carried from one call of scan to the next.
type wordScanner struct {
	inString bool // the next byte is inside a string
	escaped  bool // the next byte is escaped by a backslash
	depth    int
	newlines int // line breaks outside strings
}

// scan scans b and returns the offset of the byte after the bracket that closes the object, or
// -1 when it does not close in b.
func (st *wordScanner) scan(b []byte) int {
	var carry uint64 // lanes80 inside a string
	if st.inString {
		carry = lanes80
	}
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if st.escaped || rareLanes(x) {
			st.inString = carry != 0
			if k := st.scanBytes(b[i : i+8]); k >= 0 {
				return i + k
			}
			carry = 0
			if st.inString {
				carry = lanes80
			}
			continue
		}
		// in: the high bit of each byte from an opening quote up to its closing one
		in := equalLanes(x, '"')
		in ^= in << 8
		in ^= in << 16
		in ^= in << 32
		in ^= carry
		carry = uint64(int64(in)>>63) & lanes80 // no multiply on the path from word to word
		// bytes that may be brackets outside strings: {, }, [ and ], and Y, y, _ and DEL,
		// which only strings hold in valid JSON
		for br := equalLanes(x&(0xd9*lanes01), 0x59) &^ in; br != 0; br &= br - 1 {
			k := i + bits.TrailingZeros64(br)>>3
			if st.bracket(b[k]) {
				return k + 1
			}
		}
	}
	st.inString = carry != 0
	if k := st.scanBytes(b[i:]); k >= 0 {
		return i + k
	}
	return -1
}

// bracket takes account of the byte c outside strings, and says whether it closes the object.
func (st *wordScanner) bracket(c byte) bool {
	switch c {
	case '{', '[':
		st.depth++
	case '}', ']':
		st.depth--
		return st.depth == 0
	}
	return false
}

// scanBytes scans b a byte at a time, as value does.
func (st *wordScanner) scanBytes(b []byte) int {
	for k, c := range b {
		if st.inString {
			switch {
			case st.escaped:
				st.escaped = false
			case c == '\\':
				st.escaped = true
			case c == '"':
				st.inString = false
			}
			continue
		}
		switch c {
		case '"':
			st.inString = true
		case '\n':
			st.newlines++
		case '{', '[', '}', ']':
			if st.bracket(c) {
				return k + 1
			}
		}
	}
	return -1
}
