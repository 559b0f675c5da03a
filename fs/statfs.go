package fs

// Kstatfs is what statfs(2) reports about the file system a path is on
// (struct kstatfs): its magic number, block size and counts, inode
// counts, name length and mount flags.
type Kstatfs struct {
	Type                   uint64
	Bsize                  int64
	Blocks, Bfree, Bavail  uint64
	Files, Ffree           uint64
	Fsid                   [2]uint32
	Namelen, Frsize, Flags int64
}

// Statfs flags (include/linux/statfs.h): ST_VALID says f_flags is
// filled in; ST_RELATIME is the default atime mode of every mount, as
// /proc/mounts shows it.
const (
	ST_VALID    = 0x0020
	ST_RELATIME = 0x1000
)

// StatfsOperations is a SuperOperations that reports its own counts
// (super_operations.statfs: tmpfs's size and inode limits).
type StatfsOperations interface {
	Statfs(sb *SuperBlock, st *Kstatfs)
}

// PIPEFS_MAGIC is f_type for a pipe's anonymous inode.
const PIPEFS_MAGIC = 0x50495045

// Statfs describes the file system of inode n: the super block's magic
// number, a page-sized block, NAME_MAX and, from file systems that
// have them, block and inode counts (others report 0 blocks, as
// simple_statfs() does). The fsid is 0, as for simple_statfs().
// Mirrors fs/statfs.c:vfs_statfs() -> statfs_by_dentry(). Differs:
// anonymous inodes other than pipes' (eventfd, epoll, the boot
// console) report f_type 0, not anon_inodefs' magic.
func Statfs(n *Inode) Kstatfs {
	sb := n.SB
	st := Kstatfs{Type: sb.Magic, Bsize: 4096, Namelen: NameMax, Frsize: 4096, Flags: ST_VALID | ST_RELATIME}
	if sb == anonSB && n.Type() == S_IFIFO {
		st.Type = PIPEFS_MAGIC
	}
	if o, ok := sb.Ops.(StatfsOperations); ok {
		o.Statfs(sb, &st)
	}
	return st
}
