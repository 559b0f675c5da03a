package initramfs

// Tests against GNU cpio: archives of a real directory tree, compared file
// by file with the tree. Skipped when cpio is missing.

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// makeTree creates a small tree with every kind of entry cpio stores
// without privileges.
func makeTree(t *testing.T) string {
	root := t.TempDir()
	write := func(name, data string, mode os.FileMode) {
		p := filepath.Join(root, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(data), mode))
		must(t, os.Chmod(p, mode))
	}
	write("bin/prog", strings.Repeat("\x7fELF", 1000), 0o755)
	write("etc/passwd", "root:x:0:0::/:/bin/sh\n", 0o644)
	write("empty", "", 0o600)
	write("odd", "123", 0o640) // needs padding
	must(t, os.Mkdir(filepath.Join(root, "emptydir"), 0o700))
	must(t, os.Symlink("prog", filepath.Join(root, "bin/sh")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(root, "pw")))
	must(t, os.Link(filepath.Join(root, "bin/prog"), filepath.Join(root, "prog-link")))
	must(t, syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600))
	return root
}

// runCpio archives root with cpio in the given format, names sorted.
func runCpio(t *testing.T, root, format string) []byte {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Skip("cpio not installed")
	}
	var names []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(root, p); rel != "." {
			names = append(names, rel)
		}
		return err
	})
	cmd := exec.Command("cpio", "--quiet", "-o", "-H", format)
	cmd.Dir = root
	cmd.Stdin = strings.NewReader(strings.Join(names, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpio -H %s: %v", format, err)
	}
	return out
}

// compareTree checks that the parsed tree and the directory agree.
func compareTree(t *testing.T, root string, tree *FS) {
	count := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		must(t, err)
		rel, _ := filepath.Rel(root, p)
		n, lerr := tree.Lookup("/"+rel, false)
		if lerr != nil {
			t.Errorf("%s: %v", rel, lerr)
			return nil
		}
		count++
		var st syscall.Stat_t
		must(t, syscall.Lstat(p, &st))
		if rel != "." && (n.Mode != st.Mode || n.UID != st.Uid || n.GID != st.Gid || n.Mtime != st.Mtim.Sec) {
			t.Errorf("%s: mode %o uid %d gid %d mtime %d; on disk %o %d %d %d",
				rel, n.Mode, n.UID, n.GID, n.Mtime, st.Mode, st.Uid, st.Gid, st.Mtim.Sec)
		}
		if n.Nlink != uint32(st.Nlink) {
			t.Errorf("%s: %d links, on disk %d", rel, n.Nlink, st.Nlink)
		}
		switch {
		case d.Type().IsRegular():
			data, _ := os.ReadFile(p)
			if !bytes.Equal(data, n.Data) || n.Size != int64(len(data)) {
				t.Errorf("%s: %d bytes differ from the %d on disk", rel, len(n.Data), len(data))
			}
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			if n.Target != target {
				t.Errorf("%s: target %q, on disk %q", rel, n.Target, target)
			}
		}
		return nil
	})
	if count < 10 {
		t.Errorf("compared only %d paths", count)
	}
	a, _ := tree.Lookup("/bin/prog", false)
	b, _ := tree.Lookup("/prog-link", false)
	if a != b {
		t.Error("hard link is not one node")
	}
}

func TestGNUCpio(t *testing.T) {
	root := makeTree(t)
	for _, format := range []string{"newc", "crc"} {
		t.Run(format, func(t *testing.T) {
			tree, err := Parse(runCpio(t, root, format))
			must(t, err)
			compareTree(t, root, tree)
		})
	}
	t.Run("odc", func(t *testing.T) {
		if _, err := Parse(runCpio(t, root, "odc")); err == nil || !strings.Contains(err.Error(), "-H newc") {
			t.Errorf("odc archive: %v", err)
		}
	})
}
