package trail

import (
	"math/rand/v2"
	"testing"
)

// classifyBytes is the classifier a byte at a time: what the others must give.
func classifyBytes(b *[64]byte) (m blockMasks) {
	for k, c := range b {
		bit := uint64(1) << k
		switch {
		case c == '"':
			m.quotes |= bit
		case c == '{' || c == '}' || c == '[' || c == ']':
			m.brackets |= bit
		case c == ':' || c == ',':
			m.seps |= bit
		case c == '\\' || c < 0x20:
			m.rare |= bit
		}
	}
	return m
}

// The classifiers, eight bytes at a time and with AVX2 (where the processor has it), tell every
// byte as one at a time does: every byte value at every place, and blocks drawn at random from
// JSON's bytes.
func TestClassifyBlock(t *testing.T) {
	t.Logf("AVX2: %v", hasAVX2)
	check := func(b *[64]byte) {
		t.Helper()
		want := classifyBytes(b)
		if got := classifyWords(b); got != want {
			t.Fatalf("classifyWords(%q) = %+v, want %+v", b[:], got, want)
		}
		if got := classify(b); got != want {
			t.Fatalf("classify(%q) = %+v, want %+v", b[:], got, want)
		}
	}
	var b [64]byte
	for c := range 256 {
		for k := range 64 {
			for i := range b {
				b[i] = 'a'
			}
			b[k] = byte(c)
			check(&b)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "\"\\{}[]:, \t\n\x00\x1f\x20\x7f\x80\xdb\xfb\xdd\xfdaz09"
	for range 100000 {
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check(&b)
	}
}
