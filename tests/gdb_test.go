package tests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The gdb test boots the kernel with QEMU's gdb stub, drives gdb in batch
// mode with scripts/gdb loaded (as "make debug" does), stops the kernel in
// fork, and checks what the kernel-aware commands print.

// gdbStop says where TestGDB stops the kernel first and what it must find
// there.
type gdbStop struct {
	fn   string // the breakpoint
	from string // a function the stop's backtrace must show; other hits are skipped
	init string // the init= program
	// tasks are "PID COMM" pairs tamix-ps must list at the stop.
	tasks []string
}

var (
	// stopKernelThread: DoFork creating a kernel thread. RestInit makes
	// init (PID 1) and kthreadd (PID 2) with KernelThread, which is
	// DoFork with CLONE_VM; the stop is the first, so only PID 0 exists.
	// (init and kthreadd are checked at the later stop in a system call.)
	stopKernelThread = gdbStop{
		fn: "tamix/proc.DoFork", from: "tamix/kernel.RestInit", init: "/hello",
		tasks: []string{"0 swapper"},
	}
	// stopForkSyscall: DoFork from fork(2) in a user program, through
	// the system-call entry, as issue 6 asks: the first fork of
	// user/forktest (issue 5's suite) running as init. The session ends
	// with forktest's own verdict, so it needs the suite to pass.
	stopForkSyscall = gdbStop{
		fn: "tamix/proc.DoFork", from: "tamix/syscall.Dispatch", init: "/forktest",
		tasks: []string{"0 swapper", "1 forktest", "2 kthreadd"},
	}
)

// gdbStopAt is the stop TestGDB uses: DoFork reached from fork(2) (the
// first fork of user/forktest as init), as issue 6 asks.
var gdbStopAt = stopForkSyscall

// Limits of TestGDB. Under TCG the whole session takes a few seconds.
const (
	gdbStepTimeout  = 30 * time.Second // any one gdb step, boot included
	gdbTotalTimeout = 60 * time.Second // gdb from start to end
	gdbMaxHits      = 20               // breakpoint hits skipped while looking for gdbStop.from
	gdbQEMUTimeout  = 90               // seconds, qemu.sh --timeout
)

// gdbSteps starts every driver script: step runs one gdb command and
// brackets its output with "@@step NAME" and "@@end NAME" lines, so that
// the test can time every step and check its output.
const gdbSteps = `
import os
import gdb


def mark(text):
    gdb.write("@@%s\n" % text)
    gdb.flush()


def step(name, command):
    mark("step " + name)
    try:
        out = gdb.execute(command, to_string=True)
    except Exception as e:
        out = "ERROR: %s\n" % e
    gdb.write(out)
    mark("end " + name)
    return out
`

// gdbDriver is TestGDB's batch script. The stop comes from the
// environment (TAMIX_TEST_*).
const gdbDriver = gdbSteps + `
fn = os.environ["TAMIX_TEST_BREAK"]
want = os.environ["TAMIX_TEST_BREAK_FROM"]
step("break", "break '%s'" % fn)
for _ in range(int(os.environ["TAMIX_TEST_MAX_HITS"])):
    if step("continue", "continue").startswith("ERROR"):
        break
    if want in gdb.execute("bt", to_string=True):
        break
step("bt", "bt")
step("stop-ps", "tamix-ps")
step("stop-current", "tamix-current")
step("stop-regs", "tamix-regs")
step("dmesg", "tamix-dmesg")
step("trace", "tamix-trace 5")
step("log-records", "python log = gdb.parse_and_eval(\"'tamix/kernel/printk.Kernel'\"); "
     "print(int(log['nextSeq']) - int(log['firstSeq']))")

step("delete", "delete")
step("break-syscall", "break 'tamix/syscall.Dispatch'")
step("continue-syscall", "continue")
step("ps", "tamix-ps")
step("current", "tamix-current")
try:
    task = gdb.parse_and_eval("$tamix_current()")
    pid, ip = int(task["PID"]), int(task["Regs"]["IP"])
except Exception as e:
    pid, ip = -1, 0
    mark("step current-value")
    gdb.write("ERROR: %s\n" % e)
    mark("end current-value")
step("regs", "tamix-regs %d" % pid)
step("pte", "tamix-pte %d %#x" % (pid, ip))
step("function", "print $tamix_current().PID")
step("delete-syscall", "delete")
step("finish", "continue")
`

// gdbSession is what gdb printed, split by step.
type gdbSession struct {
	transcript []string          // every line, with host times
	steps      map[string]string // each step's output (the last run of a repeated step)
	order      []string          // the steps in the order they first ran
	runs       map[string]int    // how often each step ran
	failed     string            // the step that hung, if one did
}

// TestGDB debugs the kernel with gdb the way docs/debugging.md does: the
// kernel-aware commands must work at a breakpoint in fork and at a system
// call of init, and the kernel must finish normally afterwards.
func TestGDB(t *testing.T) {
	gdbPath, kernel, initrd := gdbFiles(t)
	stop := gdbStopAt
	port := freePort(t)

	r := startQEMUForGDB(t, port, kernel, initrd, "trace_event=sched:sched_switch,sched:sched_process_fork", "init="+stop.init)
	s := runGDB(t, gdbPath, kernel, port, gdbDriver,
		"TAMIX_TEST_BREAK="+stop.fn,
		"TAMIX_TEST_BREAK_FROM="+stop.from,
		fmt.Sprintf("TAMIX_TEST_MAX_HITS=%d", gdbMaxHits))
	if s.failed != "" {
		r.kill()
	}
	r.wait(t, 30*time.Second)
	if s.failed != "" {
		t.Fatalf("gdb step %q did not finish within %v", s.failed, gdbStepTimeout)
	}

	if !checkStop(t, s, stop) {
		t.FailNow()
	}
	for _, name := range s.order {
		if out := s.steps[name]; name != "finish" &&
			(strings.Contains(out, "ERROR:") || strings.Contains(out, "Python Exception")) {
			t.Errorf("gdb step %s failed:\n%s", name, out)
		}
	}
	checkLog(t, s)
	if out := s.steps["trace"]; !strings.Contains(out, "entries-in-buffer/entries-written") ||
		!strings.Contains(out, ": sched_switch: prev_comm=") && !strings.Contains(out, ": sched_process_fork: comm=") {
		t.Errorf("tamix-trace printed no events:\n%s", out)
	}
	checkUserTask(t, s)
	if out := s.steps["finish"]; !strings.Contains(out, "Remote connection closed") &&
		!strings.Contains(out, "exited") {
		t.Errorf("the last continue did not run the kernel to its end:\n%s", out)
	}
	r.run.checkStatus(t, exitOK)
	if l, ok := r.run.find(contains("exited with status 0")); ok {
		t.Logf("console: %s", l.text)
	}
}

// checkStop checks the first stop: the backtrace and the task list. It
// returns false if the kernel did not stop where it should, which makes
// the rest of the session meaningless.
func checkStop(t *testing.T, s *gdbSession, stop gdbStop) bool {
	t.Helper()
	bt := s.steps["bt"]
	if !strings.Contains(bt, stop.fn+" (") {
		t.Errorf("the kernel never stopped in %s (init=%s) after %d continue(s); the last said:\n%s",
			stop.fn, stop.init, s.runs["continue"], s.steps["continue"])
		return false
	}
	if !strings.Contains(bt, stop.from) {
		t.Errorf("no backtrace of %s reached %s in %d hits; the last:\n%s",
			stop.fn, stop.from, s.runs["continue"], bt)
		return false
	}
	rows := parsePs(s.steps["stop-ps"])
	for _, want := range stop.tasks {
		pid, comm, _ := strings.Cut(want, " ")
		if row, ok := rows[pid]; !ok || row.comm != comm {
			t.Errorf("tamix-ps at %s does not list PID %s %s:\n%s", stop.fn, pid, comm, s.steps["stop-ps"])
		}
	}
	if !strings.Contains(s.steps["stop-current"], "PID ") {
		t.Errorf("tamix-current at %s:\n%s", stop.fn, s.steps["stop-current"])
	}
	if !strings.Contains(s.steps["stop-regs"], "RIP: ") && !strings.Contains(s.steps["stop-regs"], "kernel thread") {
		t.Errorf("tamix-regs at %s:\n%s", stop.fn, s.steps["stop-regs"])
	}
	return true
}

// recordLine is a line of tamix-dmesg: "[seconds.microseconds] text".
var recordLine = regexp.MustCompile(`^\[ *\d+\.\d{6}\] `)

// checkLog checks that tamix-dmesg printed every record of the ring.
func checkLog(t *testing.T, s *gdbSession) {
	t.Helper()
	want, err := strconv.Atoi(strings.TrimSpace(s.steps["log-records"]))
	if err != nil {
		t.Errorf("number of log records: %q", s.steps["log-records"])
		return
	}
	got := 0
	for _, l := range strings.Split(s.steps["dmesg"], "\n") {
		if recordLine.MatchString(l) {
			got++
		}
	}
	switch {
	case got != want:
		t.Errorf("tamix-dmesg printed %d records, the ring holds %d:\n%s", got, want, s.steps["dmesg"])
	case want == 0 && !strings.Contains(s.steps["dmesg"], "the log is empty"):
		t.Errorf("tamix-dmesg on an empty log:\n%s", s.steps["dmesg"])
	case want == 0:
		t.Log("the kernel log was empty at the stop; TestGDBLogDecoder covers the ring's format")
	}
}

// currentLine is tamix-current's report of a user task.
var currentLine = regexp.MustCompile(`PID (\d+) \((.*)\), user task`)

// checkUserTask checks the stop at a system call: tamix-ps, -current,
// -regs, -pte and $tamix_current() on the user task that made it.
func checkUserTask(t *testing.T, s *gdbSession) {
	t.Helper()
	m := currentLine.FindStringSubmatch(s.steps["current"])
	if m == nil {
		t.Errorf("tamix-current at a system call names no user task:\n%s", s.steps["current"])
		return
	}
	pid, comm := m[1], m[2]
	rows := parsePs(s.steps["ps"])
	for p, name := range map[string]string{"0": "swapper", "2": "kthreadd", pid: comm} {
		if row, ok := rows[p]; !ok || row.comm != name {
			t.Errorf("tamix-ps at a system call does not list PID %s %s:\n%s", p, name, s.steps["ps"])
		}
	}
	if _, ok := rows["1"]; !ok {
		t.Errorf("tamix-ps does not list init, PID 1:\n%s", s.steps["ps"])
	}
	if row := rows[pid]; row.state != "R" || !row.onCPU {
		t.Errorf("PID %s is in a system call, so running and on the CPU; tamix-ps says state %q, on-CPU %v",
			pid, row.state, row.onCPU)
	}
	if got := strings.TrimSpace(s.steps["function"]); !strings.HasSuffix(got, "= "+pid) {
		t.Errorf("print $tamix_current().PID: %q, want %s", got, pid)
	}
	for _, want := range []string{"RIP: 0033:", "RSP: 002b:", "ORIG_RAX: ", "RAX: ", "R15: "} {
		if !strings.Contains(s.steps["regs"], want) {
			t.Errorf("tamix-regs %s has no %q:\n%s", pid, want, s.steps["regs"])
		}
	}
	pte := s.steps["pte"]
	for _, want := range []string{"PML4 (pgd)", "PDPT (pud)", "PD   (pmd)", "PT   (pte)",
		"physical address 0x", "refcount ", "vma 0x"} {
		if !strings.Contains(pte, want) {
			t.Errorf("tamix-pte of PID %s's RIP has no %q:\n%s", pid, want, pte)
		}
	}
	if !regexp.MustCompile(`PT +\(pte\).* P( RW)? US`).MatchString(pte) {
		t.Errorf("the page of PID %s's RIP is not a present user page:\n%s", pid, pte)
	}
	t.Logf("tamix-ps:\n%s", s.steps["ps"])
	t.Logf("tamix-pte:\n%s", pte)
}

// psRow is a line of tamix-ps.
type psRow struct {
	ppid, state, comm string
	onCPU             bool
}

var psLine = regexp.MustCompile(`^ *(\d+) +(\d+) ([A-Z?]) ([* ]) +\S+ +\S+ +\d+ +\d+ +0x[0-9a-f]+ +(.*)$`)

// parsePs returns tamix-ps's rows by PID.
func parsePs(out string) map[string]psRow {
	rows := map[string]psRow{}
	for _, l := range strings.Split(out, "\n") {
		if m := psLine.FindStringSubmatch(l); m != nil {
			rows[m[1]] = psRow{ppid: m[2], state: m[3], onCPU: m[4] == "*", comm: m[5]}
		}
	}
	return rows
}

// lookGDB returns gdb's path; CI installs it (.ci/run), so a missing gdb
// is a failure, not a skip.
// gdbFiles returns what a gdb test needs: gdb, the kernel ELF's absolute
// path and the initramfs.
func gdbFiles(t *testing.T) (gdbPath, kernel, initrd string) {
	t.Helper()
	gdbPath = lookGDB(t)
	kernel, err := filepath.Abs(kernelPath(t))
	if err != nil {
		t.Fatal(err)
	}
	if initrd = initrdPath(); initrd == "" {
		t.Fatal("no initramfs: run make initramfs first")
	}
	return gdbPath, kernel, initrd
}

func lookGDB(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("gdb")
	if err != nil {
		t.Fatalf("gdb not found (%v): install it (Debian: apt-get install gdb)", err)
	}
	return p
}

// freePort returns a TCP port that was free a moment ago, so that tests
// and a developer's "make debug" do not fight over 1234.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// backgroundRun is a qemu.sh started in the background.
type backgroundRun struct {
	run  *guestRun
	cmd  *exec.Cmd
	mu   sync.Mutex
	wg   sync.WaitGroup
	done chan struct{}
}

// startQEMUForGDB starts qemu.sh --gdb, which waits for gdb on port.
func startQEMUForGDB(t *testing.T, port int, kernel, initrd string, kernelArgs ...string) *backgroundRun {
	t.Helper()
	b := &backgroundRun{
		run:  &guestRun{args: kernelArgs, timeout: gdbQEMUTimeout * time.Second, qemuStart: -1},
		done: make(chan struct{}),
	}
	args := []string{filepath.Join(rootDir, "qemu.sh"), "--gdb",
		"--kernel", kernel, "--initrd", initrd,
		"--timeout", strconv.Itoa(gdbQEMUTimeout),
		"--append", strings.Join(kernelArgs, " ")}
	b.cmd = exec.Command("bash", args...)
	b.cmd.Env = append(os.Environ(), fmt.Sprintf("TAMIX_GDB_PORT=%d", port))
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := b.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b.wg.Add(2)
	go b.run.read(&b.wg, &b.mu, stdout, false, start)
	go b.run.read(&b.wg, &b.mu, stderr, true, start)
	go func() {
		b.wg.Wait()
		err := b.cmd.Wait()
		b.mu.Lock()
		b.run.status = 0
		if exit, ok := err.(*exec.ExitError); ok {
			b.run.status = exit.ExitCode()
		} else if err != nil {
			b.run.status = -1
		}
		b.run.timedOut = b.run.status == exitTimeout
		b.mu.Unlock()
		close(b.done)
	}()
	t.Cleanup(func() {
		b.kill()
		<-b.done
		b.run.report(t)
	})
	return b
}

// kill ends qemu.sh and QEMU if they still run.
func (b *backgroundRun) kill() {
	select {
	case <-b.done:
	default:
		killTree(b.cmd.Process.Pid)
	}
}

// killTree kills pid and every process below it. Killing qemu.sh's
// process group is not enough: with --timeout, qemu.sh runs QEMU under
// timeout(1), which puts itself and QEMU in a process group of their own.
func killTree(pid int) {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(stat), ')')
		if f := strings.Fields(string(stat[i+1:])); i > 0 && len(f) > 1 {
			if ppid, err := strconv.Atoi(f[1]); err == nil {
				children[ppid] = append(children[ppid], p)
			}
		}
	}
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	for _, p := range tree {
		syscall.Kill(p, syscall.SIGKILL)
	}
}

// wait waits up to limit for qemu.sh to exit, then kills it.
func (b *backgroundRun) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(limit):
		t.Errorf("QEMU still ran %v after gdb ended", limit)
		b.mu.Lock()
		b.run.timedOut = true
		b.mu.Unlock()
		b.kill()
		<-b.done
	}
}

// runGDB runs the driver script against the QEMU on port, with env added
// to gdb's environment, time-boxing every step, and returns what each
// step printed.
func runGDB(t *testing.T, gdbPath, kernel string, port int, script string, env ...string) *gdbSession {
	t.Helper()
	scripts, err := filepath.Abs(filepath.Join(rootDir, "scripts", "gdb"))
	if err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(t.TempDir(), "driver.py")
	if err := os.WriteFile(driver, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gdbPath, "-nx", "-batch",
		"-iex", "set auto-load python-scripts off",
		"-x", filepath.Join(scripts, "tamix-gdbinit"),
		"-x", driver, kernel)
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("TAMIX_GDB_PORT=%d", port),
		"TAMIX_GDB_SCRIPTS="+scripts)
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		pw.Close()
		exited <- err
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, pr)
		close(lines)
	}()

	s := &gdbSession{steps: map[string]string{}, runs: map[string]int{}}
	defer func() {
		text := strings.Join(s.transcript, "\n") + "\n"
		if t.Failed() {
			t.Logf("gdb transcript:\n%s", text)
		}
		dir := filepath.Join(rootDir, "build", "test-logs")
		if os.MkdirAll(dir, 0o755) == nil {
			os.WriteFile(filepath.Join(dir, t.Name()+".gdb.log"), []byte(text), 0o644)
		}
	}()
	step, stepStart := "start", time.Now()
	var out strings.Builder
	stepTimer := time.NewTimer(gdbStepTimeout)
	total := time.NewTimer(gdbTotalTimeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				if err := <-exited; err != nil {
					t.Logf("gdb: %v", err)
				}
				return s
			}
			s.transcript = append(s.transcript, fmt.Sprintf("[%7.3fs] %s", time.Since(start).Seconds(), l))
			switch {
			case strings.HasPrefix(l, "@@step "):
				step, stepStart = strings.TrimPrefix(l, "@@step "), time.Now()
				out.Reset()
				stepTimer.Reset(gdbStepTimeout)
			case strings.HasPrefix(l, "@@end "):
				if s.runs[step] == 0 {
					s.order = append(s.order, step)
				}
				s.steps[step] = out.String()
				s.runs[step]++
				s.transcript[len(s.transcript)-1] += fmt.Sprintf(" (%.3fs)", time.Since(stepStart).Seconds())
			default:
				out.WriteString(l + "\n")
			}
		case <-stepTimer.C:
			s.failed = step
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		case <-total.C:
			s.failed = step + " (total time " + gdbTotalTimeout.String() + ")"
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}

// gdbDecoderTest feeds tamix.py's decoder of the printk ring hand-made
// rings in the layout kernel/printk documents: wrapping at a wrap marker,
// wrapping because fewer than 24 bytes are left, and a torn record.
const gdbDecoderTest = `
import struct

SIZE = 65536


def put(buf, off, seq, ts, level, text):
    data = text.encode()
    struct.pack_into("<QqB3xI", buf, off, seq, ts, level, len(data))
    buf[off + 24:off + 24 + len(data)] = data
    return off + 24 + (len(data) + 7) // 8 * 8


def check(name, got, want):
    if got != want:
        print("FAIL %s: got %r, want %r" % (name, got, want))
    else:
        print("ok %s" % name)


# A wrap marker 40 bytes before the end; the records go on at 0.
buf = bytearray(SIZE)
off = put(buf, SIZE - 80, 7, 1500000, 6, "seven")
struct.pack_into("<QqB3xI", buf, off, 0, 0, 0xff, 0xffffffff)
off = put(buf, 0, 8, 2000000, 4, "eight, at the start")
put(buf, off, 9, 3000000000, 3, "nine")
got = [(r[0], r[2], r[3]) for r in decode_log(bytes(buf), SIZE - 80, 7, 10)]
check("wrap-marker", got, [(7, 6, "seven"), (8, 4, "eight, at the start"), (9, 3, "nine")])

# A record ends 16 bytes before the end: too little for a header.
buf = bytearray(SIZE)
off = put(buf, SIZE - 48, 20, 5, 6, "tail")
put(buf, 0, 21, 6, 6, "head")
got = [r[3] for r in decode_log(bytes(buf), SIZE - 48, 20, 22)]
check("short-wrap", got, ["tail", "head"])

# Nothing to read.
check("empty", decode_log(bytes(SIZE), 0, 3, 3), [])

# The second record has the wrong sequence number (torn by a stop in the
# middle of printk): the first is still returned.
buf = bytearray(SIZE)
off = put(buf, 0, 0, 1, 6, "good")
put(buf, off, 5, 2, 6, "torn")
try:
    decode_log(bytes(buf), 0, 0, 2)
    print("FAIL torn: no error")
except LogCorrupt as e:
    check("torn", [r[3] for r in e.records], ["good"])

check("format", format_record(3000000000, 3, "nine", False), "[    3.000000] nine")
check("format-level", format_record(1500000, 6, "x", True), "info:  [    0.001500] x")
`

// TestGDBLogDecoder checks tamix-dmesg's decoder of the printk ring on
// hand-made rings, wrap-arounds included, without a kernel.
func TestGDBLogDecoder(t *testing.T) {
	gdbPath := lookGDB(t)
	script := filepath.Join(t.TempDir(), "decoder.py")
	if err := os.WriteFile(script, []byte(gdbDecoderTest), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gdbPath, "-nx", "-batch",
		"-x", filepath.Join(rootDir, "scripts", "gdb", "tamix.py"), "-x", script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	oks := 0
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "ok "):
			oks++
		case strings.TrimSpace(l) != "":
			t.Error(l)
		}
	}
	if oks != 6 {
		t.Errorf("%d of 6 decoder checks passed:\n%s", oks, out)
	}
}
