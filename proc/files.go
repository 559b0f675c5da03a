package proc

import (
	"sync"

	"tamix/abi"
)

// File is an open file description (struct file): what a descriptor
// refers to. Tamix has the console and, later, initramfs files and pipes.
type File interface {
	Read(t *Task, p []byte) (int, error)
	Write(t *Task, p []byte) (int, error)
	Close()
}

// FileTable is a task's descriptor table (files_struct). Its lock
// protects the slots.
type FileTable struct {
	mu    sync.Mutex
	files []File
	users int // tasks sharing the table (CLONE_FILES)
}

// NewConsoleFiles returns a table with descriptors 0, 1 and 2 on the
// console, as init gets them.
func NewConsoleFiles() *FileTable {
	c := consoleFile{}
	return &FileTable{files: []File{c, c, c}, users: 1}
}

// get takes a reference for a task that shares the table (CLONE_FILES).
func (ft *FileTable) get() {
	ft.mu.Lock()
	ft.users++
	ft.mu.Unlock()
}

// dup returns a copy of the table for a child (dup_fd): the same open
// files in the same slots.
func (ft *FileTable) dup() *FileTable {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return &FileTable{files: append([]File(nil), ft.files...), users: 1}
}

// Put drops a task's reference; the last one closes every file.
func (ft *FileTable) Put() {
	ft.mu.Lock()
	ft.users--
	last := ft.users == 0
	files := ft.files
	if last {
		ft.files = nil
	}
	ft.mu.Unlock()
	if last {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}
}

// Get returns the file at fd, or EBADF.
func (ft *FileTable) Get(fd int) (File, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd < 0 || fd >= len(ft.files) || ft.files[fd] == nil {
		return nil, abi.EBADF
	}
	return ft.files[fd], nil
}

// consoleFile is the serial console: writes go to the task's Console,
// reads see end of file (Tamix has no console input yet).
type consoleFile struct{}

func (consoleFile) Read(t *Task, p []byte) (int, error) { return 0, nil }

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

func (consoleFile) Close() {}
