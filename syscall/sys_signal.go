//go:build tamago

package syscall

import (
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// Signal system calls (kernel/signal.c, arch/x86/kernel/signal_64.c) and
// resource limits (kernel/sys.c). The delivery machinery is in proc.

func init() {
	register(SysRtSigaction, sysRtSigaction)
	register(SysRtSigprocmask, sysRtSigprocmask)
	register(SysRtSigpending, sysRtSigpending)
	register(SysRtSigsuspend, sysRtSigsuspend)
	register(SysRtSigtimedwait, sysRtSigtimedwait)
	register(SysRtSigreturn, func(t *proc.Task, r *amd64.PtRegs) int64 { return t.RtSigreturn() })
	register(SysSigaltstack, sysSigaltstack)
	register(SysPause, func(t *proc.Task, r *amd64.PtRegs) int64 {
		proc.SleepUntilSignal()
		return abi.ERESTARTNOHAND.Neg() // EINTR once a handler ran; again after a stop
	})
	register(SysRestartSyscall, func(t *proc.Task, r *amd64.PtRegs) int64 {
		fn := t.RestartFn
		t.RestartFn = nil
		if fn == nil {
			return abi.EINTR.Neg() // do_no_restart_syscall()
		}
		return fn(t)
	})
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

// uapiSAFlags are the sigaction flags Linux x86-64 knows (UAPI_SA_FLAGS);
// others are cleared, so that a program can tell which flags exist by
// setting SA_UNSUPPORTED and reading the action back.
const uapiSAFlags = abi.SA_NOCLDSTOP | abi.SA_NOCLDWAIT | abi.SA_SIGINFO | abi.SA_ONSTACK |
	abi.SA_RESTART | abi.SA_NODEFER | abi.SA_RESETHAND | abi.SA_EXPOSE_TAGBITS | abi.SA_RESTORER

// kernelOnly is SIGKILL and SIGSTOP: no handler, no mask.
const kernelOnly = proc.Sigset(1<<(abi.SIGKILL-1) | 1<<(abi.SIGSTOP-1))

// sysRtSigaction(sig, act, oact, sigsetsize): struct sigaction is
// handler, flags, restorer, mask (32 bytes). Mirrors kernel/signal.c:
// do_sigaction().
func sysRtSigaction(t *proc.Task, r *amd64.PtRegs) int64 {
	sig := int(int32(r.DI))
	if r.R10 != 8 || !proc.ValidSignal(sig) || (r.SI != 0 && kernelOnly.Has(sig)) {
		return abi.EINVAL.Neg()
	}
	var na proc.Sigaction
	if r.SI != 0 {
		var b [32]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.SI)); err != nil {
			return abi.EFAULT.Neg()
		}
		na = proc.Sigaction{Handler: le64(b[0:]), Flags: le64(b[8:]) & uapiSAFlags,
			Restorer: le64(b[16:]), Mask: proc.Sigset(le64(b[24:])) &^ kernelOnly}
	}
	old := t.DoSigaction(sig, &na, r.SI != 0)
	if r.DX != 0 {
		var b [32]byte
		put64(b[0:], old.Handler)
		put64(b[8:], old.Flags&uapiSAFlags)
		put64(b[16:], old.Restorer)
		put64(b[24:], uint64(old.Mask))
		if _, err := t.MM.CopyToUser(uintptr(r.DX), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	return 0
}

// readSigset reads a sigset_t of sigsetsize 8 (EINVAL otherwise).
func readSigset(t *proc.Task, addr uintptr, size uint64) (proc.Sigset, int64) {
	if size != 8 {
		return 0, abi.EINVAL.Neg()
	}
	var b [8]byte
	if _, err := t.MM.CopyFromUser(b[:], addr); err != nil {
		return 0, abi.EFAULT.Neg()
	}
	return proc.Sigset(le64(b[:])), 0
}

func writeSigset(t *proc.Task, addr uintptr, s proc.Sigset) int64 {
	var b [8]byte
	put64(b[:], uint64(s))
	if _, err := t.MM.CopyToUser(addr, b[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

// sysRtSigprocmask(how, set, oset, sigsetsize) changes the calling
// thread's mask. Mirrors kernel/signal.c:sigprocmask().
func sysRtSigprocmask(t *proc.Task, r *amd64.PtRegs) int64 {
	if r.R10 != 8 {
		return abi.EINVAL.Neg()
	}
	old := t.Blocked
	if r.SI != 0 {
		set, e := readSigset(t, uintptr(r.SI), r.R10)
		if e != 0 {
			return e
		}
		switch int(int32(r.DI)) {
		case abi.SIG_BLOCK:
			set |= old
		case abi.SIG_UNBLOCK:
			set = old &^ set
		case abi.SIG_SETMASK:
		default:
			return abi.EINVAL.Neg()
		}
		t.SetBlocked(set)
	}
	if r.DX != 0 {
		return writeSigset(t, uintptr(r.DX), old)
	}
	return 0
}

// sysRtSigpending(set, sigsetsize): the blocked signals that are
// pending, for the thread or its process.
func sysRtSigpending(t *proc.Task, r *amd64.PtRegs) int64 {
	if r.SI > 8 {
		return abi.EINVAL.Neg()
	}
	var b [8]byte
	put64(b[:], uint64(t.PendingBlocked()))
	if _, err := t.MM.CopyToUser(uintptr(r.DI), b[:r.SI]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

// sysRtSigsuspend(mask, sigsetsize) waits for a signal with mask in
// place; the old mask comes back after the handler has run
// (TIF_RESTORE_SIGMASK). Always "fails" with EINTR. Mirrors
// kernel/signal.c:sigsuspend().
func sysRtSigsuspend(t *proc.Task, r *amd64.PtRegs) int64 {
	set, e := readSigset(t, uintptr(r.DI), r.SI)
	if e != 0 {
		return e
	}
	t.Sigsuspend(set)
	return abi.ERESTARTNOHAND.Neg()
}

// sysRtSigtimedwait(set, info, timeout, sigsetsize) takes a pending
// signal of set without running its handler, waiting up to timeout
// (NULL: forever); EAGAIN when the time is up, EINTR when another signal
// interrupts. Mirrors kernel/signal.c:do_sigtimedwait().
func sysRtSigtimedwait(t *proc.Task, r *amd64.PtRegs) int64 {
	set, e := readSigset(t, uintptr(r.DI), r.R10)
	if e != 0 {
		return e
	}
	timeout := time.Duration(-1)
	if r.DX != 0 {
		ns, err := readTimespec(t, uintptr(r.DX))
		if err != nil {
			return errno(err)
		}
		timeout = time.Duration(ns)
	}
	sig, info, err := t.Sigtimedwait(set, timeout)
	if err != nil {
		return errno(err)
	}
	if r.SI != 0 {
		if _, err := t.MM.CopyToUser(uintptr(r.SI), info[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	return int64(sig)
}

// sysSigaltstack(uss, uoss) sets and/or reads the thread's alternate
// signal stack (stack_t: ss_sp, ss_flags, ss_size; 24 bytes). Mirrors
// kernel/signal.c:do_sigaltstack().
func sysSigaltstack(t *proc.Task, r *amd64.PtRegs) int64 {
	old := t.Altstack
	if r.DI != 0 {
		var b [24]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.DI)); err != nil {
			return abi.EFAULT.Neg()
		}
		err := t.Altstack.Set(le64(b[0:]), le64(b[16:]), uint32(le64(b[8:])), r.SP)
		if err != nil {
			return errno(err)
		}
	}
	if r.SI != 0 {
		var b [24]byte
		put64(b[0:], old.SP)
		put64(b[8:], uint64(old.StackFlags(r.SP)|old.Flags&abi.SS_AUTODISARM))
		put64(b[16:], old.Size)
		if _, err := t.MM.CopyToUser(uintptr(r.SI), b[:]); err != nil {
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
