//go:build tamago

package proc

import (
	"runtime"

	"tamix/arch/amd64"
	"tamix/sched"
)

// SyscallHook handles the system call in t.Regs; package syscall sets it.
var SyscallHook func(t *Task)

// runUser is a user task's kernel-side life: enter user mode, handle what
// brought the CPU back, repeat, until the task exits. Mirrors the loop
// that Linux's entry code makes through do_syscall_64() / the exception
// handlers and exit_to_user_mode_loop(). Does not return.
func (t *Task) runUser() {
	for {
		t0 := K.Clock()
		v := amd64.EnterUser(t.Regs, &t.User)
		t.Utime += K.Clock() - t0
		switch {
		case v == amd64.SyscallVector:
			SyscallHook(t)
		case v == amd64.VecPageFault:
			t.pageFault()
		case v == amd64.VecTimer:
			sched.SchedulerTick()
			runtime.Gosched() // timers and other softirq-like goroutines
		case v >= amd64.VecFirstIRQ:
		default:
			t.trapSignal(v)
		}
		t.exitToUserMode()
	}
}

// exitToUserMode acts on what is pending before the task may go back to
// user mode: a fatal signal ends it, a reschedule request is honoured.
// Mirrors kernel/entry/common.c:exit_to_user_mode_loop().
func (t *Task) exitToUserMode() {
	for {
		tasklistLock.Lock()
		sig := t.pendingSignal
		tasklistLock.Unlock()
		if sig != 0 {
			DoExit(SignalStatus(sig))
		}
		if !t.NeedResched() {
			return
		}
		sched.Preempt()
	}
}

// pageFault resolves a fault on a user address, or kills the task.
// Mirrors arch/x86/mm/fault.c:do_user_addr_fault().
func (t *Task) pageFault() {
	addr := uintptr(amd64.FaultAddress())
	code := t.Regs.OrigAX
	err := t.MM.HandleFault(addr, code&amd64.PFWrite != 0, code&amd64.PFInstr != 0, true)
	if err != nil {
		logf("pid %d (%s): SIGSEGV at rip %#x, cr2 %#x: %s (%v)", t.PID, t.Comm, t.Regs.IP,
			addr, amd64.DecodePFError(code), err)
		t.pendingSignal = SIGSEGV
	}
}

// trapSignal kills the task for an exception it raised, with Linux's
// signal for it. Mirrors arch/x86/kernel/traps.c:do_trap() and
// force_sig().
func (t *Task) trapSignal(v uint64) {
	sig := amd64.SignalForTrap(v)
	logf("pid %d (%s): %s at rip %#x: killed by signal %d", t.PID, t.Comm, amd64.VectorName(v), t.Regs.IP, sig)
	t.pendingSignal = sig
}

// switchMM is the architectural part of a switch to t, run by the switch
// on t's behalf: load its page tables (a kernel thread keeps whatever is
// loaded). Mirrors arch/x86/mm/tlb.c:switch_mm_irqs_off().
func (t *Task) switchMM() {
	if t.MM == nil {
		return
	}
	if root := uint64(t.MM.Root()); amd64.ReadCR3()&^0xfff != root {
		amd64.WriteCR3(root)
	}
	t.ActiveMM = t.MM
}

// exitMM drops t's address space, loading the kernel's page tables first
// so that the CPU never walks freed tables. Mirrors kernel/exit.c:exit_mm().
func exitMM(t *Task) {
	if t.MM == nil {
		return
	}
	amd64.WriteCR3(uint64(K.Template.Root()))
	m := t.MM
	t.MM, t.ActiveMM = nil, nil
	m.Put()
}
