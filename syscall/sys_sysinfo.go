//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs/procfs"
	"tamix/proc"
)

// SysSysinfo is sysinfo(2)'s number.
const SysSysinfo = 99

func init() { register(SysSysinfo, sysSysinfo) }

// sysSysinfo fills struct sysinfo with the numbers /proc/meminfo and
// /proc/loadavg show (busybox free and uptime read it). Mirrors
// kernel/sys.c:SYSCALL_DEFINE1(sysinfo).
func sysSysinfo(t *proc.Task, r *amd64.PtRegs) int64 {
	s := procfs.System()
	if _, err := t.MM.CopyToUser(uintptr(r.DI), procfs.EncodeSysinfo(&s)); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}
