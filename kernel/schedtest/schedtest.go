//go:build tamago

// Package schedtest is the in-guest suite "sched": fairness between
// CPU-bound user tasks at different nice values, sleeping on time, kernel
// threads through kthreadd, and the cost of a context switch.
package schedtest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"tamix/kernel/ktap"
	"tamix/proc"
	"tamix/sched"
)

func init() {
	ktap.Register(&ktap.Suite{
		Name: "sched",
		Cases: []ktap.Case{
			{Name: "task_tree", Run: testTaskTree},
			{Name: "sleep_on_time", Run: testSleep},
			{Name: "kthreads_via_kthreadd", Run: testKthreads},
			{Name: "kthread_stop_result", Run: testKthreadStop},
			{Name: "fair_nice_0_vs_5", Run: testFairNice, Timeout: 60 * time.Second},
			{Name: "fair_three_equal", Run: testFairEqual, Timeout: 60 * time.Second},
			{Name: "context_switch_cost", Run: testSwitchCost, Timeout: 60 * time.Second},
		},
	})
}

// testTaskTree checks Linux's first three tasks and prints the dump.
func testTaskTree(t *ktap.T) {
	var b bytes.Buffer
	proc.DumpTasks(&b)
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		t.Logf("%s", l)
	}
	for pid, comm := range map[int]string{0: "swapper", 1: "init", 2: "kthreadd"} {
		p := proc.Lookup(pid)
		if p == nil || p.Comm != comm {
			t.Errorf("PID %d is %v, want %s", pid, p, comm)
		}
	}
	if p := proc.Lookup(2); p != nil && (p.Parent == nil || p.Parent.PID != 0) {
		t.Errorf("kthreadd's parent is not the idle task")
	}
	if proc.Current().PID != 1 {
		t.Errorf("the tests run as PID %d, want init (1)", proc.Current().PID)
	}
}

// testSleep: a sleep ends within one tick (4 ms at HZ=250) plus 10%.
func testSleep(t *ktap.T) {
	for _, d := range []time.Duration{10 * time.Millisecond, 50 * time.Millisecond} {
		start := time.Now()
		sched.SleepTimeout(d, nil)
		got := time.Since(start)
		limit := time.Duration(float64(d+4*time.Millisecond) * 1.1)
		t.Logf("slept %v for %v", got, d)
		if got < d || got > limit {
			t.Errorf("sleep of %v took %v, want [%v, %v]", d, got, d, limit)
		}
	}
}

// testKthreads creates many kernel threads from several creators at
// once; every one must get its own PID and kthreadd as parent.
func testKthreads(t *ktap.T) {
	const creators, each = 4, 8
	results := make(chan []*proc.Task, creators)
	var started []*proc.Task
	for c := 0; c < creators; c++ {
		k, err := proc.KthreadRun(func(any) int {
			var mine []*proc.Task
			for i := 0; i < each; i++ {
				th, err := proc.KthreadCreate(func(any) int { return 0 }, nil, "worker")
				if err != nil {
					break
				}
				mine = append(mine, th)
			}
			results <- mine
			return 0
		}, nil, fmt.Sprintf("creator/%d", c))
		if err != nil {
			t.Fatalf("KthreadRun: %v", err)
		}
		started = append(started, k)
	}
	pids := map[int]bool{}
	for c := 0; c < creators; c++ {
		var mine []*proc.Task
		for done := false; !done; {
			select {
			case mine = <-results:
				done = true
			default:
				sched.Yield()
			}
		}
		for _, th := range mine {
			if pids[th.PID] {
				t.Errorf("PID %d handed out twice", th.PID)
			}
			pids[th.PID] = true
			if th.Parent == nil || th.Parent.Comm != "kthreadd" {
				t.Errorf("kthread %d's parent is %v, want kthreadd", th.PID, th.Parent)
			}
			proc.KthreadStop(th)
		}
	}
	if len(pids) != creators*each {
		t.Errorf("%d kthreads created, want %d", len(pids), creators*each)
	}
	t.Logf("%d kernel threads created concurrently through kthreadd (%d creators)", len(pids), len(started))
}

// testKthreadStop: KthreadStop ends a running thread and returns its
// result; a thread stopped before it ever ran returns -EINTR.
func testKthreadStop(t *ktap.T) {
	th, err := proc.KthreadRun(func(any) int {
		for !proc.KthreadShouldStop() {
			sched.SleepTimeout(time.Millisecond, nil)
		}
		return 42
	}, nil, "stopme")
	if err != nil {
		t.Fatalf("KthreadRun: %v", err)
	}
	sched.SleepTimeout(5*time.Millisecond, nil)
	if got := proc.KthreadStop(th); got != 42 {
		t.Errorf("KthreadStop returned %d, want 42", got)
	}
	never, err := proc.KthreadCreate(func(any) int { return 7 }, nil, "never")
	if err != nil {
		t.Fatalf("KthreadCreate: %v", err)
	}
	if got := proc.KthreadStop(never); got != -4 {
		t.Errorf("KthreadStop of a thread that never ran returned %d, want -EINTR (-4)", got)
	}
}
