package sched

import "tamix/trace"

// tracedTask is what the tracepoints need of a task beyond its Thread:
// proc.Task implements it (sched cannot import proc).
type tracedTask interface {
	TracePID() int
	// TraceExitState is EXIT_ZOMBIE or EXIT_DEAD once the task has
	// exited (0 before), for sched_switch's prev_state of a dead task.
	TraceExitState() int
}

// tracePID returns t's PID, or -1 for a Thread with no task around it.
func tracePID(t *Thread) int32 {
	if o, ok := t.Owner.(tracedTask); ok {
		return int32(o.TracePID())
	}
	return -1
}

// tracePrio is the task's prio as Linux prints it: 120 + nice for a
// normal task (Tamix has no real-time policies).
func tracePrio(t *Thread) int64 { return int64(120 + t.Nice) }

// traceHeader fills the common fields of an entry made while curr owns
// the CPU and the run-queue lock is held (depth 2, as Linux shows under
// rq->lock with preemption off).
func traceHeader(e *trace.Entry, id trace.ID, curr *Thread) {
	e.ID = id
	e.PID = tracePID(curr)
	trace.SetComm(&e.Comm, curr.Name)
	e.Flags = trace.FlagIrqsOff
	if curr.needResched.Load() {
		e.Flags |= trace.FlagNeedResched
	}
	e.Depth = 2
}

// switchState is prev_state for sched_switch: Linux's
// __trace_sched_switch_state(), from Tamix's state and exit state.
func switchState(prev *Thread, preempt bool) int64 {
	s := prev.State()
	switch {
	case preempt && s == TaskRunning:
		return trace.ReportMax
	case s&TaskInterruptible != 0:
		return trace.ReportS
	case s&TaskUninterruptible != 0:
		return trace.ReportD
	case s&TaskStopped != 0:
		return trace.ReportT
	case s&TaskDead != 0:
		if o, ok := prev.Owner.(tracedTask); ok && o.TraceExitState() == 0x10 {
			return trace.ReportX
		}
		return trace.ReportZ
	}
	return 0
}

// traceSchedSwitch records sched_switch. Caller holds rq.mu.
// Mirrors trace_sched_switch() in __schedule().
func traceSchedSwitch(prev, next *Thread, preempt bool) {
	var e trace.Entry
	traceHeader(&e, trace.SchedSwitch, prev)
	trace.SetComm(&e.Str[0], prev.Name)
	trace.SetComm(&e.Str[1], next.Name)
	e.Arg[0], e.Arg[1], e.Arg[2] = int64(tracePID(prev)), tracePrio(prev), switchState(prev, preempt)
	e.Arg[3], e.Arg[4] = int64(tracePID(next)), tracePrio(next)
	trace.Emit(&e)
}

// traceSchedWakeup records sched_wakeup (or sched_wakeup_new) of t by
// curr. Caller holds rq.mu. Mirrors trace_sched_wakeup() in
// ttwu_do_wakeup(); Tamix records only wake-ups that put a sleeping task
// back on the run queue, not those of a task that had not yet scheduled
// away (Linux's ttwu_runnable() records those too).
func traceSchedWakeup(id trace.ID, t, curr *Thread) {
	var e trace.Entry
	traceHeader(&e, id, curr)
	trace.SetComm(&e.Str[0], t.Name)
	e.Arg[0], e.Arg[1], e.Arg[2] = int64(tracePID(t)), tracePrio(t), 0
	trace.Emit(&e)
}

// traceStatRuntime records sched_stat_runtime: delta ns of CPU time
// charged to curr. Caller holds rq.mu. Mirrors trace_sched_stat_runtime()
// in update_curr() (Linux 6.8's format, without vruntime).
func traceStatRuntime(curr *Thread, delta int64) {
	var e trace.Entry
	traceHeader(&e, trace.SchedStatRuntime, curr)
	trace.SetComm(&e.Str[0], curr.Name)
	e.Arg[0], e.Arg[1] = int64(tracePID(curr)), delta
	trace.Emit(&e)
}
