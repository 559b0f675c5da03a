package proc

import (
	"encoding/binary"

	"tamix/abi"
	"tamix/arch/amd64"
)

// The x86-64 signal frame (arch/x86/include/asm/sigframe.h), as a
// handler finds it on its stack:
//
//	struct rt_sigframe {
//		char *pretcode;          //   0: sa_restorer; the handler's "ret" goes there
//		struct ucontext uc;      //   8: 304 bytes
//		struct siginfo info;     // 312: 128 bytes
//	};                           // 440 bytes, then padding up to the FPU state
//
//	struct ucontext {
//		unsigned long uc_flags;  //   0
//		struct ucontext *uc_link;//   8
//		stack_t uc_stack;        //  16: ss_sp, ss_flags (int + pad), ss_size
//		struct sigcontext uc_mcontext; // 40: 256 bytes
//		sigset_t uc_sigmask;     // 296: the mask to restore
//	};
//
// and struct sigcontext (asm/sigcontext.h) is r8 ... r15, rdi, rsi, rbp,
// rbx, rdx, rax, rcx, rsp, rip, eflags (8 bytes each), cs, gs, fs, ss
// (2 bytes each), err, trapno, oldmask, cr2, fpstate (pointer), and 8
// reserved words. Host tests pin every offset against the C headers.
const (
	FramePretcode  = 0
	FrameUC        = 8
	FrameInfo      = FrameUC + UCSize
	RtSigframeSize = FrameInfo + 128

	UCFlags    = 0
	UCLink     = 8
	UCStack    = 16
	UCMcontext = 40
	UCSigmask  = UCMcontext + SigcontextSize
	UCSize     = UCSigmask + 8

	SigcontextSize = 256
	scEflags       = 17 * 8 // after the 17 registers r8 ... rip
	scCS           = 18 * 8
	scGS           = scCS + 2
	scFS           = scCS + 4
	scSS           = scCS + 6
	scErr          = 19 * 8
	scTrapno       = 20 * 8
	scOldmask      = 21 * 8
	scCR2          = 22 * 8
	scFpstate      = 23 * 8

	// uc_flags: the frame saved SS and sigreturn must restore it
	// exactly (Linux sets both on x86-64). UC_FP_XSTATE is not set:
	// Tamix saves the legacy FXSAVE area only.
	UC_SIGCONTEXT_SS     = 0x2
	UC_STRICT_RESTORE_SS = 0x4

	// The FPU state below the frame: the 512-byte FXSAVE image, whose
	// software-reserved bytes 464-511 hold struct _fpx_sw_bytes, then
	// FP_XSTATE_MAGIC2 (asm/sigcontext.h). Aligned to 64 bytes.
	FPStateSize      = 512 + 4
	fpxSwBytes       = 464
	FP_XSTATE_MAGIC1 = 0x46505853
	FP_XSTATE_MAGIC2 = 0x46505845
	redZone          = 128 // the x86-64 ABI's red zone below the user's sp
)

// sigcontextRegs lists the general registers in sigcontext order.
func sigcontextRegs(r *amd64.PtRegs) [17]*uint64 {
	return [17]*uint64{&r.R8, &r.R9, &r.R10, &r.R11, &r.R12, &r.R13, &r.R14, &r.R15,
		&r.DI, &r.SI, &r.BP, &r.BX, &r.DX, &r.AX, &r.CX, &r.SP, &r.IP}
}

// SigframePlace returns where the frame and the FPU state go for a
// handler with flags saFlags, given the interrupted sp and the thread's
// alternate stack: below the red zone, or at the top of the alternate
// stack for SA_ONSTACK when the thread is not already on it; the FPU
// state 64-byte aligned, the frame so that sp+8 is 16-byte aligned, as a
// function expects after the call that pushed its return address. ok is
// false when a frame on the alternate stack would overflow it. Mirrors
// arch/x86/kernel/signal.c:get_sigframe().
func SigframePlace(sp uint64, saFlags uint64, alt *SigaltStack) (frame, fpstate uint64, ok bool) {
	nested := alt.OnStack(sp)
	entering := false
	sp -= redZone
	if saFlags&abi.SA_ONSTACK != 0 && alt.StackFlags(sp) == 0 {
		sp = alt.SP + alt.Size
		entering = true
	}
	fpstate = (sp - FPStateSize) &^ 63
	frame = ((fpstate - RtSigframeSize) &^ 15) - 8
	if (nested || entering) && !(frame > alt.SP && frame-alt.SP <= alt.Size) {
		return 0, 0, false
	}
	return frame, fpstate, true
}

// SigframeInput is what goes into a frame besides the registers.
type SigframeInput struct {
	Frame, FPState uint64 // user addresses (SigframePlace)
	Restorer       uint64 // sa_restorer: pretcode
	Info           *Siginfo
	OldMask        Sigset // uc_sigmask and sigcontext.oldmask
	Alt            SigaltStack
	AltFlags       uint32 // uc_stack.ss_flags as sas_ss_flags() gives it
	TrapNr, Err    uint64
	CR2            uint64
}

// BuildRtSigframe returns the bytes of struct rt_sigframe for registers r.
// Mirrors arch/x86/kernel/signal_64.c:x64_setup_rt_frame() with
// setup_sigcontext().
func BuildRtSigframe(r *amd64.PtRegs, in *SigframeInput) []byte {
	b := make([]byte, RtSigframeSize)
	le := binary.LittleEndian
	le.PutUint64(b[FramePretcode:], in.Restorer)
	uc := b[FrameUC : FrameUC+UCSize]
	le.PutUint64(uc[UCFlags:], UC_SIGCONTEXT_SS|UC_STRICT_RESTORE_SS)
	le.PutUint64(uc[UCStack:], in.Alt.SP)
	le.PutUint32(uc[UCStack+8:], in.AltFlags)
	le.PutUint64(uc[UCStack+16:], in.Alt.Size)
	sc := uc[UCMcontext : UCMcontext+SigcontextSize]
	for i, p := range sigcontextRegs(r) {
		le.PutUint64(sc[8*i:], *p)
	}
	le.PutUint64(sc[scEflags:], r.Flags)
	le.PutUint16(sc[scCS:], uint16(r.CS))
	le.PutUint16(sc[scSS:], uint16(r.SS))
	le.PutUint64(sc[scErr:], in.Err)
	le.PutUint64(sc[scTrapno:], in.TrapNr)
	le.PutUint64(sc[scOldmask:], uint64(in.OldMask))
	le.PutUint64(sc[scCR2:], in.CR2)
	le.PutUint64(sc[scFpstate:], in.FPState)
	le.PutUint64(uc[UCSigmask:], uint64(in.OldMask))
	copy(b[FrameInfo:], in.Info[:])
	return b
}

// MarkFPState writes Linux's software bytes into a 512-byte FXSAVE image
// and returns it with FP_XSTATE_MAGIC2 appended, as the frame holds it:
// magic1, extended_size (516), xfeatures (x87|SSE), xstate_size (512).
func MarkFPState(fx []byte) []byte {
	out := make([]byte, FPStateSize)
	copy(out, fx[:512])
	le := binary.LittleEndian
	sw := out[fpxSwBytes:512]
	clear(sw)
	le.PutUint32(sw[0:], FP_XSTATE_MAGIC1)
	le.PutUint32(sw[4:], FPStateSize)
	le.PutUint64(sw[8:], 3)
	le.PutUint32(sw[16:], 512)
	le.PutUint32(out[512:], FP_XSTATE_MAGIC2)
	return out
}

// FlagsFromSigreturn are the RFLAGS bits a signal frame may change
// (Linux's FIX_EFLAGS): the arithmetic flags, DF, TF, AC and RF. IF,
// IOPL, NT, VM and the rest stay as they are, so a forged frame cannot
// raise its I/O privilege or leave interrupts off.
const FlagsFromSigreturn = 1<<0 | 1<<2 | 1<<4 | 1<<6 | 1<<7 | 1<<8 | 1<<10 | 1<<11 | 1<<16 | 1<<18

// Sigcontext is what rt_sigreturn reads back from a frame.
type Sigcontext struct {
	Regs    amd64.PtRegs // the general registers, ip, sp, flags, cs, ss
	FPState uint64       // address of the FPU state, 0: none
	Mask    Sigset       // uc_sigmask
	Stack   SigaltStack  // uc_stack (ss_sp, ss_size; flags below)
	SSFlags uint32
}

// ParseUcontext decodes a struct ucontext (UCSize bytes).
func ParseUcontext(uc []byte) Sigcontext {
	le := binary.LittleEndian
	var c Sigcontext
	sc := uc[UCMcontext : UCMcontext+SigcontextSize]
	for i, p := range sigcontextRegs(&c.Regs) {
		*p = le.Uint64(sc[8*i:])
	}
	c.Regs.Flags = le.Uint64(sc[scEflags:])
	c.Regs.CS = uint64(le.Uint16(sc[scCS:]))
	c.Regs.SS = uint64(le.Uint16(sc[scSS:]))
	c.FPState = le.Uint64(sc[scFpstate:])
	c.Mask = Sigset(le.Uint64(uc[UCSigmask:]))
	c.Stack.SP = le.Uint64(uc[UCStack:])
	c.SSFlags = le.Uint32(uc[UCStack+8:])
	c.Stack.Size = le.Uint64(uc[UCStack+16:])
	return c
}

// RestoreSigcontext puts the registers of a frame into r, keeping what a
// user frame must not choose: RFLAGS bits outside FlagsFromSigreturn,
// and ring 0. It refuses (false: the caller kills the task with SIGSEGV)
// a frame whose code or stack selector is not the 64-bit user one or
// whose ip or sp is not a canonical user address: Linux lets IRET fault
// on those and turns the fault into SIGSEGV; Tamix checks first, because
// a fault on IRETQ would be taken in ring 0. orig_ax becomes -1, so that
// no system-call restart applies to the restored state. Mirrors
// arch/x86/kernel/signal_64.c:restore_sigcontext().
func RestoreSigcontext(r *amd64.PtRegs, c *Sigcontext) bool {
	n := &c.Regs
	if n.CS|3 != amd64.UserCS || n.SS|3 != amd64.UserDS || n.IP >= 1<<47 || n.SP >= 1<<47 {
		return false
	}
	flags := r.Flags&^FlagsFromSigreturn | n.Flags&FlagsFromSigreturn
	*r = *n
	r.Flags = flags
	r.CS, r.SS = amd64.UserCS, amd64.UserDS
	r.OrigAX = ^uint64(0)
	return true
}
