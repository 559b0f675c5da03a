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
