// Package syscall is Tamix's Linux x86-64 system-call table: the numbers,
// and thin handlers that decode pt_regs and call into proc, mm and sched.
// Mirrors arch/x86/entry/syscalls/syscall_64.tbl and the SYSCALL_DEFINEs
// of the Linux subsystems.
package syscall

// System-call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
const (
	SysRead             = 0
	SysWrite            = 1
	SysOpen             = 2
	SysClose            = 3
	SysStat             = 4
	SysFstat            = 5
	SysLstat            = 6
	SysPoll             = 7
	SysLseek            = 8
	SysMmap             = 9
	SysMprotect         = 10
	SysMunmap           = 11
	SysBrk              = 12
	SysRtSigaction      = 13
	SysRtSigprocmask    = 14
	SysRtSigreturn      = 15
	SysIoctl            = 16
	SysPread64          = 17
	SysPwrite64         = 18
	SysReadv            = 19
	SysWritev           = 20
	SysAccess           = 21
	SysPipe             = 22
	SysSelect           = 23
	SysSchedYield       = 24
	SysMremap           = 25
	SysMadvise          = 28
	SysDup              = 32
	SysDup2             = 33
	SysPause            = 34
	SysNanosleep        = 35
	SysGetitimer        = 36
	SysAlarm            = 37
	SysSetitimer        = 38
	SysGetpid           = 39
	SysSendfile         = 40
	SysClone            = 56
	SysFork             = 57
	SysVfork            = 58
	SysExecve           = 59
	SysExit             = 60
	SysWait4            = 61
	SysKill             = 62
	SysUname            = 63
	SysFcntl            = 72
	SysGetcwd           = 79
	SysGettimeofday     = 96
	SysGetrlimit        = 97
	SysGetuid           = 102
	SysSetuid           = 105
	SysSetgid           = 106
	SysSetreuid         = 113
	SysSetregid         = 114
	SysGetgroups        = 115
	SysSetgroups        = 116
	SysSetresuid        = 117
	SysGetresuid        = 118
	SysSetresgid        = 119
	SysGetresgid        = 120
	SysSetfsuid         = 122
	SysSetfsgid         = 123
	SysGetgid           = 104
	SysSetrlimit        = 160
	SysGeteuid          = 107
	SysGetegid          = 108
	SysSetpgid          = 109
	SysGetppid          = 110
	SysGetpgrp          = 111
	SysSetsid           = 112
	SysGetpgid          = 121
	SysGetsid           = 124
	SysRtSigpending     = 127
	SysRtSigtimedwait   = 128
	SysRtSigqueueinfo   = 129
	SysRtSigsuspend     = 130
	SysSigaltstack      = 131
	SysGetpriority      = 140
	SysSetpriority      = 141
	SysPrctl            = 157
	SysArchPrctl        = 158
	SysGettid           = 186
	SysTime             = 201
	SysTkill            = 200
	SysFutex            = 202
	SysSchedSetaffin    = 203
	SysSchedGetaffin    = 204
	SysSetTidAddress    = 218
	SysRestartSyscall   = 219
	SysClockGettime     = 228
	SysClockGetres      = 229
	SysClockNanosleep   = 230
	SysExitGroup        = 231
	SysTgkill           = 234
	SysOpenat           = 257
	SysNewfstatat       = 262
	SysWaitid           = 247
	SysGetRobustList    = 274
	SysSetRobustList    = 273
	SysRtTgsigqueueinfo = 297
	SysEpollCreate      = 213
	SysEpollWait        = 232
	SysEpollCtl         = 233
	SysEpollPwait       = 281
	SysEventfd          = 284
	SysEventfd2         = 290
	SysEpollCreate1     = 291
	SysEpollPwait2      = 441
	SysDup3             = 292
	SysPipe2            = 293
	SysPrlimit64        = 302
	SysGetrandom        = 318
	SysRseq             = 334
	NrSyscalls          = 512
)

// names of the numbers above, for the log.
var names = map[int]string{
	SysRead: "read", SysWrite: "write", SysOpen: "open", SysClose: "close",
	SysStat: "stat", SysFstat: "fstat", SysLstat: "lstat", SysPoll: "poll",
	SysLseek: "lseek", SysMmap: "mmap", SysMprotect: "mprotect", SysMunmap: "munmap",
	SysBrk: "brk", SysRtSigaction: "rt_sigaction", SysRtSigprocmask: "rt_sigprocmask",
	SysRtSigreturn: "rt_sigreturn", SysIoctl: "ioctl", SysPread64: "pread64",
	SysPwrite64: "pwrite64", SysReadv: "readv", SysWritev: "writev", SysAccess: "access",
	SysPipe: "pipe", SysSelect: "select", SysSchedYield: "sched_yield", SysMremap: "mremap",
	SysMadvise: "madvise", SysDup: "dup", SysDup2: "dup2", SysPause: "pause",
	SysNanosleep: "nanosleep", SysGetpid: "getpid", SysClone: "clone", SysFork: "fork",
	SysVfork: "vfork", SysExecve: "execve", SysExit: "exit", SysWait4: "wait4",
	SysKill: "kill", SysUname: "uname", SysFcntl: "fcntl", SysGetcwd: "getcwd",
	SysGettimeofday: "gettimeofday", SysGetrlimit: "getrlimit", SysGetuid: "getuid",
	SysGetgid: "getgid", SysSetrlimit: "setrlimit", SysGeteuid: "geteuid", SysGetegid: "getegid",
	SysSetpgid: "setpgid", SysGetppid: "getppid", SysGetpgrp: "getpgrp", SysSetsid: "setsid",
	SysGetpriority: "getpriority", SysSetpriority: "setpriority", SysArchPrctl: "arch_prctl",
	SysGettid: "gettid", SysTkill: "tkill", SysFutex: "futex",
	SysSchedSetaffin: "sched_setaffinity", SysSchedGetaffin: "sched_getaffinity",
	SysSetTidAddress: "set_tid_address", SysClockGettime: "clock_gettime",
	SysClockGetres: "clock_getres", SysClockNanosleep: "clock_nanosleep",
	SysExitGroup: "exit_group", SysTgkill: "tgkill", SysOpenat: "openat",
	SysNewfstatat: "newfstatat", SysWaitid: "waitid", SysSetRobustList: "set_robust_list",
	SysDup3: "dup3", SysPipe2: "pipe2", SysPrlimit64: "prlimit64", SysGetrandom: "getrandom",
	SysRseq: "rseq", SysGetitimer: "getitimer", SysAlarm: "alarm", SysSetitimer: "setitimer",
	SysGetpgid: "getpgid", SysGetsid: "getsid", SysRtSigpending: "rt_sigpending",
	SysRtSigtimedwait: "rt_sigtimedwait", SysRtSigqueueinfo: "rt_sigqueueinfo",
	SysRtSigsuspend: "rt_sigsuspend", SysSigaltstack: "sigaltstack",
	SysRestartSyscall: "restart_syscall", SysRtTgsigqueueinfo: "rt_tgsigqueueinfo",
	SysPrctl: "prctl", SysSetuid: "setuid", SysSetgid: "setgid", SysSetreuid: "setreuid",
	SysSetregid: "setregid", SysGetgroups: "getgroups", SysSetgroups: "setgroups",
	SysSetresuid: "setresuid", SysGetresuid: "getresuid", SysSetresgid: "setresgid",
	SysGetresgid: "getresgid", SysSetfsuid: "setfsuid", SysSetfsgid: "setfsgid", SysSendfile: "sendfile", SysTime: "time", SysEpollCreate: "epoll_create", SysEpollWait: "epoll_wait",
	SysEpollCtl: "epoll_ctl", SysEpollPwait: "epoll_pwait", SysEventfd: "eventfd",
	SysEventfd2: "eventfd2", SysEpollCreate1: "epoll_create1", SysEpollPwait2: "epoll_pwait2", SysGetRobustList: "get_robust_list",
}

// Name returns the system call's name, or "syscall_N".
func Name(nr int) string {
	if n, ok := names[nr]; ok {
		return n
	}
	return "syscall_" + itoa(nr)
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
