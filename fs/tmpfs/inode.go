package tmpfs

import (
	"time"

	"tamix/abi"
	"tamix/fs"
)

// inodeOps are tmpfs's inode operations (shmem_dir_inode_operations and
// friends). The VFS calls the directory ones with its tree lock held and
// links or unlinks the dentries itself; these keep the link counts and
// times right. A directory's link count is 2 plus its subdirectories
// (its name, its ".", each child's "..").
type inodeOps struct{}

// Lookup: every tmpfs name is a dentry, so a miss is a miss
// (simple_lookup()).
func (inodeOps) Lookup(dir *fs.Inode, name string) (*fs.Inode, error) { return nil, abi.ENOENT }

// Mknod makes a file, directory, device node, FIFO or socket. ENOSPC
// when the instance has no inode left. Mirrors shmem_mknod() and
// shmem_mkdir().
func (inodeOps) Mknod(dir *fs.Inode, d *fs.Dentry, mode, rdev uint32) error {
	info := dir.SB.Private.(*sbInfo)
	info.mu.Lock()
	if info.usedInodes >= info.maxInodes {
		info.mu.Unlock()
		return abi.ENOSPC
	}
	info.usedInodes++
	info.mu.Unlock()
	n := newInode(dir.SB, mode, rdev)
	if n.IsDir() {
		n.Nlink = 2
		fs.IncNlink(dir)
	}
	d.Instantiate(n)
	fs.Touch(dir)
	return nil
}

// Symlink mirrors shmem_symlink(): the target is kept in the inode
// (Linux keeps short ones inline too), so it takes no page.
func (inodeOps) Symlink(dir *fs.Inode, d *fs.Dentry, target string) error {
	if err := (inodeOps{}).Mknod(dir, d, fs.S_IFLNK|0o777, 0); err != nil {
		return err
	}
	n := d.Inode
	n.Lock()
	n.Private = target
	n.Size = int64(len(target))
	n.Unlock()
	return nil
}

// Link mirrors shmem_link() / simple_link().
func (inodeOps) Link(old *fs.Dentry, dir *fs.Inode, d *fs.Dentry) error {
	fs.IncNlink(old.Inode)
	d.Instantiate(old.Inode)
	fs.Touch(dir)
	return nil
}

// Unlink mirrors shmem_unlink() / simple_unlink(): the inode loses a
// link, and with the last one (and no open file) its pages.
func (inodeOps) Unlink(dir *fs.Inode, d *fs.Dentry) error {
	fs.Touch(dir)
	fs.DropNlink(d.Inode)
	return nil
}

// Rmdir mirrors shmem_rmdir() / simple_rmdir(): the parent loses the
// child's "..".
func (inodeOps) Rmdir(dir *fs.Inode, d *fs.Dentry) error {
	fs.DropNlink(dir)
	fs.Touch(dir)
	fs.ClearNlink(d.Inode)
	return nil
}

// Rename mirrors shmem_rename2() / simple_rename() for flags 0: a
// replaced target loses its name (a directory all its links), a
// directory moved to another parent moves its ".." link with it.
func (inodeOps) Rename(oldDir *fs.Inode, old *fs.Dentry, newDir *fs.Inode, new *fs.Dentry) error {
	isDir := old.Inode.IsDir()
	if t := new.Inode; t != nil {
		if t.IsDir() {
			fs.ClearNlink(t)
			fs.DropNlink(newDir)
		} else {
			fs.DropNlink(t)
		}
	}
	if isDir && oldDir != newDir {
		fs.DropNlink(oldDir)
		fs.IncNlink(newDir)
	}
	fs.Touch(oldDir)
	fs.Touch(newDir)
	n := old.Inode
	n.Lock()
	n.Ctime = time.Now()
	n.Unlock()
	return nil
}

// Readlink returns a symlink's target.
func (inodeOps) Readlink(n *fs.Inode) (string, error) {
	n.Lock()
	defer n.Unlock()
	t, ok := n.Private.(string)
	if !ok {
		return "", abi.EINVAL
	}
	return t, nil
}

// Setattr changes the mode, times and, for a regular file, the size.
// Mirrors shmem_setattr().
func (inodeOps) Setattr(n *fs.Inode, a *fs.Iattr) error {
	n.Lock()
	defer n.Unlock()
	if a.Valid&fs.ATTR_SIZE != 0 {
		if !n.IsRegular() {
			return abi.EINVAL
		}
		truncateLocked(n, a.Size)
	}
	fs.SetattrCopyLocked(n, a)
	return nil
}
