package procfs

import (
	"fmt"
	"strings"

	"tamix/fs"
	"tamix/mm"
)

// The system-wide files: fs/proc/meminfo.c, uptime.c, loadavg.c,
// stat.c, cpuinfo.c (arch/x86/kernel/cpu/proc.c), version.c and
// fs/proc_namespace.c's mounts.

// Uname is what /proc/version shows: the uname(2) fields, set by the
// kernel at boot.
var Uname = struct{ Sysname, Release, Version, Compiler string }{"Tamix", "0.1.0", "#1 0.1.0", "go"}

// FormatVersion formats /proc/version. Mirrors fs/proc/version.c with
// linux_proc_banner: "%s version %s (user@host) (compiler) %s".
func FormatVersion() string {
	return fmt.Sprintf("%s version %s (tamix@tamix) (%s) %s\n", Uname.Sysname, Uname.Release, Uname.Compiler, Uname.Version)
}

// FormatMeminfo formats /proc/meminfo: the label padded to 16 columns,
// the value in kB right-aligned in 8, as show_val_kb() does. MemTotal is
// the page allocator's memory (Linux's totalram_pages(): RAM less the
// kernel's own); the Go heap that holds tmpfs data and kernel objects is
// outside it. Tamix has no page cache, swap, slab or vmalloc, so those
// lines are 0; AnonPages is the rest of what is in use. Mirrors
// fs/proc/meminfo.c:meminfo_proc_show() for a kernel without highmem,
// zswap, THP or CMA.
func FormatMeminfo(s *SysInfo) string {
	kb := func(pages uint64) uint64 { return pages * (mm.PageSize / 1024) }
	used := s.TotalPages - min(s.FreePages, s.TotalPages)
	stacks := s.KernelStack / mm.PageSize
	anon := used - min(used, stacks+s.PageTables)
	lines := []struct {
		name string
		kb   uint64
	}{
		{"MemTotal", kb(s.TotalPages)}, {"MemFree", kb(s.FreePages)}, {"MemAvailable", kb(s.FreePages)},
		{"Buffers", 0}, {"Cached", kb(s.Shmem)}, {"SwapCached", 0},
		{"Active", kb(anon)}, {"Inactive", 0}, {"Active(anon)", kb(anon)}, {"Inactive(anon)", 0},
		{"Active(file)", 0}, {"Inactive(file)", 0}, {"Unevictable", 0}, {"Mlocked", 0},
		{"SwapTotal", 0}, {"SwapFree", 0}, {"Dirty", 0}, {"Writeback", 0},
		{"AnonPages", kb(anon)}, {"Mapped", 0}, {"Shmem", kb(s.Shmem)}, {"KReclaimable", 0},
		{"Slab", 0}, {"SReclaimable", 0}, {"SUnreclaim", 0}, {"KernelStack", s.KernelStack / 1024},
		{"PageTables", kb(s.PageTables)}, {"SecPageTables", 0}, {"NFS_Unstable", 0}, {"Bounce", 0},
		{"WritebackTmp", 0}, {"CommitLimit", kb(s.TotalPages / 2)}, {"Committed_AS", kb(used)},
		{"VmallocTotal", 0}, {"VmallocUsed", 0}, {"VmallocChunk", 0}, {"Percpu", 0},
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%-16s%8d kB\n", l.name+":", l.kb)
	}
	for _, n := range []string{"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"} {
		fmt.Fprintf(&b, "%-16s%8d\n", n+":", 0)
	}
	fmt.Fprintf(&b, "%-16s%8d kB\n%-16s%8d kB\n", "Hugepagesize:", 2048, "Hugetlb:", 0)
	return b.String()
}

// centi formats ns as seconds with two decimals ("%lu.%02lu").
func centi(ns int64) string {
	cs := ns / 1e7
	return fmt.Sprintf("%d.%02d", cs/100, cs%100)
}

// FormatUptime formats /proc/uptime: seconds since boot and seconds
// the CPU spent idle. Mirrors fs/proc/uptime.c:uptime_proc_show().
func FormatUptime(s *SysInfo) string {
	return centi(s.Uptime) + " " + centi(s.Idle) + "\n"
}

// FormatLoadavg formats /proc/loadavg: the three load averages (Tamix
// computes none yet: 0.00), runnable/total tasks and the last PID.
// Mirrors fs/proc/loadavg.c:loadavg_proc_show().
func FormatLoadavg(s *SysInfo) string {
	return fmt.Sprintf("0.00 0.00 0.00 %d/%d %d\n", s.Running, s.Threads, s.LastPID)
}

// FormatStat formats /proc/stat for one CPU: the cpu and cpu0 lines in
// USER_HZ ticks (user nice system idle iowait irq softirq steal guest
// guest_nice), interrupts (Tamix counts none: 0), context switches,
// boot time, forks and the running and blocked counts. Mirrors
// fs/proc/stat.c:show_stat().
func FormatSysStat(s *SysInfo) string {
	var b strings.Builder
	cpu := fmt.Sprintf("%d 0 %d %d 0 0 0 0 0 0", nsToClockT(s.User), nsToClockT(s.System), nsToClockT(s.Idle))
	fmt.Fprintf(&b, "cpu  %s\ncpu0 %s\n", cpu, cpu)
	fmt.Fprintf(&b, "intr 0\nctxt %d\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked %d\n",
		s.Switches, s.BootTime, s.Forks, s.Running, s.Blocked)
	b.WriteString("softirq 0 0 0 0 0 0 0 0 0 0 0\n")
	return b.String()
}

// CPUInfo is what /proc/cpuinfo shows of the one CPU; the kernel fills
// it from CPUID at boot.
type CPUInfo struct {
	Vendor, ModelName       string
	Family, Model, Stepping int
	CPUIDLevel              int
	MHz                     float64
	Flags                   []string
	PhysBits, VirtBits      int
	CLFlush                 int
}

// CPU is the boot CPU's description.
var CPU = CPUInfo{Vendor: "unknown", ModelName: "unknown", PhysBits: 40, VirtBits: 48, CLFlush: 64}

// FormatCpuinfo formats /proc/cpuinfo for processor 0. Mirrors
// arch/x86/kernel/cpu/proc.c:show_cpuinfo(); bogomips is twice the
// clock in MHz, as Linux's calibration gives on modern CPUs.
func FormatCpuinfo(c *CPUInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\n", c.Vendor, c.Family, c.Model)
	fmt.Fprintf(&b, "model name\t: %s\nstepping\t: %d\ncpu MHz\t\t: %.3f\n", c.ModelName, c.Stepping, c.MHz)
	b.WriteString("physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\ninitial apicid\t: 0\n")
	fmt.Fprintf(&b, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %d\nwp\t\t: yes\n", c.CPUIDLevel)
	fmt.Fprintf(&b, "flags\t\t: %s\nbugs\t\t:\nbogomips\t: %.2f\n", strings.Join(c.Flags, " "), 2*c.MHz)
	fmt.Fprintf(&b, "clflush size\t: %d\ncache_alignment\t: %d\n", c.CLFlush, c.CLFlush)
	fmt.Fprintf(&b, "address sizes\t: %d bits physical, %d bits virtual\npower management:\n\n", c.PhysBits, c.VirtBits)
	return b.String()
}

// cpuidFlags names CPUID leaf 1's EDX bits (then ECX's), in Linux's
// cpufeatures.h spelling; "" for bits Linux does not show.
var cpuidFlags = [2][32]string{
	{"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep", "mtrr", "pge", "mca", "cmov",
		"pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"},
	{"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
		"", "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "", "avx", "f16c", "rdrand", "hypervisor"},
}

// CPUFlags returns the flag names of CPUID leaf 1's EDX and ECX.
func CPUFlags(edx, ecx uint32) []string {
	var out []string
	for i, reg := range []uint32{edx, ecx} {
		for bit := 0; bit < 32; bit++ {
			if reg&(1<<bit) != 0 && cpuidFlags[i][bit] != "" {
				out = append(out, cpuidFlags[i][bit])
			}
		}
	}
	return out
}

// mangle escapes space, tab, newline and backslash as octal, as
// fs/proc_namespace.c's mangle() does for /proc/mounts.
func mangle(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\\':
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FormatMounts formats /proc/mounts (and /proc/PID/mounts) for a task
// whose root is root: "source mountpoint type options 0 0", every mount
// read-write. Mirrors fs/proc_namespace.c:show_vfsmnt(); Tamix has no
// mount options to show but rw and relatime.
func FormatMounts(mounts []*fs.Mount, root fs.Path) string {
	var b strings.Builder
	for _, m := range mounts {
		var where string
		if m.Parent == m {
			where = fs.PathName(fs.Path{Mnt: m, Dentry: m.Root}, root)
		} else {
			where = fs.PathName(fs.Path{Mnt: m.Parent, Dentry: m.Mountpoint}, root)
		}
		src := m.Source
		if src == "" {
			src = "none"
		}
		opts := "rw,relatime"
		if m.Parent == m {
			opts = "rw"
		}
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", mangle(src), mangle(where), m.SB.Type.Name, opts)
	}
	return b.String()
}

// FormatFilesystems formats /proc/filesystems: every type is "nodev"
// (none needs a block device). Mirrors fs/filesystems.c:filesystems_proc_show().
func FormatFilesystems(names []string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "nodev\t%s\n", n)
	}
	return b.String()
}
