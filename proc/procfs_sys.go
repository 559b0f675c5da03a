package proc

import (
	"time"

	"tamix/fs"
	"tamix/fs/procfs"
	"tamix/mm"
	"tamix/sched"
)

// The rest of procfs.Source: descriptors, paths and the system-wide
// counts.

// anonName is the name anon_inode_getfile() gives f's kind, or "".
func anonName(f *OpenFile) string {
	switch procFile(f).(type) {
	case *eventFD:
		return "[eventfd]"
	case *eventpoll:
		return "[eventpoll]"
	}
	return ""
}

// FDs returns task pid's descriptors (fs/proc/fd.c walks files_fdtable()
// under RCU; here the table's lock).
func (procSource) FDs(pid int) ([]procfs.FD, error) {
	tasklistLock.Lock()
	t, err := lookupProcLocked(pid)
	ft := (*FileTable)(nil)
	if err == nil {
		ft = t.Files
	}
	tasklistLock.Unlock()
	if err != nil || ft == nil {
		return nil, err
	}
	ft.mu.Lock()
	var out []procfs.FD
	for i, e := range ft.fds {
		if e.file != nil {
			out = append(out, procfs.FD{Num: i, File: e.file})
		}
	}
	ft.mu.Unlock()
	for i := range out {
		out[i].Anon = anonName(out[i].File)
	}
	return out, nil
}

// Paths returns task pid's executable (the MM's exe_file), working
// directory and root; zero where it has none.
func (procSource) Paths(pid int) (exe, cwd, root fs.Path, err error) {
	tasklistLock.Lock()
	t, err := lookupProcLocked(pid)
	var m *mm.MM
	var fsys *fs.FSStruct
	if err == nil {
		m, fsys = t.MM, t.FS
		if m != nil && !m.TryGet() {
			m = nil
		}
	}
	tasklistLock.Unlock()
	if err != nil {
		return
	}
	if m != nil {
		exe, _ = m.ExecLayout().ExeFile.(fs.Path)
		m.Put()
	}
	if fsys != nil {
		cwd, root = fsys.Pwd(), fsys.Root()
	}
	return
}

// Last returns the PID handed out last (/proc/loadavg's last field).
func (a *PIDAllocator) Last() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cursor - 1
}

// System returns the counts of meminfo, uptime, loadavg and stat.
// Linux keeps per-CPU counters of CPU time since boot (kcpustat); Tamix
// sums the times of the tasks that exist now, so user and system time
// do not count tasks already reaped.
func (procSource) System() procfs.SysInfo {
	s := procfs.SysInfo{LastPID: pids.Last(), Forks: sched.TotalForks(), Switches: sched.NrSwitches()}
	if K.Clock != nil {
		s.Uptime = K.Clock()
	}
	s.BootTime = time.Now().Unix() - s.Uptime/1e9
	if K.Pages != nil {
		s.TotalPages, s.FreePages = K.Pages.TotalPages(), K.Pages.FreePageCount()
	}
	mms := map[*mm.MM]bool{}
	for _, t := range Tasks() {
		runtime := sched.ExecRuntime(&t.Thread)
		if t.PID == 0 {
			s.Idle = runtime
			continue
		}
		s.User += t.Utime
		s.System += runtime - t.Utime
		tasklistLock.Lock()
		st, m := procState(t), t.MM
		tasklistLock.Unlock()
		s.Threads++
		switch st {
		case 'R':
			s.Running++
		case 'D':
			s.Blocked++
		}
		if t.Stack != nil {
			s.KernelStack += ThreadSize
		}
		if m != nil && !mms[m] && m.TryGet() {
			mms[m] = true
			s.PageTables += uint64(m.MemCounts().Tables)
			m.Put()
		}
	}
	return s
}
