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

// si_code values of siginfo_t (include/uapi/asm-generic/siginfo.h) for the
// signals the trap handlers raise.
const (
	SI_USER   = 0    // sent by kill(2)
	SI_KERNEL = 0x80 // sent by the kernel without a more precise reason

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
