package procfs

import (
	"fmt"
	"strings"

	"tamix/mm"
)

// The per-task text files of fs/proc/array.c and fs/proc/task_mmu.c.

// UserHZ is USER_HZ: the clock ticks /proc's times are counted in.
const UserHZ = 100

// nsToClockT converts nanoseconds to clock ticks (nsec_to_clock_t()).
func nsToClockT(ns int64) int64 { return ns / (1e9 / UserHZ) }

// rlimInfinity is RLIM_INFINITY as an unsigned long.
const rlimInfinity = ^uint64(0)

// stateNames are task_state_array's entries for the letters Tamix uses.
var stateNames = map[byte]string{
	'R': "R (running)", 'S': "S (sleeping)", 'D': "D (disk sleep)", 'T': "T (stopped)",
	't': "t (tracing stop)", 'X': "X (dead)", 'Z': "Z (zombie)", 'P': "P (parked)", 'I': "I (idle)",
}

// stateName returns the State: line's text for letter s.
func stateName(s byte) string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return "R (running)"
}

// FormatStat formats /proc/PID/stat: 52 fields on one line. Mirrors
// fs/proc/array.c:do_task_stat(); kstkesp and kstkeip are 0 as Linux
// shows them for a live task, wchan is the 0/1 flag.
func FormatStat(t *TaskInfo) string {
	var b strings.Builder
	var vsize, rss, startCode, endCode, startStack uint64
	if t.HasMM {
		vsize = uint64(t.Mem.TotalVM) * mm.PageSize
		rss = uint64(t.Mem.RSS)
		startCode, endCode, startStack = t.Layout.StartCode, t.Layout.EndCode, t.Layout.StartStack
	}
	wchan := 0
	if t.State != 'R' && t.Threads < 2 {
		wchan = 1
	}
	const low31 = 0x7fffffff
	fmt.Fprintf(&b, "%d (%.64s) %c %d %d %d %d %d %d", t.PID, t.Comm, t.State, t.PPID, t.Pgrp, t.Session,
		t.TTYNr, t.TPGID, t.Flags)
	fmt.Fprintf(&b, " %d %d %d %d %d %d %d %d %d %d %d 0 %d", t.MinFlt, t.CMinFlt, t.MajFlt, t.CMajFlt,
		nsToClockT(t.Utime), nsToClockT(t.Stime), nsToClockT(t.CUtime), nsToClockT(t.CStime),
		t.Priority, t.Nice, t.Threads, nsToClockT(t.StartTime))
	fmt.Fprintf(&b, " %d %d %d %d %d %d 0 0", vsize, rss, t.RSSLim, startCode, endCode, startStack)
	fmt.Fprintf(&b, " %d %d %d %d %d 0 0 %d %d 0 0 0 0 0", t.SigPnd&low31, t.SigBlk&low31,
		t.SigIgn&low31, t.SigCgt&low31, wchan, t.ExitSignal, t.Processor)
	if t.HasMM {
		l := &t.Layout
		fmt.Fprintf(&b, " %d %d %d %d %d %d %d", l.StartData, l.EndData, t.Mem.StartBrk,
			l.ArgStart, l.ArgEnd, l.EnvStart, l.EnvEnd)
	} else {
		b.WriteString(" 0 0 0 0 0 0 0")
	}
	fmt.Fprintf(&b, " %d\n", t.ExitCode)
	return b.String()
}

// textPages returns the pages of the text segment (VmExe, statm's text).
func textPages(l *mm.ExecLayout) uint64 {
	if l.EndCode <= l.StartCode {
		return 0
	}
	return (pageAlign(l.EndCode) - l.StartCode&^(mm.PageSize-1)) / mm.PageSize
}

func pageAlign(a uint64) uint64 { return (a + mm.PageSize - 1) &^ (mm.PageSize - 1) }

// FormatStatm formats /proc/PID/statm: size, resident, shared, text,
// lib (0), data and dt (0), in pages. Mirrors proc_pid_statm().
func FormatStatm(t *TaskInfo) string {
	if !t.HasMM {
		return "0 0 0 0 0 0 0\n"
	}
	m := &t.Mem
	return fmt.Sprintf("%d %d %d %d 0 %d 0\n", m.TotalVM, m.RSS, 0, textPages(&t.Layout), m.DataVM+m.StackVM)
}

// escapeName escapes a task name for status's Name: line, as
// seq_escape_str(ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\") does.
func escapeName(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\t", "\\t", "\r", "\\r", "\f", "\\f", "\v", "\\v")
	return r.Replace(s)
}

// FormatStatus formats /proc/PID/status. Mirrors fs/proc/array.c:
// proc_pid_status() with task_state(), task_mem(), task_sig(),
// task_cap(), task_seccomp(), task_cpus_allowed() and
// task_context_switch_counts(). Tamix has one CPU, root credentials
// with every capability, no THP, no seccomp and no speculation controls.
func FormatStatus(t *TaskInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\n", escapeName(t.Comm))
	if t.Umask >= 0 {
		fmt.Fprintf(&b, "Umask:\t%04o\n", t.Umask)
	}
	kthread := 0
	if t.Kthread {
		kthread = 1
	}
	fmt.Fprintf(&b, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		stateName(t.State), t.TGID, t.PID, t.PPID)
	fmt.Fprintf(&b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\nGroups:\t \n", t.FDSize)
	fmt.Fprintf(&b, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t%d\n",
		t.TGID, t.PID, t.Pgrp, t.Session, kthread)
	if t.HasMM {
		writeTaskMem(&b, t)
		b.WriteString("CoreDumping:\t0\nTHP_enabled:\t0\nuntag_mask:\t0xffffffffffffffff\n")
	}
	fmt.Fprintf(&b, "Threads:\t%d\nSigQ:\t%d/%d\n", t.Threads, t.SigQ, t.SigQLim)
	fmt.Fprintf(&b, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		t.SigPnd, t.ShdPnd, t.SigBlk, t.SigIgn, t.SigCgt)
	const allCaps = "000001ffffffffff" // CAP_LAST_CAP 40
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%016x\n", 0, allCaps, allCaps, allCaps, 0)
	b.WriteString("NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n")
	b.WriteString("Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunsupported\n")
	b.WriteString("Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n")
	fmt.Fprintf(&b, "voluntary_ctxt_switches:\t%d\nnonvoluntary_ctxt_switches:\t%d\n", t.Nvcsw, t.Nivcsw)
	return b.String()
}

// writeTaskMem writes the Vm lines of status. Tamix keeps no high-water
// marks, so VmPeak and VmHWM are the current sizes; every page is
// anonymous (RssAnon = VmRSS). Mirrors fs/proc/task_mmu.c:task_mem().
func writeTaskMem(b *strings.Builder, t *TaskInfo) {
	m := &t.Mem
	kb := func(pages int) uint64 { return uint64(pages) * (mm.PageSize / 1024) }
	text := textPages(&t.Layout) * (mm.PageSize / 1024)
	lib := kb(m.ExecVM)
	if lib > text {
		lib -= text
	} else {
		lib = 0
	}
	lines := []struct {
		name string
		kb   uint64
	}{
		{"VmPeak", kb(m.TotalVM)}, {"VmSize", kb(m.TotalVM)}, {"VmLck", 0}, {"VmPin", 0},
		{"VmHWM", kb(m.RSS)}, {"VmRSS", kb(m.RSS)}, {"RssAnon", kb(m.RSS)}, {"RssFile", 0},
		{"RssShmem", 0}, {"VmData", kb(m.DataVM)}, {"VmStk", kb(m.StackVM)}, {"VmExe", text},
		{"VmLib", lib}, {"VmPTE", kb(m.Tables)}, {"VmSwap", 0}, {"HugetlbPages", 0},
	}
	for _, l := range lines {
		fmt.Fprintf(b, "%s:\t%8d kB\n", l.name, l.kb)
	}
}
