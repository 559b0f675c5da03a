// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package syscall

// File operations of the in-memory tree (see fs_tamago.go).

func fillStat(n *inode, st *Stat_t) {
	*st = Stat_t{
		Dev: 1, Ino: n.ino, Mode: n.mode, Nlink: n.nlink,
		Size: int64(len(n.data)), Blksize: 4096, Blocks: int32((len(n.data) + 511) / 512),
		Atime: n.atime.Sec, AtimeNsec: n.atime.Nsec,
		Mtime: n.mtime.Sec, MtimeNsec: n.mtime.Nsec,
		Ctime: n.ctime.Sec, CtimeNsec: n.ctime.Nsec,
	}
	if n.mode&S_IFMT == S_IFLNK {
		st.Size = int64(len(n.target))
	}
}

func stat(path string, st *Stat_t, follow bool) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	n, _, err := lookup(path, follow)
	if err != nil {
		return err
	}
	fillStat(n, st)
	return nil
}

func Stat(path string, st *Stat_t) error  { return stat(path, st, true) }
func Lstat(path string, st *Stat_t) error { return stat(path, st, false) }

func Fstat(fd int, st *Stat_t) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return err
	}
	if f.node == nil { // the console: a character device
		*st = Stat_t{Dev: 1, Mode: S_IFCHR | 0620, Nlink: 1, Blksize: 4096}
		return nil
	}
	fillStat(f.node, st)
	return nil
}

// remove unlinks path; dir selects Rmdir or Unlink semantics.
func remove(path string, dir bool) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	parent, name, err := parentOf(path)
	if err != nil {
		return err
	}
	n, ok := parent.children[name]
	if !ok {
		return ENOENT
	}
	switch {
	case dir && !n.isDir():
		return ENOTDIR
	case !dir && n.isDir():
		return EISDIR
	case dir && len(n.children) > 0:
		return ENOTEMPTY
	}
	delete(parent.children, name)
	if n.isDir() {
		parent.nlink--
	}
	n.nlink--
	return nil
}

func Unlink(path string) error { return remove(path, false) }
func Rmdir(path string) error  { return remove(path, true) }

func Chmod(path string, mode uint32) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	n, _, err := lookup(path, true)
	if err != nil {
		return err
	}
	n.mode = n.mode&S_IFMT | mode&07777
	n.ctime = stamp()
	return nil
}

func Fchmod(fd int, mode uint32) error {
	fsMu.Lock()
	f, err := getFile(fd)
	fsMu.Unlock()
	if err != nil {
		return err
	}
	if f.node == nil {
		return EINVAL
	}
	return Chmod(f.path, mode)
}

func Chown(path string, uid, gid int) error {
	return Stat(path, &Stat_t{})
}

func Fchown(fd int, uid, gid int) error {
	return Fstat(fd, &Stat_t{})
}

func Lchown(path string, uid, gid int) error {
	return Lstat(path, &Stat_t{})
}

func UtimesNano(path string, ts []Timespec) error {
	if len(ts) != 2 {
		return EINVAL
	}
	fsMu.Lock()
	defer fsMu.Unlock()
	n, _, err := lookup(path, true)
	if err != nil {
		return err
	}
	n.atime, n.mtime = ts[0], ts[1]
	return nil
}

func Rename(from, to string) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	fdir, fname, err := parentOf(from)
	if err != nil {
		return err
	}
	n, ok := fdir.children[fname]
	if !ok {
		return ENOENT
	}
	tdir, tname, err := parentOf(to)
	if err != nil {
		return err
	}
	if old, ok := tdir.children[tname]; ok && old.isDir() && (!n.isDir() || len(old.children) > 0) {
		return EEXIST
	}
	delete(fdir.children, fname)
	tdir.children[tname] = n
	return nil
}

func resize(n *inode, length int64) error {
	if length < 0 {
		return EINVAL
	}
	if n.isDir() {
		return EISDIR
	}
	if int64(len(n.data)) >= length {
		n.data = n.data[:length]
	} else {
		n.data = append(n.data, make([]byte, length-int64(len(n.data)))...)
	}
	n.mtime = stamp()
	return nil
}

func Truncate(path string, length int64) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	n, _, err := lookup(path, true)
	if err != nil {
		return err
	}
	return resize(n, length)
}

func Ftruncate(fd int, length int64) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return err
	}
	if f.node == nil {
		return EINVAL
	}
	return resize(f.node, length)
}

func Getcwd(buf []byte) (n int, err error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	if len(buf) < len(cwd) {
		return 0, ERANGE
	}
	return copy(buf, cwd), nil
}

func Chdir(path string) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	n, abs, err := lookup(path, true)
	if err != nil {
		return err
	}
	if !n.isDir() {
		return ENOTDIR
	}
	cwd = abs
	return nil
}

func Fchdir(fd int) error {
	fsMu.Lock()
	f, err := getFile(fd)
	fsMu.Unlock()
	if err != nil {
		return err
	}
	return Chdir(f.path)
}

func Readlink(path string, buf []byte) (n int, err error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	l, _, err := lookup(path, false)
	if err != nil {
		return 0, err
	}
	if l.mode&S_IFMT != S_IFLNK {
		return 0, EINVAL
	}
	return copy(buf, l.target), nil
}

func Link(path, link string) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	n, _, err := lookup(path, false)
	if err != nil {
		return err
	}
	if n.isDir() {
		return EPERM
	}
	dir, name, err := parentOf(link)
	if err != nil {
		return err
	}
	if _, ok := dir.children[name]; ok {
		return EEXIST
	}
	dir.children[name] = n
	n.nlink++
	return nil
}

func Symlink(path, link string) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	dir, name, err := parentOf(link)
	if err != nil {
		return err
	}
	if _, ok := dir.children[name]; ok {
		return EEXIST
	}
	l := newInode(S_IFLNK | 0777)
	l.target = path
	dir.children[name] = l
	return nil
}

func Fsync(fd int) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	_, err := getFile(fd)
	return err
}

// readAt and writeAt do the work of Read, Write, Pread and Pwrite.
func readAt(fd int, b []byte, off int64, usePos bool) (int, error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return 0, err
	}
	if f.flags&O_ACCMODE == O_WRONLY {
		return 0, EBADF
	}
	if f.node == nil {
		return 0, nil // console input: end of file
	}
	if f.node.isDir() {
		return 0, EISDIR
	}
	if usePos {
		off = f.pos
	}
	if off < 0 {
		return 0, EINVAL
	}
	n := 0
	if off < int64(len(f.node.data)) {
		n = copy(b, f.node.data[off:])
	}
	if usePos {
		f.pos += int64(n)
	}
	return n, nil
}

func writeAt(fd int, b []byte, off int64, usePos bool) (int, error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return 0, err
	}
	if f.flags&O_ACCMODE == O_RDONLY {
		return 0, EBADF
	}
	if f.node == nil {
		return consoleWrite(b), nil
	}
	if usePos {
		off = f.pos
		if f.flags&O_APPEND != 0 {
			off = int64(len(f.node.data))
		}
	}
	if off < 0 {
		return 0, EINVAL
	}
	if end := off + int64(len(b)); end > int64(len(f.node.data)) {
		resize(f.node, end)
	}
	n := copy(f.node.data[off:], b)
	f.node.mtime = stamp()
	if usePos {
		f.pos = off + int64(n)
	}
	return n, nil
}

func Read(fd int, b []byte) (int, error)                 { return readAt(fd, b, 0, true) }
func Write(fd int, b []byte) (int, error)                { return writeAt(fd, b, 0, true) }
func Pread(fd int, b []byte, offset int64) (int, error)  { return readAt(fd, b, offset, false) }
func Pwrite(fd int, b []byte, offset int64) (int, error) { return writeAt(fd, b, offset, false) }

func Seek(fd int, offset int64, whence int) (int64, error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return 0, err
	}
	if f.node == nil {
		return 0, ESPIPE
	}
	var pos int64
	switch whence {
	case 0:
		pos = offset
	case 1:
		pos = f.pos + offset
	case 2:
		pos = int64(len(f.node.data)) + offset
	default:
		return 0, EINVAL
	}
	if pos < 0 {
		return 0, EINVAL
	}
	f.pos = pos
	return pos, nil
}

func Dup(fd int) (int, error) {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return -1, err
	}
	return allocFd(f), nil
}

func Dup2(fd, newfd int) error {
	fsMu.Lock()
	defer fsMu.Unlock()
	f, err := getFile(fd)
	if err != nil {
		return err
	}
	if newfd < 0 {
		return EBADF
	}
	fds[newfd] = f
	return nil
}

func Pipe(fd []int) error { return ENOSYS }
