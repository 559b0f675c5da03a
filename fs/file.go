package fs

import (
	"sync"
	"sync/atomic"

	"tamix/abi"
)

// Open flags (include/uapi/asm-generic/fcntl.h, x86-64 values).
const (
	O_ACCMODE   = 0o3
	O_RDONLY    = 0o0
	O_WRONLY    = 0o1
	O_RDWR      = 0o2
	O_CREAT     = 0o100
	O_EXCL      = 0o200
	O_NOCTTY    = 0o400
	O_TRUNC     = 0o1000
	O_APPEND    = 0o2000
	O_NONBLOCK  = 0o4000
	O_DSYNC     = 0o10000
	O_DIRECT    = 0o40000
	O_LARGEFILE = 0o100000
	O_DIRECTORY = 0o200000
	O_NOFOLLOW  = 0o400000
	O_NOATIME   = 0o1000000
	O_CLOEXEC   = 0o2000000
	O_SYNC      = 0o4010000
	O_PATH      = 0o10000000
	O_TMPFILE   = 0o20200000
)

// Caller is the task on whose behalf a file operation runs. Package fs
// does not know tasks (proc imports fs, not the reverse); file
// operations that need one (a pipe sleeps interruptibly, the console
// writes where the task's console goes) assert it to proc's *Task.
type Caller any

// FileOperations are what an open file does (struct file_operations).
// off is the position to read or write at and to advance (the file's
// own position, or pread's); it is nil for stream files (pipes, the
// console), which have none.
type FileOperations interface {
	Read(c Caller, f *File, p []byte, off *int64) (int, error)
	Write(c Caller, f *File, p []byte, off *int64) (int, error)
	// Release is called when the last reference to the open file goes.
	Release(f *File)
}

// Opener is a FileOperations whose open does more than take the inode's
// operations: a character device's open picks the driver's operations
// (chrdev_open()), a directory's sets up its cursor.
type Opener interface {
	Open(n *Inode, f *File) error
}

// CallerOpener is an Opener that needs the opening task and the flags
// open was given (a terminal: O_NOCTTY and the controlling terminal).
// open calls OpenBy instead of Open when the operations have it.
type CallerOpener interface {
	OpenBy(c Caller, n *Inode, f *File, flags int) error
}

// File is an open file description (struct file): shared by dup'ed
// descriptors and by the tables fork copies; refs counts them.
type File struct {
	Path  Path   // where it was opened; zero for pipes and the console
	Inode *Inode // f_inode: never nil
	Ops   FileOperations
	// Stream marks files without a position (FMODE_STREAM): lseek,
	// pread and pwrite give ESPIPE.
	Stream bool

	mu   sync.Mutex
	refs int // protected by mu
	// Flags are the access mode and status flags (O_APPEND,
	// O_NONBLOCK, ...); protected by mu.
	Flags int

	// posMu serialises the reads, writes and seeks that use Pos
	// (f_pos_lock); Pos is protected by it.
	posMu sync.Mutex
	Pos   int64
	// Private is the operations' own state; theirs to protect.
	Private any

	// releaseHooks run when the last reference goes, before the
	// operations' Release: epoll drops the file from its interest lists
	// there (eventpoll_release() in __fput()). Protected by mu.
	releaseHooks map[any]func()
}

// nrFiles counts the open files in the system (Linux's nr_files, the
// first number of /proc/sys/fs/file-nr).
var nrFiles atomic.Int64

// NrFiles returns the number of open files.
func NrFiles() int64 { return nrFiles.Load() }

// NewFile returns an open file of n with ops and flags and one
// reference; an inode-backed file counts as open for n (the inode is
// not freed while it is). Mirrors fs/file_table.c:alloc_file().
func NewFile(path Path, n *Inode, ops FileOperations, flags int) *File {
	nrFiles.Add(1)
	if n != nil {
		openInode(n)
	}
	return &File{Path: path, Inode: n, Ops: ops, Flags: flags, refs: 1}
}

// GetFlags returns the file's flags (F_GETFL).
func (f *File) GetFlags() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Flags
}

// SetFlags replaces the flags in mask with those of v (F_SETFL).
func (f *File) SetFlags(mask, v int) {
	f.mu.Lock()
	f.Flags = f.Flags&^mask | v&mask
	f.mu.Unlock()
}

// Get takes a reference (get_file()).
func (f *File) Get() {
	f.mu.Lock()
	f.refs++
	f.mu.Unlock()
}

// Put drops a reference; the last one releases the file (fput() ->
// __fput()).
func (f *File) Put() {
	f.mu.Lock()
	f.refs--
	last := f.refs == 0
	hooks := f.releaseHooks
	if last {
		f.releaseHooks = nil
	}
	f.mu.Unlock()
	if !last {
		return
	}
	for _, h := range hooks {
		h()
	}
	nrFiles.Add(-1)
	f.Ops.Release(f)
	if f.Inode != nil {
		closeInode(f.Inode)
	}
}

// AddReleaseHook registers fn, under key, to run when the file's last
// reference goes; RemoveReleaseHook takes it back.
func (f *File) AddReleaseHook(key any, fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.releaseHooks == nil {
		f.releaseHooks = map[any]func(){}
	}
	f.releaseHooks[key] = fn
}

// RemoveReleaseHook removes the hook registered under key.
func (f *File) RemoveReleaseHook(key any) {
	f.mu.Lock()
	delete(f.releaseHooks, key)
	f.mu.Unlock()
}

// Refs returns the reference count (for tests).
func (f *File) Refs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refs
}

// Readable and Writable report the access mode (FMODE_READ/WRITE).
func (f *File) Readable() bool { return f.GetFlags()&O_ACCMODE != O_WRONLY && f.GetFlags()&O_PATH == 0 }
func (f *File) Writable() bool {
	acc := f.GetFlags() & O_ACCMODE
	return (acc == O_WRONLY || acc == O_RDWR) && f.GetFlags()&O_PATH == 0
}

// Read reads at the file's position and advances it. EBADF if the file
// is not open for reading. Mirrors fs/read_write.c:ksys_read() ->
// vfs_read().
func (f *File) Read(c Caller, p []byte) (int, error) {
	if !f.Readable() {
		return 0, abi.EBADF
	}
	if f.Stream {
		return f.Ops.Read(c, f, p, nil)
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	return f.Ops.Read(c, f, p, &f.Pos)
}

// Write writes at the file's position (or its end, with O_APPEND) and
// advances it. Mirrors ksys_write() -> vfs_write().
func (f *File) Write(c Caller, p []byte) (int, error) {
	if !f.Writable() {
		return 0, abi.EBADF
	}
	if f.Stream {
		return f.Ops.Write(c, f, p, nil)
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	return f.Ops.Write(c, f, p, &f.Pos)
}

// Pread and Pwrite read and write at off without moving the position:
// ESPIPE for stream files, EINVAL for a negative offset. Mirrors
// ksys_pread64()/ksys_pwrite64().
func (f *File) Pread(c Caller, p []byte, off int64) (int, error) {
	if err := f.positional(f.Readable(), off); err != nil {
		return 0, err
	}
	return f.Ops.Read(c, f, p, &off)
}

func (f *File) Pwrite(c Caller, p []byte, off int64) (int, error) {
	if err := f.positional(f.Writable(), off); err != nil {
		return 0, err
	}
	return f.Ops.Write(c, f, p, &off)
}

// positional is the checks of a pread or pwrite, in Linux's order: the
// file not open for it (ok false), a negative offset, a stream.
func (f *File) positional(ok bool, off int64) error {
	switch {
	case !ok:
		return abi.EBADF
	case off < 0:
		return abi.EINVAL
	case f.Stream:
		return abi.ESPIPE
	}
	return nil
}

// lseek whence values (SEEK_*).
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
)

// Seek moves the position. ESPIPE for stream files; EINVAL for a bad
// whence or a negative result; SEEK_DATA and SEEK_HOLE treat the whole
// file as data (ENXIO at or past the end), as generic_file_llseek()
// does for file systems without holes. A directory's position is its
// getdents cursor (dcache_dir_lseek()). Mirrors
// fs/read_write.c:generic_file_llseek_size().
func (f *File) Seek(off int64, whence int) (int64, error) {
	if f.Stream {
		return 0, abi.ESPIPE
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	n := f.Inode
	n.mu.Lock()
	size := n.Size
	n.mu.Unlock()
	var pos int64
	switch whence {
	case SEEK_SET:
		pos = off
	case SEEK_CUR:
		pos = f.Pos + off
	case SEEK_END:
		pos = size + off
	case SEEK_DATA, SEEK_HOLE:
		if off < 0 || off >= size {
			return 0, abi.ENXIO
		}
		pos = off
		if whence == SEEK_HOLE {
			pos = size
		}
	default:
		return 0, abi.EINVAL
	}
	if pos < 0 {
		return 0, abi.EINVAL
	}
	f.Pos = pos
	return pos, nil
}

// NoFileOps is a FileOperations that can do nothing (EINVAL), for
// embedding.
type NoFileOps struct{}

func (NoFileOps) Read(Caller, *File, []byte, *int64) (int, error)  { return 0, abi.EINVAL }
func (NoFileOps) Write(Caller, *File, []byte, *int64) (int, error) { return 0, abi.EINVAL }
func (NoFileOps) Release(*File)                                    {}

// NewAnonInode returns an inode that belongs to no directory (pipefs,
// anon_inodefs): a pipe's or the boot console's, with a unique number.
func NewAnonInode(mode, rdev uint32) *Inode {
	n := NewInode(anonSB, mode, NoInodeOps{}, nil)
	n.Rdev = rdev
	return n
}

// anonSB is the super block of anonymous inodes (pipefs).
var anonSB = &SuperBlock{Dev: Mkdev(0, 0xfff)}
