package initramfs

import (
	"errors"
	"fmt"
	"strings"
	vfs "tamix/fs"
)

// linkKey identifies the inode of an archive entry: what find_link() in
// init/initramfs.c compares to pair hard links.
type linkKey struct {
	devMajor, devMinor, ino uint32
	typ                     uint32 // vfs.S_IFMT bits
}

// add puts one archive entry into the tree. Mirrors
// init/initramfs.c:do_name() and do_symlink(), including how a later entry
// treats an earlier one with the same path (clean_path()): an entry of
// another type replaces it, a directory entry updates an existing
// directory, a regular file overwrites an existing file in place (hard
// links to it see the new data), a symbolic link always replaces. Differs:
// replacing a non-empty directory is an error (Linux's rmdir would fail
// and the entry would be dropped), and missing parents are created.
func (fs *FS) add(h header, name string, body []byte, links map[linkKey]*Node) error {
	typ := h.mode & vfs.S_IFMT
	switch typ {
	case vfs.S_IFREG:
	case vfs.S_IFLNK:
		if len(body) == 0 || len(body) > vfs.PathMax || strings.IndexByte(string(body), 0) >= 0 {
			return fmt.Errorf("bad symbolic link target of %d bytes", len(body))
		}
	case vfs.S_IFDIR, vfs.S_IFCHR, vfs.S_IFBLK, vfs.S_IFIFO, vfs.S_IFSOCK:
		if len(body) != 0 {
			return fmt.Errorf("%d bytes of data for a file of type %#o", len(body), typ)
		}
	default:
		return fmt.Errorf("unknown file type in mode %#o", h.mode)
	}
	dir, base, err := fs.parentOf(name)
	if err != nil {
		return err
	}
	if base == "" { // "." or "/": the root itself
		if typ != vfs.S_IFDIR {
			return errors.New("the root must be a directory")
		}
		setMeta(fs.Root, h)
		return nil
	}
	old := dir.Children[base]
	// maybe_link(): the second and later names of a multiply linked
	// regular file or special file become links to the first.
	if h.nlink >= 2 && typ != vfs.S_IFDIR && typ != vfs.S_IFLNK {
		key := linkKey{h.devMajor, h.devMinor, h.ino, typ}
		if first := links[key]; first != nil {
			if old != first {
				if err := unlink(dir, base, old); err != nil {
					return err
				}
				dir.Children[base] = first
			}
			setMeta(first, h)
			// Linux opens the link without O_TRUNC and truncates only
			// to a nonzero size: an empty body keeps the data an
			// earlier link brought (cpio writes it with the last).
			if typ == vfs.S_IFREG && len(body) > 0 {
				setData(first, body)
			}
			return nil
		}
		defer func() { links[key] = dir.Children[base] }()
	}
	if old != nil && old.Mode&vfs.S_IFMT == typ && typ != vfs.S_IFLNK {
		// Same type: O_TRUNC on a file, EEXIST for mkdir and mknod;
		// the owner, mode and time are set all the same.
		setMeta(old, h)
		if typ == vfs.S_IFREG {
			setData(old, body)
		}
		return nil
	}
	if err := unlink(dir, base, old); err != nil {
		return err
	}
	n := fs.newNode(base, h)
	switch typ {
	case vfs.S_IFREG:
		setData(n, body)
	case vfs.S_IFLNK:
		n.Target = string(body)
		n.Size = int64(len(body))
	case vfs.S_IFDIR:
		n.Parent = dir
	}
	dir.Children[base] = n
	return nil
}

// parentOf returns the directory that is to hold the entry named path, and
// the entry's last component; "" when path names the root. Missing
// directories on the way are created; symbolic links on the way are
// followed, as the path walk of Linux's open and mkdir would.
func (fs *FS) parentOf(path string) (*Node, string, error) {
	var parts []string
	for _, p := range strings.Split(path, "/") {
		switch p {
		case "", ".":
		case "..":
			return nil, "", errors.New(`".." in a path name`)
		default:
			if len(p) > vfs.NameMax {
				return nil, "", errors.New("path component longer than NAME_MAX")
			}
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return fs.Root, "", nil
	}
	dir := fs.Root
	for _, p := range parts[:len(parts)-1] {
		next := dir.Children[p]
		if next == nil {
			next = fs.newNode(p, header{mode: vfs.S_IFDIR | 0o755})
			next.Parent = dir
			dir.Children[p] = next
		} else if next.IsSymlink() {
			w := walker{fs: fs}
			n, errno := w.walk(dir, next.Target, true)
			if errno != 0 {
				return nil, "", fmt.Errorf("parent %q: symbolic link to %q: %v", p, next.Target, errno)
			}
			next = n
		}
		if !next.IsDir() {
			return nil, "", fmt.Errorf("parent %q is not a directory", p)
		}
		dir = next
	}
	return dir, parts[len(parts)-1], nil
}

// unlink removes dir's entry name, which refers to n (nil: no entry).
// Mirrors clean_path(): unlink, or rmdir for a directory, which must be
// empty.
func unlink(dir *Node, name string, n *Node) error {
	if n == nil {
		return nil
	}
	if n.IsDir() && len(n.Children) > 0 {
		return errors.New("replaces a non-empty directory")
	}
	delete(dir.Children, name)
	return nil
}

// newNode returns a node with the next inode number and h's metadata.
func (fs *FS) newNode(name string, h header) *Node {
	n := &Node{Name: name, Ino: fs.nextIno}
	fs.nextIno++
	setMeta(n, h)
	n.RdevMajor, n.RdevMinor = h.rdevMajor, h.rdevMinor
	if n.IsDir() {
		n.Children = make(map[string]*Node)
	}
	return n
}

// setMeta applies an entry's owner, mode and time: do_name()'s chown,
// chmod and do_utime(). The file type is not changed.
func setMeta(n *Node, h header) {
	typ := n.Mode & vfs.S_IFMT
	if typ == 0 {
		typ = h.mode & vfs.S_IFMT
	}
	n.Mode = typ | h.mode&vfs.PermMask
	n.UID, n.GID = h.uid, h.gid
	n.Mtime = int64(h.mtime)
}

// setData makes body a regular file's contents.
func setData(n *Node, body []byte) {
	n.Data = body
	n.Size = int64(len(body))
}

// countLinks sets Nlink for every node under dir and counts the nodes:
// a directory has its entry in its parent, its own "." and each
// subdirectory's "..".
func (fs *FS) countLinks(root *Node) {
	seen := make(map[*Node]bool)
	var visit func(dir *Node)
	visit = func(dir *Node) {
		fs.Nodes++
		seen[dir] = true
		dir.Nlink = 2
		for _, c := range dir.Children {
			if c.IsDir() {
				dir.Nlink++
				visit(c)
				continue
			}
			if !seen[c] {
				seen[c] = true
				fs.Nodes++
				c.Nlink = 0
			}
			c.Nlink++
		}
	}
	visit(root)
}
