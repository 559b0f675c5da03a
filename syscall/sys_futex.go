//go:build tamago

package syscall

import (
	"math"
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// futex(2), robust lists and prctl (kernel/futex/syscalls.c, kernel/sys.c).

func init() {
	register(SysFutex, sysFutex)
	register(SysSetRobustList, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(t.SetRobustList(uintptr(r.DI), r.SI))
	})
	register(SysGetRobustList, sysGetRobustList)
	register(SysPrctl, sysPrctl)
}

// futex operations and flags (include/uapi/linux/futex.h).
const (
	futexWaitOp       = 0
	futexWakeOp       = 1
	futexRequeueOp    = 3
	futexCmpRequeueOp = 4
	futexWakeOpOp     = 5
	futexWaitBitset   = 9
	futexWakeBitset   = 10
	futexPrivateFlag  = 128
	futexClockRT      = 256
)

// sysFutex(uaddr, op, val, timeout/val2, uaddr2, val3). FUTEX_WAIT's
// timeout is relative; FUTEX_WAIT_BITSET's is absolute, on
// CLOCK_MONOTONIC or, with FUTEX_CLOCK_REALTIME, CLOCK_REALTIME. The
// private flag changes nothing (Tamix keys every futex by address space).
// PI futexes and FUTEX_WAIT_REQUEUE_PI are not implemented: -ENOSYS, as
// for an unknown operation. Mirrors kernel/futex/syscalls.c:do_futex().
func sysFutex(t *proc.Task, r *amd64.PtRegs) int64 {
	cmd := int(r.SI) &^ (futexPrivateFlag | futexClockRT)
	if int(r.SI)&futexClockRT != 0 && cmd != futexWaitOp && cmd != futexWaitBitset {
		return abi.ENOSYS.Neg()
	}
	addr, val, addr2, val3 := uintptr(r.DI), uint32(r.DX), uintptr(r.R8), uint32(r.R9)
	private := int(r.SI)&futexPrivateFlag != 0
	if e := futexAddrCheck(addr); e != 0 {
		return e
	}
	switch cmd {
	case futexRequeueOp, futexCmpRequeueOp, futexWakeOpOp:
		if e := futexAddrCheck(addr2); e != 0 {
			return e
		}
	}
	switch cmd {
	case futexWaitOp, futexWaitBitset:
		bitset := uint32(proc.FUTEX_BITSET_MATCH_ANY)
		if cmd == futexWaitBitset {
			bitset = val3
		}
		timeout, err := futexTimeout(t, uintptr(r.R10), cmd == futexWaitBitset, int(r.SI)&futexClockRT != 0)
		if err != nil {
			return errno(err)
		}
		return futexWait(t, addr, val, bitset, timeout, private)
	case futexWakeOp, futexWakeBitset:
		bitset := uint32(proc.FUTEX_BITSET_MATCH_ANY)
		if cmd == futexWakeBitset {
			bitset = val3
		}
		n, err := proc.FutexWake(t.MM, addr, int(int32(val)), bitset, private)
		return result(n, err)
	case futexRequeueOp, futexCmpRequeueOp:
		var cmp *uint32
		if cmd == futexCmpRequeueOp {
			cmp = &val3
		}
		n, err := proc.FutexRequeue(t.MM, addr, addr2, int(int32(val)), int(int32(r.R10)), cmp, private)
		return result(n, err)
	case futexWakeOpOp:
		n, err := proc.FutexWakeOp(t.MM, addr, addr2, int(int32(val)), int(int32(r.R10)), val3, private)
		return result(n, err)
	}
	logf("pid %d (%s): futex op %d is not implemented: -ENOSYS", t.PID, t.Comm, cmd)
	return abi.ENOSYS.Neg()
}

// futexAddrCheck is get_futex_key()'s first checks: a futex word is
// 4-byte aligned (EINVAL) and in user space (EFAULT), whether or not
// anyone waits there.
func futexAddrCheck(addr uintptr) int64 {
	switch {
	case addr%4 != 0:
		return abi.EINVAL.Neg()
	case addr >= 1<<47-4096:
		return abi.EFAULT.Neg()
	}
	return 0
}

// futexTimeout reads a futex timeout (NULL: none, -1): relative, or an
// absolute time on the monotonic or real-time clock turned into the
// time left.
func futexTimeout(t *proc.Task, addr uintptr, absolute, realtime bool) (time.Duration, error) {
	if addr == 0 {
		return -1, nil
	}
	ns, err := readTimespec(t, addr)
	if err == nil && ns == math.MaxInt64 {
		return -1, nil // beyond 292 years: no timeout
	}
	if err != nil || !absolute {
		return time.Duration(ns), err
	}
	clock := clockMonotonic
	if realtime {
		clock = clockRealtime
	}
	now, _ := clockNow(clock)
	return time.Duration(max(ns-now, 0)), nil
}

// futexWait waits; a signal during a wait without a timeout restarts it
// per SA_RESTART (ERESTARTSYS), one during a timed wait goes through
// restart_syscall(2) with the time left (futex_wait_restart), as Linux.
func futexWait(t *proc.Task, addr uintptr, val, bitset uint32, timeout time.Duration, private bool) int64 {
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(timeout)
	}
	err := proc.FutexWait(t, addr, val, bitset, timeout, private)
	if err == abi.ERESTARTSYS && timeout >= 0 {
		t.RestartFn = func(t *proc.Task) int64 {
			return futexWait(t, addr, val, bitset, max(time.Until(deadline), 0), private)
		}
		return abi.ERESTART_RESTARTBLOCK.Neg()
	}
	return errno(err)
}

// sysGetRobustList(pid, head_ptr, len_ptr) reports a thread's robust list
// head (0: the caller).
func sysGetRobustList(t *proc.Task, r *amd64.PtRegs) int64 {
	target := t
	if pid := int(int32(r.DI)); pid != 0 {
		if target = proc.Lookup(pid); target == nil || target.ExitState != 0 {
			return abi.ESRCH.Neg()
		}
	}
	var b [8]byte
	put64(b[:], uint64(target.RobustList))
	if _, err := t.MM.CopyToUser(uintptr(r.SI), b[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	put64(b[:], proc.RobustListHeadSize)
	if _, err := t.MM.CopyToUser(uintptr(r.DX), b[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

// prctl options (include/uapi/linux/prctl.h).
const (
	prSetPdeathsig = 1
	prGetPdeathsig = 2
	prGetDumpable  = 3
	prSetDumpable  = 4
	prSetName      = 15
	prGetName      = 16
)

// sysPrctl implements the options programs use at start-up: the thread's
// name (PR_SET_NAME/PR_GET_NAME, 16 bytes with the NUL, as comm) and the
// dumpable flag (always 1: Tamix dumps no core, and there is no other
// user to hide from). Others log and give -EINVAL, Linux's answer to an
// option it does not know. Mirrors kernel/sys.c:prctl.
func sysPrctl(t *proc.Task, r *amd64.PtRegs) int64 {
	switch int(r.DI) {
	case prSetName:
		name, err := t.MM.StrncpyFromUser(uintptr(r.SI), 15) // TASK_COMM_LEN - 1
		if err != nil {
			return abi.EFAULT.Neg()
		}
		t.SetComm(name)
		return 0
	case prGetName:
		var b [16]byte
		copy(b[:15], t.Comm)
		if _, err := t.MM.CopyToUser(uintptr(r.SI), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
		return 0
	case prGetDumpable:
		return 1
	case prSetDumpable:
		if r.SI > 1 {
			return abi.EINVAL.Neg()
		}
		return 0
	}
	logf("pid %d (%s): prctl option %d is not implemented: -EINVAL", t.PID, t.Comm, r.DI)
	return abi.EINVAL.Neg()
}
