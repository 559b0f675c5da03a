package abi

// Signal numbers of Linux x86-64 (arch/x86/include/uapi/asm/signal.h).
const (
	SIGHUP    = 1
	SIGINT    = 2
	SIGQUIT   = 3
	SIGILL    = 4
	SIGTRAP   = 5
	SIGABRT   = 6
	SIGIOT    = 6
	SIGBUS    = 7
	SIGFPE    = 8
	SIGKILL   = 9
	SIGUSR1   = 10
	SIGSEGV   = 11
	SIGUSR2   = 12
	SIGPIPE   = 13
	SIGALRM   = 14
	SIGTERM   = 15
	SIGSTKFLT = 16
	SIGCHLD   = 17
	SIGCONT   = 18
	SIGSTOP   = 19
	SIGTSTP   = 20
	SIGTTIN   = 21
	SIGTTOU   = 22
	SIGURG    = 23
	SIGXCPU   = 24
	SIGXFSZ   = 25
	SIGVTALRM = 26
	SIGPROF   = 27
	SIGWINCH  = 28
	SIGIO     = 29
	SIGPOLL   = SIGIO
	SIGPWR    = 30
	SIGSYS    = 31

	// SIGRTMIN is the first real-time signal number the kernel knows;
	// signals 1 to SIGRTMIN-1 are the classic ones named above.
	SIGRTMIN = 32
)

// SIGRTMAX is the highest signal number (_NSIG); signals SIGRTMIN to
// SIGRTMAX are real-time signals, which queue instead of coalescing.
const SIGRTMAX = 64

// si_code values of siginfo_t (include/uapi/asm-generic/siginfo.h).
// Negative codes mean "sent from user space"; user space may forge only
// those (rt_sigqueueinfo).
const (
	SI_USER    = 0    // sent by kill(2)
	SI_KERNEL  = 0x80 // sent by the kernel without a more precise reason
	SI_QUEUE   = -1   // sigqueue(3)
	SI_TIMER   = -2   // POSIX timer expiry
	SI_MESGQ   = -3   // message queue state change
	SI_ASYNCIO = -4   // AIO completion
	SI_SIGIO   = -5   // queued SIGIO
	SI_TKILL   = -6   // tkill(2) or tgkill(2)

	// SIGCHLD's codes.
	CLD_EXITED    = 1 // child has exited
	CLD_KILLED    = 2 // child was killed
	CLD_DUMPED    = 3 // child terminated abnormally (core)
	CLD_TRAPPED   = 4 // traced child has trapped
	CLD_STOPPED   = 5 // child has stopped
	CLD_CONTINUED = 6 // stopped child has continued

	ILL_ILLOPC = 1 // illegal opcode
	ILL_ILLOPN = 2 // illegal operand (Linux's code for ud2, #UD)
	ILL_PRVOPC = 5 // privileged opcode

	FPE_INTDIV = 1 // integer divide by zero (#DE)
	FPE_INTOVF = 2 // integer overflow

	SEGV_MAPERR = 1 // address not mapped to an object
	SEGV_ACCERR = 2 // invalid permissions for a mapped object

	BUS_ADRALN = 1 // invalid address alignment
	BUS_ADRERR = 2 // nonexistent physical address

	TRAP_BRKPT = 1 // process breakpoint
	TRAP_TRACE = 2 // process trace trap
)

// sigaction flags (arch/x86/include/uapi/asm/signal.h).
const (
	SA_NOCLDSTOP      = 0x00000001 // no SIGCHLD when children stop or continue
	SA_NOCLDWAIT      = 0x00000002 // children are reaped automatically
	SA_SIGINFO        = 0x00000004 // three-argument handler with siginfo_t
	SA_UNSUPPORTED    = 0x00000400 // never supported: lets programs probe flag support
	SA_EXPOSE_TAGBITS = 0x00000800
	SA_RESTORER       = 0x04000000 // sa_restorer is the return trampoline (required on x86-64)
	SA_ONSTACK        = 0x08000000 // run on the sigaltstack
	SA_RESTART        = 0x10000000 // restart interrupted system calls
	SA_NODEFER        = 0x40000000 // do not block the signal in its own handler
	SA_RESETHAND      = 0x80000000 // one-shot: back to SIG_DFL on delivery
)

// Handler values and sigprocmask's "how" (include/uapi/asm-generic/signal-defs.h).
const (
	SIG_DFL = 0
	SIG_IGN = 1

	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2
)

// sigaltstack (include/uapi/linux/signal.h, asm/signal.h).
const (
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = 1 << 31
	MINSIGSTKSZ   = 2048
)

var signalName = [...]string{
	SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
	SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
	SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV",
	SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM",
	SIGTERM: "SIGTERM", SIGSTKFLT: "SIGSTKFLT", SIGCHLD: "SIGCHLD",
	SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP",
	SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGURG: "SIGURG",
	SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGVTALRM: "SIGVTALRM",
	SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH", SIGIO: "SIGIO",
	SIGPWR: "SIGPWR", SIGSYS: "SIGSYS",
}

// SignalName returns the name of signal sig ("SIGSEGV"), or "" for a number
// outside 1 to 31.
func SignalName(sig int) string {
	if sig <= 0 || sig >= len(signalName) {
		return ""
	}
	return signalName[sig]
}
