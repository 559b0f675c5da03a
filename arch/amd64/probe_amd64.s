//go:build tamago

// Probes: one memory access or call that may fault in ring 0 without
// being a kernel bug, like an entry of Linux's exception tables
// (arch/x86/mm/extable.c). fromKernel (entry_amd64.s) recognises a fault
// in a probe and resumes after it with cpu0.probeFault = 1. The tests
// use them to show that SMAP and SMEP stop the kernel from reading or
// running user pages.

#include "go_asm.h"
#include "textflag.h"

// func probeRead(addr uintptr) (ok bool)
TEXT ·probeRead(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), AX
	MOVQ	$0, ·cpu0+PerCPU_probeFault(SB)
	CALL	·probeReadInsn(SB)
	MOVQ	·cpu0+PerCPU_probeFault(SB), AX
	XORQ	$1, AX				// ok = no fault
	MOVB	AX, ok+8(FP)
	RET

// probeReadInsn reads one byte at AX; a fault continues at probeReadFixup.
TEXT ·probeReadInsn(SB),NOSPLIT|NOFRAME,$0
	MOVB	(AX), BX
	RET

TEXT ·probeReadFixup(SB),NOSPLIT|NOFRAME,$0
	RET

// func probeExec(addr uintptr) (ok bool)
//
// Calls addr, which should hold a RET; a fault at addr itself returns
// here as if it had run.
TEXT ·probeExec(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), AX
	MOVQ	AX, ·cpu0+PerCPU_probeTarget(SB)
	MOVQ	$0, ·cpu0+PerCPU_probeFault(SB)
	CALL	AX
	MOVQ	$0, ·cpu0+PerCPU_probeTarget(SB)
	MOVQ	·cpu0+PerCPU_probeFault(SB), AX
	XORQ	$1, AX
	MOVB	AX, ok+8(FP)
	RET
