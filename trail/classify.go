package trail

import "encoding/binary"

// The block classifier tells, for 64 bytes at a time, where the quotes, the brackets ({, [, }
// and ]), the separators (: and ,) and the rare bytes (a backslash or a byte under 0x20) are,
// as one bit a byte in each of four words (bit k for byte k). On amd64 processors with AVX2
// (nearly all in use) it compares 32 bytes an instruction (classify_amd64.s); elsewhere
// classifyWords does the same eight bytes at a time. The block scanner (blocks.go) finds a
// record's members with it.

// blockMasks are the classes of the bytes of a block of 64.
type blockMasks struct{ quotes, brackets, seps, rare uint64 }

// classifyWords is the classifier eight bytes at a time, for processors without AVX2.
func classifyWords(b *[64]byte) (m blockMasks) {
	for w := 0; w < 8; w++ {
		x := binary.LittleEndian.Uint64(b[w*8:])
		m.quotes |= laneBits(equalLanes(x, '"')) << (w * 8)
		y := x & (0xdf * lanes01) // { and [ become [, } and ] become ]
		m.brackets |= laneBits(equalLanes(y, '[')|equalLanes(y, ']')) << (w * 8)
		m.seps |= laneBits(equalLanes(x, ':')|equalLanes(x, ',')) << (w * 8)
		m.rare |= laneBits(equalLanes(x, '\\')|belowLanes(x, 0x20)) << (w * 8)
	}
	return m
}

// laneBits gathers the high bits of the bytes of x (nothing else set) into the low 8 bits.
func laneBits(x uint64) uint64 {
	return ((x >> 7) * 0x0102040810204080) >> 56
}

// belowLanes returns a word whose byte k has its high bit set when byte k of x is under c
// (c at most 0x80), and nothing else set.
func belowLanes(x uint64, c byte) uint64 {
	// with every high bit set no byte borrows from the next; the high bit then stays set where
	// the low seven bits are c or more
	return ^((x | lanes80) - uint64(c)*lanes01) & ^x & lanes80
}
