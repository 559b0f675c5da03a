//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// fork, vfork, clone, execve, wait4, kill and friends (kernel/fork.c,
// fs/exec.c, kernel/exit.c, kernel/signal.c).

func init() {
	register(SysFork, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return forkResult(proc.DoFork(&proc.CloneArgs{Flags: proc.SIGCHLD}))
	})
	register(SysVfork, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return forkResult(proc.DoFork(&proc.CloneArgs{Flags: proc.CLONE_VFORK | proc.CLONE_VM | proc.SIGCHLD}))
	})
	register(SysClone, sysClone)
	register(SysExecve, sysExecve)
	register(SysWait4, sysWait4)
	register(SysWaitid, sysWaitid)
	register(SysKill, sysKill)
	register(SysTkill, func(t *proc.Task, r *amd64.PtRegs) int64 { return kill(t, int(int32(r.DI)), int(int32(r.SI))) })
	register(SysTgkill, func(t *proc.Task, r *amd64.PtRegs) int64 { return kill(t, int(int32(r.SI)), int(int32(r.DX))) })
	register(SysGetppid, sysGetppid)
	register(SysPause, sysPause)
	register(SysFutex, sysFutex)
}

func forkResult(pid int, err error) int64 {
	if err != nil {
		return errno(err)
	}
	return int64(pid)
}

// sysClone: x86-64 argument order flags, newsp, parent_tid, child_tid, tls.
// A CLONE_SETTLS address at or above TASK_SIZE_MAX is -EPERM
// (proc.CheckCloneArgs), checked here before any work; Linux checks it
// later, in copy_thread().
func sysClone(t *proc.Task, r *amd64.PtRegs) int64 {
	if err := proc.CheckCloneArgs(r.DI, r.R8); err != nil {
		return errno(err)
	}
	return forkResult(proc.DoFork(&proc.CloneArgs{
		Flags: r.DI, Stack: uintptr(r.SI), ParentTID: uintptr(r.DX),
		ChildTID: uintptr(r.R10), TLS: r.R8,
	}))
}

// pathMax is PATH_MAX, the longest path name with its NUL
// (include/uapi/linux/limits.h).
const pathMax = 4096

// sysExecve reads the file name (at most PATH_MAX bytes with its NUL,
// else ENAMETOOLONG), then argv and envp within Linux's limits
// (proc.CopyExecArgs: E2BIG before the kernel copies more than the
// budget RLIMIT_STACK gives the strings), and runs the program.
func sysExecve(t *proc.Task, r *amd64.PtRegs) int64 {
	name, err := t.MM.StrncpyFromUser(uintptr(r.DI), pathMax)
	if err != nil {
		return abi.EFAULT.Neg()
	}
	if len(name) == pathMax {
		return abi.ENAMETOOLONG.Neg()
	}
	stackLimit := uint64(0) // the default, 8 MiB
	if t.Signal != nil {
		stackLimit = t.Signal.Rlim[proc.RLIMIT_STACK].Cur
	}
	argv, envp, err := proc.CopyExecArgs(t.MM, name, uintptr(r.SI), uintptr(r.DX), stackLimit)
	if err != nil {
		return errno(err)
	}
	if err := proc.Execve(name, argv, envp); err != nil {
		return errno(err)
	}
	return 0 // the new program starts with RAX = 0
}

func sysWait4(t *proc.Task, r *amd64.PtRegs) int64 {
	opts := int(int32(r.DX))
	if opts&^(proc.WNOHANG|proc.WUNTRACED|0x8|proc.WEXITED|proc.WNOWAIT|0x20000000|0x40000000|0x80000000) != 0 {
		return abi.EINVAL.Neg()
	}
	pid, status, err := proc.DoWait(int(int32(r.DI)), opts)
	if err != nil {
		return errno(err)
	}
	if pid > 0 && r.SI != 0 {
		b := [4]byte{byte(status), byte(status >> 8), byte(status >> 16), byte(status >> 24)}
		if _, err := t.MM.CopyToUser(uintptr(r.SI), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	if pid > 0 && r.R10 != 0 { // struct rusage: zeroes (times are not reported yet)
		if _, err := t.MM.ClearUser(uintptr(r.R10), 144); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	return int64(pid)
}

// waitid idtypes and si_code values.
const (
	pAll, pPID   = 0, 1
	cldExited    = 1
	cldKilled    = 2
	sigchldSigno = 17
)

// sysWaitid fills a siginfo_t (si_signo, si_errno, si_code, si_pid,
// si_uid, si_status) for the reaped child.
func sysWaitid(t *proc.Task, r *amd64.PtRegs) int64 {
	which, id, opts := int(r.DI), int(int32(r.SI)), int(int32(r.R10))
	pid := -1
	switch which {
	case pAll:
	case pPID:
		if id <= 0 {
			return abi.EINVAL.Neg()
		}
		pid = id
	default:
		return abi.EINVAL.Neg()
	}
	if opts&(proc.WEXITED|proc.WUNTRACED|0x8) == 0 {
		return abi.EINVAL.Neg()
	}
	cpid, status, err := proc.DoWait(pid, opts)
	if err != nil {
		return errno(err)
	}
	if r.DX != 0 {
		var si [128]byte
		if cpid > 0 {
			code, st := cldExited, status>>8&0xff
			if status&0x7f != 0 {
				code, st = cldKilled, status&0x7f
			}
			put32(si[0:], sigchldSigno)
			put32(si[8:], uint32(code))
			put32(si[16:], uint32(cpid))
			put32(si[24:], uint32(st))
		}
		if _, err := t.MM.CopyToUser(uintptr(r.DX), si[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	return 0
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func sysKill(t *proc.Task, r *amd64.PtRegs) int64 {
	return kill(t, int(int32(r.DI)), int(int32(r.SI)))
}

// fatalDefault marks the signals whose default action terminates the
// process (signal(7): Term and Core).
var fatalDefault = [65]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true,
	9: true, 10: true, 11: true, 12: true, 13: true, 14: true, 15: true, 16: true, 24: true,
	25: true, 26: true, 27: true, 29: true, 30: true, 31: true}

// kill delivers a signal with its default action. Tamix implements the
// fatal defaults only: SIGKILL, SIGTERM (and other terminating signals)
// kill the target, signal 0 checks it exists; anything else is refused
// with -ENOSYS and a log line rather than silently dropped.
func kill(t *proc.Task, pid, sig int) int64 {
	if sig < 0 || sig > 64 {
		return abi.EINVAL.Neg()
	}
	if pid <= 0 {
		return abi.ENOSYS.Neg() // process groups are not implemented
	}
	target := proc.Lookup(pid)
	if target == nil {
		return abi.ESRCH.Neg() // a zombie still exists until it is reaped
	}
	switch {
	case sig == 0 || target.ExitState != 0:
		return 0 // existence check; a signal to a zombie is dropped
	case fatalDefault[sig]:
		proc.SendFatalSignal(target, sig)
		return 0
	}
	logf("pid %d (%s): kill(%d, %d): only fatal default actions are implemented: -ENOSYS", t.PID, t.Comm, pid, sig)
	return abi.ENOSYS.Neg()
}

func sysGetppid(t *proc.Task, r *amd64.PtRegs) int64 {
	if p := t.Parent; p != nil {
		return int64(p.TGID)
	}
	return 0
}

// sysPause sleeps until a signal ends the task.
func sysPause(t *proc.Task, r *amd64.PtRegs) int64 {
	proc.SleepUntilSignal()
	return abi.EINTR.Neg()
}

// futex operations (include/uapi/linux/futex.h).
const (
	futexWait        = 0
	futexWake        = 1
	futexPrivateFlag = 128
	futexClockRT     = 256
)

// sysFutex implements FUTEX_WAIT and FUTEX_WAKE (private or not: Tamix
// keys both by address space); the other operations give -ENOSYS.
func sysFutex(t *proc.Task, r *amd64.PtRegs) int64 {
	op := int(r.SI) &^ (futexPrivateFlag | futexClockRT)
	switch op {
	case futexWait:
		timeout, err := userTimeout(t, uintptr(r.R10))
		if err != nil {
			return errno(err)
		}
		return errno(proc.FutexWait(t, uintptr(r.DI), uint32(r.DX), timeout))
	case futexWake:
		return int64(proc.FutexWake(t.MM, uintptr(r.DI), int(int32(r.DX))))
	}
	logf("pid %d (%s): futex op %d is not implemented: -ENOSYS", t.PID, t.Comm, op)
	return abi.ENOSYS.Neg()
}
