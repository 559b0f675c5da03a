package fs

import (
	"sync"

	"tamix/abi"
)

// FSStruct is a process's place in the tree: its root, its working
// directory and its umask, shared by the tasks cloned with CLONE_FS.
// mu protects every field. Mirrors struct fs_struct
// (include/linux/fs_struct.h) and fs/fs_struct.c.
type FSStruct struct {
	mu    sync.Mutex
	users int
	root  Path
	pwd   Path
	umask uint32
}

// NewFSStruct returns the fs_struct of the first task (init_fs): root
// and working directory at root, umask 022.
func NewFSStruct(root Path) *FSStruct {
	return &FSStruct{users: 1, root: root, pwd: root, umask: 0o022}
}

// Get adds a task that shares fs (CLONE_FS).
func (fs *FSStruct) Get() {
	fs.mu.Lock()
	fs.users++
	fs.mu.Unlock()
}

// Put drops a task's share (exit_fs()).
func (fs *FSStruct) Put() {
	fs.mu.Lock()
	fs.users--
	fs.mu.Unlock()
}

// Copy returns an unshared copy for a child without CLONE_FS
// (copy_fs_struct()).
func (fs *FSStruct) Copy() *FSStruct {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return &FSStruct{users: 1, root: fs.root, pwd: fs.pwd, umask: fs.umask}
}

// Users returns how many tasks share fs.
func (fs *FSStruct) Users() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.users
}

// Root and Pwd return the root and working directory (get_fs_root(),
// get_fs_pwd()).
func (fs *FSStruct) Root() Path {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.root
}

func (fs *FSStruct) Pwd() Path {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.pwd
}

// SetPwd changes the working directory, which must be a directory
// (ENOTDIR). Mirrors set_fs_pwd() with chdir's check.
func (fs *FSStruct) SetPwd(p Path) error {
	if !p.Inode().IsDir() {
		return abi.ENOTDIR
	}
	fs.mu.Lock()
	fs.pwd = p
	fs.mu.Unlock()
	return nil
}

// SetRoot changes the root (chroot(2)).
func (fs *FSStruct) SetRoot(p Path) error {
	if !p.Inode().IsDir() {
		return abi.ENOTDIR
	}
	fs.mu.Lock()
	fs.root = p
	fs.mu.Unlock()
	return nil
}

// Umask returns the umask; SetUmask sets it and returns the old one
// (umask(2)).
func (fs *FSStruct) Umask() uint32 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.umask
}

func (fs *FSStruct) SetUmask(m uint32) uint32 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	old := fs.umask
	fs.umask = m & 0o777
	return old
}

// Getcwd returns the working directory's absolute name as seen from the
// root; ENOENT if it has been removed. Mirrors fs/d_path.c:getcwd().
func (fs *FSStruct) Getcwd() (string, error) {
	root, pwd := fs.Root(), fs.Pwd()
	treeLock.RLock()
	defer treeLock.RUnlock()
	if pwd.Dentry.unlinked() {
		return "", abi.ENOENT
	}
	return pathNameLocked(pwd, root), nil
}
