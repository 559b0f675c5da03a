//go:build tamago

// Package fuzztest is the in-guest suite "fuzz": user/fuzz.c run as a
// child of the test task with a fixed seed (random system calls from
// several workers, issue 13), then everything it left reaped, and the
// kernel's counters (free pages, tasks, PIDs, open files, queued
// siginfo, Go heap in use) compared with the ones taken before. The
// counters are printed as KTAP diagnostics, "tamix: counters ...".
//
// The kernel command line chooses the run: tamix.fuzz=SEED,CALLS,WORKERS
// (make fuzz asks for 1,1000000,8; an empty field, or no tamix.fuzz=
// at all, keeps the default 1,20000,8: the short fixed-seed run that
// tamix.test=all, and so make test and CI, make), and a fourth field
// NAME+NAME... limits the calls to those named.
package fuzztest

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"tamix/kernel/ktap"
	"tamix/kernel/testenv"
	"tamix/proc"
)

// Args is the value of tamix.fuzz= on the kernel command line ("" for
// the defaults); the kernel sets it before running the suites.
var Args string

// heapSlack is how much more Go heap may be in use after the run than
// before: what the runtime itself keeps (the log buffer filling, caches).
const heapSlack = 4 << 20

// counters are the kernel objects a user process can make the kernel
// allocate, counted the way Linux shows them: nr_free_pages, nr_threads,
// the PID bitmap's weight, nr_files, the sigqueue count, and the slab
// (here: Go heap) in use.
type counters struct {
	testenv.Baseline
	heap uint64 // Go heap in use (HeapAlloc)
}

// readCounters takes the counters after a garbage collection, so that the
// heap figure is what is live.
func readCounters() counters {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return counters{testenv.Take(), ms.HeapAlloc}
}

func (c counters) String() string {
	return fmt.Sprintf("free_pages=%d tasks=%d pids=%d files=%d sigqueue=%d heap=%d",
		c.FreePages, c.Tasks, c.PIDs, c.Files, c.Queued, c.heap)
}

var baseline counters

func init() {
	ktap.Register(&ktap.Suite{
		Name: "fuzz",
		Init: testenv.NeedInitramfs,
		Cases: []ktap.Case{
			{Name: "fuzz_as_child", Run: testFuzz, Timeout: 4 * time.Hour},
			{Name: "no_leaks", Run: testNoLeaks, Timeout: time.Minute},
			{Name: "second_run_no_growth", Run: testSecondRun, Timeout: 4 * time.Hour},
		},
	})
}

// config returns the fuzzer's arguments from Args:
// SEED,CALLS,WORKERS[,NAME+NAME...], the last to restrict the calls
// (fuzz -c) when narrowing down what a run found; run 1 is the second
// run, with the seed after the one given.
func config(run int) []string {
	seed, calls, workers := "1", "20000", "8"
	f := strings.Split(Args, ",")
	var only []string
	if len(f) > 3 {
		only = []string{"-c", strings.ReplaceAll(f[3], "+", ",")}
	}
	for i, v := range f {
		if _, err := strconv.ParseUint(v, 0, 64); err != nil {
			continue
		}
		switch i {
		case 0:
			seed = v
		case 1:
			calls = v
		case 2:
			workers = v
		}
	}
	if n, err := strconv.ParseUint(seed, 0, 64); err == nil {
		seed = strconv.FormatUint(n+uint64(run), 10)
	}
	return append([]string{"fuzz", "-s", seed, "-n", calls, "-w", workers}, only...)
}

// logWriter turns the fuzzer's output into diagnostics of the case, a
// line at a time, as it comes (a long run shows its progress), and
// keeps the summary lines.
type logWriter struct {
	t       *ktap.T
	mu      sync.Mutex
	partial []byte
	summary []string // "# fuzz: done ..." and "# fuzz: errors ..."
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := strings.IndexByte(string(w.partial), '\n')
		if i < 0 || len(w.partial) > 4096 {
			break
		}
		line := strings.TrimPrefix(string(w.partial[:i]), "# ")
		w.partial = w.partial[i+1:]
		if strings.HasPrefix(line, "fuzz: done") || strings.HasPrefix(line, "fuzz: errors") {
			w.summary = append(w.summary, line)
		}
		w.t.Logf("%s", line)
	}
	if len(w.partial) > 4096 {
		w.partial = w.partial[:0]
	}
	return len(p), nil
}

// testFuzz takes the baseline, runs the fuzzer and reaps what it left.
func testFuzz(t *ktap.T) {
	baseline = readCounters()
	t.Logf("tamix: counters before: %v", baseline)
	runFuzz(t, config(0))
}

// runFuzz runs the fuzzer with argv and reaps what it left.
func runFuzz(t *ktap.T, argv []string) {
	before := map[int]bool{}
	for _, task := range proc.Tasks() {
		before[task.PID] = true
	}
	w := &logWriter{t: t}
	t.Logf("running %s", strings.Join(argv, " "))
	start := time.Now()
	status, err := proc.RunProgram("/fuzz", argv, w)
	if err != nil {
		t.Fatalf("fuzz: %v", err)
	}
	t.Logf("fuzz ran %v", time.Since(start).Round(time.Millisecond))
	reapLeftovers(t, before)
	if status != 0 {
		t.Errorf("fuzz: wait status %#x, want 0", status)
	}
	done := ""
	for _, l := range w.summary {
		if strings.HasPrefix(l, "fuzz: done") {
			done = l
		}
	}
	if done == "" {
		t.Errorf("fuzz printed no summary")
	}
	if !strings.Contains(done, " watchdog=0 ") {
		t.Errorf("watchdog events: a worker made no progress for 10 s (see above)")
	}
}

// reapLeftovers kills and reaps every task the run left (orphans that
// init, the test task, inherited; a stopped grandchild), so that the
// counters can be compared: their number is reported, not a failure.
func reapLeftovers(t *ktap.T, before map[int]bool) {
	deadline := time.Now().Add(30 * time.Second)
	killed := map[int]bool{}
	for time.Now().Before(deadline) {
		for {
			pid, _, err := proc.DoWait(-1, proc.WNOHANG|proc.WALL)
			if err != nil || pid == 0 {
				break
			}
		}
		left := 0
		for _, task := range proc.Tasks() {
			if before[task.PID] || task.MM == nil {
				continue
			}
			left++
			if !killed[task.PID] {
				killed[task.PID] = true
				proc.SendFatalSignal(task, proc.SIGKILL)
			}
		}
		if left == 0 {
			break
		}
		proc.Yield()
		time.Sleep(10 * time.Millisecond)
	}
	if len(killed) > 0 {
		t.Logf("killed %d processes the run left behind", len(killed))
	}
}

// testNoLeaks compares the counters with the baseline: everything but
// the Go heap exactly.
func testNoLeaks(t *ktap.T) {
	if baseline == (counters{}) {
		t.Skipf("the fuzzer did not run")
	}
	afterFirst = readCounters()
	t.Logf("tamix: counters after: %v", afterFirst)
	b := baseline
	b.Compare(t, afterFirst.Baseline)
	if afterFirst.heap > b.heap+heapSlack {
		t.Errorf("Go heap in use grew by %d bytes (slack %d)", afterFirst.heap-b.heap, heapSlack)
	}
}

// afterFirst is the counters after the first run.
var afterFirst counters

// secondRunSlack is how much the Go heap in use may grow over a second
// run as long as the first: the first run warms the runtime's caches
// and fills the log buffer, so a kernel object leaked per call shows as
// the same growth again, which with 20,000 calls or more is beyond this.
const secondRunSlack = 1 << 20

// testSecondRun runs the fuzzer again with the next seed and checks that
// the counters are back at the baseline once more and that the Go heap
// did not grow again: what user space makes the kernel allocate goes
// back, rather than settling at a higher level each run.
func testSecondRun(t *ktap.T) {
	if afterFirst == (counters{}) {
		t.Skipf("the first run was not checked")
	}
	runFuzz(t, config(1))
	after := readCounters()
	t.Logf("tamix: counters after the second run: %v", after)
	b := baseline
	b.Compare(t, after.Baseline)
	grew := int64(after.heap) - int64(afterFirst.heap)
	t.Logf("Go heap in use: %d before, %d after one run (%+d), %d after two (%+d)",
		baseline.heap, afterFirst.heap, int64(afterFirst.heap)-int64(baseline.heap), after.heap, grew)
	if grew > secondRunSlack {
		t.Errorf("Go heap in use grew by %d bytes again over the second run (slack %d)", grew, secondRunSlack)
	}
}
