//go:build tamago

package syscall

import (
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// Sending signals, process groups and sessions, and the interval timer
// (kernel/signal.c, kernel/sys.c, kernel/time/itimer.c).

func init() {
	register(SysKill, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(proc.KillSomething(t, int(int32(r.DI)), int(int32(r.SI))))
	})
	register(SysTkill, func(t *proc.Task, r *amd64.PtRegs) int64 {
		sig := int(int32(r.SI))
		return errno(proc.DoTkill(t, -1, int(int32(r.DI)), sig, proc.NewKillInfo(sig, abi.SI_TKILL, t.TGID)))
	})
	register(SysTgkill, func(t *proc.Task, r *amd64.PtRegs) int64 {
		sig := int(int32(r.DX))
		return errno(proc.DoTkill(t, int(int32(r.DI)), int(int32(r.SI)), sig, proc.NewKillInfo(sig, abi.SI_TKILL, t.TGID)))
	})
	register(SysRtSigqueueinfo, sysRtSigqueueinfo)
	register(SysRtTgsigqueueinfo, sysRtTgsigqueueinfo)
	register(SysSetpgid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(proc.Setpgid(t, int(int32(r.DI)), int(int32(r.SI))))
	})
	register(SysGetpgid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return result(proc.Getpgid(t, int(int32(r.DI))))
	})
	register(SysGetpgrp, func(t *proc.Task, r *amd64.PtRegs) int64 { return result(proc.Getpgid(t, 0)) })
	register(SysGetsid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return result(proc.Getsid(t, int(int32(r.DI))))
	})
	register(SysSetsid, func(t *proc.Task, r *amd64.PtRegs) int64 { return result(proc.Setsid(t)) })
	register(SysAlarm, func(t *proc.Task, r *amd64.PtRegs) int64 { return int64(proc.Alarm(t, uint32(r.DI))) })
	register(SysGetitimer, sysGetitimer)
	register(SysSetitimer, sysSetitimer)
}

// result turns a value-or-error into RAX.
func result(v int, err error) int64 {
	if err != nil {
		return errno(err)
	}
	return int64(v)
}

// sysRtSigqueueinfo(pid, sig, uinfo) sends sig with a siginfo the caller
// made (sigqueue(3) uses SI_QUEUE and a value).
func sysRtSigqueueinfo(t *proc.Task, r *amd64.PtRegs) int64 {
	info := &proc.Siginfo{}
	if _, err := t.MM.CopyFromUser(info[:], uintptr(r.DX)); err != nil {
		return abi.EFAULT.Neg()
	}
	return errno(proc.SendQueued(t, int(int32(r.DI)), int(int32(r.SI)), info))
}

// sysRtTgsigqueueinfo(tgid, tid, sig, uinfo) is rt_sigqueueinfo to one
// thread. Mirrors kernel/signal.c:SYSCALL_DEFINE4(rt_tgsigqueueinfo).
func sysRtTgsigqueueinfo(t *proc.Task, r *amd64.PtRegs) int64 {
	info := &proc.Siginfo{}
	if _, err := t.MM.CopyFromUser(info[:], uintptr(r.R10)); err != nil {
		return abi.EFAULT.Neg()
	}
	return errno(proc.SendQueuedThread(t, int(int32(r.DI)), int(int32(r.SI)), int(int32(r.DX)), info))
}

// Interval timers (include/uapi/linux/time.h).
const (
	itimerReal    = 0
	itimerVirtual = 1
	itimerProf    = 2
)

// timevalDuration reads a struct timeval at b; EINVAL if out of range.
func timevalDuration(b []byte) (time.Duration, error) {
	sec, usec := int64(le64(b)), int64(le64(b[8:]))
	if sec < 0 || usec < 0 || usec >= 1e6 || sec > 1<<33 {
		return 0, abi.EINVAL
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, nil
}

// putTimeval writes d as a struct timeval, rounding microseconds up as
// Linux's getitimer does (a pending timer never shows 0).
func putTimeval(b []byte, d time.Duration) {
	us := (d + time.Microsecond - 1) / time.Microsecond
	put64(b, uint64(us/1e6))
	put64(b[8:], uint64(us%1e6))
}

// itimerWhich checks "which": ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF.
func itimerWhich(which int) int64 {
	if which < itimerReal || which > itimerProf {
		return abi.EINVAL.Neg()
	}
	return 0
}

func writeItimerval(t *proc.Task, addr uintptr, left, interval time.Duration) int64 {
	var b [32]byte
	putTimeval(b[0:], interval)
	putTimeval(b[16:], left)
	if _, err := t.MM.CopyToUser(addr, b[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

// sysGetitimer(which, value): struct itimerval is it_interval, it_value.
func sysGetitimer(t *proc.Task, r *amd64.PtRegs) int64 {
	which := int(int32(r.DI))
	if e := itimerWhich(which); e != 0 {
		return e
	}
	left, interval := t.Signal.ItReal.Get()
	if which != itimerReal {
		left, interval = t.CPUTimerValue(which == itimerProf)
	}
	return writeItimerval(t, uintptr(r.SI), left, interval)
}

// sysSetitimer(which, new, old). Mirrors kernel/time/itimer.c:do_setitimer().
func sysSetitimer(t *proc.Task, r *amd64.PtRegs) int64 {
	which := int(int32(r.DI))
	if e := itimerWhich(which); e != 0 {
		return e
	}
	var value, interval time.Duration
	if r.SI != 0 {
		var b [32]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.SI)); err != nil {
			return abi.EFAULT.Neg()
		}
		var err error
		if interval, err = timevalDuration(b[0:]); err != nil {
			return errno(err)
		}
		if value, err = timevalDuration(b[16:]); err != nil {
			return errno(err)
		}
	}
	var left, oldInterval time.Duration
	if which == itimerReal {
		left, oldInterval = proc.SetITimerReal(t, value, interval)
	} else {
		left, oldInterval = t.SetCPUTimer(which == itimerProf, value, interval)
	}
	if r.DX != 0 {
		return writeItimerval(t, uintptr(r.DX), left, oldInterval)
	}
	return 0
}
