// Package initramfs unpacks the initial RAM file system that QEMU hands
// the kernel with -initrd: a cpio archive in the "newc" format (what
// `cpio -o -H newc` and Linux's usr/gen_init_cpio write), kept in memory
// as a tree of Nodes that exec and open read from.
//
// It is the unpacking half of Linux's init/initramfs.c (unpack_to_rootfs()
// and its state machine do_header(), do_name(), do_copy(), do_symlink()),
// with the tree standing in for the rootfs tmpfs that Linux fills through
// ordinary system calls, and Lookup standing in for fs/namei.c's path walk.
//
// Differences from Linux, all deliberate:
//   - Regular files are not copied: a Node's Data is a slice of the archive
//     buffer, which must therefore stay alive and unchanged.
//   - Compressed archives (gzip, xz, zstd, ...) are refused; the build makes
//     an uncompressed archive.
//   - Parent directories that the archive does not list are created
//     (mode 0755, owner root); Linux would fail to create the file.
//   - A corrupt or truncated archive is an error for the whole archive.
//     Linux's unpacker reports the first error and keeps what it has; a
//     teaching kernel had better stop and say why.
//   - Permissions are recorded but not enforced by Lookup (everybody may
//     search every directory).
//
// The package is pure Go and builds for the host, where its tests run,
// as well as for GOOS=tamago.
package initramfs

import (
	"sort"
	vfs "tamix/fs"

	"tamix/abi"
)

// File types, permission bits and path-name limits are fs's (vfs.S_IFMT,
// vfs.PathMax, ...): a Node's Mode is an st_mode like an inode's.

// PathError is a failed lookup: the operation, the path and the errno
// for user space.
type PathError struct {
	Op    string
	Path  string
	Errno abi.Errno
}

func (e *PathError) Error() string { return e.Op + " " + e.Path + ": " + e.Errno.Error() }

// Unwrap lets errors.Is(err, abi.ENOENT) work.
func (e *PathError) Unwrap() error { return e.Errno }

// Node is one file of the tree: a directory, a regular file, a symbolic
// link or a special file. It plays the part of Linux's inode. Hard links
// are several directory entries pointing at the same Node. The tree is
// built by Parse and read-only afterwards, so readers need no lock.
type Node struct {
	// Name is the last component of the node's first path ("/" for the
	// root). Directory entries (Children, ReadDir) carry every link's name.
	Name string
	// Ino is the inode number, given by Parse in creation order from 1
	// (the root); archive inode numbers only identify hard links.
	Ino uint64
	// Mode is the file type (vfs.S_IFMT bits) and permissions, as st_mode.
	Mode uint32
	UID  uint32
	GID  uint32
	// Nlink counts the directory entries naming the node; for a
	// directory, 2 plus its subdirectories, as on Linux.
	Nlink uint32
	// Mtime is the modification time in seconds since the epoch.
	Mtime int64
	// Size is len(Data) for a regular file, len(Target) for a symlink,
	// and 0 otherwise.
	Size int64
	// Data is a regular file's contents: a slice of the archive.
	Data []byte
	// Target is a symbolic link's contents.
	Target string
	// RdevMajor and RdevMinor are a device node's device number.
	RdevMajor, RdevMinor uint32
	// Parent is the directory holding a directory's entry (the root is
	// its own parent); ".." goes there. Nil for other types.
	Parent *Node
	// Children maps names to nodes in a directory, nil otherwise.
	Children map[string]*Node
}

// IsDir, IsRegular and IsSymlink report the node's file type.
func (n *Node) IsDir() bool     { return n.Mode&vfs.S_IFMT == vfs.S_IFDIR }
func (n *Node) IsRegular() bool { return n.Mode&vfs.S_IFMT == vfs.S_IFREG }
func (n *Node) IsSymlink() bool { return n.Mode&vfs.S_IFMT == vfs.S_IFLNK }

// DirEntry is one entry of a directory listing.
type DirEntry struct {
	Name string
	Node *Node
}

// ReadDir returns the entries of directory n sorted by name, without "."
// and ".." (getdents adds those). Nil if n is not a directory.
func (n *Node) ReadDir() []DirEntry {
	names := make([]string, 0, len(n.Children))
	for name := range n.Children {
		names = append(names, name)
	}
	sort.Strings(names)
	ents := make([]DirEntry, len(names))
	for i, name := range names {
		ents[i] = DirEntry{name, n.Children[name]}
	}
	return ents
}

// FS is an unpacked archive.
type FS struct {
	Root *Node
	// Nodes counts the nodes of the tree, hard links counted once.
	Nodes int
	// nextIno is the inode number of the next new node.
	nextIno uint64
}

// ReadDir lists the directory at path (symbolic links followed).
func (fs *FS) ReadDir(path string) ([]DirEntry, error) {
	n, err := fs.Lookup(path, true)
	if err != nil {
		return nil, err
	}
	if !n.IsDir() {
		return nil, &PathError{"readdir", path, abi.ENOTDIR}
	}
	return n.ReadDir(), nil
}

// Walk calls fn for every path of the tree, depth first in name order,
// starting with "/". A node with several hard links is visited once per
// link. Walk stops at the first error fn returns and returns it.
func (fs *FS) Walk(fn func(path string, n *Node) error) error {
	return walk("/", fs.Root, fn)
}

func walk(path string, n *Node, fn func(string, *Node) error) error {
	if err := fn(path, n); err != nil {
		return err
	}
	if path == "/" {
		path = ""
	}
	for _, e := range n.ReadDir() {
		if err := walk(path+"/"+e.Name, e.Node, fn); err != nil {
			return err
		}
	}
	return nil
}
