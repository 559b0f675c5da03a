//go:build tamago

package proc

import (
	"tamix/abi"
	"tamix/sched"
	"tamix/trace"
)

// InitExit is called when PID 1 exits, with its wait status; the kernel
// powers off there (Linux panics: "Attempted to kill init!").
var InitExit func(status int)

// DoExit ends the current task with wait status code: it releases the
// address space and the files, hands its children to another thread of
// its group or to init, becomes a zombie for its parent (ExitNotify), and
// schedules away for the last time. It cannot free the kernel stack the
// switch away from it starts on: the next task does, in
// FinishTaskSwitch. (In Tamix the dying goroutine itself runs on its Go
// stack, not on that 16 KiB stack, which only the CPU uses for traps from
// user mode; the rule is kept so that a stack is never freed while its
// task may still be switched away from.) The Task and its PID go when it
// is reaped (ReleaseTask). Does not return. Mirrors kernel/exit.c:do_exit().
func DoExit(code int) {
	t := Current()
	tasklistLock.Lock()
	t.Flags |= PF_EXITING
	groupDead := len(threadsLocked(t)) == 1
	exitSignalsEarlyLocked(t, groupDead)
	tasklistLock.Unlock()
	mmRelease(t)
	exitMM(t)
	if t.Files != nil {
		t.Files.Put()
		t.Files = nil
	}
	exitFS(t)
	if groupDead {
		disassociateCtty(t)
	}
	exitSignals(t)
	if t.TGID == 1 && groupDead && InitExit != nil {
		InitExit(groupExitCode(t, code))
	}
	if trace.On(trace.SchedProcessExit) {
		traceProcess(trace.SchedProcessExit, t, t)
	}
	ExitNotify(t, code)
	t.SetState(sched.TaskDead)
	sched.Schedule()
	panic("proc: a dead task was scheduled")
}

// exitSignalsEarlyLocked is what an exiting thread owes its group's
// signals as soon as it is PF_EXITING: process-wide signals it could
// have taken go to another thread, and a group stop it was asked to take
// part in counts it (telling the parent if it was the last), so that
// neither waits for a thread that is gone. Caller holds tasklistLock.
// Mirrors the first half of kernel/signal.c:exit_signals().
func exitSignalsEarlyLocked(t *Task, groupDead bool) {
	if t.Sighand == nil || t.Signal == nil || groupDead {
		return
	}
	t.Sighand.Siglock.Lock()
	retargetSharedPendingLocked(t, ^t.Blocked)
	notify := t.Signal.Flags&SIGNAL_GROUP_EXIT == 0 && t.participateGroupStopLocked()
	t.Sighand.Siglock.Unlock()
	if notify {
		notifyParentCldstopLocked(t, abi.CLD_STOPPED)
	}
}

// groupExitCode is the status a process reports: that of a group exit
// (exit_group, a fatal signal) if one happened, else the task's own.
func groupExitCode(t *Task, code int) int {
	if t.Signal == nil || t.Sighand == nil {
		return code
	}
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	if t.Signal.Flags&SIGNAL_GROUP_EXIT != 0 {
		return t.Signal.GroupExitCode
	}
	return code
}

// mmRelease does what must happen when a task leaves its address space
// (exit or exec): release the robust futexes it holds, clear the TID at CLONE_CHILD_CLEARTID's address and
// wake a futex waiter there (pthread_join), and let a vfork parent run.
// Mirrors kernel/fork.c:mm_release().
func mmRelease(t *Task) {
	exitRobustList(t) // futex_exit_release()
	if t.ClearChildTID != 0 && t.MM != nil {
		putUserInt32(t, t.ClearChildTID, 0)
		FutexWake(t.MM, t.ClearChildTID, 1, FUTEX_BITSET_MATCH_ANY, false) // a shared wake, as Linux's
		t.ClearChildTID = 0
	}
	if t.vforkDone != nil {
		t.vforkDone.Complete()
		t.vforkDone = nil
	}
}

// ExitNotify hands t's children to a new reaper, makes t a zombie with
// wait status code and tells its parent: SIGCHLD with CLD_EXITED or
// CLD_KILLED and a wake-up of its wait4. A thread other than the leader
// is reaped at once; when it was the last one and the leader is already
// a zombie, the parent hears of the process now. A leader whose threads
// still live stays a zombie nobody is told about (delay_group_leader). A
// process whose parent ignores SIGCHLD or set SA_NOCLDWAIT, or that has
// no parent, is reaped at once. A process group this exit orphans gets
// SIGHUP and SIGCONT if it has stopped members. Mirrors
// kernel/exit.c:exit_notify() with forget_original_parent() and
// kill_orphaned_pgrp().
func ExitNotify(t *Task, code int) {
	tasklistLock.Lock()
	reaper := forgetOriginalParentLocked(t)
	if t.TGID == t.PID {
		killOrphanedPgrpLocked(t, nil)
	}
	t.ExitCode = code
	t.ExitState = EXIT_ZOMBIE
	nrThreads--
	parent := t.Parent
	leader := tasks[t.TGID]
	autoreap := true
	if t == leader && parent != nil && !groupAliveLocked(t) {
		autoreap = doNotifyParentLocked(t, parent, groupExitCodeLocked(t, code))
	} else if t == leader {
		autoreap = parent == nil
	}
	s := t.Signal
	tasklistLock.Unlock()
	close(t.exited)
	if reaper != nil {
		reaper.Signal.ChildWait.WakeUp()
	}
	if autoreap {
		ReleaseTask(t)
	}
	if t != leader && leader != nil {
		notifyLeaderIfLast(leader)
	}
	if parent != nil && parent.Signal != nil {
		parent.Signal.ChildWait.WakeUp() // __wake_up_parent; a reaped child too may end a wait (ECHILD)
	}
	if s != nil {
		s.execWait.WakeUp() // a de_thread may be waiting for this thread
	}
}

// groupExitCodeLocked is groupExitCode for a caller holding tasklistLock.
func groupExitCodeLocked(t *Task, code int) int { return groupExitCode(t, code) }

// forgetOriginalParentLocked gives t's children to another live thread of
// its group, or to init, resetting their exit signal to SIGCHLD, and
// returns the new reaper if a zombie among them needs reaping. Caller
// holds tasklistLock. Mirrors kernel/exit.c:forget_original_parent() with
// find_new_reaper().
func forgetOriginalParentLocked(t *Task) *Task {
	reaper := tasks[1]
	for _, o := range threadsLocked(t)[1:] {
		if o.Flags&PF_EXITING == 0 {
			reaper = o
			break
		}
	}
	wake := false
	for _, c := range t.Children {
		if reaper == nil || c == reaper {
			continue
		}
		c.Parent, c.RealParent = reaper, reaper
		reaper.Children = append(reaper.Children, c)
		if c.ExitState == EXIT_ZOMBIE {
			wake = true
		}
		if c.ExitSignal != -1 {
			c.ExitSignal = SIGCHLD // reparent_leader()
		}
		killOrphanedPgrpLocked(c, t)
	}
	t.Children = nil
	if wake {
		return reaper
	}
	return nil
}

// notifyLeaderIfLast tells the parent about a process whose leader exited
// before its other threads, once the last of them is gone, and reaps the
// leader if the parent does not want it. Mirrors the zap_leader part of
// kernel/exit.c:release_task().
func notifyLeaderIfLast(leader *Task) {
	tasklistLock.Lock()
	if leader.ExitState != EXIT_ZOMBIE || groupAliveLocked(leader) || leader.Parent == nil {
		tasklistLock.Unlock()
		return
	}
	if leader.Signal.groupExec != nil {
		tasklistLock.Unlock()
		return // de_thread is taking the leader's place: no one is told
	}
	autoreap := doNotifyParentLocked(leader, leader.Parent, groupExitCodeLocked(leader, leader.ExitCode))
	tasklistLock.Unlock()
	if autoreap {
		ReleaseTask(leader)
	}
}

// doNotifyParentLocked sends t's exit signal to parent with the siginfo
// of its end, and reports whether t is to be reaped at once (the parent
// ignores SIGCHLD or set SA_NOCLDWAIT; with SIG_IGN no signal is sent).
// Caller holds tasklistLock. Mirrors kernel/signal.c:do_notify_parent().
func doNotifyParentLocked(t, parent *Task, code int) bool {
	why, status := abi.CLD_EXITED, code>>8&0xff
	if code&0x7f != 0 {
		why, status = abi.CLD_KILLED, code&0x7f
		if code&0x80 != 0 {
			why = abi.CLD_DUMPED
		}
	}
	sig := t.ExitSignal
	autoreap := false
	if parent.Sighand != nil && sig == SIGCHLD {
		parent.Sighand.Siglock.Lock()
		a := parent.Sighand.Action[SIGCHLD-1]
		parent.Sighand.Siglock.Unlock()
		if a.Handler == abi.SIG_IGN || a.Flags&abi.SA_NOCLDWAIT != 0 {
			autoreap = true
			if a.Handler == abi.SIG_IGN {
				sig = 0
			}
		}
	}
	if ValidSignal(sig) {
		stime := sched.ExecRuntime(&t.Thread) - t.Utime
		sendSignalLocked(sig, NewChildInfo(sig, why, t.TGID, status, t.Utime, stime), parent, true)
	}
	return autoreap
}

// exitSignals gives back t's pending signals and, for the last thread of
// a process, the process's pending signals and its interval timer.
// Mirrors the signal part of kernel/exit.c:__exit_signal().
func exitSignals(t *Task) {
	if t.Sighand == nil || t.Signal == nil {
		return
	}
	tasklistLock.Lock()
	last := len(threadsLocked(t)) == 1
	t.Sighand.Siglock.Lock()
	t.Pending.flushCounted(^Sigset(0))
	if last {
		t.Signal.SharedPending.flushCounted(^Sigset(0))
	}
	t.Sighand.Siglock.Unlock()
	tasklistLock.Unlock()
	if last {
		t.Signal.ItReal.Stop()
	}
}

// ReleaseTask removes a reaped zombie for good: out of the task table and
// its parent's children, its PID free again. Mirrors
// kernel/exit.c:release_task().
func ReleaseTask(t *Task) {
	tasklistLock.Lock()
	unlinkTaskLocked(t)
	if p := t.Parent; p != nil {
		for i, c := range p.Children {
			if c == t {
				p.Children = append(p.Children[:i], p.Children[i+1:]...)
				break
			}
		}
	}
	t.ExitState = EXIT_DEAD
	releaseSignalsLocked(t)
	tasklistLock.Unlock()
	tracePut(t) // sched_process_free once the stack is gone too
	pids.Free(t.PID)
}

// releaseSignalsLocked frees what is still queued for a reaped task, and
// for its process when no task of the group is left: a signal sent after
// the task's exitSignals (while it was exiting or a zombie) would
// otherwise stay queued for good. Caller holds tasklistLock. Mirrors
// flush_sigqueue() in kernel/exit.c:__exit_signal().
func releaseSignalsLocked(t *Task) {
	if t.Sighand == nil || t.Signal == nil {
		return
	}
	last := true
	for _, o := range taskList {
		if o.TGID == t.TGID && o.Signal == t.Signal {
			last = false
			break
		}
	}
	t.Sighand.Siglock.Lock()
	t.Pending.flushCounted(^Sigset(0))
	if last {
		t.Signal.SharedPending.flushCounted(^Sigset(0))
	}
	t.Sighand.Siglock.Unlock()
}
