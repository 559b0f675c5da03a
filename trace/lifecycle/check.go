// Package lifecycle checks the rules of a task's life over a trace (the
// ftrace text of package trace, parsed by trace/ftrace): what fork, exit,
// the scheduler and the deferred stack free promise each other. It runs on
// the host over the trace of a test boot (make test) and in its own unit
// tests over broken streams. Linux has no such checker; its rules are the
// comments of kernel/fork.c, kernel/exit.c and kernel/sched/core.c made
// executable.
//
// The rules:
//   - every fork has at most one exit and one free, the free after the
//     exit (and, with Options.Complete, every task that exited was freed);
//   - a kernel stack is freed exactly once, after its task's last switch,
//     by another task;
//   - no event names a task after its free (until a new fork reuses the
//     PID);
//   - consecutive sched_switch events chain: the prev of one is the next
//     of the one before (per CPU);
//   - sched_wakeup wakes only a task that switched out asleep (S, D, T)
//     and was not woken since;
//   - a fork does not reuse a PID whose previous task was not freed yet.
package lifecycle

import (
	"fmt"

	"tamix/trace/ftrace"
)

// Options tune the check.
type Options struct {
	// Complete: the trace covers a run to its end, so a task that
	// exited must also have been freed (tasks still alive are fine).
	Complete bool
	// MaxErrors stops after that many violations (0: 20).
	MaxErrors int
}

// Violation is one broken rule at one line of the trace.
type Violation struct {
	Line int
	Rule string
	Msg  string
}

func (v Violation) String() string { return fmt.Sprintf("line %d: %s: %s", v.Line, v.Rule, v.Msg) }

// Rule names.
const (
	RuleExit   = "one-exit"
	RuleFree   = "one-free"
	RuleStack  = "stack-free"
	RuleAfter  = "after-free"
	RuleChain  = "switch-chain"
	RuleWakeup = "wakeup-sleeping"
	RulePID    = "pid-reuse"
	RuleLost   = "lost-events"
)

// task is what the checker knows of one task (one PID between its fork
// and its free).
type task struct {
	pid, forkLine     int
	exits, frees      int
	stackFrees        int
	lastSwitchOut     int  // line of the last sched_switch away from it
	running           bool // it is some CPU's current task
	sleeping          bool // switched out asleep, not woken since
	freed, stackFreed bool
}

// checker walks the records once.
type checker struct {
	opts  Options
	tasks map[int]*task // by PID; the current holder of each PID
	cur   map[int]int   // CPU -> PID of the next of the last sched_switch
	out   []Violation
}

// Check applies the rules to tr and returns the violations, in order.
func Check(tr *ftrace.Trace, opts Options) []Violation {
	if opts.MaxErrors == 0 {
		opts.MaxErrors = 20
	}
	c := &checker{opts: opts, tasks: map[int]*task{}, cur: map[int]int{}}
	if tr.Lost() > 0 {
		c.fail(0, RuleLost, "%d events were overwritten before the dump: raise trace_buf_size", tr.Lost())
		return c.out
	}
	for i := range tr.Records {
		if len(c.out) >= opts.MaxErrors {
			return c.out
		}
		c.record(&tr.Records[i])
	}
	if opts.Complete {
		c.finish()
	}
	return c.out
}

func (c *checker) fail(line int, rule, format string, args ...any) {
	if len(c.out) < c.opts.MaxErrors {
		c.out = append(c.out, Violation{line, rule, fmt.Sprintf(format, args...)})
	}
}

// get returns the task holding pid, creating a record for a task that
// existed before the trace began (PIDs 0, 1, 2 at least).
func (c *checker) get(pid int) *task {
	t := c.tasks[pid]
	if t == nil {
		t = &task{pid: pid}
		c.tasks[pid] = t
	}
	return t
}

// record applies the rules to one event.
func (c *checker) record(r *ftrace.Record) {
	c.noEventAfterFree(r)
	switch r.Event {
	case "sched_process_fork":
		c.fork(r)
	case "sched_process_exit":
		t := c.get(int(r.Int("pid")))
		if t.exits++; t.exits > 1 {
			c.fail(r.Line, RuleExit, "pid %d exits a second time", t.pid)
		}
	case "sched_process_free":
		c.free(r)
	case "tamix_stack_free":
		c.stackFree(r)
	case "sched_switch":
		c.schedSwitch(r)
	case "sched_wakeup":
		c.wakeup(r)
	}
}

// finish checks what only the end of the trace shows.
func (c *checker) finish() {
	for _, t := range c.tasks {
		if t.pid == 1 {
			continue // init's exit powers the machine off: nobody reaps it
		}
		if t.exits > 0 && !t.freed {
			c.fail(0, RuleFree, "pid %d exited but was never freed", t.pid)
		}
		if t.exits > 0 && t.stackFrees == 0 {
			c.fail(0, RuleStack, "pid %d exited but its kernel stack was never freed", t.pid)
		}
	}
}
