//go:build tamago

package syscall

import (
	"encoding/binary"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/proc"
)

// statfs and the chown family (fs/statfs.c, fs/open.c).
const (
	SysChown    = 92
	SysFchown   = 93
	SysLchown   = 94
	SysStatfs   = 137
	SysFstatfs  = 138
	SysFchownat = 260
)

func init() {
	for nr, name := range map[int]string{SysChown: "chown", SysFchown: "fchown", SysLchown: "lchown",
		SysStatfs: "statfs", SysFstatfs: "fstatfs", SysFchownat: "fchownat"} {
		names[nr] = name
	}
	register(SysStatfs, func(t *proc.Task, r *amd64.PtRegs) int64 {
		_, n, err := lookupAt(t, atFDCWD, uintptr(r.DI), 0)
		if err != nil {
			return errno(err)
		}
		return putStatfs(t, uintptr(r.SI), fs.Statfs(n))
	})
	register(SysFstatfs, func(t *proc.Task, r *amd64.PtRegs) int64 {
		f, err := t.Files.Get(int(int32(r.DI)))
		if err != nil {
			return errno(err)
		}
		return putStatfs(t, uintptr(r.SI), fs.Statfs(f.Inode))
	})
	register(SysChown, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fchownat(t, atFDCWD, uintptr(r.DI), uint32(r.SI), uint32(r.DX), 0)
	})
	register(SysLchown, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fchownat(t, atFDCWD, uintptr(r.DI), uint32(r.SI), uint32(r.DX), atSymlinkNofollow)
	})
	register(SysFchownat, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return fchownat(t, int(int32(r.DI)), uintptr(r.SI), uint32(r.DX), uint32(r.R10), int(int32(r.R8)))
	})
	register(SysFchown, func(t *proc.Task, r *amd64.PtRegs) int64 {
		f, err := t.Files.Get(int(int32(r.DI)))
		if err != nil {
			return errno(err)
		}
		if f.GetFlags()&fs.O_PATH != 0 {
			return abi.EBADF.Neg() // fdget(), not fdget_raw()
		}
		return errno(fs.Chown(f.Inode, uint32(r.SI), uint32(r.DX)))
	})
}

// fchownat changes the owner of a path as root may: EINVAL for flags
// other than AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH. Mirrors
// fs/open.c:do_fchownat().
func fchownat(t *proc.Task, dirfd int, addr uintptr, uid, gid uint32, flags int) int64 {
	if flags&^(atSymlinkNofollow|atEmptyPath) != 0 {
		return abi.EINVAL.Neg()
	}
	_, n, err := lookupAt(t, dirfd, addr, flags)
	if err != nil {
		return errno(err)
	}
	return errno(fs.Chown(n, uid, gid))
}

// putStatfs writes st as x86-64's struct statfs (120 bytes: f_type,
// f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree as longs,
// f_fsid as two ints, f_namelen, f_frsize, f_flags and four spare
// longs). Mirrors fs/statfs.c:do_statfs_native().
func putStatfs(t *proc.Task, addr uintptr, st fs.Kstatfs) int64 {
	var b [120]byte
	le := binary.LittleEndian
	for i, v := range []uint64{st.Type, uint64(st.Bsize), st.Blocks, st.Bfree, st.Bavail, st.Files, st.Ffree} {
		le.PutUint64(b[i*8:], v)
	}
	le.PutUint32(b[56:], st.Fsid[0])
	le.PutUint32(b[60:], st.Fsid[1])
	le.PutUint64(b[64:], uint64(st.Namelen))
	le.PutUint64(b[72:], uint64(st.Frsize))
	le.PutUint64(b[80:], uint64(st.Flags))
	if _, err := t.MM.CopyToUser(addr, b[:]); err != nil {
		return abi.EFAULT.Neg()
	}
	return 0
}
