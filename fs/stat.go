package fs

import (
	"encoding/binary"
	"time"
)

// now is the file systems' clock: wall time (Linux's
// current_time(), which truncates to the super block's granularity).
func now() time.Time { return time.Now() }

// Kstat is what stat reports about an inode (struct kstat).
type Kstat struct {
	Dev, Rdev             uint32
	Ino                   uint64
	Mode                  uint32
	Nlink                 uint32
	UID, GID              uint32
	Size                  int64
	Blksize               int64
	Blocks                int64
	Atime, Mtime, Ctime   time.Time
	MntID                 int
	AttributesMask, Attrs uint64
}

// Getattr fills a Kstat from n under its lock. st_blksize is the page
// size, st_blocks counts 512-byte blocks. Mirrors
// fs/stat.c:vfs_getattr() -> generic_fillattr().
func Getattr(p Path, n *Inode) Kstat {
	n.mu.Lock()
	defer n.mu.Unlock()
	st := Kstat{Ino: n.Ino, Mode: n.Mode, Nlink: n.Nlink, UID: n.UID, GID: n.GID,
		Rdev: n.Rdev, Size: n.Size, Blksize: 4096, Blocks: n.Blocks,
		Atime: n.Atime, Mtime: n.Mtime, Ctime: n.Ctime}
	if n.SB != nil {
		st.Dev = n.SB.Dev
	}
	if p.Mnt != nil {
		st.MntID = p.Mnt.ID
	}
	return st
}

// StatSize is sizeof(struct stat) on x86-64.
const StatSize = 144

// EncodeStat lays st out as x86-64's struct stat
// (arch/x86/include/uapi/asm/stat.h): st_dev 0, st_ino 8, st_nlink 16,
// st_mode 24, st_uid 28, st_gid 32, st_rdev 40, st_size 48,
// st_blksize 56, st_blocks 64, st_atime 72 (+80 ns), st_mtime 88
// (+96), st_ctime 104 (+112). Mirrors fs/stat.c:cp_new_stat().
func EncodeStat(st *Kstat) []byte {
	b := make([]byte, StatSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(st.Dev))
	le.PutUint64(b[8:], st.Ino)
	le.PutUint64(b[16:], uint64(st.Nlink))
	le.PutUint32(b[24:], st.Mode)
	le.PutUint32(b[28:], st.UID)
	le.PutUint32(b[32:], st.GID)
	le.PutUint64(b[40:], uint64(st.Rdev))
	le.PutUint64(b[48:], uint64(st.Size))
	le.PutUint64(b[56:], uint64(st.Blksize))
	le.PutUint64(b[64:], uint64(st.Blocks))
	for i, t := range []time.Time{st.Atime, st.Mtime, st.Ctime} {
		le.PutUint64(b[72+16*i:], uint64(t.Unix()))
		le.PutUint64(b[80+16*i:], uint64(t.Nanosecond()))
	}
	return b
}

// statx mask bits (include/uapi/linux/stat.h STATX_*).
const (
	STATX_TYPE        = 0x0001
	STATX_MODE        = 0x0002
	STATX_NLINK       = 0x0004
	STATX_UID         = 0x0008
	STATX_GID         = 0x0010
	STATX_ATIME       = 0x0020
	STATX_MTIME       = 0x0040
	STATX_CTIME       = 0x0080
	STATX_INO         = 0x0100
	STATX_SIZE        = 0x0200
	STATX_BLOCKS      = 0x0400
	STATX_BASIC_STATS = 0x07ff
	STATX_MNT_ID      = 0x1000
	STATX__RESERVED   = 0x80000000
)

// StatxSize is sizeof(struct statx).
const StatxSize = 256

// EncodeStatx lays st out as struct statx: stx_mask 0, stx_blksize 4,
// stx_attributes 8, stx_nlink 16, stx_uid 20, stx_gid 24, stx_mode 28,
// stx_ino 32, stx_size 40, stx_blocks 48, stx_attributes_mask 56,
// stx_atime 64, stx_btime 80, stx_ctime 96, stx_mtime 112 (each
// {s64 tv_sec, u32 tv_nsec, s32 pad}), stx_rdev_major 128, minor 132,
// stx_dev_major 136, minor 140, stx_mnt_id 144. Every basic field and
// the mount ID are filled, whatever was asked (Linux may do the same).
// Mirrors fs/stat.c:cp_statx().
func EncodeStatx(st *Kstat) []byte {
	b := make([]byte, StatxSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], STATX_BASIC_STATS|STATX_MNT_ID)
	le.PutUint32(b[4:], uint32(st.Blksize))
	le.PutUint64(b[8:], st.Attrs)
	le.PutUint32(b[16:], st.Nlink)
	le.PutUint32(b[20:], st.UID)
	le.PutUint32(b[24:], st.GID)
	le.PutUint16(b[28:], uint16(st.Mode))
	le.PutUint64(b[32:], st.Ino)
	le.PutUint64(b[40:], uint64(st.Size))
	le.PutUint64(b[48:], uint64(st.Blocks))
	le.PutUint64(b[56:], st.AttributesMask)
	for off, t := range map[int]time.Time{64: st.Atime, 96: st.Ctime, 112: st.Mtime} {
		le.PutUint64(b[off:], uint64(t.Unix()))
		le.PutUint32(b[off+8:], uint32(t.Nanosecond()))
	}
	le.PutUint32(b[128:], Major(st.Rdev))
	le.PutUint32(b[132:], Minor(st.Rdev))
	le.PutUint32(b[136:], Major(st.Dev))
	le.PutUint32(b[140:], Minor(st.Dev))
	le.PutUint64(b[144:], uint64(st.MntID))
	return b
}
