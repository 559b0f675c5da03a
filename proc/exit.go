//go:build tamago

package proc

import (
	"tamix/abi"
	"tamix/sched"
)

// InitExit is called when PID 1 exits, with its wait status; the kernel
// powers off there (Linux panics: "Attempted to kill init!").
var InitExit func(status int)

// DoExit ends the current task with wait status code: it releases the
// address space and the files, hands its children to init and becomes a
// zombie for its parent (ExitNotify), and schedules away for the last
// time. It cannot free the kernel stack it is running on: the next task
// does, in FinishTaskSwitch. The Task and its PID go when it is reaped
// (ReleaseTask). Does not return. Mirrors kernel/exit.c:do_exit().
func DoExit(code int) {
	t := Current()
	tasklistLock.Lock()
	t.Flags |= PF_EXITING
	tasklistLock.Unlock()
	mmRelease(t)
	exitMM(t)
	if t.Files != nil {
		t.Files.Put()
		t.Files = nil
	}
	exitFS(t)
	exitSignals(t)
	if t.PID == 1 && InitExit != nil {
		InitExit(code)
	}
	ExitNotify(t, code)
	t.SetState(sched.TaskDead)
	sched.Schedule()
	panic("proc: a dead task was scheduled")
}

// mmRelease does what must happen when a task leaves its address space
// (exit or exec): clear the TID at CLONE_CHILD_CLEARTID's address and
// wake a futex waiter there (pthread_join), and let a vfork parent run.
// Mirrors kernel/fork.c:mm_release().
func mmRelease(t *Task) {
	if t.ClearChildTID != 0 && t.MM != nil {
		putUserInt32(t, t.ClearChildTID, 0)
		FutexWake(t.MM, t.ClearChildTID, 1)
		t.ClearChildTID = 0
	}
	if t.vforkDone != nil {
		t.vforkDone.Complete()
		t.vforkDone = nil
	}
}

// ExitNotify gives t's children to init, makes t a zombie with wait
// status code and tells its parent: SIGCHLD with CLD_EXITED or
// CLD_KILLED (do_notify_parent) and a wake-up of its wait4. A task whose
// parent ignores SIGCHLD or set SA_NOCLDWAIT, whose exit signal is -1
// (threads, kthreadd's children) or that has no parent is reaped at
// once. A process group this exit orphans gets SIGHUP and SIGCONT if it
// has stopped members. Mirrors kernel/exit.c:exit_notify() with
// forget_original_parent() and kill_orphaned_pgrp().
func ExitNotify(t *Task, code int) {
	tasklistLock.Lock()
	init := tasks[1]
	reaperWake := false
	for _, c := range t.Children {
		if init == nil || c == init {
			continue
		}
		c.Parent, c.RealParent = init, init
		init.Children = append(init.Children, c)
		if c.ExitState == EXIT_ZOMBIE {
			reaperWake = true
		}
		if c.ExitSignal != -1 {
			c.ExitSignal = SIGCHLD // reparent_leader()
		}
		killOrphanedPgrpLocked(c, t)
	}
	t.Children = nil
	if t.TGID == t.PID {
		killOrphanedPgrpLocked(t, nil)
	}
	t.ExitCode = code
	t.ExitState = EXIT_ZOMBIE
	nrThreads--
	parent := t.Parent
	autoreap := t.ExitSignal == -1 || parent == nil
	if !autoreap {
		autoreap = doNotifyParentLocked(t, parent, code)
	}
	tasklistLock.Unlock()
	close(t.exited)
	if reaperWake && init != nil {
		init.ChildWait.WakeUp()
	}
	if autoreap {
		ReleaseTask(t)
	}
	if parent != nil {
		parent.ChildWait.WakeUp() // __wake_up_parent; a reaped child too may end a wait (ECHILD)
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
	tasklistLock.Unlock()
	pids.Free(t.PID)
}
