package initramfs

import (
	"strings"
	vfs "tamix/fs"

	"tamix/abi"
)

// Lookup finds the node at path, relative to the root whether or not it
// starts with "/". Symbolic links in the middle of the path are always
// followed; a symbolic link at the end is followed only if follow is set
// (stat versus lstat, open versus O_NOFOLLOW) or if the path ends in "/".
// At most vfs.MaxSymlinks links are followed in all.
//
// Errors are *PathError with Linux's errno: abi.ENOENT (a missing component,
// or an empty path), abi.ENOTDIR (a component used as a directory is not one),
// abi.ENAMETOOLONG (a path of PATH_MAX bytes or more, or a component longer
// than NAME_MAX), abi.ELOOP (too many symbolic links).
//
// Mirrors fs/namei.c:path_lookupat() -> link_path_walk(), walk_component(),
// handle_dots() and pick_link(). Differs: no permission checks, no mount
// points, and ".." is always the physical parent, as in Linux without
// LOOKUP_BENEATH tricks.
func (fs *FS) Lookup(path string, follow bool) (*Node, error) {
	return fs.LookupAt(fs.Root, path, follow)
}

// LookupAt is Lookup with relative paths starting at directory dir (the
// working directory, or openat's dirfd). Absolute paths start at the root.
func (fs *FS) LookupAt(dir *Node, path string, follow bool) (*Node, error) {
	if len(path) >= vfs.PathMax {
		return nil, &PathError{"lookup", path, abi.ENAMETOOLONG}
	}
	if path == "" {
		return nil, &PathError{"lookup", path, abi.ENOENT}
	}
	w := walker{fs: fs}
	n, errno := w.walk(dir, path, follow)
	if errno != 0 {
		return nil, &PathError{"lookup", path, errno}
	}
	return n, nil
}

// walker is one path walk: Linux's struct nameidata, reduced to the count
// of links followed so far (total_link_count).
type walker struct {
	fs    *FS
	links int
}

// walk resolves path from dir. Relative symlink targets resolve from the
// directory holding the link, absolute ones from the root.
func (w *walker) walk(dir *Node, path string, follow bool) (*Node, abi.Errno) {
	cur := dir
	if strings.HasPrefix(path, "/") {
		cur = w.fs.Root
	}
	// A trailing slash asks for a directory and follows a final link.
	trailing := strings.HasSuffix(path, "/")
	follow = follow || trailing
	rest := path
	for rest != "" {
		var name string
		name, rest, _ = strings.Cut(rest, "/")
		if name == "" {
			continue
		}
		if !cur.IsDir() {
			return nil, abi.ENOTDIR
		}
		last := strings.Trim(rest, "/") == ""
		next, errno := w.step(cur, name, !last || follow)
		if errno != 0 {
			return nil, errno
		}
		cur = next
	}
	if trailing && !cur.IsDir() {
		return nil, abi.ENOTDIR
	}
	return cur, 0
}

// step moves from directory cur to its entry name, following the entry if
// it is a symbolic link and follow is set. Mirrors walk_component() and,
// for "." and "..", handle_dots().
func (w *walker) step(cur *Node, name string, follow bool) (*Node, abi.Errno) {
	switch {
	case len(name) > vfs.NameMax:
		return nil, abi.ENAMETOOLONG
	case name == ".":
		return cur, 0
	case name == "..":
		return cur.Parent, 0
	}
	next := cur.Children[name]
	if next == nil {
		return nil, abi.ENOENT
	}
	if !next.IsSymlink() || !follow {
		return next, 0
	}
	// pick_link(): count the link and walk its target.
	w.links++
	if w.links > vfs.MaxSymlinks {
		return nil, abi.ELOOP
	}
	return w.walk(cur, next.Target, true)
}
