package fs

import (
	"sort"
	"sync"

	"tamix/abi"
)

// SuperBlock is one mounted instance of a file system: its root and its
// operations. Mirrors struct super_block.
type SuperBlock struct {
	Type  *FileSystemType
	Dev   uint32 // st_dev of its inodes: an anonymous device number (0, n)
	Root  *Dentry
	Ops   SuperOperations
	Magic uint64 // f_type of statfs (TMPFS_MAGIC, ...)
	// Private is the file system's own state (tmpfs's limits).
	Private any
}

// SuperOperations are a file system's whole-instance operations
// (struct super_operations).
type SuperOperations interface {
	// EvictInode frees what the inode holds (a tmpfs file's pages):
	// it has no name and no open file left.
	EvictInode(n *Inode)
}

func (sb *SuperBlock) evict(n *Inode) {
	if sb != nil && sb.Ops != nil {
		sb.Ops.EvictInode(n)
	}
}

// FileSystemType is a kind of file system that mount(2) can name
// (struct file_system_type): tmpfs, devtmpfs, proc.
type FileSystemType struct {
	Name string
	// Mount makes a new instance (fill_super); data is mount(2)'s option
	// string ("size=16m").
	Mount func(data string) (*SuperBlock, error)
}

// fsTypes are the registered file system types (Linux's file_systems
// list); protected by fsTypesLock.
var (
	fsTypesLock sync.Mutex
	fsTypes     = map[string]*FileSystemType{}
)

// RegisterFilesystem adds a type. Mirrors fs/filesystems.c:register_filesystem().
func RegisterFilesystem(t *FileSystemType) {
	fsTypesLock.Lock()
	fsTypes[t.Name] = t
	fsTypesLock.Unlock()
}

// GetFSType returns the type called name, or abi.ENODEV (what mount(2)
// reports for an unknown type). Mirrors get_fs_type().
func GetFSType(name string) (*FileSystemType, error) {
	fsTypesLock.Lock()
	defer fsTypesLock.Unlock()
	if t := fsTypes[name]; t != nil {
		return t, nil
	}
	return nil, abi.ENODEV
}

// Filesystems returns the names of the registered types, sorted (for
// /proc/filesystems; Linux lists them in registration order).
func Filesystems() []string {
	fsTypesLock.Lock()
	defer fsTypesLock.Unlock()
	names := make([]string, 0, len(fsTypes))
	for n := range fsTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// anonDevs hands out anonymous device numbers for super blocks without a
// disk (get_anon_bdev()); protected by fsTypesLock.
var anonDevs uint32

// NewSuperBlock returns a super block of type t with an anonymous device
// number and no root yet.
func NewSuperBlock(t *FileSystemType, ops SuperOperations, magic uint64) *SuperBlock {
	fsTypesLock.Lock()
	anonDevs++
	dev := Mkdev(0, anonDevs)
	fsTypesLock.Unlock()
	return &SuperBlock{Type: t, Dev: dev, Ops: ops, Magic: magic}
}

// Mount is a super block attached somewhere in the tree (struct mount /
// vfsmount): its root dentry appears in place of the mountpoint dentry
// of the parent mount. The root mount is its own parent. Fields are set
// before the mount is published and protected by treeLock after.
type Mount struct {
	SB         *SuperBlock
	Root       *Dentry
	Parent     *Mount
	Mountpoint *Dentry
	Source     string // mount(2)'s source, for /proc/mounts
	ID         int
}

// mountKey finds the mount on a dentry of a mount (the mount hash table).
type mountKey struct {
	parent *Mount
	d      *Dentry
}

// mounts maps each mountpoint to what is mounted on it, and mountList
// holds every mount in order. Both protected by treeLock.
var (
	mounts    = map[mountKey]*Mount{}
	mountList []*Mount
	mountIDs  int
)

// NewRootMount makes sb the root of the tree (the rootfs mount of
// init_mount_tree()) and returns the path of its root.
func NewRootMount(sb *SuperBlock, source string) Path {
	treeLock.Lock()
	defer treeLock.Unlock()
	mountIDs++
	m := &Mount{SB: sb, Root: sb.Root, Source: source, ID: mountIDs}
	m.Parent, m.Mountpoint = m, sb.Root
	mountList = append(mountList, m)
	return Path{Mnt: m, Dentry: sb.Root}
}

// lookupMntLocked returns the mount on (mnt, d), or nil; caller holds
// treeLock. Mirrors fs/namespace.c:lookup_mnt().
func lookupMntLocked(mnt *Mount, d *Dentry) *Mount {
	if d.mounted == 0 {
		return nil
	}
	return mounts[mountKey{mnt, d}]
}

// Mounts returns every mount, in the order they were made (for
// /proc/mounts and the tests).
func Mounts() []*Mount {
	treeLock.RLock()
	defer treeLock.RUnlock()
	return append([]*Mount(nil), mountList...)
}

// DoMount mounts a new instance of the file system type fstype on the
// directory at target. Errors are Linux's: ENODEV for an unknown type,
// ENOENT/ENOTDIR from the walk, ENOTDIR for a target that is not a
// directory. Mirrors fs/namespace.c:do_new_mount() -> graft_tree();
// differs: no flags (MS_BIND, MS_REMOUNT, ... are for the caller to
// refuse) and no mount namespaces.
func DoMount(c Caller, source string, target Path, fstype, data string) error {
	t, err := GetFSType(fstype)
	if err != nil {
		return err
	}
	if !target.Dentry.Inode.IsDir() {
		return abi.ENOTDIR
	}
	sb, err := t.Mount(data)
	if err != nil {
		return err
	}
	treeLock.Lock()
	defer treeLock.Unlock()
	if target.Dentry.unlinked() {
		return abi.ENOENT
	}
	// Mount on top of whatever is mounted there already (mounts stack).
	for {
		m := lookupMntLocked(target.Mnt, target.Dentry)
		if m == nil {
			break
		}
		target = Path{Mnt: m, Dentry: m.Root}
	}
	mountIDs++
	m := &Mount{SB: sb, Root: sb.Root, Parent: target.Mnt, Mountpoint: target.Dentry, Source: source, ID: mountIDs}
	mounts[mountKey{target.Mnt, target.Dentry}] = m
	target.Dentry.mounted++
	mountList = append(mountList, m)
	return nil
}

// DoUmount detaches the mount whose root target is. EINVAL if target is
// not the root of a mount or is the root of the tree, EBUSY if something
// is mounted below it. Mirrors fs/namespace.c:do_umount(); differs: open
// files and working directories inside do not make it busy (they keep
// the detached tree alive, as MNT_DETACH would).
func DoUmount(target Path) error {
	treeLock.Lock()
	defer treeLock.Unlock()
	m := target.Mnt
	if target.Dentry != m.Root || m.Parent == m {
		return abi.EINVAL
	}
	for _, o := range mountList {
		if o.Parent == m && o != m {
			return abi.EBUSY
		}
	}
	delete(mounts, mountKey{m.Parent, m.Mountpoint})
	m.Mountpoint.mounted--
	for i, o := range mountList {
		if o == m {
			mountList = append(mountList[:i], mountList[i+1:]...)
			break
		}
	}
	return nil
}
