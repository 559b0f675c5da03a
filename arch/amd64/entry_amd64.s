//go:build tamago

// Trap and system-call entry, and entering user mode.
//
// The model (docs/design.md): a task's goroutine calls enterUser, which
// saves the goroutine's SP and BP in cpu0 and leaves for ring 3 with
// IRETQ or SYSRETQ. The next entry from ring 3 (trap, interrupt or
// SYSCALL) saves the user registers as struct pt_regs at the top of the
// task's kernel stack (TSS.RSP0), puts back the Go runtime's FS base and
// the saved SP, and returns from enterUser with the vector. Go then
// handles the event in ordinary code and calls enterUser again.
//
// Interrupts are off whenever Go code runs; they are on in ring 3.

#include "go_asm.h"
#include "textflag.h"

#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define ENOSYS 38

// PUSH_R8_TO_R15 pushes the lower part of pt_regs, r8 (offset 72) down
// to r15 (offset 0), after the entry code has pushed ss ... ax.
#define PUSH_R8_TO_R15 \
	PUSHQ R8; PUSHQ R9; PUSHQ R10; PUSHQ R11; PUSHQ BX; PUSHQ BP; \
	PUSHQ R12; PUSHQ R13; PUSHQ R14; PUSHQ R15

// SAVE_XMM and LOAD_XMM move XMM0-15 to and from their places in the
// FXSAVE image at (R): offset 160 + 16*i (Intel SDM vol. 1, table 10-2).
#define SAVE_XMM(R) \
	MOVOU X0, 160(R); MOVOU X1, 176(R); MOVOU X2, 192(R); MOVOU X3, 208(R); \
	MOVOU X4, 224(R); MOVOU X5, 240(R); MOVOU X6, 256(R); MOVOU X7, 272(R); \
	MOVOU X8, 288(R); MOVOU X9, 304(R); MOVOU X10, 320(R); MOVOU X11, 336(R); \
	MOVOU X12, 352(R); MOVOU X13, 368(R); MOVOU X14, 384(R); MOVOU X15, 400(R)
#define LOAD_XMM(R) \
	MOVOU 160(R), X0; MOVOU 176(R), X1; MOVOU 192(R), X2; MOVOU 208(R), X3; \
	MOVOU 224(R), X4; MOVOU 240(R), X5; MOVOU 256(R), X6; MOVOU 272(R), X7; \
	MOVOU 288(R), X8; MOVOU 304(R), X9; MOVOU 320(R), X10; MOVOU 336(R), X11; \
	MOVOU 352(R), X12; MOVOU 368(R), X13; MOVOU 384(R), X14; MOVOU 400(R), X15

// POP_PT_REGS restores the general registers from pt_regs at SP (r15
// first), leaving SP at pt_regs.orig_ax.
#define POP_PT_REGS \
	POPQ R15; POPQ R14; POPQ R13; POPQ R12; POPQ BP; POPQ BX; \
	POPQ R11; POPQ R10; POPQ R9; POPQ R8; POPQ AX; POPQ CX; \
	POPQ DX; POPQ SI; POPQ DI

// trapCommon: the stub left the vector and an error code (or 0) on the
// stack, below the CPU's frame (ss, sp, flags, cs, ip).
//
// An interrupt gate clears IF, TF and NT but keeps the interrupted code's
// DF and AC. A user program may leave either set (STD; POPF with AC), and
// Go's memmove and memclr (REP MOVS/STOS) would then run backwards over
// the wrong pages, and SMAP would be off in ring 0. So, like Linux's
// entry code (cld in the idtentry macros, ASM_CLAC), clear both first.
// The SYSCALL path needs neither: MSR_SFMASK clears them (Init).
TEXT ·trapCommon(SB),NOSPLIT|NOFRAME,$0
	CLD
	CMPB	·smapEnabled(SB), $0	// CLAC is #UD without SMAP
	JEQ	noclac
	BYTE	$0x0f; BYTE $0x01; BYTE $0xca	// CLAC: SMAP guards ring 0 again
noclac:
	XCHGQ	DI, 0(SP)		// DI = vector; the slot becomes pt_regs.di
	PUSHQ	SI			// the rest of pt_regs, Linux's order
	PUSHQ	DX
	PUSHQ	CX
	PUSHQ	AX
	PUSH_R8_TO_R15			// SP = &pt_regs
	TESTQ	$3, PtRegs_CS(SP)	// from ring 3?
	JZ	kernel
	JMP	·fromUser(SB)
kernel:
	JMP	·fromKernel(SB)

// syscallEntry is MSR_LSTAR. SYSCALL left the user RIP in RCX and RFLAGS
// in R11, masked IF, and did not switch stacks: SP is still the user's.
// Mirrors Linux's entry_SYSCALL_64 (without SWAPGS: one CPU, cpu0 is a
// global).
TEXT ·syscallEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	SP, ·cpu0+PerCPU_userSP(SB)	// user stack pointer
	MOVQ	·cpu0+PerCPU_tss+4(SB), SP	// TSS.RSP0: top of the kernel stack
	PUSHQ	$const_UserDS			// pt_regs.ss
	PUSHQ	·cpu0+PerCPU_userSP(SB)		// pt_regs.sp
	PUSHQ	R11				// pt_regs.flags
	PUSHQ	$const_UserCS			// pt_regs.cs
	PUSHQ	CX				// pt_regs.ip
	PUSHQ	AX				// pt_regs.orig_ax: the system call number
	PUSHQ	DI
	PUSHQ	SI
	PUSHQ	DX
	PUSHQ	CX
	PUSHQ	$-ENOSYS			// pt_regs.ax until there is a result
	PUSH_R8_TO_R15				// SP = &pt_regs
	MOVQ	$const_SyscallVector, DI
	JMP	·fromUser(SB)

// fromUser: SP = &pt_regs at the top of the task's kernel stack, DI =
// vector. Save the user FPU state that Go may change, give Go back its FS
// base and stack, and return from enterUser.
//
// Go code uses XMM0-15 and MXCSR, never the x87/MMX registers (neither
// the compiler nor the runtime emit x87 instructions on amd64), so only
// MXCSR and XMM0-15 are stored, at their places in the task's FXSAVE
// image; the x87 state stays in the registers, and the image's x87 part
// is completed only when someone needs it (fpu.go). Linux keeps the whole
// user FPU state in the registers until it switches tasks or returns to
// user space after one (TIF_NEED_FPU_LOAD); Go in ring 0 rules that out
// for the SSE part.
TEXT ·fromUser(SB),NOSPLIT|NOFRAME,$0
	CMPQ	DI, $const_VecFirstIRQ		// an interrupt (not a system call)?
	JB	noirq
	CMPQ	DI, $const_SyscallVector
	JAE	noirq
	CALL	·lapicEOI(SB)			// acknowledge it now; Go handles the rest
noirq:
	MOVQ	·cpu0+PerCPU_fpu(SB), AX
	TESTQ	AX, AX
	JZ	nofpu
	STMXCSR	24(AX)				// user SSE control and registers
	SAVE_XMM(AX)
	LDMXCSR	·defaultMXCSR(SB)		// default SSE control for Go
nofpu:
	CMPB	·fsgsbase(SB), $0
	JEQ	fsmsr
	RDFSBASEQ	AX			// user code may have changed its FS and
	MOVQ	AX, ·cpu0+PerCPU_userFS(SB)	// GS bases itself: keep them
	RDGSBASEQ	AX
	MOVQ	AX, ·cpu0+PerCPU_userGS(SB)
	MOVQ	·cpu0+PerCPU_kernelFS(SB), AX	// Go's TLS base back in FS
	WRFSBASEQ	AX
	JMP	fsdone
fsmsr:
	MOVQ	·cpu0+PerCPU_kernelFS(SB), AX	// Go's TLS base back in FS
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$MSR_FS_BASE, CX
	WRMSR
fsdone:
	MOVQ	DI, ·cpu0+PerCPU_vector(SB)
	CMPQ	DI, $const_VecPageFault		// CR2 only means something after #PF
	JNE	nocr2				// (a MOV from CR2 is a helper call under TCG)
	MOVQ	CR2, AX				// the faulting address
	MOVQ	AX, ·cpu0+PerCPU_cr2(SB)
nocr2:
	MOVQ	·cpu0+PerCPU_kernelSP(SB), SP	// enterUser's frame
	MOVQ	·cpu0+PerCPU_kernelBP(SB), BP
	MOVQ	DI, 16(SP)			// enterUser's result: the vector
	RET					// from enterUser

// fromKernel: a trap taken in ring 0 on the current stack (or an IST
// stack). Interrupts (only possible while idle) and NMIs are acknowledged
// and left; a fault at a probe instruction resumes at its fixup; any
// other exception is a kernel bug: oops.
TEXT ·fromKernel(SB),NOSPLIT|NOFRAME,$0
	CMPQ	DI, $const_VecFirstIRQ
	JAE	irq
	CMPQ	DI, $const_VecNMI
	JEQ	resume
	// Exception fixup: is the faulting instruction a probe's?
	MOVQ	PtRegs_IP(SP), AX
	MOVQ	$·probeReadInsn(SB), BX
	CMPQ	AX, BX
	JEQ	fixread
	MOVQ	·cpu0+PerCPU_probeTarget(SB), BX	// probeExec's target address
	TESTQ	BX, BX
	JZ	oops
	CMPQ	AX, BX
	JNE	oops
	// probeExec: the CALL to the target faulted at the target itself;
	// return to the caller of the CALL as if the target had returned.
	MOVQ	PtRegs_SP(SP), AX
	MOVQ	(AX), BX			// return address pushed by the CALL
	MOVQ	BX, PtRegs_IP(SP)
	ADDQ	$8, PtRegs_SP(SP)
	MOVQ	$0, ·cpu0+PerCPU_probeTarget(SB)
	MOVQ	$1, ·cpu0+PerCPU_probeFault(SB)
	JMP	resume
fixread:
	MOVQ	$·probeReadFixup(SB), AX
	MOVQ	AX, PtRegs_IP(SP)
	MOVQ	$1, ·cpu0+PerCPU_probeFault(SB)
	JMP	resume
irq:
	MOVQ	DI, ·cpu0+PerCPU_vector(SB)
	CALL	·lapicEOI(SB)
resume:
	POP_PT_REGS
	ADDQ	$8, SP				// error code
	IRETQ
oops:
	MOVQ	SP, ·cpu0+PerCPU_kernelRegs(SB)
	MOVQ	DI, ·cpu0+PerCPU_vector(SB)
	MOVQ	CR2, AX
	MOVQ	AX, ·cpu0+PerCPU_cr2(SB)
	MOVQ	·oopsFunc(SB), AX		// func() value
	PUSHQ	AX
	CALL	runtime·systemstack(SB)		// report on g0's stack; does not return
	BYTE	$0x0f; BYTE $0x0b		// UD2

// func enterUser(regs *PtRegs) (vector uint64)
//
// regs must be the pt_regs at the top of the current task's kernel stack.
// Leaves for ring 3 with the state in regs; returns when the next entry
// from ring 3 has saved the new state there.
TEXT ·enterUser(SB),NOSPLIT,$0-16
	MOVQ	SP, ·cpu0+PerCPU_kernelSP(SB)	// Go's stack and frame, for fromUser
	MOVQ	BP, ·cpu0+PerCPU_kernelBP(SB)
	CMPB	·fsgsbase(SB), $0
	JEQ	msrs
	RDFSBASEQ	AX			// Go's FS base, for fromUser
	MOVQ	AX, ·cpu0+PerCPU_kernelFS(SB)
	MOVQ	·cpu0+PerCPU_userFS(SB), AX	// the task's FS and GS bases
	WRFSBASEQ	AX
	MOVQ	·cpu0+PerCPU_userGS(SB), AX
	WRGSBASEQ	AX
	JMP	bases
msrs:						// without FSGSBASE: through the MSRs
	MOVL	$MSR_FS_BASE, CX		// Go's FS base, for fromUser
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ·cpu0+PerCPU_kernelFS(SB)
	MOVQ	·cpu0+PerCPU_userFS(SB), AX	// the task's FS base
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	MOVQ	·cpu0+PerCPU_userGS(SB), AX	// its GS base, if it changed
	CMPQ	AX, ·cpu0+PerCPU_loadedGS(SB)
	JEQ	bases
	MOVQ	AX, ·cpu0+PerCPU_loadedGS(SB)
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$MSR_GS_BASE, CX
	WRMSR
bases:
	MOVQ	regs+0(FP), BX
	LEAQ	PtRegs__size(BX), AX		// TSS.RSP0: just above pt_regs
	MOVQ	AX, ·cpu0+PerCPU_tss+4(SB)
	MOVQ	·cpu0+PerCPU_fpu(SB), AX
	TESTQ	AX, AX
	JZ	regs
	CMPB	·cpu0+PerCPU_fpuFull(SB), $0
	JEQ	fpufast
	FXRSTOR64	(AX)			// the task's whole x87/SSE state
	JMP	regs
fpufast:					// its x87 state is still loaded
	LDMXCSR	24(AX)
	LOAD_XMM(AX)
regs:
	MOVQ	BX, SP				// pop the user registers from pt_regs
	POP_PT_REGS
	ADDQ	$8, SP				// orig_ax; SP = &pt_regs.ip
	CMPB	·cpu0+PerCPU_sysret(SB), $0
	JEQ	iret
	MOVQ	24(SP), SP			// user stack; RCX = RIP, R11 = RFLAGS
	BYTE	$0x48; BYTE $0x0f; BYTE $0x07	// SYSRETQ to 64-bit ring 3
iret:
	IRETQ					// ip, cs, flags, sp, ss from pt_regs

DATA	·defaultMXCSR+0(SB)/4, $0x1f80		// all SSE exceptions masked, round to nearest
GLOBL	·defaultMXCSR(SB), RODATA, $4
