package proc

import (
	"math/bits"
	"sync"
)

// PID limits, Linux's values for 64-bit kernels (include/linux/threads.h).
const (
	// PIDMaxDefault is pid_max at boot (PID_MAX_DEFAULT).
	PIDMaxDefault = 0x8000
	// PIDMaxLimit is the largest pid_max that can be set (PID_MAX_LIMIT).
	PIDMaxLimit = 4 * 1024 * 1024
	// ReservedPIDs is where allocation restarts after wrapping, so that
	// the low PIDs of system daemons are not handed to new processes
	// (RESERVED_PIDS).
	ReservedPIDs = 300
	// PIDMaxMin is the smallest pid_max that can be set (pid_max_min).
	PIDMaxMin = ReservedPIDs + 1
)

// pidError is an error of the PID allocator. Errno is the Linux error
// number the system-call layer returns, negated.
type pidError struct {
	msg   string
	errno int
}

func (e *pidError) Error() string { return e.msg }

// Errno returns the positive Linux error number for the error.
func (e *pidError) Errno() int { return e.errno }

// Errors of the PID allocator. Each has an Errno() int method giving the
// errno a system call returns for it.
var (
	// ErrNoPID means every PID below pid_max is in use: EAGAIN, as
	// fork(2) returns then.
	ErrNoPID error = &pidError{"pid: no free PID below pid_max", 11}
	// ErrPIDRange means a PID or pid_max out of bounds: EINVAL.
	ErrPIDRange error = &pidError{"pid: value out of range", 22}
	// ErrPIDInUse means AllocSpecific asked for a taken PID: EEXIST, as
	// clone3(2) with set_tid returns then.
	ErrPIDInUse error = &pidError{"pid: PID in use", 17}
)

// PIDAllocator hands out process IDs below pid_max, cyclically: each
// search starts after the last PID handed out, so a PID that was just
// freed is not reused until the numbers have gone round, and a process
// that waits for a PID to disappear does not see it come back at once.
//
// Mirrors kernel/pid.c:alloc_pid() and free_pid(). Linux keeps the PIDs
// in an IDR (a radix tree) searched by idr_alloc_cyclic(); Tamix keeps a
// bitmap with one bit per PID, as Linux did until 4.15 (alloc_pidmap()).
// Finding a free PID costs O(1) amortised while PIDs are plentiful and up
// to O(pid_max/64) when nearly all are taken.
type PIDAllocator struct {
	mu     sync.Mutex // protects everything below (pidmap_lock)
	bitmap []uint64   // bit p set: PID p in use; covers the largest pid_max yet
	pidMax int        // new PIDs are below pidMax
	cursor int        // where the next search starts: last PID + 1 (idr_next)
	inUse  int        // number of bits set
}

// NewPIDAllocator returns an allocator for PIDs 0..pidMax-1, none in use.
// A pidMax of zero or less means PIDMaxDefault; above PIDMaxLimit it is
// clamped. Unlike SetMax, values below PIDMaxMin are accepted, which
// keeps tests and small systems small.
//
// The first Alloc returns 0, the next ones 1 and 2, so that the idle
// task, init and kthreadd get Linux's PIDs in the order they are created
// (Linux's idle task has the static PID 0 of init_struct_pid, and
// alloc_pid() starts at 1). AllocSpecific(0) followed by Alloc gives the
// same numbers.
func NewPIDAllocator(pidMax int) *PIDAllocator {
	if pidMax <= 0 {
		pidMax = PIDMaxDefault
	}
	pidMax = min(pidMax, PIDMaxLimit)
	return &PIDAllocator{bitmap: make([]uint64, (pidMax+63)/64), pidMax: pidMax}
}

// Alloc returns a free PID: the first one at or after the cursor (the
// last PID handed out plus one) and below pid_max; if there is none, it
// wraps and searches from 1, or from ReservedPIDs once the cursor has
// passed ReservedPIDs. It returns ErrNoPID if every PID in range is in
// use.
// Mirrors the PID search of kernel/pid.c:alloc_pid() (the pid_min rule
// and idr_alloc_cyclic()); -ENOSPC becomes -EAGAIN there too.
func (a *PIDAllocator) Alloc() (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	low := 1
	if a.cursor > ReservedPIDs {
		low = ReservedPIDs
	}
	pid := a.findFree(a.cursor, a.pidMax)
	if pid < 0 {
		pid = a.findFree(low, min(a.cursor, a.pidMax))
	}
	if pid < 0 {
		return 0, ErrNoPID
	}
	a.set(pid)
	a.cursor = pid + 1
	return pid, nil
}

// AllocSpecific takes the given PID if it is free: for the boot tasks,
// or a caller that must have a particular number (clone3 with set_tid).
// It does not move the cursor. Errors: ErrPIDRange unless
// 0 <= pid < pid_max, ErrPIDInUse if pid is taken.
// Mirrors the set_tid path of kernel/pid.c:alloc_pid(), which calls
// idr_alloc(pid, pid+1); Linux does not accept 0 there, Tamix does for the
// idle task.
func (a *PIDAllocator) AllocSpecific(pid int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pid < 0 || pid >= a.pidMax {
		return ErrPIDRange
	}
	if a.isSet(pid) {
		return ErrPIDInUse
	}
	a.set(pid)
	return nil
}

// Free gives pid back. Freeing a PID that is not in use does nothing.
// Mirrors kernel/pid.c:free_pid() (idr_remove()).
func (a *PIDAllocator) Free(pid int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pid < 0 || pid >= len(a.bitmap)*64 || !a.isSet(pid) {
		return
	}
	a.bitmap[pid/64] &^= 1 << (pid % 64)
	a.inUse--
}

// InUse returns how many PIDs are allocated.
func (a *PIDAllocator) InUse() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inUse
}

// Max returns pid_max: new PIDs are below it.
func (a *PIDAllocator) Max() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pidMax
}

// SetMax changes pid_max as a write to /proc/sys/kernel/pid_max does: the
// value must lie in PIDMaxMin..PIDMaxLimit, otherwise ErrPIDRange and
// nothing changes. PIDs at or above a lowered pid_max stay in use until
// freed; new ones are below the new limit.
// Mirrors the pid_max sysctl (kernel/pid.c, proc_dointvec_minmax with
// pid_max_min and pid_max_max).
func (a *PIDAllocator) SetMax(pidMax int) error {
	if pidMax < PIDMaxMin || pidMax > PIDMaxLimit {
		return ErrPIDRange
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if words := (pidMax + 63) / 64; words > len(a.bitmap) {
		a.bitmap = append(a.bitmap, make([]uint64, words-len(a.bitmap))...)
	}
	a.pidMax = pidMax
	return nil
}

// findFree returns the first free PID in [from, to), or -1. It looks at
// a whole 64-PID word at a time. Caller holds a.mu.
// Mirrors find_next_offset() in the bitmap kernel/pid.c of Linux 4.14.
func (a *PIDAllocator) findFree(from, to int) int {
	for p := from; p < to; {
		free := ^a.bitmap[p/64] >> (p % 64) // free PIDs from p on, in this word
		if free != 0 {
			if p += bits.TrailingZeros64(free); p < to {
				return p
			}
			return -1
		}
		p = (p/64 + 1) * 64
	}
	return -1
}

// isSet reports whether pid is in use. Caller holds a.mu.
func (a *PIDAllocator) isSet(pid int) bool {
	return a.bitmap[pid/64]&(1<<(pid%64)) != 0
}

// set marks pid in use. Caller holds a.mu.
func (a *PIDAllocator) set(pid int) {
	a.bitmap[pid/64] |= 1 << (pid % 64)
	a.inUse++
}
