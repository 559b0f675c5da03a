// Package proc is Tamix's processes: the task (task_struct), kernel
// stacks, the task tree, exec, fork, exit and wait, kernel threads. It
// mirrors kernel/fork.c, kernel/exit.c, fs/exec.c and kernel/kthread.c.
package proc

import (
	"io"
	"sync"
	"sync/atomic"

	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/mm"
	"tamix/sched"
	"tamix/trace"
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
	// FS is the root, working directory and umask (fs_struct), shared
	// with CLONE_FS. Set at fork, dropped at exit by the task itself.
	FS *fs.FSStruct

	// ExitCode is the wait status the parent will read (exit code << 8,
	// or the killing signal); ExitState is EXIT_ZOMBIE or EXIT_DEAD.
	// ExitSignal is sent to the parent at exit (SIGCHLD). Protected by
	// tasklistLock.
	ExitCode, ExitState, ExitSignal int

	// Sighand and Signal are the signal handlers and the per-process
	// signal state (limits, child wait queue); shared with CLONE_SIGHAND
	// and CLONE_THREAD.
	Sighand *Sighand
	Signal  *SignalStruct
	// Cred are the task's IDs (task_struct.cred); copied at fork.
	Cred *Cred

	// vforkDone is completed when a vfork child execs or exits
	// (task_struct.vfork_done). SetChildTID and ClearChildTID are the
	// user addresses of CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID /
	// set_tid_address. The task's own fields.
	vforkDone                  *sched.Completion
	SetChildTID, ClearChildTID uintptr
	// RobustList is the user address of the thread's robust-futex list
	// head (set_robust_list); the task's own.
	RobustList uintptr

	// kthread is the kernel-thread state (nil for user tasks); kfn is a
	// kernel thread's function, run by ret_from_fork.
	kthread *kthreadInfo
	kfn     func() int

	// Blocked is the thread's signal mask; SavedSigmask the mask to put
	// back after a handler started by rt_sigsuspend (with
	// restoreSigmask, TIF_RESTORE_SIGMASK); RealBlocked the mask
	// rt_sigtimedwait replaced. Pending holds signals sent to this thread
	// alone. All protected by Sighand.Siglock.
	Blocked, SavedSigmask, RealBlocked Sigset
	restoreSigmask                     bool
	Pending                            SigPending
	// sigpending is TIF_SIGPENDING: something may be deliverable (or a
	// group stop or exit is under way). Set by senders, recomputed under
	// Siglock (recalcSigpendingLocked); read without a lock by sleeps.
	sigpending atomic.Bool
	// jobctlStopPending is JOBCTL_STOP_PENDING: this thread still has to
	// take part in a group stop. Protected by Sighand.Siglock.
	jobctlStopPending bool
	// Altstack is the sigaltstack; RestartFn continues a call through
	// restart_syscall(2) (Linux's restart_block). Both the task's own.
	Altstack  SigaltStack
	RestartFn func(t *Task) int64
	// trapNr, trapErr and trapCR2 describe the last exception, for the
	// signal frame's sigcontext (thread.trap_nr, error_code, cr2). The
	// task's own.
	trapNr, trapErr, trapCR2 uint64
	// didExec: the task has called execve since fork (setpgid's EACCES
	// rule); protected by tasklistLock.
	didExec bool
	// exited is closed when the task becomes a zombie, for kernel code
	// that waits for it outside any task (tests).
	exited chan struct{}
}

// pids hands out process IDs (kernel/pid.c).
var pids = NewPIDAllocator(PIDMaxDefault)

// tasklistLock protects the task tree and the table of tasks (Linux's
// tasklist_lock).
var tasklistLock sync.Mutex

// tasks maps PIDs to tasks, for kill, wait and the task dump.
// Protected by tasklistLock.
var tasks = map[int]*Task{}

// taskList holds the same tasks in creation order, as a plain slice a
// debugger can walk through symbols (scripts/gdb reads
// tamix/proc.taskList); Linux's equivalent is the init_task.tasks list.
// Protected by tasklistLock.
var taskList []*Task

// linkTaskLocked adds t to the task table; caller holds tasklistLock.
func linkTaskLocked(t *Task) {
	tasks[t.PID] = t
	taskList = append(taskList, t)
}

// unlinkTaskLocked removes t from the task table; caller holds
// tasklistLock.
func unlinkTaskLocked(t *Task) {
	delete(tasks, t.PID)
	for i, x := range taskList {
		if x == t {
			taskList = append(taskList[:i], taskList[i+1:]...)
			break
		}
	}
}

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

// SetComm renames the task (prctl PR_SET_NAME; Linux's set_task_comm),
// truncated to TASK_COMM_LEN-1 bytes.
func (t *Task) SetComm(name string) {
	if len(name) > 15 {
		name = name[:15]
	}
	tasklistLock.Lock()
	old := t.Comm
	t.Comm = name
	t.Thread.Name = name
	tasklistLock.Unlock()
	if trace.On(trace.TaskRename) {
		traceRename(t, old)
	}
}

// Exited returns a channel closed when t has exited (become a zombie).
func (t *Task) Exited() <-chan struct{} { return t.exited }

// Signals proc raises itself (Linux numbering).
const (
	SIGKILL = 9
	SIGSEGV = 11
	SIGTERM = 15
	SIGCHLD = 17
)

// ExitStatus is the wait status of a task that called exit(code).
func ExitStatus(code int) int { return (code & 0xff) << 8 }

// SignalStatus is the wait status of a task killed by signal sig.
func SignalStatus(sig int) int { return sig & 0x7f }

// kthreadInfo is a kthread's state (struct kthread).
type kthreadInfo struct {
	shouldStop bool // KthreadStop was called; protected by kthreadLock
	result     int  // threadfn's return value
	exited     sched.Completion
}

// PIDsInUse returns how many PIDs are allocated.
func PIDsInUse() int { return pids.InUse() }
