package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tamix/tests/ktap"
)

// Limits the tests hold the kernel to.
const (
	inGuestTimeout = 120 * time.Second // default for TestInGuest
	shortTimeout   = 60 * time.Second  // the other boots
	guestSleep     = 2 * time.Second   // what tamix.selftest=sleep sleeps
	sleepTolerance = guestSleep / 10
	bootTimeLimit  = 3 * time.Second // QEMU start to banner
)

// isCrashLine reports whether a console line says the kernel crashed.
func isCrashLine(line string) bool {
	return strings.Contains(line, "panic:") || strings.Contains(line, "tamix: oops") ||
		strings.HasPrefix(line, "fatal error:")
}

// TestInGuest runs every in-guest test and reports each KTAP case (and
// nested case) as a Go subtest.
func TestInGuest(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout), "tamix.test=all")
	checkKTAP(t, r)
	if _, ok := r.find(hasPrefix("tamix: ktap done")); !ok {
		t.Log(`no "tamix: ktap done" line`)
	}
	r.checkStatus(t, exitOK)
}

// checkKTAP parses the run's KTAP report, turns each case into a subtest
// and fails on KTAP problems and on crash lines outside the report.
func checkKTAP(t *testing.T, r *guestRun) {
	t.Helper()
	rep := ktap.ParseLines(r.serial())
	for _, tc := range rep.Tests {
		reportCase(t, tc)
	}
	for _, p := range rep.Problems {
		t.Errorf("KTAP: %v", p)
	}
	for _, l := range rep.Noise {
		if isCrashLine(l.Text) {
			t.Errorf("console line %d: %s", l.N, l.Text)
		}
	}
	t.Logf("KTAP: %s", rep.Summary())
}

// checkInitPassed checks a run whose init was a KTAP suite: every case
// passed, init exited with status 0, and the kernel powered off with it.
func checkInitPassed(t *testing.T, r *guestRun) {
	t.Helper()
	checkKTAP(t, r)
	if _, ok := r.find(contains("tamix: init exited with status 0")); !ok {
		t.Error(`no "tamix: init exited with status 0" line`)
	}
	r.checkStatus(t, exitOK)
}

// TestForkSuite boots user/forktest.c as PID 1 (init=/forktest): the
// issue-5 suite of fork, vfork, clone, exec, exit and wait run from user
// space, which prints KTAP itself; the kernel powers off with its exit
// status, 0 only if every case passed. Tracing is on, and the lifecycle
// checker reads the trace (tests/trace_test.go).
func TestForkSuite(t *testing.T) {
	r, tr := bootTraced(t, "forktest", checkedEvents, traceBufSize, "init=/forktest")
	checkLifecycle(t, tr)
	checkInitPassed(t, r)
}

// TestVFSSuite boots user/vfstest.c as PID 1 (init=/vfstest): the file
// system calls of issue 11 from user space, in a directory it makes
// under /tmp; the kernel powers off with its exit status.
func TestVFSSuite(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout), "init=/vfstest")
	checkInitPassed(t, r)
}

// TestTTYSuite boots user/ttytest.c as PID 1 (init=/ttytest): poll,
// ppoll, select and pselect6 with their error cases, pipes' O_NONBLOCK,
// and the console's terminal ioctls, controlling terminal and
// background-group stops; the same program passes on Linux on a
// pseudo-terminal.
func TestTTYSuite(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout), "init=/ttytest")
	checkInitPassed(t, r)
}

// TestSignalSuite boots user/sigtest.c as PID 1 (init=/sigtest): the
// issue-9 suite of signal delivery, masks, queues, restarts, sigreturn
// and job control run from user space, which prints KTAP itself (and
// passes on Linux too). As init it also checks that PID 1 still gets the
// signals it handles; the kernel powers off with its exit status, 0 only
// if every case passed.
func TestSignalSuite(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout), "init=/sigtest")
	checkInitPassed(t, r)
}

// TestThreadSuite boots user/threadtest.c as PID 1: the issue-10 suite of
// thread groups (pthreads, group exit, a leader that exits first, exec
// from a thread, robust mutexes, futex operations), which prints KTAP
// and passes on Linux too.
func TestThreadSuite(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout), "init=/threadtest")
	checkInitPassed(t, r)
	// QEMU's -cpu max has FSGSBASE, so Tamix must enable it for user
	// mode as Linux does: the case may skip only on another CPU.
	if _, ok := r.find(contains(" fs_gs_base # SKIP")); ok {
		t.Error("fs_gs_base skipped: the kernel did not report FSGSBASE in AT_HWCAP2")
	}
}

// TestGoProgram boots user/gotest, a static Go program, as PID 1 with the
// arguments user/linux-check.sh gives it on Linux, and compares its
// output with user/gotest/expected.txt, which is what Linux prints: same
// binary, same output, and its exit status 3.
func TestGoProgram(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout),
		"init=/gotest", "--", "-exit", "3", "-exec", "/hello", "one", "two", "three")
	want, err := os.ReadFile(filepath.Join(rootDir, "user", "gotest", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range r.serial() {
		if strings.HasPrefix(l, "gotest:") || strings.HasPrefix(l, "ok ") || strings.HasPrefix(l, "not ok ") {
			got = append(got, l)
		}
	}
	if g, w := strings.Join(got, "\n"), strings.TrimRight(string(want), "\n"); g != w {
		t.Errorf("gotest printed:\n%s\n\nLinux prints:\n%s", g, w)
	}
	if _, ok := r.find(contains("tamix: init exited with status 3")); !ok {
		t.Error(`no "tamix: init exited with status 3" line`)
	}
}

// reportCase turns a KTAP test into a Go subtest of t.
func reportCase(t *testing.T, tc *ktap.Test) {
	name := tc.Name
	if name == "" {
		name = fmt.Sprintf("test_%d", tc.Number)
	}
	t.Run(name, func(t *testing.T) {
		for _, d := range tc.Diagnostics {
			t.Log("# " + d)
		}
		for _, sub := range tc.Subtests {
			reportCase(t, sub)
		}
		result := "ok"
		if !tc.OK {
			result = "not ok"
		}
		switch tc.Status() {
		case ktap.Fail:
			if !tc.HasResult {
				t.Error("no result line: the run stopped inside this test")
			} else {
				t.Errorf("line %d: %s", tc.Line, strings.TrimSpace(fmt.Sprintf("%s %d %s %s", result, tc.Number, tc.Name, tc.Reason)))
			}
		case ktap.Skipped:
			t.Skip("SKIP", tc.Reason)
		case ktap.ExpectedFail:
			t.Skipf("TODO %s (%s)", tc.Reason, result)
		}
	})
}

// TestSleepAccuracy checks that a 2 s time.Sleep in the guest takes 2 s
// of host time.
func TestSleepAccuracy(t *testing.T) {
	r := bootKernel(t, shortTimeout, "tamix.selftest=sleep")
	start, ok := r.find(contains("tamix: sleep-start"))
	if !ok {
		t.Fatal(`no "tamix: sleep-start" line`)
	}
	end, ok := r.find(contains("tamix: sleep-end"))
	if !ok {
		t.Fatal(`no "tamix: sleep-end" line`)
	}
	d := end.at - start.at
	t.Logf("guest 2s sleep took %v on host", d)
	if d < guestSleep-sleepTolerance || d > guestSleep+sleepTolerance {
		t.Errorf("guest 2s sleep took %v on host, want %v ± %v", d, guestSleep, sleepTolerance)
	}
	r.checkStatus(t, exitOK)
}

// TestPanicReported checks that a kernel panic is printed with a
// traceback and reported to the host.
func TestPanicReported(t *testing.T) {
	r := bootKernel(t, shortTimeout, "tamix.selftest=panic")
	if _, ok := r.find(contains("panic:")); !ok {
		t.Error(`no line containing "panic:"`)
	}
	traceback := func(line string) bool {
		return strings.HasPrefix(line, "goroutine ") || strings.Contains(line, "tamix/kernel")
	}
	if _, ok := r.find(traceback); !ok {
		t.Error(`no traceback line ("goroutine ..." or a tamix/kernel function)`)
	}
	r.checkStatus(t, exitPanic)
}

// TestBootTime measures the host time from QEMU's start to the banner.
func TestBootTime(t *testing.T) {
	r := bootKernel(t, shortTimeout, "tamix.probe=1")
	banner, ok := r.find(hasPrefix("Tamix "))
	if !ok {
		t.Fatal(`no banner line starting "Tamix "`)
	}
	from := r.qemuStart
	if from < 0 {
		from = 0
	}
	d := banner.at - from
	t.Logf("banner %v after QEMU started (accelerator %s)", d, r.accel)
	if d > bootTimeLimit {
		t.Errorf("banner took %v, want at most %v", d, bootTimeLimit)
	}
	r.checkStatus(t, exitOK)
}

// TestOopsReported boots a kernel that faults in ring 0 on purpose (it
// reads address 8; page 0 is not mapped) and checks the oops report: the
// exception, CR2 with the decoded error code, registers, the faulting
// instruction disassembled, a call trace, and the panic status.
func TestOopsReported(t *testing.T) {
	r := bootKernel(t, shortTimeout, "tamix.selftest=oops")
	for _, want := range []string{
		"tamix: oops: page fault in kernel mode",
		"CR2 0x0000000000000008: supervisor read access, not-present page",
		"RIP: 0010:",
		"=> 0x",
		"Call Trace",
		"tamix/kernel.oopsCheck",
		"panic: tamix: kernel oops",
	} {
		if _, ok := r.find(contains(want)); !ok {
			t.Errorf("oops report lacks %q", want)
		}
	}
	r.checkStatus(t, exitPanic)
}
