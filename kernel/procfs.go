package kernel

import (
	"encoding/binary"
	"runtime"
	"strings"

	"tamix/arch/amd64"
	"tamix/boot"
	"tamix/fs/procfs"
)

// setupProcfs tells /proc what uname says and what the CPU is: the
// kernel's version for /proc/version, CPUID's vendor, signature, brand
// string and feature flags for /proc/cpuinfo. Mirrors what
// arch/x86/kernel/cpu/common.c:identify_cpu() records in cpuinfo_x86.
func setupProcfs() {
	procfs.Uname.Release = Version
	procfs.Uname.Version = "#1 " + Version
	procfs.Uname.Compiler = runtime.Version()
	c := &procfs.CPU
	maxLeaf, b, cx, d := amd64.CPUID(0, 0)
	c.CPUIDLevel = int(maxLeaf)
	c.Vendor = regString(b, d, cx)
	sig, _, ecx, edx := amd64.CPUID(1, 0)
	c.Family = int(sig >> 8 & 0xf)
	c.Model = int(sig >> 4 & 0xf)
	if c.Family == 6 || c.Family == 15 {
		c.Model |= int(sig >> 12 & 0xf0)
	}
	if c.Family == 15 {
		c.Family += int(sig >> 20 & 0xff)
	}
	c.Stepping = int(sig & 0xf)
	c.Flags = procfs.CPUFlags(edx, ecx)
	c.MHz = float64(boot.TSCFreq) / 1e6
	if ext, _, _, _ := amd64.CPUID(0x80000000, 0); ext >= 0x80000004 {
		var name []string
		for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
			a, b, cx, d := amd64.CPUID(leaf, 0)
			name = append(name, regString(a, b, cx, d))
		}
		c.ModelName = strings.TrimSpace(strings.Join(name, ""))
	}
	if ext, _, _, _ := amd64.CPUID(0x80000000, 0); ext >= 0x80000008 {
		a, _, _, _ := amd64.CPUID(0x80000008, 0)
		c.PhysBits, c.VirtBits = int(a&0xff), int(a>>8&0xff)
	}
}

// regString turns CPUID registers into the ASCII they hold, NULs dropped.
func regString(regs ...uint32) string {
	var b []byte
	for _, r := range regs {
		b = binary.LittleEndian.AppendUint32(b, r)
	}
	return strings.TrimRight(string(b), "\x00")
}
