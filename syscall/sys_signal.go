//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// Signal dispositions and masks are recorded and reported back (so that
// libc start-up and programs that set handlers work), but Tamix delivers
// only the fatal default actions: a handler is never run. Resource limits
// (kernel/sys.c) likewise.

func init() {
	register(SysRtSigaction, sysRtSigaction)
	register(SysRtSigprocmask, sysRtSigprocmask)
	register(SysGetrlimit, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return prlimit(t, 0, int(r.DI), 0, uintptr(r.SI))
	})
	register(SysSetrlimit, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return prlimit(t, 0, int(r.DI), uintptr(r.SI), 0)
	})
	register(SysPrlimit64, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return prlimit(t, int(int32(r.DI)), int(r.SI), uintptr(r.DX), uintptr(r.R10))
	})
}

// sysRtSigaction(sig, act, oact, sigsetsize): struct sigaction is
// handler, flags, restorer, mask (32 bytes).
func sysRtSigaction(t *proc.Task, r *amd64.PtRegs) int64 {
	sig := int(r.DI)
	if sig < 1 || sig > 64 || r.R10 != 8 || sig == proc.SIGKILL || sig == 19 {
		return abi.EINVAL.Neg()
	}
	a := &t.Sighand.Action[sig-1]
	if r.DX != 0 {
		var b [32]byte
		put64(b[0:], a.Handler)
		put64(b[8:], a.Flags)
		put64(b[16:], a.Restorer)
		put64(b[24:], a.Mask)
		if _, err := t.MM.CopyToUser(uintptr(r.DX), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	if r.SI != 0 {
		var b [32]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.SI)); err != nil {
			return abi.EFAULT.Neg()
		}
		*a = proc.Sigaction{Handler: le64(b[0:]), Flags: le64(b[8:]), Restorer: le64(b[16:]), Mask: le64(b[24:])}
	}
	return 0
}

func sysRtSigprocmask(t *proc.Task, r *amd64.PtRegs) int64 {
	how := int(r.DI)
	if r.R10 != 8 {
		return abi.EINVAL.Neg()
	}
	old := t.Signal.Blocked
	if r.SI != 0 {
		var b [8]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.SI)); err != nil {
			return abi.EFAULT.Neg()
		}
		set := le64(b[:]) &^ (1<<(proc.SIGKILL-1) | 1<<(19-1)) // KILL and STOP cannot be blocked
		switch how {
		case 0: // SIG_BLOCK
			t.Signal.Blocked |= set
		case 1: // SIG_UNBLOCK
			t.Signal.Blocked &^= set
		case 2: // SIG_SETMASK
			t.Signal.Blocked = set
		default:
			return abi.EINVAL.Neg()
		}
	}
	if r.DX != 0 {
		var b [8]byte
		put64(b[:], old)
		if _, err := t.MM.CopyToUser(uintptr(r.DX), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	return 0
}

// prlimit gets and/or sets a resource limit of pid (0: the caller).
// Mirrors kernel/sys.c:do_prlimit().
func prlimit(t *proc.Task, pid, res int, newp, oldp uintptr) int64 {
	if res < 0 || res >= proc.RLIM_NLIMITS {
		return abi.EINVAL.Neg()
	}
	target := t
	if pid != 0 {
		if target = proc.Lookup(pid); target == nil || target.Signal == nil {
			return abi.ESRCH.Neg()
		}
	}
	lim := &target.Signal.Rlim[res]
	var nl proc.Rlimit
	if newp != 0 {
		var b [16]byte
		if _, err := t.MM.CopyFromUser(b[:], newp); err != nil {
			return abi.EFAULT.Neg()
		}
		nl = proc.Rlimit{Cur: le64(b[:]), Max: le64(b[8:])}
		if nl.Cur > nl.Max {
			return abi.EINVAL.Neg()
		}
	}
	if oldp != 0 {
		var b [16]byte
		put64(b[:], lim.Cur)
		put64(b[8:], lim.Max)
		if _, err := t.MM.CopyToUser(oldp, b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	if newp != 0 {
		*lim = nl // Tamix runs everything as root: raising the hard limit is allowed
	}
	return 0
}

func put64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}
