//go:build tamago

package syscall

import (
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/lib/ratelimit"
	"tamix/proc"
)

// handler implements one system call: it reads its arguments from the
// task's pt_regs and returns the value for RAX (a negative errno on
// failure).
type handler func(t *proc.Task, r *amd64.PtRegs) int64

// table is sys_call_table: handlers by number.
var table [NrSyscalls]handler

func register(nr int, h handler) { table[nr] = h }

// Dispatch runs the system call saved in t's pt_regs and stores the
// result in RAX. Linux's x86-64 convention: number in orig_ax, arguments
// in rdi, rsi, rdx, r10, r8, r9. An unknown number gets -ENOSYS, and the
// kernel log says so, once per number. Mirrors
// arch/x86/entry/common.c:do_syscall_64().
func Dispatch(t *proc.Task) {
	r := t.Regs
	nr := int(r.OrigAX)
	var h handler
	if nr >= 0 && nr < NrSyscalls {
		h = table[nr]
	}
	if h == nil {
		slot := NrSyscalls // one flag for every number beyond the table
		if nr >= 0 && nr < NrSyscalls {
			slot = nr
		}
		if !warned[slot] {
			warned[slot] = true
			if Log != nil { // once per number: bounded, so not rate-limited
				Log("pid %d (%s): system call %d (%s) is not implemented: -ENOSYS", t.PID, t.Comm, nr, Name(nr))
			}
		}
		r.AX = uint64(abi.ENOSYS.Neg())
		return
	}
	r.AX = uint64(h(t, r))
}

// warned remembers which unimplemented numbers were logged; the last
// slot stands for all numbers beyond the table.
var warned [NrSyscalls + 1]bool

// Log is where the system-call layer reports; the kernel sets it.
var Log func(format string, args ...any)

func logf(format string, args ...any) {
	if Log == nil {
		return
	}
	ok, suppressed := logLimit.Allow(time.Now())
	if suppressed > 0 {
		Log("syscall: %d callbacks suppressed", suppressed)
	}
	if ok {
		Log(format, args...)
	}
}

// logLimit rate-limits the lines user space can cause: printk_ratelimited.
var logLimit = ratelimit.Default()

// errno turns a Go error from proc or mm into the negative errno RAX
// returns.
func errno(err error) int64 {
	if err == nil {
		return 0
	}
	if e, ok := err.(abi.Errno); ok {
		return e.Neg()
	}
	if e, ok := err.(interface{ Errno() int }); ok {
		return -int64(e.Errno())
	}
	return abi.EINVAL.Neg()
}

func init() {
	proc.SyscallHook = Dispatch
}
