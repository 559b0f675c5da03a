package sched

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestBatonScheduling runs the real switching code on the host: the test
// goroutine is the idle task, three tasks yield to each other, a dead
// task's clean-up runs in the task after it, sleepers wake, a completion
// passes between tasks, and the switch counts add up.
func TestBatonScheduling(t *testing.T) {
	var clock int64
	var clockMu sync.Mutex
	Clock = func() int64 {
		clockMu.Lock()
		defer clockMu.Unlock()
		clock += 100_000
		return clock
	}
	idle := &Thread{}
	idle.Init("idle", nil)
	InitIdle(idle)
	if Current() != idle {
		t.Fatal("idle is not current")
	}

	var mu sync.Mutex
	var order []string
	finished := map[string]string{} // dead task -> task that cleaned up
	FinishHook = func(prev *Thread) {
		mu.Lock()
		finished[prev.Name] = Current().Name
		mu.Unlock()
	}
	var done Completion
	var threads []*Thread
	for i := 0; i < 3; i++ {
		th := &Thread{}
		th.Init(fmt.Sprint("t", i), nil)
		SchedFork(th, idle)
		StartThread(th, func() {
			for j := 0; j < 3; j++ {
				mu.Lock()
				order = append(order, th.Name)
				mu.Unlock()
				Yield()
			}
			if th.Name == "t0" {
				WaitForCompletion(&done) // t2 completes it
			}
			if th.Name == "t1" {
				SleepTimeout(10*time.Millisecond, nil)
			}
			if th.Name == "t2" {
				done.Complete()
			}
			th.SetState(TaskDead)
			Schedule()
		})
		WakeUpNewTask(th)
		threads = append(threads, th)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(finished)
		mu.Unlock()
		if n == 3 || time.Now().After(deadline) {
			break
		}
		rq.mu.Lock()
		runnable := rq.cfs.NrRunning() > 0
		rq.mu.Unlock()
		if runnable {
			Schedule()
		} else {
			select {
			case <-rq.kick:
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if len(order) != 9 {
		t.Fatalf("ran %v, want 9 turns", order)
	}
	// Yielding among equals round-robins: no task runs twice in a row
	// while others wait.
	for i := 1; i < 6; i++ {
		if order[i] == order[i-1] {
			t.Errorf("order %v: %s ran twice in a row", order, order[i])
		}
	}
	for _, th := range threads {
		by, ok := finished[th.Name]
		if !ok {
			t.Errorf("%s never finished", th.Name)
		} else if by == th.Name {
			t.Errorf("%s cleaned up after itself", th.Name)
		}
		if th.Nvcsw+th.Nivcsw == 0 {
			t.Errorf("%s has no context switches", th.Name)
		}
	}
	if NrSwitches() < 9 {
		t.Errorf("%d switches", NrSwitches())
	}
	if Current() != idle {
		t.Errorf("idle is not current at the end")
	}
}

func TestTryToWakeUpRunnable(t *testing.T) {
	th := &Thread{}
	th.Init("x", nil)
	th.SetState(TaskInterruptible)
	th.onRq = true // it set its state but has not scheduled away yet
	if !TryToWakeUp(th, TaskInterruptible) || th.State() != TaskRunning {
		t.Error("a wake-up before Schedule was lost")
	}
	th.SetState(TaskUninterruptible)
	if TryToWakeUp(th, TaskInterruptible) {
		t.Error("an uninterruptible sleeper was woken by an interruptible wake-up")
	}
}

func TestWaitQueueCallbacks(t *testing.T) {
	var q WaitQueue
	n := 0
	remove := q.AddCallback(func() { n++ })
	q.WakeUp()
	q.WakeUp()
	remove()
	q.WakeUp()
	if n != 2 {
		t.Errorf("callback ran %d times, want 2 (kept across wake-ups, gone after remove)", n)
	}
}
