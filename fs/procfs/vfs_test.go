package procfs

import (
	"encoding/binary"
	"strings"
	"testing"

	"tamix/abi"
	"tamix/fs"
	"tamix/mm"
)

// procfs through the VFS on the host, with a fake task table.

type fakeTask struct {
	tgid int
	comm string
	fds  []FD
	mem  []byte // the "address space": cmdline then environ
}

type fakeSource struct {
	self  int
	tasks map[int]*fakeTask
	cwd   fs.Path
}

func (s *fakeSource) Self() (int, int) { return s.tasks[s.self].tgid, s.self }
func (s *fakeSource) Processes() []int {
	var out []int
	for pid := 1; pid < 100; pid++ {
		if t := s.tasks[pid]; t != nil && t.tgid == pid {
			out = append(out, pid)
		}
	}
	return out
}
func (s *fakeSource) Threads(tgid int) ([]int, error) {
	var out []int
	for pid := 1; pid < 100; pid++ {
		if t := s.tasks[pid]; t != nil && t.tgid == tgid {
			out = append(out, pid)
		}
	}
	return out, nil
}
func (s *fakeSource) TGID(pid int) (int, error) {
	if t := s.tasks[pid]; t != nil {
		return t.tgid, nil
	}
	return 0, abi.ESRCH
}
func (s *fakeSource) Task(pid int, whole bool) (*TaskInfo, error) {
	t := s.tasks[pid]
	if t == nil {
		return nil, abi.ESRCH
	}
	return &TaskInfo{PID: pid, TGID: t.tgid, Comm: t.comm, State: 'R', Threads: 1, HasMM: true,
		Layout: mm.ExecLayout{ArgStart: 0, ArgEnd: 6, EnvStart: 6, EnvEnd: uint64(len(t.mem))}}, nil
}
func (s *fakeSource) Maps(pid int) (string, error) {
	if s.tasks[pid] == nil {
		return "", abi.ESRCH
	}
	return "00400000-00401000 r-xp 00000000 00:00 0\n", nil
}
func (s *fakeSource) ReadMem(pid int, start, end uint64) ([]byte, error) {
	return s.tasks[pid].mem[start:end], nil
}
func (s *fakeSource) FDs(pid int) ([]FD, error) {
	if s.tasks[pid] == nil {
		return nil, abi.ESRCH
	}
	return s.tasks[pid].fds, nil
}
func (s *fakeSource) Paths(pid int) (exe, cwd, root fs.Path, err error) {
	if s.tasks[pid] == nil {
		return exe, cwd, root, abi.ESRCH
	}
	return s.cwd, s.cwd, fs.Path{}, nil
}
func (s *fakeSource) System() SysInfo { return SysInfo{TotalPages: 10, FreePages: 5} }

func setup(t *testing.T) (fs.Path, *fakeSource) {
	t.Helper()
	sb, err := mount("")
	if err != nil {
		t.Fatal(err)
	}
	root := fs.NewRootMount(sb, "proc")
	pipe := fs.NewFile(fs.Path{}, fs.NewAnonInode(fs.S_IFIFO|0o600, 0), fs.NoFileOps{}, fs.O_RDONLY)
	cons := fs.NewFile(fs.Path{}, fs.NewAnonInode(fs.S_IFCHR|0o600, fs.Mkdev(5, 1)), fs.NoFileOps{}, fs.O_RDWR)
	src := &fakeSource{self: 8, cwd: root, tasks: map[int]*fakeTask{
		1: {tgid: 1, comm: "init", fds: []FD{{Num: 0, File: cons}, {Num: 3, File: pipe}}},
		7: {tgid: 7, comm: "sh", mem: []byte("sh\x00-c\x00HOME=/\x00")},
		8: {tgid: 7, comm: "sh-thread", mem: []byte("sh\x00-c\x00HOME=/\x00")},
	}}
	SetSource(src)
	t.Cleanup(func() { SetSource(nil) })
	return root, src
}

func readAll(t *testing.T, root fs.Path, name string) (string, error) {
	t.Helper()
	f, err := fs.Open(nil, root, root, name, fs.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.Put()
	var out []byte
	buf := make([]byte, 5) // small reads: the text must continue across them
	for {
		n, err := f.Read(nil, buf)
		if err != nil {
			return string(out), err
		}
		if n == 0 {
			return string(out), nil
		}
		out = append(out, buf[:n]...)
	}
}

func listDir(t *testing.T, root fs.Path, name string) []string {
	t.Helper()
	f, err := fs.Open(nil, root, root, name, fs.O_RDONLY|fs.O_DIRECTORY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Put()
	var names []string
	for {
		b, err := fs.Getdents64(f, 64) // a few entries per call
		if err != nil {
			t.Fatalf("getdents %s: %v", name, err)
		}
		if len(b) == 0 {
			return names
		}
		for len(b) > 0 {
			reclen := binary.LittleEndian.Uint16(b[16:])
			names = append(names, strings.TrimRight(string(b[19:reclen]), "\x00"))
			b = b[reclen:]
		}
	}
}

func TestRootListing(t *testing.T) {
	root, _ := setup(t)
	RegisterFile("tasks", func() []byte { return []byte("dump\n") })
	got := strings.Join(listDir(t, root, "/"), " ")
	want := ". .. self thread-self meminfo uptime loadavg stat cpuinfo version mounts filesystems tasks 1 7"
	if got != want {
		t.Errorf("ls /proc: %s\nwant %s", got, want)
	}
	if s, err := readAll(t, root, "/tasks"); s != "dump\n" || err != nil {
		t.Errorf("tasks: %q %v", s, err)
	}
}

func TestSelfAndPIDFiles(t *testing.T) {
	root, _ := setup(t)
	if l, err := fs.Readlink(root, root, "/self"); l != "7" || err != nil {
		t.Errorf("self -> %q %v", l, err)
	}
	if l, err := fs.Readlink(root, root, "/thread-self"); l != "7/task/8" || err != nil {
		t.Errorf("thread-self -> %q %v", l, err)
	}
	if s, err := readAll(t, root, "/self/cmdline"); s != "sh\x00-c\x00" || err != nil {
		t.Errorf("cmdline %q %v", s, err)
	}
	if s, err := readAll(t, root, "/self/environ"); s != "HOME=/\x00" || err != nil {
		t.Errorf("environ %q %v", s, err)
	}
	if s, err := readAll(t, root, "/thread-self/comm"); s != "sh-thread\n" || err != nil {
		t.Errorf("thread comm %q %v", s, err)
	}
	if s, err := readAll(t, root, "/7/stat"); !strings.HasPrefix(s, "7 (sh) R ") || err != nil {
		t.Errorf("stat %q %v", s, err)
	}
	if got := strings.Join(listDir(t, root, "/7/task"), " "); got != ". .. 7 8" {
		t.Errorf("task/: %s", got)
	}
	if _, err := fs.LookupAt(root, root, "/7/task/1", 0); err != abi.ENOENT {
		t.Errorf("a thread of another group: %v", err)
	}
	for _, bad := range []string{"/99", "/07", "/1x", "/7/nothing", "/7/task/task"} {
		if _, err := fs.LookupAt(root, root, bad, 0); err != abi.ENOENT {
			t.Errorf("%s: %v, want ENOENT", bad, err)
		}
	}
}

func TestFDLinks(t *testing.T) {
	root, _ := setup(t)
	if got := strings.Join(listDir(t, root, "/1/fd"), " "); got != ". .. 0 3" {
		t.Errorf("fd/: %s", got)
	}
	if l, _ := fs.Readlink(root, root, "/1/fd/0"); l != "/dev/console" {
		t.Errorf("fd 0 -> %q", l)
	}
	l, _ := fs.Readlink(root, root, "/1/fd/3")
	if !strings.HasPrefix(l, "pipe:[") || !strings.HasSuffix(l, "]") {
		t.Errorf("fd 3 -> %q", l)
	}
	p, err := fs.LookupAt(root, root, "/1/fd/3", 0)
	if err != nil || fs.Getattr(p, p.Inode()).Mode != fs.S_IFLNK|0o500 {
		t.Errorf("fd 3 mode %o %v", fs.Getattr(p, p.Inode()).Mode, err)
	}
	// The magic link jumps to the file's place; a pipe has none.
	if _, err := fs.LookupAt(root, root, "/1/fd/3", fs.LOOKUP_FOLLOW); err != abi.ENOENT {
		t.Errorf("following a pipe's link: %v", err)
	}
	if p, err := fs.LookupAt(root, root, "/1/cwd/1/fd", fs.LOOKUP_FOLLOW); err != nil || !p.Inode().IsDir() {
		t.Errorf("walking through cwd: %v", err)
	}
	if l, _ := fs.Readlink(root, root, "/1/exe"); l != "/" {
		t.Errorf("exe -> %q", l)
	}
	for _, bad := range []string{"/1/fd/1", "/1/fd/03", "/1/fd/-1"} {
		if _, err := fs.LookupAt(root, root, bad, 0); err != abi.ENOENT {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestTaskGone: a file opened before its task went away reads ESRCH; a
// lookup after gives ENOENT, listing its directory too.
func TestTaskGone(t *testing.T) {
	root, src := setup(t)
	f, err := fs.Open(nil, root, root, "/7/status", fs.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Put()
	dir, err := fs.Open(nil, root, root, "/7", fs.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Put()
	delete(src.tasks, 7)
	delete(src.tasks, 8)
	src.self = 1
	if _, err := f.Read(nil, make([]byte, 100)); err != abi.ESRCH {
		t.Errorf("read after exit: %v, want ESRCH", err)
	}
	if _, err := fs.Getdents64(dir, 4096); err != abi.ENOENT {
		t.Errorf("getdents after exit: %v, want ENOENT", err)
	}
	if _, err := fs.LookupAt(root, root, "/7/stat", 0); err != abi.ENOENT {
		t.Errorf("lookup after exit: %v", err)
	}
	if _, err := fs.Open(nil, root, root, "/meminfo", fs.O_WRONLY, 0); err != abi.EACCES {
		t.Errorf("open for writing: %v", err)
	}
	if err := fs.Mkdir(root, root, "/x", 0o755); err != abi.EPERM {
		t.Errorf("mkdir in /proc: %v", err)
	}
}
