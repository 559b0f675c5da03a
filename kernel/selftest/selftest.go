// Package selftest holds Tamix's first in-guest test cases: they prove that
// the Go runtime works on bare metal before anything of Tamix's own is
// tested. Importing the package (for its side effect) registers the ktap
// suite "runtime", whose cases exercise goroutines and channels, timers,
// maps and fmt, panics and recover, and the garbage collector.
//
// The cases use only the standard library, so the same suite also passes
// under "go test" on the host, which is how it is checked before it ever
// runs in QEMU.
package selftest

import (
	"runtime"
	"sync"
	"time"

	"tamix/kernel/ktap"
)

// SuiteName is the name of the suite this package registers.
const SuiteName = "runtime"

func init() {
	ktap.Register(&ktap.Suite{
		Name: SuiteName,
		Cases: []ktap.Case{
			{Name: "goroutines_and_channels", Run: testGoroutinesAndChannels},
			{Name: "timers", Run: testTimers},
			{Name: "maps_and_fmt", Run: testMapsAndFmt},
			{Name: "panic_recover", Run: testPanicRecover},
			{Name: "gc_pressure", Run: testGCPressure, Timeout: 90 * time.Second},
		},
	})
}

// testGoroutinesAndChannels runs a pipeline of 1000 goroutines, uses
// buffered and unbuffered channels and select, and counts under a mutex.
func testGoroutinesAndChannels(t *ktap.T) {
	t.Logf("GOMAXPROCS=%d NumCPU=%d", runtime.GOMAXPROCS(0), runtime.NumCPU())
	pipeline(t)
	bufferedChannel(t)
	pingPong(t)
	selectFanIn(t)
	mutexCounter(t)
}

// pipeline sends values through a chain of goroutines that each add one.
func pipeline(t *ktap.T) {
	const stages, values = 1000, 100
	first := make(chan int)
	in := first
	for range stages {
		out := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	go func() {
		for i := range values {
			first <- i
		}
		close(first)
	}()
	n := 0
	for v := range in {
		if v != n+stages {
			t.Errorf("pipeline: value %d came out as %d, want %d", n, v, n+stages)
		}
		n++
	}
	if n != values {
		t.Errorf("pipeline: %d values came out, want %d", n, values)
	}
}

// bufferedChannel fills a buffered channel, checks that a further send
// would block, and drains it after close.
func bufferedChannel(t *ktap.T) {
	c := make(chan int, 8)
	for i := range cap(c) {
		c <- i
	}
	if len(c) != 8 || cap(c) != 8 {
		t.Errorf("buffered: len %d cap %d, want 8 8", len(c), cap(c))
	}
	select {
	case c <- 99:
		t.Errorf("buffered: send to a full channel did not block")
	default:
	}
	close(c)
	want := 0
	for v := range c {
		if v != want {
			t.Errorf("buffered: received %d, want %d", v, want)
		}
		want++
	}
	if v, ok := <-c; v != 0 || ok {
		t.Errorf("buffered: receive from closed channel = %d, %v; want 0, false", v, ok)
	}
}

// pingPong bounces a counter between two goroutines over unbuffered
// channels.
func pingPong(t *ktap.T) {
	const rounds = 1000
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for range rounds {
		ping <- v
		v = <-pong + 1
	}
	close(ping)
	if _, ok := <-pong; ok {
		t.Errorf("ping-pong: pong not closed")
	}
	if v != 2*rounds {
		t.Errorf("ping-pong: counter %d, want %d", v, 2*rounds)
	}
}

// selectFanIn collects from three producers with select until all have
// closed their channels.
func selectFanIn(t *ktap.T) {
	const producers, each = 3, 100
	chans := make([]chan int, producers)
	for p := range chans {
		chans[p] = make(chan int, p) // unbuffered, 1 and 2 slots
		go func(c chan<- int, p int) {
			for range each {
				c <- p
			}
			close(c)
		}(chans[p], p)
	}
	var got [producers]int
	a, b, c := chans[0], chans[1], chans[2]
	for a != nil || b != nil || c != nil {
		var v int
		var ok bool
		select {
		case v, ok = <-a:
			if !ok {
				a = nil
			}
		case v, ok = <-b:
			if !ok {
				b = nil
			}
		case v, ok = <-c:
			if !ok {
				c = nil
			}
		}
		if ok {
			got[v]++
		}
	}
	for p, n := range got {
		if n != each {
			t.Errorf("select: %d values from producer %d, want %d", n, p, each)
		}
	}
}

// mutexCounter increments a counter from many goroutines under a
// sync.Mutex, and checks sync.Once and sync.RWMutex on the way.
func mutexCounter(t *ktap.T) {
	const workers, increments = 100, 1000
	var (
		mu      sync.Mutex
		rw      sync.RWMutex
		once    sync.Once
		wg      sync.WaitGroup
		counter int
		onces   int
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() { onces++ })
			for i := range increments {
				mu.Lock()
				counter++
				mu.Unlock()
				if i%100 == 0 {
					rw.RLock()
					_ = onces
					rw.RUnlock()
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	if counter != workers*increments {
		t.Errorf("mutex: counter %d, want %d", counter, workers*increments)
	}
	if onces != 1 {
		t.Errorf("sync.Once ran %d times", onces)
	}
}

// testTimers checks time.Sleep, time.After, time.Ticker and time.AfterFunc
// against the monotonic clock.
func testTimers(t *ktap.T) {
	const slack = 500 * time.Millisecond
	within := func(what string, d, lo time.Duration) {
		if d < lo || d > lo+slack {
			t.Errorf("%s took %v, want [%v, %v]", what, d, lo, lo+slack)
		}
	}

	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	d := time.Since(start)
	t.Logf("time.Sleep(50ms) took %v", d)
	within("time.Sleep(50ms)", d, 50*time.Millisecond)

	never := make(chan struct{})
	start = time.Now()
	select {
	case <-never:
		t.Errorf("receive from a silent channel")
	case <-time.After(20 * time.Millisecond):
	}
	within("time.After(20ms) in select", time.Since(start), 20*time.Millisecond)

	start = time.Now()
	tk := time.NewTicker(10 * time.Millisecond)
	for range 5 {
		<-tk.C
	}
	tk.Stop()
	within("5 ticks of 10ms", time.Since(start), 50*time.Millisecond)

	fired := make(chan time.Duration, 1)
	start = time.Now()
	time.AfterFunc(30*time.Millisecond, func() { fired <- time.Since(start) })
	select {
	case d := <-fired:
		within("time.AfterFunc(30ms)", d, 30*time.Millisecond)
	case <-time.After(2 * time.Second):
		t.Errorf("time.AfterFunc(30ms) did not fire within 2s")
	}

	stopped := time.AfterFunc(time.Hour, func() { t.Errorf("stopped timer fired") })
	if !stopped.Stop() {
		t.Errorf("Timer.Stop of a pending timer returned false")
	}
	tm := time.NewTimer(time.Hour)
	tm.Reset(10 * time.Millisecond)
	select {
	case <-tm.C:
	case <-time.After(2 * time.Second):
		t.Errorf("reset timer did not fire within 2s")
	}

	prev := time.Now()
	for range 1000 {
		now := time.Now()
		if now.Sub(prev) < 0 {
			t.Fatalf("monotonic clock went backwards by %v", prev.Sub(now))
		}
		prev = now
	}
}
