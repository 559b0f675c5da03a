package proc

// Sigaction is one signal's disposition (struct k_sigaction), recorded
// by rt_sigaction. Tamix delivers only fatal default actions; handlers
// are stored and reported back, not run.
type Sigaction struct {
	Handler, Flags, Restorer, Mask uint64
}

// Sighand is the table of signal dispositions (struct sighand_struct),
// shared by CLONE_SIGHAND.
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
