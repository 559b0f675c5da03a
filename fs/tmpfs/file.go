package tmpfs

import (
	"time"

	"tamix/abi"
	"tamix/fs"
)

// fileData is a regular file's contents: its pages by index (a page's
// bytes past the file's size are zero). A missing page is a hole that
// reads as zeros. Protected by the inode's lock. Mirrors the shmem
// inode's page cache (its address_space).
type fileData struct {
	pages map[int64]*[PageSize]byte
}

// fileOps are a regular file's operations (shmem_file_operations).
type fileOps struct{}

// Read copies from the file at *off and advances *off; 0 at or past the
// end. The access time follows relatime's rule: updated when it is not
// newer than the modification time. Mirrors shmem_file_read_iter().
func (fileOps) Read(c fs.Caller, f *fs.File, p []byte, off *int64) (int, error) {
	n := f.Inode
	n.Lock()
	defer n.Unlock()
	pos := *off
	if pos >= n.Size || len(p) == 0 {
		return 0, nil
	}
	data := n.Private.(*fileData)
	want := min(int64(len(p)), n.Size-pos)
	done := int64(0)
	for done < want {
		idx, in := (pos+done)/PageSize, (pos+done)%PageSize
		k := min(want-done, PageSize-in)
		if pg := data.pages[idx]; pg != nil {
			copy(p[done:done+k], pg[in:in+k])
		} else {
			clear(p[done : done+k])
		}
		done += k
	}
	*off = pos + done
	if !n.Atime.After(n.Mtime) {
		n.Atime = time.Now()
	}
	return int(done), nil
}

// Write copies p into the file at *off (at the end with O_APPEND, decided
// under the inode's lock so that appends do not interleave) and advances
// *off. Pages are allocated as they are first written; when the
// instance's budget runs out the write stops there: a short count, or
// ENOSPC if nothing was written. EFBIG past the largest file size.
// Mirrors shmem_file_write_iter() -> generic_perform_write() with
// shmem_write_begin().
func (fileOps) Write(c fs.Caller, f *fs.File, p []byte, off *int64) (int, error) {
	n := f.Inode
	info := n.SB.Private.(*sbInfo)
	n.Lock()
	defer n.Unlock()
	pos := *off
	if f.GetFlags()&fs.O_APPEND != 0 {
		pos = n.Size
	}
	if len(p) == 0 {
		return 0, nil
	}
	if pos > fs.MaxFileSize-int64(len(p)) {
		return 0, abi.EFBIG
	}
	data := n.Private.(*fileData)
	done := int64(0)
	for done < int64(len(p)) {
		idx, in := (pos+done)/PageSize, (pos+done)%PageSize
		k := min(int64(len(p))-done, PageSize-in)
		pg := data.pages[idx]
		if pg == nil {
			if !info.allocPages(1) {
				break
			}
			pg = new([PageSize]byte)
			data.pages[idx] = pg
			n.Blocks += PageSize / 512
		}
		copy(pg[in:in+k], p[done:done+k])
		done += k
	}
	if done == 0 {
		return 0, abi.ENOSPC
	}
	*off = pos + done
	if *off > n.Size {
		n.Size = *off
	}
	now := time.Now()
	n.Mtime, n.Ctime = now, now
	n.Mode &^= fs.S_ISUID // file_remove_privs(): a write drops set-user-ID
	return int(done), nil
}

// Release does nothing: the data belongs to the inode.
func (fileOps) Release(f *fs.File) {}

// truncateLocked sets the size: pages wholly past the new end go back to
// the budget, the tail of the last page is zeroed so that growing the
// file again shows zeros. Growing allocates nothing (a hole). Caller
// holds n's lock. Mirrors shmem_setattr() -> shmem_truncate_range().
func truncateLocked(n *fs.Inode, size int64) {
	data := n.Private.(*fileData)
	if size < n.Size {
		keep := (size + PageSize - 1) / PageSize
		var freed int64
		for idx := range data.pages {
			if idx >= keep {
				delete(data.pages, idx)
				freed++
			}
		}
		if in := size % PageSize; in != 0 {
			if pg := data.pages[size/PageSize]; pg != nil {
				clear(pg[in:])
			}
		}
		n.Blocks -= freed * (PageSize / 512)
		n.SB.Private.(*sbInfo).freePages(freed)
	}
	n.Size = size
}
