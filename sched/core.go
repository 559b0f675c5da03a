package sched

import (
	"runtime"
	"sync"
	"sync/atomic"

	"tamix/trace"
)

// RunQueue is the CPU's run queue (struct rq). Tamix has one CPU.
type RunQueue struct {
	mu   sync.Mutex // protects everything below and the Threads' run-queue fields
	cfs  CFSRq      // runnable tasks other than the current one
	curr *Thread    // the task that owns the CPU
	idle *Thread    // PID 0's thread, run when nothing else is runnable
	// prev is the task the last switch came from, for FinishTaskSwitch.
	prev       *Thread
	nrSwitches uint64
	// kick wakes the idle task when a task becomes runnable.
	kick chan struct{}
}

var rq = RunQueue{kick: make(chan struct{}, 1)}

// Clock returns the scheduler clock in nanoseconds (sched_clock); the
// kernel sets it to the boot clock before the first task runs.
var Clock = func() int64 { return 0 }

// FinishHook is called by FinishTaskSwitch with the task switched away
// from (proc frees a dead task's kernel stack there).
var FinishHook func(prev *Thread)

// InitIdle makes the calling goroutine the idle task's: the boot context
// becomes PID 0, as in Linux's init_task / sched_init().
func InitIdle(idle *Thread) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	idle.state.Store(TaskRunning)
	rq.idle, rq.curr = idle, idle
}

// Current returns the current task's Thread (current).
func Current() *Thread {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	return rq.curr
}

// NrSwitches returns the number of context switches so far.
func NrSwitches() uint64 {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	return rq.nrSwitches
}

// Schedule gives up the CPU: if the current task is not TaskRunning it
// leaves the run queue (it is going to sleep or dying); the next task is
// picked and switched to. Returns when the current task is picked again;
// a dead task's call never returns (its goroutine ends).
// Mirrors kernel/sched/core.c:__schedule(); the switch is a hand-over of
// batons between goroutines instead of a swap of kernel stacks.
func Schedule() { schedule(false) }

// Preempt is Schedule for a task that is still runnable but was told to
// give way (the tick or a wake-up set NeedResched): an involuntary switch.
func Preempt() { schedule(true) }

func schedule(preempt bool) {
	rq.mu.Lock()
	prev := rq.curr
	now := Clock()
	prev.needResched.Store(false)
	statRuntime := trace.On(trace.SchedStatRuntime)
	var rt0 int64
	if statRuntime {
		rt0 = prev.Se.SumExecRuntime
	}
	switch {
	case prev == rq.idle:
		chargeIdleLocked(now)
	case prev.State() == TaskRunning:
		rq.cfs.PutPrev(&prev.Se, now) // put_prev_task: back in the queue
		if preempt {
			prev.Nivcsw++
		} else {
			prev.Nvcsw++
		}
	default:
		rq.cfs.Update(&prev.Se, now) // deactivate_task: it sleeps or dies
		prev.onRq = false
		prev.Nvcsw++
	}
	next := rq.idle
	if e := rq.cfs.PickNext(); e != nil {
		rq.cfs.SetNext(e, now) // the running task is not in the queue
		next = e.Owner.(*Thread)
	}
	if statRuntime && prev != rq.idle {
		traceStatRuntime(prev, prev.Se.SumExecRuntime-rt0)
	}
	if next == prev {
		rq.mu.Unlock()
		return
	}
	if trace.On(trace.SchedSwitch) {
		traceSchedSwitch(prev, next, preempt)
	}
	if next == rq.idle {
		next.Se.ExecStart = now // idle time counts from here
	}
	ContextSwitch(prev, next)
	dead := prev.State() == TaskDead
	rq.mu.Unlock()
	next.baton <- struct{}{} // the CPU is next's
	if dead {
		exitThread(prev) // the dying task's kernel-side life ends here
	}
	<-prev.baton // until someone switches back to us
	FinishTaskSwitch()
}

// ContextSwitch records the switch and does the part of the
// architectural switch that must happen here, on behalf of next: its
// SwitchTo, which loads next's page tables (switch_mm: CR3). The rest of
// Linux's switch_to happens elsewhere in Tamix: the CPU state of the
// kernel side is the goroutine's, handed over with the baton that
// follows in Schedule; TSS.RSP0, the user FS base and the user FPU
// registers are loaded by EnterUser when next returns to user mode (a
// task in the kernel uses Go's stack, FS base and FPU state). Only
// Schedule calls it, with the run-queue lock held. Mirrors
// kernel/sched/core.c:context_switch().
func ContextSwitch(prev, next *Thread) {
	rq.nrSwitches++
	rq.prev, rq.curr = prev, next
	if next.SwitchTo != nil {
		next.SwitchTo()
	}
}

// FinishTaskSwitch runs in the task that just got the CPU, first thing:
// it completes what the previous task could not do itself. In Linux a
// dead task cannot free the kernel stack it switched away on. In Tamix
// the dying goroutine runs on its own Go stack, not on its 16 KiB kernel
// stack (only the CPU uses that, for traps from user mode), but the rule
// is kept for the same reason in another form: once the baton has passed
// nothing of the dead task can run any more, so its stack is freed here,
// by the next task (through FinishHook), never by the dying task itself.
// Mirrors kernel/sched/core.c:finish_task_switch().
func FinishTaskSwitch() {
	rq.mu.Lock()
	prev := rq.prev
	rq.prev = nil
	rq.mu.Unlock()
	if prev != nil && prev.State() == TaskDead && FinishHook != nil {
		FinishHook(prev)
	}
}

// TryToWakeUp makes t runnable if it sleeps in one of the states in
// mask, queues it and asks the current task to give way if t should run
// first. Returns whether t was woken. Mirrors kernel/sched/core.c:
// try_to_wake_up().
func TryToWakeUp(t *Thread, mask int32) bool {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	s := t.State()
	if s&mask == 0 {
		return false
	}
	t.state.Store(TaskRunning)
	if t.onRq {
		// Still running or queued: it set its state but has not
		// scheduled away yet, so making it runnable is enough (Linux's
		// ttwu_runnable): the wake-up is not lost.
		return true
	}
	activateLocked(t, true)
	if trace.On(trace.SchedWakeup) {
		traceSchedWakeup(trace.SchedWakeup, t, rq.curr)
	}
	return true
}

// WakeUpProcess wakes t from either sleeping state (wake_up_process).
func WakeUpProcess(t *Thread) bool {
	return TryToWakeUp(t, TaskInterruptible|TaskUninterruptible)
}

// activateLocked queues t and checks wake-up preemption. Caller holds rq.mu.
func activateLocked(t *Thread, wakeup bool) {
	if t != rq.curr {
		rq.cfs.Enqueue(&t.Se, wakeup)
	}
	t.onRq = true
	if rq.curr != rq.idle {
		rq.cfs.Update(&rq.curr.Se, Clock()) // charge curr before comparing
	}
	if rq.curr == rq.idle || rq.cfs.CheckPreemptWakeup(&rq.curr.Se, &t.Se) {
		rq.curr.needResched.Store(true)
	}
	select {
	case rq.kick <- struct{}{}: // the idle task may be waiting
	default:
	}
}

// totalForks counts SchedFork calls (Linux's total_forks, /proc/stat's
// "processes").
var totalForks atomic.Uint64

// TotalForks returns the number of tasks forked since boot.
func TotalForks() uint64 { return totalForks.Load() }

// SchedFork prepares a new task's scheduling state: it inherits the
// parent's nice value and is not runnable yet. Mirrors sched_fork().
func SchedFork(child, parent *Thread) {
	totalForks.Add(1)
	child.StartTime = Clock()
	child.Nice = parent.Nice
	child.Se.Weight = NiceToWeight(child.Nice)
	child.state.Store(TaskNew)
}

// WakeUpNewTask makes a new task runnable for the first time. Its
// goroutine must already be waiting for the CPU (StartThread). Mirrors
// wake_up_new_task().
func WakeUpNewTask(t *Thread) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	t.state.Store(TaskRunning)
	rq.cfs.PlaceNew(&t.Se)
	activateLocked(t, false)
	if trace.On(trace.SchedWakeupNew) {
		traceSchedWakeup(trace.SchedWakeupNew, t, rq.curr)
	}
}

// SchedulerTick charges the current task for the time it ran and sets
// NeedResched when its slice is over. Called by the tick (on the current
// task's goroutine). Mirrors kernel/sched/core.c:scheduler_tick().
func SchedulerTick() {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	curr := rq.curr
	if curr == rq.idle {
		return
	}
	if rq.cfs.Tick(&curr.Se, Clock()) {
		curr.needResched.Store(true)
	}
}

// Yield puts the current task behind the others of equal standing
// (sched_yield).
func Yield() {
	rq.mu.Lock()
	rq.cfs.YieldCurr(&rq.curr.Se)
	rq.mu.Unlock()
	Preempt()
}

// CondResched gives the CPU away if the current task should (kernel
// threads call it in long loops: they are not preempted in Go code).
func CondResched() {
	SchedulerTick()
	if Current().NeedResched() {
		Preempt()
	}
	runtime.Gosched() // let the softirq-like goroutines run
}

// IdleLoop is PID 0's life after boot: wait until a task is runnable,
// switch to it, repeat. While it waits the Go runtime idles the CPU (HLT
// until the next interrupt). Mirrors kernel/sched/idle.c:do_idle().
// Does not return.
func IdleLoop() {
	for {
		rq.mu.Lock()
		runnable := rq.cfs.NrRunning() > 0
		rq.mu.Unlock()
		if runnable {
			Schedule()
			continue
		}
		<-rq.kick
	}
}

// SetNice changes t's nice value and weight (set_user_nice); a task
// waiting in the queue keeps its fair position.
func SetNice(t *Thread, nice int) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	if t == rq.curr && t != rq.idle {
		rq.cfs.Update(&t.Se, Clock()) // charge at the old weight first
	}
	rq.cfs.SetNice(&t.Se, nice)
	t.Nice = nice
}

// ExecRuntime returns the CPU time t has used, up to now if it runs.
func ExecRuntime(t *Thread) int64 {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	switch {
	case t == rq.curr && t == rq.idle:
		chargeIdleLocked(Clock())
	case t == rq.curr:
		rq.cfs.Update(&t.Se, Clock())
	}
	return t.Se.SumExecRuntime
}

// chargeIdleLocked adds the time the idle task has had the CPU since
// its ExecStart to its SumExecRuntime (the idle time of /proc/uptime
// and /proc/stat; Linux's account_idle_time()). Caller holds rq.mu and
// the idle task is current.
func chargeIdleLocked(now int64) {
	idle := &rq.idle.Se
	if now > idle.ExecStart {
		idle.SumExecRuntime += now - idle.ExecStart
	}
	idle.ExecStart = now
}
