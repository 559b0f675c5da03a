//go:build tamago

// Package threadtest is the in-guest suite "thread": user/threadtest.c
// (thread groups, checked against Linux by user/linux-check.sh) and
// user/gotest (a static Go program: its runtime uses threads, futexes,
// signals for preemption, epoll and madvise) run as children of the test
// task, then the check that every page, task, PID and queued siginfo is
// given back.
package threadtest

import (
	"time"

	"tamix/kernel/ktap"
	"tamix/kernel/testenv"
)

var baseline testenv.Baseline

func init() {
	ktap.Register(&ktap.Suite{
		Name: "thread",
		Init: testenv.InitTaking(&baseline),
		Cases: []ktap.Case{
			{Name: "threadtest_as_child", Run: testThreadtest, Timeout: 180 * time.Second},
			{Name: "go_program_as_child", Run: testGoProgram, Timeout: 180 * time.Second},
			{Name: "no_leaks", Run: func(t *ktap.T) { baseline.Check(t) }},
		},
	})
}

func testThreadtest(t *ktap.T) {
	status, _ := testenv.RunKTAP(t, "threadtest")
	if status != 0 {
		t.Errorf("threadtest: wait status %#x", status)
	}
}

// testGoProgram runs gotest the way user/linux-check.sh does on Linux;
// it exits 3 when every check passed.
func testGoProgram(t *ktap.T) {
	status, out := testenv.RunKTAP(t, "gotest", "-exit", "3", "-exec", "/hello", "one", "two", "three")
	if status != 3<<8 {
		t.Errorf("gotest: wait status %#x, want exit 3\n%s", status, out)
	}
}
