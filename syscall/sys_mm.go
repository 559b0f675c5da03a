//go:build tamago

package syscall

import (
	"tamix/arch/amd64"
	"tamix/proc"
)

// Memory system calls: thin wrappers around package mm (mm/mmap.c,
// mm/mprotect.c).

func init() {
	register(SysBrk, sysBrk)
	register(SysMmap, sysMmap)
	register(SysMunmap, sysMunmap)
	register(SysMprotect, sysMprotect)
	register(SysMadvise, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return errno(t.MM.Madvise(uintptr(r.DI), uintptr(r.SI), int(int32(r.DX))))
	})
}

func sysBrk(t *proc.Task, r *amd64.PtRegs) int64 {
	return int64(t.MM.Brk(uintptr(r.DI)))
}

func sysMmap(t *proc.Task, r *amd64.PtRegs) int64 {
	addr, err := t.MM.Mmap(uintptr(r.DI), uintptr(r.SI), int(int32(r.DX)), int(int32(r.R10)), int(int32(r.R8)), r.R9)
	if err != nil {
		return errno(err)
	}
	return int64(addr)
}

func sysMunmap(t *proc.Task, r *amd64.PtRegs) int64 {
	return errno(t.MM.Munmap(uintptr(r.DI), uintptr(r.SI)))
}

func sysMprotect(t *proc.Task, r *amd64.PtRegs) int64 {
	return errno(t.MM.Mprotect(uintptr(r.DI), uintptr(r.SI), int(int32(r.DX))))
}
