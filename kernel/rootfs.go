package kernel

import (
	"tamix/abi"
	"tamix/fs"
	"tamix/fs/initramfs"
	"tamix/fs/tmpfs"
	"tamix/proc"

	_ "tamix/drivers/char" // registers /dev/null, zero, full, random, urandom
	_ "tamix/fs/devtmpfs"  // registers the "devtmpfs" file system type
)

// rootfsSize is the size limit of the root tmpfs and the default of
// other tmpfs mounts. File data lives in the Go heap (256 MiB), which
// also holds the kernel's own objects, so a quarter of it.
const rootfsSize = 64 << 20

// prepareRootfs makes the root of the file tree: a tmpfs, the initramfs
// archive (if any) unpacked into it, then /dev (devtmpfs), /proc
// (procfs) and /tmp, created if the archive lacks them. Sets proc.K.Root.
// Mirrors init/do_mounts.c:init_rootfs() + init_mount_tree(),
// init/initramfs.c:populate_rootfs() and, for /dev, devtmpfs_mount();
// Linux leaves /proc and /tmp to the init scripts.
func prepareRootfs(archive []byte) {
	tmpfs.DefaultSize = rootfsSize
	sb, err := tmpfs.NewSuperBlock("mode=0755")
	if err != nil {
		panic("tamix: rootfs: " + err.Error())
	}
	root := fs.NewRootMount(sb, "rootfs")
	proc.K.Root = &root
	if archive != nil {
		n, err := initramfs.Populate(root, archive)
		if err != nil {
			kprintf("initramfs: %v\n", err)
		} else {
			kprintf("initramfs: %d files unpacked into the root tmpfs\n", n)
		}
	}
	for _, m := range []struct{ dir, fstype, source string }{
		{"/dev", "devtmpfs", "devtmpfs"}, {"/proc", "proc", "proc"}, {"/tmp", "", ""},
		{"/sys", "", ""}, {"/sys/kernel", "", ""}, {"/sys/kernel/tracing", "tracefs", "tracefs"},
	} {
		if err := fs.Mkdir(root, root, m.dir, 0o755); err != nil && err != abi.EEXIST {
			kprintf("rootfs: mkdir %s: %v\n", m.dir, err)
			continue
		}
		if m.fstype == "" {
			continue
		}
		target, err := fs.LookupAt(root, root, m.dir, fs.LOOKUP_FOLLOW)
		if err == nil {
			err = fs.DoMount(nil, m.source, target, m.fstype, "")
		}
		if err != nil {
			kprintf("rootfs: mount %s on %s: %v\n", m.fstype, m.dir, err)
		}
	}
}
