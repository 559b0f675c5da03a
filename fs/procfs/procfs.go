package procfs

import (
	"strconv"
	"sync"

	"tamix/abi"
	"tamix/fs"
)

// PROC_SUPER_MAGIC is statfs's f_type for procfs.
const PROC_SUPER_MAGIC = 0x9fa0

// FSType is procfs's file_system_type ("proc").
var FSType = &fs.FileSystemType{Name: "proc"}

func init() {
	FSType.Mount = mount
	fs.RegisterFilesystem(FSType)
}

// pnode is what a procfs inode stands for (its Private): a directory, a
// file made by show or a symbolic link made by link, of the task pid
// (whose group is tgid; 0 for the system-wide entries). Immutable.
type pnode struct {
	kind dirKind // for directories
	pid  int
	tgid int
	fd   int // for fd/N
	// whole: the task-level files show the whole thread group
	// (/proc/PID/stat) rather than one thread (/proc/PID/task/TID/stat).
	whole bool
	show  func(n *pnode) ([]byte, error)
	link  func(n *pnode) (string, error)
	jump  func(n *pnode) (fs.Path, error)
}

// dirKind tells the directories apart.
type dirKind int

const (
	notDir  dirKind = iota
	rootDir         // /proc
	tgidDir         // /proc/PID
	tidDir          // /proc/PID/task/TID
	taskDir         // /proc/PID/task
	fdDir           // /proc/PID/fd
)

// extra are files other packages add to /proc's root (RegisterFile);
// protected by extraLock.
var (
	extraLock sync.Mutex
	extra     []entry
)

// RegisterFile adds a read-only file called name to the root of every
// procfs, whose contents show returns when it is read (proc's "tasks").
// Mirrors proc_create_single().
func RegisterFile(name string, show func() []byte) {
	extraLock.Lock()
	defer extraLock.Unlock()
	extra = append(extra, entry{name: name, mode: fs.S_IFREG | 0o444,
		show: func(*pnode) ([]byte, error) { return show(), nil }})
}

// mount makes an instance: a root directory whose entries are made on
// lookup. Mirrors fs/proc/root.c:proc_fill_super().
func mount(data string) (*fs.SuperBlock, error) {
	sb := fs.NewSuperBlock(FSType, nil, PROC_SUPER_MAGIC)
	root := newInode(sb, fs.S_IFDIR|0o555, &pnode{kind: rootDir}, 1)
	sb.Root = fs.NewRootDentry(root)
	return sb, nil
}

// newInode makes a procfs inode for p with a stable number ino.
func newInode(sb *fs.SuperBlock, mode uint32, p *pnode, ino uint64) *fs.Inode {
	var fops fs.FileOperations = seqOps{}
	switch {
	case mode&fs.S_IFMT == fs.S_IFDIR:
		fops = dirOps{}
	case mode&fs.S_IFMT == fs.S_IFLNK:
		fops = nil
	}
	n := fs.NewInode(sb, mode, inodeOps{}, fops)
	n.Ino = ino
	n.Private = p
	if mode&fs.S_IFMT == fs.S_IFDIR {
		n.Nlink = 2
	}
	return n
}

// inoOf gives the entry slot of task pid a stable inode number: the
// PID in the high bits, the slot below (Linux numbers /proc's inodes
// from a counter and keeps them in the dcache).
func inoOf(pid, slot int) uint64 { return uint64(pid)<<20 | uint64(slot) + 2 }

// parsePID reads a directory name as a PID ("0012" and "+5" are not).
func parsePID(name string) (int, bool) {
	if name == "" || name[0] < '1' || name[0] > '9' || len(name) > 9 {
		return 0, false
	}
	pid, err := strconv.Atoi(name)
	return pid, err == nil
}

// inodeOps are the inode operations of every procfs inode: lookup in
// the directories, the links' targets. Everything else is EPERM (the
// tree cannot be changed), as for Linux's proc.
type inodeOps struct{ fs.NoInodeOps }

// Lookup finds name in dir. Mirrors proc_root_lookup(),
// proc_pid_lookup() and proc_tgid_base_lookup().
func (inodeOps) Lookup(dir *fs.Inode, name string) (*fs.Inode, error) {
	p := dir.Private.(*pnode)
	if src == nil {
		return nil, abi.ENOENT
	}
	for i, e := range entriesOf(p) {
		if e.name == name {
			if p.kind != rootDir && !alive(p.pid) {
				return nil, abi.ENOENT
			}
			return e.inode(dir.SB, p, i), nil
		}
	}
	switch p.kind {
	case rootDir:
		return lookupPID(dir.SB, name, 0)
	case taskDir:
		return lookupPID(dir.SB, name, p.tgid)
	case fdDir:
		return lookupFD(dir.SB, p, name)
	}
	return nil, abi.ENOENT
}

// alive reports whether task pid still exists.
func alive(pid int) bool {
	_, err := src.TGID(pid)
	return err == nil
}

// lookupPID returns the directory of task name: /proc/PID (group 0) or
// /proc/PID/task/TID of group tgid.
func lookupPID(sb *fs.SuperBlock, name string, group int) (*fs.Inode, error) {
	pid, ok := parsePID(name)
	if !ok {
		return nil, abi.ENOENT
	}
	tgid, err := src.TGID(pid)
	if err != nil || group != 0 && tgid != group {
		return nil, abi.ENOENT
	}
	if group == 0 {
		return newInode(sb, fs.S_IFDIR|0o555, &pnode{kind: tgidDir, pid: pid, tgid: tgid, whole: true}, inoOf(pid, 1)), nil
	}
	return newInode(sb, fs.S_IFDIR|0o555, &pnode{kind: tidDir, pid: pid, tgid: tgid}, inoOf(pid, 2)), nil
}

// Readlink returns a link's target as readlink(2) shows it.
func (inodeOps) Readlink(n *fs.Inode) (string, error) {
	p := n.Private.(*pnode)
	if p.link == nil {
		return "", abi.EINVAL
	}
	return p.link(p)
}

// JumpLink follows the magic links (exe, cwd, root, fd/N) to where they
// point; the others are walked by their text (fs.LinkJumper).
func (inodeOps) JumpLink(n *fs.Inode) (fs.Path, bool, error) {
	p := n.Private.(*pnode)
	if p.jump == nil {
		return fs.Path{}, false, nil
	}
	path, err := p.jump(p)
	return path, true, err
}
