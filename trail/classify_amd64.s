#include "textflag.h"

// The bytes a block is compared with, each broadcast to every lane of a register.
DATA lanes<>+0(SB)/1, $0x22 // "
DATA lanes<>+1(SB)/1, $0xdf // clears bit 5: { and [ become [, } and ] become ]
DATA lanes<>+2(SB)/1, $0x5b // [
DATA lanes<>+3(SB)/1, $0x5d // ]
DATA lanes<>+4(SB)/1, $0x3a // :
DATA lanes<>+5(SB)/1, $0x2c // ,
DATA lanes<>+6(SB)/1, $0x5c // backslash
DATA lanes<>+7(SB)/1, $0x1f // the last byte that unsigned saturating subtraction of it takes to 0
GLOBL lanes<>(SB), RODATA|NOPTR, $8

// MASK gathers the high bits of the bytes of lo and hi (the two halves of the block) into the
// 64-bit result at off(FP).
#define MASK(lo, hi, off) \
	VPMOVMSKB lo, AX; \
	VPMOVMSKB hi, BX; \
	SHLQ      $32, BX; \
	ORQ       BX, AX; \
	MOVQ      AX, off(FP)

// EQUAL sets lo and hi to the bytes of the block (Y0, Y1) equal to those of c.
#define EQUAL(c, lo, hi) \
	VPCMPEQB c, Y0, lo; \
	VPCMPEQB c, Y1, hi

// func classifyAVX2(b *[64]byte) (m blockMasks)
TEXT ·classifyAVX2(SB), NOSPLIT, $0-40
	MOVQ    b+0(FP), SI
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1

	// quotes
	VPBROADCASTB lanes<>+0(SB), Y8
	EQUAL(Y8, Y2, Y3)
	MASK(Y2, Y3, m_quotes+8)

	// brackets
	VPBROADCASTB lanes<>+1(SB), Y8
	VPAND        Y8, Y0, Y4
	VPAND        Y8, Y1, Y5
	VPBROADCASTB lanes<>+2(SB), Y8
	VPBROADCASTB lanes<>+3(SB), Y9
	VPCMPEQB     Y8, Y4, Y2
	VPCMPEQB     Y8, Y5, Y3
	VPCMPEQB     Y9, Y4, Y6
	VPCMPEQB     Y9, Y5, Y7
	VPOR         Y6, Y2, Y2
	VPOR         Y7, Y3, Y3
	MASK(Y2, Y3, m_brackets+16)

	// separators
	VPBROADCASTB lanes<>+4(SB), Y8
	VPBROADCASTB lanes<>+5(SB), Y9
	EQUAL(Y8, Y2, Y3)
	EQUAL(Y9, Y6, Y7)
	VPOR         Y6, Y2, Y2
	VPOR         Y7, Y3, Y3
	MASK(Y2, Y3, m_seps+24)

	// rare: a backslash, or a byte under 0x20
	VPBROADCASTB lanes<>+6(SB), Y8
	VPBROADCASTB lanes<>+7(SB), Y9
	VPXOR        Y10, Y10, Y10
	EQUAL(Y8, Y2, Y3)
	VPSUBUSB     Y9, Y0, Y6
	VPSUBUSB     Y9, Y1, Y7
	VPCMPEQB     Y10, Y6, Y6
	VPCMPEQB     Y10, Y7, Y7
	VPOR         Y6, Y2, Y2
	VPOR         Y7, Y3, Y3
	MASK(Y2, Y3, m_rare+32)

	VZEROUPPER
	RET

// func cpuid(leaf, sub uint32) (a, b, c, d uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

// func xgetbv() (eax uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-4
	MOVL   $0, CX
	XGETBV
	MOVL   AX, eax+0(FP)
	RET
