package sched

import "runtime"

// Task goroutines are kept for reuse. A new goroutine starts with a small
// stack that the kernel-side paths of a task (system call, fault, exit)
// grow by copying two or three times, and creating and ending a
// goroutine has its own cost: about a quarter of a thread's create+join
// under TCG went to the stack growth alone. A task's goroutine that ends
// therefore goes back to a pool, its grown stack with it, and the next
// StartThread hands it a new task. This is Linux's kernel-stack cache
// (kernel/fork.c:alloc_thread_stack_node() keeps freed stacks in
// cached_stacks) applied to what holds a Tamix task's kernel-side
// context: its goroutine.

// maxIdleWorkers bounds the goroutines kept for reuse.
const maxIdleWorkers = 32

// worker is a goroutine that runs tasks one after the other.
type worker struct {
	start chan workerJob // the next task to run
}

type workerJob struct {
	t  *Thread
	fn func()
}

// idleWorkers holds the workers waiting for a task.
var idleWorkers = make(chan *worker, maxIdleWorkers)

// taskExit is what a dead task's goroutine panics with, after its last
// switch, to unwind to its worker (running deferred calls on the way, as
// runtime.Goexit did).
type taskExit struct{}

// StartThread starts t's goroutine, which waits for the CPU, completes
// the switch that brought it there (schedule_tail) and runs fn, which
// does not return while the task lives. The goroutine is an idle
// worker's if one is waiting.
func StartThread(t *Thread, fn func()) {
	select {
	case w := <-idleWorkers:
		w.start <- workerJob{t, fn}
	default:
		w := &worker{start: make(chan workerJob, 1)}
		w.start <- workerJob{t, fn}
		go w.loop()
	}
}

// loop runs the worker's tasks until the pool is full when one ends.
func (w *worker) loop() {
	for {
		job := <-w.start
		w.run(job.t, job.fn)
		select {
		case idleWorkers <- w:
		default:
			return
		}
	}
}

// run is one task's life on the worker: it returns when fn returns or
// the task died (exitThread).
func (w *worker) run(t *Thread, fn func()) {
	defer func() {
		// Only the dead task's own unwinding is stopped here: for
		// any other panic recover is not called, so it goes on with
		// its stack trace intact.
		if t.exiting {
			recover()
		}
	}()
	t.pooled = true
	<-t.baton
	FinishTaskSwitch()
	fn()
}

// exitThread ends the dead task t's kernel-side life on its goroutine,
// which has passed the CPU on: back to its worker if it has one, else
// the goroutine ends. Does not return.
func exitThread(t *Thread) {
	if !t.pooled {
		runtime.Goexit()
	}
	t.exiting = true
	panic(taskExit{})
}
