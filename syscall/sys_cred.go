//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// User and group IDs (kernel/sys.c, kernel/groups.c); the rules are in
// proc/cred.go.

func init() {
	get := func(f func(c proc.Creds) uint32) handler {
		return func(t *proc.Task, r *amd64.PtRegs) int64 { return int64(f(t.Cred.Snapshot())) }
	}
	register(SysGetuid, get(func(c proc.Creds) uint32 { return c.U.Real }))
	register(SysGeteuid, get(func(c proc.Creds) uint32 { return c.U.Eff }))
	register(SysGetgid, get(func(c proc.Creds) uint32 { return c.G.Real }))
	register(SysGetegid, get(func(c proc.Creds) uint32 { return c.G.Eff }))
	register(SysSetuid, func(t *proc.Task, r *amd64.PtRegs) int64 { return errno(t.Cred.Setuid(uint32(r.DI))) })
	register(SysSetgid, func(t *proc.Task, r *amd64.PtRegs) int64 { return errno(t.Cred.Setgid(uint32(r.DI))) })
	register(SysSetreuid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(t.Cred.Setreuid(uint32(r.DI), uint32(r.SI)))
	})
	register(SysSetregid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(t.Cred.Setregid(uint32(r.DI), uint32(r.SI)))
	})
	register(SysSetresuid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(t.Cred.Setresuid(uint32(r.DI), uint32(r.SI), uint32(r.DX)))
	})
	register(SysSetresgid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(t.Cred.Setresgid(uint32(r.DI), uint32(r.SI), uint32(r.DX)))
	})
	register(SysGetresuid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		c := t.Cred.Snapshot()
		return putIDs(t, [3]uint32{c.U.Real, c.U.Eff, c.U.Saved}, [3]uint64{r.DI, r.SI, r.DX})
	})
	register(SysGetresgid, func(t *proc.Task, r *amd64.PtRegs) int64 {
		c := t.Cred.Snapshot()
		return putIDs(t, [3]uint32{c.G.Real, c.G.Eff, c.G.Saved}, [3]uint64{r.DI, r.SI, r.DX})
	})
	register(SysSetfsuid, func(t *proc.Task, r *amd64.PtRegs) int64 { return int64(t.Cred.Setfsuid(uint32(r.DI))) })
	register(SysSetfsgid, func(t *proc.Task, r *amd64.PtRegs) int64 { return int64(t.Cred.Setfsgid(uint32(r.DI))) })
	register(SysGetgroups, sysGetgroups)
	register(SysSetgroups, sysSetgroups)
}

// putIDs writes three IDs to three user addresses (getresuid/getresgid).
func putIDs(t *proc.Task, ids [3]uint32, addrs [3]uint64) int64 {
	for i, a := range addrs {
		var b [4]byte
		put32(b[:], ids[i])
		if _, err := t.MM.CopyToUser(uintptr(a), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	return 0
}

// sysGetgroups(size, list): size 0 asks for the count; a list too small
// is EINVAL. Mirrors kernel/groups.c:getgroups.
func sysGetgroups(t *proc.Task, r *amd64.PtRegs) int64 {
	size := int(int32(r.DI))
	g := t.Cred.Snapshot().Groups
	switch {
	case size < 0:
		return abi.EINVAL.Neg()
	case size == 0:
		return int64(len(g))
	case size < len(g):
		return abi.EINVAL.Neg()
	}
	b := make([]byte, 4*len(g))
	for i, id := range g {
		put32(b[4*i:], id)
	}
	if _, err := t.MM.CopyToUser(uintptr(r.SI), b); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(len(g))
}

// sysSetgroups(size, list). Mirrors kernel/groups.c:setgroups.
func sysSetgroups(t *proc.Task, r *amd64.PtRegs) int64 {
	size := int(int32(r.DI))
	if size < 0 || size > proc.NGROUPS_MAX {
		return abi.EINVAL.Neg()
	}
	b := make([]byte, 4*size)
	if _, err := t.MM.CopyFromUser(b, uintptr(r.SI)); err != nil {
		return abi.EFAULT.Neg()
	}
	g := make([]uint32, size)
	for i := range g {
		g[i] = uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24
	}
	return errno(t.Cred.SetGroups(g))
}
