//go:build tamago

package proc

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/sched"
	"tamix/trace"
)

// Delivering signals on the way back to user mode: kernel/signal.c's
// get_signal(), arch/x86/kernel/signal.c's arch_do_signal_or_restart(),
// handle_signal() and setup_rt_frame(), and rt_sigreturn.
//
// In Linux the kernel runs these on the task's kernel stack just before
// it returns to user mode; in Tamix the task's goroutine runs them between
// handling one trap and calling EnterUser again (runUser). The effect on
// pt_regs and on the user stack is the same.

// ksignal is a signal chosen for delivery with its handler (struct ksignal).
type ksignal struct {
	sig  int
	info *Siginfo
	ka   Sigaction
}

// SysRestartSyscall is restart_syscall(2)'s number, which
// ERESTART_RESTARTBLOCK makes the task call on its way back.
const SysRestartSyscall = 219

// isRestartCode reports whether a system call's result in RAX is one of
// the kernel-internal restart codes.
func isRestartCode(ax uint64) bool {
	switch abi.Errno(-int64(ax)) {
	case abi.ERESTARTSYS, abi.ERESTARTNOINTR, abi.ERESTARTNOHAND, abi.ERESTART_RESTARTBLOCK:
		return true
	}
	return false
}

// doSignal delivers one signal, or, if no handler is to run, restarts an
// interrupted system call and puts back a mask saved by sigsuspend.
// syscall says the task entered through SYSCALL. Mirrors
// arch/x86/kernel/signal.c:arch_do_signal_or_restart().
func (t *Task) doSignal(syscall bool) {
	r := t.Regs
	if ks, ok := t.GetSignal(); ok {
		t.HandleSignal(ks, syscall)
		return
	}
	if syscall && int64(r.OrigAX) >= 0 {
		switch abi.Errno(-int64(r.AX)) {
		case abi.ERESTARTNOHAND, abi.ERESTARTSYS, abi.ERESTARTNOINTR:
			r.AX = r.OrigAX
			r.IP -= 2 // the SYSCALL instruction again
		case abi.ERESTART_RESTARTBLOCK:
			r.AX = SysRestartSyscall
			r.IP -= 2
		}
	}
	if t.restoreSigmask {
		t.restoreSigmask = false
		t.SetBlocked(t.SavedSigmask)
	}
}

// GetSignal dequeues the next signal that has a handler to run, acting
// on the others as their default says (ignore, stop the group, or end
// it), and tells the parent about a stop or continue it owes. Returns
// false when nothing is left to deliver. Mirrors kernel/signal.c:
// get_signal().
func (t *Task) GetSignal() (ksignal, bool) {
	for {
		tasklistLock.Lock()
		sh := t.Sighand
		sh.Siglock.Lock()
		s := t.Signal
		if why := s.Flags & (SIGNAL_CLD_STOPPED | SIGNAL_CLD_CONTINUED); why != 0 {
			s.Flags &^= SIGNAL_CLD_STOPPED | SIGNAL_CLD_CONTINUED
			sh.Siglock.Unlock()
			code := abi.CLD_CONTINUED
			if why == SIGNAL_CLD_STOPPED {
				code = abi.CLD_STOPPED
			}
			notifyParentCldstopLocked(t, code)
			tasklistLock.Unlock()
			continue
		}
		if s.Flags&SIGNAL_GROUP_EXIT != 0 {
			code := s.GroupExitCode
			sh.Siglock.Unlock()
			tasklistLock.Unlock()
			DoGroupExit(code)
		}
		if t.jobctlStopPending {
			t.doSignalStopLocked(0) // unlocks both
			continue
		}
		sig, info := t.dequeueSignalLocked()
		if sig == 0 {
			recalcSigpendingLocked(t)
			sh.Siglock.Unlock()
			tasklistLock.Unlock()
			return ksignal{}, false
		}
		ka := sh.Action[sig-1]
		if trace.On(trace.SignalDeliver) {
			traceSignalDeliver(t, sig, info, ka)
		}
		if ka.Handler == abi.SIG_IGN {
			sh.Siglock.Unlock()
			tasklistLock.Unlock()
			continue
		}
		if ka.Handler != abi.SIG_DFL {
			if ka.Flags&abi.SA_RESETHAND != 0 {
				sh.Action[sig-1].Handler = abi.SIG_DFL // SA_ONESHOT
			}
			sh.Siglock.Unlock()
			tasklistLock.Unlock()
			return ksignal{sig, info, ka}, true
		}
		if !t.defaultActionLocked(sig) {
			continue // ignored, or the group stopped and was continued
		}
		sh.Siglock.Unlock()
		tasklistLock.Unlock()
		DoGroupExit(SignalStatus(sig)) // Term and Core: the whole process ends
	}
}

// defaultActionLocked applies sig's default action where it is not to
// end the process: nothing (ignored signals; anything but SIGKILL/SIGSTOP
// sent to init), or a group stop. Returns true if the process must end;
// with false both locks have been released. Caller holds tasklistLock
// and Siglock.
func (t *Task) defaultActionLocked(sig int) bool {
	sh := t.Sighand
	stopNoop := sigKernelStop.Has(sig) && sig != abi.SIGSTOP && isOrphanedPgrpLocked(t.Signal.Pgrp, nil)
	switch {
	case sigKernelIgnore.Has(sig), stopNoop,
		t.Signal.Flags&SIGNAL_UNKILLABLE != 0 && !sigKernelOnly.Has(sig):
		sh.Siglock.Unlock()
		tasklistLock.Unlock()
		return false
	case sigKernelStop.Has(sig):
		t.doSignalStopLocked(sig) // unlocks both
		return false
	}
	return true
}

// dequeueSignalLocked takes the next deliverable signal: the thread's
// own pending set first, then the process's. Mirrors kernel/signal.c:
// dequeue_signal().
func (t *Task) dequeueSignalLocked() (int, *Siginfo) {
	for _, p := range []*SigPending{&t.Pending, &t.Signal.SharedPending} {
		if sig := p.nextSignal(t.Blocked); sig != 0 {
			before := len(p.List)
			info := p.dequeue(sig)
			if len(p.List) < before {
				sigqueueCount.Add(-1)
			}
			return sig, info
		}
	}
	return 0, nil
}

// doSignalStopLocked takes part in a group stop: the first thread to
// dequeue a stop signal (sig != 0) asks every thread to stop; each one
// decrements the count and the last tells the parent. Then the thread
// sleeps in TASK_STOPPED until SIGCONT or SIGKILL wakes it. Called with
// tasklistLock and Siglock held; releases both. Mirrors kernel/signal.c:
// do_signal_stop().
func (t *Task) doSignalStopLocked(sig int) {
	s := t.Signal
	if sig != 0 && !t.jobctlStopPending && s.Flags&SIGNAL_STOP_STOPPED == 0 {
		s.GroupExitCode = sig
		s.stopReported = false
		s.GroupStopCount = 0
		for _, o := range threadsLocked(t) {
			if o.Flags&PF_EXITING == 0 {
				o.jobctlStopPending = true
				s.GroupStopCount++
				if o != t {
					signalWakeUp(o, false)
				}
			}
		}
	}
	participated := t.jobctlStopPending
	notify := t.participateGroupStopLocked()
	// Every thread that takes part stops, not only the last one: the
	// others wait in TASK_STOPPED for SIGCONT like it (a thread that
	// went on would run while its process is reported stopped, and
	// could go back to sleep in a call that SIGCONT does not wake).
	stopped := participated || s.Flags&SIGNAL_STOP_STOPPED != 0
	if stopped {
		t.SetState(sched.TaskStopped)
	}
	recalcSigpendingLocked(t)
	t.Sighand.Siglock.Unlock()
	if notify {
		notifyParentCldstopLocked(t, abi.CLD_STOPPED)
	}
	tasklistLock.Unlock()
	if stopped {
		sched.Schedule() // until SIGCONT or SIGKILL
	}
}

// participateGroupStopLocked counts t in the group stop it was asked to
// take part in, if it was, and reports whether it was the last, whose
// parent must be told. Caller holds Siglock. Mirrors kernel/signal.c:
// task_participate_group_stop().
func (t *Task) participateGroupStopLocked() bool {
	if !t.jobctlStopPending {
		return false
	}
	t.jobctlStopPending = false
	s := t.Signal
	if s.GroupStopCount--; s.GroupStopCount > 0 {
		return false
	}
	s.GroupStopCount = 0
	s.Flags = SIGNAL_STOP_STOPPED
	return true
}

// notifyParentCldstopLocked tells the parent that t's process stopped or
// continued: SIGCHLD with CLD_STOPPED or CLD_CONTINUED (unless the parent
// set SA_NOCLDSTOP or ignores SIGCHLD), and a wake-up of its wait4.
// Caller holds tasklistLock. Mirrors kernel/signal.c:
// do_notify_parent_cldstop().
func notifyParentCldstopLocked(t *Task, why int) {
	leader := tasks[t.TGID]
	if leader == nil {
		leader = t
	}
	parent := leader.Parent
	if parent == nil || parent.Sighand == nil {
		return
	}
	status := abi.SIGCONT
	if why == abi.CLD_STOPPED {
		status = t.Signal.GroupExitCode
	}
	parent.Sighand.Siglock.Lock()
	a := parent.Sighand.Action[SIGCHLD-1]
	parent.Sighand.Siglock.Unlock()
	if a.Handler != abi.SIG_IGN && a.Flags&abi.SA_NOCLDSTOP == 0 {
		info := NewChildInfo(SIGCHLD, why, leader.TGID, status, leader.Utime, 0)
		sendSignalLocked(SIGCHLD, info, parent, true)
	}
	parent.Signal.ChildWait.WakeUp()
}

// DoGroupExit ends every thread of the current process with wait status
// code, or with the status of a group exit already under way. Does not
// return. Mirrors kernel/exit.c:do_group_exit().
func DoGroupExit(code int) {
	t := Current()
	tasklistLock.Lock()
	sh := t.Sighand
	sh.Siglock.Lock()
	s := t.Signal
	switch {
	case s.groupExec != nil && s.groupExec != t:
		// Killed by de_thread: the process lives on in the exec'ing
		// thread, so this is not a group exit.
	case s.Flags&SIGNAL_GROUP_EXIT != 0:
		code = s.GroupExitCode
	default:
		s.Flags = SIGNAL_GROUP_EXIT
		s.GroupExitCode = code
		s.GroupStopCount = 0
		zapOtherThreadsLocked(t)
	}
	sh.Siglock.Unlock()
	tasklistLock.Unlock()
	DoExit(code)
}

// HandleSignal runs a handler: it settles an interrupted system call
// (EINTR, or a restart per SA_RESTART), writes the signal frame, and
// blocks the handler's mask. A frame that cannot be written kills the
// task with SIGSEGV. Mirrors arch/x86/kernel/signal.c:handle_signal()
// and kernel/signal.c:signal_setup_done().
func (t *Task) HandleSignal(ks ksignal, syscall bool) {
	r := t.Regs
	if syscall && int64(r.OrigAX) >= 0 {
		switch abi.Errno(-int64(r.AX)) {
		case abi.ERESTART_RESTARTBLOCK, abi.ERESTARTNOHAND:
			r.AX = uint64(abi.EINTR.Neg())
		case abi.ERESTARTSYS:
			if ks.ka.Flags&abi.SA_RESTART == 0 {
				r.AX = uint64(abi.EINTR.Neg())
				break
			}
			fallthrough
		case abi.ERESTARTNOINTR:
			r.AX = r.OrigAX
			r.IP -= 2
		}
	}
	old := t.Blocked
	if t.restoreSigmask {
		old = t.SavedSigmask
	}
	if !t.SetupRtFrame(ks, old) {
		t.forceSigsegv(ks.sig)
		return
	}
	t.restoreSigmask = false
	blocked := t.Blocked | ks.ka.Mask // the frame has the mask to go back to
	if ks.ka.Flags&abi.SA_NODEFER == 0 {
		blocked |= SigMask(ks.sig)
	}
	t.SetBlocked(blocked)
}

// forceSigsegv kills the task with SIGSEGV when a frame for sig could not
// be written (kernel/signal.c:force_sigsegv()).
func (t *Task) forceSigsegv(sig int) {
	if sig == SIGSEGV {
		t.Sighand.Siglock.Lock()
		t.Sighand.Action[SIGSEGV-1].Handler = abi.SIG_DFL
		t.Sighand.Siglock.Unlock()
	}
	ForceSigFault(t, NewKernelInfo(SIGSEGV))
}

// SetupRtFrame writes struct rt_sigframe and the FPU state on the user
// stack (or the alternate stack) and points pt_regs at the handler:
// RDI = sig, RSI = &frame.info, RDX = &frame.uc, RSP = the frame, whose
// first word is the return address sa_restorer. SA_RESTORER is required,
// as on Linux x86-64. Returns false if the frame cannot be written.
// Mirrors arch/x86/kernel/signal_64.c:x64_setup_rt_frame().
func (t *Task) SetupRtFrame(ks ksignal, oldmask Sigset) bool {
	r := t.Regs
	if ks.ka.Flags&abi.SA_RESTORER == 0 {
		return false
	}
	frame, fp, ok := SigframePlace(r.SP, ks.ka.Flags, &t.Altstack)
	if !ok {
		return false
	}
	in := &SigframeInput{Frame: frame, FPState: fp, Restorer: ks.ka.Restorer, Info: ks.info,
		OldMask: oldmask, Alt: t.Altstack, AltFlags: t.Altstack.SavedFlags(),
		TrapNr: t.trapNr, Err: t.trapErr, CR2: t.trapCR2}
	if _, err := t.MM.CopyToUser(uintptr(fp), MarkFPState(t.User.FPU.Image())); err != nil {
		return false
	}
	if _, err := t.MM.CopyToUser(uintptr(frame), BuildRtSigframe(r, in)); err != nil {
		return false
	}
	if t.Altstack.Flags&abi.SS_AUTODISARM != 0 {
		t.Altstack = SigaltStack{} // sas_ss_reset(): uc_stack has it
	}
	r.DI = uint64(ks.sig)
	r.SI = frame + FrameInfo
	r.DX = frame + FrameUC
	r.AX = 0 // for handlers declared without a prototype
	r.SP = frame
	r.IP = ks.ka.Handler
	r.CS, r.SS = amd64.UserCS, amd64.UserDS
	r.Flags &^= 1<<10 | 1<<16 | 1<<8 // DF, RF, TF: a clean start for the handler
	t.User.FPU.Reset()               // fpu__clear_user_states()
	return true
}

// RtSigreturn restores the state a signal frame saved: registers, FPU,
// mask and alternate stack, from the frame whose ucontext follows the
// return address the handler's ret popped. A frame that cannot be read
// or that asks for something a user frame may not have (see
// RestoreSigcontext) kills the task with SIGSEGV. Returns the value for
// RAX: the restored one. Mirrors arch/x86/kernel/signal_64.c:
// SYSCALL_DEFINE0(rt_sigreturn).
func (t *Task) RtSigreturn() int64 {
	r := t.Regs
	frame := r.SP - 8
	uc := make([]byte, UCSize)
	if _, err := t.MM.CopyFromUser(uc, uintptr(frame+FrameUC)); err != nil {
		return t.badFrame()
	}
	c := ParseUcontext(uc)
	var fx []byte
	if c.FPState != 0 {
		fx = make([]byte, 512)
		if _, err := t.MM.CopyFromUser(fx, uintptr(c.FPState)); err != nil {
			return t.badFrame()
		}
	}
	saved := *r
	if !RestoreSigcontext(r, &c) {
		*r = saved
		return t.badFrame()
	}
	t.SetBlocked(c.Mask &^ sigKernelOnly)
	if fx != nil {
		t.User.FPU.LoadImage(fx)
	} else {
		t.User.FPU.Reset()
	}
	// restore_altstack(): only a fault matters, other errors are ignored.
	t.Altstack.Set(c.Stack.SP, c.Stack.Size, c.SSFlags, r.SP)
	return int64(r.AX)
}

// badFrame is rt_sigreturn's badframe: SIGSEGV (signal_fault()).
func (t *Task) badFrame() int64 {
	logf("pid %d (%s): bad rt_sigreturn frame at sp %#x: SIGSEGV", t.PID, t.Comm, t.Regs.SP)
	ForceSigFault(t, NewKernelInfo(SIGSEGV))
	return int64(t.Regs.AX)
}

// SetBlocked changes the current thread's signal mask (SIGKILL and
// SIGSTOP cannot be blocked) and rechecks what is pending; a signal the
// thread unblocks that no other thread could take is delivered on the
// way back. Mirrors kernel/signal.c:set_current_blocked().
//
// Signals of the process that are pending and that the thread now blocks
// go to another thread that can take them (retargetSharedPendingLocked),
// which needs the task list, so the lock order (tasklistLock, then
// Siglock) is kept by starting again with both in that rare case.
func (t *Task) SetBlocked(set Sigset) {
	set &^= sigKernelOnly
	sh := t.Sighand
	sh.Siglock.Lock()
	if set&^t.Blocked&t.Signal.SharedPending.Signal != 0 {
		sh.Siglock.Unlock()
		tasklistLock.Lock()
		sh.Siglock.Lock()
		retargetSharedPendingLocked(t, set&^t.Blocked)
		tasklistLock.Unlock()
	}
	t.Blocked = set
	recalcSigpendingLocked(t)
	sh.Siglock.Unlock()
}
