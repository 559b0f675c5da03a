// Package tmpfs is the in-memory file system: Tamix's root file system
// (with the initramfs unpacked into it at boot, as Linux's rootfs) and
// what mount -t tmpfs makes. Regular files keep their data in 4 KiB
// pages allocated on first write, so a file with holes uses memory only
// for what was written; directories and names live in the VFS's dentry
// tree; a symbolic link keeps its target in the inode.
//
// Mirrors mm/shmem.c, with Go byte arrays where Linux has page-cache
// pages backed by swap, and fs/libfs.c's simple_* directory operations.
// Each instance has a size limit (size=, default DefaultSize) and an
// inode limit (nr_inodes=): past them writes and creates fail with
// ENOSPC, so a full tmpfs never exhausts the kernel's memory.
package tmpfs

import (
	"strconv"
	"strings"
	"sync"

	"tamix/abi"
	"tamix/fs"
)

// PageSize is the unit of allocation.
const PageSize = 4096

// TMPFS_MAGIC is statfs's f_type for tmpfs (include/uapi/linux/magic.h).
const TMPFS_MAGIC = 0x01021994

// DefaultSize is the size limit of an instance mounted without size=, in
// bytes. Linux's default is half of RAM; Tamix's file data lives in the
// Go heap, which is smaller than RAM, so the kernel sets this at boot.
var DefaultSize int64 = 64 << 20

// DefaultInodes is the default nr_inodes.
var DefaultInodes int64 = 1 << 16

// sbInfo is an instance's limits and usage (struct shmem_sb_info).
// mu protects the counters.
type sbInfo struct {
	mu                    sync.Mutex
	maxPages, usedPages   int64
	maxInodes, usedInodes int64
}

// allocPages takes n pages from the instance's budget; false if it
// would pass the limit (shmem_inode_acct_blocks()).
func (s *sbInfo) allocPages(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.usedPages+n > s.maxPages {
		return false
	}
	s.usedPages += n
	return true
}

func (s *sbInfo) freePages(n int64) {
	s.mu.Lock()
	s.usedPages -= n
	s.mu.Unlock()
}

// Usage returns the pages and inodes in use and their limits.
func Usage(sb *fs.SuperBlock) (pages, maxPages, inodes, maxInodes int64) {
	s := sb.Private.(*sbInfo)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usedPages, s.maxPages, s.usedInodes, s.maxInodes
}

// FSType is tmpfs's file_system_type.
var FSType = &fs.FileSystemType{Name: "tmpfs"}

func init() {
	FSType.Mount = NewSuperBlock
	fs.RegisterFilesystem(FSType)
}

// NewSuperBlock makes a new, empty instance with mount options data
// ("size=16m,nr_inodes=1000,mode=1777"); EINVAL for an unknown or bad
// option. Mirrors shmem_fill_super() and shmem_parse_one().
func NewSuperBlock(data string) (*fs.SuperBlock, error) {
	info := &sbInfo{maxPages: DefaultSize / PageSize, maxInodes: DefaultInodes}
	mode := uint32(0o1777)
	for _, opt := range strings.Split(data, ",") {
		key, val, _ := strings.Cut(opt, "=")
		var err error
		switch key {
		case "":
		case "size":
			var n int64
			n, err = parseSize(val)
			info.maxPages = (n + PageSize - 1) / PageSize
		case "nr_inodes":
			info.maxInodes, err = parseSize(val)
		case "mode":
			var m uint64
			m, err = strconv.ParseUint(val, 8, 32)
			mode = uint32(m) & fs.PermMask
		default:
			err = abi.EINVAL
		}
		if err != nil {
			return nil, abi.EINVAL
		}
	}
	sb := fs.NewSuperBlock(FSType, superOps{}, TMPFS_MAGIC)
	sb.Private = info
	root := newInode(sb, fs.S_IFDIR|mode, 0)
	info.usedInodes = 1
	root.Nlink = 2
	sb.Root = fs.NewRootDentry(root)
	return sb, nil
}

// parseSize reads a number with an optional k, m or g suffix
// (memparse()).
func parseSize(s string) (int64, error) {
	mul := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			mul = 1 << 10
		case 'm', 'M':
			mul = 1 << 20
		case 'g', 'G':
			mul = 1 << 30
		}
		if mul != 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || n < 0 {
		return 0, abi.EINVAL
	}
	return n * mul, nil
}

// newInode makes an inode of sb with its operations chosen by type
// (shmem_get_inode()); the caller has accounted for it.
func newInode(sb *fs.SuperBlock, mode, rdev uint32) *fs.Inode {
	var fops fs.FileOperations
	switch mode & fs.S_IFMT {
	case fs.S_IFREG:
		fops = fileOps{}
	case fs.S_IFDIR:
		fops = fs.DcacheDirOps{}
	case fs.S_IFCHR:
		fops = fs.ChrdevOps{}
	case fs.S_IFIFO:
		fops = fs.FifoOps{}
	case fs.S_IFLNK:
		fops = fs.NoFileOps{}
	}
	n := fs.NewInode(sb, mode, inodeOps{}, fops)
	n.Rdev = rdev
	if mode&fs.S_IFMT == fs.S_IFREG {
		n.Private = &fileData{pages: map[int64]*[PageSize]byte{}}
	}
	return n
}

// superOps frees an evicted inode's pages and its slot.
type superOps struct{}

// Statfs reports the instance's size and inode limits and what is used
// of them. Mirrors mm/shmem.c:shmem_statfs().
func (superOps) Statfs(sb *fs.SuperBlock, st *fs.Kstatfs) {
	info := sb.Private.(*sbInfo)
	info.mu.Lock()
	defer info.mu.Unlock()
	st.Blocks = uint64(info.maxPages)
	st.Bfree = uint64(info.maxPages - info.usedPages)
	st.Bavail = st.Bfree
	st.Files = uint64(info.maxInodes)
	st.Ffree = uint64(info.maxInodes - info.usedInodes)
}

// EvictInode mirrors shmem_evict_inode(): the pages go back to the
// instance's budget (and to the Go heap with the map).
func (superOps) EvictInode(n *fs.Inode) {
	info := n.SB.Private.(*sbInfo)
	n.Lock()
	var pages int64
	if d, ok := n.Private.(*fileData); ok {
		pages = int64(len(d.pages))
		d.pages = nil
		n.Blocks = 0
	}
	n.Unlock()
	info.mu.Lock()
	info.usedPages -= pages
	info.usedInodes--
	info.mu.Unlock()
}
