package sched

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

const ms = int64(1_000_000)

// checkRq verifies the queue's invariants: heap order, slot indices,
// OnRq flags, and that the load and count match the entities.
func checkRq(t *testing.T, rq *CFSRq) {
	t.Helper()
	var load uint64
	for i, e := range rq.timeline {
		if e.index != i || !e.OnRq {
			t.Fatalf("slot %d: index %d OnRq %v", i, e.index, e.OnRq)
		}
		if i > 0 && entityBefore(e, rq.timeline[(i-1)/2]) {
			t.Fatalf("slot %d is before its parent", i)
		}
		load += uint64(e.weight())
	}
	if load != rq.load || len(rq.timeline) != rq.nrRunning {
		t.Fatalf("load %d/%d nr %d/%d", rq.load, load, rq.nrRunning, len(rq.timeline))
	}
}

// sim drives a CFSRq the way the run queue does, with a fake clock.
type sim struct {
	t       *testing.T
	rq      CFSRq
	now     int64
	curr    *Entity
	lastMin uint64
}

func newSim(t *testing.T, nices ...int) (*sim, []*Entity) {
	s := &sim{t: t}
	var es []*Entity
	for _, n := range nices {
		e := &Entity{Weight: NiceToWeight(n)}
		s.rq.PlaceNew(e)
		s.rq.Enqueue(e, false)
		es = append(es, e)
	}
	s.lastMin = s.rq.MinVruntime()
	s.pick()
	return s, es
}

// pick makes the leftmost entity current (nil if none waits).
func (s *sim) pick() {
	s.curr = s.rq.PickNext()
	if s.curr != nil {
		s.rq.SetNext(s.curr, s.now)
	}
}

// resched puts a still-runnable current back and picks again.
func (s *sim) resched() {
	if s.curr != nil {
		s.rq.PutPrev(s.curr, s.now)
	}
	s.pick()
}

// check verifies the invariants and that min_vruntime never went back.
func (s *sim) check() {
	s.t.Helper()
	checkRq(s.t, &s.rq)
	if m := s.rq.MinVruntime(); vruntimeBefore(m, s.lastMin) {
		s.t.Fatalf("min_vruntime went back: %d -> %d", s.lastMin, m)
	} else {
		s.lastMin = m
	}
}

// run advances the clock by d in ticks of tick ns, switching when Tick
// says so.
func (s *sim) run(d, tick int64) {
	for end := s.now + d; s.now < end; {
		s.now += tick
		if s.curr != nil && s.rq.Tick(s.curr, s.now) {
			s.resched()
		}
		s.check()
	}
}

func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got/want-1) > tol {
		t.Errorf("%s = %.4f, want %.4f within %.0f%%", what, got, want, tol*100)
	} else {
		t.Logf("%s = %.4f (want %.4f)", what, got, want)
	}
}

func TestFairNice0Nice5(t *testing.T) {
	s, es := newSim(t, 0, 5)
	s.run(2000*ms, 4*ms)
	within(t, "share ratio nice0:nice5",
		float64(es[0].SumExecRuntime)/float64(es[1].SumExecRuntime), 1024.0/335, 0.02)
	if total := es[0].SumExecRuntime + es[1].SumExecRuntime; total != 2000*ms {
		t.Errorf("total runtime %d", total)
	}
}

func TestFairThreeEqual(t *testing.T) {
	s, es := newSim(t, 0, 0, 0)
	s.run(2000*ms, 4*ms)
	for i, e := range es {
		within(t, "share of entity "+string(rune('0'+i)), float64(e.SumExecRuntime), float64(2000*ms)/3, 0.01)
	}
}

func TestFairManyTasksAcrossWrap(t *testing.T) {
	// Start just before vruntime wraps around 2^64, with more tasks than
	// NrLatency so that the period stretches.
	s := &sim{t: t}
	s.rq.minVruntime = math.MaxUint64 - uint64(50*ms)
	s.lastMin = s.rq.minVruntime
	var es []*Entity
	for i := 0; i < 10; i++ {
		e := &Entity{Weight: NiceToWeight(i % 2 * 3)}
		s.rq.PlaceNew(e)
		s.rq.Enqueue(e, false)
		es = append(es, e)
	}
	s.pick()
	s.run(3000*ms, 1*ms)
	var heavy, light int64
	for i, e := range es {
		if i%2 == 0 {
			heavy += e.SumExecRuntime
		} else {
			light += e.SumExecRuntime
		}
	}
	within(t, "share ratio nice0:nice3", float64(heavy)/float64(light), 1024.0/526, 0.02)
	if s.rq.MinVruntime() > uint64(1<<62) {
		t.Errorf("min_vruntime %d did not wrap", s.rq.MinVruntime())
	}
}

func TestSleeperDoesNotStarveRunner(t *testing.T) {
	s, es := newSim(t, 0, 0)
	runner, sleeper := es[0], es[1]
	s.run(100*ms, 1*ms)
	// The sleeper sleeps for a second while the runner runs alone.
	if s.curr == sleeper {
		s.rq.Update(sleeper, s.now)
		s.pick()
	} else {
		s.rq.Dequeue(sleeper)
	}
	s.run(1000*ms, 1*ms)
	if s.curr != runner {
		t.Fatal("runner not current")
	}
	runner0, sleeper0 := runner.SumExecRuntime, sleeper.SumExecRuntime
	s.rq.Update(runner, s.now)
	s.rq.Enqueue(sleeper, true)
	if want := s.rq.MinVruntime() - uint64(SchedLatency/2); sleeper.VRuntime != want {
		t.Errorf("sleeper placed at %d, want min_vruntime-latency/2 = %d", sleeper.VRuntime, want)
	}
	if s.rq.CheckPreemptWakeup(s.curr, sleeper) {
		s.resched()
	}
	if s.curr != sleeper {
		t.Fatal("woken sleeper did not preempt")
	}
	// It may catch up by half a latency, not by the whole second.
	s.run(20*ms, 1*ms)
	if got := runner.SumExecRuntime - runner0; got < 5*ms {
		t.Errorf("runner got %v ns of 20 ms after the wake-up", got)
	}
	s.run(1000*ms, 1*ms)
	r, sl := runner.SumExecRuntime-runner0, sleeper.SumExecRuntime-sleeper0
	t.Logf("after the wake-up: runner %d ms, sleeper %d ms", r/ms, sl/ms)
	if d := sl - r; d < 0 || d > SchedLatency {
		t.Errorf("sleeper's advantage %d ns, want 0..SchedLatency", d)
	}
}

func TestPeriodicSleeper(t *testing.T) {
	// A task that runs 1 ms and sleeps 9 ms next to a CPU hog: the hog
	// gets the rest, the sleeper gets its 10%.
	s, es := newSim(t, 0, 0)
	hog, sl := es[0], es[1]
	var wakeAt int64 = -1
	var ranSince int64
	for s.now < 2000*ms {
		s.now += ms
		if s.curr == sl && sl.SumExecRuntime+s.now-sl.ExecStart-ranSince >= ms {
			s.rq.Update(sl, s.now)
			ranSince = sl.SumExecRuntime
			wakeAt = s.now + 9*ms
			s.pick()
		} else if s.now%(4*ms) == 0 && s.curr != nil && s.rq.Tick(s.curr, s.now) {
			s.resched()
		}
		if s.now == wakeAt {
			if s.curr != nil {
				s.rq.Update(s.curr, s.now)
			}
			s.rq.Enqueue(sl, true)
			if s.rq.CheckPreemptWakeup(s.curr, sl) {
				s.resched()
			}
		}
		s.check()
	}
	within(t, "sleeper share", float64(sl.SumExecRuntime)/float64(2000*ms), 0.1, 0.05)
	within(t, "hog share", float64(hog.SumExecRuntime)/float64(2000*ms), 0.9, 0.01)
}

func TestEnqueueDequeuePick(t *testing.T) {
	var rq CFSRq
	if rq.PickNext() != nil || rq.second() != nil {
		t.Fatal("empty queue picked something")
	}
	r := rand.New(rand.NewSource(1))
	var es []*Entity
	for i := 0; i < 200; i++ {
		e := &Entity{VRuntime: uint64(r.Intn(50)), Weight: NiceToWeight(r.Intn(40) - 20)}
		rq.Enqueue(e, false)
		rq.Enqueue(e, false) // no-op
		es = append(es, e)
		checkRq(t, &rq)
	}
	// Remove a random half, then pick the rest in order.
	for _, i := range r.Perm(len(es))[:100] {
		rq.Dequeue(es[i])
		rq.Dequeue(es[i]) // no-op
		if es[i].OnRq || es[i].index != -1 {
			t.Fatal("dequeued entity still marked queued")
		}
		checkRq(t, &rq)
	}
	var prev *Entity
	for rq.NrRunning() > 0 {
		e := rq.PickNext()
		if prev != nil && entityBefore(e, prev) {
			t.Fatalf("picked %d after %d", e.VRuntime, prev.VRuntime)
		}
		if prev != nil && e.VRuntime == prev.VRuntime && e.arrival < prev.arrival {
			t.Fatal("equal vruntimes not in arrival order")
		}
		rq.SetNext(e, 0)
		checkRq(t, &rq)
		prev = e
	}
	if rq.Load() != 0 {
		t.Errorf("load %d after emptying", rq.Load())
	}
}

func TestSecond(t *testing.T) {
	var rq CFSRq
	a, b, c := &Entity{VRuntime: 1}, &Entity{VRuntime: 3}, &Entity{VRuntime: 2}
	rq.Enqueue(a, false)
	if rq.second() != nil {
		t.Error("second of one")
	}
	rq.Enqueue(b, false)
	if rq.second() != b {
		t.Error("second of two")
	}
	rq.Enqueue(c, false)
	if rq.second() != c {
		t.Error("second of three")
	}
	rq.Dequeue(c)
	c.VRuntime = 4
	rq.Enqueue(c, false)
	if rq.second() != b {
		t.Error("second of three, left child")
	}
}

func TestZeroEntityIsNice0(t *testing.T) {
	var rq CFSRq
	var e Entity
	rq.Enqueue(&e, false)
	if rq.Load() != Nice0Load {
		t.Errorf("load %d", rq.Load())
	}
	rq.SetNext(&e, 100)
	rq.Update(&e, 100+3*ms)
	if e.VRuntime != uint64(3*ms) || e.SumExecRuntime != 3*ms {
		t.Errorf("vruntime %d sum %d", e.VRuntime, e.SumExecRuntime)
	}
	rq.Update(&e, 50) // clock before ExecStart: nothing
	if e.SumExecRuntime != 3*ms {
		t.Error("charged a negative delta")
	}
}

func TestPlaceNew(t *testing.T) {
	var rq CFSRq
	rq.minVruntime = 1000
	a := &Entity{}
	rq.PlaceNew(a) // alone: the whole latency
	if a.VRuntime != 1000+uint64(SchedLatency) {
		t.Errorf("first task at %d", a.VRuntime)
	}
	rq.Enqueue(a, false)
	b := &Entity{Weight: NiceToWeight(19)}
	rq.PlaceNew(b) // light: slice floored at MinGranularity, in its virtual time
	want := 1000 + calcDeltaFair(MinGranularity, b)
	if b.VRuntime != want {
		t.Errorf("nice-19 task at %d, want %d", b.VRuntime, want)
	}
	c := &Entity{}
	rq.PlaceNew(c) // half the latency next to another nice-0 task
	if d := int64(c.VRuntime - 1000 - uint64(SchedLatency/2)); d < -2 || d > 0 {
		t.Errorf("second task at %d", c.VRuntime)
	}
}

func TestTick(t *testing.T) {
	var rq CFSRq
	a, b := &Entity{}, &Entity{}
	rq.Enqueue(b, false)
	rq.SetNext(a, 0)
	// Ideal slice is 3 ms each.
	if rq.Tick(a, 2*ms) {
		t.Error("preempted within its slice")
	}
	if !rq.Tick(a, 3*ms+1) {
		t.Error("not preempted after its slice")
	}
	// Within MinGranularity, even far ahead of the leftmost: no.
	a.VRuntime = 100 * uint64(ms)
	rq.SetNext(a, 10*ms)
	if rq.Tick(a, 10*ms+MinGranularity-1) {
		t.Error("preempted before MinGranularity")
	}
	// Past it and ahead of the leftmost by more than the slice: yes.
	if !rq.Tick(a, 10*ms+MinGranularity) {
		t.Error("not preempted though far ahead")
	}
	// Leftmost ahead of curr: no.
	a.VRuntime = 0
	b.VRuntime = 50 * uint64(ms)
	rq.SetNext(a, 20*ms)
	if rq.Tick(a, 21*ms) {
		t.Error("preempted though behind the leftmost")
	}
	// Alone: never.
	rq.Dequeue(b)
	if rq.Tick(a, 100*ms) {
		t.Error("preempted with nothing waiting")
	}
}

func TestCurrKeptQueued(t *testing.T) {
	// A caller that leaves the running entity in the queue gets the same
	// answers: Update re-keys it, Tick does not count it twice.
	var rq CFSRq
	a, b := &Entity{}, &Entity{VRuntime: uint64(ms)}
	rq.Enqueue(a, false)
	rq.Enqueue(b, false)
	a.PrevSumExecRuntime, a.ExecStart = 0, 0
	if rq.Tick(a, 2*ms) {
		t.Error("preempted within its slice")
	}
	checkRq(t, &rq)
	if rq.PickNext() != b {
		t.Error("re-keyed curr still leftmost")
	}
	if !rq.Tick(a, 4*ms) {
		t.Error("not preempted after its slice")
	}
	rq.Dequeue(b)
	if rq.Tick(a, 10*ms) {
		t.Error("preempted by itself")
	}
	rq.YieldCurr(a)
	if rq.skip != nil {
		t.Error("yield with nothing else waiting set skip")
	}
}

func TestCheckPreemptWakeup(t *testing.T) {
	var rq CFSRq
	curr := &Entity{VRuntime: 10 * uint64(ms)}
	woken := &Entity{VRuntime: 10 * uint64(ms)}
	if !rq.CheckPreemptWakeup(nil, woken) {
		t.Error("idle CPU not preempted")
	}
	if rq.CheckPreemptWakeup(curr, curr) {
		t.Error("preempted by itself")
	}
	for _, c := range []struct {
		behind int64
		nice   int
		want   bool
	}{
		{0, 0, false},
		{-ms, 0, false},
		{WakeupGranularity, 0, false},
		{WakeupGranularity + 1, 0, true},
		{2 * WakeupGranularity, 5, false}, // light: needs ~3 ms
		{4 * WakeupGranularity, 5, true},
		{WakeupGranularity / 2, -10, true}, // heavy: ~0.1 ms
	} {
		woken.VRuntime = curr.VRuntime - uint64(c.behind)
		woken.Weight = NiceToWeight(c.nice)
		if got := rq.CheckPreemptWakeup(curr, woken); got != c.want {
			t.Errorf("behind %d nice %d: %v, want %v", c.behind, c.nice, got, c.want)
		}
	}
}

func TestYield(t *testing.T) {
	var rq CFSRq
	a, b := &Entity{}, &Entity{VRuntime: uint64(ms / 2)}
	rq.Enqueue(b, false)
	rq.SetNext(a, 0)
	rq.YieldCurr(a)
	rq.PutPrev(a, ms/5) // a is leftmost but yielded, b is close: b runs
	if rq.skip != a || rq.PickNext() != b {
		t.Fatal("yield not honoured")
	}
	rq.SetNext(b, ms/5)
	rq.PutPrev(b, 3*ms/10) // a is still the skip buddy
	if rq.PickNext() != b {
		t.Fatal("skip buddy forgotten")
	}
	rq.SetNext(b, 3*ms/10)
	rq.PutPrev(b, 3*ms) // now b is far ahead: a runs despite its yield
	if rq.PickNext() != a {
		t.Fatal("yield held back a task far behind")
	}
	rq.SetNext(a, 3*ms)
	if rq.skip != nil {
		t.Error("skip not cleared when a was picked")
	}
	rq.YieldCurr(a)
	rq.PutPrev(a, 4*ms)
	if rq.PickNext() != a {
		t.Error("yield of a task far behind switched")
	}
	checkRq(t, &rq)
}

func TestSetNice(t *testing.T) {
	var rq CFSRq
	rq.minVruntime = 100 * uint64(ms)
	a := &Entity{VRuntime: 103 * uint64(ms)} // 3 ms ahead
	b := &Entity{VRuntime: 104 * uint64(ms)}
	rq.Enqueue(a, false)
	rq.Enqueue(b, false)
	rq.SetNice(a, 0) // no change
	if a.VRuntime != 103*uint64(ms) {
		t.Error("same nice moved the entity")
	}
	rq.SetNice(a, 5)
	want := 100*uint64(ms) + uint64(3*ms*1024/335)
	if a.VRuntime != want || rq.Load() != 335+1024 || !a.OnRq {
		t.Errorf("vruntime %d want %d, load %d", a.VRuntime, want, rq.Load())
	}
	checkRq(t, &rq)
	if rq.PickNext() != b {
		t.Error("reweighted entity not re-sorted")
	}
	// Behind, not queued (running): the credit scales the other way.
	c := &Entity{VRuntime: 99 * uint64(ms)}
	rq.SetNice(c, -5)
	if c.VRuntime != 100*uint64(ms)-uint64(ms*1024/3121) || c.OnRq {
		t.Errorf("running entity vruntime %d", c.VRuntime)
	}
	// Out of range clamps; a huge lag is bounded.
	c.VRuntime = rq.minVruntime + 1<<50
	rq.SetNice(c, 100)
	if c.Weight != 15 || c.VRuntime != rq.minVruntime+uint64(maxLag*3121/15) {
		t.Errorf("clamped reweight: weight %d vruntime %d", c.Weight, c.VRuntime)
	}
}

func TestSetNiceChangesShares(t *testing.T) {
	s, es := newSim(t, 0, 0)
	s.run(1000*ms, 4*ms)
	a0, b0 := es[0].SumExecRuntime, es[1].SumExecRuntime
	within(t, "equal shares", float64(a0)/float64(b0), 1, 0.01)
	if s.curr == es[1] {
		s.rq.Update(es[1], s.now)
	}
	s.rq.SetNice(es[1], 5)
	s.check()
	s.run(2000*ms, 4*ms)
	within(t, "shares after renice", float64(es[0].SumExecRuntime-a0)/float64(es[1].SumExecRuntime-b0), 1024.0/335, 0.02)
}

func TestCalcDelta(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 2000; i++ {
		delta := uint64(r.Int63n(1 << 40))
		w := uint32(r.Intn(100000) + 1)
		load := uint64(r.Intn(1<<24) + 1)
		inv := inverseWeight(load)
		got := calcDelta(delta, w, inv)
		exact := new(big.Int).Mul(new(big.Int).SetUint64(delta), big.NewInt(int64(w)))
		exact.Div(exact, new(big.Int).SetUint64(load))
		want := exact.Uint64()
		if diff := math.Abs(float64(got) - float64(want)); diff > float64(want)/float64(inv)+2 {
			t.Fatalf("calcDelta(%d, %d, 1/%d) = %d, want %d", delta, w, load, got, want)
		}
	}
	if calcDeltaFair(1000, &Entity{Weight: 335}) != 3056 {
		t.Errorf("calcDeltaFair nice 5 = %d", calcDeltaFair(1000, &Entity{Weight: 335}))
	}
	// Wrap-around helpers.
	if !vruntimeBefore(math.MaxUint64, 1) || maxVruntime(math.MaxUint64, 1) != 1 || minVruntime(1, math.MaxUint64) != math.MaxUint64 {
		t.Error("wrap-around comparison")
	}
}

func TestSchedPeriod(t *testing.T) {
	if schedPeriod(1) != SchedLatency || schedPeriod(NrLatency) != SchedLatency {
		t.Error("period below NrLatency")
	}
	if schedPeriod(20) != 20*MinGranularity {
		t.Error("stretched period")
	}
}

func TestPrioTables(t *testing.T) {
	if NiceToWeight(0) != Nice0Load || NiceToWeight(5) != 335 || NiceToWeight(-20) != 88761 || NiceToWeight(19) != 15 {
		t.Error("weights differ from Linux")
	}
	for i := 0; i < NiceWidth; i++ {
		w, m := uint64(prioToWeight[i]), uint64(prioToWmult[i])
		if d := int64(m) - int64((1<<32)/w); d < 0 || d > 1 {
			t.Errorf("wmult[%d] = %d, 2^32/%d = %d", i, m, w, (1<<32)/w)
		}
		if i > 0 {
			r := float64(prioToWeight[i-1]) / float64(w)
			if r < 1.2 || r > 1.3 {
				t.Errorf("step %d ratio %.3f", i, r)
			}
		}
		if inverseWeight(w) != prioToWmult[i] {
			t.Errorf("inverseWeight(%d) not Linux's", w)
		}
	}
	if NiceToWmult(0) != 1<<22 || NiceToWmult(-99) != 48388 {
		t.Error("NiceToWmult")
	}
	if inverseWeight(0) != wmultConst || inverseWeight(1<<33) != 1 || inverseWeight(2048) != wmultConst/2048 {
		t.Error("inverseWeight of sums")
	}
}

func TestNiceHelpers(t *testing.T) {
	for _, c := range []struct{ in, clamped int }{{-21, -20}, {-20, -20}, {0, 0}, {19, 19}, {40, 19}} {
		if ClampNice(c.in) != c.clamped || ValidNice(c.in) != (c.in == c.clamped) {
			t.Errorf("nice %d", c.in)
		}
	}
	if NiceToWeight(-100) != 88761 || NiceToWeight(100) != 15 {
		t.Error("NiceToWeight does not clamp")
	}
	if NiceToPrio(0) != 120 || NiceToPrio(-20) != 100 || PrioToNice(139) != 19 {
		t.Error("static priority")
	}
	if NiceToRlimit(-20) != 40 || NiceToRlimit(19) != 1 || RlimitToNice(20) != 0 {
		t.Error("rlimit scale")
	}
}
