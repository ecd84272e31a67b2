package trail

import "math/bits"

// The block scanner is value's fast path for the common record: an object all in the buffer,
// with no backslash and no byte under 0x20 (no escape, no line break: CloudTrail writes its
// records so), whose members are written as JSON has them. It classifies the bytes 64 at a
// time (classify), tells the bytes inside strings by a prefix XOR of the quotes, and visits
// only the quotes, brackets and separators outside strings at depth 1, and only the brackets
// deeper. Anything else (a block with a rare byte, a member that is not key, colon and value,
// a record that goes past what is read, or over the limit) makes it give up, and value scans
// the record as before: the block scanner gives what value gives, or nothing.

// States of the members at depth 1, as value tracks them.
const (
	wantKey = iota
	inKey
	wantColon
	wantValue
	inValue
)

// blockObject scans the object that begins at data[0] (a '{', or it gives up), reading whole
// blocks of room, of which data is the start read. It returns the offset after the object and
// its members' offsets appended to offs, or ok false when it gives up.
//
// With judge, a record is judged as soon as its first eventSource and userIdentity members are
// read (passOver): one not worth decoding is passed over to its end, its brackets only visited,
// and passed says so; out then holds the members read before.
func blockObject(data, room []byte, offs []memberOffsets, judge bool) (out []memberOffsets, end int, passed, ok bool) {
	if len(data) == 0 || data[0] != '{' {
		return offs, 0, false, false
	}
	src, id := -1, -1 // the members eventSource and userIdentity, when read
	depth, st := 0, wantKey
	var ks, ke, vs int
	last := 0        // the offset after the last token at depth 1
	var carry uint64 // all ones when the block begins inside a string
	for i := 0; i < len(data); i += 64 {
		if i+64 > len(room) {
			return offs, 0, false, false
		}
		m := classify((*[64]byte)(room[i : i+64]))
		valid := ^uint64(0)
		if n := len(data) - i; n < 64 {
			valid = 1<<n - 1
		}
		if m.rare&valid != 0 {
			return offs, 0, false, false
		}
		quotes := m.quotes & valid
		in := prefixXor(quotes) ^ carry // from an opening quote to the byte before its closing one
		carry = uint64(int64(in) >> 63)
		deep := m.brackets &^ in & valid
		all := quotes | (m.brackets|m.seps)&^in&valid
		ev := all
		if depth >= 2 {
			ev = deep
		}
		for ev != 0 {
			k := bits.TrailingZeros64(ev)
			ev &= ev - 1
			p := i + k
			c := data[p]
			if depth >= 2 {
				if c == '{' || c == '[' {
					depth++
				} else if depth--; depth == 1 {
					last = p + 1
					ev = all &^ (2<<k - 1) // what is left of the block, at depth 1
				}
				continue
			}
			switch c {
			case '"':
				if in&(1<<k) == 0 { // a closing quote
					if st == inKey {
						st, ke = wantColon, p+1
					}
					last = p + 1
					continue
				}
				if !spaces(data[last:p]) {
					return offs, 0, false, false
				}
				switch st {
				case wantKey:
					st, ks = inKey, p
				case wantValue:
					st = inValue
				default:
					return offs, 0, false, false
				}
			case '{', '[':
				if depth == 0 {
					depth, last = 1, p+1
					continue
				}
				if st != wantValue || !spaces(data[last:p]) {
					return offs, 0, false, false
				}
				depth, st = 2, inValue
				ev &= deep
			case ':':
				if st != wantColon || !spaces(data[last:p]) {
					return offs, 0, false, false
				}
				st, vs, last = wantValue, p+1, p+1
			case ',', '}', ']':
				// the end of a value: a string or an object, or a literal since the colon
				switch {
				case st == inValue && spaces(data[last:p]):
				case st == wantValue && literalRun(data[last:p]):
				case c == '}' && st == wantKey && len(offs) == 0 && spaces(data[last:p]):
					return offs, p + 1, false, true // {}
				default:
					return offs, 0, false, false
				}
				offs = append(offs, memberOffsets{ks, ke, vs, p})
				if c != ',' {
					if c != '}' {
						return offs, 0, false, false
					}
					return offs, p + 1, false, true
				}
				st, last = wantKey, p+1
				if !judge {
					continue
				}
				switch n := len(offs) - 1; {
				case src < 0 && string(data[ks:ke]) == `"eventSource"`:
					src = n
				case id < 0 && string(data[ks:ke]) == `"userIdentity"`:
					id = n
				default:
					continue
				}
				if src >= 0 && id >= 0 {
					judge = false
					if passOver(data, offs[src], offs[id]) {
						end, ok := passRest(data, room, i, m.brackets&^in&valid&^(2<<k-1), carry)
						return offs, end, ok, ok
					}
				}
			}
		}
	}
	return offs, 0, false, false
}

// passRest passes over the rest of an object at depth 1, from block i on: it visits only the
// brackets outside strings, those left of block i given (carry says whether block i ends inside
// a string), the blocks after classified. It returns the offset after the object, or ok false
// when it gives up as blockObject does.
func passRest(data, room []byte, i int, brackets, carry uint64) (end int, ok bool) {
	depth := 1
	for {
		for ev := brackets; ev != 0; ev &= ev - 1 {
			p := i + bits.TrailingZeros64(ev)
			if c := data[p]; c == '{' || c == '[' {
				depth++
			} else if depth--; depth == 0 {
				return p + 1, true
			}
		}
		if i += 64; i >= len(data) || i+64 > len(room) {
			return 0, false
		}
		m := classify((*[64]byte)(room[i : i+64]))
		valid := ^uint64(0)
		if n := len(data) - i; n < 64 {
			valid = 1<<n - 1
		}
		if m.rare&valid != 0 {
			return 0, false
		}
		in := prefixXor(m.quotes&valid) ^ carry
		carry = uint64(int64(in) >> 63)
		brackets = m.brackets &^ in & valid
	}
}

// prefixXor returns the word whose bit k is the parity of the bits 0 to k of x.
func prefixXor(x uint64) uint64 {
	x ^= x << 1
	x ^= x << 2
	x ^= x << 4
	x ^= x << 8
	x ^= x << 16
	x ^= x << 32
	return x
}

// spaces says whether b is only spaces (the block scanner has seen no other white space).
func spaces(b []byte) bool {
	for _, c := range b {
		if c != ' ' {
			return false
		}
	}
	return true
}

// literalRun says whether b, but for spaces around it, is one literal or number as value reads
// one at depth 1: a byte that begins it, then bytes that each follow a literal byte.
func literalRun(b []byte) bool {
	i, j := 0, len(b)
	for i < j && b[i] == ' ' {
		i++
	}
	for j > i && b[j-1] == ' ' {
		j--
	}
	if i == j {
		return false
	}
	for k := i + 1; k < j; k++ {
		if !literal[b[k-1]] {
			return false
		}
	}
	return true
}
