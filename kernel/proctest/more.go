//go:build tamago

package proctest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"tamix/abi"
	"tamix/fs"
	"tamix/kernel/ktap"
	"tamix/proc"
	"tamix/sched"
)

// testMaps: spin is a static program linked at 0x400000, so its text is
// an r-xp area there or just above; the stack is named.
func testMaps(t *ktap.T) {
	s, err := readProc(childPath("maps"))
	if err != nil {
		t.Fatalf("read maps: %v", err)
	}
	var text, stack bool
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			t.Errorf("short line %q", l)
			continue
		}
		lo, _, _ := strings.Cut(f[0], "-")
		start, _ := strconv.ParseUint(lo, 16, 64)
		text = text || f[1] == "r-xp" && start >= 0x400000 && start < 0x1000000
		stack = stack || len(f) == 6 && f[5] == "[stack]" && f[1] == "rw-p"
	}
	if !text || !stack {
		t.Errorf("text %v, stack %v in\n%s", text, stack, s)
	}
}

// testFDs: a spawned program has the console on 0, 1 and 2.
func testFDs(t *ktap.T) {
	root := *proc.K.Root
	f, err := fs.Open(proc.Current(), root, root, childPath("fd"), fs.O_RDONLY|fs.O_DIRECTORY, 0)
	if err != nil {
		t.Fatalf("open fd/: %v", err)
	}
	b, err := fs.Getdents64(f, 4096)
	f.Put()
	if err != nil {
		t.Fatalf("getdents: %v", err)
	}
	var names []string
	for len(b) > 0 {
		reclen := int(b[16]) | int(b[17])<<8
		names = append(names, strings.TrimRight(string(b[19:reclen]), "\x00"))
		b = b[reclen:]
	}
	if got := strings.Join(names, " "); got != ". .. 0 1 2" {
		t.Errorf("fd/: %q", got)
	}
	for _, n := range []string{"0", "1", "2"} {
		if l, err := readlink(childPath("fd/" + n)); l != "/dev/console" || err != nil {
			t.Errorf("fd/%s -> %q, %v", n, l, err)
		}
	}
	if _, err := readlink(childPath("fd/3")); err != abi.ENOENT {
		t.Errorf("fd/3: %v, want ENOENT", err)
	}
}

// testExeCmdline: exe names the program, cmdline holds argv
// NUL-separated, environ the environment; exe can be followed.
func testExeCmdline(t *ktap.T) {
	if l, err := readlink(childPath("exe")); l != "/spin" || err != nil {
		t.Errorf("exe -> %q, %v", l, err)
	}
	root := *proc.K.Root
	if p, err := fs.LookupAt(root, root, childPath("exe"), fs.LOOKUP_FOLLOW); err != nil || !p.Inode().IsRegular() {
		t.Errorf("following exe: %v", err)
	}
	if s, err := readProc(childPath("cmdline")); s != "spin\x0030\x00" || err != nil {
		t.Errorf("cmdline %q, %v", s, err)
	}
	if s, err := readProc(childPath("environ")); s != "PATH=/\x00HOME=/\x00" || err != nil {
		t.Errorf("environ %q, %v", s, err)
	}
	if s, err := readProc(childPath("comm")); s != "spin\n" || err != nil {
		t.Errorf("comm %q, %v", s, err)
	}
}

// testSelf: /proc/self names the reader; the listing has the child.
func testSelf(t *ktap.T) {
	me := proc.Current()
	if l, err := readlink("/proc/self"); l != strconv.Itoa(me.TGID) || err != nil {
		t.Errorf("self -> %q, %v", l, err)
	}
	if s, err := readProc("/proc/self/stat"); !strings.HasPrefix(s, strconv.Itoa(me.PID)+" (") || err != nil {
		t.Errorf("self/stat %q, %v", s, err)
	}
	if s, err := readProc("/proc/self/cmdline"); s != "" || err != nil {
		t.Errorf("a kernel thread's cmdline %q, %v", s, err)
	}
	if _, err := readlink("/proc/self/exe"); err != abi.ENOENT {
		t.Errorf("a kernel thread's exe: %v, want ENOENT", err)
	}
	if s, err := readProc("/proc/2/stat"); !strings.HasPrefix(s, "2 (kthreadd) ") || err != nil {
		t.Errorf("kthreadd: %q %v", s, err)
	}
	if s, _ := readProc("/proc/tasks"); !strings.Contains(s, "spin") {
		t.Errorf("tasks lacks spin:\n%s", s)
	}
}

// testExit: a file opened while the child lived reads ESRCH once it is
// reaped, a lookup gives ENOENT, and nothing of it stays behind.
func testExit(t *ktap.T) {
	root := *proc.K.Root
	stat, err := fs.Open(proc.Current(), root, root, childPath("stat"), fs.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer stat.Put()
	dir, err := fs.Open(proc.Current(), root, root, childPath(""), fs.O_RDONLY|fs.O_DIRECTORY, 0)
	if err != nil {
		t.Fatalf("open dir: %v", err)
	}
	defer dir.Put()
	name := childPath("status")
	proc.SendFatalSignal(child, proc.SIGKILL)
	sched.SleepTimeout(20*time.Millisecond, nil)
	// A zombie is still there, in state Z, without memory.
	if s, err := readProc(childPath("stat")); err != nil || !strings.Contains(s, ") Z ") {
		t.Errorf("zombie stat %q, %v", s, err)
	}
	if _, status, err := proc.DoWait(child.PID, 0); err != nil || status != proc.SIGKILL {
		t.Errorf("wait: %#x, %v", status, err)
	}
	if _, err := stat.Read(proc.Current(), make([]byte, 512)); err != abi.ESRCH {
		t.Errorf("read after reap: %v, want ESRCH", err)
	}
	if _, err := fs.Getdents64(dir, 4096); err != abi.ENOENT {
		t.Errorf("getdents after reap: %v, want ENOENT", err)
	}
	if _, err := readProc(name); err != abi.ENOENT {
		t.Errorf("open after reap: %v, want ENOENT", err)
	}
	child = nil
}

// testSystem: the system-wide files agree with the kernel's numbers.
func testSystem(t *ktap.T) {
	s, err := readProc("/proc/meminfo")
	total := proc.K.Pages.TotalPages() * 4
	if err != nil || !strings.HasPrefix(s, "MemTotal:") || statusValueSpaced(s, "MemTotal") != strconv.FormatUint(total, 10)+" kB" {
		t.Errorf("meminfo (MemTotal want %d kB): %v\n%.200s", total, err, s)
	}
	up, err := readProc("/proc/uptime")
	var secs, idle float64
	if _, e := fmt.Sscan(up, &secs, &idle); err != nil || e != nil || secs <= 0 || idle > secs+0.01 {
		t.Errorf("uptime %q: %v %v", up, err, e)
	}
	for _, f := range []string{"/proc/loadavg", "/proc/stat", "/proc/version", "/proc/cpuinfo", "/proc/mounts", "/proc/filesystems"} {
		if s, err := readProc(f); s == "" || err != nil {
			t.Errorf("%s: %q, %v", f, s, err)
		}
	}
	if s, _ := readProc("/proc/mounts"); !strings.Contains(s, "proc /proc proc rw") {
		t.Errorf("mounts:\n%s", s)
	}
}

// statusValueSpaced returns the value of key in a "Key:   value" text.
func statusValueSpaced(text, key string) string {
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func testNoLeaks(t *ktap.T) { leakBase.Check(t) }
