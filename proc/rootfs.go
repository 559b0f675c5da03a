package proc

import (
	"bytes"

	"tamix/abi"
	"tamix/fs"
)

// A one-file procfs: /proc/tasks, whose contents are the task dump at the
// time it is opened (DumpTasks), so a program can show the task tree.
// It is registered as the "proc" file system type, so that the kernel
// mounts it on /proc at boot and `mount -t proc proc /proc` works; the
// rest of Linux's procfs (/proc/PID/..., /proc/self, meminfo) is later
// work. Mirrors fs/proc/root.c in place only.

// ProcTasks is the path of the task dump.
const ProcTasks = "/proc/tasks"

// PROC_SUPER_MAGIC is statfs's f_type for procfs.
const PROC_SUPER_MAGIC = 0x9fa0

// ProcFSType is procfs's file_system_type.
var ProcFSType = &fs.FileSystemType{Name: "proc"}

func init() {
	ProcFSType.Mount = mountProc
	fs.RegisterFilesystem(ProcFSType)
}

// mountProc makes an instance: a read-only root directory holding
// "tasks". Mirrors fs/proc/root.c:proc_fill_super().
func mountProc(data string) (*fs.SuperBlock, error) {
	sb := fs.NewSuperBlock(ProcFSType, nil, PROC_SUPER_MAGIC)
	root := fs.NewInode(sb, fs.S_IFDIR|0o555, fs.NoInodeOps{}, fs.DcacheDirOps{})
	root.Nlink = 2
	sb.Root = fs.NewRootDentry(root)
	tasks := fs.NewInode(sb, fs.S_IFREG|0o444, fs.NoInodeOps{}, procTasksOps{})
	fs.AddEntry(sb.Root, "tasks", tasks)
	addTracing(sb)
	return sb, nil
}

// procTasksOps snapshot the task dump at open and read from it.
type procTasksOps struct{ fs.NoFileOps }

func (procTasksOps) Open(n *fs.Inode, f *fs.File) error {
	if f.Writable() {
		return abi.EACCES
	}
	var b bytes.Buffer
	DumpTasks(&b)
	f.Private = b.Bytes()
	return nil
}

func (procTasksOps) Read(_ fs.Caller, f *fs.File, p []byte, off *int64) (int, error) {
	data := f.Private.([]byte)
	if *off >= int64(len(data)) {
		return 0, nil
	}
	n := copy(p, data[*off:])
	*off += int64(n)
	return n, nil
}
