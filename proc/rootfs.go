package proc

import (
	"bytes"
	"sync"

	"tamix/abi"
	"tamix/kernel/initramfs"
)

// rootFile is an open file of the initramfs: read-only, with a position.
type rootFile struct {
	mu  sync.Mutex
	n   *initramfs.Node
	pos int64 // protected by mu
}

// OpenRoot opens path in the initramfs for reading (the only file system:
// writes give EROFS). Mirrors fs/open.c:do_sys_open() for a read-only fs.
func OpenRoot(path string, flags int, follow bool) (*OpenFile, *initramfs.Node, error) {
	if path == ProcTasks {
		return procTasks(flags)
	}
	if f, n, err, ok := openTracefs(path, flags); ok {
		return f, n, err // /proc/tracing/* (proc/tracefs.go)
	}
	if K.Root == nil {
		return nil, nil, abi.ENOENT
	}
	n, err := K.Root.Lookup(path, follow)
	if err != nil {
		return nil, nil, errnoOf(err, abi.ENOENT)
	}
	const oAccmode, oCreat, oTrunc, oDirectory = 3, 0o100, 0o1000, 0o200000
	if flags&oAccmode != 0 || flags&(oCreat|oTrunc) != 0 {
		return nil, nil, abi.EROFS
	}
	isDir := n.Mode&0o170000 == 0o040000
	if flags&oDirectory != 0 && !isDir {
		return nil, nil, abi.ENOTDIR
	}
	return NewOpenFile(&rootFile{n: n}, flags), n, nil
}

// Node returns the initramfs node of an open file, or nil.
func Node(f *OpenFile) *initramfs.Node {
	if r, ok := f.File.(*rootFile); ok {
		return r.n
	}
	return nil
}

func (r *rootFile) Read(t *Task, b []byte) (int, error) {
	if r.n.Mode&0o170000 == 0o040000 {
		return 0, abi.EISDIR
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pos >= int64(len(r.n.Data)) {
		return 0, nil
	}
	n := copy(b, r.n.Data[r.pos:])
	r.pos += int64(n)
	return n, nil
}

func (r *rootFile) Write(t *Task, b []byte) (int, error) { return 0, abi.EBADF }

func (r *rootFile) Release() {}

// Seek moves the position (lseek): whence 0 SET, 1 CUR, 2 END.
func (r *rootFile) Seek(off int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var pos int64
	switch whence {
	case 0:
		pos = off
	case 1:
		pos = r.pos + off
	case 2:
		pos = int64(len(r.n.Data)) + off
	default:
		return 0, abi.EINVAL
	}
	if pos < 0 {
		return 0, abi.EINVAL
	}
	r.pos = pos
	return pos, nil
}

// Seek repositions an open file; ESPIPE for pipes and the console.
func Seek(f *OpenFile, off int64, whence int) (int64, error) {
	if r, ok := f.File.(*rootFile); ok {
		return r.Seek(off, whence)
	}
	return 0, abi.ESPIPE
}

// ProcTasks is a read-only file whose contents are the task dump at the
// time it is opened (DumpTasks): a one-file stand-in for /proc that lets
// a program show the task tree.
const ProcTasks = "/proc/tasks"

func procTasks(flags int) (*OpenFile, *initramfs.Node, error) {
	if flags&3 != 0 {
		return nil, nil, abi.EROFS
	}
	var b bytes.Buffer
	DumpTasks(&b)
	n := &initramfs.Node{Name: "tasks", Mode: 0o100444, Size: int64(b.Len()), Data: b.Bytes(), Nlink: 1}
	return NewOpenFile(&rootFile{n: n}, flags), n, nil
}
