//go:build tamago

package proc

import (
	"encoding/binary"

	"tamix/abi"
)

// Robust futexes (kernel/futex/core.c): a thread registers a list of the
// futex-based locks it holds (set_robust_list), and when it exits or
// execs without unlocking them the kernel marks each FUTEX_OWNER_DIED and
// wakes a waiter, so that the next pthread_mutex_lock gets EOWNERDEAD
// instead of waiting forever.

// RobustListHeadSize is sizeof(struct robust_list_head) on x86-64: the
// list's first entry, futex_offset, list_op_pending.
const RobustListHeadSize = 24

// robustListLimit bounds the walk, so a circular list cannot loop the
// kernel (ROBUST_LIST_LIMIT).
const robustListLimit = 2048

func (t *Task) getUser64(addr uintptr) (uint64, bool) {
	var b [8]byte
	if _, err := t.MM.CopyFromUser(b[:], addr); err != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[:]), true
}

// exitRobustList walks the thread's robust list and releases each lock it
// still owns: every entry, then the one it was in the middle of taking or
// releasing (list_op_pending). Bit 0 of a pointer marks a PI futex, which
// Tamix does not have; such entries are skipped. Mirrors
// kernel/futex/core.c:exit_robust_list().
func exitRobustList(t *Task) {
	head := t.RobustList
	t.RobustList = 0
	if head == 0 || t.MM == nil {
		return
	}
	entry, ok1 := t.getUser64(head)
	off, ok2 := t.getUser64(head + 8)
	pending, ok3 := t.getUser64(head + 16)
	if !ok1 || !ok2 || !ok3 {
		return
	}
	for n := 0; entry != uint64(head) && n < robustListLimit; n++ {
		next, ok := t.getUser64(uintptr(entry &^ 1))
		if entry != pending && entry&1 == 0 {
			t.handleFutexDeath(uintptr(entry+off), false)
		}
		if !ok {
			return
		}
		entry = next
	}
	if pending != 0 && pending&1 == 0 {
		t.handleFutexDeath(uintptr(pending+off), true)
	}
}

// handleFutexDeath marks one robust futex word owned by t as
// FUTEX_OWNER_DIED and wakes a waiter. For the pending entry a word of 0
// still gets a wake-up: the owner may have died just after unlocking,
// before it woke anyone. Mirrors kernel/futex/core.c:handle_futex_death().
func (t *Task) handleFutexDeath(addr uintptr, pending bool) {
	if addr%4 != 0 {
		return
	}
	k, err := getFutexKey(t.MM, addr, false) // robust futexes are woken shared
	if err != nil {
		return
	}
	futexLock.Lock()
	word, err := readFutexWord(t.MM, addr)
	if err != nil {
		futexLock.Unlock()
		return
	}
	if pending && word == 0 {
		wakeLocked(k, 1, FUTEX_BITSET_MATCH_ANY)
		futexLock.Unlock()
		return
	}
	nw, change, wake := RobustDeathWord(word, t.PID)
	if change {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], nw)
		t.MM.CopyToUser(addr, b[:])
		if wake {
			wakeLocked(k, 1, FUTEX_BITSET_MATCH_ANY)
		}
	}
	futexLock.Unlock()
}

// SetRobustList records the thread's robust list head; EINVAL unless len
// is the size of the head. Mirrors kernel/futex/syscalls.c:set_robust_list.
func (t *Task) SetRobustList(head uintptr, length uint64) error {
	if length != RobustListHeadSize {
		return abi.EINVAL
	}
	t.RobustList = head
	return nil
}
