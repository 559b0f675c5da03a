package proc

import "tamix/trace"

// The process tracepoints: each helper gathers an event's fields and
// records it. Call sites test trace.On first, so that a tracepoint that
// is off costs one atomic load and a branch:
//
//	if trace.On(trace.SchedProcessExit) {
//		traceProcess(trace.SchedProcessExit, t, t)
//	}
//
// The current task is passed in (cur) rather than looked up, since some
// callers hold locks that Current would take. Comms of other tasks are
// read without tasklistLock: a task renames only itself, and the
// tracepoints that read another task's comm run when it cannot (a child
// not yet started, a zombie).

// TracePID is the task's PID, for the scheduler's tracepoints
// (sched.tracedTask).
func (t *Task) TracePID() int { return t.PID }

// TraceExitState is the task's exit state (EXIT_ZOMBIE, EXIT_DEAD or 0)
// for sched_switch's prev_state of a dead task. Read without
// tasklistLock: it only tells Z from X in a trace line.
func (t *Task) TraceExitState() int { return t.ExitState }

// tracePrio is Linux's prio of a normal task: 120 + nice.
func tracePrio(t *Task) int64 { return int64(120 + t.Nice) }

// traceEntry starts an entry made by cur: the context columns.
// Interrupts are masked whenever Go runs in ring 0, hence 'd'.
func traceEntry(e *trace.Entry, id trace.ID, cur *Task) {
	e.ID = id
	e.Flags = trace.FlagIrqsOff
	if cur != nil {
		e.PID = int32(cur.PID)
		trace.SetComm(&e.Comm, cur.Comm)
		if cur.NeedResched() {
			e.Flags |= trace.FlagNeedResched
		}
	}
}

// traceProcess records one of the "comm pid prio" events about t
// (sched_process_exit, sched_process_free; Linux's
// sched_process_template) or, with another id, tamix_kthread_create and
// tamix_stack_free, which print comm and pid.
func traceProcess(id trace.ID, cur, t *Task) {
	var e trace.Entry
	traceEntry(&e, id, cur)
	trace.SetComm(&e.Str[0], t.Comm)
	e.Arg[0], e.Arg[1] = int64(t.PID), tracePrio(t)
	trace.Emit(&e)
}

// traceFork records task_newtask and sched_process_fork for a child p
// created with flags. Mirrors the tracepoints of copy_process() and
// kernel_clone().
func traceFork(p, child *Task, flags uint64) {
	var e trace.Entry
	if trace.On(trace.TaskNewtask) {
		traceEntry(&e, trace.TaskNewtask, p)
		trace.SetComm(&e.Str[0], child.Comm)
		e.Arg[0], e.Arg[1] = int64(child.PID), int64(flags)
		trace.Emit(&e)
	}
	if trace.On(trace.SchedProcessFork) {
		e = trace.Entry{}
		traceEntry(&e, trace.SchedProcessFork, p)
		trace.SetComm(&e.Str[0], p.Comm)
		trace.SetComm(&e.Str[1], child.Comm)
		e.Arg[0], e.Arg[1] = int64(p.PID), int64(child.PID)
		trace.Emit(&e)
	}
}

// traceRename records task_rename: t (current) renamed from old to its
// comm now. Mirrors __set_task_comm()'s tracepoint.
func traceRename(t *Task, old string) {
	var e trace.Entry
	traceEntry(&e, trace.TaskRename, t)
	trace.SetComm(&e.Comm, old) // the line's comm is the one before
	trace.SetComm(&e.Str[0], old)
	trace.SetComm(&e.Str[1], t.Comm)
	e.Arg[0] = int64(t.PID)
	trace.Emit(&e)
}

// traceExec records task_rename (exec sets the comm, as Linux's
// begin_new_exec() does through __set_task_comm()) and
// sched_process_exec.
func traceExec(t *Task, filename, oldComm string, oldPID int) {
	if trace.On(trace.TaskRename) {
		traceRename(t, oldComm)
	}
	if trace.On(trace.SchedProcessExec) {
		var e trace.Entry
		traceEntry(&e, trace.SchedProcessExec, t)
		copy(e.Path[:len(e.Path)-1], filename)
		e.Arg[0], e.Arg[1] = int64(t.PID), int64(oldPID)
		trace.Emit(&e)
	}
}

// traceWait records sched_process_wait: cur waits for pid (0: any).
func traceWait(cur *Task, pid int) {
	var e trace.Entry
	traceEntry(&e, trace.SchedProcessWait, cur)
	trace.SetComm(&e.Str[0], cur.Comm)
	e.Arg[0], e.Arg[1] = int64(pid), tracePrio(cur)
	trace.Emit(&e)
}

// Results of signal_generate (Linux's TRACE_SIGNAL_*).
const (
	traceSignalDelivered      = 0
	traceSignalAlreadyPending = 2
	traceSignalLoseInfo       = 4
)

// traceSignalGenerate records signal_generate: sig sent to t (shared:
// to its process) with result res. Caller holds tasklistLock.
func traceSignalGenerate(sig int, info *Siginfo, t *Task, shared bool, res int) {
	var e trace.Entry
	traceEntry(&e, trace.SignalGenerate, Current())
	trace.SetComm(&e.Str[0], t.Comm)
	grp := int64(0)
	if shared {
		grp = 1
	}
	e.Arg = [8]int64{int64(sig), int64(info.get32(4)), int64(info.Code()), int64(t.PID), grp, int64(res)}
	trace.Emit(&e)
}

// traceSignalDeliver records signal_deliver: t takes sig with action ka.
func traceSignalDeliver(t *Task, sig int, info *Siginfo, ka Sigaction) {
	var e trace.Entry
	traceEntry(&e, trace.SignalDeliver, t)
	var errno, code int64
	if info != nil {
		errno, code = int64(info.get32(4)), int64(info.Code())
	}
	e.Arg = [8]int64{int64(sig), errno, code, int64(ka.Handler), int64(ka.Flags)}
	trace.Emit(&e)
}

// tracePut notes one of the two ends of a task's life that must both
// have happened before Linux would free its task_struct: the parent
// reaping it (ReleaseTask) and the switch away from it being finished
// (its kernel stack freed). The second records sched_process_free, so
// that, as in Linux (delayed_put_task_struct), the event comes after the
// task's last switch. The count is kept whether tracing is on or not (an
// atomic add twice in a task's life), so that turning tracing on halfway
// does not lose the event.
func tracePut(t *Task) {
	if t.Stack == nil || t.Stack.tracePuts.Add(1) != 2 {
		return
	}
	if trace.On(trace.SchedProcessFree) {
		traceProcess(trace.SchedProcessFree, Current(), t)
	}
}

// traceResult is signal_generate's res for a signal queued with q (nil:
// its siginfo was lost to the queue limit).
func traceResult(q *Siginfo) int {
	if q == nil {
		return traceSignalLoseInfo
	}
	return traceSignalDelivered
}

// traceKthreadCreate records Tamix's tamix_kthread_create: kthreadd
// (current) made kernel thread pid, name.
func traceKthreadCreate(pid int, name string) {
	var e trace.Entry
	traceEntry(&e, trace.KthreadCreate, Current())
	trace.SetComm(&e.Str[0], name)
	e.Arg[0] = int64(pid)
	trace.Emit(&e)
}

// tracePageFault records page_fault_user: t faulted at addr with
// error code code. Mirrors arch/x86/mm/fault.c's trace_page_fault_user().
func tracePageFault(t *Task, addr uintptr, code uint64) {
	var e trace.Entry
	traceEntry(&e, trace.PageFaultUser, t)
	e.Arg[0], e.Arg[1], e.Arg[2] = int64(addr), int64(t.Regs.IP), int64(code)
	trace.Emit(&e)
}

// TraceSysEnter records raw_syscalls:sys_enter for t's system call (its
// number and six arguments from pt_regs); the system-call layer calls it.
func TraceSysEnter(t *Task) {
	var e trace.Entry
	traceEntry(&e, trace.SysEnter, t)
	r := t.Regs
	e.Arg = [8]int64{int64(r.OrigAX), int64(r.DI), int64(r.SI), int64(r.DX), int64(r.R10), int64(r.R8), int64(r.R9)}
	trace.Emit(&e)
}

// TraceSysExit records raw_syscalls:sys_exit: the number nr (taken
// before the call: execve replaces the registers) and RAX.
func TraceSysExit(t *Task, nr uint64) {
	var e trace.Entry
	traceEntry(&e, trace.SysExit, t)
	e.Arg[0], e.Arg[1] = int64(nr), int64(t.Regs.AX)
	trace.Emit(&e)
}
