//go:build tamago

package syscall

import (
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/proc"
)

// Attributes (fs/stat.c, fs/open.c, fs/utimes.c), directory listing
// (fs/readdir.c) and sync (fs/sync.c).

func init() {
	register(SysStat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fstatat(t, atFDCWD, uintptr(r.DI), uintptr(r.SI), 0, false)
	})
	register(SysLstat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fstatat(t, atFDCWD, uintptr(r.DI), uintptr(r.SI), atSymlinkNofollow, false)
	})
	register(SysFstat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		f, err := t.Files.Get(int(int32(r.DI)))
		if err != nil {
			return errno(err)
		}
		return putStat(t, uintptr(r.SI), fs.Getattr(f.Path, f.Inode), false)
	})
	register(SysNewfstatat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fstatat(t, int(int32(r.DI)), uintptr(r.SI), uintptr(r.DX), int(int32(r.R10)), false)
	})
	register(SysStatx, sysStatx)
	register(SysAccess, func(t *proc.Task, r *amd64.PtRegs) int64 { return faccessat(t, atFDCWD, uintptr(r.DI), int(r.SI), 0) })
	register(SysFaccessat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return faccessat(t, int(int32(r.DI)), uintptr(r.SI), int(r.DX), 0)
	})
	register(SysFaccessat2, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return faccessat(t, int(int32(r.DI)), uintptr(r.SI), int(r.DX), int(int32(r.R10)))
	})
	register(SysChmod, func(t *proc.Task, r *amd64.PtRegs) int64 { return fchmodat(t, atFDCWD, uintptr(r.DI), uint32(r.SI)) })
	register(SysFchmodat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fchmodat(t, int(int32(r.DI)), uintptr(r.SI), uint32(r.DX))
	})
	register(SysFchmod, func(t *proc.Task, r *amd64.PtRegs) int64 {
		f, err := t.Files.Get(int(int32(r.DI)))
		if err != nil {
			return errno(err)
		}
		return errno(fs.Chmod(f.Inode, uint32(r.SI)))
	})
	register(SysUtimensat, sysUtimensat)
	register(SysTruncate, sysTruncate)
	register(SysFtruncate, sysFtruncate)
	register(SysGetdents64, sysGetdents64)
	register(SysFsync, sysFsync)
	register(SysFdatasync, sysFsync)
	register(SysSync, func(t *proc.Task, r *amd64.PtRegs) int64 { return 0 })
}

// lookupAt resolves a user path name for the *at calls: flags may hold
// AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (an empty name means dirfd
// itself, or the working directory for AT_FDCWD).
func lookupAt(t *proc.Task, dirfd int, addr uintptr, flags int) (fs.Path, *fs.Inode, error) {
	name, err := getname(t, addr)
	if err != nil {
		return fs.Path{}, nil, err
	}
	if name == "" && flags&atEmptyPath != 0 {
		if dirfd == atFDCWD {
			_, pwd := proc.FSRoots(t)
			return pwd, pwd.Inode(), nil
		}
		f, err := t.Files.Get(dirfd)
		if err != nil {
			return fs.Path{}, nil, err
		}
		return f.Path, f.Inode, nil
	}
	root, start, err := atStart(t, dirfd, name)
	if err != nil {
		return fs.Path{}, nil, err
	}
	lf := fs.LOOKUP_FOLLOW
	if flags&atSymlinkNofollow != 0 {
		lf = 0
	}
	p, err := fs.LookupAt(root, start, name, lf)
	if err != nil {
		return fs.Path{}, nil, err
	}
	return p, p.Inode(), nil
}

// putStat copies struct stat (or struct statx) to user space.
func putStat(t *proc.Task, addr uintptr, st fs.Kstat, statx bool) int64 {
	b := fs.EncodeStat(&st)
	if statx {
		b = fs.EncodeStatx(&st)
	}
	if _, err := t.MM.CopyToUser(addr, b); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}

// fstatat is stat, lstat and newfstatat. Mirrors fs/stat.c:vfs_fstatat().
func fstatat(t *proc.Task, dirfd int, addr, buf uintptr, flags int, statx bool) int64 {
	if flags&^(atSymlinkNofollow|atEmptyPath|atNoAutomount|atStatxSyncType) != 0 ||
		(!statx && flags&atStatxSyncType != 0) || flags&atStatxSyncType == atStatxSyncType {
		return abi.EINVAL.Neg()
	}
	p, n, err := lookupAt(t, dirfd, addr, flags)
	if err != nil {
		return errno(err)
	}
	return putStat(t, buf, fs.Getattr(p, n), statx)
}

// sysStatx: EINVAL for STATX__RESERVED in the mask. Mirrors
// fs/stat.c:do_statx().
func sysStatx(t *proc.Task, r *amd64.PtRegs) int64 {
	if r.R10&fs.STATX__RESERVED != 0 {
		return abi.EINVAL.Neg()
	}
	return fstatat(t, int(int32(r.DI)), uintptr(r.SI), uintptr(r.R8), int(int32(r.DX)), true)
}

// faccessat checks mode (F_OK or R_OK|W_OK|X_OK) as root.
// Mirrors fs/open.c:do_faccessat().
func faccessat(t *proc.Task, dirfd int, addr uintptr, mode, flags int) int64 {
	if mode&^7 != 0 || flags&^(atEaccess|atSymlinkNofollow|atEmptyPath) != 0 {
		return abi.EINVAL.Neg()
	}
	_, n, err := lookupAt(t, dirfd, addr, flags)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Access(n, mode))
}

func fchmodat(t *proc.Task, dirfd int, addr uintptr, mode uint32) int64 {
	_, n, err := lookupAt(t, dirfd, addr, 0)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Chmod(n, mode))
}

// utimensat's special nanosecond values.
const (
	utimeNow  = 1<<30 - 1
	utimeOmit = 1<<30 - 2
)

// sysUtimensat sets the access and modification times from times[2]
// (struct timespec; NULL: both now; UTIME_NOW, UTIME_OMIT); a NULL path
// means dirfd itself. EINVAL for a bad nanosecond value or flag.
// Mirrors fs/utimes.c:do_utimes().
func sysUtimensat(t *proc.Task, r *amd64.PtRegs) int64 {
	dirfd, path, times, flags := int(int32(r.DI)), uintptr(r.SI), uintptr(r.DX), int(int32(r.R10))
	if flags&^(atSymlinkNofollow|atEmptyPath) != 0 {
		return abi.EINVAL.Neg()
	}
	a := fs.Iattr{Valid: fs.ATTR_ATIME | fs.ATTR_MTIME | fs.ATTR_CTIME}
	now := time.Now()
	a.Atime, a.Mtime = now, now
	if times != 0 {
		var b [32]byte
		if _, err := t.MM.CopyFromUser(b[:], times); err != nil {
			return abi.EFAULT.Neg()
		}
		for i, dst := range []*time.Time{&a.Atime, &a.Mtime} {
			sec, nsec := int64(le64(b[16*i:])), int64(le64(b[16*i+8:]))
			switch {
			case nsec == utimeOmit:
				a.Valid &^= []uint32{fs.ATTR_ATIME, fs.ATTR_MTIME}[i]
			case nsec == utimeNow:
			case nsec < 0 || nsec >= 1e9:
				return abi.EINVAL.Neg()
			default:
				*dst = time.Unix(sec, nsec)
			}
		}
	}
	var n *fs.Inode
	if path == 0 {
		f, err := t.Files.Get(dirfd)
		if err != nil {
			return errno(err)
		}
		n = f.Inode
	} else {
		_, in, err := lookupAt(t, dirfd, path, flags)
		if err != nil {
			return errno(err)
		}
		n = in
	}
	return errno(n.Ops.Setattr(n, &a))
}

func sysTruncate(t *proc.Task, r *amd64.PtRegs) int64 {
	if int64(r.SI) < 0 {
		return abi.EINVAL.Neg()
	}
	_, n, err := lookupAt(t, atFDCWD, uintptr(r.DI), 0)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Truncate(n, int64(r.SI)))
}

// sysFtruncate: EINVAL unless the file is a regular file open for
// writing. Mirrors fs/open.c:do_sys_ftruncate().
func sysFtruncate(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if int64(r.SI) < 0 || !f.Inode.IsRegular() || !f.Writable() {
		return abi.EINVAL.Neg()
	}
	return errno(fs.Truncate(f.Inode, int64(r.SI)))
}

func sysGetdents64(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if f.GetFlags()&fs.O_PATH != 0 {
		return abi.EBADF.Neg()
	}
	b, err := fs.Getdents64(f, int(min(uint64(uint32(r.DX)), maxRW)))
	if err != nil {
		return errno(err)
	}
	if _, err := t.MM.CopyToUser(uintptr(r.SI), b); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(len(b))
}

// sysFsync: tmpfs has nothing to write back (noop_fsync); files without
// an fsync (pipes, the console, devices) give EINVAL, as in Linux.
func sysFsync(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if f.Path.IsZero() || f.Stream || f.Inode.Type() == fs.S_IFCHR {
		return abi.EINVAL.Neg()
	}
	return 0
}
