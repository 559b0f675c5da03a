package proc

import (
	"tamix/abi"
	"tamix/fs"
)

// The task's side of the file system: its fs_struct (root, working
// directory, umask) and the files exec reads.

// FSRoots returns where t's path walks start: its root and its working
// directory, or the tree's root for a task without an fs_struct (kernel
// code before init has one).
func FSRoots(t *Task) (root, pwd fs.Path) {
	if t != nil && t.FS != nil {
		return t.FS.Root(), t.FS.Pwd()
	}
	if K.Root != nil {
		return *K.Root, *K.Root
	}
	return fs.Path{}, fs.Path{}
}

// exitFS drops the task's share of its fs_struct. Mirrors
// fs/fs_struct.c:exit_fs().
func exitFS(t *Task) {
	if t.FS != nil {
		t.FS.Put()
		t.FS = nil
	}
}

// maxExecSize bounds the program exec reads into memory.
const maxExecSize = 64 << 20

// readExec reads the whole regular file at filename (relative names from
// the current task's working directory) for exec: EACCES if it is not a
// regular file or has no execute bit, E2BIG... never: ENOEXEC past
// maxExecSize. Mirrors fs/exec.c:do_open_execat() + kernel_read() of
// the whole file (Linux maps it instead). Also returns where the file
// was found (exe_file, for /proc/PID/exe).
func readExec(filename string) ([]byte, fs.Path, error) {
	root, pwd := FSRoots(Current())
	if root.IsZero() {
		return nil, fs.Path{}, abi.ENOENT
	}
	f, err := fs.Open(Current(), root, pwd, filename, fs.O_RDONLY, 0)
	if err != nil {
		return nil, fs.Path{}, err
	}
	defer f.Put()
	n := f.Inode
	if !n.IsRegular() {
		return nil, fs.Path{}, abi.EACCES
	}
	if err := fs.Access(n, fs.X_OK); err != nil {
		return nil, fs.Path{}, err
	}
	st := fs.Getattr(f.Path, n)
	if st.Size > maxExecSize {
		return nil, fs.Path{}, abi.ENOEXEC
	}
	data := make([]byte, st.Size)
	for done := 0; done < len(data); {
		k, err := f.Pread(Current(), data[done:], int64(done))
		if err != nil {
			return nil, fs.Path{}, err
		}
		if k == 0 {
			data = data[:done]
			break
		}
		done += k
	}
	return data, f.Path, nil
}
