// Package trace is Tamix's event tracer: tracepoints with Linux's names
// and fields, a ring buffer of binary entries, and the ftrace text format.
// It mirrors kernel/trace/ (trace.c, ring_buffer.c, trace_output.c) and
// the event definitions of include/trace/events/{sched,task,signal}.h,
// raw_syscalls.h and arch/x86/include/asm/trace/exceptions.h.
//
// The package sits low in the import order: sched, proc and syscall call
// it; it imports nothing of Tamix. Callers pass plain values (PID, comm,
// prio, state), never a Task.
//
// A tracepoint costs one atomic load and a branch when its event is off:
// callers write
//
//	if trace.On(trace.SchedSwitch) {
//		traceSchedSwitch(prev, next) // gathers the fields, calls trace.Emit
//	}
//
// so that nothing is computed for an event nobody wants. Linux patches a
// static key (a NOP becomes a jump); Go has no code patching, so the
// enabled set is one atomic word.
package trace

import "sync/atomic"

// ID names an event; its bit in the enabled mask says whether it is on.
type ID uint8

// The events. The first group are Linux's; the last two are Tamix's own
// where Linux has no tracepoint.
const (
	TaskNewtask      ID = iota // task:task_newtask
	TaskRename                 // task:task_rename
	SchedProcessFork           // sched:sched_process_fork
	SchedProcessExec           // sched:sched_process_exec
	SchedProcessExit           // sched:sched_process_exit
	SchedProcessFree           // sched:sched_process_free
	SchedProcessWait           // sched:sched_process_wait
	SchedWakeup                // sched:sched_wakeup
	SchedWakeupNew             // sched:sched_wakeup_new
	SchedSwitch                // sched:sched_switch
	SchedStatRuntime           // sched:sched_stat_runtime
	SignalGenerate             // signal:signal_generate
	SignalDeliver              // signal:signal_deliver
	SysEnter                   // raw_syscalls:sys_enter
	SysExit                    // raw_syscalls:sys_exit
	PageFaultUser              // exceptions:page_fault_user
	KthreadCreate              // tamix:tamix_kthread_create (kthreadd made a kthread)
	StackFree                  // tamix:tamix_stack_free (a dead task's kernel stack, freed by current)
	NrEvents
)

// Event describes one event: its system (the directory under
// events/ in tracefs) and its name.
type Event struct {
	System, Name string
}

// Events lists every event by ID.
var Events = [NrEvents]Event{
	TaskNewtask:      {"task", "task_newtask"},
	TaskRename:       {"task", "task_rename"},
	SchedProcessFork: {"sched", "sched_process_fork"},
	SchedProcessExec: {"sched", "sched_process_exec"},
	SchedProcessExit: {"sched", "sched_process_exit"},
	SchedProcessFree: {"sched", "sched_process_free"},
	SchedProcessWait: {"sched", "sched_process_wait"},
	SchedWakeup:      {"sched", "sched_wakeup"},
	SchedWakeupNew:   {"sched", "sched_wakeup_new"},
	SchedSwitch:      {"sched", "sched_switch"},
	SchedStatRuntime: {"sched", "sched_stat_runtime"},
	SignalGenerate:   {"signal", "signal_generate"},
	SignalDeliver:    {"signal", "signal_deliver"},
	SysEnter:         {"raw_syscalls", "sys_enter"},
	SysExit:          {"raw_syscalls", "sys_exit"},
	PageFaultUser:    {"exceptions", "page_fault_user"},
	KthreadCreate:    {"tamix", "tamix_kthread_create"},
	StackFree:        {"tamix", "tamix_stack_free"},
}

// enabled has bit id set when event id is on (Linux: each event's
// static key and the tracing_on switch in one word). Written by SetEvent
// and friends, read lock-free by every tracepoint.
var enabled atomic.Uint64

// On reports whether event id is on: one atomic load and a branch, small
// enough to be inlined at every tracepoint.
func On(id ID) bool { return enabled.Load()&(1<<id) != 0 }

// Enabled returns the mask of enabled events.
func Enabled() uint64 { return enabled.Load() }

// SetEnabled replaces the mask of enabled events.
func SetEnabled(mask uint64) { enabled.Store(mask) }

// Lookup finds an event by name ("sched_switch") or system:name.
func Lookup(name string) (ID, bool) {
	for id, ev := range Events {
		if name == ev.Name || name == ev.System+":"+ev.Name {
			return ID(id), true
		}
	}
	return 0, false
}

// ParseEvents turns a trace_event= / set_event list into a mask: items
// separated by commas (or spaces), each "system:*", "system:name",
// "name", "*:*" or "*". An item that names nothing is returned in bad.
// Mirrors kernel/trace/trace_events.c:ftrace_set_clr_event() without its
// "!" (disable) syntax.
func ParseEvents(list string) (mask uint64, bad []string) {
	for _, item := range splitList(list) {
		n := matchEvents(item)
		if n == 0 {
			bad = append(bad, item)
		}
		mask |= n
	}
	return mask, bad
}

func matchEvents(item string) uint64 {
	sys, name := "*", item
	for i := 0; i < len(item); i++ {
		if item[i] == ':' {
			sys, name = item[:i], item[i+1:]
			break
		}
	}
	var mask uint64
	for id, ev := range Events {
		if (sys == "*" || sys == ev.System) && (name == "*" || name == ev.Name) {
			mask |= 1 << id
		}
	}
	return mask
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' || s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
