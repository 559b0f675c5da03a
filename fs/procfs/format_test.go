package procfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tamix/mm"
)

// The formatters against the host's own /proc: same fields in the same
// order and layout. Skipped where the host has no /proc.

func hostFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Skipf("no host %s: %v", name, err)
	}
	return string(b)
}

func sampleTask() *TaskInfo {
	return &TaskInfo{PID: 42, TGID: 42, PPID: 1, Pgrp: 42, Session: 1, TPGID: -1, Comm: "a b) c",
		State: 'S', Utime: 3e9, Stime: 1e9, Nice: -5, Priority: 15, Threads: 2, StartTime: 12345e7,
		ExitSignal: 17, Umask: 0o22, FDSize: 64, SigBlk: 1 << 1, SigIgn: 1 << 12, SigCgt: 1<<16 | 1<<33,
		SigQLim: 100, RSSLim: rlimInfinity, HasMM: true,
		Mem: mm.MemCounts{TotalVM: 100, DataVM: 10, StackVM: 32, ExecVM: 5, RSS: 20, Tables: 4, StartBrk: 0x600000},
		Layout: mm.ExecLayout{StartCode: 0x401000, EndCode: 0x405123, StartData: 0x406000, EndData: 0x407000,
			ArgStart: 0x7fff0000, ArgEnd: 0x7fff0010, EnvStart: 0x7fff0010, EnvEnd: 0x7fff0020, StartStack: 0x7ffeff00}}
}

// statFields splits a stat line after the command, which may hold
// spaces and parentheses (the last ')' ends it, as ps reads it).
func statFields(t *testing.T, line string) (pid, comm string, rest []string) {
	t.Helper()
	open, close := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || close < open {
		t.Fatalf("no (comm) in %q", line)
	}
	return strings.TrimSpace(line[:open]), line[open+1 : close], strings.Fields(line[close+1:])
}

func TestStatMatchesHostShape(t *testing.T) {
	host := hostFile(t, "/proc/self/stat")
	_, _, hostRest := statFields(t, host)
	got := FormatStat(sampleTask())
	if !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 1 {
		t.Fatalf("not one line: %q", got)
	}
	pid, comm, rest := statFields(t, got)
	if len(rest) != len(hostRest) {
		t.Fatalf("%d fields after the command, host has %d:\n%s%s", len(rest), len(hostRest), got, host)
	}
	if pid != "42" || comm != "a b) c" || rest[0] != "S" {
		t.Errorf("pid %q comm %q state %q", pid, comm, rest[0])
	}
	// Fields by their proc(5) numbers (field 3 is rest[0]).
	field := func(n int) string { return rest[n-3] }
	for n, want := range map[int]string{4: "1", 5: "42", 6: "1", 8: "-1", 14: "300", 15: "100", 18: "15",
		19: "-5", 20: "2", 22: "12345", 23: "409600", 24: "20", 26: "4198400", 38: "17", 45: "4218880",
		48: "2147418112", 52: "0"} {
		if field(n) != want {
			t.Errorf("field %d = %q, want %q", n, field(n), want)
		}
	}
	// Signal sets keep their 31 low bits: signal 34's bit is dropped.
	if field(32) != "2" || field(33) != "4096" || field(34) != "65536" {
		t.Errorf("blocked %s, sigignore %s, sigcatch %s", field(32), field(33), field(34))
	}
	for i, f := range rest[1:] {
		if _, err := strconv.ParseInt(f, 10, 64); err != nil {
			if _, err := strconv.ParseUint(f, 10, 64); err != nil {
				t.Errorf("field %d %q is not a number", i+4, f)
			}
		}
	}
}

func TestStatWithoutMM(t *testing.T) {
	ti := sampleTask()
	ti.HasMM, ti.Kthread = false, true
	_, _, rest := statFields(t, FormatStat(ti))
	for _, n := range []int{23, 24, 26, 27, 28, 45, 46, 47, 48, 49, 50, 51} {
		if rest[n-3] != "0" {
			t.Errorf("field %d = %s for a task without an MM", n, rest[n-3])
		}
	}
}

// keysOf returns the "Key:" names of a status or meminfo text in order.
func keysOf(text string) []string {
	var keys []string
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		k, _, ok := strings.Cut(l, ":")
		if ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// checkSubsequence fails unless every key of ours is in host's, in the
// same order (the host's kernel may show more).
func checkSubsequence(t *testing.T, ours, host []string) {
	t.Helper()
	j := 0
	for _, k := range ours {
		for j < len(host) && host[j] != k {
			j++
		}
		if j == len(host) {
			t.Errorf("key %q missing from the host's file or out of order\nours: %v\nhost: %v", k, ours, host)
			return
		}
	}
}

func TestStatusMatchesHost(t *testing.T) {
	host := hostFile(t, "/proc/self/status")
	got := FormatStatus(sampleTask())
	checkSubsequence(t, keysOf(got), keysOf(host))
	hostLines := map[string]string{}
	for _, l := range strings.Split(host, "\n") {
		k, v, _ := strings.Cut(l, ":")
		hostLines[k] = v
	}
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		k, v, ok := strings.Cut(l, ":\t")
		if !ok {
			t.Errorf("line %q has no \":\\t\"", l)
			continue
		}
		hv := strings.TrimPrefix(hostLines[k], "\t")
		// Same layout: kB lines right-aligned in 8 columns, sigsets in 16 hex digits.
		if strings.HasSuffix(hv, " kB") && len(v) != len(hv) && len(hv) == 11 {
			t.Errorf("%s: %q is laid out unlike the host's %q", k, v, hv)
		}
		if strings.HasPrefix(k, "Sig") && k != "SigQ" && len(v) != len(hv) {
			t.Errorf("%s: %q, host %q", k, v, hv)
		}
	}
	for _, want := range []string{"Name:\ta b) c\n", "State:\tS (sleeping)\n", "Tgid:\t42\n", "PPid:\t1\n",
		"Threads:\t2\n", "VmRSS:\t      80 kB\n", "VmExe:\t      20 kB\n", "Umask:\t0022\n", "SigBlk:\t0000000000000002\n",
		"SigCgt:\t0000000200010000\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
}

func TestStatusNameEscaped(t *testing.T) {
	ti := sampleTask()
	ti.Comm = "x\ny\\"
	if got := FormatStatus(ti); !strings.HasPrefix(got, "Name:\tx\\ny\\\\\n") {
		t.Errorf("got %q", got[:20])
	}
}

func TestStatmShape(t *testing.T) {
	host := strings.Fields(hostFile(t, "/proc/self/statm"))
	got := strings.Fields(FormatStatm(sampleTask()))
	if len(got) != len(host) {
		t.Fatalf("%d fields, host %d", len(got), len(host))
	}
	if strings.Join(got, " ") != "100 20 0 5 0 42 0" {
		t.Errorf("statm %v", got)
	}
}

func TestMeminfoMatchesHost(t *testing.T) {
	host := hostFile(t, "/proc/meminfo")
	s := &SysInfo{TotalPages: 1000, FreePages: 600, KernelStack: 4 * 16384, PageTables: 10}
	got := FormatMeminfo(s)
	checkSubsequence(t, keysOf(got), keysOf(host))
	line := regexp.MustCompile(`^[A-Za-z0-9_()]+:\s+\d+( kB)?$`)
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("bad line %q", l)
		}
		// Values end in column 24 as show_val_kb()'s 16 + 8 make them.
		if v := strings.TrimSuffix(l, " kB"); len(v) != 24 {
			t.Errorf("%q: value ends at column %d, not 24", l, len(v))
		}
	}
	hostLine := strings.Split(host, "\n")[0] // MemTotal, right-aligned likewise
	if n := len(strings.TrimSuffix(hostLine, " kB")); n != 24 && len(strings.Fields(hostLine)[1]) <= 8 {
		t.Errorf("host's MemTotal ends at column %d", n)
	}
	for _, want := range []string{"MemTotal:           4000 kB\n", "MemFree:            2400 kB\n",
		"KernelStack:          64 kB\n", "PageTables:           40 kB\n", "AnonPages:          1496 kB\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("meminfo lacks %q", want)
		}
	}
}

func TestUptimeLoadavgStat(t *testing.T) {
	s := &SysInfo{Uptime: 12345678901, Idle: 99e7, User: 25e7, System: 5e8, Running: 2, Threads: 7, LastPID: 99,
		BootTime: 1700000000, Forks: 120, Switches: 4000}
	up := regexp.MustCompile(`^\d+\.\d\d \d+\.\d\d\n$`)
	if got := FormatUptime(s); got != "12.34 0.99\n" || !up.MatchString(hostFile(t, "/proc/uptime")) {
		t.Errorf("uptime %q", got)
	}
	la := regexp.MustCompile(`^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+\n$`)
	if got := FormatLoadavg(s); got != "0.00 0.00 0.00 2/7 99\n" || !la.MatchString(hostFile(t, "/proc/loadavg")) {
		t.Errorf("loadavg %q", got)
	}
	got := FormatSysStat(s)
	host := hostFile(t, "/proc/stat")
	hostCPU := strings.Fields(strings.Split(host, "\n")[0])
	ourCPU := strings.Fields(strings.Split(got, "\n")[0])
	if len(ourCPU) != len(hostCPU) || ourCPU[0] != "cpu" || !strings.HasPrefix(got, "cpu  25 0 50 99 ") {
		t.Errorf("cpu line %v, host %v", ourCPU, hostCPU)
	}
	var ourKeys, hostKeys []string
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		ourKeys = append(ourKeys, strings.Fields(l)[0])
	}
	for _, l := range strings.Split(strings.TrimSpace(host), "\n") {
		if k := strings.Fields(l)[0]; !strings.HasPrefix(k, "cpu") || k == "cpu" || k == "cpu0" {
			hostKeys = append(hostKeys, k)
		}
	}
	checkSubsequence(t, ourKeys, hostKeys)
	for _, want := range []string{"ctxt 4000\n", "btime 1700000000\n", "processes 120\n", "procs_running 2\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("stat lacks %q", want)
		}
	}
}

func TestCpuinfoKeysMatchHost(t *testing.T) {
	host := hostFile(t, "/proc/cpuinfo")
	first := strings.Split(host, "\n\n")[0]
	c := CPUInfo{Vendor: "GenuineIntel", ModelName: "x", Family: 6, Model: 85, MHz: 2000, Flags: CPUFlags(1|1<<4, 1<<31),
		PhysBits: 40, VirtBits: 48, CLFlush: 64}
	got := FormatCpuinfo(&c)
	var ours, theirs []string
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		k, _, _ := strings.Cut(l, ":")
		ours = append(ours, strings.TrimRight(k, "\t "))
	}
	for _, l := range strings.Split(first, "\n") {
		k, _, _ := strings.Cut(l, ":")
		theirs = append(theirs, strings.TrimRight(k, "\t "))
	}
	checkSubsequence(t, ours, theirs)
	if !strings.Contains(got, "flags\t\t: fpu tsc hypervisor\n") || !strings.HasSuffix(got, "\n\n") {
		t.Errorf("cpuinfo:\n%s", got)
	}
}

func TestVersionShape(t *testing.T) {
	host := hostFile(t, "/proc/version")
	re := regexp.MustCompile(`^\S+ version \S+ \(\S+@\S+\) \(.*\) #.*\n$`)
	if !re.MatchString(host) {
		t.Skipf("host's version line differs: %q", host)
	}
	if got := FormatVersion(); !re.MatchString(got) {
		t.Errorf("version %q", got)
	}
}

func TestMangle(t *testing.T) {
	if got := mangle("a b\tc\\d\n"); got != `a\040b\011c\134d\012` {
		t.Errorf("got %q", got)
	}
	if got := FormatFilesystems([]string{"proc", "tmpfs"}); got != "nodev\tproc\nnodev\ttmpfs\n" {
		t.Errorf("got %q", got)
	}
}

// TestSysinfoLayout compiles a C program that prints the offsets of
// struct sysinfo and checks EncodeSysinfo against them.
func TestSysinfoLayout(t *testing.T) {
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	src := `#include <stdio.h>
#include <stddef.h>
#include <sys/sysinfo.h>
int main(void) { printf("%zu %zu %zu %zu %zu %zu %zu", sizeof(struct sysinfo), offsetof(struct sysinfo, totalram),
 offsetof(struct sysinfo, freeram), offsetof(struct sysinfo, sharedram), offsetof(struct sysinfo, procs),
 offsetof(struct sysinfo, mem_unit), offsetof(struct sysinfo, loads)); return 0; }`
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "s.c"), []byte(src), 0o644))
	if out, err := exec.Command(cc, "-o", filepath.Join(dir, "s"), filepath.Join(dir, "s.c")).CombinedOutput(); err != nil {
		t.Skipf("gcc: %v %s", err, out)
	}
	out, err := exec.Command(filepath.Join(dir, "s")).Output()
	must(err)
	if got := string(out); got != "112 32 40 48 80 104 8" {
		t.Fatalf("host layout %q differs from EncodeSysinfo's", got)
	}
	b := EncodeSysinfo(&SysInfo{Uptime: 1e9 + 1, TotalPages: 2, FreePages: 1, Threads: 3})
	if len(b) != SysinfoSize || b[0] != 2 || b[33] != 0x20 || b[41] != 0x10 || b[80] != 3 || b[104] != 1 {
		t.Errorf("encoded %v", b)
	}
}
