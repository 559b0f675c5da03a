//go:build tamago

package proc

import (
	"tamix/abi"
	"tamix/trace"
)

// wait4 and waitid options (include/uapi/linux/wait.h).
const (
	WNOHANG    = 0x00000001
	WUNTRACED  = 0x00000002 // wait4: report stopped children (WSTOPPED)
	WSTOPPED   = WUNTRACED
	WEXITED    = 0x00000004
	WCONTINUED = 0x00000008
	WNOWAIT    = 0x01000000
	WNOTHREAD  = 0x20000000 // __WNOTHREAD: only the caller's own children
	WALL       = 0x40000000 // __WALL: clone children too
	WCLONE     = 0x80000000 // __WCLONE: only clone children
)

// WaitResult is what a wait reports of one child: its PID, the wait4
// status word, and waitid's si_code and si_status.
type WaitResult struct {
	PID, Status  int
	Code, SigSt  int // CLD_EXITED ..., and the exit code or signal
	Utime, Stime int64
}

// DoWait waits for a child of the current task to exit and reaps it (or,
// with WUNTRACED/WCONTINUED, to stop or continue): pid > 0 that child,
// -1 any child, 0 a child in the caller's process group, < -1 a child in
// group -pid. Returns the child's PID and wait status; (0, 0, nil) with
// WNOHANG if none is ready; ECHILD if there is no such child;
// ERESTARTSYS if a signal arrives. wait4 calls it with WEXITED implied.
func DoWait(pid int, options int) (int, int, error) {
	r, err := DoWaitResult(pid, options|WEXITED)
	return r.PID, r.Status, err
}

// DoWaitResult is DoWait with the whole result (waitid). Any thread of
// the caller's group may reap its children (unless WNOTHREAD). Mirrors
// kernel/exit.c:do_wait().
func DoWaitResult(pid int, options int) (WaitResult, error) {
	p := Current()
	if trace.On(trace.SchedProcessWait) {
		traceWait(p, max(pid, 0))
	}
	var res WaitResult
	var err error
	found := false
	p.Signal.ChildWait.Wait(func() bool {
		res, found, err = waitConsider(p, pid, options)
		return found || err != nil || options&WNOHANG != 0
	}, true, SignalPending, -1)
	switch {
	case err != nil:
		return WaitResult{}, err
	case found:
		return res, nil
	case options&WNOHANG != 0:
		return WaitResult{}, nil
	}
	return WaitResult{}, abi.ERESTARTSYS
}

// waitConsider looks through p's children (and its threads' children)
// for one that matches pid and has something to report, and reports it:
// a zombie (reaped unless WNOWAIT), a stop not yet reported, or a
// continue. ECHILD if no child matches at all. Mirrors
// kernel/exit.c:do_wait_thread() with wait_consider_task().
func waitConsider(p *Task, pid, options int) (WaitResult, bool, error) {
	tasklistLock.Lock()
	parents := []*Task{p}
	if options&WNOTHREAD == 0 {
		parents = threadsLocked(p)
	}
	matched := false
	for _, par := range parents {
		for _, c := range par.Children {
			if !waitMatchesLocked(p, c, pid, options) {
				continue
			}
			matched = true
			if r, ok := waitReportLocked(c, options); ok {
				tasklistLock.Unlock()
				if r.Code != abi.CLD_STOPPED && r.Code != abi.CLD_CONTINUED && options&WNOWAIT == 0 {
					ReleaseTask(c)
				}
				return r, true, nil
			}
		}
	}
	tasklistLock.Unlock()
	if !matched {
		return WaitResult{}, false, abi.ECHILD
	}
	return WaitResult{}, false, nil
}

// waitMatchesLocked is eligible_pid() and eligible_child(): the pid
// selector, and clone children (exit signal other than SIGCHLD) only with
// WCLONE or WALL. Threads are never waited for.
func waitMatchesLocked(p, c *Task, pid, options int) bool {
	if c.TGID != c.PID {
		return false // a thread: reaped by itself
	}
	switch {
	case pid > 0:
		if c.PID != pid {
			return false
		}
	case pid == 0:
		if c.Signal == nil || c.Signal.Pgrp != p.Signal.Pgrp {
			return false
		}
	case pid < -1:
		if c.Signal == nil || c.Signal.Pgrp != -pid {
			return false
		}
	}
	if options&WALL != 0 {
		return true
	}
	clone := c.ExitSignal != SIGCHLD
	return clone == (options&WCLONE != 0)
}

// waitReportLocked returns what child c has to report for options. A
// zombie leader whose threads live is not reaped, but the stop or
// continue of its process is reported through it, as Linux's
// wait_consider_task() falls through for it. Caller holds tasklistLock.
// Mirrors wait_task_zombie(), wait_task_stopped() and
// wait_task_continued().
func waitReportLocked(c *Task, options int) (WaitResult, bool) {
	headless := false
	if c.ExitState == EXIT_ZOMBIE {
		headless = groupAliveLocked(c)
		if options&WEXITED != 0 && !headless {
			return waitZombieLocked(c), true
		}
	}
	s := c.Signal
	if (c.ExitState != 0 && !headless) || s == nil || c.Sighand == nil {
		return WaitResult{}, false
	}
	c.Sighand.Siglock.Lock()
	defer c.Sighand.Siglock.Unlock()
	switch {
	case options&WSTOPPED != 0 && s.Flags&SIGNAL_STOP_STOPPED != 0 && !s.stopReported && s.GroupExitCode != 0:
		sig := s.GroupExitCode
		if options&WNOWAIT == 0 {
			s.stopReported = true
		}
		return WaitResult{PID: c.PID, Status: sig<<8 | 0x7f, Code: abi.CLD_STOPPED, SigSt: sig}, true
	case options&WCONTINUED != 0 && s.Flags&SIGNAL_STOP_CONTINUED != 0:
		if options&WNOWAIT == 0 {
			s.Flags &^= SIGNAL_STOP_CONTINUED
		}
		return WaitResult{PID: c.PID, Status: 0xffff, Code: abi.CLD_CONTINUED, SigSt: abi.SIGCONT}, true
	}
	return WaitResult{}, false
}

// waitZombieLocked is what a zombie reports: its process's exit status.
func waitZombieLocked(c *Task) WaitResult {
	code := groupExitCodeLocked(c, c.ExitCode)
	r := WaitResult{PID: c.PID, Status: code, Code: abi.CLD_EXITED, SigSt: code >> 8 & 0xff}
	if code&0x7f != 0 {
		r.Code, r.SigSt = abi.CLD_KILLED, code&0x7f
	}
	return r
}
