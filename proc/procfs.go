package proc

import (
	"bytes"
	"sort"

	"tamix/abi"
	"tamix/fs/procfs"
	"tamix/sched"
)

// proc's side of /proc: procfs.Source, the snapshots fs/procfs formats.
// Linux's fs/proc reads task_struct under rcu_read_lock() and the task's
// locks; here each method takes tasklistLock (and a task's Siglock or
// file-table lock inside it), copies what it needs and lets go before
// procfs formats anything. The "tasks" file (the task dump) is added to
// /proc's root.

func init() {
	procfs.SetSource(procSource{})
	procfs.RegisterFile("tasks", func() []byte {
		var b bytes.Buffer
		DumpTasks(&b)
		return b.Bytes()
	})
}

// procSource implements procfs.Source over the task table.
type procSource struct{}

// Self returns the current task's IDs.
func (procSource) Self() (int, int) {
	t := Current()
	if t == nil {
		return 0, 0
	}
	return t.TGID, t.PID
}

// Processes returns the thread-group leaders but the idle task, as
// next_tgid() walks them.
func (procSource) Processes() []int {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	var out []int
	for pid, t := range tasks {
		if pid != 0 && t.PID == t.TGID {
			out = append(out, pid)
		}
	}
	sort.Ints(out)
	return out
}

// lookupProcLocked returns task pid (never the idle task) or ESRCH;
// caller holds tasklistLock.
func lookupProcLocked(pid int) (*Task, error) {
	t := tasks[pid]
	if t == nil || pid == 0 {
		return nil, abi.ESRCH
	}
	return t, nil
}

// Threads returns the live threads of group tgid.
func (procSource) Threads(tgid int) ([]int, error) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	t, err := lookupProcLocked(tgid)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, th := range threadsLocked(t) {
		out = append(out, th.PID)
	}
	sort.Ints(out)
	return out, nil
}

// TGID returns the group of task pid.
func (procSource) TGID(pid int) (int, error) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	t, err := lookupProcLocked(pid)
	if err != nil {
		return 0, err
	}
	return t.TGID, nil
}

// procState is the letter /proc shows for t (task_state_index()): a
// task not yet run counts as running, as TASK_NEW is outside
// TASK_REPORT. Caller holds tasklistLock.
func procState(t *Task) byte {
	switch {
	case t.ExitState == EXIT_ZOMBIE:
		return 'Z'
	case t.ExitState == EXIT_DEAD:
		return 'X'
	}
	switch t.State() {
	case sched.TaskInterruptible:
		return 'S'
	case sched.TaskUninterruptible:
		return 'D'
	case sched.TaskStopped:
		return 'T'
	case sched.TaskDead:
		return 'X'
	}
	return 'R'
}

// rlimitRSS is RLIMIT_RSS, which Tamix keeps but does not enforce.
const rlimitRSS = 5

// Task returns a snapshot of task pid (with whole, its thread group's
// times summed). Mirrors what do_task_stat() and proc_pid_status()
// collect.
func (procSource) Task(pid int, whole bool) (*procfs.TaskInfo, error) {
	tasklistLock.Lock()
	defer tasklistLock.Unlock()
	t, err := lookupProcLocked(pid)
	if err != nil {
		return nil, err
	}
	leader := t
	if l := tasks[t.TGID]; l != nil {
		leader = l
	}
	threads := threadsLocked(leader)
	info := &procfs.TaskInfo{PID: t.PID, TGID: t.TGID, TPGID: -1, Comm: t.Comm, State: procState(t),
		Flags: t.Flags, Nice: t.Nice, Priority: 20 + t.Nice, Threads: len(threads),
		StartTime: t.StartTime, ExitSignal: t.ExitSignal, ExitCode: t.ExitCode,
		Nvcsw: t.Nvcsw, Nivcsw: t.Nivcsw, Kthread: t.Flags&PF_KTHREAD != 0, Umask: -1}
	if t.RealParent != nil {
		info.PPID = t.RealParent.TGID
	}
	if t.Signal != nil {
		info.Pgrp, info.Session = t.Signal.Pgrp, t.Signal.Session
		info.RSSLim = t.Signal.Rlim[rlimitRSS].Cur
		info.SigQLim = t.Signal.Rlim[RLIMIT_SIGPENDING].Cur
	}
	if !whole {
		threads = []*Task{t}
	}
	for _, th := range threads {
		total := sched.ExecRuntime(&th.Thread)
		info.Utime += th.Utime
		info.Stime += total - th.Utime
	}
	if t.FS != nil {
		info.Umask = int(t.FS.Umask())
	}
	if t.Files != nil {
		info.FDSize = t.Files.maxFDs()
	}
	signalSnapshot(t, info)
	memSnapshot(t, info)
	return info, nil
}

// signalSnapshot copies t's pending, blocked, ignored and caught sets
// under its Siglock (task_sig() and collect_sigign_sigcatch()).
func signalSnapshot(t *Task, info *procfs.TaskInfo) {
	if t.Sighand == nil || t.Signal == nil {
		return
	}
	t.Sighand.Siglock.Lock()
	defer t.Sighand.Siglock.Unlock()
	info.SigPnd = uint64(t.Pending.Signal)
	info.ShdPnd = uint64(t.Signal.SharedPending.Signal)
	info.SigBlk = uint64(t.Blocked)
	info.SigQ = len(t.Pending.List) + len(t.Signal.SharedPending.List)
	for i, a := range t.Sighand.Action {
		switch a.Handler {
		case abi.SIG_IGN:
			info.SigIgn |= uint64(SigMask(i + 1))
		case abi.SIG_DFL:
		default:
			info.SigCgt |= uint64(SigMask(i + 1))
		}
	}
}

// memSnapshot copies the sizes and exec layout of t's address space,
// holding a reference to it meanwhile (get_task_mm()).
func memSnapshot(t *Task, info *procfs.TaskInfo) {
	m := t.MM
	if m == nil || !m.TryGet() {
		return
	}
	defer m.Put()
	info.HasMM = true
	info.Mem = m.MemCounts()
	info.Layout = m.ExecLayout()
	info.Layout.ExeFile = nil
}

// maxFDs is the table's size as status's FDSize shows it: Linux's
// fdtable grows from 64 slots by powers of two.
func (ft *FileTable) maxFDs() int {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	n := 64
	for n < len(ft.fds) {
		n *= 2
	}
	return n
}

// Maps returns /proc/PID/maps: the areas of its address space.
func (procSource) Maps(pid int) (string, error) {
	tasklistLock.Lock()
	t, err := lookupProcLocked(pid)
	if err != nil {
		tasklistLock.Unlock()
		return "", err
	}
	mmp := t.MM
	ok := mmp != nil && mmp.TryGet()
	tasklistLock.Unlock()
	if !ok {
		return "", nil
	}
	defer mmp.Put()
	return mmp.Maps(), nil
}

// maxReadMem bounds one cmdline or environ read: the most execve
// lets a program's strings take (a quarter of the 8 MiB stack limit,
// rounded up).
const maxReadMem = 6 << 20

// ReadMem reads [start, end) of task pid's memory, through its page
// tables as access_remote_vm() does; the bytes before an unreadable
// page if there is one.
func (procSource) ReadMem(pid int, start, end uint64) ([]byte, error) {
	if end <= start {
		return nil, nil
	}
	tasklistLock.Lock()
	t, err := lookupProcLocked(pid)
	if err != nil {
		tasklistLock.Unlock()
		return nil, err
	}
	m := t.MM
	ok := m != nil && m.TryGet()
	tasklistLock.Unlock()
	if !ok {
		return nil, nil
	}
	defer m.Put()
	buf := make([]byte, min(end-start, maxReadMem))
	n, _ := m.CopyFromUser(buf, uintptr(start))
	return buf[:n], nil
}
