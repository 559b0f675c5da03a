//go:build tamago

package proc

import (
	"sync"
	"time"

	"tamix/abi"
	"tamix/mm"
	"tamix/sched"
)

// futexKey names a futex: the address space and the user address
// (private futexes; Linux hashes the same pair).
type futexKey struct {
	mm   *mm.MM
	addr uintptr
}

// futexQueue holds the tasks waiting on one futex.
type futexQueue struct {
	q       sched.WaitQueue
	waiters int
	wakeups int // wake-ups not yet taken by a waiter
}

var (
	futexLock sync.Mutex // protects futexes and their counters
	futexes   = map[futexKey]*futexQueue{}
)

// FutexWait sleeps while the 32-bit word at addr equals val, until
// FutexWake or the timeout (< 0: none). Returns EAGAIN if the word
// differs, ETIMEDOUT, ERESTARTSYS for a signal, EFAULT for a bad
// address. Mirrors kernel/futex/waitwake.c:futex_wait().
func FutexWait(t *Task, addr uintptr, val uint32, timeout time.Duration) error {
	if addr%4 != 0 {
		return abi.EINVAL
	}
	k := futexKey{t.MM, addr}
	futexLock.Lock()
	var b [4]byte
	if _, err := t.MM.CopyFromUser(b[:], addr); err != nil {
		futexLock.Unlock()
		return abi.EFAULT
	}
	if uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24 != val {
		futexLock.Unlock()
		return abi.EAGAIN
	}
	fq := futexes[k]
	if fq == nil {
		fq = &futexQueue{}
		futexes[k] = fq
	}
	fq.waiters++
	futexLock.Unlock()
	woken := fq.q.Wait(func() bool {
		futexLock.Lock()
		defer futexLock.Unlock()
		if fq.wakeups > 0 {
			fq.wakeups--
			return true
		}
		return false
	}, true, t.sigpending.Load, timeout)
	futexLock.Lock()
	fq.waiters--
	if fq.waiters == 0 && fq.wakeups == 0 {
		delete(futexes, k)
	}
	futexLock.Unlock()
	switch {
	case woken:
		return nil
	case t.sigpending.Load():
		return abi.ERESTARTSYS
	}
	return abi.ETIMEDOUT
}

// FutexWake wakes up to n tasks waiting on addr and returns how many.
// Mirrors kernel/futex/waitwake.c:futex_wake().
func FutexWake(m *mm.MM, addr uintptr, n int) int {
	futexLock.Lock()
	fq := futexes[futexKey{m, addr}]
	if fq == nil {
		futexLock.Unlock()
		return 0
	}
	woken := min(n, fq.waiters-fq.wakeups)
	fq.wakeups += woken
	futexLock.Unlock()
	if woken > 0 {
		fq.q.WakeUp()
	}
	return woken
}
