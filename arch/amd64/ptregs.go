// Package amd64 is everything in Tamix that knows the x86-64 instruction
// set: descriptor tables, trap and system-call entry, entering user mode
// and coming back, per-task user state (FS base, FPU), TLB and control
// registers.
package amd64

// PtRegs is the user register frame saved at the top of a task's kernel
// stack on every entry from user mode, field for field Linux's x86-64
// struct pt_regs (arch/x86/include/asm/ptrace.h): 168 bytes, r15 at
// offset 0 ... ss at 160. The last five words are the frame the CPU
// pushes on an interrupt or exception; the entry code pushes the rest.
// Assembly takes the offsets from go_asm.h (PtRegs_R15, ...).
type PtRegs struct {
	R15 uint64
	R14 uint64
	R13 uint64
	R12 uint64
	BP  uint64
	BX  uint64
	R11 uint64
	R10 uint64
	R9  uint64
	R8  uint64
	AX  uint64
	CX  uint64
	DX  uint64
	SI  uint64
	DI  uint64
	// OrigAX is the system-call number on a system call, the error code
	// the CPU pushed on an exception that has one, else 0.
	OrigAX uint64
	IP     uint64
	CS     uint64
	Flags  uint64
	SP     uint64
	SS     uint64
}

// PtRegsSize is sizeof(struct pt_regs).
const PtRegsSize = 21 * 8

// Segment selectors, as in Linux's GDT (arch/x86/include/asm/segment.h):
// the order the SYSCALL and SYSRET instructions require.
const (
	KernelCS = 2 * 8   // __KERNEL_CS: 64-bit kernel code
	KernelDS = 3 * 8   // __KERNEL_DS
	User32CS = 4*8 | 3 // __USER32_CS: base of SYSRET's selector pair
	UserDS   = 5*8 | 3 // __USER_DS
	UserCS   = 6*8 | 3 // __USER_CS: 64-bit user code
	TSSSel   = 8 * 8   // GDT_ENTRY_TSS (16-byte descriptor)
	gdtSize  = 10      // entries, the TSS taking two
	rflagsIF = 1 << 9  // interrupt enable
	rflagsID = 1 << 21 // CPUID available (kept as Linux does)
	rflagsR1 = 1 << 1  // always-one bit
	userRFL  = rflagsIF | rflagsR1
	canonMax = 1<<47 - 1 // highest canonical lower-half address
)

// NewUserRegs returns the register frame that starts a user program at ip
// with stack pointer sp: user segments, interrupts enabled, all general
// registers zero (as the System V ABI leaves them, except what it names).
func NewUserRegs(ip, sp uint64) PtRegs {
	return PtRegs{IP: ip, SP: sp, CS: UserCS, SS: UserDS, Flags: userRFL}
}

// UserMode reports whether the frame was saved from ring 3.
func (r *PtRegs) UserMode() bool { return r.CS&3 == 3 }

// SysretSafe reports whether the frame can be resumed with SYSRETQ, which
// takes RIP from RCX and RFLAGS from R11 and forces the user selectors:
// only when those already agree and RIP is canonical (SYSRET with a
// non-canonical RCX faults in ring 0 on Intel CPUs). Everything else goes
// back with IRETQ. Mirrors the checks of Linux's
// arch/x86/entry/common.c:do_syscall_64().
func (r *PtRegs) SysretSafe() bool {
	return r.CX == r.IP && r.R11 == r.Flags && r.CS == UserCS && r.SS == UserDS &&
		r.IP <= canonMax-4096 && r.Flags&(1<<8|1<<16) == 0 // no TF, no RF
}
