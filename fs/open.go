package fs

import (
	"tamix/abi"
)

// Open opens (and with O_CREAT creates) the file at name for the access
// and status flags in flags; mode (umask applied) is a new file's
// permissions. Errors are Linux's: those of the walk, EEXIST for
// O_CREAT|O_EXCL on an existing name, EISDIR for O_CREAT on a directory
// or a name ending in "/", for writing or truncating a directory, ELOOP
// for O_NOFOLLOW on a symbolic link, ENOTDIR for O_DIRECTORY on a
// non-directory, EOPNOTSUPP for O_TMPFILE. Mirrors fs/namei.c:
// do_filp_open() -> path_openat() -> open_last_lookups() and do_open().
// Differs: O_CREAT through a dangling symbolic link gives ENOENT (Linux
// creates the link's target).
func Open(c Caller, root, start Path, name string, flags int, mode uint32) (*File, error) {
	if flags&O_TMPFILE == O_TMPFILE {
		return nil, abi.EOPNOTSUPP
	}
	var p Path
	var err error
	created := false
	if flags&O_CREAT != 0 {
		p, created, err = openCreate(root, start, name, flags, mode)
	} else {
		lf := LOOKUP_FOLLOW
		if flags&O_NOFOLLOW != 0 {
			lf = 0
		}
		p, err = LookupAt(root, start, name, lf)
	}
	if err != nil {
		return nil, err
	}
	return doOpen(c, p, flags, created)
}

// openCreate is the O_CREAT half of open_last_lookups(): find the last
// component or create a regular file there, with treeLock held so that
// O_EXCL is atomic.
func openCreate(root, start Path, name string, flags int, mode uint32) (Path, bool, error) {
	treeLock.Lock()
	defer treeLock.Unlock()
	pr, err := lookupParentLocked(root, start, name)
	if err != nil {
		return Path{}, false, err
	}
	if pr.kind != LAST_NORM || pr.trailing {
		return Path{}, false, abi.EISDIR
	}
	if d := pr.childLocked(); d != nil {
		if flags&O_EXCL != 0 {
			return Path{}, false, abi.EEXIST
		}
		p := followMountLocked(Path{Mnt: pr.dir.Mnt, Dentry: d})
		if p.Inode().IsSymlink() && flags&O_NOFOLLOW == 0 {
			nd := &nameidata{root: root}
			if p, err = nd.followLink(pr.dir, p); err != nil {
				return Path{}, false, err
			}
		}
		if p.Inode().IsDir() {
			return Path{}, false, abi.EISDIR
		}
		return p, false, nil
	}
	if pr.dir.Dentry.unlinked() {
		return Path{}, false, abi.ENOENT
	}
	d := NewDentry(pr.dir.Dentry, pr.last)
	dir := pr.dir.Inode()
	if err := dir.Ops.Mknod(dir, d, S_IFREG|mode&PermMask, 0); err != nil {
		return Path{}, false, err
	}
	pr.dir.Dentry.addLocked(d)
	return Path{Mnt: pr.dir.Mnt, Dentry: d}, true, nil
}

// doOpen checks the inode against the flags, truncates with O_TRUNC and
// makes the File. Mirrors do_open() -> may_open(), handle_truncate() and
// vfs_open() -> do_dentry_open().
func doOpen(c Caller, p Path, flags int, created bool) (*File, error) {
	n := p.Inode()
	acc := flags & O_ACCMODE
	switch {
	case flags&O_PATH != 0:
		return NewFile(p, n, NoFileOps{}, flags&(O_PATH|O_DIRECTORY|O_NOFOLLOW)), nil
	case n.IsSymlink():
		return nil, abi.ELOOP
	case flags&O_DIRECTORY != 0 && !n.IsDir():
		return nil, abi.ENOTDIR
	case n.IsDir() && (acc != O_RDONLY || flags&O_TRUNC != 0):
		return nil, abi.EISDIR
	case acc == O_ACCMODE:
		return nil, abi.EINVAL
	}
	if flags&O_TRUNC != 0 && !created && n.IsRegular() {
		if err := n.Ops.Setattr(n, &Iattr{Valid: ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, Size: 0, Mtime: now()}); err != nil {
			return nil, err
		}
	}
	ops := n.FileOps
	if ops == nil {
		return nil, abi.ENXIO
	}
	f := NewFile(p, n, ops, flags&^(O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_CLOEXEC))
	var err error
	if o, ok := ops.(CallerOpener); ok {
		err = o.OpenBy(c, n, f, flags)
	} else if o, ok := ops.(Opener); ok {
		err = o.Open(n, f)
	}
	if err != nil {
		f.Put()
		return nil, err
	}
	return f, nil
}

// Truncate sets the length of the regular file n: EISDIR for a
// directory, EINVAL for other types and negative lengths, EFBIG past the
// largest size. Mirrors fs/open.c:do_truncate() -> notify_change().
func Truncate(n *Inode, length int64) error {
	switch {
	case n.IsDir():
		return abi.EISDIR
	case !n.IsRegular():
		return abi.EINVAL
	case length < 0:
		return abi.EINVAL
	}
	t := now()
	return n.Ops.Setattr(n, &Iattr{Valid: ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, Size: length, Mtime: t})
}

// Chmod sets n's permission bits. Mirrors fs/open.c:chmod_common().
func Chmod(n *Inode, mode uint32) error {
	return n.Ops.Setattr(n, &Iattr{Valid: ATTR_MODE | ATTR_CTIME, Mode: mode & PermMask})
}

// Chown sets n's owner and group; a value of -1 (as uint32) leaves
// that one alone. Every task is root, so any change is allowed (Linux
// checks CAP_CHOWN). A non-directory loses its set-user-ID bit, and its
// set-group-ID bit if it is group-executable, even when nothing else
// changes, as notify_change() does with ATTR_KILL_SUID and
// ATTR_KILL_SGID. Mirrors fs/open.c:chown_common().
func Chown(n *Inode, uid, gid uint32) error {
	a := Iattr{Valid: ATTR_CTIME}
	if uid != ^uint32(0) {
		a.Valid |= ATTR_UID
		a.UID = uid
	}
	if gid != ^uint32(0) {
		a.Valid |= ATTR_GID
		a.GID = gid
	}
	if !n.IsDir() {
		n.mu.Lock()
		mode := n.Mode
		n.mu.Unlock()
		kill := mode & S_ISUID
		if mode&(S_ISGID|0o010) == S_ISGID|0o010 {
			kill |= S_ISGID
		}
		if kill != 0 {
			a.Valid |= ATTR_MODE
			a.Mode = mode & PermMask &^ kill
		}
	}
	return n.Ops.Setattr(n, &a)
}

// Access masks (include/uapi/linux/fcntl.h F_OK, R_OK, ...).
const (
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4
)

// Access checks mask against n as root does: read and write are always
// granted, execute only if some execute bit is set or n is a directory.
// Mirrors fs/namei.c:generic_permission() with CAP_DAC_OVERRIDE.
func Access(n *Inode, mask int) error {
	if mask&X_OK == 0 || n.IsDir() {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.Mode&0o111 == 0 {
		return abi.EACCES
	}
	return nil
}
