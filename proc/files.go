package proc

import (
	"sync"
	"sync/atomic"

	"tamix/abi"
)

// File is what an open file description does (file_operations): the
// console, a pipe end, a file of the initramfs.
type File interface {
	Read(t *Task, p []byte) (int, error)
	Write(t *Task, p []byte) (int, error)
	// Release is called when the last descriptor referring to the open
	// file is closed.
	Release()
}

// OpenFile is an open file description (struct file): shared by dup'ed
// descriptors and by the tables fork copies. Its refs count them.
type OpenFile struct {
	File
	mu    sync.Mutex
	refs  int
	Flags int // O_ACCMODE, O_APPEND, O_NONBLOCK; protected by mu
	// onRelease are called when the last reference goes, before
	// Release: epoll drops the file from its interest lists there
	// (eventpoll_release). Protected by mu.
	onRelease map[*epitem]func()
}

// NewOpenFile wraps f with one reference.
func NewOpenFile(f File, flags int) *OpenFile {
	openFiles.Add(1)
	return &OpenFile{File: f, refs: 1, Flags: flags}
}

// openFiles counts open file descriptions, from NewOpenFile until their
// last reference goes: Linux's nr_files (fs/file_table.c, the first
// field of /proc/sys/fs/file-nr). The fuzz suite checks it returns to
// its baseline.
var openFiles atomic.Int64

// OpenFiles returns the number of open file descriptions (get_nr_files).
func OpenFiles() int64 { return openFiles.Load() }

// GetFlags returns the open file's status flags (F_GETFL).
func (f *OpenFile) GetFlags() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Flags
}

// SetFlags replaces the flags in mask with those of v (F_SETFL).
func (f *OpenFile) SetFlags(mask, v int) {
	f.mu.Lock()
	f.Flags = f.Flags&^mask | v&mask
	f.mu.Unlock()
}

// Get takes a reference (get_file).
func (f *OpenFile) Get() { f.get() }

// Put drops a reference (fput).
func (f *OpenFile) Put() { f.put() }

func (f *OpenFile) get() {
	f.mu.Lock()
	f.refs++
	f.mu.Unlock()
}

func (f *OpenFile) put() {
	f.mu.Lock()
	f.refs--
	last := f.refs == 0
	hooks := f.onRelease
	if last {
		f.onRelease = nil
	}
	f.mu.Unlock()
	if last {
		for _, h := range hooks {
			h()
		}
		f.Release()
		openFiles.Add(-1)
	}
}

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
	c := NewOpenFile(consoleFile{}, 2) // O_RDWR
	c.refs = 3
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
			e.file.get()
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
			e.file.put()
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
	f.put()
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
		f.get()
	}
	ft.fds[newfd] = fdEntry{file: f, cloexec: cloexec}
	ft.mu.Unlock()
	if old != nil && old != f {
		old.put()
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
		f.put()
	}
}

// consoleFile is the serial console: writes go to the task's Console,
// reads see end of file (Tamix has no console input yet).
type consoleFile struct{}

func (consoleFile) Read(t *Task, p []byte) (int, error) { return 0, nil }

// Poll: the console can always be written, and reading it gives end of
// file at once (readable, hung up) until it has an input driver.
func (consoleFile) Poll(t *Task, pt *PollTable) uint32 {
	return EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM | EPOLLHUP
}

func (consoleFile) Write(t *Task, p []byte) (int, error) {
	w := t.Console
	if w == nil {
		w = K.Console
	}
	if w == nil {
		return len(p), nil
	}
	return w.Write(p)
}

func (consoleFile) Release() {}

// IsConsole reports whether f is the console (for ioctl's TCGETS).
func IsConsole(f *OpenFile) bool {
	_, ok := f.File.(consoleFile)
	return ok
}
