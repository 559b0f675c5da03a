package trace

import (
	"fmt"
	"io"
	"strconv"
)

// Task states as sched_switch reports them (prev_state): one bit per
// letter of Linux's TASK_REPORT set, as __trace_sched_switch_state()
// computes them, and ReportMax for a task that was preempted while
// runnable (printed "R+").
const (
	ReportS   = 0x01 // TASK_INTERRUPTIBLE
	ReportD   = 0x02 // TASK_UNINTERRUPTIBLE
	ReportT   = 0x04 // __TASK_STOPPED
	Reportt   = 0x08 // __TASK_TRACED
	ReportX   = 0x10 // EXIT_DEAD
	ReportZ   = 0x20 // EXIT_ZOMBIE
	ReportP   = 0x40 // TASK_PARKED
	ReportI   = 0x80 // TASK_REPORT_IDLE
	ReportMax = 0x100
)

// stateLetters are the letters of the prev_state bits, in bit order.
const stateLetters = "SDTtXZPI"

// StateString is sched_switch's prev_state text: "R", "R+", "S", "D|..."
// (the __print_flags of TP_printk).
func StateString(s int64) string {
	out := ""
	for i := 0; i < len(stateLetters); i++ {
		if s&(1<<i) != 0 {
			if out != "" {
				out += "|"
			}
			out += stateLetters[i : i+1]
		}
	}
	if out == "" {
		out = "R"
	}
	if s&ReportMax != 0 {
		out += "+"
	}
	return out
}

// Fields returns the text of the event's fields: its TP_printk format
// applied to the entry.
func (e *Entry) Fields() string {
	a := &e.Arg
	s0, s1 := cstr(e.Str[0][:]), cstr(e.Str[1][:])
	switch e.ID {
	case TaskNewtask:
		return fmt.Sprintf("pid=%d comm=%s clone_flags=%x oom_score_adj=%d", a[0], s0, a[1], a[2])
	case TaskRename:
		return fmt.Sprintf("pid=%d oldcomm=%s newcomm=%s oom_score_adj=%d", a[0], s0, s1, a[1])
	case SchedProcessFork:
		return fmt.Sprintf("comm=%s pid=%d child_comm=%s child_pid=%d", s0, a[0], s1, a[1])
	case SchedProcessExec:
		return fmt.Sprintf("filename=%s pid=%d old_pid=%d", cstr(e.Path[:]), a[0], a[1])
	case SchedProcessExit, SchedProcessFree, SchedProcessWait:
		return fmt.Sprintf("comm=%s pid=%d prio=%d", s0, a[0], a[1])
	case SchedWakeup, SchedWakeupNew:
		return fmt.Sprintf("comm=%s pid=%d prio=%d target_cpu=%03d", s0, a[0], a[1], a[2])
	case SchedSwitch:
		return fmt.Sprintf("prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s ==> next_comm=%s next_pid=%d next_prio=%d",
			s0, a[0], a[1], StateString(a[2]), s1, a[3], a[4])
	case SchedStatRuntime:
		return fmt.Sprintf("comm=%s pid=%d runtime=%d [ns]", s0, a[0], a[1])
	case SignalGenerate:
		return fmt.Sprintf("sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d", a[0], a[1], a[2], s0, a[3], a[4], a[5])
	case SignalDeliver:
		return fmt.Sprintf("sig=%d errno=%d code=%d sa_handler=%x sa_flags=%x", a[0], a[1], a[2], uint64(a[3]), uint64(a[4]))
	case SysEnter:
		return fmt.Sprintf("NR %d (%x, %x, %x, %x, %x, %x)", a[0], uint64(a[1]), uint64(a[2]), uint64(a[3]),
			uint64(a[4]), uint64(a[5]), uint64(a[6]))
	case SysExit:
		return fmt.Sprintf("NR %d = %d", a[0], a[1])
	case PageFaultUser:
		return fmt.Sprintf("address=0x%x ip=0x%x error_code=0x%x", uint64(a[0]), uint64(a[1]), uint64(a[2]))
	case KthreadCreate, StackFree:
		return fmt.Sprintf("comm=%s pid=%d", s0, a[0])
	}
	return "?"
}

// latFlags is the five-column flags field: irqs-off, need-resched,
// hardirq/softirq, preempt depth, migrate-disable. Mirrors
// kernel/trace/trace_output.c:trace_print_lat_fmt().
func (e *Entry) latFlags() string {
	b := []byte(".....")
	if e.Flags&FlagIrqsOff != 0 {
		b[0] = 'd'
	}
	if e.Flags&FlagNeedResched != 0 {
		b[1] = 'N'
	}
	if e.Depth > 0 {
		b[3] = "0123456789abcdef"[e.Depth&0xf]
	}
	return string(b)
}

// Line returns the entry as one line of the trace file (without the
// newline): "<comm>-<pid> [cpu] flags secs.usecs: name: fields". The idle
// task is "<idle>", as Linux's trace_find_cmdline() shows PID 0. Mirrors
// trace_print_context() and print_trace_fmt().
func (e *Entry) Line() string {
	comm := cstr(e.Comm[:])
	if e.PID == 0 {
		comm = "<idle>"
	}
	us := e.TS / 1000
	head := fmt.Sprintf("%16s-%-7d [%03d] %s %5d.%06d: ", comm, e.PID, e.CPU, e.latFlags(), us/1e6, us%1e6)
	return head + Events[e.ID].Name + ": " + e.Fields()
}

// WriteText writes entries as the tracefs "trace" file does: the header
// with the entry counts, the column legend, one line per entry.
// written is the number of entries ever written (entries lost to
// overwriting are written - len(entries)). Mirrors print_trace_header()
// and print_func_help_header_irq() of kernel/trace/trace.c.
func WriteText(w io.Writer, entries []Entry, written uint64) error {
	hdr := "# tracer: nop\n#\n" +
		"# entries-in-buffer/entries-written: " + strconv.Itoa(len(entries)) + "/" +
		strconv.FormatUint(written, 10) + "   #P:1\n#\n" +
		"#                                _-----=> irqs-off/BH-disabled\n" +
		"#                               / _----=> need-resched\n" +
		"#                              | / _---=> hardirq/softirq\n" +
		"#                              || / _--=> preempt-depth\n" +
		"#                              ||| / _-=> migrate-disable\n" +
		"#                              |||| /     delay\n" +
		"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n" +
		"#              | |         |   |||||     |         |\n"
	if _, err := io.WriteString(w, hdr); err != nil {
		return err
	}
	for i := range entries {
		if _, err := io.WriteString(w, entries[i].Line()+"\n"); err != nil {
			return err
		}
	}
	return nil
}
