package initramfs

import (
	"errors"
	"fmt"
	"strings"
	vfs "tamix/fs"
	"testing"
	"unsafe"
)

// entry is one member of a test archive.
type entry struct {
	name               string
	mode               uint32
	data               string
	uid, gid, mtime    uint32
	ino, nlink         uint32
	rdevMajor, rdevMin uint32
	crc                bool
}

// appendEntry appends e in the newc format, as GNU cpio writes it.
func appendEntry(b []byte, e entry) []byte {
	magic := magicNewc
	sum := uint32(0)
	if e.crc {
		magic = magicCRC
		for i := 0; i < len(e.data); i++ {
			sum += uint32(e.data[i])
		}
	}
	nlink := e.nlink
	if nlink == 0 {
		nlink = 1
	}
	b = fmt.Appendf(b, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
		e.ino, e.mode, e.uid, e.gid, nlink, e.mtime, len(e.data), 0, 0, e.rdevMajor, e.rdevMin,
		len(e.name)+1, sum)
	b = append(append(b, e.name...), 0)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, e.data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// archive builds an archive of entries and a trailer.
func archive(entries ...entry) []byte {
	var b []byte
	for i, e := range entries {
		if e.ino == 0 {
			e.ino = uint32(100 + i)
		}
		b = appendEntry(b, e)
	}
	return appendEntry(b, entry{name: trailerName})
}

func dir(name string) entry        { return entry{name: name, mode: vfs.S_IFDIR | 0o755} }
func file(name, data string) entry { return entry{name: name, mode: vfs.S_IFREG | 0o644, data: data} }
func symlink(name, target string) entry {
	return entry{name: name, mode: vfs.S_IFLNK | 0o777, data: target}
}
func mustParse(t *testing.T, b []byte) *FS { t.Helper(); fs, err := Parse(b); must(t, err); return fs }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tree renders fs as one line per path, for compact comparisons.
func tree(fs *FS) string {
	var lines []string
	fs.Walk(func(path string, n *Node) error {
		line := fmt.Sprintf("%s %o", path, n.Mode)
		switch {
		case n.IsRegular():
			line += fmt.Sprintf(" %q", n.Data)
		case n.IsSymlink():
			line += " -> " + n.Target
		}
		lines = append(lines, line)
		return nil
	})
	return strings.Join(lines, "\n")
}

func TestParseTree(t *testing.T) {
	hello := file("bin/hello", "\x7fELF...")
	hello.mode, hello.uid, hello.gid, hello.mtime = vfs.S_IFREG|0o4755, 1000, 100, 1700000000
	data := archive(
		entry{name: ".", mode: vfs.S_IFDIR | 0o700, mtime: 5},
		dir("bin"), hello, symlink("bin/sh", "hello"), symlink("init", "/bin/hello"),
		entry{name: "dev/console", mode: vfs.S_IFCHR | 0o600, rdevMajor: 5, rdevMin: 1},
		entry{name: "./etc/motd", mode: vfs.S_IFREG | 0o644, data: "welcome\n", crc: true},
		entry{name: "/empty", mode: vfs.S_IFREG | 0o600},
	)
	fs := mustParse(t, data)
	want := `/ 40700
/bin 40755
/bin/hello 104755 "\x7fELF..."
/bin/sh 120777 -> hello
/dev 40755
/dev/console 20600
/empty 100600 ""
/etc 40755
/etc/motd 100644 "welcome\n"
/init 120777 -> /bin/hello`
	if got := tree(fs); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	n, err := fs.Lookup("/bin/hello", false)
	must(t, err)
	if n.UID != 1000 || n.GID != 100 || n.Mtime != 1700000000 || n.Size != 7 || n.Nlink != 1 || n.Name != "hello" {
		t.Errorf("hello: %+v", n)
	}
	base := uintptr(unsafe.Pointer(&data[0]))
	if p := uintptr(unsafe.Pointer(&n.Data[0])); p < base || p >= base+uintptr(len(data)) || cap(n.Data) != 7 {
		t.Error("file data is not a slice of the archive")
	}
	if fs.Root.Mtime != 5 || fs.Root.Nlink != 5 || fs.Root.Ino != 1 || fs.Nodes != 10 {
		t.Errorf("root %+v, %d nodes", fs.Root, fs.Nodes)
	}
	con, err := fs.Lookup("dev/console", true)
	must(t, err)
	if con.RdevMajor != 5 || con.RdevMinor != 1 || con.Parent != nil {
		t.Errorf("console %+v", con)
	}
	if dev, _ := fs.Lookup("/dev", true); dev.Mode != vfs.S_IFDIR|0o755 || dev.UID != 0 || dev.Nlink != 2 || dev.Parent != fs.Root {
		t.Errorf("implicit /dev: %+v", dev)
	}
	inos := map[uint64]bool{}
	fs.Walk(func(path string, n *Node) error {
		if inos[n.Ino] {
			t.Errorf("%s: inode %d used twice", path, n.Ino)
		}
		inos[n.Ino] = true
		return nil
	})
}

// TestHardLinks: GNU cpio stores a multiply linked file's data with its
// last name only; all names end up on one Node.
func TestHardLinks(t *testing.T) {
	a := entry{name: "a", mode: vfs.S_IFREG | 0o644, ino: 7, nlink: 3}
	b, c := a, a
	b.name, c.name, c.data = "sub/b", "c", "shared"
	other := file("d", "other") // same ino, nlink 1: not a link
	other.ino = 7
	fs := mustParse(t, archive(a, b, c, other))
	na, _ := fs.Lookup("a", true)
	nb, _ := fs.Lookup("sub/b", true)
	nc, _ := fs.Lookup("c", true)
	nd, _ := fs.Lookup("d", true)
	if na != nb || nb != nc || na == nd {
		t.Fatal("links are not one node")
	}
	if string(na.Data) != "shared" || na.Nlink != 3 || na.Name != "a" || nd.Nlink != 1 {
		t.Errorf("a: %+v", na)
	}
	if fs.Nodes != 4 { // root, sub, a=b=c, d
		t.Errorf("%d nodes", fs.Nodes)
	}
	// Links pair up only within one archive, as Linux frees its table at
	// each trailer.
	fs = mustParse(t, append(archive(a), archive(c)...))
	na, _ = fs.Lookup("a", true)
	nc, _ = fs.Lookup("c", true)
	if na == nc {
		t.Error("link across archives")
	}
}

// TestReplace: later entries for the same path, as Linux's clean_path()
// and do_name() treat them.
func TestReplace(t *testing.T) {
	fs := mustParse(t, archive(
		file("f", "one"), file("f", "two"), // same type: rewritten in place
		symlink("l", "x"), symlink("l", "y"), // symlinks replace
		file("d", "file"), dir("d"), file("d/x", ""), // a dir replaces a file
		entry{name: "d", mode: vfs.S_IFDIR | 0o700}, // a dir updates a dir
		dir("e"), file("e", "now a file"), // an empty dir is replaced
		symlink("s", "d"), file("s/y", "via link"), // parents follow links
	))
	want := `/ 40755
/d 40700
/d/x 100644 ""
/d/y 100644 "via link"
/e 100644 "now a file"
/f 100644 "two"
/l 120777 -> y
/s 120777 -> d`
	if got := tree(fs); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	// A rewritten file keeps its inode, so its hard links see new data.
	a := entry{name: "a", mode: vfs.S_IFREG | 0o644, ino: 9, nlink: 2, data: "old"}
	b := a
	b.name, b.data = "b", ""
	fs = mustParse(t, archive(a, b, file("b", "new")))
	na, _ := fs.Lookup("a", true)
	if string(na.Data) != "new" || na.Nlink != 2 {
		t.Errorf("a: %q, %d links", na.Data, na.Nlink)
	}
}

func TestConcatenated(t *testing.T) {
	data := append(archive(file("early", "ucode")), make([]byte, 512)...)
	data = append(data, archive(file("late", "main"))...)
	data = append(data, 0, 0, 0)
	fs := mustParse(t, data)
	if got := tree(fs); got != "/ 40755\n/early 100644 \"ucode\"\n/late 100644 \"main\"" {
		t.Errorf("tree:\n%s", got)
	}
	for _, b := range [][]byte{nil, make([]byte, 100)} {
		if fs := mustParse(t, b); len(fs.Root.Children) != 0 || fs.Nodes != 1 {
			t.Errorf("%d bytes: tree %s", len(b), tree(fs))
		}
	}
	// A trailer whose final padding is cut off is still the end.
	tr := archive()
	mustParse(t, tr[:len(tr)-2])
}

func TestParseErrors(t *testing.T) {
	good := archive(file("a", "data"))
	hdr := func(field int, v string) []byte {
		b := append([]byte(nil), good...)
		copy(b[6+8*field:], v)
		return b
	}
	badName := append([]byte(nil), good...)
	badName[headerSize+1] = 'x' // overwrite the name's NUL
	noTrailer := appendEntry(nil, file("a", "b"))
	badSum := appendEntry(nil, entry{name: "c", mode: vfs.S_IFREG, data: "abc", crc: true})
	badSum[headerSize+2] ^= 1 // the data's first byte
	badSum = append(badSum, archive()...)
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"truncated header", good[:50], "truncated header"},
		{"no trailer", noTrailer, "no TRAILER!!!"},
		{"data truncated", good[:headerSize+2+2], "data truncated"},
		{"name truncated", good[:headerSize+1], "name truncated"},
		{"bad magic", []byte("0707" + strings.Repeat("x", 200)), "no cpio magic"},
		{"odc", append([]byte("070707"), good[6:]...), "-H newc"},
		{"gzip", []byte{0x1f, 0x8b, 8, 0}, "gzip"},
		{"xz", []byte("\xfd7zXZ\x00...."), "xz"},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd"},
		{"junk", []byte("junk"), "no cpio magic"},
		{"junk after trailer", append(append([]byte(nil), good...), 'j'), "no cpio magic"},
		{"unaligned", append(append([]byte(nil), good...), 0, '0', '7', '0'), "not 4-byte aligned"},
		{"bad hex", hdr(1, "0000G1A4"), "not 8 hexadecimal digits"},
		{"space in hex", hdr(6, " 0000004"), "field 6"},
		{"name size 0", hdr(11, "00000000"), "name size 0"},
		{"name size huge", hdr(11, "00001001"), "name size 4097"},
		{"name without NUL", badName, "not NUL-terminated"},
		{"size past end", hdr(6, "00010000"), "data truncated"},
		{"checksum", badSum, "bad data checksum"},
		{"unknown type", archive(entry{name: "x", mode: 0o644}), "unknown file type"},
		{"dir with data", archive(entry{name: "x", mode: vfs.S_IFDIR, data: "d"}), "1 bytes of data"},
		{"fifo with data", archive(entry{name: "x", mode: vfs.S_IFIFO, data: "d"}), "1 bytes of data"},
		{"empty symlink", archive(symlink("x", "")), "symbolic link target of 0 bytes"},
		{"NUL in symlink", archive(symlink("x", "a\x00b")), "symbolic link target"},
		{"dotdot", archive(file("../etc/passwd", "")), `".."`},
		{"long component", archive(file(strings.Repeat("n", 256), "")), "NAME_MAX"},
		{"root as file", archive(file(".", "")), "root must be a directory"},
		{"parent is file", archive(file("a", ""), file("a/b", "")), `parent "a" is not a directory`},
		{"parent dangling", archive(symlink("a", "nowhere"), file("a/b", "")), "no such file"},
		{"replace full dir", archive(file("d/x", ""), file("d", "")), "non-empty directory"},
		{"link replaces full dir", archive(
			entry{name: "a", mode: vfs.S_IFREG, ino: 3, nlink: 2}, file("d/x", ""),
			entry{name: "d", mode: vfs.S_IFREG, ino: 3, nlink: 2}), "non-empty directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Parse(tt.data)
			if err == nil {
				t.Fatalf("parsed:\n%s", tree(fs))
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("%v is not a *FormatError", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

// TestTruncatedEverywhere cuts a valid archive at every length: all but
// the full one (and those that only lose trailer padding) must fail.
func TestTruncatedEverywhere(t *testing.T) {
	data := archive(dir("d"), file("d/f", "contents"), symlink("l", "d/f"))
	full := len(data) - 3 // the trailer's name padding may go
	for n := 0; n < len(data); n++ {
		_, err := Parse(data[:n])
		if n >= full || n == 0 {
			if err != nil {
				t.Errorf("%d bytes: %v", n, err)
			}
		} else if err == nil {
			t.Errorf("%d of %d bytes parsed", n, len(data))
		}
	}
}

// TestLowerCaseHex: Linux's simple_strtoul() reads either case, and
// usr/gen_init_cpio writes lower case.
func TestLowerCaseHex(t *testing.T) {
	data := archive(dir("abc"))
	copy(data, strings.ToLower(string(data[:headerSize])))
	if !strings.Contains(string(data[:headerSize]), "41ed") {
		t.Fatalf("header %q has no lower-case digits", data[:headerSize])
	}
	fs := mustParse(t, data)
	if fs.Root.Children["abc"] == nil {
		t.Errorf("tree %s", tree(fs))
	}
}

func TestFormatErrorText(t *testing.T) {
	e := &FormatError{Offset: 0x10, Msg: "m"}
	if e.Error() != "initramfs: offset 0x10: m" {
		t.Error(e.Error())
	}
	e.Name = "n"
	if e.Error() != `initramfs: entry "n" at offset 0x10: m` {
		t.Error(e.Error())
	}
}
