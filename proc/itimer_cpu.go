package proc

import (
	"time"

	"tamix/abi"
)

// The CPU-time interval timers, ITIMER_VIRTUAL (user time, SIGVTALRM) and
// ITIMER_PROF (user and system time, SIGPROF): Go's CPU profiler and
// programs that limit their own CPU use arm them.

// CPUTimer is one of them (signal_struct's it[CPUCLOCK_VIRT/PROF]): the
// CPU time left until it fires and the interval it is re-armed with.
// Protected by the group's Sighand.Siglock.
type CPUTimer struct {
	Value, Interval time.Duration
}

// charge takes d of CPU time off the timer and reports whether it fired;
// an interval timer is re-armed from where it should have fired, so that
// periods do not drift. Mirrors kernel/time/posix-cpu-timers.c:
// check_cpu_itimer().
func (c *CPUTimer) charge(d time.Duration) bool {
	if c.Value <= 0 {
		return false
	}
	c.Value -= d
	if c.Value > 0 {
		return false
	}
	if c.Interval > 0 {
		c.Value += c.Interval
		if c.Value <= 0 {
			c.Value = c.Interval
		}
	} else {
		c.Value = 0
	}
	return true
}

// ChargeCPUTimers accounts one scheduler tick that found t in user mode
// to its process's CPU timers and sends SIGVTALRM and SIGPROF for those
// that expire. Tamix's kernel code is never interrupted by the tick, so
// ITIMER_PROF sees the same ticks as ITIMER_VIRTUAL (Linux also counts
// the ticks that land in the kernel). Mirrors the tick path of
// account_process_tick() -> run_posix_cpu_timers().
func (t *Task) ChargeCPUTimers(tick time.Duration) {
	if t.Sighand == nil || t.Signal == nil {
		return
	}
	t.Sighand.Siglock.Lock()
	virt := t.Signal.ItVirt.charge(tick)
	prof := t.Signal.ItProf.charge(tick)
	t.Sighand.Siglock.Unlock()
	if virt {
		SendSignal(abi.SIGVTALRM, NewKernelInfo(abi.SIGVTALRM), t, true)
	}
	if prof {
		SendSignal(abi.SIGPROF, NewKernelInfo(abi.SIGPROF), t, true)
	}
}

// SetCPUTimer arms ITIMER_VIRTUAL (prof false) or ITIMER_PROF and returns
// the old setting; value 0 disarms it. Mirrors
// kernel/time/itimer.c:set_cpu_itimer().
func (t *Task) SetCPUTimer(prof bool, value, interval time.Duration) (oldValue, oldInterval time.Duration) {
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	c := &t.Signal.ItVirt
	if prof {
		c = &t.Signal.ItProf
	}
	oldValue, oldInterval = c.Value, c.Interval
	c.Value, c.Interval = value, interval
	return oldValue, oldInterval
}

// CPUTimerValue returns ITIMER_VIRTUAL's or ITIMER_PROF's setting.
func (t *Task) CPUTimerValue(prof bool) (value, interval time.Duration) {
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	c := t.Signal.ItVirt
	if prof {
		c = t.Signal.ItProf
	}
	return c.Value, c.Interval
}
