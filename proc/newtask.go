//go:build tamago

package proc

import (
	"tamix/arch/amd64"
	"tamix/sched"
)

// pids hands out process IDs (kernel/pid.c).
var pids = NewPIDAllocator(PIDMaxDefault)

// InitIdle makes the calling goroutine PID 0, the idle task ("swapper"),
// and the current task. Mirrors init/init_task.c:init_task.
func InitIdle() *Task {
	t := &Task{Comm: "swapper", Flags: PF_KTHREAD, exited: make(chan struct{})}
	if err := pids.AllocSpecific(0); err != nil {
		panic("proc: PID 0: " + err.Error())
	}
	t.Thread.Init(t.Comm, t)
	t.Thread.SwitchTo = t.switchMM
	tasklistLock.Lock()
	tasks[0] = t
	tasklistLock.Unlock()
	sched.InitIdle(&t.Thread)
	sched.FinishHook = finishHook
	return t
}

// finishHook frees the kernel stack of a dead task; it runs in the task
// that got the CPU after it (sched.FinishTaskSwitch).
func finishHook(prev *sched.Thread) {
	PutTaskStack(prev.Owner.(*Task), Current().PID)
}

// DupTaskStruct returns a new task with a kernel stack and a PID, not yet
// linked anywhere or runnable. Mirrors kernel/fork.c:dup_task_struct()
// together with alloc_pid(); Tamix allocates the PID here so that errors
// unwind in one place.
func DupTaskStruct(comm string) (*Task, error) {
	stack, err := AllocTaskStack()
	if err != nil {
		return nil, err
	}
	pid, err := pids.Alloc()
	if err != nil {
		K.Pages.FreePages(stack.Base, ThreadSizeOrder)
		return nil, err
	}
	t := &Task{PID: pid, TGID: pid, Comm: comm, Stack: stack, ExitSignal: SIGCHLD, exited: make(chan struct{})}
	t.Regs = amd64.KernelStackRegs(stack.Top())
	t.Thread.Init(comm, t)
	t.Thread.SwitchTo = t.switchMM
	return t, nil
}

// freeNewTask unwinds DupTaskStruct for a task that never ran.
func freeNewTask(t *Task) {
	pids.Free(t.PID)
	PutTaskStack(t, -1)
}

// Signals proc raises itself (Linux numbering).
const (
	SIGKILL = 9
	SIGSEGV = 11
	SIGTERM = 15
	SIGCHLD = 17
)
