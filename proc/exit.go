//go:build tamago

package proc

import (
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
// status code and tells its parent; a task whose parent does not want
// SIGCHLD (kthreadd's children) or that is a thread is reaped at once.
// Mirrors kernel/exit.c:exit_notify() with forget_original_parent().
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
	}
	t.Children = nil
	t.ExitCode = code
	t.ExitState = EXIT_ZOMBIE
	nrThreads--
	parent := t.Parent
	autoreap := t.ExitSignal == -1 || (parent != nil && parent.Sighand != nil &&
		parent.Sighand.Action[SIGCHLD-1].Handler == SIG_IGN) || parent == nil
	tasklistLock.Unlock()
	close(t.exited)
	if reaperWake && init != nil {
		init.ChildWait.WakeUp()
	}
	if autoreap {
		ReleaseTask(t)
		return
	}
	parent.ChildWait.WakeUp() // __wake_up_parent: SIGCHLD's wake-up
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

// ExitGroup kills every other thread of the current task's group and
// exits (exit_group). Mirrors kernel/exit.c:do_group_exit().
func ExitGroup(code int) {
	t := Current()
	tasklistLock.Lock()
	for _, o := range taskList {
		if o != t && o.TGID == t.TGID && o.ExitState == 0 {
			o.pendingSignal = SIGKILL
			defer sched.WakeUpProcess(&o.Thread)
		}
	}
	tasklistLock.Unlock()
	DoExit(code)
}
