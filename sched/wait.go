package sched

import (
	"sync"
	"time"
)

// WaitQueue is a list of sleeping tasks (wait_queue_head_t). Its lock
// protects the list; a waker takes every waiter whose condition may now
// hold and wakes it, and each woken task checks its condition again.
type WaitQueue struct {
	mu      sync.Mutex
	waiters []*Thread
	// callbacks are wait entries with their own wake function (Linux's
	// wait_queue_entry with ->func, e.g. epoll's ep_poll_callback):
	// called at every WakeUp, and kept until removed.
	callbacks []*waitCallback
}

// waitCallback is one callback entry.
type waitCallback struct{ fn func() }

// AddCallback registers fn to be called at every WakeUp of q, until the
// returned function removes it. fn runs in the waker's context with no
// lock of q held, and must not sleep. Mirrors add_wait_queue() of an
// entry whose wake function is not default_wake_function.
func (q *WaitQueue) AddCallback(fn func()) (remove func()) {
	c := &waitCallback{fn}
	q.mu.Lock()
	q.callbacks = append(q.callbacks, c)
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		for i, x := range q.callbacks {
			if x == c {
				q.callbacks = append(q.callbacks[:i:i], q.callbacks[i+1:]...)
				return
			}
		}
	}
}

// add and remove the current task (add_wait_queue / remove_wait_queue).
func (q *WaitQueue) add(t *Thread) {
	q.mu.Lock()
	q.waiters = append(q.waiters, t)
	q.mu.Unlock()
}

func (q *WaitQueue) remove(t *Thread) {
	q.mu.Lock()
	for i, w := range q.waiters {
		if w == t {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			break
		}
	}
	q.mu.Unlock()
}

// WakeUp wakes every task waiting on q (wake_up_all). Tasks re-check
// their condition when they run.
func (q *WaitQueue) WakeUp() {
	q.mu.Lock()
	ws := q.waiters
	q.waiters = nil
	cbs := q.callbacks
	q.mu.Unlock()
	for _, t := range ws {
		WakeUpProcess(t)
	}
	for _, c := range cbs {
		c.fn()
	}
}

// Wait puts the current task to sleep on q until cond() holds (checked
// with the task marked sleeping first, so no wake-up is lost), or until
// timeout has passed (timeout < 0: no limit), or, if interruptible, until
// interrupted() reports a pending signal. Returns true if cond() held.
// Mirrors include/linux/wait.h:___wait_event().
func (q *WaitQueue) Wait(cond func() bool, interruptible bool, interrupted func() bool, timeout time.Duration) bool {
	t := Current()
	state := int32(TaskUninterruptible)
	if interruptible {
		state = TaskInterruptible
	}
	var timer *time.Timer
	expired := false
	if timeout >= 0 {
		timer = time.AfterFunc(timeout, func() {
			q.mu.Lock()
			expired = true
			q.mu.Unlock()
			WakeUpProcess(t)
		})
		defer timer.Stop()
	}
	for {
		q.add(t)
		t.SetState(state)
		q.mu.Lock()
		done := expired
		q.mu.Unlock()
		ok := cond()
		if ok || done || (interruptible && interrupted != nil && interrupted()) {
			t.SetState(TaskRunning)
			q.remove(t)
			return ok
		}
		Schedule()
		q.remove(t)
	}
}

// Completion is a one-shot or counting event (struct completion) that a
// task waits for and another completes.
type Completion struct {
	done int
	q    WaitQueue
	mu   sync.Mutex
}

// InitCompletion resets c (init_completion / reinit_completion).
func InitCompletion(c *Completion) {
	c.mu.Lock()
	c.done = 0
	c.mu.Unlock()
}

// Complete lets one waiter through (complete).
func (c *Completion) Complete() {
	c.mu.Lock()
	c.done++
	c.mu.Unlock()
	c.q.WakeUp()
}

// CompleteAll lets every waiter through, now and later (complete_all).
func (c *Completion) CompleteAll() {
	c.mu.Lock()
	c.done = 1 << 30
	c.mu.Unlock()
	c.q.WakeUp()
}

// tryWait consumes one completion if c has one and reports whether it
// did (try_wait_for_completion()).
func (c *Completion) tryWait() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done > 0 {
		c.done--
		return true
	}
	return false
}

// WaitForCompletion sleeps uninterruptibly until c is completed and
// consumes one completion (wait_for_completion).
func WaitForCompletion(c *Completion) {
	c.q.Wait(c.tryWait, false, nil, -1)
}

// WaitForCompletionKillable is WaitForCompletion that also ends, false,
// when killed() reports a fatal signal (wait_for_completion_killable).
func WaitForCompletionKillable(c *Completion, killed func() bool) bool {
	return c.q.Wait(c.tryWait, true, killed, -1)
}

// SleepTimeout puts the current task to sleep for d
// (schedule_timeout_interruptible), or until interrupted() is true.
// Returns the time left (0 if the whole interval passed).
func SleepTimeout(d time.Duration, interrupted func() bool) time.Duration {
	var q WaitQueue
	deadline := time.Now().Add(d)
	q.Wait(func() bool { return !time.Now().Before(deadline) }, true, interrupted, d)
	if left := time.Until(deadline); left > 0 {
		return left
	}
	return 0
}
