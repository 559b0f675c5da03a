package procfs

import (
	"fmt"
	"strconv"

	"tamix/abi"
	"tamix/fs"
)

// The entries of /proc and /proc/PID (fs/proc/root.c, fs/proc/base.c's
// tgid_base_stuff and tid_base_stuff, reduced).

// entry is one fixed name in a procfs directory: a directory of kind,
// a file made by show, or a link (text from link, magic with jump).
type entry struct {
	name string
	mode uint32
	kind dirKind
	show func(*pnode) ([]byte, error)
	link func(*pnode) (string, error)
	jump func(*pnode) (fs.Path, error)
}

// inode makes the inode of e in the directory of parent; slot is e's
// index there.
func (e entry) inode(sb *fs.SuperBlock, parent *pnode, slot int) *fs.Inode {
	p := &pnode{kind: e.kind, pid: parent.pid, tgid: parent.tgid, whole: parent.whole,
		show: e.show, link: e.link, jump: e.jump}
	if !parent.whole {
		slot += 64
	}
	return newInode(sb, e.mode, p, inoOf(parent.pid, slot+16))
}

const (
	modeFile = fs.S_IFREG | 0o444
	modeDir  = fs.S_IFDIR | 0o555
	modeLink = fs.S_IFLNK | 0o777
)

// rootEntries are /proc's fixed names; the PIDs follow them.
var rootEntries = []entry{
	{name: "self", mode: modeLink, link: selfLink},
	{name: "thread-self", mode: modeLink, link: threadSelfLink},
	{name: "meminfo", mode: modeFile, show: sysShow(FormatMeminfo)},
	{name: "uptime", mode: modeFile, show: sysShow(FormatUptime)},
	{name: "loadavg", mode: modeFile, show: sysShow(FormatLoadavg)},
	{name: "stat", mode: modeFile, show: sysShow(FormatSysStat)},
	{name: "cpuinfo", mode: modeFile, show: func(*pnode) ([]byte, error) { return []byte(FormatCpuinfo(&CPU)), nil }},
	{name: "version", mode: modeFile, show: func(*pnode) ([]byte, error) { return []byte(FormatVersion()), nil }},
	{name: "mounts", mode: modeLink, link: func(*pnode) (string, error) { return "self/mounts", nil }},
	{name: "filesystems", mode: modeFile, show: func(*pnode) ([]byte, error) {
		return []byte(FormatFilesystems(fs.Filesystems())), nil
	}},
}

// pidEntries are the names in /proc/PID; /proc/PID/task/TID has the
// same but "task".
var pidEntries = []entry{
	{name: "task", mode: modeDir, kind: taskDir},
	{name: "fd", mode: fs.S_IFDIR | 0o500, kind: fdDir},
	{name: "environ", mode: fs.S_IFREG | 0o400, show: environShow},
	{name: "status", mode: modeFile, show: taskShow(FormatStatus, false)},
	{name: "cmdline", mode: modeFile, show: cmdlineShow},
	{name: "stat", mode: modeFile, show: taskShow(FormatStat, true)},
	{name: "statm", mode: modeFile, show: taskShow(FormatStatm, false)},
	{name: "comm", mode: fs.S_IFREG | 0o644, show: commShow},
	{name: "maps", mode: modeFile, show: mapsShow},
	{name: "mounts", mode: modeFile, show: mountsShow},
	{name: "exe", mode: modeLink, link: pathLink(exePath), jump: exePath},
	{name: "cwd", mode: modeLink, link: pathLink(cwdPath), jump: cwdPath},
	{name: "root", mode: modeLink, link: pathLink(rootPath), jump: rootPath},
}

// entriesOf returns the fixed names of directory p.
func entriesOf(p *pnode) []entry {
	switch p.kind {
	case rootDir:
		extraLock.Lock()
		defer extraLock.Unlock()
		return append(append([]entry(nil), rootEntries...), extra...)
	case tgidDir:
		return pidEntries
	case tidDir:
		return pidEntries[1:]
	}
	return nil
}

func selfLink(*pnode) (string, error) {
	tgid, _ := src.Self()
	return strconv.Itoa(tgid), nil
}

func threadSelfLink(*pnode) (string, error) {
	tgid, tid := src.Self()
	return fmt.Sprintf("%d/task/%d", tgid, tid), nil
}

func sysShow(format func(*SysInfo) string) func(*pnode) ([]byte, error) {
	return func(*pnode) ([]byte, error) {
		s := src.System()
		return []byte(format(&s)), nil
	}
}

// taskShow formats a snapshot of the task; whole selects the thread
// group's sums for /proc/PID/stat (proc_tgid_stat()) over the thread's
// own (proc_tid_stat()).
func taskShow(format func(*TaskInfo) string, whole bool) func(*pnode) ([]byte, error) {
	return func(p *pnode) ([]byte, error) {
		t, err := src.Task(p.pid, whole && p.whole)
		if err != nil {
			return nil, err
		}
		return []byte(format(t)), nil
	}
}

func commShow(p *pnode) ([]byte, error) {
	t, err := src.Task(p.pid, false)
	if err != nil {
		return nil, err
	}
	return []byte(t.Comm + "\n"), nil
}

func mapsShow(p *pnode) ([]byte, error) {
	s, err := src.Maps(p.pid)
	return []byte(s), err
}

func mountsShow(p *pnode) ([]byte, error) {
	_, _, root, err := src.Paths(p.pid)
	if err != nil {
		return nil, err
	}
	return []byte(FormatMounts(fs.Mounts(), root)), nil
}

// cmdlineShow reads the argument strings from the task's stack:
// [arg_start, arg_end), NUL-separated. Empty for kernel threads and
// zombies. Mirrors fs/proc/base.c:get_mm_cmdline() without the
// setproctitle() case (arguments overwritten past their end).
func cmdlineShow(p *pnode) ([]byte, error) {
	t, err := src.Task(p.pid, false)
	if err != nil || !t.HasMM {
		return nil, err
	}
	return src.ReadMem(p.pid, t.Layout.ArgStart, t.Layout.ArgEnd)
}

// environShow reads [env_start, env_end). Mirrors environ_read().
func environShow(p *pnode) ([]byte, error) {
	t, err := src.Task(p.pid, false)
	if err != nil || !t.HasMM {
		return nil, err
	}
	return src.ReadMem(p.pid, t.Layout.EnvStart, t.Layout.EnvEnd)
}

func exePath(p *pnode) (fs.Path, error)  { return pickPath(p, 0) }
func cwdPath(p *pnode) (fs.Path, error)  { return pickPath(p, 1) }
func rootPath(p *pnode) (fs.Path, error) { return pickPath(p, 2) }

// pickPath returns the task's exe, cwd or root; ENOENT where it has
// none (a kernel thread's exe, a zombie's cwd), as proc_exe_link() and
// proc_cwd_link() give.
func pickPath(p *pnode, which int) (fs.Path, error) {
	exe, cwd, root, err := src.Paths(p.pid)
	if err != nil {
		return fs.Path{}, abi.ENOENT
	}
	path := [3]fs.Path{exe, cwd, root}[which]
	if path.IsZero() {
		return fs.Path{}, abi.ENOENT
	}
	return path, nil
}

// pathLink turns a magic link into readlink(2)'s text: the path as the
// reader sees it from its root (d_path()). Called without treeLock.
func pathLink(get func(*pnode) (fs.Path, error)) func(*pnode) (string, error) {
	return func(p *pnode) (string, error) {
		path, err := get(p)
		if err != nil {
			return "", err
		}
		return fs.PathName(path, readerRoot()), nil
	}
}

// readerRoot returns the calling task's root directory.
func readerRoot() fs.Path {
	_, tid := src.Self()
	_, _, root, _ := src.Paths(tid)
	return root
}
