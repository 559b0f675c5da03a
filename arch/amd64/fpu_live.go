//go:build tamago

package amd64

// PerCPU.fpuOwner is the task FPU state whose x87 part (control and
// status words, ST0-7/MM0-7) is in the CPU's registers: the last one
// enterUser loaded on that CPU. The entry code stores only MXCSR and
// XMM0-15 into the image (Go code changes those, never the x87
// registers), so while a state is the owner its image's x87 part is
// stale, and enterUser may return to the same task by reloading MXCSR and
// XMM0-15 alone. Read and written by Go code on that CPU only (a task
// that moves to another CPU must sync first, once there is more than
// one). Mirrors Linux's per-CPU fpu_fpregs_owner_ctx
// (arch/x86/kernel/fpu/context.h), which keeps the whole register file
// live for the same reason.

// sync writes f's live x87 state into its image, if f is the owner, and
// leaves no owner, so that the next enterUser restores the whole image
// (which the caller may be about to change). Every FPUState accessor
// calls it first. Mirrors the save half of Linux's
// fpregs_lock_and_load()/fpu_sync_fpstate().
func (f *FPUState) sync() {
	if c := &cpu0; f != nil && c.fpuOwner == f {
		fpuSaveLive(f.area())
		c.fpuOwner = nil
	}
}
