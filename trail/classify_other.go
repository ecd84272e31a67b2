//go:build !amd64

package trail

// hasAVX2 is false where there is no AVX2.
const hasAVX2 = false

// classify returns the classes of the bytes of b.
func classify(b *[64]byte) blockMasks { return classifyWords(b) }
