package fs

import (
	"tamix/abi"
)

// The directory operations of fs/namei.c: each takes the caller's root
// and the directory relative names start from (the working directory or
// a dirfd's), resolves its names and checks them as Linux does, then
// calls the file system's inode operation, all with treeLock held for
// writing so that no other change comes in between. Modes arrive with
// the umask already applied. Root may do anything: no permission checks.

// createLocked returns a new negative dentry for the last component of
// pr, or Linux's error for a name that cannot be created: EEXIST for
// ".", ".." and "/" and for an existing name, ENOENT in a removed
// directory or (dir false) for a name that ended in "/". Mirrors
// fs/namei.c:filename_create().
func createLocked(pr parent, dir bool) (*Dentry, error) {
	if pr.kind != LAST_NORM {
		return nil, abi.EEXIST
	}
	if pr.childLocked() != nil {
		return nil, abi.EEXIST
	}
	if pr.trailing && !dir {
		return nil, abi.ENOENT
	}
	if pr.dir.Dentry.unlinked() {
		return nil, abi.ENOENT
	}
	return NewDentry(pr.dir.Dentry, pr.last), nil
}

// Mknod makes a file of the type in mode (regular, FIFO, socket, device;
// S_IFDIR goes through Mkdir). Mirrors do_mknodat() -> vfs_mknod().
func Mknod(root, start Path, name string, mode, rdev uint32) error {
	switch mode & S_IFMT {
	case 0:
		mode |= S_IFREG
	case S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK:
	case S_IFDIR:
		return abi.EPERM
	default:
		return abi.EINVAL
	}
	return mkobj(root, start, name, mode, rdev)
}

// Mkdir makes a directory. Mirrors do_mkdirat() -> vfs_mkdir().
func Mkdir(root, start Path, name string, mode uint32) error {
	return mkobj(root, start, name, S_IFDIR|mode&(PermMask&^S_ISUID&^S_ISGID), 0)
}

func mkobj(root, start Path, name string, mode, rdev uint32) error {
	treeLock.Lock()
	defer treeLock.Unlock()
	pr, err := lookupParentLocked(root, start, name)
	if err != nil {
		return err
	}
	d, err := createLocked(pr, mode&S_IFMT == S_IFDIR)
	if err != nil {
		return err
	}
	dir := pr.dir.Inode()
	if err := dir.Ops.Mknod(dir, d, mode, rdev); err != nil {
		return err
	}
	pr.dir.Dentry.addLocked(d)
	return nil
}

// Symlink makes a symbolic link name pointing at target. Mirrors
// do_symlinkat() -> vfs_symlink().
func Symlink(root, start Path, target, name string) error {
	if target == "" {
		return abi.ENOENT
	}
	if len(target) >= PathMax {
		return abi.ENAMETOOLONG
	}
	treeLock.Lock()
	defer treeLock.Unlock()
	pr, err := lookupParentLocked(root, start, name)
	if err != nil {
		return err
	}
	d, err := createLocked(pr, false)
	if err != nil {
		return err
	}
	dir := pr.dir.Inode()
	if err := dir.Ops.Symlink(dir, d, target); err != nil {
		return err
	}
	pr.dir.Dentry.addLocked(d)
	return nil
}

// Link gives the file at oldname (a final symlink followed only with
// LOOKUP_FOLLOW in flags) the new name newname. EPERM for a directory,
// EXDEV across mounts. Mirrors do_linkat() -> vfs_link().
func Link(root, oldStart Path, oldname string, newStart Path, newname string, flags int) error {
	treeLock.Lock()
	defer treeLock.Unlock()
	old, err := lookupLocked(root, oldStart, oldname, flags&LOOKUP_FOLLOW)
	if err != nil {
		return err
	}
	pr, err := lookupParentLocked(root, newStart, newname)
	if err != nil {
		return err
	}
	d, err := createLocked(pr, false)
	if err != nil {
		return err
	}
	if old.Mnt != pr.dir.Mnt {
		return abi.EXDEV
	}
	n := old.Inode()
	if n.IsDir() {
		return abi.EPERM
	}
	n.mu.Lock()
	gone := n.Nlink == 0
	n.mu.Unlock()
	if gone {
		return abi.ENOENT
	}
	dir := pr.dir.Inode()
	if err := dir.Ops.Link(old.Dentry, dir, d); err != nil {
		return err
	}
	pr.dir.Dentry.addLocked(d)
	return nil
}

// Unlink removes a name that is not a directory's. EISDIR for a
// directory (and for "/", "." and ".."), ENOTDIR for a file named with a
// trailing "/", EBUSY for a mountpoint. Mirrors do_unlinkat() ->
// vfs_unlink().
func Unlink(root, start Path, name string) error {
	treeLock.Lock()
	defer treeLock.Unlock()
	pr, err := lookupParentLocked(root, start, name)
	if err != nil {
		return err
	}
	if pr.kind != LAST_NORM {
		return abi.EISDIR
	}
	d := pr.childLocked()
	switch {
	case d == nil:
		return abi.ENOENT
	case d.Inode.IsDir():
		return abi.EISDIR
	case pr.trailing:
		return abi.ENOTDIR
	case d.mounted > 0:
		return abi.EBUSY
	}
	dir := pr.dir.Inode()
	if err := dir.Ops.Unlink(dir, d); err != nil {
		return err
	}
	pr.dir.Dentry.removeLocked(d)
	return nil
}

// Rmdir removes an empty directory. EINVAL for ".", ENOTEMPTY for ".."
// and for a directory with entries, EBUSY for "/" and mountpoints,
// ENOTDIR for a file. Mirrors do_rmdir() -> vfs_rmdir().
func Rmdir(root, start Path, name string) error {
	treeLock.Lock()
	defer treeLock.Unlock()
	pr, err := lookupParentLocked(root, start, name)
	if err != nil {
		return err
	}
	switch pr.kind {
	case LAST_DOTDOT:
		return abi.ENOTEMPTY
	case LAST_DOT:
		return abi.EINVAL
	case LAST_ROOT:
		return abi.EBUSY
	}
	d := pr.childLocked()
	switch {
	case d == nil:
		return abi.ENOENT
	case !d.Inode.IsDir():
		return abi.ENOTDIR
	case d.mounted > 0:
		return abi.EBUSY
	case !d.emptyLocked():
		return abi.ENOTEMPTY
	}
	dir := pr.dir.Inode()
	if err := dir.Ops.Rmdir(dir, d); err != nil {
		return err
	}
	pr.dir.Dentry.removeLocked(d)
	return nil
}

// Readlink returns the target of the symbolic link at name (not
// followed); EINVAL if it is not one. Mirrors do_readlinkat().
func Readlink(root, start Path, name string) (string, error) {
	p, err := LookupAt(root, start, name, 0)
	if err != nil {
		return "", err
	}
	if !p.Inode().IsSymlink() {
		return "", abi.EINVAL
	}
	return p.Inode().Ops.Readlink(p.Inode())
}
