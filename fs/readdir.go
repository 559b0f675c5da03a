package fs

import (
	"encoding/binary"

	"tamix/abi"
)

// Directory entry types of struct linux_dirent64 (DT_*): the S_IFMT
// bits shifted down, as fs_umode_to_dtype() computes them.
const (
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12
)

// DType returns the d_type of a file of the given mode.
func DType(mode uint32) uint8 { return uint8(mode >> 12 & 0xf) }

// DirIterator is a FileOperations that lists a directory (the iterate
// method): it calls emit for each entry from the file's position on,
// with the position after that entry, and stops when emit returns false.
type DirIterator interface {
	Iterate(f *File, emit func(name string, ino uint64, dtype uint8, next int64) bool) error
}

// Dirent64Size is the record length of an entry called name: the 19
// bytes of d_ino, d_off, d_reclen and d_type, the name and its NUL,
// rounded up to 8.
func Dirent64Size(name string) int { return (19 + len(name) + 1 + 7) &^ 7 }

// PutDirent64 writes struct linux_dirent64 {u64 d_ino; s64 d_off; u16
// d_reclen; u8 d_type; char d_name[]} at the start of b, which must have
// Dirent64Size(name) bytes, and returns that size. Mirrors
// fs/readdir.c:filldir64().
func PutDirent64(b []byte, name string, ino uint64, off int64, dtype uint8) int {
	n := Dirent64Size(name)
	le := binary.LittleEndian
	le.PutUint64(b[0:], ino)
	le.PutUint64(b[8:], uint64(off))
	le.PutUint16(b[16:], uint16(n))
	b[18] = dtype
	copy(b[19:], name)
	for i := 19 + len(name); i < n; i++ {
		b[i] = 0
	}
	return n
}

// Getdents64 fills up to size bytes with the entries of the open
// directory f from its position on and advances the position past them.
// ENOTDIR if f is not a directory, EINVAL if the next entry does not fit
// in size, ENOENT if the directory has been removed. Mirrors
// fs/readdir.c:getdents64() -> iterate_dir().
func Getdents64(f *File, size int) ([]byte, error) {
	it, ok := f.Ops.(DirIterator)
	if !ok || !f.Inode.IsDir() {
		return nil, abi.ENOTDIR
	}
	buf := make([]byte, 0, min(size, 1<<16))
	f.posMu.Lock()
	defer f.posMu.Unlock()
	tooSmall := false
	err := it.Iterate(f, func(name string, ino uint64, dtype uint8, next int64) bool {
		n := Dirent64Size(name)
		if len(buf)+n > size {
			tooSmall = len(buf) == 0
			return false
		}
		buf = buf[:len(buf)+n]
		PutDirent64(buf[len(buf)-n:], name, ino, next, dtype)
		f.Pos = next
		return true
	})
	if err != nil {
		return nil, err
	}
	if tooSmall {
		return nil, abi.EINVAL
	}
	return buf, nil
}

// DcacheDirOps are the file operations of a directory whose entries are
// all dentries (tmpfs, devtmpfs): reading gives EISDIR, iterating walks
// the children in the order they were made. Mirrors fs/libfs.c:
// simple_dir_operations and dcache_readdir().
type DcacheDirOps struct{}

func (DcacheDirOps) Read(Caller, *File, []byte, *int64) (int, error)  { return 0, abi.EISDIR }
func (DcacheDirOps) Write(Caller, *File, []byte, *int64) (int, error) { return 0, abi.EISDIR }
func (DcacheDirOps) Release(*File)                                    {}

// Iterate emits "." (position 0), ".." (1) and then every child whose
// position is at least the file's. f.posMu is held by the caller.
func (DcacheDirOps) Iterate(f *File, emit func(string, uint64, uint8, int64) bool) error {
	treeLock.RLock()
	defer treeLock.RUnlock()
	d := f.Path.Dentry
	if d.unlinked() {
		return abi.ENOENT
	}
	if f.Pos == 0 && !emit(".", d.Inode.Ino, DT_DIR, 1) {
		return nil
	}
	if f.Pos <= 1 {
		parent := d.Parent
		if d == f.Path.Mnt.Root && f.Path.Mnt.Parent != f.Path.Mnt {
			parent = f.Path.Mnt.Mountpoint // ".." leaves the mount
		}
		if !emit("..", parent.Inode.Ino, DT_DIR, 2) {
			return nil
		}
	}
	for _, c := range d.order {
		if c.pos < f.Pos {
			continue
		}
		if !emit(c.Name, c.Inode.Ino, DType(c.Inode.Type()), c.pos+1) {
			return nil
		}
	}
	return nil
}
