package proc

import (
	"tamix/abi"
	"tamix/mm"
)

// Clone flags (include/uapi/linux/sched.h).
const (
	CSIGNAL              = 0x000000ff // the signal sent to the parent at exit
	CLONE_VM             = 0x00000100
	CLONE_FS             = 0x00000200
	CLONE_FILES          = 0x00000400
	CLONE_SIGHAND        = 0x00000800
	CLONE_PIDFD          = 0x00001000
	CLONE_PTRACE         = 0x00002000
	CLONE_VFORK          = 0x00004000
	CLONE_PARENT         = 0x00008000
	CLONE_THREAD         = 0x00010000
	CLONE_NEWNS          = 0x00020000
	CLONE_SYSVSEM        = 0x00040000
	CLONE_SETTLS         = 0x00080000
	CLONE_PARENT_SETTID  = 0x00100000
	CLONE_CHILD_CLEARTID = 0x00200000
	CLONE_DETACHED       = 0x00400000
	CLONE_UNTRACED       = 0x00800000
	CLONE_CHILD_SETTID   = 0x01000000
	CLONE_NEWCGROUP      = 0x02000000
	CLONE_NEWUTS         = 0x04000000
	CLONE_NEWIPC         = 0x08000000
	CLONE_NEWUSER        = 0x10000000
	CLONE_NEWPID         = 0x20000000
	CLONE_NEWNET         = 0x40000000
	CLONE_IO             = 0x80000000
)

// supportedCloneFlags are the flags Tamix implements; namespaces,
// pidfds and ptrace are not (-EINVAL, as for unknown flags).
const supportedCloneFlags = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
	CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SETTLS | CLONE_PARENT_SETTID |
	CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID |
	CLONE_SYSVSEM | CLONE_IO

// CheckCloneFlags returns the errno copy_process gives for a combination
// of flags that makes no sense, or nil. Mirrors the checks at the top of
// kernel/fork.c:copy_process():
//   - CLONE_NEWNS|CLONE_FS and CLONE_NEWUSER|CLONE_FS: EINVAL
//   - CLONE_THREAD without CLONE_SIGHAND: EINVAL (threads share signal handlers)
//   - CLONE_SIGHAND without CLONE_VM: EINVAL (shared handlers need shared memory)
//   - CLONE_PARENT from init (SIGNAL_UNKILLABLE): EINVAL (init's siblings
//     would have no reaper), checked by the caller; init may create threads
//
// plus Tamix's own: flags it does not implement give EINVAL.
func CheckCloneFlags(flags uint64) error {
	switch {
	case flags&(CLONE_NEWNS|CLONE_FS) == CLONE_NEWNS|CLONE_FS:
		return abi.EINVAL
	case flags&(CLONE_NEWUSER|CLONE_FS) == CLONE_NEWUSER|CLONE_FS:
		return abi.EINVAL
	case flags&CLONE_THREAD != 0 && flags&CLONE_SIGHAND == 0:
		return abi.EINVAL
	case flags&CLONE_SIGHAND != 0 && flags&CLONE_VM == 0:
		return abi.EINVAL
	case flags&^uint64(supportedCloneFlags) != 0:
		return abi.EINVAL
	}
	return nil
}

// CheckFSBase returns EPERM unless addr may become a user task's FS base:
// an address below TASK_SIZE_MAX (mm.TaskSize, 0x7ffffffff000), so it is
// canonical and in the lower half. Loading a non-canonical base with
// WRMSR faults in ring 0; a kernel-half base would at least point user
// TLS accesses at the kernel. Mirrors the ARCH_SET_FS check of
// arch/x86/kernel/process_64.c:do_arch_prctl_64(), which clone's
// CLONE_SETTLS reaches through copy_thread() -> set_new_tls(). Tamix
// accepts an FS base in the kernel's [16 MiB, 4 GiB) hole as Linux would:
// the page tables keep user accesses there out.
func CheckFSBase(addr uint64) error {
	if addr >= uint64(mm.TaskSize) {
		return abi.EPERM
	}
	return nil
}

// CheckCloneArgs returns the errno clone gives for flags and tls before
// any work is done, or nil: CheckCloneFlags first, then, for
// CLONE_SETTLS, CheckFSBase(tls). Linux checks the TLS in copy_thread(),
// late in copy_process(), so there a clone that also fails for want of
// a PID or RLIMIT_NPROC reports EAGAIN instead of EPERM; Tamix checks
// both up front and reports EPERM.
func CheckCloneArgs(flags, tls uint64) error {
	if err := CheckCloneFlags(flags); err != nil {
		return err
	}
	if flags&CLONE_SETTLS != 0 {
		return CheckFSBase(tls)
	}
	return nil
}
