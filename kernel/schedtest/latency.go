//go:build tamago

package schedtest

import (
	"time"

	"tamix/kernel/ktap"
	"tamix/proc"
	"tamix/sched"
)

// sleepPeriod is the periodic task's period: one tick.
const sleepPeriod = 4 * time.Millisecond

// periodic sleeps sleepPeriod again and again until done() is true or n
// periods passed, and returns the worst wake-up delay (time past the
// period) and how many periods it completed.
func periodic(n int, done func() bool) (worst time.Duration, periods int) {
	for ; periods < n && !done(); periods++ {
		t0 := time.Now()
		sched.SleepTimeout(sleepPeriod, nil)
		if late := time.Since(t0) - sleepPeriod; late > worst {
			worst = late
		}
	}
	return worst, periods
}

// testWakeupLatencyDuringPopulate reports how late a periodic task (the
// test task, sleeping one tick at a time) wakes while another process
// has the kernel fault in 160 MiB at once (MAP_POPULATE). Kernel code is
// never preempted, so populating gives way between 2 MiB chunks
// (cond_resched); without that, the sleeper would not run at all until
// the whole mapping was populated. The figures are printed; the check is
// only that the sleeper kept running meanwhile.
func testWakeupLatencyDuringPopulate(t *ktap.T) {
	latencyWhile(t, "populated", "-p")
}

// testWakeupLatencyDuringExit is the same while a process that touched
// 160 MiB page by page exits and gives them all back.
func testWakeupLatencyDuringExit(t *ktap.T) {
	latencyWhile(t, "touched and freed", "-t")
}

// latencyWhile runs hog with mode on 160 MiB and measures the sleeper.
func latencyWhile(t *ktap.T, what, mode string) {
	idle, _ := periodic(50, func() bool { return false })
	hog, err := proc.SpawnProgram("/hog", []string{"hog", mode, "160"}, nil, nil)
	if err != nil {
		t.Fatalf("spawn hog: %v", err)
	}
	start := time.Now()
	exited := func() bool {
		select {
		case <-hog.Exited():
			return true
		default:
			return false
		}
	}
	loaded, periods := periodic(1<<20, exited)
	took := time.Since(start)
	if _, status, err := proc.DoWait(hog.PID, 0); err != nil || status != 0 {
		t.Errorf("hog %s 160: wait status %#x, %v", mode, status, err)
	}
	t.Logf("periodic %v sleeper: worst wake-up delay %v idle, %v while a process %s 160 MiB (%v, %d periods)",
		sleepPeriod, idle.Round(time.Microsecond), loaded.Round(time.Microsecond), what, took.Round(time.Millisecond), periods)
	if periods < 2 {
		t.Errorf("the sleeper ran %d periods in the %v the populate took: the kernel did not give way", periods, took)
	}
}
