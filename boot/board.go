// Package boot is Tamix's board support for QEMU's microvm machine: the
// runtime/goos hooks that tamago leaves to a board (memory layout,
// console, clock, exit), the PVH start information, and the first
// instructions (cpuinit_amd64.s).
//
// It plays the part of tamago's board/qemu/microvm, which cannot be used
// as it is: its CPU setup needs 1 GiB pages and its clock needs kvmclock,
// and TCG has neither. The CPU itself is still tamago's amd64.CPU.
package boot

import (
	"runtime/goos"
	_ "unsafe" // for go:linkname

	"github.com/usbarmory/tamago/amd64"
	"github.com/usbarmory/tamago/soc/intel/rtc"
	"github.com/usbarmory/tamago/soc/intel/uart"
)

// Memory layout (physical = virtual, identity mapped by cpuinit):
//
//	0x000000-0x0fffff  firmware, PVH start info (QEMU's)
//	0x100000-0x107fff  early page tables and GDT (cpuinit_amd64.s)
//	RamStart           Go runtime: program image at RamStart+64 KiB, heap,
//	                   then the initial stack below the top RamStackOffset
//	RamStart+RamSize-  RAM left for the kernel's own page allocator
const (
	// RamStart is where the Go runtime's memory begins; the linker
	// places the kernel text at RamStart+0x10000 (-T in the Makefile).
	RamStart = 0x01000000 // 16 MiB
	// RamSize is the size of the Go runtime's memory.
	RamSize = 0x10000000 // 256 MiB
)

//go:linkname ramStart runtime/goos.RamStart
var ramStart uint = RamStart

//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = RamSize

// Devices of the microvm machine.
const (
	// COM1 is the serial console's I/O port.
	COM1 = 0x3f8
	// DebugExitPort is QEMU's isa-debug-exit device (qemu.sh adds it).
	DebugExitPort = 0xf4
)

var (
	// CPU is the boot processor (tamago's amd64 support).
	CPU = &amd64.CPU{TimerMultiplier: 1}
	// UART0 is the serial console.
	UART0 = &uart.UART{Index: 1, Base: COM1}
	// RTC is the CMOS real-time clock.
	RTC = &rtc.RTC{}
)

//go:linkname printk runtime/goos.Printk
func printk(c byte) {
	UART0.Tx(c)
}

//go:linkname nanotime runtime/goos.Nanotime
func nanotime() int64 {
	return CPU.GetTime()
}

// Exit statuses reported to the host through isa-debug-exit; qemu.sh
// turns them back into its own exit status.
const (
	ExitSuccess = 0  // everything passed
	ExitFailure = 1  // an in-guest test failed
	ExitPanic   = 99 // kernel panic or Go runtime fatal error
)

// PowerOff reports status to the host and stops the machine.
func PowerOff(status int) {
	runPowerOffHook()
	outl(DebugExitPort, uint32(status))
	haltForever() // without the device: stop here
}

// exitHook and idleHook are goos.Exit and goos.Idle from the first
// instruction on, so that even a fatal error during runtime start-up
// reaches the host.
//
//go:linkname exitHook runtime/goos.Exit
var exitHook = runtimeExit

//go:linkname idleHook runtime/goos.Idle
var idleHook = idle

// runtimeExit is goos.Exit. Go's runtime exits with status 2 after a
// panic or a fatal error: that is reported as ExitPanic.
func runtimeExit(code int32) {
	if code == 2 {
		code = ExitPanic
	}
	PowerOff(int(code))
}

// idle is goos.Idle. Until interrupts are set up the CPU cannot sleep
// and be woken by a timer, so it polls the clock; with nothing ever to
// wake for it halts for good.
func idle(until int64) {
	if until == 1<<63-1 {
		haltForever()
	}
	for i := 0; i < 100 && nanotime() < until; i++ {
		cpuRelax()
	}
}

// hwinit1 is goos.Hwinit1: it runs once the heap works, before any
// package init.
//
//go:linkname hwinit1 runtime/goos.Hwinit1
func hwinit1() {
	CPU.Init() // features, LAPIC address, TSC frequency if CPUID has it
	UART0.Init()
	goos.Exit = runtimeExit // CPU.Init set tamago's own hooks:
	goos.Idle = idle        // put Tamix's back
	initClock()
}

// Console is the serial console as an io.Writer. (tamago's UART.Write
// returns one byte less than it wrote, which a writer must not.)
var Console consoleWriter

type consoleWriter struct{}

func (consoleWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		UART0.Tx(c)
	}
	return len(p), nil
}
