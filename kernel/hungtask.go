package kernel

import (
	"time"

	"tamix/proc"
	"tamix/sched"
)

// hungTaskTimeout is how long a task may sleep uninterruptibly before
// khungtaskd reports it (Linux's default, 120 s).
const hungTaskTimeout = 120 * time.Second

// khungtaskd is a kernel thread, created through kthreadd at boot, that
// reports tasks stuck in uninterruptible sleep (state D) for longer than
// hungTaskTimeout: one that never comes back from a kernel wait is
// usually a lost wake-up. It checks every 10 s and stops when asked.
// Mirrors kernel/hung_task.c:watchdog(); Linux compares switch counts
// the same way, to tell a stuck task from one that sleeps often.
func khungtaskd(any) int {
	seen := map[*proc.Task]struct {
		switches uint64
		since    time.Time
	}{}
	for !proc.KthreadShouldStop() {
		sched.SleepTimeout(10*time.Second, proc.KthreadShouldStop)
		now := time.Now()
		for _, t := range proc.Tasks() {
			if t.State() != sched.TaskUninterruptible {
				delete(seen, t)
				continue
			}
			sw := t.Nvcsw + t.Nivcsw
			s, ok := seen[t]
			if !ok || s.switches != sw {
				s.switches, s.since = sw, now
				seen[t] = s
				continue
			}
			if now.Sub(s.since) > hungTaskTimeout {
				proc.K.Log("task %d (%s) blocked for more than %v", t.PID, t.Comm, hungTaskTimeout)
				s.since = now
				seen[t] = s
			}
		}
	}
	return 0
}
