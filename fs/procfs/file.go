package procfs

import (
	"strconv"

	"tamix/abi"
	"tamix/fs"
)

// The file operations: seq_file-like text files and the directories.

// seqOps read a text made by the inode's show. The text is made at the
// first read from offset 0 and again at each later read from offset 0,
// so a reader that seeks back sees fresh values, as seq_read() does;
// reads further on continue in the same text. A task that has gone
// gives abi.ESRCH. Mirrors fs/seq_file.c with single_open().
type seqOps struct{ fs.NoFileOps }

// Open refuses writing: the files are read-only (comm's write is not
// implemented).
func (seqOps) Open(n *fs.Inode, f *fs.File) error {
	if f.Writable() {
		return abi.EACCES
	}
	return nil
}

// Read copies from the text at *off; f.posMu (or pread's private
// offset) serialises it with other reads of f.
func (seqOps) Read(_ fs.Caller, f *fs.File, p []byte, off *int64) (int, error) {
	data, _ := f.Private.([]byte)
	if *off == 0 || f.Private == nil {
		pn := f.Inode.Private.(*pnode)
		if src == nil {
			return 0, abi.ESRCH
		}
		var err error
		if data, err = pn.show(pn); err != nil {
			return 0, err
		}
		f.Private = data
	}
	if *off >= int64(len(data)) {
		return 0, nil
	}
	n := copy(p, data[*off:])
	*off += int64(n)
	return n, nil
}

// dirOps list a procfs directory: ".", "..", the fixed entries, then
// the numbered ones (PIDs, TIDs or descriptors). A numbered entry N is
// at position fixed+N, so a listing continued after tasks exited goes
// on from where it was, as proc_pid_readdir() does with TGID_OFFSET.
type dirOps struct{}

func (dirOps) Read(fs.Caller, *fs.File, []byte, *int64) (int, error)  { return 0, abi.EISDIR }
func (dirOps) Write(fs.Caller, *fs.File, []byte, *int64) (int, error) { return 0, abi.EISDIR }
func (dirOps) Release(*fs.File)                                       {}

// Iterate emits the entries from f.Pos on; f.posMu is held by the
// caller. ENOENT once the directory's task has gone.
func (dirOps) Iterate(f *fs.File, emit func(string, uint64, uint8, int64) bool) error {
	p := f.Inode.Private.(*pnode)
	if src == nil || p.kind != rootDir && !alive(p.pid) {
		return abi.ENOENT
	}
	if f.Pos == 0 && !emit(".", f.Inode.Ino, fs.DT_DIR, 1) {
		return nil
	}
	if f.Pos <= 1 && !emit("..", parentIno(f.Path), fs.DT_DIR, 2) {
		return nil
	}
	ents := entriesOf(p)
	for i, e := range ents {
		pos := int64(2 + i)
		if pos < f.Pos {
			continue
		}
		if !emit(e.name, e.inode(f.Inode.SB, p, i).Ino, fs.DType(e.mode), pos+1) {
			return nil
		}
	}
	base := int64(2 + len(ents))
	for _, num := range numbered(p) {
		pos := base + int64(num)
		if pos < f.Pos {
			continue
		}
		ino, dt := inoOf(num, 1), uint8(fs.DT_DIR)
		switch p.kind {
		case taskDir:
			ino = inoOf(num, 2)
		case fdDir:
			ino, dt = inoOf(p.pid, fdSlot+num), fs.DT_LNK
		}
		if !emit(strconv.Itoa(num), ino, dt, pos+1) {
			return nil
		}
	}
	return nil
}

// numbered returns the numbered entries of directory p, in order.
func numbered(p *pnode) []int {
	switch p.kind {
	case rootDir:
		return src.Processes()
	case taskDir:
		tids, _ := src.Threads(p.tgid)
		return tids
	case fdDir:
		fds, _ := src.FDs(p.pid)
		nums := make([]int, len(fds))
		for i, fd := range fds {
			nums[i] = fd.Num
		}
		return nums
	}
	return nil
}

// parentIno is the inode number of ".." of the directory at path.
func parentIno(path fs.Path) uint64 {
	d := path.Dentry
	if d == path.Mnt.Root && path.Mnt.Parent != path.Mnt {
		return path.Mnt.Mountpoint.Inode.Ino
	}
	return d.Parent.Inode.Ino
}
