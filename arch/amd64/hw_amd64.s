//go:build tamago

// Privileged instructions for arch/amd64's Go code. Each is the Go
// function of the same name declared in hw.go.

#include "go_asm.h"
#include "textflag.h"

// func loadGDT(desc *[10]byte)
// Loads the GDT and reloads CS (far return), SS, DS and ES from it. FS and
// GS are not touched: their bases are MSRs (FS holds Go's TLS).
TEXT ·loadGDT(SB),NOSPLIT,$0-8
	MOVQ	desc+0(FP), AX
	LGDT	(AX)
	MOVQ	$const_KernelDS, AX
	MOVW	AX, SS
	MOVW	AX, DS
	MOVW	AX, ES
	POPQ	AX				// our return address...
	PUSHQ	$const_KernelCS			// ...becomes a far return to the
	PUSHQ	AX				// new kernel code segment
	RETFQ

// func loadTR(sel uint16)
TEXT ·loadTR(SB),NOSPLIT,$0-2
	MOVW	sel+0(FP), AX
	LTR	AX				// task register: the TSS descriptor
	RET

// func loadIDT(desc *[10]byte)
TEXT ·loadIDT(SB),NOSPLIT,$0-8
	MOVQ	desc+0(FP), AX
	LIDT	(AX)
	RET

// func rdmsr(msr uint32) uint64
TEXT ·rdmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	RDMSR					// EDX:EAX = MSR[ECX]
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func wrmsr(msr uint32, val uint64)
TEXT ·wrmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	MOVQ	val+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR					// MSR[ECX] = EDX:EAX
	RET

// func readCR0() uint64
TEXT ·readCR0(SB),NOSPLIT,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

// func readCR2() uint64
TEXT ·readCR2(SB),NOSPLIT,$0-8
	MOVQ	CR2, AX
	MOVQ	AX, ret+0(FP)
	RET

// func readCR3() uint64
TEXT ·readCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func writeCR3(v uint64)
TEXT ·writeCR3(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR3				// new address space; flushes non-global TLB entries
	RET

// func readCR4() uint64
TEXT ·readCR4(SB),NOSPLIT,$0-8
	MOVQ	CR4, AX
	MOVQ	AX, ret+0(FP)
	RET

// func writeCR4(v uint64)
TEXT ·writeCR4(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR4
	RET

// func invlpg(va uintptr)
TEXT ·invlpg(SB),NOSPLIT,$0-8
	MOVQ	va+0(FP), AX
	INVLPG	(AX)				// drop the TLB entry for one page
	RET

// func cpuid(leaf, sub uint32) (a, b, c, d uint32)
TEXT ·cpuid(SB),NOSPLIT,$0-24
	MOVL	leaf+0(FP), AX
	MOVL	sub+4(FP), CX
	CPUID
	MOVL	AX, a+8(FP)
	MOVL	BX, b+12(FP)
	MOVL	CX, c+16(FP)
	MOVL	DX, d+20(FP)
	RET

// func outb(port uint16, v uint8)
TEXT ·outb(SB),NOSPLIT,$0-3
	MOVW	port+0(FP), DX
	MOVB	v+2(FP), AX
	OUTB
	RET

// func rdtsc() uint64
TEXT ·rdtsc(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// lapicEOI signals end of interrupt to the local APIC (its EOI register
// at 0xfee000b0). Called from the entry code: clobbers only AX.
TEXT ·lapicEOI(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$0xfee000b0, AX
	MOVL	$0, (AX)
	RET

// func enterUser(regs *PtRegs) (vector uint64) is in entry_amd64.s.

// func syscallEntryAddr() uint64
TEXT ·syscallEntryAddr(SB),NOSPLIT,$0-8
	MOVQ	$·syscallEntry(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func haltUntilInterrupt()
TEXT ·haltUntilInterrupt(SB),NOSPLIT,$0-0
	STI				// interrupts on; the next instruction still runs first
	HLT				// sleep until an interrupt has been handled
	CLI				// and off again for Go
	RET

// func cpuRelax()
TEXT ·cpuRelax(SB),NOSPLIT,$0-0
	PAUSE				// spin-wait hint
	RET

// func readFlags() uint64
TEXT ·readFlags(SB),NOSPLIT,$0-8
	PUSHFQ
	POPQ	AX
	MOVQ	AX, ret+0(FP)
	RET

// func fxsave(area *[512]byte)
// area must be 16-byte aligned.
TEXT ·fxsave(SB),NOSPLIT,$0-8
	MOVQ	area+0(FP), AX
	FXSAVE64	(AX)
	RET

// func callWakeG(gp uint) (ax uint64)
// Calls the runtime's WakeG as tamago's interrupt handlers do (goroutine
// in AX, result in AX), for the test of that convention.
TEXT ·callWakeG(SB),NOSPLIT,$0-16
	MOVQ	gp+0(FP), AX
	CALL	runtime·WakeG(SB)
	MOVQ	AX, ax+8(FP)
	RET

// func writeCR0(v uint64)
TEXT ·writeCR0(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR0
	RET

// func fpuSaveLive(area *[512]byte)
// area must be 16-byte aligned. Clobbers X0-X15 (the ABI wrapper of the
// Go caller zeroes X15 again).
TEXT ·fpuSaveLive(SB),NOSPLIT,$0-8
	MOVQ	area+0(FP), AX
	LDMXCSR	24(AX)
	MOVOU	160(AX), X0
	MOVOU	176(AX), X1
	MOVOU	192(AX), X2
	MOVOU	208(AX), X3
	MOVOU	224(AX), X4
	MOVOU	240(AX), X5
	MOVOU	256(AX), X6
	MOVOU	272(AX), X7
	MOVOU	288(AX), X8
	MOVOU	304(AX), X9
	MOVOU	320(AX), X10
	MOVOU	336(AX), X11
	MOVOU	352(AX), X12
	MOVOU	368(AX), X13
	MOVOU	384(AX), X14
	MOVOU	400(AX), X15
	FXSAVE64	(AX)
	LDMXCSR	·defaultMXCSR(SB)
	RET
