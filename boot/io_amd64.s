// Port I/O, the time-stamp counter and halting, for boot/*.go.

#include "textflag.h"

// func inb(port uint16) uint8
TEXT ·inb(SB),NOSPLIT,$0-9
	MOVW	port+0(FP), DX
	XORL	AX, AX
	INB				// AL = byte from port DX
	MOVB	AX, ret+8(FP)
	RET

// func outb(port uint16, val uint8)
TEXT ·outb(SB),NOSPLIT,$0-3
	MOVW	port+0(FP), DX
	MOVB	val+2(FP), AX
	OUTB				// byte AL to port DX
	RET

// func outl(port uint16, val uint32)
TEXT ·outl(SB),NOSPLIT,$0-8
	MOVW	port+0(FP), DX
	MOVL	val+4(FP), AX
	OUTL				// dword EAX to port DX
	RET

// func rdtsc() uint64
TEXT ·rdtsc(SB),NOSPLIT,$0-8
	LFENCE				// earlier instructions complete first
	RDTSC				// EDX:EAX = time-stamp counter
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// func haltForever()
TEXT ·haltForever(SB),NOSPLIT|NOFRAME,$0
	CLI				// nothing may wake us
loop:
	HLT
	JMP	loop

// func cpuRelax()
TEXT ·cpuRelax(SB),NOSPLIT,$0
	PAUSE				// spin-wait hint
	RET
