//go:build tamago

package syscall

import (
	"math"
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
	"tamix/sched"
)

// Time and scheduling system calls (kernel/time/, kernel/sched/core.c,
// kernel/sys.c).

func init() {
	register(SysNanosleep, sysNanosleep)
	register(SysClockNanosleep, sysClockNanosleep)
	register(SysClockGettime, sysClockGettime)
	register(SysClockGetres, sysClockGetres)
	register(SysGetpriority, sysGetpriority)
	register(SysSetpriority, sysSetpriority)
	register(SysSchedGetaffin, sysSchedGetaffinity)
	register(SysSchedSetaffin, sysSchedSetaffinity)
	register(SysUname, sysUname)
}

// Clocks (include/uapi/linux/time.h).
const (
	clockRealtime  = 0
	clockMonotonic = 1
	clockBoottime  = 7
	timerAbstime   = 1
)

// Boot is the boot time in the wall clock (ns); Uptime the monotonic
// clock since boot. The kernel sets them.
var (
	Uptime   func() int64
	WallBoot func() int64 // wall-clock time of boot, ns since the epoch
)

func clockNow(id int) (int64, error) {
	switch id {
	case clockMonotonic, clockBoottime:
		return Uptime(), nil
	case clockRealtime:
		return WallBoot() + Uptime(), nil
	}
	return 0, abi.EINVAL
}

// maxTimespecSec is the first number of seconds whose nanoseconds do not
// fit an int64; Linux clamps such times to KTIME_MAX.
const maxTimespecSec = math.MaxInt64/1_000_000_000 - 1

// readTimespec reads a struct timespec; EINVAL if out of range. Times too
// large for nanoseconds in an int64 become math.MaxInt64 (Linux's
// timespec64_to_ktime() saturates the same way), never a negative time.
func readTimespec(t *proc.Task, addr uintptr) (int64, error) {
	var b [16]byte
	if _, err := t.MM.CopyFromUser(b[:], addr); err != nil {
		return 0, abi.EFAULT
	}
	sec, nsec := int64(le64(b[:])), int64(le64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, abi.EINVAL
	}
	if sec >= maxTimespecSec {
		return math.MaxInt64, nil // about 292 years or more: as good as forever (KTIME_MAX)
	}
	return sec*1e9 + nsec, nil
}

func writeTimespec(t *proc.Task, addr uintptr, ns int64) error {
	var b [16]byte
	s, n := uint64(ns/1e9), uint64(ns%1e9)
	for i := 0; i < 8; i++ {
		b[i], b[8+i] = byte(s>>(8*i)), byte(n>>(8*i))
	}
	if _, err := t.MM.CopyToUser(addr, b[:]); err != nil {
		return abi.EFAULT
	}
	return nil
}

// userTimeout reads an optional relative timeout (NULL: none, -1).
func userTimeout(t *proc.Task, addr uintptr) (time.Duration, error) {
	if addr == 0 {
		return -1, nil
	}
	ns, err := readTimespec(t, addr)
	return time.Duration(ns), err
}

// sleep sleeps for ns, or until a signal. Interrupted, it writes the
// time left to rem (if given) and returns ERESTART_RESTARTBLOCK: EINTR
// once a handler runs, or, after a stop and continue, a restart through
// restart_syscall(2) that sleeps for the rest (hrtimer_nanosleep_restart).
func sleep(t *proc.Task, ns int64, rem uintptr) int64 {
	if ns == math.MaxInt64 {
		proc.SleepUntilSignal() // KTIME_MAX: only a signal ends it
		if rem != 0 && writeTimespec(t, rem, ns) != nil {
			return abi.EFAULT.Neg()
		}
		t.RestartFn = func(t *proc.Task) int64 { return sleep(t, ns, rem) }
		return abi.ERESTART_RESTARTBLOCK.Neg()
	}
	deadline := time.Now().Add(time.Duration(ns))
	left := sched.SleepTimeout(time.Duration(ns), proc.SignalPending)
	if left <= 0 || !proc.SignalPending() {
		return 0
	}
	if rem != 0 && writeTimespec(t, rem, int64(left)) != nil {
		return abi.EFAULT.Neg()
	}
	t.RestartFn = func(t *proc.Task) int64 {
		return sleep(t, int64(max(time.Until(deadline), 0)), rem)
	}
	return abi.ERESTART_RESTARTBLOCK.Neg()
}

func sysNanosleep(t *proc.Task, r *amd64.PtRegs) int64 {
	ns, err := readTimespec(t, uintptr(r.DI))
	if err != nil {
		return errno(err)
	}
	return sleep(t, ns, uintptr(r.SI))
}

// sysClockNanosleep: a relative sleep is nanosleep; an absolute one
// (TIMER_ABSTIME) is simply repeated after a signal without a handler
// (ERESTARTNOHAND), as Linux does.
func sysClockNanosleep(t *proc.Task, r *amd64.PtRegs) int64 {
	ns, err := readTimespec(t, uintptr(r.DX))
	if err != nil {
		return errno(err)
	}
	now, err := clockNow(int(r.DI))
	if err != nil {
		return errno(err)
	}
	if r.SI&timerAbstime != 0 {
		ns -= now
		if ns <= 0 {
			return 0
		}
		if e := sleep(t, ns, 0); e != 0 {
			t.RestartFn = nil
			return abi.ERESTARTNOHAND.Neg()
		}
		return 0
	}
	return sleep(t, ns, uintptr(r.R10))
}

func sysClockGettime(t *proc.Task, r *amd64.PtRegs) int64 {
	now, err := clockNow(int(r.DI))
	if err != nil {
		return errno(err)
	}
	return errno(writeTimespec(t, uintptr(r.SI), now))
}

func sysClockGetres(t *proc.Task, r *amd64.PtRegs) int64 {
	if _, err := clockNow(int(r.DI)); err != nil {
		return errno(err)
	}
	if r.SI == 0 {
		return 0
	}
	return errno(writeTimespec(t, uintptr(r.SI), 1))
}

// priority "which" values (include/uapi/linux/resource.h).
const prioProcess = 0

func priorityTarget(t *proc.Task, which, who int) (*proc.Task, error) {
	if which != prioProcess {
		return nil, abi.EINVAL // process groups and users: not implemented
	}
	if who == 0 {
		return t, nil
	}
	if p := proc.Lookup(who); p != nil && p.ExitState == 0 {
		return p, nil
	}
	return nil, abi.ESRCH
}

// sysGetpriority returns 20 - nice (1..40), as the raw system call does.
func sysGetpriority(t *proc.Task, r *amd64.PtRegs) int64 {
	p, err := priorityTarget(t, int(int32(r.DI)), int(int32(r.SI)))
	if err != nil {
		return errno(err)
	}
	return int64(sched.NiceToRlimit(p.Nice))
}

func sysSetpriority(t *proc.Task, r *amd64.PtRegs) int64 {
	p, err := priorityTarget(t, int(int32(r.DI)), int(int32(r.SI)))
	if err != nil {
		return errno(err)
	}
	sched.SetNice(&p.Thread, sched.ClampNice(int(int32(r.DX))))
	return 0
}

// One CPU: the affinity mask is CPU 0.
func sysSchedGetaffinity(t *proc.Task, r *amd64.PtRegs) int64 {
	size := uintptr(r.SI)
	if size < 8 || size%8 != 0 {
		return abi.EINVAL.Neg()
	}
	if _, err := priorityTarget(t, prioProcess, int(int32(r.DI))); err != nil {
		return errno(err)
	}
	mask := [8]byte{1}
	if _, err := t.MM.CopyToUser(uintptr(r.DX), mask[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 8
}

func sysSchedSetaffinity(t *proc.Task, r *amd64.PtRegs) int64 {
	if _, err := priorityTarget(t, prioProcess, int(int32(r.DI))); err != nil {
		return errno(err)
	}
	var b [1]byte
	if r.SI == 0 {
		return abi.EINVAL.Neg()
	}
	if _, err := t.MM.CopyFromUser(b[:], uintptr(r.DX)); err != nil {
		return abi.EFAULT.Neg()
	}
	if b[0]&1 == 0 {
		return abi.EINVAL.Neg() // no CPU of the mask exists
	}
	return 0
}

// sysUname fills struct utsname: six fields of 65 bytes.
func sysUname(t *proc.Task, r *amd64.PtRegs) int64 {
	var u [6 * 65]byte
	for i, s := range []string{"Tamix", "tamix", Release, "#1 " + Release, "x86_64", "(none)"} {
		copy(u[65*i:65*i+64], s)
	}
	if _, err := t.MM.CopyToUser(uintptr(r.DI), u[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

// Release is uname's release string; the kernel sets it.
var Release = "0.1.0"
