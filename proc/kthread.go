//go:build tamago

package proc

import (
	"sync"

	"tamix/abi"
	"tamix/sched"
	"tamix/trace"
)

// KernelThread starts a kernel thread running fn, a child of the current
// task sharing nothing it must not: no user memory (PF_KTHREAD, it borrows
// the address space loaded when it runs). Returns its PID. Mirrors
// kernel/fork.c:kernel_thread(), which is kernel_clone with CLONE_VM and
// CLONE_UNTRACED.
func KernelThread(fn func() int, name string, flags uint64) (int, error) {
	return DoFork(&CloneArgs{Flags: flags | CLONE_VM | CLONE_UNTRACED, kfn: fn, kernelName: name})
}

// kthreadCreateInfo is one request on kthreadCreateList (struct
// kthread_create_info).
type kthreadCreateInfo struct {
	fn   func(data any) int
	data any
	name string
	task *Task
	err  error
	done sched.Completion
}

var (
	kthreadLock       sync.Mutex // protects kthreadCreateList and kthreadInfo.shouldStop
	kthreadCreateList []*kthreadCreateInfo
	kthreaddTask      *Task
	kthreaddWait      sched.WaitQueue
)

// Kthreadd is the body of PID 2: it creates the kernel threads others ask
// for, so that every kthread is its child and starts from a clean
// context. Does not return. Mirrors kernel/kthread.c:kthreadd().
func Kthreadd() int {
	me := Current()
	kthreadLock.Lock()
	kthreaddTask = me
	kthreadLock.Unlock()
	me.Sighand.Action[SIGCHLD-1].Handler = abi.SIG_IGN // children are reaped automatically
	for {
		kthreaddWait.Wait(func() bool {
			kthreadLock.Lock()
			defer kthreadLock.Unlock()
			return len(kthreadCreateList) > 0
		}, true, nil, -1)
		for {
			kthreadLock.Lock()
			if len(kthreadCreateList) == 0 {
				kthreadLock.Unlock()
				break
			}
			create := kthreadCreateList[0]
			kthreadCreateList = kthreadCreateList[1:]
			kthreadLock.Unlock()
			createKthread(create)
		}
	}
}

// createKthread forks the new thread; it reports back through
// create.done. Mirrors kernel/kthread.c:create_kthread().
func createKthread(create *kthreadCreateInfo) {
	pid, err := KernelThread(func() int { return kthread(create) }, create.name, CLONE_FS|CLONE_FILES|SIGCHLD)
	if err == nil && trace.On(trace.KthreadCreate) {
		traceKthreadCreate(pid, create.name)
	}
	if err != nil {
		create.err = err
		create.done.Complete()
	}
}

// kthread is the start of every kthread: it tells its creator it exists,
// then sleeps until someone wakes it (KthreadRun, WakeUpProcess) or stops
// it, and runs the thread function unless it was stopped first.
// Mirrors kernel/kthread.c:kthread().
func kthread(create *kthreadCreateInfo) int {
	me := Current()
	k := &kthreadInfo{}
	me.kthread = k
	create.task = me
	me.SetState(sched.TaskUninterruptible)
	create.done.Complete()
	sched.Schedule() // stopped until woken, as in Linux
	ret := int(abi.EINTR.Neg())
	if !KthreadShouldStop() {
		ret = create.fn(create.data)
	}
	k.result = ret
	k.exited.CompleteAll()
	return ret
}

// KthreadCreate asks kthreadd for a new kernel thread that will run
// fn(data) once woken, and waits for it to exist. Mirrors
// kernel/kthread.c:kthread_create().
func KthreadCreate(fn func(data any) int, data any, name string) (*Task, error) {
	create := &kthreadCreateInfo{fn: fn, data: data, name: name}
	kthreadLock.Lock()
	kthreadCreateList = append(kthreadCreateList, create)
	kd := kthreaddTask
	kthreadLock.Unlock()
	if kd == nil {
		return nil, abi.EAGAIN
	}
	kthreaddWait.WakeUp()
	sched.WaitForCompletion(&create.done)
	return create.task, create.err
}

// KthreadRun is KthreadCreate followed by WakeUpProcess (kthread_run).
func KthreadRun(fn func(data any) int, data any, name string) (*Task, error) {
	t, err := KthreadCreate(fn, data, name)
	if err == nil {
		sched.WakeUpProcess(&t.Thread)
	}
	return t, err
}

// KthreadShouldStop reports whether KthreadStop was called for the
// current kernel thread (kthread_should_stop).
func KthreadShouldStop() bool {
	k := Current().kthread
	kthreadLock.Lock()
	defer kthreadLock.Unlock()
	return k != nil && k.shouldStop
}

// KthreadStop tells t to stop, wakes it, waits until it has exited and
// returns its function's result (-EINTR if it never ran). Mirrors
// kernel/kthread.c:kthread_stop().
func KthreadStop(t *Task) int {
	k := t.kthread
	kthreadLock.Lock()
	k.shouldStop = true
	kthreadLock.Unlock()
	sched.WakeUpProcess(&t.Thread)
	sched.WaitForCompletion(&k.exited)
	return k.result
}

// KthreaddReady reports whether kthreadd is running.
func KthreaddReady() bool {
	kthreadLock.Lock()
	defer kthreadLock.Unlock()
	return kthreaddTask != nil
}
