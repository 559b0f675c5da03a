// Package fs is Tamix's virtual file system: inodes, dentries, mounts,
// open files and the path walk that ties them together, with the
// directory operations (mkdir, unlink, rename, ...) that every file
// system shares. File systems (fs/tmpfs, the device nodes of devtmpfs)
// provide inodes and their operations; the system calls in package
// syscall call the functions here.
//
// It follows Linux's fs/ layer: fs/inode.c (Inode), fs/dcache.c
// (Dentry), fs/namespace.c (Mount), fs/file_table.c (File), fs/namei.c
// (the path walk and the vfs_* directory operations), fs/open.c,
// fs/read_write.c, fs/readdir.c, fs/stat.c and fs/libfs.c.
//
// Locking, simpler than Linux's (which has per-directory i_rwsem, RCU
// walks of the dcache, rename_lock and mount_lock):
//   - treeLock (a sync.RWMutex) protects the shape of the tree: every
//     dentry's name, parent, children and inode pointer, the mount table
//     and the dentries' mount counts. A path walk holds it for reading;
//     every operation that changes a directory (create, mkdir, unlink,
//     rmdir, rename, link, symlink, mount) holds it for writing from its
//     walk to its last change, so it sees and changes the tree in one
//     step. File systems' inode operations are called with it held and
//     must not take it.
//   - Each Inode's mu protects its attributes and the file system's data
//     (a tmpfs file's pages). Order: treeLock, then inode locks; two
//     inode locks are never held together.
//   - Each File's mu protects its flags and references; posMu (Linux's
//     f_pos_lock) serialises the reads and writes that move its position.
//
// The package is pure Go: it builds for the host, where its tests run,
// and for GOOS=tamago. It knows nothing of tasks: operations that need
// the caller get a Caller, which package proc fills in.
package fs

import (
	"sync"
	"sync/atomic"
	"time"

	"tamix/abi"
)

// File types and permission bits of Inode.Mode, as st_mode
// (include/uapi/linux/stat.h).
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
	S_ISUID  = 0o004000
	S_ISGID  = 0o002000
	S_ISVTX  = 0o001000
	// PermMask is the permission bits chmod may change.
	PermMask = 0o7777
)

// Limits of path names (include/uapi/linux/limits.h, include/linux/namei.h).
const (
	PathMax     = 4096 // PATH_MAX, the terminating NUL included
	NameMax     = 255  // NAME_MAX: one path component
	MaxSymlinks = 40   // MAXSYMLINKS: symlinks followed by one lookup
)

// MaxFileSize is the largest file size (MAX_LFS_FILESIZE on 64-bit).
const MaxFileSize = 1<<63 - 1

// Inode is one file: its type, permissions, owner, size, link count and
// times, and the operations of the file system it lives in. Several
// dentries (hard links) may refer to one inode. Mirrors struct inode.
type Inode struct {
	Ino uint64      // inode number, unique within the super block
	SB  *SuperBlock // the file system it belongs to
	// Ops are the inode operations (i_op); FileOps what open gives a
	// regular file, directory or symlink of this inode (i_fop). Set when
	// the inode is made, then read-only.
	Ops     InodeOperations
	FileOps FileOperations
	// ftype is the S_IFMT bits of Mode, which never change.
	ftype uint32

	mu sync.Mutex
	// The attributes, protected by mu.
	Mode     uint32 // type and permissions
	UID, GID uint32
	Nlink    uint32 // directory entries naming it; 2 + subdirectories for a directory
	Size     int64
	Rdev     uint32 // a device node's number (Mkdev)
	Blocks   int64  // 512-byte blocks allocated
	Atime    time.Time
	Mtime    time.Time
	Ctime    time.Time
	// opens counts open files (i_count for files, roughly): the inode
	// is evicted, and its data freed, when both opens and Nlink are 0.
	// Protected by mu.
	opens int
	// evicted is set once the inode has been evicted, so that it is
	// evicted only once (I_FREEING). Protected by mu.
	evicted bool
	// Private is the file system's own data (a tmpfs file's pages, a
	// symlink's target); protected by mu where it changes.
	Private any
	// Pipe is the pipe of a FIFO while some file has it open, and of an
	// anonymous pipe's inode (i_pipe); package proc sets and clears it
	// (see FifoOpen). Protected by mu.
	Pipe any
}

// IsDir, IsRegular and IsSymlink report the inode's type; the type never
// changes, so no lock is needed.
func (n *Inode) IsDir() bool     { return n.ftype == S_IFDIR }
func (n *Inode) IsRegular() bool { return n.ftype == S_IFREG }
func (n *Inode) IsSymlink() bool { return n.ftype == S_IFLNK }

// Type returns the S_IFMT bits.
func (n *Inode) Type() uint32 { return n.ftype }

// Lock and Unlock take the inode's lock (inode_lock()), for file systems
// and for callers that read several attributes at once.
func (n *Inode) Lock()   { n.mu.Lock() }
func (n *Inode) Unlock() { n.mu.Unlock() }

// inoCounter gives every inode in the system a unique number (Linux's
// get_next_ino(), which tmpfs uses).
var inoCounter atomic.Uint64

// NextIno returns a fresh inode number.
func NextIno() uint64 { return inoCounter.Add(1) + 1 }

// NewInode returns an inode of sb with the given mode, owned by root,
// with all three times now and one link. Mirrors fs/inode.c:new_inode()
// and inode_init_owner().
func NewInode(sb *SuperBlock, mode uint32, ops InodeOperations, fops FileOperations) *Inode {
	now := time.Now()
	return &Inode{Ino: NextIno(), SB: sb, Ops: ops, FileOps: fops, Mode: mode, Nlink: 1, ftype: mode & S_IFMT,
		Atime: now, Mtime: now, Ctime: now}
}

// Mkdev and its inverse pack a device number as Linux's new_encode_dev()
// does for user space (major in bits 8-19 and 32-..., minor in bits
// 0-7 and 20-31); Tamix stores that form.
func Mkdev(major, minor uint32) uint32 { return minor&0xff | major<<8 | (minor&^0xff)<<12 }

// Major and Minor split a device number made by Mkdev.
func Major(dev uint32) uint32 { return dev >> 8 & 0xfff }
func Minor(dev uint32) uint32 { return dev&0xff | dev>>12&0xfff00 }

// Iattr is a change of attributes (struct iattr): which ones (Valid) and
// their new values. Mirrors include/linux/fs.h.
type Iattr struct {
	Valid    uint32
	Mode     uint32
	UID, GID uint32
	Size     int64
	Atime    time.Time
	Mtime    time.Time
}

// Iattr.Valid bits (ATTR_*).
const (
	ATTR_MODE  = 1 << 0
	ATTR_UID   = 1 << 1
	ATTR_GID   = 1 << 2
	ATTR_SIZE  = 1 << 3
	ATTR_ATIME = 1 << 4
	ATTR_MTIME = 1 << 5
	ATTR_CTIME = 1 << 6
)

// InodeOperations are what a file system does for directories, symlinks
// and attribute changes (struct inode_operations). The VFS has already
// checked the types, names and permissions; it calls them with treeLock
// held for writing (except Setattr and Readlink), and the dentry
// arguments are attached to their parents by the VFS after success (new
// ones) or detached by it (removed ones). An operation a file system
// lacks returns abi.EPERM, as Linux does for a missing i_op method.
type InodeOperations interface {
	// Lookup finds name in dir for file systems whose entries are not
	// all in the dcache (procfs). tmpfs returns abi.ENOENT: its dcache
	// is complete (simple_lookup()).
	Lookup(dir *Inode, name string) (*Inode, error)
	// Mknod makes a new inode of the type and permissions in mode (a
	// regular file, directory, device, FIFO or socket) for the negative
	// dentry d in dir: create, mkdir and mknod in one, as
	// mm/shmem.c:shmem_mknod() serves all three.
	Mknod(dir *Inode, d *Dentry, mode, rdev uint32) error
	// Symlink makes a symbolic link d in dir pointing at target.
	Symlink(dir *Inode, d *Dentry, target string) error
	// Link gives old's inode a second name, d in dir.
	Link(old *Dentry, dir *Inode, d *Dentry) error
	// Unlink and Rmdir drop d's inode from dir (the VFS checked that a
	// directory is empty).
	Unlink(dir *Inode, d *Dentry) error
	Rmdir(dir *Inode, d *Dentry) error
	// Rename moves old (in oldDir) to new (in newDir), whose inode, if
	// any, is being replaced and has already been checked.
	Rename(oldDir *Inode, old *Dentry, newDir *Inode, new *Dentry) error
	// Readlink returns a symbolic link's target (get_link).
	Readlink(n *Inode) (string, error)
	// Setattr applies a; the size changes a regular file's length.
	Setattr(n *Inode, a *Iattr) error
}

// NoInodeOps returns abi.EPERM for every inode operation; file systems
// embed it and override what they support.
type NoInodeOps struct{}

func (NoInodeOps) Lookup(*Inode, string) (*Inode, error)         { return nil, abi.ENOENT }
func (NoInodeOps) Mknod(*Inode, *Dentry, uint32, uint32) error   { return abi.EPERM }
func (NoInodeOps) Symlink(*Inode, *Dentry, string) error         { return abi.EPERM }
func (NoInodeOps) Link(*Dentry, *Inode, *Dentry) error           { return abi.EPERM }
func (NoInodeOps) Unlink(*Inode, *Dentry) error                  { return abi.EPERM }
func (NoInodeOps) Rmdir(*Inode, *Dentry) error                   { return abi.EPERM }
func (NoInodeOps) Rename(*Inode, *Dentry, *Inode, *Dentry) error { return abi.EPERM }
func (NoInodeOps) Readlink(*Inode) (string, error)               { return "", abi.EINVAL }
func (NoInodeOps) Setattr(n *Inode, a *Iattr) error              { return SimpleSetattr(n, a) }

// SimpleSetattr applies mode and time changes under the inode's lock and
// refuses size changes (EPERM). Mirrors fs/libfs.c:simple_setattr()
// without the truncation, which needs the file system's pages.
func SimpleSetattr(n *Inode, a *Iattr) error {
	if a.Valid&ATTR_SIZE != 0 {
		return abi.EPERM
	}
	n.mu.Lock()
	SetattrCopyLocked(n, a)
	n.mu.Unlock()
	return nil
}

// SetattrCopyLocked copies a's owner, mode and times into n and sets its
// change time; caller holds n's lock. Mirrors fs/attr.c:setattr_copy().
func SetattrCopyLocked(n *Inode, a *Iattr) {
	if a.Valid&ATTR_UID != 0 {
		n.UID = a.UID
	}
	if a.Valid&ATTR_GID != 0 {
		n.GID = a.GID
	}
	if a.Valid&ATTR_MODE != 0 {
		n.Mode = n.Mode&S_IFMT | a.Mode&PermMask
	}
	if a.Valid&ATTR_ATIME != 0 {
		n.Atime = a.Atime
	}
	if a.Valid&ATTR_MTIME != 0 {
		n.Mtime = a.Mtime
	}
	n.Ctime = time.Now()
}

// Touch sets n's modification and change times to now (a directory whose
// entries changed); caller holds no lock on n.
func Touch(n *Inode) {
	now := time.Now()
	n.mu.Lock()
	n.Mtime, n.Ctime = now, now
	n.mu.Unlock()
}

// IncNlink and DropNlink change the link count under the inode's lock
// (inc_nlink(), drop_nlink()) and set the change time. DropNlink evicts
// the inode when its last link goes and no file has it open.
func IncNlink(n *Inode) {
	n.mu.Lock()
	n.Nlink++
	n.Ctime = time.Now()
	n.mu.Unlock()
}

func DropNlink(n *Inode) {
	n.mu.Lock()
	if n.Nlink > 0 {
		n.Nlink--
	}
	n.Ctime = time.Now()
	evict := n.Nlink == 0 && n.opens == 0 && !n.evicted
	n.evicted = n.evicted || evict
	n.mu.Unlock()
	if evict {
		n.SB.evict(n)
	}
}

// ClearNlink sets the link count to 0 (a removed directory: its own "."
// and its name go at once) and evicts it if nothing has it open.
func ClearNlink(n *Inode) {
	n.mu.Lock()
	n.Nlink = 0
	n.Ctime = time.Now()
	evict := n.opens == 0 && !n.evicted
	n.evicted = n.evicted || evict
	n.mu.Unlock()
	if evict {
		n.SB.evict(n)
	}
}

// openInode and closeInode count the open files of n (the i_count part
// of fget/fput that matters for freeing); the last close of an unlinked
// inode evicts it. Mirrors fs/inode.c:iput_final() -> evict().
func openInode(n *Inode) {
	n.mu.Lock()
	n.opens++
	n.mu.Unlock()
}

func closeInode(n *Inode) {
	n.mu.Lock()
	n.opens--
	evict := n.opens == 0 && n.Nlink == 0 && !n.evicted
	n.evicted = n.evicted || evict
	n.mu.Unlock()
	if evict {
		n.SB.evict(n)
	}
}
