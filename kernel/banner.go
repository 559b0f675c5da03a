package kernel

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"tamix/boot"
	"tamix/boot/pvh"
)

// printBanner shows what the kernel is running on: version, CPU, clock,
// command line and memory map.
func printBanner(w io.Writer, info *pvh.StartInfo) {
	fmt.Fprintf(w, "Tamix %s (%s %s/%s, tamago %s)\n", Version, runtime.Version(),
		runtime.GOOS, runtime.GOARCH, tamagoVersion())
	fmt.Fprintf(w, "cpu: %s, %s\n", cpuVendor(), strings.TrimSpace(runtime.CPU()))
	fmt.Fprintf(w, "clock: %s, TSC %d.%03d MHz\n", boot.ClockSource,
		boot.TSCFreq/1e6, boot.TSCFreq/1e3%1e3)
	if boot.WallClock {
		fmt.Fprintf(w, "rtc: %s\n", timeNow())
	}
	fmt.Fprintf(w, "command line: %q\n", info.Cmdline)
	fmt.Fprintf(w, "memory map (PVH start info v%d):\n", info.Version)
	for _, r := range info.MemMap {
		fmt.Fprintf(w, "  %v\n", r)
	}
	for i, m := range info.Modules {
		fmt.Fprintf(w, "module %d: [mem %#010x-%#010x] %q\n", i, m.Addr, m.Addr+m.Size-1, m.Cmdline)
	}
	start, end := runtime.MemRegion()
	fmt.Fprintf(w, "go runtime memory: [mem %#010x-%#010x] (%d MiB)\n", start, end-1, (end-start)>>20)
}

// tamagoVersion is the version of github.com/usbarmory/tamago linked in.
func tamagoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/usbarmory/tamago" {
				return d.Version
			}
		}
	}
	return "unknown"
}

// cpuVendor is the CPUID vendor string (leaf 0: EBX, EDX, ECX).
func cpuVendor() string {
	_, b, c, d := boot.CPU.CPUID(0, 0)
	var s []byte
	for _, r := range []uint32{b, d, c} {
		s = append(s, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return string(s)
}
