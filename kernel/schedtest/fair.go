//go:build tamago

package schedtest

import (
	"fmt"
	"math"
	"time"

	"tamix/kernel/ktap"
	"tamix/proc"
	"tamix/sched"
)

// runSpinners starts one CPU-bound user task (user/spin.c) per nice value,
// lets them compete for d, and returns the CPU time each got meanwhile.
func runSpinners(t *ktap.T, d time.Duration, nices ...int) []int64 {
	var tasks []*proc.Task
	secs := fmt.Sprint(int(d.Seconds()) + 30) // they are killed earlier
	for _, n := range nices {
		th, err := proc.SpawnProgram("/spin", []string{"spin", secs}, nil, nil)
		if err != nil {
			t.Fatalf("spawn spin: %v", err)
		}
		sched.SetNice(&th.Thread, n)
		tasks = append(tasks, th)
	}
	start := make([]int64, len(tasks))
	sched.SleepTimeout(200*time.Millisecond, nil) // let them settle
	for i, th := range tasks {
		start[i] = sched.ExecRuntime(&th.Thread)
	}
	sched.SleepTimeout(d, nil)
	used := make([]int64, len(tasks))
	for i, th := range tasks {
		used[i] = sched.ExecRuntime(&th.Thread) - start[i]
	}
	for _, th := range tasks {
		proc.SendFatalSignal(th, proc.SIGKILL)
	}
	for _, th := range tasks {
		if _, status, err := proc.DoWait(th.PID, 0); err != nil || status != proc.SIGKILL {
			t.Errorf("spin %d: wait status %#x, %v; want killed by SIGKILL", th.PID, status, err)
		}
	}
	return used
}

// testFairNice: nice 0 and nice 5 share the CPU 1024:335.
func testFairNice(t *ktap.T) {
	used := runSpinners(t, 3*time.Second, 0, 5)
	want := 1024.0 / 335.0
	got := float64(used[0]) / float64(used[1])
	t.Logf("CPU time over 3 s: nice 0 %v, nice 5 %v: ratio %.3f (Linux weights: %.3f)",
		time.Duration(used[0]), time.Duration(used[1]), got, want)
	if math.Abs(got-want)/want > 0.10 {
		t.Errorf("ratio %.3f, want %.3f ± 10%%", got, want)
	}
}

// testFairEqual: three equal tasks get a third each.
func testFairEqual(t *ktap.T) {
	used := runSpinners(t, 3*time.Second, 0, 0, 0)
	var sum int64
	for _, u := range used {
		sum += u
	}
	mean := float64(sum) / 3
	for i, u := range used {
		dev := (float64(u) - mean) / mean
		t.Logf("task %d: %v (%.1f%% from the mean)", i, time.Duration(u), 100*dev)
		if math.Abs(dev) > 0.10 {
			t.Errorf("task %d got %v, mean %v: more than 10%% apart", i, time.Duration(u), time.Duration(mean))
		}
	}
}

// testSwitchCost runs user/yieldbench (two processes yielding to each
// other) and reports the cycles per switch it measured.
func testSwitchCost(t *ktap.T) {
	var out bytesBuffer
	status, err := proc.RunProgram("/yieldbench", []string{"yieldbench", "20000"}, &out)
	if err != nil {
		t.Skipf("yieldbench: %v", err)
	}
	for _, l := range splitLines(out.String()) {
		t.Logf("%s", l)
	}
	if status != 0 {
		t.Errorf("yieldbench: wait status %#x", status)
	}
	t.Logf("context switches so far: %d", sched.NrSwitches())
}
