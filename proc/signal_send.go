package proc

import (
	"sync/atomic"

	"tamix/abi"
	"tamix/sched"
	"tamix/trace"
)

// Sending signals: kernel/signal.c's send_signal_locked(), prepare_signal(),
// complete_signal() and signal_wake_up(), and the kill(2) family's ways of
// choosing targets.
//
// Locking: tasklistLock (the task tree, exit states, thread groups, and
// which Sighand a task uses), then the target's Sighand.Siglock (pending
// sets, masks, dispositions, job-control state). Neither is held across a
// sleep, so a timer goroutine (ITIMER_REAL) may send signals too.

// sigqueueCount counts queued siginfo entries in every pending set
// (Linux counts them per user in ucounts; Tamix has only root). It is the
// figure RLIMIT_SIGPENDING limits and the leak tests check.
var sigqueueCount atomic.Int64

// QueuedSignals returns how many siginfo entries are queued, for tests.
func QueuedSignals() int64 { return sigqueueCount.Load() }

// threadsLocked returns the live threads of t's thread group, t's first.
// Caller holds tasklistLock. (Linux walks signal->thread_head.)
func threadsLocked(t *Task) []*Task {
	out := []*Task{t}
	for _, o := range taskList {
		if o != t && o.TGID == t.TGID && o.ExitState == 0 {
			out = append(out, o)
		}
	}
	return out
}

// groupAliveLocked reports whether a thread-group leader still has live
// threads (Linux's delay_group_leader()).
func groupAliveLocked(leader *Task) bool {
	for _, t := range taskList {
		if t != leader && t.TGID == leader.PID && t.ExitState == 0 {
			return true
		}
	}
	return false
}

// SendSignal sends sig with info to task t: to the thread alone
// (shared false: tkill, faults) or to its whole process (shared true:
// kill). A zombie drops it, unless it is the leader of a process whose
// other threads live and the signal is for the process: then one of them
// takes it. Returns EAGAIN when a real-time signal cannot be queued.
// Mirrors kernel/signal.c:send_signal_locked().
func SendSignal(sig int, info *Siginfo, t *Task, shared bool) error {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	return sendSignalLocked(sig, info, t, shared)
}

// sendSignalLocked is SendSignal with tasklistLock held.
func sendSignalLocked(sig int, info *Siginfo, t *Task, shared bool) error {
	if signalTargetGoneLocked(t, shared) || t.Sighand == nil || t.Signal == nil {
		return nil
	}
	if t.Flags&PF_KTHREAD != 0 {
		return nil // kernel threads ignore signals (kthreadd's ignore_signals)
	}
	sh := t.Sighand
	sh.Siglock.Lock()
	defer sh.Siglock.Unlock()
	if !prepareSignalLocked(sig, t, info.Code() == abi.SI_KERNEL) {
		return nil
	}
	pending := &t.Pending
	if shared {
		pending = &t.Signal.SharedPending
	}
	if sig < abi.SIGRTMIN && pending.Signal.Has(sig) {
		if trace.On(trace.SignalGenerate) {
			traceSignalGenerate(sig, info, t, shared, traceSignalAlreadyPending)
		}
		return nil // already pending: standard signals coalesce
	}
	q := info
	override := sig < abi.SIGRTMIN && info.Code() >= 0
	if !override && uint64(sigqueueCount.Load()) >= t.Signal.Rlim[RLIMIT_SIGPENDING].Cur {
		if sig >= abi.SIGRTMIN && info.Code() != abi.SI_USER {
			return abi.EAGAIN // queue overflow: sigqueue(3) sees it
		}
		q = nil // kill(2) of a real-time signal: the information is lost
	}
	if q != nil {
		c := *q
		q = &c
		sigqueueCount.Add(1)
	}
	pending.addPending(sig, q)
	if trace.On(trace.SignalGenerate) {
		traceSignalGenerate(sig, info, t, shared, traceResult(q))
	}
	completeSignalLocked(sig, t, shared)
	return nil
}

// signalTargetGoneLocked reports whether a signal for t (its process's,
// if shared) has nobody left to take it: t has exited, and it is not a
// leader whose threads live on. Linux keeps a leader that exited first
// in the group until the last thread goes (delay_group_leader()), so
// kill(2) and the process's timers still reach the group through it,
// and complete_signal() picks a live thread. Caller holds tasklistLock.
func signalTargetGoneLocked(t *Task, shared bool) bool {
	if t.ExitState == 0 {
		return false
	}
	return !shared || t.ExitState != EXIT_ZOMBIE || t.TGID != t.PID || !groupAliveLocked(t)
}

// prepareSignalLocked applies the side effects of sending sig that come
// before it is queued, and reports whether to queue it (it is not ignored):
// a stop signal cancels pending SIGCONTs, SIGCONT cancels pending stop
// signals and resumes a stopped group. Mirrors kernel/signal.c:
// prepare_signal(). Caller holds tasklistLock and Siglock.
func prepareSignalLocked(sig int, p *Task, force bool) bool {
	s := p.Signal
	threads := threadsLocked(p)
	switch {
	case s.Flags&SIGNAL_GROUP_EXIT != 0:
		return false // the process is dying: nothing more to do
	case sigKernelStop.Has(sig):
		s.SharedPending.flushCounted(SigMask(abi.SIGCONT))
		for _, t := range threads {
			t.Pending.flushCounted(SigMask(abi.SIGCONT))
		}
	case sig == abi.SIGCONT:
		s.SharedPending.flushCounted(sigKernelStop)
		for _, t := range threads {
			t.Pending.flushCounted(sigKernelStop)
			t.jobctlStopPending = false
			sched.TryToWakeUp(&t.Thread, sched.TaskStopped)
		}
		why := 0
		if s.Flags&SIGNAL_STOP_STOPPED != 0 {
			why = SIGNAL_CLD_CONTINUED
		} else if s.GroupStopCount > 0 {
			why = SIGNAL_CLD_STOPPED
		}
		if why != 0 {
			// signal_set_stop_flags(): a thread of the group tells
			// the parent in GetSignal; wait(WCONTINUED) sees it.
			s.Flags = why | SIGNAL_STOP_CONTINUED
			s.GroupStopCount = 0
			s.GroupExitCode = 0
			// Every thread is made to look, and woken if it sleeps:
			// a flag set on a sleeping thread without a wake-up
			// would make complete_signal() pass it over for every
			// later signal (wantsSignalLocked), so it would never
			// wake. Linux sets no flag here; its stopped threads
			// report on their way out of do_signal_stop().
			for _, t := range threads {
				signalWakeUp(t, false)
			}
		}
	}
	return !sigIgnoredLocked(p, sig, force)
}

// flushCounted is flush with the queue accounting.
func (p *SigPending) flushCounted(set Sigset) {
	if n := p.flush(set); n > 0 {
		sigqueueCount.Add(-int64(n))
	}
}

// sigIgnoredLocked reports whether sig would be thrown away on delivery,
// so that it need not be queued: ignored (SIG_IGN, or SIG_DFL of a
// signal whose default is to do nothing) and not blocked (a blocked
// signal stays pending: the handler may change before it is unblocked).
// Init ignores every default-action signal others send it, unless the
// kernel forces it. Mirrors kernel/signal.c:sig_ignored() and
// sig_task_ignored().
func sigIgnoredLocked(t *Task, sig int, force bool) bool {
	if t.Blocked.Has(sig) || t.RealBlocked.Has(sig) {
		return false
	}
	h := t.Sighand.Action[sig-1].Handler
	if t.Signal.Flags&SIGNAL_UNKILLABLE != 0 && h == abi.SIG_DFL && !(force && sigKernelOnly.Has(sig)) {
		return true
	}
	return h == abi.SIG_IGN || (h == abi.SIG_DFL && sigKernelIgnore.Has(sig))
}

// wantsSignalLocked reports whether thread t can take sig now
// (kernel/signal.c:wants_signal()).
func wantsSignalLocked(sig int, t *Task) bool {
	if t.Blocked.Has(sig) || t.Flags&PF_EXITING != 0 || t.ExitState != 0 {
		return false
	}
	if sig == SIGKILL {
		return true
	}
	if t.State() == sched.TaskStopped {
		return false
	}
	return t == Current() || !t.sigpending.Load()
}

// completeSignalLocked finds a thread to take sig, now pending for p (or
// its process), and wakes it. A fatal signal that nobody handles starts
// the group's exit at once: every thread gets SIGKILL. Mirrors
// kernel/signal.c:complete_signal().
func completeSignalLocked(sig int, p *Task, shared bool) {
	t := p
	if !wantsSignalLocked(sig, p) {
		if !shared {
			return // the thread will see it when it unblocks
		}
		t = nil
		for _, o := range threadsLocked(p) {
			if wantsSignalLocked(sig, o) {
				t = o
				break
			}
		}
		if t == nil {
			return // every thread blocks it: it waits in the shared set
		}
	}
	s := p.Signal
	h := p.Sighand.Action[sig-1].Handler
	if h == abi.SIG_DFL && defaultTerminates(sig) && s.Flags&SIGNAL_GROUP_EXIT == 0 &&
		!t.RealBlocked.Has(sig) && (s.Flags&SIGNAL_UNKILLABLE == 0 || sigKernelOnly.Has(sig)) {
		s.Flags = SIGNAL_GROUP_EXIT
		s.GroupExitCode = SignalStatus(sig)
		s.GroupStopCount = 0
		for _, o := range threadsLocked(p) {
			o.jobctlStopPending = false
			o.Pending.Signal |= SigMask(SIGKILL)
			signalWakeUp(o, true)
		}
		return
	}
	signalWakeUp(t, sig == SIGKILL)
}

// retargetSharedPendingLocked finds other threads for the signals of
// which that are pending for t's process: t will not take them (it
// exits, or blocks them), and completeSignalLocked may have woken only t
// for them. Each thread that can take some of them is flagged and woken,
// until every one has a taker. Caller holds tasklistLock and Siglock.
// Mirrors kernel/signal.c:retarget_shared_pending(). On one CPU with a
// kernel that is not preempted the window is tiny (t would have to be
// chosen and then block or exit before it returned to user mode); with a
// second CPU it is not.
func retargetSharedPendingLocked(t *Task, which Sigset) {
	retarget := which & t.Signal.SharedPending.Signal
	for _, o := range threadsLocked(t) {
		if retarget == 0 {
			return
		}
		if o == t || o.Flags&PF_EXITING != 0 || retarget&^o.Blocked == 0 {
			continue
		}
		retarget &= o.Blocked // what o cannot take still needs a thread
		if !o.sigpending.Load() {
			signalWakeUp(o, false)
		}
	}
}

// signalWakeUp marks t as having a signal to look at and wakes it from an
// interruptible sleep (and, for a fatal signal, from a job-control stop).
// Mirrors kernel/signal.c:signal_wake_up_state().
func signalWakeUp(t *Task, fatal bool) {
	t.sigpending.Store(true)
	mask := int32(sched.TaskInterruptible)
	if fatal {
		mask |= sched.TaskStopped
	}
	sched.TryToWakeUp(&t.Thread, mask)
}

// recalcSigpendingLocked recomputes the current thread's TIF_SIGPENDING
// after its mask or pending sets changed. Caller holds Siglock. Mirrors
// kernel/signal.c:recalc_sigpending().
func recalcSigpendingLocked(t *Task) {
	s := t.Signal
	pending := t.jobctlStopPending || s.Flags&(SIGNAL_GROUP_EXIT|SIGNAL_CLD_STOPPED|SIGNAL_CLD_CONTINUED) != 0 ||
		(t.Pending.Signal|s.SharedPending.Signal)&^t.Blocked != 0
	t.sigpending.Store(pending)
}

// SignalPending reports whether the current task has a signal to act on
// (signal_pending(current)): what interruptible sleeps check.
func SignalPending() bool {
	t := Current()
	return t != nil && t.sigpending.Load()
}

// FatalSignalPending reports whether t has been sent SIGKILL, or its group
// is exiting: what a killable sleep ends for (fatal_signal_pending).
func (t *Task) FatalSignalPending() bool {
	if !t.sigpending.Load() || t.Sighand == nil {
		return false
	}
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	return t.Pending.Signal.Has(SIGKILL) || t.Signal.Flags&SIGNAL_GROUP_EXIT != 0
}

// SigPendingNow is t's TIF_SIGPENDING.
func (t *Task) SigPendingNow() bool { return t.sigpending.Load() }

// ForceSigFault sends the current thread a signal it cannot block or
// ignore at this moment, as for a fault (the instruction cannot go on):
// if it is blocked or ignored, the disposition goes back to SIG_DFL and
// the signal is unblocked, so it kills. Mirrors kernel/signal.c:
// force_sig_info_to_task().
func ForceSigFault(t *Task, info *Siginfo) {
	sig := info.Signo()
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	sh := t.Sighand
	sh.Siglock.Lock()
	a := &sh.Action[sig-1]
	blocked := t.Blocked.Has(sig)
	if blocked || a.Handler == abi.SIG_IGN {
		a.Handler = abi.SIG_DFL
		if blocked {
			t.Blocked &^= SigMask(sig)
		}
	}
	if a.Handler == abi.SIG_DFL {
		t.Signal.Flags &^= SIGNAL_UNKILLABLE // even init dies of its faults
	}
	sh.Siglock.Unlock()
	sendSignalLocked(sig, info, t, false)
}

// zapOtherThreadsLocked sends SIGKILL to every other thread of t's group
// (exit_group, a fatal signal). Caller holds tasklistLock and Siglock.
// Mirrors kernel/signal.c:zap_other_threads().
func zapOtherThreadsLocked(t *Task) {
	for _, o := range threadsLocked(t)[1:] {
		o.jobctlStopPending = false
		o.Pending.Signal |= SigMask(SIGKILL)
		signalWakeUp(o, true)
	}
}

// SendFatalSignal sends t's process sig from the kernel (SI_KERNEL), as
// the tests do to end the tasks they started.
func SendFatalSignal(t *Task, sig int) {
	SendSignal(sig, NewKernelInfo(sig), t, true)
}
