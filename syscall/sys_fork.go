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
	register(SysGetppid, sysGetppid)
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
	if opts&^(proc.WNOHANG|proc.WUNTRACED|proc.WCONTINUED|proc.WEXITED|proc.WNOWAIT|proc.WNOTHREAD|proc.WALL|proc.WCLONE) != 0 {
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

// waitid idtypes (include/uapi/linux/wait.h).
const (
	pAll, pPID, pPGID = 0, 1, 2
	sigchldSigno      = 17
)

// sysWaitid(idtype, id, infop, options, rusage) fills a siginfo_t
// (si_signo, si_errno, si_code, si_pid, si_uid, si_status) for the child
// it reports; with WNOHANG and nothing to report, the fields are zero.
// Mirrors kernel/exit.c:kernel_waitid().
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
	case pPGID:
		if id < 0 {
			return abi.EINVAL.Neg()
		}
		pid = -id // 0: the caller's group
	default:
		return abi.EINVAL.Neg()
	}
	known := proc.WNOHANG | proc.WEXITED | proc.WSTOPPED | proc.WCONTINUED | proc.WNOWAIT |
		proc.WNOTHREAD | proc.WALL | proc.WCLONE
	if opts&^known != 0 || opts&(proc.WEXITED|proc.WSTOPPED|proc.WCONTINUED) == 0 {
		return abi.EINVAL.Neg()
	}
	res, err := proc.DoWaitResult(pid, opts)
	if err != nil {
		return errno(err)
	}
	if r.DX != 0 {
		var si [128]byte
		if res.PID > 0 {
			put32(si[0:], sigchldSigno)
			put32(si[8:], uint32(res.Code))
			put32(si[16:], uint32(res.PID))
			put32(si[24:], uint32(res.SigSt))
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

func sysGetppid(t *proc.Task, r *amd64.PtRegs) int64 {
	if p := t.Parent; p != nil {
		return int64(p.TGID)
	}
	return 0
}
