package trail

// classifyAVX2 is the classifier with AVX2 instructions (classify_amd64.s).
//
//go:noescape
func classifyAVX2(b *[64]byte) (m blockMasks)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)
func xgetbv() (eax uint32)

// hasAVX2 says whether the processor has AVX2 and the system saves its registers.
var hasAVX2 = func() bool {
	if max, _, _, _ := cpuid(0, 0); max < 7 {
		return false
	}
	_, _, c, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if c&osxsave == 0 || c&avx == 0 || xgetbv()&6 != 6 { // the XMM and YMM state
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	return b&(1<<5) != 0
}()

// classify returns the classes of the bytes of b.
func classify(b *[64]byte) blockMasks {
	if hasAVX2 {
		return classifyAVX2(b)
	}
	return classifyWords(b)
}
