//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
	"tamix/sched"
)

// Process system calls (kernel/exit.c, kernel/sys.c, kernel/sched/,
// arch/x86/kernel/process_64.c).

func init() {
	register(SysGetpid, func(t *proc.Task, r *amd64.PtRegs) int64 { return int64(t.TGID) })
	register(SysGettid, func(t *proc.Task, r *amd64.PtRegs) int64 { return int64(t.PID) })
	register(SysExit, sysExit)
	register(SysExitGroup, func(t *proc.Task, r *amd64.PtRegs) int64 {
		proc.DoGroupExit(proc.ExitStatus(int(r.DI)))
		return 0
	})
	register(SysSchedYield, func(t *proc.Task, r *amd64.PtRegs) int64 { sched.Yield(); return 0 })
	register(SysArchPrctl, sysArchPrctl)
	register(SysSetTidAddress, func(t *proc.Task, r *amd64.PtRegs) int64 {
		t.ClearChildTID = uintptr(r.DI) // cleared and futex-woken at exit
		return int64(t.PID)
	})
}

// sysExit ends the calling thread with the low 8 bits of the status;
// exit_group (above) ends every thread of the process.
func sysExit(t *proc.Task, r *amd64.PtRegs) int64 {
	proc.DoExit(proc.ExitStatus(int(r.DI)))
	return 0
}

// arch_prctl codes (arch/x86/include/uapi/asm/prctl.h).
const (
	archSetGS = 0x1001
	archSetFS = 0x1002
	archGetFS = 0x1003
	archGetGS = 0x1004
)

// sysArchPrctl sets or reads the FS base (the user's TLS pointer) or the
// GS base. Mirrors arch/x86/kernel/process_64.c:do_arch_prctl_64().
func sysArchPrctl(t *proc.Task, r *amd64.PtRegs) int64 {
	switch r.DI {
	case archSetFS, archSetGS:
		if err := proc.CheckFSBase(r.SI); err != nil { // below TASK_SIZE_MAX, as Linux
			return errno(err)
		}
		if r.DI == archSetFS {
			t.User.FSBase = r.SI
		} else {
			t.User.GSBase = r.SI
		}
		return 0
	case archGetFS, archGetGS:
		v := t.User.FSBase
		if r.DI == archGetGS {
			v = t.User.GSBase
		}
		var b [8]byte
		put64(b[:], v)
		if _, err := t.MM.CopyToUser(uintptr(r.SI), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
		return 0
	}
	return abi.EINVAL.Neg()
}
