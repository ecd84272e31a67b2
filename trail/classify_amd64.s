#include "textflag.h"

// Bytes compared with, in every lane of a 32-byte register.
DATA quoteLanes<>+0(SB)/8, $0x2222222222222222
DATA quoteLanes<>+8(SB)/8, $0x2222222222222222
DATA quoteLanes<>+16(SB)/8, $0x2222222222222222
DATA quoteLanes<>+24(SB)/8, $0x2222222222222222
GLOBL quoteLanes<>(SB), RODATA|NOPTR, $32

DATA caseLanes<>+0(SB)/8, $0xdfdfdfdfdfdfdfdf
DATA caseLanes<>+8(SB)/8, $0xdfdfdfdfdfdfdfdf
DATA caseLanes<>+16(SB)/8, $0xdfdfdfdfdfdfdfdf
DATA caseLanes<>+24(SB)/8, $0xdfdfdfdfdfdfdfdf
GLOBL caseLanes<>(SB), RODATA|NOPTR, $32

DATA openLanes<>+0(SB)/8, $0x5b5b5b5b5b5b5b5b
DATA openLanes<>+8(SB)/8, $0x5b5b5b5b5b5b5b5b
DATA openLanes<>+16(SB)/8, $0x5b5b5b5b5b5b5b5b
DATA openLanes<>+24(SB)/8, $0x5b5b5b5b5b5b5b5b
GLOBL openLanes<>(SB), RODATA|NOPTR, $32

DATA closeLanes<>+0(SB)/8, $0x5d5d5d5d5d5d5d5d
DATA closeLanes<>+8(SB)/8, $0x5d5d5d5d5d5d5d5d
DATA closeLanes<>+16(SB)/8, $0x5d5d5d5d5d5d5d5d
DATA closeLanes<>+24(SB)/8, $0x5d5d5d5d5d5d5d5d
GLOBL closeLanes<>(SB), RODATA|NOPTR, $32

DATA colonLanes<>+0(SB)/8, $0x3a3a3a3a3a3a3a3a
DATA colonLanes<>+8(SB)/8, $0x3a3a3a3a3a3a3a3a
DATA colonLanes<>+16(SB)/8, $0x3a3a3a3a3a3a3a3a
DATA colonLanes<>+24(SB)/8, $0x3a3a3a3a3a3a3a3a
GLOBL colonLanes<>(SB), RODATA|NOPTR, $32

DATA commaLanes<>+0(SB)/8, $0x2c2c2c2c2c2c2c2c
DATA commaLanes<>+8(SB)/8, $0x2c2c2c2c2c2c2c2c
DATA commaLanes<>+16(SB)/8, $0x2c2c2c2c2c2c2c2c
DATA commaLanes<>+24(SB)/8, $0x2c2c2c2c2c2c2c2c
GLOBL commaLanes<>(SB), RODATA|NOPTR, $32

DATA backslashLanes<>+0(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA backslashLanes<>+8(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA backslashLanes<>+16(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA backslashLanes<>+24(SB)/8, $0x5c5c5c5c5c5c5c5c
GLOBL backslashLanes<>(SB), RODATA|NOPTR, $32

DATA controlLanes<>+0(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA controlLanes<>+8(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA controlLanes<>+16(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA controlLanes<>+24(SB)/8, $0x1f1f1f1f1f1f1f1f
GLOBL controlLanes<>(SB), RODATA|NOPTR, $32

// func classifyAVX2(b *[64]byte) (m blockMasks)
TEXT ·classifyAVX2(SB), NOSPLIT, $0-40
	MOVQ b+0(FP), SI
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1

	// quotes
	VMOVDQU quoteLanes<>(SB), Y8
	VPCMPEQB Y8, Y0, Y2
	VPCMPEQB Y8, Y1, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, m_quotes+8(FP)

	// brackets: a byte with bit 5 cleared is [ for [ and {, ] for ] and }
	VMOVDQU caseLanes<>(SB), Y8
	VPAND Y8, Y0, Y4
	VPAND Y8, Y1, Y5
	VMOVDQU openLanes<>(SB), Y8
	VMOVDQU closeLanes<>(SB), Y9
	VPCMPEQB Y8, Y4, Y2
	VPCMPEQB Y8, Y5, Y3
	VPCMPEQB Y9, Y4, Y6
	VPCMPEQB Y9, Y5, Y7
	VPOR Y6, Y2, Y2
	VPOR Y7, Y3, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, m_brackets+16(FP)

	// separators
	VMOVDQU colonLanes<>(SB), Y8
	VMOVDQU commaLanes<>(SB), Y9
	VPCMPEQB Y8, Y0, Y2
	VPCMPEQB Y8, Y1, Y3
	VPCMPEQB Y9, Y0, Y6
	VPCMPEQB Y9, Y1, Y7
	VPOR Y6, Y2, Y2
	VPOR Y7, Y3, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, m_seps+24(FP)

	// rare: a backslash, or a byte that 0x1f takes to 0 in unsigned saturating subtraction
	VMOVDQU backslashLanes<>(SB), Y8
	VMOVDQU controlLanes<>(SB), Y9
	VPXOR Y10, Y10, Y10
	VPCMPEQB Y8, Y0, Y2
	VPCMPEQB Y8, Y1, Y3
	VPSUBUSB Y9, Y0, Y6
	VPSUBUSB Y9, Y1, Y7
	VPCMPEQB Y10, Y6, Y6
	VPCMPEQB Y10, Y7, Y7
	VPOR Y6, Y2, Y2
	VPOR Y7, Y3, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, m_rare+32(FP)

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
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	RET
