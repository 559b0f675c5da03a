//go:build tamago

package proc

import (
	"time"

	"tamix/abi"
	"tamix/sched"
)

// The parts of the signal system calls that touch locked state
// (kernel/signal.c); syscall/sys_signal.go decodes the arguments.

// DoSigaction returns sig's old disposition and, if set, installs na.
// Making a signal ignored (SIG_IGN, or SIG_DFL of a signal whose default
// is to ignore it) discards it where it is pending, in every thread.
// Mirrors kernel/signal.c:do_sigaction().
func (t *Task) DoSigaction(sig int, na *Sigaction, set bool) Sigaction {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	sh := t.Sighand
	sh.Siglock.Lock()
	defer sh.Siglock.Unlock()
	old := sh.Action[sig-1]
	if !set {
		return old
	}
	sh.Action[sig-1] = *na
	if na.Handler == abi.SIG_IGN || (na.Handler == abi.SIG_DFL && sigKernelIgnore.Has(sig)) {
		t.Signal.SharedPending.flushCounted(SigMask(sig))
		for _, o := range threadsLocked(t) {
			o.Pending.flushCounted(SigMask(sig))
		}
	}
	return old
}

// PendingBlocked is rt_sigpending's answer: blocked signals pending for
// the thread or its process.
func (t *Task) PendingBlocked() Sigset {
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	return (t.Pending.Signal | t.Signal.SharedPending.Signal) & t.Blocked
}

// SleepUntilSignal sleeps interruptibly until a signal is pending (pause,
// sigsuspend).
func SleepUntilSignal() {
	var q sched.WaitQueue
	q.Wait(func() bool { return false }, true, SignalPending, -1)
}

// Sigsuspend replaces the mask with set until a signal arrives; the old
// mask is put back after the handler runs (or at once if none does).
func (t *Task) Sigsuspend(set Sigset) {
	t.SavedSigmask = t.Blocked
	t.SetBlocked(set)
	SleepUntilSignal()
	t.restoreSigmask = true
}

// Sigtimedwait dequeues a pending signal of set, waiting up to timeout
// (< 0: forever) with set unblocked so that it can arrive; the mask is
// restored afterwards. EAGAIN on timeout, EINTR if another signal came.
// Mirrors kernel/signal.c:do_sigtimedwait().
func (t *Task) Sigtimedwait(set Sigset, timeout time.Duration) (int, *Siginfo, error) {
	set &^= sigKernelOnly
	sh := t.Sighand
	sh.Siglock.Lock()
	sig, info := t.dequeueSetLocked(set)
	if sig == 0 && timeout != 0 {
		t.RealBlocked = t.Blocked
		t.Blocked &^= set
		recalcSigpendingLocked(t)
		sh.Siglock.Unlock()
		var q sched.WaitQueue
		q.Wait(func() bool { return false }, true, SignalPending, timeout)
		sh.Siglock.Lock()
		t.Blocked = t.RealBlocked
		t.RealBlocked = 0
		sig, info = t.dequeueSetLocked(set)
		recalcSigpendingLocked(t)
	}
	sh.Siglock.Unlock()
	switch {
	case sig != 0:
		return sig, info, nil
	case timeout >= 0 && !t.sigpending.Load():
		return 0, nil, abi.EAGAIN
	}
	return 0, nil, abi.EINTR
}

// dequeueSetLocked dequeues the next pending signal of set, as if every
// other signal were blocked.
func (t *Task) dequeueSetLocked(set Sigset) (int, *Siginfo) {
	saved := t.Blocked
	t.Blocked = ^set
	sig, info := t.dequeueSignalLocked()
	t.Blocked = saved
	return sig, info
}

// RestoreSigmaskAfter puts back the mask a call replaced for its wait
// (epoll_pwait, ppoll, pselect): now, or, if the call was interrupted by
// a signal, after its handler has run (restore_saved_sigmask_unless()).
func (t *Task) RestoreSigmaskAfter(saved Sigset, interrupted bool) {
	if interrupted {
		t.SavedSigmask = saved
		t.restoreSigmask = true
		return
	}
	t.SetBlocked(saved)
}
