package proc

import (
	"tamix/abi"
)

// Process groups and sessions (kernel/sys.c's setpgid, setsid, getpgid,
// getsid; kernel/exit.c's orphaned-group rules) and the kill(2) family's
// choice of targets (kernel/signal.c: kill_pid_info, __kill_pgrp_info,
// kill_something_info, do_tkill).
//
// Linux finds a group's members through struct pid's task lists; Tamix
// scans the task list under tasklistLock, which is enough at its scale.

// processesLocked returns every live user process, one task per thread
// group (the leader, or the first thread found). Caller holds tasklistLock.
func processesLocked() []*Task { return groupsLocked(false) }

// withZombiesLocked is processesLocked with the processes that exited and
// are not reaped yet. Linux keeps a zombie in its process group and
// session until release_task(), so kill(2) to a group (or to -1) counts
// it as found (the signal is dropped), and setpgid(2) and setsid(2) see
// its group as existing. Caller holds tasklistLock.
func withZombiesLocked() []*Task { return groupsLocked(true) }

// groupsLocked lists one task per user thread group, zombie leaders
// included if zombies is set.
func groupsLocked(zombies bool) []*Task {
	var out []*Task
	seen := map[int]bool{}
	counts := func(t *Task) bool {
		return t.ExitState == 0 || zombies && t.ExitState == EXIT_ZOMBIE && t.PID == t.TGID
	}
	for _, t := range taskList {
		if !counts(t) || t.Flags&PF_KTHREAD != 0 || t.Signal == nil || seen[t.TGID] {
			continue
		}
		seen[t.TGID] = true
		if l := tasks[t.TGID]; l != nil && l != t && counts(l) {
			t = l
		}
		out = append(out, t)
	}
	return out
}

// isOrphanedPgrpLocked reports whether process group pgrp is orphaned:
// no member (other than ignore) has a parent in another group of the same
// session, so no job-control shell can resume it. Caller holds
// tasklistLock. Mirrors kernel/exit.c:will_become_orphaned_pgrp().
func isOrphanedPgrpLocked(pgrp int, ignore *Task) bool {
	for _, p := range processesLocked() {
		if p == ignore || p.Signal.Pgrp != pgrp {
			continue
		}
		par := p.RealParent
		if par == nil || par.Signal == nil || par.PID == 1 {
			continue // init does not count as a job-control parent
		}
		if par.Signal.Pgrp != pgrp && par.Signal.Session == p.Signal.Session {
			return false
		}
	}
	return true
}

// hasStoppedJobsLocked reports whether a member of pgrp is stopped.
func hasStoppedJobsLocked(pgrp int) bool {
	for _, p := range processesLocked() {
		if p.Signal.Pgrp == pgrp && p.Signal.Flags&SIGNAL_STOP_STOPPED != 0 {
			return true
		}
	}
	return false
}

// killOrphanedPgrpLocked sends SIGHUP then SIGCONT to a process group
// that the exit of parent (or, with parent nil, of t itself) leaves
// orphaned while it has stopped members: POSIX's rule that a stopped job
// nobody can continue is woken and told. Caller holds tasklistLock.
// Mirrors kernel/exit.c:kill_orphaned_pgrp().
func killOrphanedPgrpLocked(t, parent *Task) {
	if t.Signal == nil {
		return
	}
	ignore := (*Task)(nil)
	if parent == nil {
		parent, ignore = t.RealParent, t
	}
	if parent == nil || parent.Signal == nil {
		return
	}
	pgrp := t.Signal.Pgrp
	if parent.Signal.Pgrp != pgrp && parent.Signal.Session == t.Signal.Session &&
		isOrphanedPgrpLocked(pgrp, ignore) && hasStoppedJobsLocked(pgrp) {
		killPgrpLocked(pgrp, abi.SIGHUP, NewKernelInfo(abi.SIGHUP))
		killPgrpLocked(pgrp, abi.SIGCONT, NewKernelInfo(abi.SIGCONT))
	}
}

// killPgrpLocked sends sig to every process of group pgrp; ESRCH if the
// group is empty. Mirrors kernel/signal.c:__kill_pgrp_info().
func killPgrpLocked(pgrp, sig int, info *Siginfo) error {
	success, err := false, error(abi.ESRCH)
	for _, p := range withZombiesLocked() {
		if p.Signal.Pgrp == pgrp {
			err = sendSignalLocked(sig, info, p, true)
			success = success || err == nil
		}
	}
	if success {
		return nil
	}
	return err
}

// KillSomething is kill(2): pid > 0 that process, pid 0 the caller's
// process group, pid -1 every process but init and the caller, pid < -1
// the group -pid. sig 0 only checks that a target exists. Mirrors
// kernel/signal.c:kill_something_info().
func KillSomething(t *Task, pid, sig int) error {
	if sig != 0 && !ValidSignal(sig) {
		return abi.EINVAL
	}
	info := NewKillInfo(sig, abi.SI_USER, t.TGID)
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	switch {
	case pid > 0:
		p := tasks[pid]
		if p == nil || p.Signal == nil {
			return abi.ESRCH
		}
		return sendChecked(sig, info, p, true)
	case pid == -1:
		n := 0
		for _, p := range withZombiesLocked() {
			if p.TGID > 1 && p.TGID != t.TGID {
				n++
				sendChecked(sig, info, p, true)
			}
		}
		if n == 0 {
			return abi.ESRCH
		}
		return nil
	}
	pgrp := -pid
	if pid == 0 {
		pgrp = t.Signal.Pgrp
	}
	if sig == 0 {
		return checkPgrpLocked(pgrp)
	}
	return killPgrpLocked(pgrp, sig, info)
}

// checkPgrpLocked is kill(-pgrp, 0): ESRCH if the group has no process.
func checkPgrpLocked(pgrp int) error {
	for _, p := range withZombiesLocked() {
		if p.Signal.Pgrp == pgrp {
			return nil
		}
	}
	return abi.ESRCH
}

// sendChecked sends sig unless it is 0 (the existence check).
func sendChecked(sig int, info *Siginfo, p *Task, shared bool) error {
	if sig == 0 {
		return nil
	}
	return sendSignalLocked(sig, info, p, shared)
}

// DoTkill is tkill(2) (tgid -1: any group) and tgkill(2): sig to the one
// thread tid, which must belong to tgid if one is given. Mirrors
// kernel/signal.c:do_tkill().
func DoTkill(t *Task, tgid, tid, sig int, info *Siginfo) error {
	if tid <= 0 || tgid == 0 || tgid < -1 || (sig != 0 && !ValidSignal(sig)) {
		return abi.EINVAL
	}
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	p := tasks[tid]
	if p == nil || p.Signal == nil || (tgid > 0 && p.TGID != tgid) {
		return abi.ESRCH // a zombie keeps its TID until it is reaped
	}
	return sendChecked(sig, info, p, false)
}

// SendQueued is rt_sigqueueinfo(2): sig with a caller-made siginfo to a
// process. Only to itself may a thread forge a code that is not negative,
// or SI_TKILL; Linux compares pid with the caller's thread ID, not its
// process ID, and so does Tamix. A zombie is found until it is reaped, and
// the signal is dropped. Mirrors kernel/signal.c:do_rt_sigqueueinfo().
func SendQueued(t *Task, pid, sig int, info *Siginfo) error {
	if sig != 0 && !ValidSignal(sig) {
		return abi.EINVAL
	}
	if (info.Code() >= 0 || info.Code() == abi.SI_TKILL) && pid != t.PID {
		return abi.EPERM
	}
	info.SetSigno(sig)
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	p := tasks[pid]
	if p == nil || p.Signal == nil {
		return abi.ESRCH
	}
	return sendChecked(sig, info, p, true)
}

// SendQueuedThread is rt_tgsigqueueinfo(2): rt_sigqueueinfo to the one
// thread tid of process tgid. Mirrors kernel/signal.c:
// do_rt_tgsigqueueinfo().
func SendQueuedThread(t *Task, tgid, tid, sig int, info *Siginfo) error {
	if tid <= 0 || tgid <= 0 {
		return abi.EINVAL
	}
	if (info.Code() >= 0 || info.Code() == abi.SI_TKILL) && tid != t.PID {
		return abi.EPERM
	}
	info.SetSigno(sig)
	return DoTkill(t, tgid, tid, sig, info)
}

// Setpgid moves process pid (0: the caller) into group pgid (0: a new
// group named after it), with setpgid(2)'s rules: only the caller or one
// of its children that has not exec'd (EACCES), not a session leader and
// within one session (EPERM), an existing group of that session or a new
// one. Mirrors kernel/sys.c:setpgid().
func Setpgid(t *Task, pid, pgid int) error {
	if pid == 0 {
		pid = t.TGID
	}
	if pgid == 0 {
		pgid = pid
	}
	if pgid < 0 {
		return abi.EINVAL
	}
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	p := tasks[pid]
	if p == nil || p.Signal == nil || (p.TGID != t.TGID && p.RealParent != tasks[t.TGID]) {
		return abi.ESRCH // a zombie child is found until it is reaped
	}
	if p.PID != p.TGID {
		return abi.EINVAL // a thread that is not its group's leader
	}
	if p.TGID != t.TGID {
		if p.Signal.Session != t.Signal.Session {
			return abi.EPERM
		}
		if p.didExec {
			return abi.EACCES
		}
	}
	if p.Signal.Leader {
		return abi.EPERM
	}
	if pgid != pid {
		found := false
		for _, q := range withZombiesLocked() {
			if q.Signal.Pgrp == pgid && q.Signal.Session == t.Signal.Session {
				found = true
				break
			}
		}
		if !found {
			return abi.EPERM
		}
	}
	p.Signal.Pgrp = pgid
	return nil
}

// Setsid makes the caller the leader of a new session and process group,
// named by its PID; EPERM if it already leads a group (or a group has
// its PID). Mirrors kernel/sys.c:ksys_setsid().
func Setsid(t *Task) (int, error) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	sid := t.TGID
	for _, p := range withZombiesLocked() {
		if p.Signal.Pgrp == sid || p.Signal.Session == sid {
			return 0, abi.EPERM
		}
	}
	t.Signal.Pgrp, t.Signal.Session, t.Signal.Leader = sid, sid, true
	return sid, nil
}

// Getpgid and Getsid return the process group or session of pid (0: the
// caller); ESRCH if there is no such process.
func Getpgid(t *Task, pid int) (int, error) {
	p, err := processOf(t, pid)
	if err != nil {
		return 0, err
	}
	return p.Signal.Pgrp, nil
}

func Getsid(t *Task, pid int) (int, error) {
	p, err := processOf(t, pid)
	if err != nil {
		return 0, err
	}
	return p.Signal.Session, nil
}

func processOf(t *Task, pid int) (*Task, error) {
	if pid == 0 {
		return t, nil
	}
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	p := tasks[pid]
	if p == nil || p.Signal == nil {
		return nil, abi.ESRCH // a zombie is found until it is reaped
	}
	return p, nil
}
