package tty

import (
	"tamix/abi"
	"tamix/fs"
)

// Job control (drivers/tty/tty_jobctrl.c): the controlling terminal of
// a session, its foreground process group, and the stops of background
// groups that touch it.

// checkChange is what a process does before reading the terminal (sig
// SIGTTIN) or changing it or, with TOSTOP, writing to it (SIGTTOU):
// nothing for the foreground group or a process of another session; a
// background group is sent sig and the call restarts once it continues,
// unless sig is ignored or blocked (then SIGTTIN reads fail with EIO and
// the rest go ahead) or the group is orphaned (EIO: nobody would
// continue it). Mirrors __tty_check_change().
func (t *TTY) checkChange(c fs.Caller, sig int) error {
	_, pgrp, sid, _ := ids(c)
	t.mu.Lock()
	tpgrp, tsid := t.pgrp, t.session
	t.mu.Unlock()
	if tsid == 0 || sid != tsid || tpgrp == 0 || pgrp == tpgrp {
		return nil
	}
	if Jobs.SigIgnoredOrBlocked != nil && Jobs.SigIgnoredOrBlocked(c, sig) {
		if sig == sigTTIN {
			return abi.EIO
		}
		return nil
	}
	if Jobs.PgrpOrphaned != nil && Jobs.PgrpOrphaned(pgrp) {
		return abi.EIO
	}
	if Jobs.KillPgrp != nil {
		Jobs.KillPgrp(pgrp, sig)
	}
	return abi.ERESTARTSYS
}

// currentSession returns the session that controls the terminal,
// forgetting one none of whose processes is left. The leader's exit
// clears the claim (LeaderExit); this catches a session whose leader's
// exit was not seen as the end of its thread group. Takes and releases
// mu around the check, which calls Jobs.
func (t *TTY) currentSession() int {
	t.mu.Lock()
	sid := t.session
	t.mu.Unlock()
	if sid == 0 || Jobs.SessionAlive == nil || Jobs.SessionAlive(sid) {
		return sid
	}
	t.mu.Lock()
	if t.session == sid {
		t.session, t.pgrp = 0, 0
	}
	t.mu.Unlock()
	return 0
}

// isCtty reports whether the terminal is the caller's controlling
// terminal.
func (t *TTY) isCtty(c fs.Caller) bool {
	_, _, sid, _ := ids(c)
	return sid != 0 && t.currentSession() == sid
}

// claim makes the terminal the controlling terminal of the caller's
// session, with its process group in the foreground (__proc_set_tty).
func (t *TTY) claim(pgrp, sid int) {
	t.mu.Lock()
	t.session, t.pgrp = sid, pgrp
	t.mu.Unlock()
}

// openCtty is the controlling-terminal part of open: a session leader
// without a controlling terminal that opens a free terminal without
// O_NOCTTY gets it. Mirrors tty_open_proc_set_tty().
func (t *TTY) openCtty(c fs.Caller, flags int) {
	_, pgrp, sid, leader := ids(c)
	if flags&fs.O_NOCTTY != 0 || !leader || sid == 0 {
		return
	}
	if t.currentSession() == 0 {
		t.claim(pgrp, sid)
	}
}

// tiocsctty makes the terminal the caller's controlling terminal: the
// caller must lead its session and have none yet (EPERM); a terminal
// another session holds is taken from it only with arg 1 (Tamix's
// tasks are all root, so CAP_SYS_ADMIN holds). Mirrors tiocsctty().
func (t *TTY) tiocsctty(c fs.Caller, arg uint64) error {
	_, pgrp, sid, leader := ids(c)
	cur := t.currentSession()
	switch {
	case leader && cur == sid:
		return nil
	case !leader:
		return abi.EPERM
	case cur != 0 && arg != 1:
		return abi.EPERM
	}
	t.claim(pgrp, sid)
	return nil
}

// tiocspgrp sets the foreground process group: ENOTTY unless it is
// the caller's controlling terminal, EINVAL for a negative group,
// ESRCH for an empty one, EPERM for one of another session. Mirrors
// tiocspgrp().
func (t *TTY) tiocspgrp(c fs.Caller, pgrp int) error {
	if err := t.checkChange(c, sigTTOU); err != nil {
		return err
	}
	if !t.isCtty(c) {
		return abi.ENOTTY
	}
	if pgrp < 0 {
		return abi.EINVAL
	}
	_, _, sid, _ := ids(c)
	if Jobs.PgrpSession != nil {
		s, ok := Jobs.PgrpSession(pgrp)
		if !ok {
			return abi.ESRCH
		}
		if s != sid {
			return abi.EPERM
		}
	}
	t.mu.Lock()
	t.pgrp = pgrp
	t.mu.Unlock()
	return nil
}

// tiocnotty gives up the controlling terminal: a session leader's
// whole session loses it and the foreground group gets SIGHUP and
// SIGCONT. Tamix cannot detach one process of a session (it keeps no
// per-process signal->tty), so for others it succeeds without effect.
// Mirrors tiocnotty() -> disassociate_ctty().
func (t *TTY) tiocnotty(c fs.Caller) error {
	if !t.isCtty(c) {
		return abi.ENOTTY
	}
	_, _, _, leader := ids(c)
	if !leader {
		return nil
	}
	t.mu.Lock()
	pgrp := t.pgrp
	t.session, t.pgrp = 0, 0
	t.mu.Unlock()
	if pgrp > 0 && Jobs.KillPgrp != nil {
		Jobs.KillPgrp(pgrp, abi.SIGHUP)
		Jobs.KillPgrp(pgrp, abi.SIGCONT)
	}
	return nil
}

// LeaderExit is what the exit of session sid's leader does to the
// terminal if it is that session's controlling terminal: the terminal
// loses its session and foreground group, and the foreground group gets
// SIGHUP. Linux's disassociate_ctty(1) hangs a serial terminal up
// (tty_vhangup_session() -> __tty_hangup()): SIGHUP and SIGCONT to the
// session's leaders (here only the exiting one, which is past caring),
// SIGHUP to the foreground group (kill_pgrp(), which kills stopped
// members too), and every open file of the terminal but those opened
// through /dev/console switched to hung_up_tty_fops. Differs: Tamix
// does not hang the open files up; they keep reading and writing the
// terminal, now nobody's controlling terminal. A group the exit
// orphans gets its SIGHUP and SIGCONT from exit (kill_orphaned_pgrp()).
// Takes and releases mu; Jobs is called without it.
func (t *TTY) LeaderExit(sid int) {
	t.mu.Lock()
	if sid == 0 || t.session != sid {
		t.mu.Unlock()
		return
	}
	pgrp := t.pgrp
	t.session, t.pgrp = 0, 0
	t.mu.Unlock()
	if pgrp > 0 && Jobs.KillPgrp != nil {
		Jobs.KillPgrp(pgrp, abi.SIGHUP)
	}
}

// DisassociateCtty is called by the process layer when the leader of
// session sid exits with its whole thread group: each terminal that
// session controls is let go (disassociate_ctty(1) in do_exit()). There
// is one terminal, the console.
func DisassociateCtty(sid int) { Console.LeaderExit(sid) }
