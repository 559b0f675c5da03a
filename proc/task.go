// Package proc is Tamix's processes: the task (task_struct), kernel
// stacks, the task tree, exec, fork, exit and wait, kernel threads. It
// mirrors kernel/fork.c, kernel/exit.c, fs/exec.c and kernel/kthread.c.
package proc

import (
	"io"
	"sync"

	"tamix/arch/amd64"
	"tamix/mm"
	"tamix/sched"
)

// Task flags (include/linux/sched.h).
const (
	PF_EXITING = 0x00000004 // getting shut down
	PF_KTHREAD = 0x00200000 // a kernel thread
)

// Exit states (include/linux/sched.h).
const (
	EXIT_DEAD   = 0x0010
	EXIT_ZOMBIE = 0x0020
)

// Task is a process or kernel thread: Linux's task_struct, reduced to
// what Tamix teaches. The scheduler's part is the embedded sched.Thread.
type Task struct {
	sched.Thread

	PID  int // task id
	TGID int // thread-group id: the PID of the group leader
	// Comm is the executable's name (TASK_COMM_LEN 16, truncated).
	Comm  string
	Flags uint32 // PF_*; protected by tasklistLock

	// The task tree: RealParent forked us, Parent gets SIGCHLD and
	// reaps us (they differ only under ptrace, which Tamix lacks).
	// Protected by tasklistLock.
	RealParent, Parent *Task
	Children           []*Task

	// MM is the task's address space (nil for a kernel thread);
	// ActiveMM is the one loaded in CR3 while it runs (a kernel thread
	// borrows the previous task's). Written by the task itself.
	MM, ActiveMM *mm.MM

	// Stack is the 16 KiB kernel stack; Regs is the pt_regs at its top.
	Stack *KernelStack
	Regs  *amd64.PtRegs
	// User is the user state outside pt_regs (FS base, FPU).
	User amd64.UserContext

	// Files is the descriptor table; Console is where the console
	// descriptors write (tests capture it).
	Files   *FileTable
	Console io.Writer

	// ExitCode is the wait status the parent will read (exit code << 8,
	// or the killing signal); ExitState is EXIT_ZOMBIE or EXIT_DEAD.
	// ExitSignal is sent to the parent at exit (SIGCHLD). Protected by
	// tasklistLock.
	ExitCode, ExitState, ExitSignal int

	// pendingSignal is a fatal signal to act on before returning to
	// user mode (0: none); the task's own field.
	pendingSignal int
	// exited is closed when the task becomes a zombie, for kernel code
	// that waits for it outside any task (tests).
	exited chan struct{}
}

// tasklistLock protects the task tree and the table of tasks (Linux's
// tasklist_lock).
var tasklistLock sync.Mutex

// tasks maps PIDs to tasks, for kill, wait and the task dump.
// Protected by tasklistLock.
var tasks = map[int]*Task{}

// Lookup returns the task with pid, or nil (find_task_by_vpid).
func Lookup(pid int) *Task {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	return tasks[pid]
}

// Tasks returns every task, by PID.
func Tasks() []*Task {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	out := make([]*Task, 0, len(tasks))
	for pid := 0; len(out) < len(tasks); pid++ {
		if t, ok := tasks[pid]; ok {
			out = append(out, t)
		}
	}
	return out
}

// Current returns the task that owns the CPU (current).
func Current() *Task {
	th := sched.Current()
	if th == nil {
		return nil
	}
	return th.Owner.(*Task)
}

// Exited returns a channel closed when t has exited (become a zombie).
func (t *Task) Exited() <-chan struct{} { return t.exited }
