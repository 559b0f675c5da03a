package sched

// The fair policy: a model of the Completely Fair Scheduler of
// kernel/sched/fair.c as it was before EEVDF replaced it (Linux 6.6).
//
// Every runnable task has a virtual runtime: the CPU time it has used,
// scaled by Nice0Load/weight, so a heavy (low-nice) task's clock runs
// slowly and a light one's quickly. The scheduler always runs the task
// whose virtual runtime is smallest. Over time every task's virtual
// runtime advances at the same rate, which means each gets CPU time in
// proportion to its weight.
//
// This file is pure: it keeps no locks, knows no clock and never switches.
// The run queue in core.go calls it with the run-queue lock held and the
// time in nanoseconds.

// Tunables, in nanoseconds. These are Linux's base values
// (sysctl_sched_latency and friends). Linux multiplies them by
// 1+log2(nr_cpus) (SCHED_TUNABLESCALING_LOG); with Tamix's one CPU the
// factor is 1, so the values are used as they are.
const (
	// SchedLatency is the period in which every runnable task should
	// run once, while there are at most NrLatency of them.
	SchedLatency int64 = 6_000_000
	// MinGranularity is the least a task runs before the tick may
	// preempt it, and the least slice a task gets.
	MinGranularity int64 = 750_000
	// WakeupGranularity is how far (in a nice-0 task's virtual time) a
	// woken task must be behind the current one to preempt it.
	WakeupGranularity int64 = 1_000_000
	// NrLatency is how many tasks fit in SchedLatency at MinGranularity
	// each (sched_nr_latency); with more, the period grows.
	NrLatency = int(SchedLatency / MinGranularity)
)

// Entity is what the fair policy knows of one task.
//
// Mirrors include/linux/sched.h:struct sched_entity. Linux keeps the
// weight in a struct load_weight and links the entity into a red-black
// tree through an rb_node; Tamix keeps the weight inline and the entity's
// slot in the run queue's heap. A zero Entity is a nice-0 task.
// All fields are protected by the run-queue lock.
type Entity struct {
	// Weight is the load weight (load.weight), from NiceToWeight. Change
	// it through CFSRq.SetNice while the entity is queued; 0 means
	// Nice0Load.
	Weight uint32
	// VRuntime is the virtual runtime in nanoseconds. It is compared
	// with wrap-around arithmetic, like Linux's u64 vruntime.
	VRuntime uint64
	// SumExecRuntime is the CPU time used in total, in nanoseconds.
	SumExecRuntime int64
	// PrevSumExecRuntime is SumExecRuntime when the entity was last
	// picked to run (SetNext); the tick measures the slice from it.
	PrevSumExecRuntime int64
	// ExecStart is the clock when CPU time was last charged (Update).
	ExecStart int64
	// OnRq reports whether the entity waits in a CFSRq. Unlike Linux's
	// on_rq, it is false for the running entity: see CFSRq.
	OnRq bool
	// Owner points back to the task (Linux uses container_of).
	Owner any

	inv, invOf uint32 // inverse weight (load.inv_weight) and the weight it is for
	index      int    // slot in CFSRq.timeline while OnRq
	arrival    uint64 // CFSRq.arrivals when enqueued: breaks vruntime ties
}

// CFSRq is the queue of runnable entities waiting for the CPU, ordered by
// virtual runtime. Its zero value is an empty queue.
//
// Mirrors kernel/sched/sched.h:struct cfs_rq. Linux orders entities in a
// red-black tree with a cached leftmost node; Tamix uses a binary min-heap
// in a slice: O(1) to find the leftmost, O(log n) to insert, remove or
// re-key, which is all CFS asks of its tree. Ties go to the entity
// enqueued first, as Linux's tree puts equal keys to the right.
//
// The running entity (Linux's cfs_rq->curr) is not in the queue: the
// caller takes it out with SetNext and puts it back with PutPrev, and
// passes it to Update, Tick, CheckPreemptWakeup and YieldCurr. Linux also
// keeps curr out of the tree but still counts it in nr_running and the
// load; here NrRunning and Load count the waiting entities only, and the
// functions that need the running one add it. A caller that leaves the
// running entity queued gets the same decisions: Update re-keys it.
//
// Not safe for concurrent use: the owner holds the run-queue lock.
type CFSRq struct {
	load        uint64    // sum of the queued weights (load.weight)
	nrRunning   int       // queued entities
	minVruntime uint64    // never decreases (mod 2^64)
	timeline    []*Entity // the heap (tasks_timeline)
	arrivals    uint64    // enqueue counter, for ties
	skip        *Entity   // skip buddy set by YieldCurr
}

// NrRunning returns the number of entities waiting in the queue.
func (rq *CFSRq) NrRunning() int { return rq.nrRunning }

// Load returns the sum of the weights of the waiting entities.
func (rq *CFSRq) Load() uint64 { return rq.load }

// MinVruntime returns the queue's monotonic floor of virtual runtime:
// where sleepers and new tasks are placed relative to.
func (rq *CFSRq) MinVruntime() uint64 { return rq.minVruntime }

// vruntimeBefore reports a < b on the wrapping virtual-time line.
func vruntimeBefore(a, b uint64) bool { return int64(a-b) < 0 }

// maxVruntime returns the later of a and b (max_vruntime in fair.c).
func maxVruntime(a, b uint64) uint64 {
	if vruntimeBefore(a, b) {
		return b
	}
	return a
}

// minVruntime returns the earlier of a and b (min_vruntime in fair.c).
func minVruntime(a, b uint64) uint64 {
	if vruntimeBefore(b, a) {
		return b
	}
	return a
}

// entityBefore orders the timeline: smaller vruntime first, then the
// earlier arrival. Mirrors kernel/sched/fair.c:entity_before().
func entityBefore(a, b *Entity) bool {
	if a.VRuntime != b.VRuntime {
		return vruntimeBefore(a.VRuntime, b.VRuntime)
	}
	return a.arrival < b.arrival
}

// Enqueue makes e wait for the CPU. A task waking from sleep is first
// placed near the queue's min_vruntime: it keeps its own vruntime unless
// that is more than SchedLatency/2 behind (the sleeper credit of
// GENTLE_FAIR_SLEEPERS), so a long sleep is not saved up to monopolise
// the CPU later. Otherwise (a preempted task going back, a new task after
// PlaceNew) e keeps its vruntime. Enqueueing a queued entity does nothing.
// Mirrors kernel/sched/fair.c:enqueue_entity() with place_entity(initial=0)
// for ENQUEUE_WAKEUP; the load tracking (PELT) of Linux is left out.
func (rq *CFSRq) Enqueue(e *Entity, wakeup bool) {
	if e.OnRq {
		return
	}
	if wakeup {
		thresh := uint64(SchedLatency / 2)
		e.VRuntime = maxVruntime(e.VRuntime, rq.minVruntime-thresh)
	}
	e.arrival = rq.arrivals
	rq.arrivals++
	rq.timelineInsert(e)
	rq.load += uint64(e.weight())
	rq.nrRunning++
	e.OnRq = true
}

// Dequeue removes e from the queue (it goes to sleep, exits, or is about
// to run: see SetNext). Dequeueing an entity not queued does nothing.
// Mirrors kernel/sched/fair.c:dequeue_entity(); Linux also refreshes
// min_vruntime there, Tamix leaves that to the next Update, which knows
// the running entity.
func (rq *CFSRq) Dequeue(e *Entity) {
	if !e.OnRq {
		return
	}
	rq.timelineRemove(e)
	rq.load -= uint64(e.weight())
	rq.nrRunning--
	e.OnRq = false
	if rq.skip == e {
		rq.skip = nil
	}
}

// PlaceNew sets the virtual runtime of a new task before its first
// Enqueue: min_vruntime plus one virtual slice, so that a fork does not
// start ahead of the tasks already waiting (START_DEBIT) and a task cannot
// gain CPU time by forking repeatedly. The slice counts the waiting
// entities and e, not the running one, which the queue does not know.
// Mirrors kernel/sched/fair.c:task_fork_fair() and place_entity(initial=1);
// Linux also takes the max with the parent's vruntime, which a Tamix
// child does not inherit.
func (rq *CFSRq) PlaceNew(e *Entity) {
	e.VRuntime = rq.minVruntime + calcDeltaFair(rq.schedSlice(e), e)
}

// PickNext returns the entity that should run next, normally the one
// with the smallest vruntime (the leftmost), or nil if none waits. It does
// not remove it: SetNext does. If the leftmost has yielded (YieldCurr) and
// the second is not more than a wake-up granularity ahead, the second is
// picked instead.
// Mirrors kernel/sched/fair.c:pick_next_entity() with the skip buddy; the
// next and last buddies of Linux are left out.
func (rq *CFSRq) PickNext() *Entity {
	left := rq.first()
	if left != nil && left == rq.skip {
		if second := rq.second(); second != nil && wakeupPreemptEntity(second, left) < 1 {
			return second
		}
	}
	return left
}

// SetNext makes e the running entity at time now: it leaves the queue,
// its CPU time is charged from now on, and its slice starts.
// Mirrors kernel/sched/fair.c:set_next_entity().
func (rq *CFSRq) SetNext(e *Entity, now int64) {
	rq.Dequeue(e)
	e.ExecStart = now
	e.PrevSumExecRuntime = e.SumExecRuntime
}

// PutPrev charges the running entity e up to now and puts it back in the
// queue: it was preempted or yielded and is still runnable. (A task that
// goes to sleep gets Update instead and stays out.)
// Mirrors kernel/sched/fair.c:put_prev_entity() for a prev that is on_rq.
func (rq *CFSRq) PutPrev(e *Entity, now int64) {
	rq.Update(e, now)
	rq.Enqueue(e, false)
}

// Update charges the running entity e for the CPU time since its
// ExecStart: its vruntime advances by the time scaled by Nice0Load/weight,
// then min_vruntime follows the smallest of e's and the leftmost waiting
// entity's vruntime, but never goes back. A time at or before ExecStart
// charges nothing.
// Mirrors kernel/sched/fair.c:update_curr() and update_min_vruntime();
// Linux ignores curr there once it is dequeued to sleep, Tamix counts it,
// which at worst delays min_vruntime's advance to the next Update.
func (rq *CFSRq) Update(e *Entity, now int64) {
	delta := now - e.ExecStart
	if delta <= 0 {
		return
	}
	e.ExecStart = now
	e.SumExecRuntime += delta
	e.VRuntime += calcDeltaFair(delta, e)
	if e.OnRq {
		rq.timelineFix(e.index)
	}
	v := e.VRuntime
	if left := rq.first(); left != nil {
		v = minVruntime(v, left.VRuntime)
	}
	rq.minVruntime = maxVruntime(rq.minVruntime, v)
}

// schedPeriod returns the time in which nr runnable tasks should each
// run once: SchedLatency, stretched to nr*MinGranularity when more than
// NrLatency tasks share the CPU. Mirrors kernel/sched/fair.c:__sched_period().
func schedPeriod(nr int) int64 {
	if nr > NrLatency {
		return int64(nr) * MinGranularity
	}
	return SchedLatency
}

// schedSlice returns e's share of the period in wall-clock ns:
// period * weight / total weight, counting e if it is not queued, and at
// least MinGranularity.
// Mirrors kernel/sched/fair.c:sched_slice() with the BASE_SLICE floor
// (Linux 5.13 to 6.5); without task groups there is one level to walk.
func (rq *CFSRq) schedSlice(e *Entity) int64 {
	nr, load := rq.nrRunning, rq.load
	if !e.OnRq {
		nr++
		load += uint64(e.weight())
	}
	slice := int64(calcDelta(uint64(schedPeriod(nr)), e.weight(), inverseWeight(load)))
	return max(slice, MinGranularity)
}

// Tick charges the running entity curr up to now and reports whether it
// should be preempted: it has run longer than its ideal slice, or, having
// run at least MinGranularity, the leftmost waiting entity is behind it by
// more than that slice. Nothing is preempted for an empty queue.
// Mirrors kernel/sched/fair.c:entity_tick() and check_preempt_tick();
// like Linux, the second test compares a virtual-time distance with a
// wall-clock slice.
func (rq *CFSRq) Tick(curr *Entity, now int64) (resched bool) {
	rq.Update(curr, now)
	if rq.waiting(curr) == 0 {
		return false
	}
	ideal := rq.schedSlice(curr)
	ran := curr.SumExecRuntime - curr.PrevSumExecRuntime
	if ran > ideal {
		return true
	}
	if ran < MinGranularity {
		return false
	}
	// If the caller keeps curr queued, the leftmost may be curr itself:
	// delta is 0 and nothing happens, the answer Linux gets from the
	// next entity, which is never behind curr.
	delta := int64(curr.VRuntime - rq.first().VRuntime)
	return delta > ideal
}

// wakeupPreemptEntity returns -1 if se is not behind curr, 1 if it is
// behind by more than the wake-up granularity in se's virtual time (so a
// light task must be further behind), 0 in between.
// Mirrors kernel/sched/fair.c:wakeup_preempt_entity() and wakeup_gran().
func wakeupPreemptEntity(curr, se *Entity) int {
	vdiff := int64(curr.VRuntime - se.VRuntime)
	if vdiff <= 0 {
		return -1
	}
	if vdiff > int64(calcDeltaFair(WakeupGranularity, se)) {
		return 1
	}
	return 0
}

// CheckPreemptWakeup reports whether the woken entity should preempt the
// running one, curr (nil when the CPU idles): it must be behind curr by
// more than the wake-up granularity, which keeps a stream of short
// wake-ups from switching on every one. The caller charges curr with
// Update first.
// Mirrors kernel/sched/fair.c:check_preempt_wakeup() (without buddies
// and SCHED_IDLE special cases).
func (rq *CFSRq) CheckPreemptWakeup(curr, woken *Entity) bool {
	if curr == nil {
		return true
	}
	if curr == woken {
		return false
	}
	return wakeupPreemptEntity(curr, woken) == 1
}

// YieldCurr marks the running entity curr as the one to skip at the next
// PickNext (sched_yield). It does nothing if no other entity waits.
// Mirrors kernel/sched/fair.c:yield_task_fair() (the skip buddy).
func (rq *CFSRq) YieldCurr(curr *Entity) {
	if rq.waiting(curr) > 0 {
		rq.skip = curr
	}
}

// waiting returns the number of queued entities other than curr.
func (rq *CFSRq) waiting(curr *Entity) int {
	if curr.OnRq {
		return rq.nrRunning - 1
	}
	return rq.nrRunning
}

// maxLag bounds |vruntime - min_vruntime| when reweighting, so that the
// lag times a weight fits in 64 bits (2^40 ns is about 18 minutes).
const maxLag = 1 << 40

// SetNice changes e's weight to that of nice (clamped to MinNice..MaxNice)
// while keeping its place fair: its distance from min_vruntime is scaled
// by old/new weight, so the wall-clock time it is ahead or behind stays
// the same; a queued e is re-sorted and the queue's load follows. If e is
// running, the caller charges it with Update first, at the old weight.
// Mirrors kernel/sched/fair.c:reweight_entity() as of Linux 6.7, which
// scales the lag around the average vruntime; classic CFS kept vruntime
// unchanged, and Tamix scales around min_vruntime.
func (rq *CFSRq) SetNice(e *Entity, nice int) {
	oldW, newW := int64(e.weight()), int64(NiceToWeight(nice))
	if oldW == newW {
		return
	}
	queued := e.OnRq
	rq.Dequeue(e)
	lag := min(max(int64(e.VRuntime-rq.minVruntime), -maxLag), maxLag)
	e.Weight = uint32(newW)
	e.VRuntime = rq.minVruntime + uint64(lag*oldW/newW)
	if queued {
		rq.Enqueue(e, false)
	}
}

// The heap. timeline[0] is the leftmost entity; the children of slot i
// are 2i+1 and 2i+2, and no child is before its parent.

// first returns the leftmost entity, or nil (__pick_first_entity).
func (rq *CFSRq) first() *Entity {
	if len(rq.timeline) == 0 {
		return nil
	}
	return rq.timeline[0]
}

// second returns the entity that would be leftmost without the first,
// or nil: the earlier of the root's two children (__pick_next_entity).
func (rq *CFSRq) second() *Entity {
	t := rq.timeline
	switch len(t) {
	case 0, 1:
		return nil
	case 2:
		return t[1]
	}
	if entityBefore(t[2], t[1]) {
		return t[2]
	}
	return t[1]
}

// timelineInsert adds e to the heap (__enqueue_entity).
func (rq *CFSRq) timelineInsert(e *Entity) {
	e.index = len(rq.timeline)
	rq.timeline = append(rq.timeline, e)
	rq.siftUp(e.index)
}

// timelineRemove takes e out of the heap (__dequeue_entity): the last
// entity moves into e's slot and is sifted to its place.
func (rq *CFSRq) timelineRemove(e *Entity) {
	i, last := e.index, len(rq.timeline)-1
	if i != last {
		rq.swap(i, last)
	}
	rq.timeline[last] = nil
	rq.timeline = rq.timeline[:last]
	if i != last {
		rq.timelineFix(i)
	}
	e.index = -1
}

// timelineFix restores the heap order after the entity in slot i changed
// its key.
func (rq *CFSRq) timelineFix(i int) {
	if !rq.siftDown(i) {
		rq.siftUp(i)
	}
}

func (rq *CFSRq) swap(i, j int) {
	t := rq.timeline
	t[i], t[j] = t[j], t[i]
	t[i].index, t[j].index = i, j
}

// siftUp moves slot i towards the root while it is before its parent.
func (rq *CFSRq) siftUp(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !entityBefore(rq.timeline[i], rq.timeline[parent]) {
			break
		}
		rq.swap(i, parent)
		i = parent
	}
}

// siftDown moves slot i towards the leaves while a child is before it,
// and reports whether it moved.
func (rq *CFSRq) siftDown(i int) bool {
	start, n := i, len(rq.timeline)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && entityBefore(rq.timeline[r], rq.timeline[child]) {
			child = r
		}
		if !entityBefore(rq.timeline[child], rq.timeline[i]) {
			break
		}
		rq.swap(i, child)
		i = child
	}
	return i != start
}
