package fs

import (
	"tamix/abi"
)

// renameat2 flags (include/uapi/linux/fs.h).
const (
	RENAME_NOREPLACE = 1 << 0
	RENAME_EXCHANGE  = 1 << 1
	RENAME_WHITEOUT  = 1 << 2
)

// Rename moves oldname to newname, replacing what newname named (an
// empty directory may replace a directory, a file a file). Errors, in
// Linux's order: EINVAL for unknown flags (RENAME_EXCHANGE and
// RENAME_WHITEOUT are not supported), EXDEV across mounts, EBUSY for
// ".", ".." or "/" on either side (EEXIST with RENAME_NOREPLACE for the
// new side), ENOENT without a source, ENOTDIR for a file named with a
// trailing "/", EINVAL for moving a directory below itself, ENOTEMPTY for
// replacing a directory above the source, EEXIST with RENAME_NOREPLACE,
// ENOTDIR/EISDIR for replacing across types, EBUSY for mountpoints,
// ENOTEMPTY for replacing a non-empty directory. Renaming a name onto a
// hard link of the same inode does nothing. Mirrors
// fs/namei.c:do_renameat2() -> vfs_rename(); treeLock stands in for
// lock_rename() and rename_lock.
func Rename(root, oldStart Path, oldname string, newStart Path, newname string, flags uint32) error {
	if flags&^RENAME_NOREPLACE != 0 {
		return abi.EINVAL
	}
	treeLock.Lock()
	defer treeLock.Unlock()
	op, err := lookupParentLocked(root, oldStart, oldname)
	if err != nil {
		return err
	}
	np, err := lookupParentLocked(root, newStart, newname)
	if err != nil {
		return err
	}
	if op.dir.Mnt != np.dir.Mnt {
		return abi.EXDEV
	}
	if op.kind != LAST_NORM {
		return abi.EBUSY
	}
	if np.kind != LAST_NORM {
		if flags&RENAME_NOREPLACE != 0 {
			return abi.EEXIST
		}
		return abi.EBUSY
	}
	old := op.childLocked()
	if old == nil {
		return abi.ENOENT
	}
	if !old.Inode.IsDir() && (op.trailing || np.trailing) {
		return abi.ENOTDIR
	}
	if np.dir.Dentry.isAncestorLocked(old) {
		return abi.EINVAL // the source is the target's directory or above it
	}
	target := np.childLocked()
	if target != nil && op.dir.Dentry.isAncestorLocked(target) {
		return abi.ENOTEMPTY // the target is the source's directory or above it
	}
	if target != nil && flags&RENAME_NOREPLACE != 0 {
		return abi.EEXIST
	}
	if np.dir.Dentry.unlinked() {
		return abi.ENOENT
	}
	return renameLocked(op, old, np, target)
}

// renameLocked is vfs_rename() once the names are resolved: the type
// checks on a target, then the file system's Rename, then the dcache
// (d_move()). Caller holds treeLock for writing.
func renameLocked(op parent, old *Dentry, np parent, target *Dentry) error {
	if target != nil && target.Inode == old.Inode {
		return nil
	}
	isDir := old.Inode.IsDir()
	if target != nil {
		switch {
		case isDir && !target.Inode.IsDir():
			return abi.ENOTDIR
		case !isDir && target.Inode.IsDir():
			return abi.EISDIR
		case target.mounted > 0:
			return abi.EBUSY
		case target.Inode.IsDir() && !target.emptyLocked():
			return abi.ENOTEMPTY
		}
	}
	if old.mounted > 0 {
		return abi.EBUSY
	}
	newd := target
	if newd == nil {
		newd = NewDentry(np.dir.Dentry, np.last)
	}
	if err := op.dir.Inode().Ops.Rename(op.dir.Inode(), old, np.dir.Inode(), newd); err != nil {
		return err
	}
	if target != nil {
		np.dir.Dentry.removeLocked(target)
	}
	op.dir.Dentry.removeLocked(old)
	old.Name = np.last
	np.dir.Dentry.addLocked(old)
	return nil
}
