// Package procfs is Tamix's /proc: Linux's fs/proc in Linux's formats.
// /proc/PID/{stat,status,statm,cmdline,environ,comm,maps,exe,cwd,root,
// fd/,task/}, /proc/self, /proc/thread-self and the system-wide files
// (meminfo, uptime, loadavg, stat, cpuinfo, version, mounts,
// filesystems), plus files other packages register (proc's "tasks").
//
// Linux's procfs reads task_struct directly. Package fs sits below
// package proc here, so procfs gets tasks through a Source that proc
// implements and registers at boot (SetSource): every read takes a
// snapshot (TaskInfo) under proc's locks and formats it here, so the
// formatters are pure functions tested on the host against the shapes of
// the host's own /proc.
//
// Differences from Linux: entries under /proc are not cached dentries,
// so every lookup makes new inodes (inode numbers of /proc/PID/... are
// not stable); the fd/N, exe and cwd links are ordinary symlinks whose
// targets are walked by name, not Linux's "magic" links to the open file
// (so fd/N of a pipe cannot be opened); no permission checks (every task
// is root).
package procfs

import (
	"tamix/fs"
	"tamix/mm"
)

// TaskInfo is a snapshot of one task (or, for a whole process, of its
// thread group) as /proc/PID/stat and status show it. Times are in
// nanoseconds.
type TaskInfo struct {
	PID, TGID, PPID     int
	Pgrp, Session       int
	TTYNr, TPGID        int // the controlling tty (0 and -1: none)
	Comm                string
	State               byte   // 'R', 'S', 'D', 'T', 'Z', 'X' (task_state_array's letters)
	Flags               uint32 // PF_*
	Utime, Stime        int64
	CUtime, CStime      int64 // reaped children's times (Tamix keeps none: 0)
	Nice                int
	Threads             int
	StartTime           int64 // since boot
	ExitSignal          int
	ExitCode            int
	Nvcsw, Nivcsw       uint64
	Kthread             bool
	Umask               int // -1 without an fs_struct
	FDSize              int // descriptor slots (max_fds)
	SigPnd, ShdPnd      uint64
	SigBlk              uint64
	SigIgn, SigCgt      uint64
	SigQ                int    // queued signals
	SigQLim, RSSLim     uint64 // RLIMIT_SIGPENDING and RLIMIT_RSS
	HasMM               bool   // the task has an address space (not a kernel thread or a zombie)
	Mem                 mm.MemCounts
	Layout              mm.ExecLayout // ExeFile is not set
	MinFlt, MajFlt      uint64
	CMinFlt, CMajFlt    uint64
	Processor, Priority int
}

// FD is one descriptor of a task: the open file and, for anonymous
// files that are neither pipes nor devices, the name Linux's
// anon_inode_getfile() gives them ("[eventfd]", "[eventpoll]").
type FD struct {
	Num  int
	File *fs.File
	Anon string
}

// SysInfo is the system-wide state /proc/meminfo, uptime, loadavg and
// stat show.
type SysInfo struct {
	Uptime, Idle    int64 // ns since boot; ns the idle task ran
	User, System    int64 // ns all tasks spent in user and kernel mode
	BootTime        int64 // Unix seconds at boot (btime)
	TotalPages      uint64
	FreePages       uint64
	KernelStack     uint64 // bytes of task kernel stacks
	PageTables      uint64 // pages of user page tables
	Running         int    // runnable tasks (nr_running)
	Threads         int    // tasks (nr_threads)
	Blocked         int    // tasks in uninterruptible sleep
	LastPID         int
	Forks, Switches uint64 // total_forks, nr_context_switches
	Shmem           uint64 // pages of shared anonymous memory (tmpfs is in the Go heap)
}

// Source is what procfs needs from the task side; package proc
// implements it. Methods may be called from any task; a task that is
// gone gives abi.ESRCH.
type Source interface {
	// Self returns the calling task's thread-group and thread IDs
	// (current->tgid, current->pid).
	Self() (tgid, tid int)
	// Processes returns the thread-group IDs of every process, in
	// increasing order (what readdir of /proc lists).
	Processes() []int
	// Threads returns the thread IDs of tgid's group, in increasing
	// order, or abi.ESRCH.
	Threads(tgid int) ([]int, error)
	// TGID returns the thread-group ID of task pid, or abi.ESRCH.
	TGID(pid int) (int, error)
	// Task returns a snapshot of task pid; with whole set, of its whole
	// thread group (times and faults summed, as /proc/TGID/stat).
	Task(pid int, whole bool) (*TaskInfo, error)
	// Maps returns pid's /proc/PID/maps text ("" for a kernel thread).
	Maps(pid int) (string, error)
	// ReadMem reads [start, end) of pid's address space, as
	// access_remote_vm() does for cmdline and environ; fewer bytes if
	// part of it cannot be read.
	ReadMem(pid int, start, end uint64) ([]byte, error)
	// FDs returns pid's open descriptors in increasing order.
	FDs(pid int) ([]FD, error)
	// Paths returns pid's executable, working directory and root (zero
	// Paths where it has none) or abi.ESRCH.
	Paths(pid int) (exe, cwd, root fs.Path, err error)
	// System returns the system-wide counts.
	System() SysInfo
}

// src is the registered Source; set once at boot before /proc is read.
var src Source

// SetSource registers the task side (proc's init does it).
func SetSource(s Source) { src = s }

// System returns the system-wide counts (for sysinfo(2), which reports
// the same numbers as /proc/meminfo and /proc/loadavg).
func System() SysInfo {
	if src == nil {
		return SysInfo{}
	}
	return src.System()
}
