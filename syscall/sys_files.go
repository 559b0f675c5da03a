//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/kernel/initramfs"
	"tamix/proc"
)

// Descriptors, pipes, the initramfs and the console's terminal ioctls
// (fs/open.c, fs/file.c, fs/fcntl.c, fs/pipe.c, fs/stat.c, drivers/tty).

func init() {
	register(SysClose, func(t *proc.Task, r *amd64.PtRegs) int64 { return errno(t.Files.Close(int(int32(r.DI)))) })
	register(SysDup, sysDup)
	register(SysDup2, sysDup2)
	register(SysDup3, sysDup3)
	register(SysPipe, func(t *proc.Task, r *amd64.PtRegs) int64 { return pipe2(t, uintptr(r.DI), 0) })
	register(SysPipe2, func(t *proc.Task, r *amd64.PtRegs) int64 { return pipe2(t, uintptr(r.DI), int(r.SI)) })
	register(SysFcntl, sysFcntl)
	register(SysOpen, func(t *proc.Task, r *amd64.PtRegs) int64 { return open(t, uintptr(r.DI), int(int32(r.SI))) })
	register(SysOpenat, sysOpenat)
	register(SysLseek, sysLseek)
	register(SysFstat, sysFstat)
	register(SysStat, func(t *proc.Task, r *amd64.PtRegs) int64 { return stat(t, uintptr(r.DI), uintptr(r.SI), true) })
	register(SysLstat, func(t *proc.Task, r *amd64.PtRegs) int64 { return stat(t, uintptr(r.DI), uintptr(r.SI), false) })
	register(SysNewfstatat, sysNewfstatat)
	register(SysIoctl, sysIoctl)
}

const (
	oCloexec          = 0o2000000
	oNonblock         = 0o4000
	atFDCWD           = -100
	atSymlinkNofollow = 0x100
	atEmptyPath       = 0x1000
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
		f.SetFlags(oNonblock, arg)
		return 0
	}
	return abi.EINVAL.Neg()
}

func open(t *proc.Task, path uintptr, flags int) int64 {
	name, err := t.MM.StrncpyFromUser(path, 4096)
	if err != nil {
		return abi.EFAULT.Neg()
	}
	f, _, err := proc.OpenRoot(name, flags, flags&0o400000 == 0) // O_NOFOLLOW
	if err != nil {
		return errno(err)
	}
	fd, err := t.Files.Install(f, 0, flags&oCloexec != 0)
	if err != nil {
		f.Put()
	}
	return resultFD(fd, err)
}

// sysOpenat: only AT_FDCWD or absolute paths (the initramfs root is the
// working directory of every task).
func sysOpenat(t *proc.Task, r *amd64.PtRegs) int64 {
	if int32(r.DI) != atFDCWD {
		if _, err := t.Files.Get(int(int32(r.DI))); err != nil {
			return errno(err)
		}
	}
	return open(t, uintptr(r.SI), int(int32(r.DX)))
}

func sysLseek(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	pos, err := proc.Seek(f, int64(r.SI), int(r.DX))
	if err != nil {
		return errno(err)
	}
	return pos
}

// writeStat fills struct stat (x86-64 layout, 144 bytes).
func writeStat(t *proc.Task, addr uintptr, n *initramfs.Node, mode uint32, size int64) int64 {
	var st [144]byte
	put64(st[0:], 1) // st_dev
	var ino uint64
	nlink := uint64(1)
	var mtime int64
	if n != nil {
		ino, nlink, mtime = n.Ino, uint64(n.Nlink), n.Mtime
		mode, size = n.Mode, int64(n.Size)
		put32(st[28:], n.UID)
		put32(st[32:], n.GID)
	}
	put64(st[8:], ino)
	put64(st[16:], nlink)
	put32(st[24:], mode)
	put64(st[48:], uint64(size))
	put64(st[56:], 4096)                     // st_blksize
	put64(st[64:], uint64((size+511)/512))   // st_blocks
	for _, off := range []int{72, 88, 104} { // atime, mtime, ctime
		put64(st[off:], uint64(mtime))
	}
	if _, err := t.MM.CopyToUser(addr, st[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

func sysFstat(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if n := proc.Node(f); n != nil {
		return writeStat(t, uintptr(r.SI), n, 0, 0)
	}
	mode := uint32(0o010600) // a pipe
	if proc.IsConsole(f) {
		mode = 0o020620 // a character device
	}
	return writeStat(t, uintptr(r.SI), nil, mode, 0)
}

func stat(t *proc.Task, path, buf uintptr, follow bool) int64 {
	name, err := t.MM.StrncpyFromUser(path, 4096)
	if err != nil {
		return abi.EFAULT.Neg()
	}
	_, n, err := proc.OpenRoot(name, 0, follow)
	if err != nil {
		return errno(err)
	}
	return writeStat(t, buf, n, 0, 0)
}

func sysNewfstatat(t *proc.Task, r *amd64.PtRegs) int64 {
	flags := int(r.R10)
	if flags&atEmptyPath != 0 {
		return sysFstat(t, &amd64.PtRegs{DI: r.DI, SI: r.DX})
	}
	if int32(r.DI) != atFDCWD {
		if _, err := t.Files.Get(int(int32(r.DI))); err != nil {
			return errno(err)
		}
	}
	return stat(t, uintptr(r.SI), uintptr(r.DX), flags&atSymlinkNofollow == 0)
}

// Terminal ioctls the console answers (include/uapi/asm-generic/ioctls.h).
const (
	tcgets     = 0x5401
	tiocgwinsz = 0x5413
)

// sysIoctl answers TCGETS (a cooked 38400-baud termios) and TIOCGWINSZ
// (24x80) for the console, so that libc sees a terminal; everything else,
// and every non-console file, gets -ENOTTY.
func sysIoctl(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if !proc.IsConsole(f) {
		return abi.ENOTTY.Neg()
	}
	switch r.SI {
	case tcgets:
		var tio [60]byte        // struct termios: iflag, oflag, cflag, lflag, line, cc[19]
		put32(tio[0:], 0x0500)  // ICRNL | IXON
		put32(tio[4:], 0x0005)  // OPOST | ONLCR
		put32(tio[8:], 0x00bf)  // B38400 | CS8 | CREAD
		put32(tio[12:], 0x8a3b) // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
		_, err := t.MM.CopyToUser(uintptr(r.DX), tio[:36])
		return errno(err)
	case tiocgwinsz:
		var ws [8]byte
		ws[0], ws[2] = 24, 80
		_, err := t.MM.CopyToUser(uintptr(r.DX), ws[:])
		return errno(err)
	}
	return abi.ENOTTY.Neg()
}
