//go:build tamago

package proc

import (
	"tamix/sched"
)

// DoExit ends the current task with wait status code: it drops the
// address space and the files, becomes a zombie for its parent
// (ExitNotify), and schedules away for the last time. Its kernel stack is
// freed by the next task (FinishTaskSwitch); the Task and its PID go when
// it is reaped (ReleaseTask). Does not return.
// Mirrors kernel/exit.c:do_exit().
func DoExit(code int) {
	t := Current()
	tasklistLock.Lock()
	t.Flags |= PF_EXITING
	tasklistLock.Unlock()
	exitMM(t)
	t.Files = nil
	ExitNotify(t, code)
	t.SetState(sched.TaskDead)
	sched.Schedule()
	panic("proc: a dead task was scheduled")
}

// ExitNotify makes t a zombie with wait status code and tells whoever
// waits for it. Mirrors kernel/exit.c:exit_notify().
func ExitNotify(t *Task, code int) {
	tasklistLock.Lock()
	t.ExitCode = code
	t.ExitState = EXIT_ZOMBIE
	tasklistLock.Unlock()
	close(t.exited)
}

// ReleaseTask removes a reaped zombie for good: out of the task table and
// its parent's children, its PID free again. Mirrors
// kernel/exit.c:release_task().
func ReleaseTask(t *Task) {
	tasklistLock.Lock()
	delete(tasks, t.PID)
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

// WaitStatus encodings (the bits wait4 returns).
func ExitStatus(code int) int  { return (code & 0xff) << 8 }
func SignalStatus(sig int) int { return sig & 0x7f }
