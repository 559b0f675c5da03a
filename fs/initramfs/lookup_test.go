package initramfs

import (
	"errors"
	"fmt"
	"strings"
	"tamix/abi"
	vfs "tamix/fs"
	"testing"
)

func lookupFS(t *testing.T) *FS {
	entries := []entry{
		dir("bin"), file("bin/busybox", "bb"), symlink("bin/sh", "busybox"),
		symlink("sbin", "bin"), symlink("abs", "/bin/busybox"),
		symlink("up", "../bin"), symlink("dangling", "nowhere"),
		symlink("loop", "loop"), symlink("ping", "pong"), symlink("pong", "ping"),
		symlink("slash", "bin/"), symlink("fileslash", "bin/busybox/"),
		file("dir/sub/f", "deep"), symlink("dir/sub/back", "../../bin/sh"),
	}
	// chain0 -> chain1 -> ... -> chain40 -> bin/busybox: 41 links.
	for i := 0; i <= vfs.MaxSymlinks; i++ {
		target := fmt.Sprintf("chain%d", i+1)
		if i == vfs.MaxSymlinks {
			target = "bin/busybox"
		}
		entries = append(entries, symlink(fmt.Sprintf("chain%d", i), target))
	}
	return mustParse(t, archive(entries...))
}

func TestLookup(t *testing.T) {
	fs := lookupFS(t)
	bb, _ := fs.Lookup("/bin/busybox", false)
	bin, _ := fs.Lookup("/bin", false)
	if bb == nil || bin == nil {
		t.Fatal("no /bin/busybox")
	}
	sh := bin.Children["sh"]
	tests := []struct {
		path   string
		follow bool
		want   *Node
		errno  abi.Errno
	}{
		{"/", false, fs.Root, 0},
		{"//", false, fs.Root, 0},
		{".", false, fs.Root, 0},
		{"..", false, fs.Root, 0},
		{"/..", false, fs.Root, 0},
		{"bin/busybox", false, bb, 0},
		{"/bin//./busybox", false, bb, 0},
		{"/bin/../bin/busybox", false, bb, 0},
		{"/bin/sh", false, sh, 0},
		{"/bin/sh", true, bb, 0},
		{"/sbin/sh", true, bb, 0},       // a link in the middle
		{"/sbin/", false, bin, 0},       // trailing slash follows
		{"/sbin/.", false, bin, 0},      // so does "."
		{"/sbin/..", false, fs.Root, 0}, // ".." is physical
		{"/abs", true, bb, 0},           // absolute target
		{"/up/busybox", true, bb, 0},    // relative target with ".."
		{"/dir/sub/back", true, bb, 0},  // two levels of links
		{"/dir/sub/../../bin", true, bin, 0},
		{"/slash", true, bin, 0},
		{"/bin/busybox/", true, nil, abi.ENOTDIR},
		{"/bin/busybox/x", true, nil, abi.ENOTDIR},
		{"/bin/busybox/.", true, nil, abi.ENOTDIR},
		{"/fileslash", true, nil, abi.ENOTDIR},
		{"/bin/sh/", false, nil, abi.ENOTDIR},
		{"/missing", true, nil, abi.ENOENT},
		{"/missing/x", true, nil, abi.ENOENT},
		{"/dangling", true, nil, abi.ENOENT},
		{"/dangling/", false, nil, abi.ENOENT},
		{"", true, nil, abi.ENOENT},
		{"/loop", true, nil, abi.ELOOP},
		{"/ping/x", false, nil, abi.ELOOP},
		{"/chain1", true, bb, 0},          // 40 links: the limit
		{"/chain0", true, nil, abi.ELOOP}, // 41 links
		{"/" + strings.Repeat("n", 256), true, nil, abi.ENAMETOOLONG},
		{strings.Repeat("./", vfs.PathMax/2), true, nil, abi.ENAMETOOLONG},
	}
	for _, tt := range tests {
		name := tt.path
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		t.Run(fmt.Sprintf("%s,%v", name, tt.follow), func(t *testing.T) {
			n, err := fs.Lookup(tt.path, tt.follow)
			if tt.errno != 0 {
				if !errors.Is(err, tt.errno) || n != nil {
					t.Errorf("got %v, %v; want %v", n, err, tt.errno)
				}
				return
			}
			if err != nil || n != tt.want {
				t.Errorf("got %v (%v), want %q", n, err, tt.want.Name)
			}
		})
	}
	// Just below PATH_MAX is fine.
	if _, err := fs.Lookup(strings.Repeat("./", vfs.PathMax/2-1)+"b", true); !errors.Is(err, abi.ENOENT) {
		t.Errorf("4095-byte path: %v", err)
	}
}

func TestLookupAt(t *testing.T) {
	fs := lookupFS(t)
	sub, err := fs.Lookup("dir/sub", true)
	must(t, err)
	f, err := fs.LookupAt(sub, "f", true)
	if err != nil || string(f.Data) != "deep" {
		t.Errorf("f: %v", err)
	}
	if n, _ := fs.LookupAt(sub, "/bin/sh", true); n == nil || string(n.Data) != "bb" {
		t.Error("absolute path from a subdirectory")
	}
	if n, _ := fs.LookupAt(sub, "../..", true); n != fs.Root {
		t.Error("../.. from /dir/sub")
	}
	if _, err := fs.LookupAt(f, "x", true); !errors.Is(err, abi.ENOTDIR) {
		t.Errorf("lookup from a file: %v", err)
	}
}

func TestReadDir(t *testing.T) {
	fs := lookupFS(t)
	ents, err := fs.ReadDir("/sbin")
	must(t, err)
	if len(ents) != 2 || ents[0].Name != "busybox" || ents[1].Name != "sh" || !ents[1].Node.IsSymlink() {
		t.Errorf("ReadDir(/sbin) = %v", ents)
	}
	if _, err := fs.ReadDir("/bin/busybox"); !errors.Is(err, abi.ENOTDIR) {
		t.Errorf("ReadDir of a file: %v", err)
	}
	if _, err := fs.ReadDir("/nope"); !errors.Is(err, abi.ENOENT) {
		t.Errorf("ReadDir of nothing: %v", err)
	}
	var pe *PathError
	_, err = fs.Lookup("/nope", true)
	if !errors.As(err, &pe) || pe.Error() != "lookup /nope: no such file or directory" {
		t.Errorf("error text %v", err)
	}
	stop := errors.New("stop")
	n := 0
	if err := fs.Walk(func(string, *Node) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Walk did not stop: %v after %d", err, n)
	}
	if err := fs.Walk(func(p string, _ *Node) error {
		if p == "/dir/sub/f" {
			return stop
		}
		return nil
	}); err != stop {
		t.Errorf("Walk did not stop deep down: %v", err)
	}
}
