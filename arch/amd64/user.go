//go:build tamago

package amd64

import "unsafe"

// FPUState is a task's x87/SSE register file in the 512-byte FXSAVE
// format (Intel SDM vol. 1, 10.5.1). Linux keeps the same in
// thread_struct.fpu; Tamix uses FXSAVE/FXRSTOR only (no AVX state yet,
// so CR4.OSXSAVE stays off and CPUID tells programs AVX is unusable).
type FPUState struct {
	buf [512 + 15]byte // FXSAVE needs 16-byte alignment: area() aligns
}

// NewFPUState returns the state a new program starts with: x87 control
// word 0x37f and MXCSR 0x1f80 (all exceptions masked), as after FNINIT,
// and as Linux's fpstate_init gives.
func NewFPUState() *FPUState {
	f := new(FPUState)
	a := f.area()
	a[0], a[1] = 0x7f, 0x03   // FCW
	a[24], a[25] = 0x80, 0x1f // MXCSR
	return f
}

func (f *FPUState) area() *[512]byte {
	p := (uintptr(unsafe.Pointer(&f.buf[0])) + 15) &^ 15
	return (*[512]byte)(unsafe.Pointer(p))
}

// CopyFrom makes f a copy of g (fork: the child starts with the parent's
// registers).
func (f *FPUState) CopyFrom(g *FPUState) { *f.area() = *g.area() }

// XMM returns the low 8 bytes of register xmm[i] (for tests and dumps).
func (f *FPUState) XMM(i int) uint64 {
	a := f.area()
	var v uint64
	for b := 0; b < 8; b++ {
		v |= uint64(a[160+16*i+b]) << (8 * b)
	}
	return v
}

// UserContext is the part of a task's user state that is not in
// pt_regs: what enterUser loads besides the registers.
type UserContext struct {
	FSBase uint64    // arch_prctl(ARCH_SET_FS)
	FPU    *FPUState // x87/SSE registers
}

// EnterUser runs the user state in regs until the next entry into the
// kernel and returns why: an exception or interrupt vector, or
// SyscallVector. regs must be the pt_regs at the top of the current
// task's kernel stack: that is where the CPU and the entry code save the
// state again. Must be called with interrupts off (always, in Tamix's Go
// code).
//
// Mirrors the return half of Linux's entry code (swapgs_restore_regs_and_
// return_to_usermode, or sysretq) and, for the way back, the entry half;
// in Linux the kernel is entered by a trap, here the trap "returns" to
// the Go code that entered user mode, as gVisor's ring0 does.
func EnterUser(regs *PtRegs, uc *UserContext) (vector uint64) {
	c := &cpu0
	c.userFS = uc.FSBase
	c.fpu = 0
	if uc.FPU != nil {
		c.fpu = uint64(uintptr(unsafe.Pointer(uc.FPU.area())))
	}
	c.sysret = 0
	if regs.SysretSafe() {
		c.sysret = 1
	}
	return enterUser(regs)
}

// FaultAddress is CR2 as saved at the last entry from user mode.
func FaultAddress() uint64 { return cpu0.cr2 }

// KernelStackRegs returns the pt_regs slot at the top of a kernel stack
// whose highest address (exclusive) is top.
func KernelStackRegs(top uintptr) *PtRegs {
	return (*PtRegs)(unsafe.Pointer(top - PtRegsSize))
}
