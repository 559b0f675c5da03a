package initramfs

import (
	"fmt"
	"time"

	"tamix/fs"
)

// Populate unpacks the archive in data into the directory root (the
// tmpfs root at boot) through the VFS's own operations: a directory per
// directory, a file written per file, hard links as links, symbolic
// links, device nodes, FIFOs; then each entry's permissions, owner and
// modification time. The file data is copied, so data may be freed
// afterwards. Returns the unpacked tree's node count.
//
// Mirrors init/initramfs.c:populate_rootfs() -> unpack_to_rootfs(), whose
// do_name(), do_copy() and do_symlink() make the same calls (init_mkdir(),
// filp_open() + kernel_write(), init_symlink(), init_link(),
// init_mknod(), init_chown(), init_chmod(), do_utime()). Differs: the
// archive is parsed into a tree first (Parse), so a corrupt archive
// changes nothing.
func Populate(root fs.Path, data []byte) (int, error) {
	tree, err := Parse(data)
	if err != nil {
		return 0, err
	}
	first := map[*Node]string{} // hard links: a node's first path
	err = tree.Walk(func(path string, n *Node) error {
		if err := create(root, path, n, first); err != nil {
			return fmt.Errorf("initramfs: %s: %w", path, err)
		}
		return nil
	})
	return tree.Nodes, err
}

// create makes one entry and applies its metadata.
func create(root fs.Path, path string, n *Node, first map[*Node]string) error {
	if path == "/" {
		return applyMeta(root, path, n)
	}
	if !n.IsDir() {
		if p, ok := first[n]; ok {
			return fs.Link(root, root, p, root, path, 0)
		}
		first[n] = path
	}
	var err error
	switch {
	case n.IsDir():
		err = fs.Mkdir(root, root, path, n.Mode&fs.PermMask)
	case n.IsSymlink():
		err = fs.Symlink(root, root, n.Target, path)
	case n.IsRegular():
		err = writeFile(root, path, n)
	default:
		err = fs.Mknod(root, root, path, n.Mode, fs.Mkdev(n.RdevMajor, n.RdevMinor))
	}
	if err != nil {
		return err
	}
	return applyMeta(root, path, n)
}

// writeFile creates path and writes the node's data into it.
func writeFile(root fs.Path, path string, n *Node) error {
	f, err := fs.Open(nil, root, root, path, fs.O_WRONLY|fs.O_CREAT|fs.O_EXCL, n.Mode&fs.PermMask)
	if err != nil {
		return err
	}
	defer f.Put()
	for done := 0; done < len(n.Data); {
		w, err := f.Write(nil, n.Data[done:])
		if err != nil {
			return err
		}
		done += w
	}
	return nil
}

// applyMeta gives the entry its archive mode, owner and modification time
// (symbolic links keep 0777, as chmod cannot change them).
func applyMeta(root fs.Path, path string, n *Node) error {
	p, err := fs.LookupAt(root, root, path, 0)
	if err != nil {
		return err
	}
	in := p.Inode()
	mtime := time.Unix(n.Mtime, 0)
	in.Lock()
	if !in.IsSymlink() {
		in.Mode = in.Type() | n.Mode&fs.PermMask
	}
	in.UID, in.GID = n.UID, n.GID
	in.Mtime, in.Atime = mtime, mtime
	in.Unlock()
	return nil
}
