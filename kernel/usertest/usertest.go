//go:build tamago

// Package usertest is the in-guest suite "user": real static programs
// from the initramfs (user/*.c) run as tasks in their own address spaces,
// and the kernel checks how they end. Programs follow the Linux ABI, so
// the expectations are what Linux gives (user/linux-check.sh checks the
// same binaries on a Linux host).
package usertest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"tamix/kernel/ktap"
	"tamix/kernel/printk"
	"tamix/kernel/testenv"
	"tamix/proc"
)

// leakBase is the kernel's counters before the suite (testenv).
var leakBase testenv.Baseline

func init() {
	ktap.Register(&ktap.Suite{
		Name: "user",
		Init: testenv.InitTaking(&leakBase),
		Cases: []ktap.Case{
			{Name: "hello", Run: testHello},
			{Name: "fault_signals", Run: testFaults},
			{Name: "bad_pointers", Run: testBadPtr},
			{Name: "abuse", Run: testAbuse, Timeout: 60 * time.Second},
			{Name: "xmm_across_switches", Run: testXMM},
			{Name: "exec_errors", Run: testExecErrors},
			{Name: "stack_freed_by_next_task", Run: testStackFreedByNext},
			{Name: "forktest_as_child", Run: testForktest, Timeout: 120 * time.Second},
			{Name: "oom_kill", Run: testOOMKill, Timeout: 120 * time.Second},
			{Name: "no_leaks", Run: testNoLeaks},
			// Last: until trap entry clears DF, this case corrupts
			// physical memory and may take the kernel down.
			{Name: "abuse_direction_flag", Run: testAbuseDirectionFlag},
		},
	})
}

// run runs a program and returns its wait status and output.
func run(t *ktap.T, argv ...string) (int, string) {
	var out bytes.Buffer
	status, err := proc.RunProgram("/"+argv[0], argv, &out)
	if err != nil {
		t.Fatalf("%s: %v", argv[0], err)
	}
	return status, out.String()
}

func testHello(t *ktap.T) {
	status, out := run(t, "hello")
	t.Logf("output: %q", out)
	if status != 0 {
		t.Errorf("hello: wait status %#x, want 0\n%s", status, out)
	}
	if !strings.Contains(out, "hello from ring 3") {
		t.Errorf("hello: output %q lacks the greeting", out)
	}
}

// faultSignals is what Linux kills each fault variant with (user/fault.c).
var faultSignals = []struct {
	kind string
	sig  int
}{
	{"nullread", 11}, {"nullwrite", 11}, {"kernelread", 11}, {"hlt", 11}, {"cli", 11},
	{"in", 11}, {"ud2", 4}, {"div0", 8}, {"int3", 5}, {"badjump", 11}, {"nxexec", 11},
	{"stackoverflow", 11},
}

func testFaults(t *ktap.T) {
	for _, f := range faultSignals {
		status, out := run(t, "fault", f.kind)
		if status != f.sig {
			t.Errorf("fault %s: wait status %#x, want killed by signal %d\n%s", f.kind, status, f.sig, out)
		}
	}
}

func testBadPtr(t *ktap.T) {
	status, out := run(t, "badptr")
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "not ok") {
			t.Errorf("badptr: %s", l)
		}
	}
	if status != 0 {
		t.Errorf("badptr: wait status %#x\n%s", status, out)
	}
	t.Logf("badptr: %d checks", strings.Count(out, "ok "))
}

// testAbuse runs user/abuse.c, the regressions of issue 13 (execve
// argument limits, mmap larger than memory, bad TLS addresses for clone
// and arch_prctl), all but the direction-flag case, which runs last.
func testAbuse(t *ktap.T) {
	runAbuse(t, "-x", "direction_flag_page_faults")
}

// testAbuseDirectionFlag runs abuse's page faults taken with the
// direction flag set: fresh pages must be zero, which they are only if
// kernel entry clears DF.
func testAbuseDirectionFlag(t *ktap.T) {
	runAbuse(t, "direction_flag_page_faults")
}

// runAbuse runs abuse with args; each of its KTAP cases that is
// "not ok" fails the case, and its diagnostics are logged.
func runAbuse(t *ktap.T, args ...string) {
	status, out := run(t, append([]string{"abuse"}, args...)...)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "# ") {
			t.Logf("abuse: %s", l)
		}
		if strings.HasPrefix(l, "not ok") {
			t.Errorf("abuse: %s", l)
		}
	}
	if status != 0 || !strings.Contains(out, "KTAP version 1") {
		t.Errorf("abuse: wait status %#x\n%s", status, out)
	}
	t.Logf("abuse: %d cases ok", strings.Count(out, "\nok "))
}

// testXMM runs two programs at once that keep different values in the
// SSE registers and yield to each other many times.
func testXMM(t *ktap.T) {
	var outs [2]bytes.Buffer
	var tasks [2]*proc.Task
	for i := range tasks {
		v := fmt.Sprint(0x1111*(i+1) + 7)
		task, err := proc.SpawnProgram("/xmm", []string{"xmm", v}, nil, &outs[i])
		if err != nil {
			t.Fatalf("spawn: %v", err)
		}
		tasks[i] = task
	}
	for i, task := range tasks {
		_, status, err := proc.DoWait(task.PID, 0)
		nv, niv := task.Nvcsw, task.Nivcsw
		if err != nil || status != 0 {
			t.Errorf("xmm %d: wait status %#x, %v\n%s", i, status, err, outs[i].String())
		}
		t.Logf("xmm %d: %d voluntary, %d involuntary switches", i, nv, niv)
	}
}

// testStackFreedByNext: a dying task cannot free the kernel stack it
// runs on; the task that runs after it frees it in FinishTaskSwitch.
func testStackFreedByNext(t *ktap.T) {
	child, err := proc.SpawnProgram("/hello", []string{"hello"}, nil, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	if _, _, err := proc.DoWait(child.PID, 0); err != nil {
		t.Fatalf("wait: %v", err)
	}
	by := child.Stack.FreedBy
	t.Logf("task %d's kernel stack at %#x was freed by task %d", child.PID, uint64(child.Stack.Base), by)
	if by < 0 {
		t.Errorf("the stack was not freed")
	}
	if by == child.PID {
		t.Errorf("the dying task freed its own stack")
	}
	if n := child.Stack.Frees; n != 1 {
		t.Errorf("the stack was freed %d times, want once", n)
	}
}

// testForktest runs user/forktest.c as a child of the test task (the
// cases that need PID 1 skip themselves; TestForkSuite on the host runs
// it as init), then reaps any orphan it left to init, so that no_leaks
// can check the baseline after it.
func testForktest(t *ktap.T) {
	status, out := run(t, "forktest")
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "not ok") {
			t.Errorf("forktest: %s", l)
		}
	}
	t.Logf("forktest: %d cases ok", strings.Count(out, "\nok "))
	if status != 0 {
		t.Errorf("forktest: wait status %#x", status)
	}
	for {
		pid, _, err := proc.DoWait(-1, proc.WNOHANG)
		if err != nil || pid == 0 {
			break
		}
		t.Logf("reaped orphan %d", pid)
	}
}

func testExecErrors(t *ktap.T) {
	if _, err := proc.RunProgram("/nonexistent", []string{"x"}, nil); err == nil {
		t.Errorf("exec of a missing file succeeded")
	}
}

func testNoLeaks(t *ktap.T) { leakBase.Check(t) }

// testOOMKill runs a program that writes to more memory than the machine
// has: the OOM killer must end it with SIGKILL and say so with Linux's
// line, and the test task (init) must survive and be able to run another
// program afterwards.
func testOOMKill(t *ktap.T) {
	from := printk.Kernel.Records(0)
	next := uint64(0)
	if len(from) > 0 {
		next = from[len(from)-1].Seq + 1
	}
	status, out := run(t, "hog", "1024")
	if status != proc.SIGKILL {
		t.Errorf("hog 1024: wait status %#x, want killed by SIGKILL\n%s", status, out)
	}
	found := ""
	for _, r := range printk.Kernel.Records(next) {
		if txt := printk.Format(r); strings.Contains(txt, "Out of memory: Killed process") {
			found = txt
		}
	}
	if found == "" {
		t.Errorf("no 'Out of memory: Killed process' line in the kernel log")
	}
	t.Logf("%s", strings.TrimSpace(found))
	if status, _ := run(t, "hello"); status != 0 {
		t.Errorf("after the OOM kill, hello: wait status %#x", status)
	}
}
