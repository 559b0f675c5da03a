package proc

import (
	"io"

	"tamix/abi"
	"tamix/drivers/tty"
	"tamix/fs"
)

// The terminal layer's view of processes (drivers/tty sits below proc
// and asks through tty.Jobs): what Linux's tty_jobctrl.c reads from
// task_pgrp()/task_session() and does with kill_pgrp().

func init() {
	tty.Jobs = tty.Hooks{
		Ids:                 ttyIds,
		KillPgrp:            KillPgrp,
		SigIgnoredOrBlocked: ttySigIgnoredOrBlocked,
		PgrpOrphaned: func(pgrp int) bool {
			tasklistLock.Lock()
			defer tasklistLock.Unlock()
			return isOrphanedPgrpLocked(pgrp, nil)
		},
		PgrpSession:   pgrpSession,
		SessionAlive:  sessionAlive,
		SignalPending: SignalPending,
		Output: func(c fs.Caller) io.Writer {
			if t, ok := c.(*Task); ok && t != nil && t.Console != nil {
				return t.Console
			}
			return nil
		},
	}
}

// ttyIds returns the caller's TGID, process group, session and whether
// it leads the session; zeros for a caller that is no process.
func ttyIds(c fs.Caller) (pid, pgrp, sid int, leader bool) {
	t, ok := c.(*Task)
	if !ok || t == nil || t.Signal == nil {
		return 0, 0, 0, false
	}
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	return t.TGID, t.Signal.Pgrp, t.Signal.Session, t.Signal.Leader
}

// KillPgrp sends sig from the kernel to every process of group pgrp
// (kill_pgrp(), as the terminal does for ^C, ^Z and ^\).
func KillPgrp(pgrp, sig int) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	killPgrpLocked(pgrp, sig, NewKernelInfo(sig))
}

// ttySigIgnoredOrBlocked is tty_check_change()'s is_ignored(sig):
// the calling thread blocks sig or its process ignores it.
func ttySigIgnoredOrBlocked(c fs.Caller, sig int) bool {
	t, ok := c.(*Task)
	if !ok || t == nil || t.Sighand == nil {
		return false
	}
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	return t.Blocked.Has(sig) || t.Sighand.Action[sig-1].Handler == abi.SIG_IGN
}

// pgrpSession returns the session of process group pgrp.
func pgrpSession(pgrp int) (int, bool) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	for _, p := range processesLocked() {
		if p.Signal.Pgrp == pgrp {
			return p.Signal.Session, true
		}
	}
	return 0, false
}

// sessionAlive reports whether a process of session sid is left.
func sessionAlive(sid int) bool {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	for _, p := range processesLocked() {
		if p.Signal.Session == sid {
			return true
		}
	}
	return false
}

// disassociateCtty lets the controlling terminal of t's session go when
// t, the last thread of a session leader, exits: the terminal forgets
// the session and its foreground group gets SIGHUP (tty.LeaderExit).
// Mirrors the disassociate_ctty(1) call of kernel/exit.c:do_exit().
func disassociateCtty(t *Task) {
	if t.Signal == nil {
		return
	}
	tasklistLock.Lock()
	leader, sid := t.Signal.Leader, t.Signal.Session
	tasklistLock.Unlock()
	if leader {
		tty.DisassociateCtty(sid)
	}
}
