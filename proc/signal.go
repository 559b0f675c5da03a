package proc

import (
	"encoding/binary"
	"sync"

	"tamix/abi"
	"tamix/sched"
)

// This file is the data of signals (include/linux/signal_types.h,
// include/linux/sched/signal.h) and the pure rules about them; sending is
// in signal_send.go, delivery in signal_deliver.go, the user-stack frame
// in sigframe.go.

// Sigset is a set of signals, bit sig-1 for signal sig (sigset_t; on
// x86-64 Linux's kernel sigset is one 64-bit word, as here).
type Sigset uint64

// SigMask returns the set holding only sig (sigmask()).
func SigMask(sig int) Sigset { return 1 << uint(sig-1) }

// Has reports whether sig is in the set.
func (s Sigset) Has(sig int) bool { return s&SigMask(sig) != 0 }

// Sets of signals with one rule in common (include/linux/signal.h).
const (
	// sigKernelOnly: cannot be caught, blocked or ignored.
	sigKernelOnly = Sigset(1<<(SIGKILL-1) | 1<<(abi.SIGSTOP-1))
	// sigKernelStop: default action stops the process.
	sigKernelStop = Sigset(1<<(abi.SIGSTOP-1) | 1<<(abi.SIGTSTP-1) | 1<<(abi.SIGTTIN-1) | 1<<(abi.SIGTTOU-1))
	// sigKernelIgnore: default action does nothing.
	sigKernelIgnore = Sigset(1<<(abi.SIGCONT-1) | 1<<(SIGCHLD-1) | 1<<(abi.SIGWINCH-1) | 1<<(abi.SIGURG-1))
	// sigKernelCoredump: default action dumps core (Tamix: terminates).
	sigKernelCoredump = Sigset(1<<(abi.SIGQUIT-1) | 1<<(abi.SIGILL-1) | 1<<(abi.SIGTRAP-1) |
		1<<(abi.SIGABRT-1) | 1<<(abi.SIGFPE-1) | 1<<(SIGSEGV-1) | 1<<(abi.SIGBUS-1) |
		1<<(abi.SIGSYS-1) | 1<<(abi.SIGXCPU-1) | 1<<(abi.SIGXFSZ-1))
	// synchronousMask: raised by the instruction stream; dequeued first
	// so that a fault's signal is handled before anything that arrived
	// meanwhile (kernel/signal.c:SYNCHRONOUS_MASK).
	synchronousMask = Sigset(1<<(SIGSEGV-1) | 1<<(abi.SIGBUS-1) | 1<<(abi.SIGILL-1) |
		1<<(abi.SIGTRAP-1) | 1<<(abi.SIGFPE-1) | 1<<(abi.SIGSYS-1))
	// standardSignals: 1 to 31, which coalesce; the others queue.
	standardSignals = Sigset(1<<(abi.SIGRTMIN-1) - 1)
)

// ValidSignal reports whether sig is a signal number (valid_signal; 0 is
// not a signal, only kill's existence check).
func ValidSignal(sig int) bool { return sig >= 1 && sig <= abi.SIGRTMAX }

// Sigaction is one signal's disposition (struct k_sigaction; the user
// layout of struct sigaction on x86-64 is these four words in this
// order). Protected by the owning Sighand's Siglock.
type Sigaction struct {
	Handler, Flags, Restorer uint64
	Mask                     Sigset
}

// Sighand is the table of signal dispositions (struct sighand_struct),
// shared by CLONE_SIGHAND and so by every thread of a process.
//
// Siglock is Linux's sighand->siglock and guards more than Action: the
// pending sets and blocked masks of every task that uses this Sighand,
// and the job-control and group-exit fields of their SignalStruct. It is
// taken after tasklistLock, never before. Holders do not sleep.
type Sighand struct {
	Siglock sync.Mutex
	Action  [abi.SIGRTMAX]Sigaction
}

// Resource limits (include/uapi/asm-generic/resource.h).
const (
	RLIMIT_STACK      = 3
	RLIMIT_NPROC      = 6
	RLIMIT_NOFILE     = 7
	RLIMIT_SIGPENDING = 11
	RLIM_NLIMITS      = 16
	RLIM_INFINITY     = ^uint64(0)
)

// Rlimit is a soft and hard limit.
type Rlimit struct{ Cur, Max uint64 }

// Signal-struct flags (include/linux/sched/signal.h).
const (
	SIGNAL_STOP_STOPPED   = 0x00000001 // the group is stopped
	SIGNAL_STOP_CONTINUED = 0x00000002 // SIGCONT since the last wait report
	SIGNAL_GROUP_EXIT     = 0x00000004 // exit_group or a fatal signal is under way
	SIGNAL_CLD_STOPPED    = 0x00000010 // the parent is yet to be told: stopped
	SIGNAL_CLD_CONTINUED  = 0x00000020 // ... continued
	SIGNAL_UNKILLABLE     = 0x00000040 // init: default-action signals from others are ignored
)

// SignalStruct is the per-process signal state (struct signal_struct),
// shared by the threads of a group (CLONE_THREAD).
type SignalStruct struct {
	// Rlim holds the resource limits; written by the process itself
	// (or prlimit) without a lock, as Linux does under task_lock.
	Rlim [RLIM_NLIMITS]Rlimit

	// The fields below are protected by the group's Sighand.Siglock.
	SharedPending SigPending // signals sent to the process as a whole
	Flags         int        // SIGNAL_*
	// GroupExitCode is the wait status of a group exit, or the stop
	// signal of a group stop (for wait's WUNTRACED report).
	GroupExitCode int
	// GroupStopCount counts the threads yet to stop for a group stop.
	GroupStopCount int
	// stopReported: wait has reported the current stop (Linux clears
	// exit_code for that).
	stopReported bool

	// Pgrp and Session are the process group and session IDs
	// (signal->pids[PIDTYPE_PGID/SID]); protected by tasklistLock.
	Pgrp, Session int
	// Leader is true for a session leader; protected by tasklistLock.
	Leader bool

	// ItReal is the ITIMER_REAL timer (alarm, setitimer); see itimer.go.
	// ItVirt and ItProf are the CPU-time timers (itimer_cpu.go),
	// protected by Siglock.
	ItReal         ITimer
	ItVirt, ItProf CPUTimer

	// ChildWait is where the process's threads sleep in wait4 and
	// waitid (wait_chldexit): children wake it when they stop, continue
	// or exit. It has its own lock.
	ChildWait sched.WaitQueue
	// groupExec is the thread that is exec'ing and waits in deThread for
	// the others to die (group_exec_task); execWait is where it waits.
	// groupExec is protected by Siglock.
	groupExec *Task
	execWait  sched.WaitQueue
}

// SigPending is a set of pending signals with their queued siginfo
// (struct sigpending): Signal has a bit per pending signal, List one
// entry per queued instance (one at most for a standard signal).
type SigPending struct {
	Signal Sigset
	List   []*Siginfo
}

// Siginfo is siginfo_t exactly as user space receives it: 128 bytes,
// si_signo, si_errno and si_code as three ints, then a union whose
// layout depends on the signal and code (siginfoLayout). Linux keeps a
// smaller kernel_siginfo and copies it out; Tamix keeps the user form so
// that what rt_sigqueueinfo gives is delivered byte for byte.
type Siginfo [128]byte

// Offsets in the union part (include/uapi/asm-generic/siginfo.h, x86-64).
const (
	siPid    = 16 // _kill, _rt, _sigchld: si_pid
	siUID    = 20 // ... si_uid
	siValue  = 24 // _rt, _timer: si_value
	siStatus = 24 // _sigchld: si_status
	siUtime  = 32 // _sigchld: si_utime
	siStime  = 40 // _sigchld: si_stime
	siAddr   = 16 // _sigfault: si_addr
)

func (si *Siginfo) put32(off int, v int32)  { binary.LittleEndian.PutUint32(si[off:], uint32(v)) }
func (si *Siginfo) put64(off int, v uint64) { binary.LittleEndian.PutUint64(si[off:], v) }
func (si *Siginfo) get32(off int) int32     { return int32(binary.LittleEndian.Uint32(si[off:])) }
func (si *Siginfo) get64(off int) uint64    { return binary.LittleEndian.Uint64(si[off:]) }

// Signo, Code and Pid read the common fields.
func (si *Siginfo) Signo() int { return int(si.get32(0)) }
func (si *Siginfo) Code() int  { return int(si.get32(8)) }
func (si *Siginfo) Pid() int   { return int(si.get32(siPid)) }

// SetSigno changes si_signo (rt_sigqueueinfo forces it to the signal).
func (si *Siginfo) SetSigno(sig int) { si.put32(0, int32(sig)) }

// NewKillInfo is the siginfo of a signal sent by a process (kill, tkill,
// raise): si_pid and si_uid of the sender, code SI_USER or SI_TKILL.
func NewKillInfo(sig, code, pid int) *Siginfo {
	si := &Siginfo{}
	si.put32(0, int32(sig))
	si.put32(8, int32(code))
	si.put32(siPid, int32(pid))
	return si // si_uid 0: everything runs as root
}

// NewKernelInfo is the siginfo of a signal the kernel sends for no
// particular process (SEND_SIG_PRIV: SI_KERNEL), e.g. SIGALRM, SIGKILL
// of a group exit.
func NewKernelInfo(sig int) *Siginfo { return NewKillInfo(sig, abi.SI_KERNEL, 0) }

// NewFaultInfo is the siginfo of a fault (force_sig_fault): the code
// (SEGV_MAPERR, ILL_ILLOPN, ...) and the faulting address.
func NewFaultInfo(sig, code int, addr uint64) *Siginfo {
	si := &Siginfo{}
	si.put32(0, int32(sig))
	si.put32(8, int32(code))
	si.put64(siAddr, addr)
	return si
}

// NewChildInfo is SIGCHLD's siginfo (do_notify_parent): the child's PID,
// a CLD_* code, the exit code or signal, and its CPU times in clock
// ticks (USER_HZ, 100 per second).
func NewChildInfo(sig, code, pid, status int, utimeNs, stimeNs int64) *Siginfo {
	si := NewKillInfo(sig, code, pid)
	si.put32(siStatus, int32(status))
	si.put64(siUtime, uint64(utimeNs/1e7))
	si.put64(siStime, uint64(stimeNs/1e7))
	return si
}

// defaultTerminates reports whether sig's default action ends the process
// (Term or Core in signal(7)); the others stop it or are ignored.
func defaultTerminates(sig int) bool {
	m := SigMask(sig)
	return m&(sigKernelStop|sigKernelIgnore) == 0
}

// addPending queues info for sig in p: a standard signal that is already
// pending is not queued again (it coalesces); a real-time one is, each
// instance with its siginfo. info may be nil (queue full): the bit is
// still set. Reports whether anything was added. Caller holds Siglock.
// Mirrors the queueing half of kernel/signal.c:__send_signal_locked().
func (p *SigPending) addPending(sig int, info *Siginfo) bool {
	if sig < abi.SIGRTMIN && p.Signal.Has(sig) {
		return false // legacy_queue(): one instance only
	}
	p.Signal |= SigMask(sig)
	if info != nil {
		p.List = append(p.List, info)
	}
	return true
}

// nextSignal picks the signal to deliver from p among those not in
// blocked: a synchronous (fault) signal first, then the lowest number.
// 0 if none. Mirrors kernel/signal.c:next_signal().
func (p *SigPending) nextSignal(blocked Sigset) int {
	ready := p.Signal &^ blocked
	if ready == 0 {
		return 0
	}
	if s := ready & synchronousMask; s != 0 {
		ready = s
	}
	for sig := 1; sig <= abi.SIGRTMAX; sig++ {
		if ready.Has(sig) {
			return sig
		}
	}
	return 0
}

// dequeue removes one instance of sig from p and returns its siginfo
// (a zeroed one with just si_signo if none was queued: the queue was
// full when it was sent). The bit stays set while instances remain.
// Mirrors kernel/signal.c:collect_signal().
func (p *SigPending) dequeue(sig int) *Siginfo {
	var info *Siginfo
	for i, q := range p.List {
		if q.Signo() == sig {
			info = q
			p.List = append(p.List[:i:i], p.List[i+1:]...)
			break
		}
	}
	more := false
	for _, q := range p.List {
		more = more || q.Signo() == sig
	}
	if !more {
		p.Signal &^= SigMask(sig)
	}
	if info == nil {
		info = &Siginfo{}
		info.SetSigno(sig)
	}
	return info
}

// flush removes the signals of set from p, with their queued siginfo,
// and returns how many queue entries went (flush_sigqueue_mask).
func (p *SigPending) flush(set Sigset) int {
	if p.Signal&set == 0 {
		return 0
	}
	p.Signal &^= set
	kept := p.List[:0]
	n := 0
	for _, q := range p.List {
		if set.Has(q.Signo()) {
			n++
			continue
		}
		kept = append(kept, q)
	}
	for i := len(kept); i < len(p.List); i++ {
		p.List[i] = nil
	}
	p.List = kept
	return n
}

// SigaltStack is a thread's alternate signal stack (sas_ss_sp,
// sas_ss_size, sas_ss_flags in task_struct): written by the thread
// itself only. Flags are as sigaltstack(2) last set them (SS_AUTODISARM,
// SS_ONSTACK or 0); the zero value is "disabled".
type SigaltStack struct {
	SP, Size uint64
	Flags    uint32
}

// SavedFlags is sas_ss_flags as a signal frame's uc_stack holds it.
func (s *SigaltStack) SavedFlags() uint32 {
	if s.Size == 0 {
		return abi.SS_DISABLE
	}
	return s.Flags
}

// OnStack reports whether sp is on the alternate stack (on_sig_stack):
// an autodisarm stack is never "on", since it is disabled while in use.
func (s *SigaltStack) OnStack(sp uint64) bool {
	if s.Flags&abi.SS_AUTODISARM != 0 {
		return false
	}
	return sp > s.SP && sp-s.SP <= s.Size
}

// StackFlags is ss_flags as sigaltstack(2) and uc_stack report it
// (sas_ss_flags): SS_DISABLE with no stack, SS_ONSTACK while on it.
func (s *SigaltStack) StackFlags(sp uint64) uint32 {
	switch {
	case s.Size == 0:
		return abi.SS_DISABLE
	case s.OnStack(sp):
		return abi.SS_ONSTACK
	}
	return 0
}

// Set changes the alternate stack as sigaltstack(2) asks, with Linux's
// checks: EPERM while running on it, EINVAL for unknown flags, ENOMEM
// for a stack smaller than MINSIGSTKSZ. Mirrors
// kernel/signal.c:do_sigaltstack().
func (s *SigaltStack) Set(sp, size uint64, flags uint32, curSP uint64) error {
	if s.OnStack(curSP) {
		return abi.EPERM
	}
	mode := flags &^ abi.SS_AUTODISARM
	if mode != abi.SS_DISABLE && mode != abi.SS_ONSTACK && mode != 0 {
		return abi.EINVAL
	}
	if mode == abi.SS_DISABLE {
		*s = SigaltStack{}
		return nil
	}
	if size < abi.MINSIGSTKSZ {
		return abi.ENOMEM
	}
	*s = SigaltStack{SP: sp, Size: size, Flags: flags}
	return nil
}
