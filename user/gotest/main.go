// Command gotest is a static Go program (CGO_ENABLED=0 GOOS=linux
// GOARCH=amd64) that Tamix runs unmodified, as PID 1 or as a child, and
// whose output matches a run on Linux. It exercises what the Go runtime
// asks of a kernel: threads (clone with CLONE_THREAD), futexes, signals
// to one thread (SIGURG for asynchronous preemption, on an alternate
// signal stack), timers through the netpoller (epoll and eventfd),
// mmap/munmap/madvise under garbage-collection pressure, and fork+exec
// and wait for os/exec.
//
// Usage: gotest [-exit N] [-exec PROG] [-child] [WORD...]
//
//	-exit N     exit with status N at the end (default 0)
//	-exec PROG  run PROG with os/exec and print the first line of its
//	            output and its exit status (on Tamix /hello, on Linux
//	            build/user/hello)
//	-child      print one line and exit: the image the self-exec check
//	            runs
//
// Each check prints one line "ok NAME[: detail]" or "not ok NAME: why".
// The details hold no addresses, PIDs or times, and no path given as an
// argument, so the output is the same on every run and on both systems
// for the same words; user/gotest/expected.txt is the output of
// `gotest -exit 3 -exec HELLO one two three`. The last line is
// "gotest: N not ok", and the status is the one -exit gives, or 1 when a
// check failed.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var failed int

// report prints one result line.
func report(name string, ok bool, detail string) {
	if ok {
		if detail != "" {
			fmt.Printf("ok %s: %s\n", name, detail)
		} else {
			fmt.Printf("ok %s\n", name)
		}
		return
	}
	failed++
	fmt.Printf("not ok %s: %s\n", name, detail)
}

// pipeline sends 1..1000 through four stages of goroutines joined by
// channels: square, add one, keep the odd ones, and sum.
func pipeline() {
	src := make(chan int)
	go func() {
		for i := 1; i <= 1000; i++ {
			src <- i
		}
		close(src)
	}()
	stage := func(in <-chan int, f func(int) (int, bool)) <-chan int {
		out := make(chan int, 8)
		go func() {
			for v := range in {
				if w, keep := f(v); keep {
					out <- w
				}
			}
			close(out)
		}()
		return out
	}
	sq := stage(src, func(v int) (int, bool) { return v * v, true })
	inc := stage(sq, func(v int) (int, bool) { return v + 1, true })
	odd := stage(inc, func(v int) (int, bool) { return v, v%2 == 1 })
	sum, n := 0, 0
	for v := range odd {
		sum += v
		n++
	}
	// i*i+1 is odd for even i: 500 values, sum of (2k)^2+1 for k=1..500.
	want := 0
	for k := 1; k <= 500; k++ {
		want += 4*k*k + 1
	}
	report("pipeline", n == 500 && sum == want, fmt.Sprintf("%d values, sum %d", n, sum))
}

// waitGroup runs 50 goroutines that each add their index to an atomic.
func waitGroup() {
	var wg sync.WaitGroup
	var total atomic.Int64
	for i := 1; i <= 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			total.Add(int64(i))
		}(i)
	}
	wg.Wait()
	report("waitgroup", total.Load() == 1275, fmt.Sprintf("50 goroutines, total %d", total.Load()))
}

// mutex has 8 goroutines do 10000 increments each under a sync.Mutex,
// yielding now and then inside the critical section.
func mutex() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				mu.Lock()
				c := counter
				if i%1000 == 0 {
					runtime.Gosched()
				}
				counter = c + 1
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	report("mutex", counter == 80000, fmt.Sprintf("counter %d", counter))
}

// sleep checks that time.Sleep(50ms) takes at least 50 ms.
func sleep() {
	t0 := time.Now()
	time.Sleep(50 * time.Millisecond)
	d := time.Since(t0)
	if d >= 50*time.Millisecond {
		report("sleep", true, "time.Since >= 50ms")
	} else {
		report("sleep", false, fmt.Sprintf("slept %v", d))
	}
}

// timers checks a time.Timer that fires, one stopped before it fires,
// a time.AfterFunc, and three ticks of a time.Ticker.
func timers() {
	t0 := time.Now()
	t := time.NewTimer(20 * time.Millisecond)
	<-t.C
	fired := time.Since(t0) >= 20*time.Millisecond
	stopped := time.NewTimer(time.Hour).Stop()
	done := make(chan struct{})
	time.AfterFunc(10*time.Millisecond, func() { close(done) })
	after := false
	select {
	case <-done:
		after = true
	case <-time.After(5 * time.Second):
	}
	report("timer", fired && stopped && after,
		fmt.Sprintf("fired %v, stopped %v, afterfunc %v", fired, stopped, after))

	// t0 is read before the ticker starts: the first tick is due 10ms
	// after NewTicker, so three ticks take at least 30ms from here even
	// if this goroutine is preempted between the two calls.
	t0 = time.Now()
	tk := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	for ticks < 3 {
		<-tk.C
		ticks++
	}
	tk.Stop()
	report("ticker", time.Since(t0) >= 29*time.Millisecond, fmt.Sprintf("%d ticks", ticks))
}

// gc allocates 200 MiB in 1 MiB chunks, writing each, while keeping at
// most 16 of them live, checks the live ones kept their contents, and
// runs a collection.
func gc() {
	const chunk = 1 << 20
	var live [16][]byte
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	bad := 0
	for i := 0; i < 200; i++ {
		if old := live[i%16]; old != nil {
			if old[0] != byte(i-16) || old[chunk-1] != byte(i-16) || old[chunk/2] != byte(i-16) {
				bad++
			}
		}
		b := make([]byte, chunk)
		for j := 0; j < chunk; j += 4096 {
			b[j] = byte(i)
		}
		b[chunk-1] = byte(i)
		b[chunk/2] = byte(i)
		live[i%16] = b
		if i%50 == 0 {
			time.Sleep(time.Millisecond) // over time, letting the background GC run
		}
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	ok := bad == 0 && after.NumGC > before.NumGC && after.HeapAlloc < 64<<20 &&
		after.TotalAlloc-before.TotalAlloc >= 200<<20
	runtime.KeepAlive(live)
	report("gc", ok, fmt.Sprintf("200 MiB allocated, 16 MiB live, %d chunks corrupted", bad))
	if !ok {
		fmt.Printf("# gc: collections %d, heap %d bytes, allocated %d bytes\n",
			after.NumGC-before.NumGC, after.HeapAlloc, after.TotalAlloc-before.TotalAlloc)
	}
}

// preempt needs asynchronous preemption: with one P, a goroutine spins in
// a loop with no function calls, so the main goroutine runs again only if
// the runtime stops the spinner with a signal (SIGURG by tgkill).
func preempt() {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var stop atomic.Bool
	var spun atomic.Int64
	done := make(chan bool)
	go func() {
		i := int64(0)
		for ; i < 1<<33 && !stop.Load(); i++ {
		}
		spun.Store(i)
		done <- stop.Load()
	}()
	runtime.Gosched()
	time.Sleep(20 * time.Millisecond)
	stop.Store(true)
	if <-done {
		report("preempt", true, "a spinning goroutine was preempted")
	} else {
		report("preempt", false, "the spinner ran all 2^33 iterations: no asynchronous preemption")
	}
}

// threads blocks 4 goroutines in read(2) on pipes, which takes 4 threads
// besides the ones running Go code, then releases them.
func threads() {
	var wg sync.WaitGroup
	var got atomic.Int64
	var ws []*os.File
	for i := 0; i < 4; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			report("threads", false, err.Error())
			return
		}
		ws = append(ws, w)
		wg.Add(1)
		go func(r *os.File) {
			defer wg.Done()
			buf := make([]byte, 8)
			n, _ := r.Read(buf)
			got.Add(int64(n))
			r.Close()
		}(r)
	}
	time.Sleep(10 * time.Millisecond)
	for _, w := range ws {
		w.Write([]byte("four"))
		w.Close()
	}
	wg.Wait()
	report("pipes", got.Load() == 16, fmt.Sprintf("4 readers got %d bytes", got.Load()))
}

// readSelf reads this program's file (os.Args[0]: Tamix has no
// /proc/self/exe yet) and checks the ELF magic.
func readSelf() {
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		report("readfile", false, err.Error())
		return
	}
	report("readfile", len(b) > 0 && bytes.HasPrefix(b, []byte("\x7fELF")), "length > 0, ELF magic")
}

// run runs prog with args and reports the first line of its output and
// its exit status.
func run(name, prog string, args ...string) {
	out, err := exec.Command(prog, args...).Output()
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
	} else if err != nil {
		report(name, false, err.Error())
		return
	}
	first, _, _ := strings.Cut(string(out), "\n")
	report(name, true, fmt.Sprintf("%q, exit status %d", first, status))
}

func main() {
	exitCode, prog, child := 0, "", false
	var words []string
	args := os.Args[1:]
	for len(args) > 0 {
		switch {
		case args[0] == "-exit" && len(args) > 1:
			n, err := strconv.Atoi(args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "gotest: -exit wants a number")
				os.Exit(2)
			}
			exitCode, args = n, args[2:]
		case args[0] == "-exec" && len(args) > 1:
			prog, args = args[1], args[2:]
		case args[0] == "-child":
			child, args = true, args[1:]
		default:
			words, args = append(words, args[0]), args[1:]
		}
	}
	if child {
		fmt.Printf("gotest child: %s\n", strings.Join(words, " "))
		os.Exit(exitCode)
	}

	fmt.Println("gotest: start")
	fmt.Printf("ok args: %d words: %s\n", len(words), strings.Join(words, " "))
	pipeline()
	waitGroup()
	mutex()
	sleep()
	timers()
	gc()
	preempt()
	threads()
	readSelf()
	if prog != "" {
		run("exec", prog)
	}
	run("exec self", os.Args[0], "-child", "-exit", "3", "from", "the", "parent")
	fmt.Printf("gotest: %d not ok, exit %d\n", failed, exitCode)
	if failed > 0 {
		os.Exit(1)
	}
	os.Exit(exitCode)
}
