//go:build tamago

package amd64

import "unsafe"

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
	c.userFS, c.userGS = uc.FSBase, uc.GSBase
	c.fpu, c.fpuFull = 0, 0
	if f := uc.FPU; f != nil {
		c.fpu = uint64(uintptr(unsafe.Pointer(f.area())))
		if c.fpuOwner != f { // another task's x87 state is loaded, or none
			if c.fpuOwner != nil {
				c.fpuOwner.sync()
			}
			c.fpuOwner, c.fpuFull = f, 1
		}
	}
	c.sysret = 0
	if regs.SysretSafe() {
		c.sysret = 1
	}
	vector = enterUser(regs)
	if fsgsbase != 0 { // user code may have changed them itself
		uc.FSBase, uc.GSBase = c.userFS, c.userGS
	}
	return vector
}

// FaultAddress is CR2 as saved at the last entry from user mode.
func FaultAddress() uint64 { return cpu0.cr2 }

// KernelStackRegs returns the pt_regs slot at the top of a kernel stack
// whose highest address (exclusive) is top.
func KernelStackRegs(top uintptr) *PtRegs {
	return (*PtRegs)(unsafe.Pointer(top - PtRegsSize))
}
