//go:build tamago

package proc

import (
	"tamix/abi"
)

// wait4 options (include/uapi/linux/wait.h).
const (
	WNOHANG   = 0x00000001
	WUNTRACED = 0x00000002
	WEXITED   = 0x00000004
	WNOWAIT   = 0x01000000
	__WALL    = 0x40000000
)

// DoWait waits for a child of the current task to exit and reaps it:
// pid > 0 that child, pid == -1 (or 0, < -1: Tamix has no process groups)
// any child. Returns the child's PID and wait status; (0, 0, nil) with
// WNOHANG if none has exited; ECHILD if there is no such child; EINTR if
// a fatal signal arrives. With WNOWAIT the child is reported but left a
// zombie. Mirrors kernel/exit.c:do_wait().
func DoWait(pid int, options int) (int, int, error) {
	p := Current()
	var found *Task
	var err error
	p.ChildWait.Wait(func() bool {
		found, err = findZombie(p, pid)
		return found != nil || err != nil || options&WNOHANG != 0
	}, true, func() bool { return p.pendingSignal != 0 }, -1)
	switch {
	case err != nil:
		return 0, 0, err
	case found != nil:
		status := found.ExitCode
		if options&WNOWAIT == 0 {
			ReleaseTask(found)
		}
		return found.PID, status, nil
	case options&WNOHANG != 0:
		return 0, 0, nil
	}
	return 0, 0, abi.EINTR
}

// findZombie looks for an exited child matching pid; ECHILD if p has no
// matching child at all.
func findZombie(p *Task, pid int) (*Task, error) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	any := false
	for _, c := range p.Children {
		if pid > 0 && c.PID != pid {
			continue
		}
		if c.ExitSignal == -1 && c.TGID != c.PID {
			continue // a thread: reaped by itself
		}
		any = true
		if c.ExitState == EXIT_ZOMBIE && !groupAliveLocked(c) {
			return c, nil
		}
	}
	if !any {
		return nil, abi.ECHILD
	}
	return nil, nil
}

// groupAliveLocked reports whether a thread-group leader still has live
// threads (Linux's delay_group_leader()).
func groupAliveLocked(leader *Task) bool {
	for _, t := range taskList {
		if t != leader && t.TGID == leader.PID && t.ExitState == 0 {
			return true
		}
	}
	return false
}
