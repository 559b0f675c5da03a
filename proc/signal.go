package proc

import "tamix/sched"

// Sigaction is one signal's disposition (struct k_sigaction), recorded
// by rt_sigaction. Tamix delivers only fatal default actions; handlers
// are stored and reported back, not run.
type Sigaction struct {
	Handler, Flags, Restorer, Mask uint64
}

// Sighand is the table of signal dispositions (struct sighand_struct),
// shared by CLONE_SIGHAND; Action[sig-1] is signal sig's.
type Sighand struct {
	Action [64]Sigaction
}

// Resource limits (include/uapi/asm-generic/resource.h).
const (
	RLIMIT_STACK  = 3
	RLIMIT_NPROC  = 6
	RLIMIT_NOFILE = 7
	RLIM_NLIMITS  = 16
	RLIM_INFINITY = ^uint64(0)
)

// Rlimit is a soft and hard limit.
type Rlimit struct{ Cur, Max uint64 }

// SignalStruct is the per-process signal state (struct signal_struct),
// shared by CLONE_THREAD: here, the resource limits and the blocked mask.
type SignalStruct struct {
	Rlim    [RLIM_NLIMITS]Rlimit
	Blocked uint64 // rt_sigprocmask's mask, recorded
}

// SIG_IGN is the "ignore" disposition.
const SIG_IGN = 1

// SendFatalSignal marks sig, a signal whose default action terminates,
// for t and wakes it if it sleeps interruptibly; t exits on its way back
// to user mode. Mirrors the fatal path of kernel/signal.c:send_signal()
// with complete_signal().
func SendFatalSignal(t *Task, sig int) {
	tasklistLock.Lock()
	if t.pendingSignal == 0 || sig == SIGKILL {
		t.pendingSignal = sig
	}
	tasklistLock.Unlock()
	sched.TryToWakeUp(&t.Thread, sched.TaskInterruptible)
}

// SignalPending reports whether the current task has a fatal signal
// pending (fatal_signal_pending).
func SignalPending() bool {
	t := Current()
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	return t.pendingSignal != 0
}

// SleepUntilSignal sleeps interruptibly until a signal arrives (pause).
func SleepUntilSignal() {
	var q sched.WaitQueue
	q.Wait(func() bool { return false }, true, SignalPending, -1)
}
