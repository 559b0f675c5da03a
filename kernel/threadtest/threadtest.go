//go:build tamago

// Package threadtest is the in-guest suite "thread": user/threadtest.c
// (thread groups, checked against Linux by user/linux-check.sh) and
// user/gotest (a static Go program: its runtime uses threads, futexes,
// signals for preemption, epoll and madvise) run as children of the test
// task, then the check that every page, task, PID and queued siginfo is
// given back.
package threadtest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"tamix/kernel/ktap"
	"tamix/proc"
)

var baseline struct {
	freePages uint64
	tasks     int
	pids      int
	queued    int64
}

func init() {
	ktap.Register(&ktap.Suite{
		Name: "thread",
		Init: func() error {
			if proc.K.Root == nil {
				return fmt.Errorf("no initramfs (boot with qemu.sh --initrd build/initramfs.cpio)")
			}
			baseline.freePages = proc.K.Pages.FreePageCount()
			baseline.tasks = len(proc.Tasks())
			baseline.pids = proc.PIDsInUse()
			baseline.queued = proc.QueuedSignals()
			return nil
		},
		Cases: []ktap.Case{
			{Name: "threadtest_as_child", Run: testThreadtest, Timeout: 180 * time.Second},
			{Name: "go_program_as_child", Run: testGoProgram, Timeout: 180 * time.Second},
			{Name: "no_leaks", Run: testNoLeaks},
		},
	})
}

// runKTAP runs a program and fails the case for each "not ok" line.
func runKTAP(t *ktap.T, argv ...string) (int, string) {
	var out bytes.Buffer
	status, err := proc.RunProgram("/"+argv[0], argv, &out)
	if err != nil {
		t.Fatalf("%s: %v", argv[0], err)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "not ok") {
			t.Errorf("%s: %s", argv[0], l)
		}
	}
	for {
		pid, _, err := proc.DoWait(-1, proc.WNOHANG)
		if err != nil || pid == 0 {
			break
		}
		t.Logf("reaped orphan %d", pid)
	}
	return status, out.String()
}

func testThreadtest(t *ktap.T) {
	status, out := runKTAP(t, "threadtest")
	t.Logf("threadtest: %d cases ok", strings.Count(out, "\nok "))
	if status != 0 {
		t.Errorf("threadtest: wait status %#x", status)
	}
}

// testGoProgram runs gotest the way user/linux-check.sh does on Linux;
// it exits 3 when every check passed.
func testGoProgram(t *ktap.T) {
	status, out := runKTAP(t, "gotest", "-exit", "3", "-exec", "/hello", "one", "two", "three")
	t.Logf("gotest: %d checks ok", strings.Count(out, "\nok "))
	if status != 3<<8 {
		t.Errorf("gotest: wait status %#x, want exit 3\n%s", status, out)
	}
}

func testNoLeaks(t *ktap.T) {
	free := proc.K.Pages.FreePageCount()
	n := len(proc.Tasks())
	t.Logf("free pages %d (baseline %d), tasks %d (baseline %d)", free, baseline.freePages, n, baseline.tasks)
	if free != baseline.freePages {
		t.Errorf("%d pages leaked", int64(baseline.freePages)-int64(free))
	}
	if n != baseline.tasks {
		t.Errorf("%d tasks left", n-baseline.tasks)
	}
	if p := proc.PIDsInUse(); p != baseline.pids {
		t.Errorf("%d PIDs in use, baseline %d", p, baseline.pids)
	}
	if q := proc.QueuedSignals(); q != baseline.queued {
		t.Errorf("%d siginfo queued, baseline %d", q, baseline.queued)
	}
}
