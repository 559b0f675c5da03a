// Package sched decides which task owns the CPU and switches between
// them: run queue, Schedule, wake-ups, wait queues and completions, the
// tick. It mirrors kernel/sched/core.c; the policy (fair.go) mirrors
// kernel/sched/fair.c.
//
// A task is a goroutine plus its Thread. Exactly one task is current;
// every other task's goroutine is blocked on its own baton channel.
// Schedule hands the baton to the next task and waits for its own.
// Goroutines that belong to no task (Go's GC workers and timer callbacks,
// like Linux's softirqs) run in the gaps, when the current task blocks
// or yields to Go at a tick.
package sched

import "sync/atomic"

// Task states (include/linux/sched.h values).
const (
	TaskRunning         = 0x0000
	TaskInterruptible   = 0x0001
	TaskUninterruptible = 0x0002
	TaskStopped         = 0x0004 // __TASK_STOPPED: job control (SIGSTOP), woken by SIGCONT or SIGKILL
	TaskDead            = 0x0080
	TaskNew             = 0x0800
)

// Thread is what the scheduler knows of a task: proc.Task embeds it
// (Linux keeps these fields in task_struct itself; here the split keeps
// sched from importing proc).
type Thread struct {
	// State is one of the Task* constants; written by the task itself
	// (set_current_state) or, for wake-ups, under the run-queue lock.
	state atomic.Int32

	// Se is the fair-scheduling entity (sched_entity).
	Se Entity
	// Nice is the task's nice value, -20..19.
	Nice int

	// Owner points back to the task that embeds this Thread.
	Owner any
	// Name is for dumps and the log.
	Name string

	// NeedResched asks the task to call Schedule at its next chance
	// (TIF_NEED_RESCHED); set under the run-queue lock.
	needResched atomic.Bool

	baton chan struct{} // receives the CPU
	// pooled says the task runs on a worker (StartThread); exiting that
	// its goroutine is unwinding to it after the task's last switch.
	// Written only by the task's own goroutine.
	pooled, exiting bool

	// SwitchTo is called by the switch on the CPU before this task runs:
	// switch_mm and the architectural state (set by proc).
	SwitchTo func()

	// Nvcsw and Nivcsw count voluntary and involuntary context switches;
	// protected by the run-queue lock. (CPU time is Se.SumExecRuntime.)
	Nvcsw, Nivcsw uint64
	// Utime is the time spent in user mode, kept by proc; the rest of
	// Se.SumExecRuntime is system time.
	Utime int64
	onRq  bool // runnable (queued or current); protected by the run-queue lock
	// StartTime is the clock when the task was forked (start_boottime,
	// /proc/PID/stat's starttime); set by SchedFork, then read-only.
	StartTime int64
}

// Init prepares a Thread that has never run.
func (t *Thread) Init(name string, owner any) {
	t.Name, t.Owner = name, owner
	t.baton = make(chan struct{}, 1)
	t.state.Store(TaskNew)
	t.Se.Owner = t
	t.Se.Weight = NiceToWeight(t.Nice)
}

// State returns the task's state.
func (t *Thread) State() int32 { return t.state.Load() }

// SetState is set_current_state: the current task announces it is about
// to sleep (or that it runs after all).
func (t *Thread) SetState(s int32) { t.state.Store(s) }

// NeedResched reports whether the task should call Schedule.
func (t *Thread) NeedResched() bool { return t.needResched.Load() }
