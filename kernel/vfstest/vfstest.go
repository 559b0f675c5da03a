//go:build tamago

// Package vfstest is the in-guest suite "vfs": user/vfstest.c (the file
// system calls and their errnos, checked against Linux by
// user/linux-check.sh) run as a child of the test task, then kernel-side
// checks: the tree the boot made (/dev, /proc, /tmp), the tmpfs space
// and inodes the program used given back, and every page, task, PID and
// open file back to its baseline.
package vfstest

import (
	"bytes"
	"strings"
	"time"

	"tamix/fs"
	"tamix/fs/tmpfs"
	"tamix/kernel/ktap"
	"tamix/kernel/testenv"
	"tamix/proc"
)

// baseline is what the suite must leave as it found.
var baseline struct {
	tmpPages  int64
	tmpInodes int64
}

// leakBase is the kernel's counters before the suite (testenv).
var leakBase testenv.Baseline

func init() {
	ktap.Register(&ktap.Suite{
		Name: "vfs",
		Init: func() error {
			if err := testenv.InitTaking(&leakBase)(); err != nil {
				return err
			}
			baseline.tmpPages, _, baseline.tmpInodes, _ = tmpfs.Usage(proc.K.Root.Mnt.SB)
			return nil
		},
		Cases: []ktap.Case{
			{Name: "boot_tree", Run: testBootTree},
			{Name: "vfstest_as_child", Run: testVfstest, Timeout: 120 * time.Second},
			{Name: "tmpfs_space_given_back", Run: testTmpfsBack},
			{Name: "no_leaks", Run: testNoLeaks},
		},
	})
}

// testBootTree checks what prepareRootfs made: /dev/null a character
// device on devtmpfs, /proc/tasks readable, /tmp a directory.
func testBootTree(t *ktap.T) {
	root := *proc.K.Root
	for _, c := range []struct {
		path string
		typ  uint32
	}{{"/dev/null", fs.S_IFCHR}, {"/dev/console", fs.S_IFCHR}, {"/proc/tasks", fs.S_IFREG}, {"/tmp", fs.S_IFDIR}} {
		p, err := fs.LookupAt(root, root, c.path, fs.LOOKUP_FOLLOW)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if p.Inode().Type() != c.typ {
			t.Errorf("%s: type %#o, want %#o", c.path, p.Inode().Type(), c.typ)
		}
	}
	for _, m := range fs.Mounts() {
		t.Logf("mount %d: %s (%s) on %s", m.ID, m.Source, m.SB.Type.Name, fs.PathName(fs.Path{Mnt: m, Dentry: m.Root}, root))
	}
}

// testVfstest runs user/vfstest.c; any "not ok" line fails the case.
func testVfstest(t *ktap.T) {
	var out bytes.Buffer
	status, err := proc.RunProgram("/vfstest", []string{"vfstest"}, &out)
	if err != nil {
		t.Fatalf("vfstest: %v", err)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "not ok") || strings.HasPrefix(l, "# line") {
			t.Errorf("vfstest: %s", l)
		}
	}
	t.Logf("vfstest: %d cases ok", strings.Count(out.String(), "\nok "))
	if status != 0 {
		t.Errorf("vfstest: wait status %#x", status)
	}
}

// testTmpfsBack: vfstest removed its directory, so the root tmpfs holds
// as many pages and inodes as before.
func testTmpfsBack(t *ktap.T) {
	pages, max, inodes, _ := tmpfs.Usage(proc.K.Root.Mnt.SB)
	t.Logf("root tmpfs: %d of %d pages, %d inodes (baseline %d pages, %d inodes)",
		pages, max, inodes, baseline.tmpPages, baseline.tmpInodes)
	if pages != baseline.tmpPages || inodes != baseline.tmpInodes {
		t.Errorf("root tmpfs: %d pages and %d inodes in use, baseline %d and %d",
			pages, inodes, baseline.tmpPages, baseline.tmpInodes)
	}
}

func testNoLeaks(t *ktap.T) { leakBase.Check(t) }
