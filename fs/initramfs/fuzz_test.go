package initramfs

import (
	vfs "tamix/fs"
	"testing"
	"unsafe"
)

// FuzzParse feeds Parse arbitrary bytes; it must fail with a *FormatError
// or give a consistent tree, and lookups in it must not panic.
//
//	go test ./kernel/initramfs -run '^$' -fuzz FuzzParse -fuzztime 5m
func FuzzParse(f *testing.F) {
	a := entry{name: "a", mode: vfs.S_IFREG | 0o644, ino: 7, nlink: 2}
	b := a
	b.name, b.data = "d/b", "linked"
	f.Add(archive(dir("d"), file("d/f", "x"), symlink("l", "d/f"), a, b,
		entry{name: "c", mode: vfs.S_IFCHR, rdevMajor: 1, rdevMin: 3, crc: true}))
	f.Add(append(archive(symlink("s", "/s")), archive(file("s/x", ""))...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := Parse(data)
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
		nodes := map[*Node]bool{}
		fs.Walk(func(path string, n *Node) error {
			nodes[n] = true
			if n.IsRegular() && len(n.Data) > 0 {
				p := uintptr(unsafe.Pointer(&n.Data[0]))
				if p < lo || p+uintptr(len(n.Data)) > lo+uintptr(len(data)) {
					t.Fatalf("%s: data outside the archive", path)
				}
			}
			if n.IsDir() && (n.Parent == nil || n.Parent.Children == nil) {
				t.Fatalf("%s: directory without parent", path)
			}
			if n.Nlink == 0 {
				t.Fatalf("%s: no links", path)
			}
			// Lookups of the path itself and of odd variants.
			if m, err := fs.Lookup(path, false); err != nil || m != n {
				t.Fatalf("lookup %s: %v", path, err)
			}
			fs.Lookup(path+"/../x/./", true)
			if n.IsSymlink() {
				fs.Lookup(path, true)
			}
			return nil
		})
		if len(nodes) != fs.Nodes {
			t.Fatalf("walked %d nodes, Nodes = %d", len(nodes), fs.Nodes)
		}
	})
}
