//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/proc"
)

// Calls that take path names (fs/open.c, fs/namei.c): open, create,
// mkdir, mknod, unlink, rmdir, rename, link, symlink, readlink, and the
// working directory (chdir, fchdir, getcwd, chroot, umask). Each
// decodes its registers, copies its names and calls package fs.

func init() {
	register(SysOpen, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return openat(t, atFDCWD, uintptr(r.DI), int(int32(r.SI)), uint32(r.DX))
	})
	register(SysOpenat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return openat(t, int(int32(r.DI)), uintptr(r.SI), int(int32(r.DX)), uint32(r.R10))
	})
	register(SysCreat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return openat(t, atFDCWD, uintptr(r.DI), fs.O_CREAT|fs.O_WRONLY|fs.O_TRUNC, uint32(r.SI))
	})
	register(SysMkdir, func(t *proc.Task, r *amd64.PtRegs) int64 { return mkdirat(t, atFDCWD, uintptr(r.DI), uint32(r.SI)) })
	register(SysMkdirat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return mkdirat(t, int(int32(r.DI)), uintptr(r.SI), uint32(r.DX))
	})
	register(SysMknod, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return mknodat(t, atFDCWD, uintptr(r.DI), uint32(r.SI), uint32(r.DX))
	})
	register(SysMknodat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return mknodat(t, int(int32(r.DI)), uintptr(r.SI), uint32(r.DX), uint32(r.R10))
	})
	register(SysUnlink, func(t *proc.Task, r *amd64.PtRegs) int64 { return unlinkat(t, atFDCWD, uintptr(r.DI), 0) })
	register(SysRmdir, func(t *proc.Task, r *amd64.PtRegs) int64 { return unlinkat(t, atFDCWD, uintptr(r.DI), atRemovedir) })
	register(SysUnlinkat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return unlinkat(t, int(int32(r.DI)), uintptr(r.SI), int(int32(r.DX)))
	})
	register(SysRename, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return renameat2(t, atFDCWD, uintptr(r.DI), atFDCWD, uintptr(r.SI), 0)
	})
	register(SysRenameat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return renameat2(t, int(int32(r.DI)), uintptr(r.SI), int(int32(r.DX)), uintptr(r.R10), 0)
	})
	register(SysRenameat2, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return renameat2(t, int(int32(r.DI)), uintptr(r.SI), int(int32(r.DX)), uintptr(r.R10), uint32(r.R8))
	})
	register(SysLink, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return linkat(t, atFDCWD, uintptr(r.DI), atFDCWD, uintptr(r.SI), 0)
	})
	register(SysLinkat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return linkat(t, int(int32(r.DI)), uintptr(r.SI), int(int32(r.DX)), uintptr(r.R10), int(int32(r.R8)))
	})
	register(SysSymlink, func(t *proc.Task, r *amd64.PtRegs) int64 { return symlinkat(t, uintptr(r.DI), atFDCWD, uintptr(r.SI)) })
	register(SysSymlinkat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return symlinkat(t, uintptr(r.DI), int(int32(r.SI)), uintptr(r.DX))
	})
	register(SysReadlink, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return readlinkat(t, atFDCWD, uintptr(r.DI), uintptr(r.SI), int(int32(r.DX)))
	})
	register(SysReadlinkat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return readlinkat(t, int(int32(r.DI)), uintptr(r.SI), uintptr(r.DX), int(int32(r.R10)))
	})
}

// AT_* flags (include/uapi/linux/fcntl.h).
const (
	atFDCWD           = -100
	atSymlinkNofollow = 0x100
	atRemovedir       = 0x200
	atEaccess         = 0x200
	atSymlinkFollow   = 0x400
	atNoAutomount     = 0x800
	atEmptyPath       = 0x1000
	atStatxSyncType   = 0x6000
)

// getname copies a path name from user space: EFAULT for a bad pointer,
// ENAMETOOLONG if PATH_MAX bytes hold no NUL. Mirrors fs/namei.c:getname().
func getname(t *proc.Task, addr uintptr) (string, error) {
	s, err := t.MM.StrncpyFromUser(addr, fs.PathMax)
	if err != nil {
		return "", abi.EFAULT
	}
	if len(s) == fs.PathMax {
		return "", abi.ENAMETOOLONG
	}
	return s, nil
}

// atStart returns where a walk of name starts for dirfd: the task's root
// and working directory (AT_FDCWD), or the directory open at dirfd
// (EBADF, ENOTDIR). An empty name is ENOENT before dirfd is looked at and
// an absolute one ignores it, as in Linux's path_init().
func atStart(t *proc.Task, dirfd int, name string) (root, start fs.Path, err error) {
	root, pwd := proc.FSRoots(t)
	if name == "" {
		return root, pwd, abi.ENOENT
	}
	if name[0] == '/' || dirfd == atFDCWD {
		return root, pwd, nil
	}
	f, err := t.Files.Get(dirfd)
	if err != nil {
		return root, pwd, err
	}
	if f.Path.IsZero() || !f.Inode.IsDir() {
		return root, pwd, abi.ENOTDIR
	}
	return root, f.Path, nil
}

// nameAt is getname + atStart.
func nameAt(t *proc.Task, dirfd int, addr uintptr) (name string, root, start fs.Path, err error) {
	if name, err = getname(t, addr); err != nil {
		return
	}
	root, start, err = atStart(t, dirfd, name)
	return
}

// umask returns the task's umask.
func umask(t *proc.Task) uint32 {
	if t.FS == nil {
		return 0o022
	}
	return t.FS.Umask()
}

// openat opens a file and installs it in the lowest free descriptor.
// Mirrors fs/open.c:do_sys_openat2().
func openat(t *proc.Task, dirfd int, addr uintptr, flags int, mode uint32) int64 {
	name, root, start, err := nameAt(t, dirfd, addr)
	if err != nil {
		return errno(err)
	}
	f, err := fs.Open(t, root, start, name, flags, mode&fs.PermMask&^umask(t))
	if err != nil {
		return errno(err)
	}
	fd, err := t.Files.Install(f, 0, flags&fs.O_CLOEXEC != 0)
	if err != nil {
		f.Put()
	}
	return resultFD(fd, err)
}

func mkdirat(t *proc.Task, dirfd int, addr uintptr, mode uint32) int64 {
	name, root, start, err := nameAt(t, dirfd, addr)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Mkdir(root, start, name, mode&0o1777&^umask(t)))
}

func mknodat(t *proc.Task, dirfd int, addr uintptr, mode, dev uint32) int64 {
	name, root, start, err := nameAt(t, dirfd, addr)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Mknod(root, start, name, mode&fs.S_IFMT|mode&fs.PermMask&^umask(t), dev))
}

func unlinkat(t *proc.Task, dirfd int, addr uintptr, flags int) int64 {
	if flags&^atRemovedir != 0 {
		return abi.EINVAL.Neg()
	}
	name, root, start, err := nameAt(t, dirfd, addr)
	if err != nil {
		return errno(err)
	}
	if flags&atRemovedir != 0 {
		return errno(fs.Rmdir(root, start, name))
	}
	return errno(fs.Unlink(root, start, name))
}

func renameat2(t *proc.Task, olddfd int, oldAddr uintptr, newdfd int, newAddr uintptr, flags uint32) int64 {
	oldname, root, oldStart, err := nameAt(t, olddfd, oldAddr)
	if err != nil {
		return errno(err)
	}
	newname, _, newStart, err := nameAt(t, newdfd, newAddr)
	if err != nil {
		return errno(err)
	}
	if flags&(fs.RENAME_EXCHANGE|fs.RENAME_WHITEOUT) != 0 {
		logf("pid %d: renameat2 flags %#x are not supported: -EINVAL", t.PID, flags)
	}
	return errno(fs.Rename(root, oldStart, oldname, newStart, newname, flags))
}

func linkat(t *proc.Task, olddfd int, oldAddr uintptr, newdfd int, newAddr uintptr, flags int) int64 {
	if flags&^(atSymlinkFollow|atEmptyPath) != 0 {
		return abi.EINVAL.Neg()
	}
	oldname, root, oldStart, err := nameAt(t, olddfd, oldAddr)
	if err != nil {
		return errno(err)
	}
	newname, _, newStart, err := nameAt(t, newdfd, newAddr)
	if err != nil {
		return errno(err)
	}
	lf := 0
	if flags&atSymlinkFollow != 0 {
		lf = fs.LOOKUP_FOLLOW
	}
	return errno(fs.Link(root, oldStart, oldname, newStart, newname, lf))
}

func symlinkat(t *proc.Task, targetAddr uintptr, newdfd int, newAddr uintptr) int64 {
	target, err := getname(t, targetAddr)
	if err != nil {
		return errno(err)
	}
	name, root, start, err := nameAt(t, newdfd, newAddr)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Symlink(root, start, target, name))
}

// readlinkat copies the link's target, without a NUL, truncated to
// bufsiz (EINVAL if bufsiz <= 0).
func readlinkat(t *proc.Task, dirfd int, addr, buf uintptr, bufsiz int) int64 {
	if bufsiz <= 0 {
		return abi.EINVAL.Neg()
	}
	name, root, start, err := nameAt(t, dirfd, addr)
	if err != nil {
		return errno(err)
	}
	target, err := fs.Readlink(root, start, name)
	if err != nil {
		return errno(err)
	}
	b := []byte(target)[:min(len(target), bufsiz)]
	if _, err := t.MM.CopyToUser(buf, b); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(len(b))
}
