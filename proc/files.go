package proc

import (
	"sync"

	"tamix/abi"
	"tamix/drivers/tty"
	"tamix/fs"
)

// File is what a proc-side open file does, for files whose operations
// need the task (pipes, tests): they are wrapped into an fs.File by
// NewOpenFile.
type File interface {
	Read(t *Task, p []byte) (int, error)
	Write(t *Task, p []byte) (int, error)
	// Release is called when the last descriptor referring to the open
	// file is closed.
	Release()
}

// OpenFile is an open file description (struct file): fs.File, shared by
// dup'ed descriptors and by the tables fork copies.
type OpenFile = fs.File

// NewOpenFile wraps f with one reference, as a stream (no position) on
// an anonymous FIFO inode: what a pipe end is.
func NewOpenFile(f File, flags int) *OpenFile {
	of := fs.NewFile(fs.Path{}, fs.NewAnonInode(fs.S_IFIFO|0o600, 0), taskFile{f}, flags)
	of.Stream = true
	return of
}

// OpenFiles returns how many open files exist (Linux's nr_files, the
// first number of /proc/sys/fs/file-nr), for the leak checks.
func OpenFiles() int64 { return fs.NrFiles() }

// taskFile adapts a File to fs.FileOperations: the caller is the task.
type taskFile struct{ f File }

// procFile returns the File inside an open file made by NewOpenFile
// (a pipe end, an eventfd, an epoll), or nil.
func procFile(of *OpenFile) File {
	if w, ok := of.Ops.(taskFile); ok {
		return w.f
	}
	return nil
}

// nonblockFile is a File whose reads and writes honour O_NONBLOCK
// (pipes, eventfds): they fail with EAGAIN instead of sleeping.
type nonblockFile interface {
	ReadNonblock(t *Task, p []byte, nonblock bool) (int, error)
	WriteNonblock(t *Task, p []byte, nonblock bool) (int, error)
}

// HandlesNonblock reports whether f's own reads and writes honour
// O_NONBLOCK (a pipe end or an eventfd), so that the system call need
// not ask its Poll first.
func HandlesNonblock(f *OpenFile) bool {
	_, ok := procFile(f).(nonblockFile)
	return ok
}

func (w taskFile) Read(c fs.Caller, f *fs.File, p []byte, _ *int64) (int, error) {
	if nb, ok := w.f.(nonblockFile); ok {
		return nb.ReadNonblock(c.(*Task), p, f.GetFlags()&fs.O_NONBLOCK != 0)
	}
	return w.f.Read(c.(*Task), p)
}

func (w taskFile) Write(c fs.Caller, f *fs.File, p []byte, _ *int64) (int, error) {
	if nb, ok := w.f.(nonblockFile); ok {
		return nb.WriteNonblock(c.(*Task), p, f.GetFlags()&fs.O_NONBLOCK != 0)
	}
	return w.f.Write(c.(*Task), p)
}

func (w taskFile) Release(*fs.File) { w.f.Release() }

// fdEntry is a descriptor slot: the open file and the close-on-exec flag
// (which belongs to the descriptor, not the open file).
type fdEntry struct {
	file    *OpenFile
	cloexec bool
}

// MaxFDs bounds a table (RLIMIT_NOFILE's default hard limit is larger;
// the soft limit 1024 is what programs meet).
const MaxFDs = 1024

// FileTable is a task's descriptor table (files_struct). Its lock
// protects the slots and users.
type FileTable struct {
	mu    sync.Mutex
	fds   []fdEntry
	users int // tasks sharing the table (CLONE_FILES)
}

// NewConsoleFiles returns a table with descriptors 0, 1 and 2 on the
// console, as init gets them.
func NewConsoleFiles() *FileTable {
	c := tty.OpenConsole()
	c.Get()
	c.Get()
	return &FileTable{fds: []fdEntry{{file: c}, {file: c}, {file: c}}, users: 1}
}

// get takes a reference for a task that shares the table (CLONE_FILES).
func (ft *FileTable) get() {
	ft.mu.Lock()
	ft.users++
	ft.mu.Unlock()
}

// dup returns a copy of the table for a child (dup_fd): the same open
// files, one more reference each.
func (ft *FileTable) dup() *FileTable {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	n := &FileTable{fds: append([]fdEntry(nil), ft.fds...), users: 1}
	for _, e := range n.fds {
		if e.file != nil {
			e.file.Get()
		}
	}
	return n
}

// shared reports whether another task uses the table too.
func (ft *FileTable) shared() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.users > 1
}

// Put drops a task's reference; the last one closes every descriptor.
// Mirrors fs/file.c:put_files_struct().
func (ft *FileTable) Put() {
	ft.mu.Lock()
	ft.users--
	var fds []fdEntry
	if ft.users == 0 {
		fds, ft.fds = ft.fds, nil
	}
	ft.mu.Unlock()
	for _, e := range fds {
		if e.file != nil {
			e.file.Put()
		}
	}
}

// Get returns the open file at fd, or EBADF.
func (ft *FileTable) Get(fd int) (*OpenFile, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].file == nil {
		return nil, abi.EBADF
	}
	return ft.fds[fd].file, nil
}

// Install puts f in the lowest free slot at or above min and returns
// it; EMFILE if none. The table takes over the caller's reference.
func (ft *FileTable) Install(f *OpenFile, min int, cloexec bool) (int, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	for fd := min; fd < MaxFDs; fd++ {
		if fd >= len(ft.fds) {
			ft.fds = append(ft.fds, make([]fdEntry, fd+1-len(ft.fds))...)
		}
		if ft.fds[fd].file == nil {
			ft.fds[fd] = fdEntry{file: f, cloexec: cloexec}
			return fd, nil
		}
	}
	return -1, abi.EMFILE
}

// Close closes fd (close(2)).
func (ft *FileTable) Close(fd int) error {
	ft.mu.Lock()
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].file == nil {
		ft.mu.Unlock()
		return abi.EBADF
	}
	f := ft.fds[fd].file
	ft.fds[fd] = fdEntry{}
	ft.mu.Unlock()
	f.Put()
	return nil
}

// Dup2 makes newfd refer to oldfd's open file, closing what newfd held
// (dup2/dup3). Returns newfd.
func (ft *FileTable) Dup2(oldfd, newfd int, cloexec bool) (int, error) {
	if newfd < 0 || newfd >= MaxFDs {
		return -1, abi.EBADF
	}
	ft.mu.Lock()
	if oldfd < 0 || oldfd >= len(ft.fds) || ft.fds[oldfd].file == nil {
		ft.mu.Unlock()
		return -1, abi.EBADF
	}
	f := ft.fds[oldfd].file
	if newfd >= len(ft.fds) {
		ft.fds = append(ft.fds, make([]fdEntry, newfd+1-len(ft.fds))...)
	}
	old := ft.fds[newfd].file
	if old != f {
		f.Get()
	}
	ft.fds[newfd] = fdEntry{file: f, cloexec: cloexec}
	ft.mu.Unlock()
	if old != nil && old != f {
		old.Put()
	}
	return newfd, nil
}

// CloseOnExec reports and sets a descriptor's FD_CLOEXEC flag.
func (ft *FileTable) CloseOnExec(fd int) (bool, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].file == nil {
		return false, abi.EBADF
	}
	return ft.fds[fd].cloexec, nil
}

// SetCloseOnExec sets a descriptor's FD_CLOEXEC flag.
func (ft *FileTable) SetCloseOnExec(fd int, on bool) error {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd < 0 || fd >= len(ft.fds) || ft.fds[fd].file == nil {
		return abi.EBADF
	}
	ft.fds[fd].cloexec = on
	return nil
}

// closeOnExec closes every descriptor marked close-on-exec (exec does
// this at its point of no return: do_close_on_exec).
func (ft *FileTable) closeOnExec() {
	ft.mu.Lock()
	var closing []*OpenFile
	for i, e := range ft.fds {
		if e.file != nil && e.cloexec {
			closing = append(closing, e.file)
			ft.fds[i] = fdEntry{}
		}
	}
	ft.mu.Unlock()
	for _, f := range closing {
		f.Put()
	}
}

// IsConsole reports whether f is a terminal (the console).
func IsConsole(f *OpenFile) bool { return tty.IsTTY(f) }
