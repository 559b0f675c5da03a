//go:build tamago

package proc

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/sched"
	"tamix/trace"
)

// Limits on tasks. MaxThreads is the global limit (Linux's max_threads,
// sized so task stacks take at most an eighth of memory); a new process
// gets RLIMIT_NPROC = MaxThreads/2 as Linux gives init. nrThreads counts
// tasks, protected by tasklistLock.
var (
	MaxThreads = 1024
	nrThreads  int
)

// CloneArgs are clone's arguments (struct kernel_clone_args).
type CloneArgs struct {
	Flags      uint64  // CLONE_* and the exit signal in CSIGNAL
	Stack      uintptr // new user stack pointer, 0: the parent's
	ParentTID  uintptr // CLONE_PARENT_SETTID: where the parent gets the TID
	ChildTID   uintptr // CLONE_CHILD_SETTID / CLEARTID address
	TLS        uint64  // CLONE_SETTLS: the child's FS base
	kfn        func() int
	kernelName string
}

// DoFork creates a child of the current task and makes it runnable; for
// CLONE_VFORK it waits until the child execs or exits. Returns the
// child's PID. Mirrors kernel/fork.c:kernel_clone().
func DoFork(args *CloneArgs) (int, error) {
	p := Current()
	child, err := CopyProcess(p, args)
	if err != nil {
		return 0, err
	}
	pid := child.PID
	if trace.Enabled()&(1<<trace.TaskNewtask|1<<trace.SchedProcessFork) != 0 {
		traceFork(p, child, args.Flags)
	}
	if injectEarlyStackFree.Load() {
		maybeInjectEarlyStackFree(child) // tamix.inject=early_stack_free (tests)
	}
	var vfork sched.Completion
	if args.Flags&CLONE_VFORK != 0 {
		child.vforkDone = &vfork
	}
	startNewTask(child)
	if args.Flags&CLONE_VFORK != 0 {
		// wait_for_vfork_done(): killable, so that a vfork parent
		// can be killed while its child runs.
		sched.WaitForCompletionKillable(&vfork, p.FatalSignalPending)
	}
	return pid, nil
}

// WakeUpNewTask makes a new task runnable for the first time.
func WakeUpNewTask(t *Task) { sched.WakeUpNewTask(&t.Thread) }

// startNewTask starts the child's goroutine (waiting for the CPU) and
// makes it runnable.
func startNewTask(child *Task) {
	sched.StartThread(&child.Thread, child.retFromFork)
	WakeUpNewTask(child)
}

// CopyProcess builds the child: a copy of p (or, for a kernel thread, a
// task that will run args.kfn) sharing or duplicating each part as the
// flags say. On error everything taken so far is given back in reverse
// order. Mirrors kernel/fork.c:copy_process().
func CopyProcess(p *Task, args *CloneArgs) (*Task, error) {
	flags := args.Flags
	if err := CheckCloneFlags(flags); err != nil {
		return nil, err
	}
	if flags&CLONE_PARENT != 0 && p.Signal != nil && p.Signal.Flags&SIGNAL_UNKILLABLE != 0 {
		return nil, abi.EINVAL // init's siblings would have no reaper; its threads are fine
	}
	if err := chargeTask(p); err != nil {
		return nil, err
	}
	child, err := DupTaskStruct(p, args)
	if err != nil {
		unchargeTask()
		return nil, err
	}
	sched.SchedFork(&child.Thread, &p.Thread)
	CopyFiles(flags, p, child)
	CopyFS(flags, p, child)
	CopySighand(flags, p, child)
	CopySignal(flags, p, child)
	if p.Cred != nil {
		child.Cred = p.Cred.copyCred() // copy_creds()
	}
	if err := CopyMM(flags, p, child); err != nil {
		exitFilesOf(child)
		exitFS(child)
		freeTaskStruct(child)
		unchargeTask()
		return nil, err
	}
	CopyThread(p, child, args)
	pid, err := pids.Alloc() // alloc_pid()
	if err != nil {
		exitMMOf(child)
		exitFilesOf(child)
		exitFS(child)
		freeTaskStruct(child)
		unchargeTask()
		return nil, abi.EAGAIN
	}
	child.PID, child.TGID = pid, pid
	if flags&CLONE_THREAD != 0 {
		child.TGID = p.TGID
	}
	if flags&CLONE_PARENT_SETTID != 0 && p.MM != nil {
		putUserInt32(p, args.ParentTID, int32(pid))
	}
	linkChild(p, child, flags)
	return child, nil
}

// chargeTask counts a new task against RLIMIT_NPROC and MaxThreads.
// Linux exempts root from RLIMIT_NPROC; Tamix has only root and enforces
// it, so that a fork bomb meets it.
func chargeTask(p *Task) error {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	limit := uint64(MaxThreads / 2)
	if p.Signal != nil {
		limit = p.Signal.Rlim[RLIMIT_NPROC].Cur
	}
	if nrThreads >= MaxThreads || uint64(nrThreads) >= limit {
		return abi.EAGAIN
	}
	nrThreads++
	return nil
}

func unchargeTask() {
	tasklistLock.Lock()
	nrThreads--
	tasklistLock.Unlock()
}

// DupTaskStruct returns a new task with its own kernel stack, a copy of
// p's identity, no PID yet, linked nowhere. Mirrors
// kernel/fork.c:dup_task_struct().
func DupTaskStruct(p *Task, args *CloneArgs) (*Task, error) {
	stack, err := AllocTaskStack()
	if err != nil {
		return nil, abi.ENOMEM
	}
	comm := p.Comm
	if args.kernelName != "" {
		comm = args.kernelName
	}
	t := &Task{Comm: comm, Stack: stack, exited: make(chan struct{})}
	t.ExitSignal = int(args.Flags & CSIGNAL)
	t.Regs = amd64.KernelStackRegs(stack.Top())
	t.Thread.Init(comm, t)
	t.Thread.SwitchTo = t.switchMM
	t.Console = p.Console
	return t, nil
}

// freeTaskStruct unwinds DupTaskStruct.
func freeTaskStruct(t *Task) { PutTaskStack(t, -1) }

// CopyFiles shares (CLONE_FILES) or duplicates the descriptor table.
// Mirrors kernel/fork.c:copy_files().
func CopyFiles(flags uint64, p, child *Task) {
	if p.Files == nil {
		return
	}
	if flags&CLONE_FILES != 0 {
		p.Files.get()
		child.Files = p.Files
		return
	}
	child.Files = p.Files.dup()
}

// CopyFS shares (CLONE_FS) or copies the root, working directory and
// umask (fs_struct). Mirrors kernel/fork.c:copy_fs().
func CopyFS(flags uint64, p, child *Task) {
	if p.FS == nil {
		return
	}
	if flags&CLONE_FS != 0 {
		p.FS.Get()
		child.FS = p.FS
		return
	}
	child.FS = p.FS.Copy()
}

// CopySighand shares (CLONE_SIGHAND) or copies the signal dispositions.
// Mirrors kernel/fork.c:copy_sighand().
func CopySighand(flags uint64, p, child *Task) {
	if flags&CLONE_SIGHAND != 0 || p.Sighand == nil {
		child.Sighand = p.Sighand
		return
	}
	sh := &Sighand{}
	p.Sighand.Siglock.Lock()
	sh.Action = p.Sighand.Action
	p.Sighand.Siglock.Unlock()
	child.Sighand = sh
}

// CopySignal shares the per-process signal state with a thread
// (CLONE_THREAD) or gives a new process its own: the parent's limits,
// process group and session, nothing pending, no timer. The thread's own
// part is set here too: the parent's mask and alternate stack, nothing
// pending. Mirrors kernel/fork.c:copy_signal() and the signal lines of
// copy_process().
func CopySignal(flags uint64, p, child *Task) {
	child.Blocked = p.Blocked
	if flags&(CLONE_VM|CLONE_VFORK) != CLONE_VM {
		child.Altstack = p.Altstack // sas_ss_reset() only for threads
	}
	if flags&CLONE_THREAD != 0 || p.Signal == nil {
		child.Signal = p.Signal
		return
	}
	s := &SignalStruct{Rlim: p.Signal.Rlim}
	tasklistLock.Lock()
	s.Pgrp, s.Session = p.Signal.Pgrp, p.Signal.Session
	tasklistLock.Unlock()
	child.Signal = s
}

// CopyMM shares the address space (CLONE_VM) or duplicates it with
// copy-on-write (mm.Dup). Kernel threads have none. Mirrors
// kernel/fork.c:copy_mm() and dup_mm().
func CopyMM(flags uint64, p, child *Task) error {
	if p.MM == nil || child.kfn != nil {
		return nil
	}
	if flags&CLONE_VM != 0 {
		p.MM.Get()
		child.MM, child.ActiveMM = p.MM, p.MM
		return nil
	}
	m, err := p.MM.Dup()
	if err != nil {
		return abi.ENOMEM
	}
	tlb := K.NewTLB()
	tlb.Bind(m)
	m.SetTLB(tlb)
	child.MM, child.ActiveMM = m, m
	return nil
}

// exitFilesOf drops a child's descriptor table while unwinding a failed
// fork (the bad_fork_cleanup_files step of copy_process()).
func exitFilesOf(t *Task) {
	if t.Files != nil {
		t.Files.Put()
		t.Files = nil
	}
}

// exitMMOf drops a child's MM while unwinding a failed fork.
func exitMMOf(t *Task) {
	if t.MM != nil {
		m := t.MM
		t.MM, t.ActiveMM = nil, nil
		m.Put()
	}
}

// CopyThread sets up the child's registers: the parent's system-call
// frame with RAX = 0 (fork returns 0 in the child), a new stack pointer
// if one was given, the FS base (CLONE_SETTLS) and a copy of the FPU
// state. A kernel thread gets its function instead. Mirrors
// arch/x86/kernel/process.c:copy_thread().
func CopyThread(p, child *Task, args *CloneArgs) {
	if args.kfn != nil {
		child.Flags |= PF_KTHREAD
		child.kfn = args.kfn
		return
	}
	*child.Regs = *p.Regs
	child.Regs.AX = 0
	if args.Stack != 0 {
		child.Regs.SP = uint64(args.Stack)
	}
	child.User.FSBase, child.User.GSBase = p.User.FSBase, p.User.GSBase
	if args.Flags&CLONE_SETTLS != 0 {
		child.User.FSBase = args.TLS
	}
	child.User.FPU = amd64.NewFPUState()
	if p.User.FPU != nil {
		child.User.FPU.CopyFrom(p.User.FPU)
	}
	if args.Flags&CLONE_CHILD_SETTID != 0 {
		child.SetChildTID = args.ChildTID
	}
	if args.Flags&CLONE_CHILD_CLEARTID != 0 {
		child.ClearChildTID = args.ChildTID
	}
}

// linkChild puts child in the task tree: under p, or under p's parent
// for CLONE_PARENT and CLONE_THREAD. Mirrors the tasklist part of
// copy_process().
func linkChild(p, child *Task, flags uint64) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	parent := p
	if flags&(CLONE_PARENT|CLONE_THREAD) != 0 && p.RealParent != nil {
		parent = p.RealParent
		child.ExitSignal = p.ExitSignal
	}
	if flags&CLONE_THREAD != 0 {
		child.ExitSignal = -1 // threads are reaped automatically
	}
	child.Parent, child.RealParent = parent, parent
	parent.Children = append(parent.Children, child)
	linkTaskLocked(child)
}

// retFromFork is where a new task starts on its goroutine: after the
// switch that brought it there (sched.StartThread ran FinishTaskSwitch),
// it writes its TID for CLONE_CHILD_SETTID and goes to user mode, or runs
// its kernel function. Mirrors arch/x86/entry/entry_64.S:ret_from_fork
// and schedule_tail().
func (t *Task) retFromFork() {
	if t.kfn != nil {
		DoExit(t.kfn())
	}
	if t.SetChildTID != 0 {
		putUserInt32(t, t.SetChildTID, int32(t.PID))
	}
	t.runUser()
}

// putUserInt32 stores v at a user address of t's address space (put_user);
// a bad address is ignored, as Linux ignores it here.
func putUserInt32(t *Task, addr uintptr, v int32) {
	if t.MM == nil || addr == 0 {
		return
	}
	b := [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	t.MM.CopyToUser(addr, b[:])
}
