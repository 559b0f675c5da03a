package amd64

import "unsafe"

// FPUState is a task's x87/SSE register file in the 512-byte FXSAVE
// format (Intel SDM vol. 1, 10.5.1). Linux keeps the same in
// thread_struct.fpu; Tamix uses FXSAVE/FXRSTOR only (no AVX state yet,
// so CR4.OSXSAVE stays off and CPUID tells programs AVX is unusable).
// While the task is the CPU's fpuOwner (fpu_live.go) the image's x87 part
// is stale; the methods below bring it up to date first.
type FPUState struct {
	buf [512 + 15]byte // FXSAVE needs 16-byte alignment: area() aligns
}

// NewFPUState returns the state a new program starts with: x87 control
// word 0x37f and MXCSR 0x1f80 (all exceptions masked), as after FNINIT,
// and as Linux's fpstate_init gives.
func NewFPUState() *FPUState {
	f := new(FPUState)
	f.Reset()
	return f
}

func (f *FPUState) area() *[512]byte {
	p := unsafe.Pointer(&f.buf[0])
	return (*[512]byte)(unsafe.Add(p, (16-uintptr(p)%16)%16))
}

// CopyFrom makes f a copy of g (fork: the child starts with the parent's
// registers).
func (f *FPUState) CopyFrom(g *FPUState) {
	g.sync()
	f.sync()
	*f.area() = *g.area()
}

// XMM returns the low 8 bytes of register xmm[i] (for tests and dumps).
func (f *FPUState) XMM(i int) uint64 {
	f.sync()
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
	FSBase uint64    // arch_prctl(ARCH_SET_FS), or the user's WRFSBASE
	GSBase uint64    // arch_prctl(ARCH_SET_GS), or the user's WRGSBASE
	FPU    *FPUState // x87/SSE registers
}

// MXCSRMask holds the MXCSR bits this CPU lets FXRSTOR load (the
// MXCSR_MASK field of an FXSAVE image; 0xffbf when the CPU reports none,
// Intel SDM vol. 1, 11.6.6). Set once by Init. A reserved bit set in the
// image makes FXRSTOR fault, so state that comes from user space (a
// signal frame) is masked with it first.
var MXCSRMask uint32 = 0xffbf

// Image returns a copy of the 512-byte FXSAVE image (for a signal frame).
func (f *FPUState) Image() []byte {
	f.sync()
	out := make([]byte, 512)
	copy(out, f.area()[:])
	return out
}

// LoadImage replaces the state with a user-supplied FXSAVE image (from a
// signal frame), masking MXCSR so that FXRSTOR cannot fault. Mirrors the
// fxsave path of arch/x86/kernel/fpu/signal.c:__fpu_restore_sig().
func (f *FPUState) LoadImage(img []byte) {
	f.sync()
	a := f.area()
	copy(a[:], img[:512])
	m := uint32(a[24]) | uint32(a[25])<<8 | uint32(a[26])<<16 | uint32(a[27])<<24
	m &= MXCSRMask
	a[24], a[25], a[26], a[27] = byte(m), byte(m>>8), byte(m>>16), byte(m>>24)
}

// Reset gives the state a new program starts with (fpu__clear_user_states).
func (f *FPUState) Reset() {
	f.sync()
	a := f.area()
	clear(a[:])
	a[0], a[1] = 0x7f, 0x03   // FCW
	a[24], a[25] = 0x80, 0x1f // MXCSR
}
