//go:build tamago

package proc

import (
	"runtime"
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/mm"
	"tamix/sched"
	"tamix/trace"
)

// SyscallHook handles the system call in t.Regs; package syscall sets it.
var SyscallHook func(t *Task)

func init() {
	// Long work in mm (populating a mapping) gives way between chunks
	// (cond_resched): kernel code is never preempted, so it must.
	mm.Resched = sched.CondResched
}

// runUser is a user task's kernel-side life: enter user mode, handle what
// brought the CPU back, repeat, until the task exits. Mirrors the loop
// that Linux's entry code makes through do_syscall_64() / the exception
// handlers and exit_to_user_mode_loop(). Does not return.
func (t *Task) runUser() {
	for {
		t0 := amd64.RDTSC() // user time: TSC cycles, not the float-scaled clock
		v := amd64.EnterUser(t.Regs, &t.User)
		t.Utime += amd64.CyclesToNs(amd64.RDTSC() - t0)
		switch {
		case v == amd64.SyscallVector:
			nr := t.Regs.OrigAX // for sys_exit: execve replaces the registers
			if trace.On(trace.SysEnter) {
				TraceSysEnter(t) // syscall_enter_from_user_mode()
			}
			SyscallHook(t)
			if trace.On(trace.SysExit) {
				TraceSysExit(t, nr) // syscall_exit_to_user_mode()
			}
		case v == amd64.VecPageFault:
			t.pageFault()
		case v == amd64.VecTimer:
			t.ChargeCPUTimers(time.Second / time.Duration(amd64.TimerHz))
			sched.SchedulerTick()
			runtime.Gosched() // timers and other softirq-like goroutines
		case v >= amd64.VecFirstIRQ:
			amd64.HandleIRQ(v) // a device's interrupt (the UART's)
		default:
			t.trapSignal(v)
		}
		t.exitToUserMode(v == amd64.SyscallVector)
	}
}

// exitToUserMode acts on what is pending before the task may go back to
// user mode: signals are delivered (a handler's frame is set up, a
// default action taken, an interrupted system call restarted), a
// reschedule request is honoured. syscall says the task came in through
// SYSCALL. Mirrors kernel/entry/common.c:exit_to_user_mode_loop().
func (t *Task) exitToUserMode(syscall bool) {
	for {
		if t.sigpending.Load() || t.restoreSigmask || (syscall && isRestartCode(t.Regs.AX)) {
			t.doSignal(syscall)
		}
		if t.NeedResched() {
			sched.Preempt()
			continue
		}
		if !t.sigpending.Load() {
			return
		}
	}
}

// pageFault resolves a fault on a user address, or sends the task
// SIGSEGV with the address and SEGV_MAPERR or SEGV_ACCERR. Mirrors
// arch/x86/mm/fault.c:do_user_addr_fault() and bad_area().
func (t *Task) pageFault() {
	addr := uintptr(amd64.FaultAddress())
	code := t.Regs.OrigAX
	if trace.On(trace.PageFaultUser) {
		tracePageFault(t, addr, code)
	}
	err := t.MM.HandleFault(addr, code&amd64.PFWrite != 0, code&amd64.PFInstr != 0, true)
	if err == nil {
		return
	}
	if err == abi.ENOMEM && t.pagefaultOutOfMemory() {
		return // the access is tried again, unless this task was the victim
	}
	t.trapNr, t.trapErr, t.trapCR2 = amd64.VecPageFault, code|amd64.PFUser, uint64(addr)
	if addr >= 1<<47-4096 {
		// Like Linux's set_signal_archinfo(): a user access to a
		// kernel address always looks like a protection fault, so
		// that the frame does not tell what the kernel maps.
		t.trapErr |= amd64.PFPresent
	}
	info := NewFaultInfo(SIGSEGV, abi.SEGV_MAPERR, uint64(addr))
	if fe, ok := err.(*mm.FaultError); ok {
		info = NewFaultInfo(fe.Signo, fe.Code, uint64(fe.Addr))
	}
	logf("pid %d (%s): page fault at rip %#x, cr2 %#x: %s (%v)", t.PID, t.Comm, t.Regs.IP,
		addr, amd64.DecodePFError(code), err)
	ForceSigFault(t, info)
}

// trapSignal sends the task the signal for an exception it raised, with
// Linux's si_code and si_addr. Mirrors arch/x86/kernel/traps.c:do_trap(),
// do_error_trap() and exc_general_protection().
func (t *Task) trapSignal(v uint64) {
	sig := amd64.SignalForTrap(v)
	t.trapNr, t.trapErr, t.trapCR2 = v, t.Regs.OrigAX, 0
	code, atIP := amd64.SiCodeForTrap(v)
	addr := uint64(0)
	if atIP {
		addr = t.Regs.IP
	}
	logf("pid %d (%s): %s at rip %#x: signal %d", t.PID, t.Comm, amd64.VectorName(v), t.Regs.IP, sig)
	ForceSigFault(t, NewFaultInfo(sig, code, addr))
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

// exitMM drops t's address space. The tables stay loaded while other
// tasks use them (a thread's exit, a vfork child's exec); the last user's
// Put loads the kernel's page tables before it frees them (the MM's TLB
// is an mm.Unloader), so the CPU never walks freed tables. Mirrors
// kernel/exit.c:exit_mm(), whose CPU keeps the mm as its lazy active_mm.
func exitMM(t *Task) {
	if t.MM == nil {
		return
	}
	m := t.MM
	t.MM, t.ActiveMM = nil, nil
	m.PutResched()
}
