package lifecycle

import "tamix/trace/ftrace"

// pidFields are the fields that name a task, by event: an event naming a
// freed task breaks the after-free rule.
var pidFields = map[string][]string{
	"sched_switch":       {"prev_pid", "next_pid"},
	"sched_wakeup":       {"pid"},
	"sched_wakeup_new":   {"pid"},
	"sched_process_exit": {"pid"},
	"sched_process_free": {"pid"},
	"sched_stat_runtime": {"pid"},
	"tamix_stack_free":   {"pid"},
	"signal_generate":    {"pid"},
	"task_rename":        {"pid"},
	"sched_process_exec": {"pid"},
}

// noEventAfterFree: neither the current task of a line nor a task it
// names may be one that was freed (sched_process_free) and whose PID no
// fork has taken since.
func (c *checker) noEventAfterFree(r *ftrace.Record) {
	if t := c.tasks[r.PID]; t != nil && t.freed {
		c.fail(r.Line, RuleAfter, "%s runs as pid %d, which was freed", r.Event, r.PID)
		return
	}
	for _, f := range pidFields[r.Event] {
		v, ok := r.Fields[f]
		if !ok {
			continue
		}
		pid := int(r.Int(f))
		if t := c.tasks[pid]; t != nil && t.freed {
			c.fail(r.Line, RuleAfter, "%s names pid %d (%s=%s), which was freed", r.Event, pid, f, v)
		}
	}
}

// fork: the child's PID must not be held by a task that was not freed.
func (c *checker) fork(r *ftrace.Record) {
	pid := int(r.Int("child_pid"))
	if old := c.tasks[pid]; old != nil && !old.freed {
		c.fail(r.Line, RulePID, "fork reuses pid %d, still held by the task forked at line %d", pid, old.forkLine)
	}
	c.tasks[pid] = &task{pid: pid, forkLine: r.Line}
}

// free: sched_process_free once, after the exit and after the stack free
// (Tamix records it when both the reaping and the stack free are done).
func (c *checker) free(r *ftrace.Record) {
	t := c.get(int(r.Int("pid")))
	switch {
	case t.frees > 0:
		c.fail(r.Line, RuleFree, "pid %d freed a second time", t.pid)
	case t.exits == 0:
		c.fail(r.Line, RuleFree, "pid %d freed before it exited", t.pid)
	case t.running:
		c.fail(r.Line, RuleFree, "pid %d freed while it is still on a CPU", t.pid)
	}
	t.frees++
	t.freed = true
}

// stackFree: once, by another task, after the task's last switch away
// (it is not running) and after its exit.
func (c *checker) stackFree(r *ftrace.Record) {
	t := c.get(int(r.Int("pid")))
	switch {
	case t.stackFrees > 0:
		c.fail(r.Line, RuleStack, "kernel stack of pid %d freed a second time", t.pid)
	case r.PID == t.pid:
		c.fail(r.Line, RuleStack, "pid %d frees its own kernel stack", t.pid)
	case t.running:
		c.fail(r.Line, RuleStack, "kernel stack of pid %d freed while it is still on a CPU", t.pid)
	case t.exits == 0:
		c.fail(r.Line, RuleStack, "kernel stack of pid %d freed before it exited", t.pid)
	}
	t.stackFrees++
	t.stackFreed = true
}

// schedSwitch: the chain per CPU, the states for the wake-up rule, and
// no switch to a task whose stack is gone.
func (c *checker) schedSwitch(r *ftrace.Record) {
	prev, next := int(r.Int("prev_pid")), int(r.Int("next_pid"))
	if last, ok := c.cur[r.CPU]; ok && last != prev {
		c.fail(r.Line, RuleChain, "switch from pid %d, but the last switch on CPU %d went to pid %d", prev, r.CPU, last)
	}
	c.cur[r.CPU] = next
	p, n := c.get(prev), c.get(next)
	p.running = false
	p.lastSwitchOut = r.Line
	switch r.Fields["prev_state"] {
	case "S", "D", "T", "I":
		p.sleeping = true
	default:
		p.sleeping = false
	}
	if n.stackFreed {
		c.fail(r.Line, RuleStack, "switch to pid %d, whose kernel stack was freed", next)
	}
	n.running = true
	n.sleeping = false
}

// wakeup: only a task that sleeps may be woken.
func (c *checker) wakeup(r *ftrace.Record) {
	t := c.get(int(r.Int("pid")))
	if t.lastSwitchOut == 0 && !t.running && t.forkLine == 0 {
		return // asleep since before the trace began: nothing is known
	}
	if !t.sleeping {
		state := "runnable"
		if t.running {
			state = "running"
		}
		c.fail(r.Line, RuleWakeup, "wake-up of pid %d, which is %s", t.pid, state)
	}
	t.sleeping = false
}
