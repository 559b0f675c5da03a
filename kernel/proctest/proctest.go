//go:build tamago

// Package proctest is the in-guest suite "procfs": /proc read from the
// kernel while a program (user/spin.c) runs as a child of the test task,
// checked against what the kernel knows of it: /proc/PID/stat fields,
// status lines, maps, fd links, exe, cmdline, the stopped state; reads
// of a task that exits meanwhile; the system-wide files; and every
// page, task, PID and open file back to its baseline.
package proctest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"tamix/abi"
	"tamix/fs"
	"tamix/kernel/ktap"
	"tamix/kernel/testenv"
	"tamix/proc"
	"tamix/sched"
)

// child is the spin process the cases look at; started is the clock
// just before it was forked.
var (
	child   *proc.Task
	started int64
)

// leakBase is the kernel's counters before the suite (testenv).
var leakBase testenv.Baseline

func init() {
	ktap.Register(&ktap.Suite{
		Name: "procfs",
		Init: testenv.InitTaking(&leakBase),
		Cases: []ktap.Case{
			{Name: "spawn_child", Run: testSpawn},
			{Name: "stat_fields", Run: testStat},
			{Name: "status_lines", Run: testStatus},
			{Name: "stopped_state", Run: testStopped},
			{Name: "maps_text_and_stack", Run: testMaps},
			{Name: "fd_links", Run: testFDs},
			{Name: "exe_cmdline_environ", Run: testExeCmdline},
			{Name: "self_and_listing", Run: testSelf},
			{Name: "exit_meanwhile", Run: testExit},
			{Name: "system_files", Run: testSystem},
			{Name: "no_leaks", Run: testNoLeaks},
		},
	})
}

// readProc reads the whole file at name as a program would, in small
// reads.
func readProc(name string) (string, error) {
	root := *proc.K.Root
	f, err := fs.Open(proc.Current(), root, root, name, fs.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.Put()
	var out []byte
	buf := make([]byte, 100)
	for {
		n, err := f.Read(proc.Current(), buf)
		if err != nil {
			return string(out), err
		}
		if n == 0 {
			return string(out), nil
		}
		out = append(out, buf[:n]...)
	}
}

func readlink(name string) (string, error) {
	root := *proc.K.Root
	return fs.Readlink(root, root, name)
}

func childPath(name string) string { return fmt.Sprintf("/proc/%d/%s", child.PID, name) }

// testSpawn starts spin for 30 s and lets it reach its loop.
func testSpawn(t *ktap.T) {
	started = proc.K.Clock()
	p, err := proc.SpawnProgram("/spin", []string{"spin", "30"}, []string{"PATH=/", "HOME=/"}, nil)
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	child = p
	sched.SleepTimeout(30*time.Millisecond, nil)
}

// statFields splits /proc/PID/stat: pid, comm and the fields after it,
// rest[0] being field 3 (the state).
func statFields(line string) (pid int, comm string, rest []string, err error) {
	open, close := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 1 || close < open {
		return 0, "", nil, fmt.Errorf("no (comm) in %q", line)
	}
	pid, err = strconv.Atoi(strings.TrimSpace(line[:open]))
	return pid, line[open+1 : close], strings.Fields(line[close+1:]), err
}

// testStat checks /proc/PID/stat against the task: 52 fields, pid,
// comm, a running or sleeping state, parent, process group and session
// the test task's, one thread, a start time after the test started.
func testStat(t *ktap.T) {
	if child == nil {
		t.Fatalf("no child")
	}
	s, err := readProc(childPath("stat"))
	if err != nil {
		t.Fatalf("read stat: %v", err)
	}
	t.Logf("%s", strings.TrimSpace(s))
	pid, comm, rest, err := statFields(s)
	if err != nil || len(rest) != 50 {
		t.Fatalf("stat: %v, %d fields after comm, want 50", err, len(rest))
	}
	field := func(n int) string { return rest[n-3] }
	me := proc.Current()
	pgrp, _ := proc.Getpgid(me, 0)
	sid, _ := proc.Getsid(me, 0)
	want := map[int]string{4: strconv.Itoa(me.TGID), 5: strconv.Itoa(pgrp), 6: strconv.Itoa(sid), 20: "1", 38: "17"}
	for n, w := range want {
		if field(n) != w {
			t.Errorf("field %d = %s, want %s", n, field(n), w)
		}
	}
	if pid != child.PID || comm != "spin" {
		t.Errorf("pid %d comm %q, want %d spin", pid, comm, child.PID)
	}
	if st := field(3); st != "R" && st != "S" {
		t.Errorf("state %s, want R or S", st)
	}
	start, _ := strconv.ParseInt(field(22), 10, 64)
	if lo, hi := started/1e7, proc.K.Clock()/1e7; start < lo || start > hi {
		t.Errorf("starttime %d ticks, want %d..%d", start, lo, hi)
	}
	if vsz, _ := strconv.ParseUint(field(23), 10, 64); vsz == 0 {
		t.Errorf("vsize 0")
	}
}

// statusValue returns the value of key in a status text.
func statusValue(text, key string) string {
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, ":\t"); ok && k == key {
			return v
		}
	}
	return ""
}

// testStatus checks the status lines a ps reads.
func testStatus(t *ktap.T) {
	s, err := readProc(childPath("status"))
	if err != nil {
		t.Fatalf("read status: %v", err)
	}
	me := proc.Current()
	want := map[string]string{"Name": "spin", "Tgid": strconv.Itoa(child.PID), "Pid": strconv.Itoa(child.PID),
		"PPid": strconv.Itoa(me.TGID), "Threads": "1", "Kthread": "0", "Umask": "0022"}
	for k, w := range want {
		if v := statusValue(s, k); v != w {
			t.Errorf("%s: %q, want %q", k, v, w)
		}
	}
	if st := statusValue(s, "State"); st != "R (running)" && st != "S (sleeping)" {
		t.Errorf("State: %q", st)
	}
	rss := strings.TrimSpace(strings.TrimSuffix(statusValue(s, "VmRSS"), " kB"))
	if n, err := strconv.Atoi(rss); err != nil || n <= 0 {
		t.Errorf("VmRSS: %q", statusValue(s, "VmRSS"))
	}
}

// testStopped: after SIGSTOP the state is T, after SIGCONT no more.
func testStopped(t *ktap.T) {
	proc.SendSignal(abi.SIGSTOP, proc.NewKernelInfo(abi.SIGSTOP), child, true)
	sched.SleepTimeout(30*time.Millisecond, nil)
	s, err := readProc(childPath("stat"))
	_, _, rest, err2 := statFields(s)
	if err != nil || err2 != nil || rest[0] != "T" {
		t.Errorf("stopped: %v %v %q", err, err2, s)
	}
	if st, _ := readProc(childPath("status")); statusValue(st, "State") != "T (stopped)" {
		t.Errorf("status State: %q", statusValue(st, "State"))
	}
	proc.SendSignal(abi.SIGCONT, proc.NewKernelInfo(abi.SIGCONT), child, true)
	sched.SleepTimeout(30*time.Millisecond, nil)
	s, _ = readProc(childPath("stat"))
	if _, _, rest, err := statFields(s); err != nil || rest[0] == "T" {
		t.Errorf("after SIGCONT: %q", s)
	}
}
