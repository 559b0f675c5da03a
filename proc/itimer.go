package proc

import (
	"sync"
	"time"

	"tamix/abi"
)

// ITimer is a process's ITIMER_REAL (signal_struct's real_timer and
// it_real_incr): when it expires the process gets SIGALRM, and with an
// interval it is re-armed. Linux uses an hrtimer; Tamix a Go timer whose
// callback, a goroutine outside any task, sends the signal. mu protects
// the fields; the callback never holds it while sending.
type ITimer struct {
	mu       sync.Mutex
	timer    *time.Timer
	expires  time.Time     // zero: disarmed
	interval time.Duration // it_interval
	gen      uint64        // bumped at every Set, so a stale callback does nothing
}

// Get returns the time left and the interval (getitimer).
func (it *ITimer) Get() (left, interval time.Duration) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.expires.IsZero() {
		return 0, it.interval
	}
	left = time.Until(it.expires)
	if left <= 0 {
		left = time.Microsecond // expired, the signal on its way: Linux shows 1 µs
	}
	return left, it.interval
}

// Set arms the timer to fire after value (0 disarms) and then every
// interval, calling fire each time, and returns the old setting.
// Mirrors kernel/time/itimer.c:do_setitimer() for ITIMER_REAL.
func (it *ITimer) Set(value, interval time.Duration, fire func()) (oldLeft, oldInterval time.Duration) {
	oldLeft, oldInterval = it.Get()
	it.mu.Lock()
	defer it.mu.Unlock()
	it.stopLocked()
	it.interval = interval
	if value > 0 {
		it.armLocked(value, fire)
	}
	return oldLeft, oldInterval
}

func (it *ITimer) armLocked(d time.Duration, fire func()) {
	gen := it.gen
	it.expires = time.Now().Add(d)
	it.timer = time.AfterFunc(d, func() { it.expire(gen, fire) })
}

// expire runs in the timer's goroutine (it_real_fn): it re-arms an
// interval timer from the planned expiry, so that periods do not drift,
// then sends the signal.
func (it *ITimer) expire(gen uint64, fire func()) {
	it.mu.Lock()
	if gen != it.gen {
		it.mu.Unlock()
		return
	}
	it.expires = time.Time{}
	if it.interval > 0 {
		gen := it.gen
		it.expires = time.Now().Add(it.interval)
		it.timer = time.AfterFunc(it.interval, func() { it.expire(gen, fire) })
	}
	it.mu.Unlock()
	fire()
}

// Stop disarms the timer (exit, exec keeps it as Linux does).
func (it *ITimer) Stop() {
	it.mu.Lock()
	it.stopLocked()
	it.interval = 0
	it.mu.Unlock()
}

func (it *ITimer) stopLocked() {
	it.gen++
	if it.timer != nil {
		it.timer.Stop()
		it.timer = nil
	}
	it.expires = time.Time{}
}

// Alarm is alarm(2): SIGALRM after secs seconds (0 cancels); returns the
// seconds left of the previous alarm, rounded to nearest and at least 1
// if one was pending. Mirrors kernel/time/itimer.c:alarm_setitimer().
func Alarm(t *Task, secs uint32) uint32 {
	left, _ := SetITimerReal(t, time.Duration(secs)*time.Second, 0)
	if left <= 0 {
		return 0
	}
	s := uint32((left + 500*time.Millisecond) / time.Second)
	if s == 0 {
		s = 1
	}
	return s
}

// SetITimerReal arms t's process's ITIMER_REAL; SIGALRM goes to the
// process (SI_KERNEL, as Linux's it_real_fn sends it).
func SetITimerReal(t *Task, value, interval time.Duration) (time.Duration, time.Duration) {
	tgid := t.TGID
	return t.Signal.ItReal.Set(value, interval, func() {
		if p := Lookup(tgid); p != nil {
			SendSignal(abi.SIGALRM, NewKernelInfo(abi.SIGALRM), p, true)
		}
	})
}
