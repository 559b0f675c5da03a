//go:build tamago

package proc

import "tamix/abi"

// What exec does to a thread group (fs/exec.c): only the exec'ing thread
// survives, it becomes the leader, and it stops sharing its descriptor
// table.

// deThread kills every other thread of the current task's group and waits
// until they are gone; if the exec'ing thread is not the leader, it takes
// the leader's place and PID (the old leader, a zombie by then, is
// released with the thread's old PID), so the process keeps its PID as
// POSIX requires. EAGAIN if the group is already exiting. Mirrors
// fs/exec.c:de_thread().
func deThread(t *Task) error {
	tasklistLock.Lock()
	if len(threadsLocked(t)) == 1 && t.TGID == t.PID {
		tasklistLock.Unlock()
		return nil
	}
	s := t.Signal
	t.Sighand.Siglock.Lock()
	if s.Flags&SIGNAL_GROUP_EXIT != 0 || s.groupExec != nil {
		t.Sighand.Siglock.Unlock()
		tasklistLock.Unlock()
		return abi.EAGAIN
	}
	s.groupExec = t
	zapOtherThreadsLocked(t)
	t.Sighand.Siglock.Unlock()
	tasklistLock.Unlock()
	s.execWait.Wait(func() bool {
		tasklistLock.Lock()
		defer tasklistLock.Unlock()
		leader := tasks[t.TGID]
		return len(threadsLocked(t)) == 1 && (leader == t || leader == nil || leader.ExitState != 0)
	}, false, nil, -1)
	if t.TGID != t.PID {
		takeOverLeader(t)
	}
	t.Sighand.Siglock.Lock()
	s.groupExec = nil
	t.Sighand.Siglock.Unlock()
	return nil
}

// takeOverLeader swaps PIDs with the dead leader: t gets the TGID as its
// PID, the leader's parent and exit signal, and the leader (a zombie
// nobody was told about) goes with t's old PID.
func takeOverLeader(t *Task) {
	tasklistLock.Lock()
	leader := tasks[t.TGID]
	old := t.PID
	delete(tasks, old)
	t.PID = t.TGID
	tasks[t.PID] = t
	leader.PID = old
	tasks[old] = leader
	if p := leader.Parent; p != nil && t.Parent != p {
		removeChildLocked(t.Parent, t)
		p.Children = append(p.Children, t)
	}
	t.Parent, t.RealParent = leader.Parent, leader.RealParent
	t.ExitSignal, leader.ExitSignal = leader.ExitSignal, -1
	tasklistLock.Unlock()
	ReleaseTask(leader)
}

// removeChildLocked takes c off p's list of children. Caller holds
// tasklistLock.
func removeChildLocked(p, c *Task) {
	if p == nil {
		return
	}
	for i, x := range p.Children {
		if x == c {
			p.Children = append(p.Children[:i], p.Children[i+1:]...)
			return
		}
	}
}

// unshareFiles gives the task its own copy of a descriptor table it
// shares (CLONE_FILES), so that close-on-exec does not close the other
// sharers' files. Mirrors kernel/fork.c:unshare_files().
func unshareFiles(t *Task) {
	if t.Files == nil || !t.Files.shared() {
		return
	}
	n := t.Files.dup()
	t.Files.Put()
	t.Files = n
}
