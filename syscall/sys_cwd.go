//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/proc"
)

// The working directory, root and umask (fs/open.c, fs/d_path.c,
// kernel/sys.c) and mount(2)/umount2(2) (fs/namespace.c).

func init() {
	register(SysChdir, sysChdir)
	register(SysFchdir, sysFchdir)
	register(SysChroot, sysChroot)
	register(SysGetcwd, sysGetcwd)
	register(SysUmask, func(t *proc.Task, r *amd64.PtRegs) int64 {
		if t.FS == nil {
			return 0o022
		}
		return int64(t.FS.SetUmask(uint32(r.DI)))
	})
	register(SysMount, sysMount)
	register(SysUmount2, sysUmount2)
}

// lookupDir resolves a user path name (following symlinks) to a
// directory: ENOTDIR otherwise.
func lookupDir(t *proc.Task, addr uintptr) (fs.Path, error) {
	name, root, start, err := nameAt(t, atFDCWD, addr)
	if err != nil {
		return fs.Path{}, err
	}
	return fs.LookupAt(root, start, name, fs.LOOKUP_FOLLOW|fs.LOOKUP_DIRECTORY)
}

func sysChdir(t *proc.Task, r *amd64.PtRegs) int64 {
	p, err := lookupDir(t, uintptr(r.DI))
	if err != nil {
		return errno(err)
	}
	return errno(t.FS.SetPwd(p))
}

func sysFchdir(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if f.Path.IsZero() {
		return abi.ENOTDIR.Neg()
	}
	return errno(t.FS.SetPwd(f.Path))
}

func sysChroot(t *proc.Task, r *amd64.PtRegs) int64 {
	p, err := lookupDir(t, uintptr(r.DI))
	if err != nil {
		return errno(err)
	}
	return errno(t.FS.SetRoot(p))
}

// sysGetcwd copies the working directory's name with its NUL: ERANGE if
// size is too small, ENOENT if the directory was removed; returns the
// length copied, NUL included. Mirrors fs/d_path.c:getcwd().
func sysGetcwd(t *proc.Task, r *amd64.PtRegs) int64 {
	if t.FS == nil {
		return abi.ENOENT.Neg()
	}
	cwd, err := t.FS.Getcwd()
	if err != nil {
		return errno(err)
	}
	b := append([]byte(cwd), 0)
	if uint64(len(b)) > r.SI {
		return abi.ERANGE.Neg()
	}
	if _, err := t.MM.CopyToUser(uintptr(r.DI), b); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(len(b))
}

// mount(2) flags (include/uapi/linux/mount.h).
const (
	msRdonly     = 1
	msRemount    = 32
	msBind       = 4096
	msMove       = 8192
	msPropagate  = 1<<20 | 1<<17 | 1<<18 | 1<<19 // MS_UNBINDABLE, PRIVATE, SLAVE, SHARED
	msMgcMsk     = 0xffff0000
	msMgcVal     = 0xc0ed0000
	mountPageLen = 4096
)

// sysMount mounts a new tmpfs, devtmpfs or proc instance: ENODEV for
// other types, EINVAL for remounts, bind and move mounts and propagation
// changes (not supported; logged), ENOENT/ENOTDIR from the target's
// walk. The other flags (nosuid, nodev, noexec, ...) are accepted and
// ignored. Mirrors fs/namespace.c:do_mount() -> path_mount() ->
// do_new_mount().
func sysMount(t *proc.Task, r *amd64.PtRegs) int64 {
	flags := r.R10
	if flags&msMgcMsk == msMgcVal {
		flags &^= msMgcMsk
	}
	if flags&(msRemount|msBind|msMove|msPropagate) != 0 {
		logf("pid %d: mount flags %#x (remount, bind, move, propagation) are not supported: -EINVAL", t.PID, flags)
		return abi.EINVAL.Neg()
	}
	var source, data string
	var err error
	if r.DI != 0 {
		if source, err = getname(t, uintptr(r.DI)); err != nil {
			return errno(err)
		}
	}
	fstype, err := t.MM.StrncpyFromUser(uintptr(r.DX), mountPageLen)
	if err != nil {
		return abi.EFAULT.Neg()
	}
	if r.R8 != 0 {
		if data, err = t.MM.StrncpyFromUser(uintptr(r.R8), mountPageLen); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	target, err := lookupDir(t, uintptr(r.SI))
	if err != nil {
		return errno(err)
	}
	return errno(fs.DoMount(t, source, target, fstype, data))
}

// umount2 flags.
const (
	mntForce       = 1
	mntDetach      = 2
	mntExpire      = 4
	umountNofollow = 8
)

// sysUmount2 detaches the mount whose root is the target: EINVAL if it
// is not one or for unknown flags, EBUSY if something is mounted below.
// Mirrors fs/namespace.c:ksys_umount().
func sysUmount2(t *proc.Task, r *amd64.PtRegs) int64 {
	flags := int(int32(r.SI))
	if flags&^(mntForce|mntDetach|mntExpire|umountNofollow) != 0 {
		return abi.EINVAL.Neg()
	}
	name, root, start, err := nameAt(t, atFDCWD, uintptr(r.DI))
	if err != nil {
		return errno(err)
	}
	lf := fs.LOOKUP_FOLLOW
	if flags&umountNofollow != 0 {
		lf = 0
	}
	p, err := fs.LookupAt(root, start, name, lf)
	if err != nil {
		return errno(err)
	}
	return errno(fs.DoUmount(p))
}
