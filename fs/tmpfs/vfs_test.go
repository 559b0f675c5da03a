package tmpfs

import (
	"encoding/binary"
	"strings"
	"testing"

	"tamix/abi"
	"tamix/fs"
)

// The VFS's path walk and directory operations over a tmpfs, on the
// host. (They live here because fs cannot import tmpfs.)

func newRoot(t *testing.T, opts string) fs.Path {
	t.Helper()
	sb, err := NewSuperBlock(opts)
	if err != nil {
		t.Fatal(err)
	}
	return fs.NewRootMount(sb, "test")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err error, want abi.Errno) {
	t.Helper()
	if err != want {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

func lookup(root fs.Path, name string) (fs.Path, error) {
	return fs.LookupAt(root, root, name, fs.LOOKUP_FOLLOW)
}

func writeFile(t *testing.T, root fs.Path, name, data string) {
	t.Helper()
	f, err := fs.Open(nil, root, root, name, fs.O_WRONLY|fs.O_CREAT|fs.O_TRUNC, 0o644)
	must(t, err)
	defer f.Put()
	if n, err := f.Write(nil, []byte(data)); err != nil || n != len(data) {
		t.Fatalf("write %s: %d, %v", name, n, err)
	}
}

func nlink(t *testing.T, root fs.Path, name string) uint32 {
	t.Helper()
	p, err := fs.LookupAt(root, root, name, 0)
	must(t, err)
	return fs.Getattr(p, p.Inode()).Nlink
}

func TestWalkEdges(t *testing.T) {
	root := newRoot(t, "")
	must(t, fs.Mkdir(root, root, "/a", 0o755))
	must(t, fs.Mkdir(root, root, "/a/b", 0o755))
	writeFile(t, root, "/a/f", "x")
	for _, c := range []struct {
		name string
		want error
	}{
		{"/a/b/../b/./", nil}, {"/../../a", nil}, {"a//b", nil},
		{"", abi.ENOENT}, {"/nope", abi.ENOENT}, {"/a/f/x", abi.ENOTDIR},
		{"/a/f/", abi.ENOTDIR}, {"/a/" + strings.Repeat("n", 256), abi.ENAMETOOLONG},
		{"/" + strings.Repeat("a/", 2048), abi.ENAMETOOLONG},
	} {
		_, err := lookup(root, c.name)
		if err != c.want {
			t.Errorf("lookup %.40q: %v, want %v", c.name, err, c.want)
		}
	}
	p, _ := lookup(root, "/../..")
	if p != root {
		t.Errorf(`".." of the root is not the root`)
	}
}

func TestSymlinks(t *testing.T) {
	root := newRoot(t, "")
	must(t, fs.Mkdir(root, root, "/d", 0o755))
	writeFile(t, root, "/d/f", "data")
	must(t, fs.Symlink(root, root, "d/f", "/rel"))
	must(t, fs.Symlink(root, root, "/d", "/abs"))
	must(t, fs.Symlink(root, root, "loop2", "/loop1"))
	must(t, fs.Symlink(root, root, "loop1", "/loop2"))
	must(t, fs.Symlink(root, root, "missing", "/dangling"))
	if p, err := lookup(root, "/abs/f"); err != nil || !p.Inode().IsRegular() {
		t.Errorf("/abs/f: %v", err)
	}
	if p, err := fs.LookupAt(root, root, "/rel", 0); err != nil || !p.Inode().IsSymlink() {
		t.Errorf("lstat /rel: %v", err)
	}
	_, err := lookup(root, "/loop1")
	wantErr(t, "loop", err, abi.ELOOP)
	_, err = lookup(root, "/dangling")
	wantErr(t, "dangling", err, abi.ENOENT)
	// A chain of 40 links resolves; 41 is ELOOP.
	must(t, fs.Symlink(root, root, "/d", "/c0"))
	for i := 1; i <= 40; i++ {
		must(t, fs.Symlink(root, root, "/c"+itoa(i-1), "/c"+itoa(i)))
	}
	_, err = lookup(root, "/c39")
	if err != nil {
		t.Errorf("40 links: %v", err)
	}
	_, err = lookup(root, "/c40")
	wantErr(t, "41 links", err, abi.ELOOP)
	_, err = fs.Open(nil, root, root, "/rel", fs.O_RDONLY|fs.O_NOFOLLOW, 0)
	wantErr(t, "O_NOFOLLOW", err, abi.ELOOP)
	got, err := fs.Readlink(root, root, "/rel")
	if err != nil || got != "d/f" {
		t.Errorf("readlink: %q, %v", got, err)
	}
	_, err = fs.Readlink(root, root, "/d")
	wantErr(t, "readlink of a directory", err, abi.EINVAL)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestCreateRemove(t *testing.T) {
	root := newRoot(t, "")
	must(t, fs.Mkdir(root, root, "/d", 0o755))
	wantErr(t, "mkdir existing", fs.Mkdir(root, root, "/d", 0o755), abi.EEXIST)
	wantErr(t, "mkdir /", fs.Mkdir(root, root, "/", 0o755), abi.EEXIST)
	wantErr(t, "mkdir missing parent", fs.Mkdir(root, root, "/x/y", 0o755), abi.ENOENT)
	must(t, fs.Mkdir(root, root, "/d/sub/", 0o755))
	if n := nlink(t, root, "/d"); n != 3 {
		t.Errorf("nlink of /d with one subdirectory: %d, want 3", n)
	}
	writeFile(t, root, "/d/f", "hello")
	_, err := fs.Open(nil, root, root, "/d/f", fs.O_CREAT|fs.O_EXCL|fs.O_WRONLY, 0o644)
	wantErr(t, "O_EXCL", err, abi.EEXIST)
	_, err = fs.Open(nil, root, root, "/d/new/", fs.O_CREAT|fs.O_WRONLY, 0o644)
	wantErr(t, "O_CREAT with /", err, abi.EISDIR)
	_, err = fs.Open(nil, root, root, "/d", fs.O_WRONLY, 0)
	wantErr(t, "open dir for writing", err, abi.EISDIR)
	_, err = fs.Open(nil, root, root, "/d/f", fs.O_RDONLY|fs.O_DIRECTORY, 0)
	wantErr(t, "O_DIRECTORY", err, abi.ENOTDIR)
	wantErr(t, "unlink dir", fs.Unlink(root, root, "/d"), abi.EISDIR)
	wantErr(t, "unlink f/", fs.Unlink(root, root, "/d/f/"), abi.ENOTDIR)
	wantErr(t, "rmdir non-empty", fs.Rmdir(root, root, "/d"), abi.ENOTEMPTY)
	wantErr(t, "rmdir file", fs.Rmdir(root, root, "/d/f"), abi.ENOTDIR)
	wantErr(t, "rmdir .", fs.Rmdir(root, root, "/d/."), abi.EINVAL)
	wantErr(t, "rmdir ..", fs.Rmdir(root, root, "/d/sub/.."), abi.ENOTEMPTY)
	wantErr(t, "rmdir /", fs.Rmdir(root, root, "/"), abi.EBUSY)
	must(t, fs.Link(root, root, "/d/f", root, "/d/g", 0))
	if n := nlink(t, root, "/d/f"); n != 2 {
		t.Errorf("nlink after link: %d", n)
	}
	wantErr(t, "link dir", fs.Link(root, root, "/d", root, "/e", 0), abi.EPERM)
	must(t, fs.Unlink(root, root, "/d/f"))
	if n := nlink(t, root, "/d/g"); n != 1 {
		t.Errorf("nlink after unlink: %d", n)
	}
	must(t, fs.Unlink(root, root, "/d/g"))
	must(t, fs.Rmdir(root, root, "/d/sub"))
	if n := nlink(t, root, "/d"); n != 2 {
		t.Errorf("nlink of /d after rmdir: %d, want 2", n)
	}
	must(t, fs.Rmdir(root, root, "/d"))
}

func TestRename(t *testing.T) {
	root := newRoot(t, "")
	for _, d := range []string{"/a", "/a/b", "/c", "/full", "/full/x"} {
		must(t, fs.Mkdir(root, root, d, 0o755))
	}
	writeFile(t, root, "/f", "1")
	writeFile(t, root, "/g", "2")
	r := func(o, n string) error { return fs.Rename(root, root, o, root, n, 0) }
	wantErr(t, "dir into itself", r("/a", "/a/b/c"), abi.EINVAL)
	wantErr(t, "dir onto its child's parent", r("/a/b", "/a"), abi.ENOTEMPTY)
	wantErr(t, "file onto dir", r("/f", "/c"), abi.EISDIR)
	wantErr(t, "dir onto file", r("/c", "/f"), abi.ENOTDIR)
	wantErr(t, "dir onto non-empty dir", r("/c", "/full"), abi.ENOTEMPTY)
	wantErr(t, "missing", r("/nope", "/x"), abi.ENOENT)
	wantErr(t, "file with /", r("/f/", "/h"), abi.ENOTDIR)
	wantErr(t, ". source", r("/a/.", "/z"), abi.EBUSY)
	wantErr(t, "noreplace", fs.Rename(root, root, "/f", root, "/g", fs.RENAME_NOREPLACE), abi.EEXIST)
	must(t, r("/f", "/g")) // replaces g
	if _, err := lookup(root, "/f"); err != abi.ENOENT {
		t.Errorf("/f after rename: %v", err)
	}
	must(t, r("/c", "/a/b/c"))
	if n := nlink(t, root, "/a/b"); n != 3 {
		t.Errorf("nlink of the new parent: %d, want 3", n)
	}
	if n := nlink(t, root, "/"); n != 4 { // ".", a, full (c moved away)
		t.Errorf("nlink of the root: %d, want 4", n)
	}
	must(t, fs.Mkdir(root, root, "/e", 0o755))
	must(t, r("/e", "/a/b/c")) // an empty directory replaces an empty one
	must(t, r("/g", "/g"))
}

func TestGetdents64(t *testing.T) {
	root := newRoot(t, "")
	must(t, fs.Mkdir(root, root, "/d", 0o755))
	writeFile(t, root, "/d/file", "")
	must(t, fs.Mkdir(root, root, "/d/dir", 0o755))
	must(t, fs.Symlink(root, root, "x", "/d/link"))
	f, err := fs.Open(nil, root, root, "/d", fs.O_RDONLY|fs.O_DIRECTORY, 0)
	must(t, err)
	defer f.Put()
	_, err = fs.Getdents64(f, 10)
	wantErr(t, "tiny buffer", err, abi.EINVAL)
	got := map[string]uint8{}
	for {
		b, err := fs.Getdents64(f, fs.Dirent64Size("file")+1) // one entry at a time
		must(t, err)
		if len(b) == 0 {
			break
		}
		reclen := int(binary.LittleEndian.Uint16(b[16:]))
		if reclen%8 != 0 || reclen != len(b) {
			t.Fatalf("d_reclen %d of a %d-byte record", reclen, len(b))
		}
		name := string(b[19:])
		name = name[:strings.IndexByte(name, 0)]
		got[name] = b[18]
	}
	want := map[string]uint8{".": fs.DT_DIR, "..": fs.DT_DIR, "file": fs.DT_REG, "dir": fs.DT_DIR, "link": fs.DT_LNK}
	if len(got) != len(want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: d_type %d, want %d", k, got[k], v)
		}
	}
}

func TestDataAndENOSPC(t *testing.T) {
	root := newRoot(t, "size=16k")
	f, err := fs.Open(nil, root, root, "/f", fs.O_RDWR|fs.O_CREAT, 0o644)
	must(t, err)
	buf := make([]byte, 5*PageSize)
	n, err := f.Write(nil, buf)
	if n != 4*PageSize || err != nil {
		t.Errorf("write past the limit: %d, %v; want a short write of 4 pages", n, err)
	}
	_, err = f.Write(nil, buf)
	wantErr(t, "full", err, abi.ENOSPC)
	must(t, fs.Truncate(f.Inode, 10))
	if used, _, _, _ := Usage(root.Mnt.SB); used != 1 {
		t.Errorf("pages after truncate: %d, want 1", used)
	}
	must(t, fs.Truncate(f.Inode, 1<<40)) // a hole costs nothing
	got := make([]byte, 4)
	if n, err := f.Pread(nil, got, 1<<39); n != 4 || err != nil || string(got) != "\x00\x00\x00\x00" {
		t.Errorf("read of a hole: %d, %v, %q", n, err, got)
	}
	st := fs.Getattr(f.Path, f.Inode)
	if st.Blocks != 8 || st.Size != 1<<40 {
		t.Errorf("size %d blocks %d", st.Size, st.Blocks)
	}
	must(t, fs.Unlink(root, root, "/f"))
	if used, _, _, _ := Usage(root.Mnt.SB); used != 1 {
		t.Errorf("an open unlinked file lost its pages: %d", used)
	}
	f.Put()
	if used, _, inodes, _ := Usage(root.Mnt.SB); used != 0 || inodes != 1 {
		t.Errorf("after the last close: %d pages, %d inodes; want 0, 1", used, inodes)
	}
}

func TestMountCrossing(t *testing.T) {
	root := newRoot(t, "")
	must(t, fs.Mkdir(root, root, "/mnt", 0o755))
	target, err := lookup(root, "/mnt")
	must(t, err)
	must(t, fs.DoMount(nil, "x", target, "tmpfs", "size=1m"))
	must(t, fs.Mkdir(root, root, "/mnt/inside", 0o755))
	p, err := lookup(root, "/mnt/inside/../..")
	if err != nil || p != root {
		t.Errorf(`".." out of a mount: %v`, err)
	}
	wantErr(t, "rmdir a mountpoint", fs.Rmdir(root, root, "/mnt"), abi.EBUSY)
	wantErr(t, "rename across mounts", fs.Rename(root, root, "/mnt/inside", root, "/x", 0), abi.EXDEV)
	if name := fs.PathName(p, root); name != "/" {
		t.Errorf("PathName: %q", name)
	}
	in, _ := lookup(root, "/mnt/inside")
	if name := fs.PathName(in, root); name != "/mnt/inside" {
		t.Errorf("PathName: %q", name)
	}
	wantErr(t, "bad type", fs.DoMount(nil, "x", target, "nosuchfs", ""), abi.ENODEV)
	mroot, _ := lookup(root, "/mnt")
	must(t, fs.DoUmount(mroot))
	if _, err := lookup(root, "/mnt/inside"); err != abi.ENOENT {
		t.Errorf("after umount: %v", err)
	}
}
