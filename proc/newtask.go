//go:build tamago

package proc

import (
	"tamix/fs"
	"tamix/sched"
)

// InitIdle makes the calling goroutine PID 0, the idle task ("swapper"),
// and the current task. Mirrors init/init_task.c:init_task.
func InitIdle() *Task {
	t := &Task{Comm: "swapper", Flags: PF_KTHREAD, exited: make(chan struct{})}
	t.Sighand = &Sighand{}
	t.Cred = &Cred{} // root
	t.Signal = &SignalStruct{}
	for i := range t.Signal.Rlim {
		t.Signal.Rlim[i] = Rlimit{RLIM_INFINITY, RLIM_INFINITY}
	}
	t.Signal.Rlim[RLIMIT_NPROC] = Rlimit{uint64(MaxThreads / 2), uint64(MaxThreads / 2)}
	t.Signal.Rlim[RLIMIT_STACK] = Rlimit{8 << 20, RLIM_INFINITY}
	t.Signal.Rlim[RLIMIT_NOFILE] = Rlimit{1024, 4096}
	if K.Root != nil {
		t.FS = fs.NewFSStruct(*K.Root) // init_fs
	}
	if err := pids.AllocSpecific(0); err != nil {
		panic("proc: PID 0: " + err.Error())
	}
	t.Thread.Init(t.Comm, t)
	t.Thread.SwitchTo = t.switchMM
	tasklistLock.Lock()
	linkTaskLocked(t)
	tasklistLock.Unlock()
	sched.InitIdle(&t.Thread)
	sched.FinishHook = finishHook
	return t
}

// finishHook frees the kernel stack of a dead task; it runs in the task
// that got the CPU after it (sched.FinishTaskSwitch).
func finishHook(prev *sched.Thread) {
	PutTaskStack(prev.Owner.(*Task), Current().PID)
}
