package proc

import (
	"fmt"
	"io"
	"time"

	"tamix/sched"
)

// stateLetter is ps's state column.
func (t *Task) stateLetter() string {
	switch {
	case t.ExitState == EXIT_ZOMBIE:
		return "Z"
	case t.ExitState == EXIT_DEAD:
		return "X"
	}
	switch t.State() {
	case sched.TaskRunning:
		return "R"
	case sched.TaskInterruptible:
		return "S"
	case sched.TaskUninterruptible:
		return "D"
	case sched.TaskStopped:
		return "T"
	case sched.TaskNew:
		return "N"
	case sched.TaskDead:
		return "X"
	}
	return "?"
}

// DumpTasks prints every task like ps: pid, ppid, state, CPU times,
// switch counts and name (the SysRq-T dump of Linux, in one line each).
func DumpTasks(w io.Writer) {
	fmt.Fprintf(w, "%5s %5s %1s %10s %10s %7s %7s %s\n", "PID", "PPID", "S", "UTIME", "STIME", "NVCSW", "NIVCSW", "COMM")
	var cur *Task
	if th := sched.Current(); th != nil {
		cur = th.Owner.(*Task)
	}
	for _, t := range Tasks() {
		ppid := 0
		if t.Parent != nil {
			ppid = t.Parent.PID
		}
		total := sched.ExecRuntime(&t.Thread)
		mark := ""
		if t == cur {
			mark = " (current)"
		}
		fmt.Fprintf(w, "%5d %5d %1s %10v %10v %7d %7d %s%s\n", t.PID, ppid, t.stateLetter(),
			time.Duration(t.Utime).Round(time.Microsecond), time.Duration(total-t.Utime).Round(time.Microsecond),
			t.Nvcsw, t.Nivcsw, t.Comm, mark)
	}
}
