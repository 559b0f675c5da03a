package proc

// The pure parts of FUTEX_WAKE_OP (kernel/futex/waitwake.c) and the
// robust-futex words (include/uapi/linux/futex.h), testable on the host.

// Robust futex word bits.
const (
	FUTEX_WAITERS    = 0x80000000 // someone sleeps on it
	FUTEX_OWNER_DIED = 0x40000000 // its owner died holding it
	FUTEX_TID_MASK   = 0x3fffffff // the owner's TID
)

// DecodeFutexOp splits FUTEX_WAKE_OP's encoded operation: op (bits
// 28-30, bit 31 FUTEX_OP_OPARG_SHIFT makes the argument 1 << oparg), cmp
// (24-27), oparg and cmparg (12-bit signed fields). Mirrors the top of
// futex_atomic_op_inuser(), which masks an out-of-range shift to 0-31.
func DecodeFutexOp(encoded uint32) (op, cmp int, oparg, cmparg int32) {
	op = int(encoded>>28) & 7
	cmp = int(encoded>>24) & 15
	oparg = int32(encoded<<8) >> 20
	cmparg = int32(encoded<<20) >> 20
	if encoded&(1<<31) != 0 {
		oparg = 1 << (uint32(oparg) & 31)
	}
	return op, cmp, oparg, cmparg
}

// FutexOpApply computes the new word of FUTEX_WAKE_OP: SET, ADD, OR,
// ANDN, XOR. ok is false for an unknown op (ENOSYS).
func FutexOpApply(op int, old uint32, oparg int32) (uint32, bool) {
	a := uint32(oparg)
	switch op {
	case 0:
		return a, true
	case 1:
		return old + a, true
	case 2:
		return old | a, true
	case 3:
		return old &^ a, true
	case 4:
		return old ^ a, true
	}
	return 0, false
}

// FutexOpCompare compares the old word with cmparg: EQ, NE, LT, LE, GT,
// GE, as signed ints. ok is false for an unknown comparison (ENOSYS).
func FutexOpCompare(cmp int, old uint32, cmparg int32) (bool, bool) {
	v := int32(old)
	switch cmp {
	case 0:
		return v == cmparg, true
	case 1:
		return v != cmparg, true
	case 2:
		return v < cmparg, true
	case 3:
		return v <= cmparg, true
	case 4:
		return v > cmparg, true
	case 5:
		return v >= cmparg, true
	}
	return false, false
}

// RobustDeathWord returns the new value of a robust futex word whose owner
// tid dies, and whether a waiter must be woken: if tid owns it, the
// waiters bit is kept and FUTEX_OWNER_DIED set (the next locker gets
// EOWNERDEAD). change is false if tid does not own it. Mirrors the
// non-PI part of kernel/futex/core.c:handle_futex_death().
func RobustDeathWord(word uint32, tid int) (nw uint32, change, wake bool) {
	if word&FUTEX_TID_MASK != uint32(tid) {
		return word, false, false
	}
	return word&FUTEX_WAITERS | FUTEX_OWNER_DIED, true, word&FUTEX_WAITERS != 0
}
