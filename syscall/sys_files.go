//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/proc"
)

// Descriptors, pipes and the console's terminal ioctls (fs/file.c,
// fs/fcntl.c, fs/pipe.c, drivers/tty).

func init() {
	register(SysClose, func(t *proc.Task, r *amd64.PtRegs) int64 { return errno(t.Files.Close(int(int32(r.DI)))) })
	register(SysDup, sysDup)
	register(SysDup2, sysDup2)
	register(SysDup3, sysDup3)
	register(SysPipe, func(t *proc.Task, r *amd64.PtRegs) int64 { return pipe2(t, uintptr(r.DI), 0) })
	register(SysPipe2, func(t *proc.Task, r *amd64.PtRegs) int64 { return pipe2(t, uintptr(r.DI), int(r.SI)) })
	register(SysFcntl, sysFcntl)
	register(SysIoctl, sysIoctl)
}

const (
	oCloexec  = 0o2000000
	oNonblock = 0o4000
	// setflMask are the flags F_SETFL may change (SETFL_MASK).
	setflMask = fs.O_APPEND | fs.O_NONBLOCK | fs.O_DIRECT | fs.O_NOATIME
)

func sysDup(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	f.Get() // the new descriptor's reference
	fd, err := t.Files.Install(f, 0, false)
	if err != nil {
		f.Put()
	}
	return resultFD(fd, err)
}

func sysDup2(t *proc.Task, r *amd64.PtRegs) int64 {
	oldfd, newfd := int(int32(r.DI)), int(int32(r.SI))
	if oldfd == newfd {
		if _, err := t.Files.Get(oldfd); err != nil {
			return errno(err)
		}
		return int64(newfd)
	}
	fd, err := t.Files.Dup2(oldfd, newfd, false)
	return resultFD(fd, err)
}

func sysDup3(t *proc.Task, r *amd64.PtRegs) int64 {
	oldfd, newfd, flags := int(int32(r.DI)), int(int32(r.SI)), int(r.DX)
	if oldfd == newfd || flags&^oCloexec != 0 {
		return abi.EINVAL.Neg()
	}
	fd, err := t.Files.Dup2(oldfd, newfd, flags&oCloexec != 0)
	return resultFD(fd, err)
}

func resultFD(fd int, err error) int64 {
	if err != nil {
		return errno(err)
	}
	return int64(fd)
}

// pipe2 creates a pipe and writes its two descriptors to fds[2].
func pipe2(t *proc.Task, fds uintptr, flags int) int64 {
	if flags&^(oCloexec|oNonblock) != 0 {
		return abi.EINVAL.Neg()
	}
	rd, wr := proc.NewPipe()
	rd.SetFlags(oNonblock, flags)
	wr.SetFlags(oNonblock, flags)
	cloexec := flags&oCloexec != 0
	r, err := t.Files.Install(rd, 0, cloexec)
	if err != nil {
		rd.Put()
		wr.Put()
		return errno(err)
	}
	w, err := t.Files.Install(wr, 0, cloexec)
	if err != nil {
		t.Files.Close(r)
		wr.Put()
		return errno(err)
	}
	var b [8]byte
	put32(b[0:], uint32(r))
	put32(b[4:], uint32(w))
	if _, err := t.MM.CopyToUser(fds, b[:]); err != nil {
		t.Files.Close(r)
		t.Files.Close(w)
		return abi.EFAULT.Neg()
	}
	return 0
}

// fcntl commands (include/uapi/asm-generic/fcntl.h).
const (
	fDupfd        = 0
	fGetfd        = 1
	fSetfd        = 2
	fGetfl        = 3
	fSetfl        = 4
	fDupfdCloexec = 1030
	fdCloexec     = 1
)

func sysFcntl(t *proc.Task, r *amd64.PtRegs) int64 {
	fd, cmd, arg := int(int32(r.DI)), int(int32(r.SI)), int(r.DX)
	f, err := t.Files.Get(fd)
	if err != nil {
		return errno(err)
	}
	switch cmd {
	case fDupfd, fDupfdCloexec:
		if arg < 0 || arg >= proc.MaxFDs {
			return abi.EINVAL.Neg()
		}
		f.Get()
		nfd, err := t.Files.Install(f, arg, cmd == fDupfdCloexec)
		if err != nil {
			f.Put()
		}
		return resultFD(nfd, err)
	case fGetfd:
		on, _ := t.Files.CloseOnExec(fd)
		if on {
			return fdCloexec
		}
		return 0
	case fSetfd:
		return errno(t.Files.SetCloseOnExec(fd, arg&fdCloexec != 0))
	case fGetfl:
		return int64(f.GetFlags())
	case fSetfl:
		f.SetFlags(setflMask, arg)
		return 0
	}
	return abi.EINVAL.Neg()
}
