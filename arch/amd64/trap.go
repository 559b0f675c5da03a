package amd64

import "fmt"

// Signals, Linux x86-64 numbering.
const (
	SIGILL  = 4
	SIGTRAP = 5
	SIGBUS  = 7
	SIGFPE  = 8
	SIGSEGV = 11
)

var vectorNames = [32]string{
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
	"invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
	"invalid TSS", "segment not present", "stack segment fault", "general protection fault",
	"page fault", "reserved", "x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point exception", "virtualization exception", "control protection",
}

// VectorName names an exception vector.
func VectorName(v uint64) string {
	switch {
	case v == SyscallVector:
		return "system call"
	case v < 32 && vectorNames[v] != "":
		return vectorNames[v]
	case v < 32:
		return fmt.Sprintf("reserved exception %d", v)
	}
	return fmt.Sprintf("interrupt %d", v)
}

// SignalForTrap returns the signal that kills a task for an exception it
// raised in user mode, as Linux's arch/x86/kernel/traps.c does: #DE and
// x87/SIMD errors SIGFPE, #UD SIGILL, #BP and #DB SIGTRAP, #SS and #AC
// SIGBUS, and #GP (privileged or I/O instructions included), #PF, #OF,
// #BR SIGSEGV. 0 for vectors that are not exceptions.
func SignalForTrap(v uint64) int {
	switch v {
	case VecDivide, VecX87, VecSIMD:
		return SIGFPE
	case VecInvalidOp:
		return SIGILL
	case VecBreakpoint, VecDebug:
		return SIGTRAP
	case VecStack, VecAlignment:
		return SIGBUS
	case VecGeneralProt, VecPageFault, VecOverflow, VecBound, VecSegment, VecInvalidTSS, VecDevice:
		return SIGSEGV
	}
	return 0
}

// Page-fault error code bits (Intel SDM vol. 3, 4.7).
const (
	PFPresent = 1 << 0 // the page was present: a protection violation
	PFWrite   = 1 << 1 // a write
	PFUser    = 1 << 2 // from ring 3
	PFRsvd    = 1 << 3 // a reserved bit was set in a paging entry
	PFInstr   = 1 << 4 // an instruction fetch
	PFPK      = 1 << 5 // protection keys
	PFShadow  = 1 << 6 // shadow stack
)

// DecodePFError spells out a page-fault error code, the way Linux's
// show_fault_oops does ("supervisor read access in kernel mode",
// "[#1] not-present page").
func DecodePFError(code uint64) string {
	who := "supervisor"
	if code&PFUser != 0 {
		who = "user"
	}
	what := "read access"
	switch {
	case code&PFInstr != 0:
		what = "instruction fetch"
	case code&PFWrite != 0:
		what = "write access"
	}
	why := "not-present page"
	switch {
	case code&PFRsvd != 0:
		why = "reserved bit violation"
	case code&PFPresent != 0:
		why = "permissions violation"
	}
	return fmt.Sprintf("%s %s, %s (error code %#x)", who, what, why, code)
}

// SiCodeForTrap returns the si_code Linux gives the signal of a user
// exception, and whether si_addr is the faulting instruction (otherwise
// it is 0): #DE FPE_INTDIV and #UD ILL_ILLOPN at the instruction, #DB
// TRAP_TRACE (single step), #AC BUS_ADRALN, x87/SIMD FPE_FLTINV, and
// SI_KERNEL for the rest (#GP, int3, #SS, ...), as force_sig() gives.
// Mirrors the do_error_trap() calls in arch/x86/kernel/traps.c.
func SiCodeForTrap(v uint64) (code int, addrIsIP bool) {
	switch v {
	case VecDivide:
		return 1, true // FPE_INTDIV
	case VecInvalidOp:
		return 2, true // ILL_ILLOPN
	case VecDebug:
		return 2, false // TRAP_TRACE
	case VecAlignment:
		return 1, false // BUS_ADRALN
	case VecX87, VecSIMD:
		return 7, true // FPE_FLTINV
	}
	return 0x80, false // SI_KERNEL
}
