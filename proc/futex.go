//go:build tamago

package proc

import (
	"encoding/binary"
	"sync"
	"time"

	"tamix/abi"
	"tamix/mm"
	"tamix/sched"
)

// Fast user-space mutexes (kernel/futex/): a task sleeps on a user address
// while the word there holds the value it expects, and another wakes it.
//
// Each waiter has its own entry on its futex's queue, as Linux's
// futex_q does, so that a wake can choose waiters by bitset and a requeue
// can move them to another address. Futexes are keyed by address space
// and user address for private and shared futexes alike: a MAP_SHARED
// page used as a futex by two processes is not matched (Linux keys shared
// futexes by the page); Tamix has no file mappings yet to need it.

// futexKey names a futex (union futex_key): a private futex by address
// space and address; a shared one in private memory the same way but
// apart from private ones (Linux's FUT_OFF_MMSHARED); a shared one in a
// MAP_SHARED page by the physical address of the word, so that every
// process mapping the page meets there.
type futexKey struct {
	mm   *mm.MM
	addr uintptr
	kind uint8
	pa   mm.PhysAddr
}

// futexKey kinds.
const (
	futexPrivate = iota
	futexMMShared
	futexPhysShared
)

// getFutexKey names the futex at addr of m. A private key needs no look
// at memory; a shared one does, and is EFAULT for an unmapped word.
// Mirrors kernel/futex/core.c:get_futex_key().
func getFutexKey(m *mm.MM, addr uintptr, private bool) (futexKey, error) {
	if private {
		return futexKey{mm: m, addr: addr, kind: futexPrivate}, nil
	}
	pa, shared, err := m.FutexPage(addr)
	if err != nil {
		return futexKey{}, abi.EFAULT
	}
	if shared {
		return futexKey{kind: futexPhysShared, pa: pa}, nil
	}
	return futexKey{mm: m, addr: addr, kind: futexMMShared}, nil
}

// futexWaiter is one task waiting on a futex (struct futex_q).
type futexWaiter struct {
	task   *Task
	key    futexKey // protected by futexLock (a requeue moves it)
	bitset uint32
	woken  bool            // protected by futexLock
	q      sched.WaitQueue // where the waiter sleeps
}

// FUTEX_BITSET_MATCH_ANY is the bitset of FUTEX_WAIT and FUTEX_WAKE.
const FUTEX_BITSET_MATCH_ANY = 0xffffffff

var (
	// futexLock protects futexQueues and every waiter's key and woken.
	// It is held while the futex word is read, so that a waker that
	// changed the word and then calls wake cannot miss a waiter (Linux's
	// hash-bucket lock does the same).
	futexLock   sync.Mutex
	futexQueues = map[futexKey][]*futexWaiter{}
)

// readFutexWord reads the 32-bit word at addr (EFAULT if it cannot).
func readFutexWord(m *mm.MM, addr uintptr) (uint32, error) {
	var b [4]byte
	if _, err := m.CopyFromUser(b[:], addr); err != nil {
		return 0, abi.EFAULT
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

// FutexWait sleeps while the 32-bit word at addr equals val, until a wake
// whose bitset meets bitset, the timeout (< 0: none) or a signal. Returns
// EAGAIN if the word differs, ETIMEDOUT, ERESTARTSYS for a signal, EFAULT
// for a bad address, EINVAL for a misaligned address or an empty bitset.
// Mirrors kernel/futex/waitwake.c:futex_wait().
func FutexWait(t *Task, addr uintptr, val, bitset uint32, timeout time.Duration, private bool) error {
	if addr%4 != 0 || bitset == 0 {
		return abi.EINVAL
	}
	k, err := getFutexKey(t.MM, addr, private)
	if err != nil {
		return err
	}
	futexLock.Lock()
	word, err := readFutexWord(t.MM, addr)
	if err != nil || word != val {
		futexLock.Unlock()
		if err != nil {
			return err
		}
		return abi.EAGAIN
	}
	w := &futexWaiter{task: t, key: k, bitset: bitset}
	futexQueues[k] = append(futexQueues[k], w)
	futexLock.Unlock()
	woken := w.q.Wait(func() bool {
		futexLock.Lock()
		defer futexLock.Unlock()
		return w.woken
	}, true, t.sigpending.Load, timeout)
	if !woken {
		futexLock.Lock()
		woken = w.woken
		if !woken {
			unqueueLocked(w)
		}
		futexLock.Unlock()
	}
	switch {
	case woken:
		return nil
	case t.sigpending.Load():
		return abi.ERESTARTSYS
	}
	return abi.ETIMEDOUT
}

// unqueueLocked removes w from its futex's queue. Caller holds futexLock.
func unqueueLocked(w *futexWaiter) {
	q := futexQueues[w.key]
	for i, x := range q {
		if x == w {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(futexQueues, w.key)
	} else {
		futexQueues[w.key] = q
	}
}

// wakeLocked wakes up to n waiters of k whose bitset meets bitset, oldest
// first, and returns how many. Caller holds futexLock.
func wakeLocked(k futexKey, n int, bitset uint32) int {
	woken := 0
	for _, w := range append([]*futexWaiter(nil), futexQueues[k]...) {
		if woken >= n {
			break
		}
		if w.bitset&bitset == 0 {
			continue
		}
		w.woken = true
		unqueueLocked(w)
		w.q.WakeUp()
		woken++
	}
	return woken
}

// getFutexKeys names the two futexes of a requeue or a wake-op.
func getFutexKeys(m *mm.MM, addr, addr2 uintptr, private bool) (futexKey, futexKey, error) {
	k, err := getFutexKey(m, addr, private)
	if err != nil {
		return k, k, err
	}
	k2, err := getFutexKey(m, addr2, private)
	return k, k2, err
}

// FutexWake wakes up to n tasks waiting on addr whose bitset meets bitset
// (FUTEX_WAKE, FUTEX_WAKE_BITSET) and returns how many; EINVAL for an
// empty bitset, EFAULT for a shared futex that is not mapped. Mirrors
// kernel/futex/waitwake.c:futex_wake().
func FutexWake(m *mm.MM, addr uintptr, n int, bitset uint32, private bool) (int, error) {
	if bitset == 0 {
		return 0, abi.EINVAL
	}
	k, err := getFutexKey(m, addr, private)
	if err != nil {
		return 0, err
	}
	futexLock.Lock()
	defer futexLock.Unlock()
	return wakeLocked(k, n, bitset), nil
}

// FutexRequeue wakes up to nWake waiters of addr and moves up to
// nRequeue of the others to addr2 (FUTEX_REQUEUE); with cmp, only if the
// word at addr still holds *cmp, else EAGAIN (FUTEX_CMP_REQUEUE). Returns
// how many were woken and moved. Mirrors
// kernel/futex/requeue.c:futex_requeue() without PI.
func FutexRequeue(m *mm.MM, addr, addr2 uintptr, nWake, nRequeue int, cmp *uint32, private bool) (int, error) {
	if nWake < 0 || nRequeue < 0 {
		return 0, abi.EINVAL
	}
	k, k2, err := getFutexKeys(m, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	futexLock.Lock()
	defer futexLock.Unlock()
	if cmp != nil {
		word, err := readFutexWord(m, addr)
		if err != nil {
			return 0, err
		}
		if word != *cmp {
			return 0, abi.EAGAIN
		}
	}
	done := wakeLocked(k, nWake, FUTEX_BITSET_MATCH_ANY)
	for _, w := range append([]*futexWaiter(nil), futexQueues[k]...) {
		if nRequeue == 0 || k == k2 {
			break
		}
		unqueueLocked(w)
		w.key = k2
		futexQueues[k2] = append(futexQueues[k2], w)
		nRequeue--
		done++
	}
	return done, nil
}

// FutexWakeOp is FUTEX_WAKE_OP: change the word at addr2 by the encoded
// operation, wake up to n waiters of addr and, if the old value of addr2
// passes the encoded comparison, up to n2 waiters of addr2. The
// read-modify-write is atomic against other futex operations (futexLock);
// with one CPU nothing else can touch the word meanwhile. Mirrors
// kernel/futex/waitwake.c:futex_wake_op().
func FutexWakeOp(m *mm.MM, addr, addr2 uintptr, n, n2 int, encoded uint32, private bool) (int, error) {
	op, cmp, oparg, cmparg := DecodeFutexOp(encoded)
	k, k2, err := getFutexKeys(m, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	futexLock.Lock()
	defer futexLock.Unlock()
	old, err := readFutexWord(m, addr2)
	if err != nil {
		return 0, err
	}
	nv, ok := FutexOpApply(op, old, oparg)
	if !ok {
		return 0, abi.ENOSYS
	}
	pass, ok := FutexOpCompare(cmp, old, cmparg)
	if !ok {
		return 0, abi.ENOSYS
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], nv)
	if _, err := m.CopyToUser(addr2, b[:]); err != nil {
		return 0, abi.EFAULT
	}
	woken := wakeLocked(k, n, FUTEX_BITSET_MATCH_ANY)
	if pass {
		woken += wakeLocked(k2, n2, FUTEX_BITSET_MATCH_ANY)
	}
	return woken, nil
}
