//go:build tamago

// Package signaltest is the in-guest suite "signal": user/sigtest.c (the
// signal semantics, checked against Linux by user/linux-check.sh) run as
// a child of the test task, then kernel-side checks that user programs
// cannot make: signals sent from the kernel to sleeping and stopped
// tasks, and that every queued siginfo, page, task and PID is given back.
package signaltest

import (
	"time"

	"tamix/abi"
	"tamix/kernel/ktap"
	"tamix/kernel/testenv"
	"tamix/proc"
	"tamix/sched"
)

// baseline is what the suite must leave as it found.
var baseline testenv.Baseline

func init() {
	ktap.Register(&ktap.Suite{
		Name: "signal",
		Init: testenv.InitTaking(&baseline),
		Cases: []ktap.Case{
			{Name: "sigtest_as_child", Run: testSigtest, Timeout: 120 * time.Second},
			{Name: "kill_stopped_task", Run: testKillStopped},
			{Name: "queued_rt_signals_freed_at_exit", Run: testQueueFreedAtExit},
			{Name: "no_leaks", Run: func(t *ktap.T) { baseline.Check(t) }},
		},
	})
}

// testSigtest runs user/sigtest.c; any "not ok" line fails the case.
func testSigtest(t *ktap.T) {
	if status, _ := testenv.RunKTAP(t, "sigtest"); status != 0 {
		t.Errorf("sigtest: wait status %#x", status)
	}
}

// testKillStopped stops a spinning process with SIGSTOP, checks that it is
// in TASK_STOPPED and runs no more, then kills it with SIGKILL, which must
// wake a stopped task.
func testKillStopped(t *ktap.T) {
	p, err := proc.SpawnProgram("/spin", []string{"spin", "30"}, nil, nil)
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	sched.SleepTimeout(50*time.Millisecond, nil)
	proc.SendSignal(abi.SIGSTOP, proc.NewKernelInfo(abi.SIGSTOP), p, true)
	sched.SleepTimeout(50*time.Millisecond, nil)
	if s := p.State(); s != sched.TaskStopped {
		t.Errorf("after SIGSTOP: state %#x, want TASK_STOPPED", s)
	}
	before := sched.ExecRuntime(&p.Thread)
	sched.SleepTimeout(100*time.Millisecond, nil)
	if ran := sched.ExecRuntime(&p.Thread) - before; ran != 0 {
		t.Errorf("a stopped task ran for %v", time.Duration(ran))
	}
	pid, status, err := proc.DoWait(p.PID, proc.WUNTRACED)
	if err != nil || pid != p.PID || status != abi.SIGSTOP<<8|0x7f {
		t.Errorf("wait(WUNTRACED) = %d, %#x, %v; want the stop reported", pid, status, err)
	}
	proc.SendFatalSignal(p, proc.SIGKILL)
	if _, status, err := proc.DoWait(p.PID, 0); err != nil || status != proc.SIGKILL {
		t.Errorf("wait: status %#x, %v; want killed by SIGKILL", status, err)
	}
}

// testQueueFreedAtExit queues real-time signals to a stopped process and
// kills it: the queued siginfo must go with it.
func testQueueFreedAtExit(t *ktap.T) {
	p, err := proc.SpawnProgram("/spin", []string{"spin", "30"}, nil, nil)
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	proc.SendSignal(abi.SIGSTOP, proc.NewKernelInfo(abi.SIGSTOP), p, true)
	sched.SleepTimeout(50*time.Millisecond, nil) // until it has dequeued SIGSTOP and stopped
	before := proc.QueuedSignals()
	for i := 0; i < 50; i++ {
		sig := abi.SIGRTMIN + 2 + i%8
		if err := proc.SendSignal(sig, proc.NewKillInfo(sig, abi.SI_QUEUE, 1), p, true); err != nil {
			t.Errorf("queue %d: %v", i, err)
		}
	}
	if n := proc.QueuedSignals() - before; n != 50 {
		t.Errorf("%d siginfo queued, want 50", n)
	}
	proc.SendFatalSignal(p, proc.SIGKILL)
	if _, status, err := proc.DoWait(p.PID, 0); err != nil || status != proc.SIGKILL {
		t.Errorf("wait: status %#x, %v", status, err)
	}
	if n := proc.QueuedSignals() - before; n != 0 {
		t.Errorf("%d siginfo still queued after the exit", n)
	}
}
