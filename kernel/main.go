// Package kernel is where Tamix starts after the board is up: the banner,
// the kernel command line and the choice between the in-guest self-tests
// and the interactive path.
package kernel

import (
	"fmt"
	"os"
	"runtime/goos"
	"strings"
	"time"
	"unsafe"

	"tamix/arch/amd64"
	_ "tamix/arch/amd64/archtest" // registers the "arch" suite
	"tamix/boot"
	"tamix/boot/pvh"
	"tamix/kernel/ktap"
	_ "tamix/kernel/selftest" // registers the "runtime" suite
)

// HZ is the scheduler tick rate (Linux's CONFIG_HZ; 250 is its common
// default): the local APIC timer interrupts every 4 ms.
const HZ = 250

// Version is the Tamix release shown in the banner.
const Version = "0.1.0"

// Kernel command-line options (see README.md).
const (
	optTest     = "tamix.test"     // run in-guest suites: "all" or a list
	optSelftest = "tamix.selftest" // "panic", "oops" or "sleep": harness checks
	optProbe    = "tamix.probe"    // print the banner and power off
)

// StartKernel prints the banner and acts on the kernel command line.
// Does not return.
//
// Mirrors init/main.c:start_kernel() in name and place only: Linux sets
// up every subsystem here, while Tamix's board and Go runtime are already
// running when it is called from main.
func StartKernel() {
	info, err := boot.StartInfo()
	if err != nil {
		fmt.Printf("tamix: no PVH start info: %v\n", err)
		info = &pvh.StartInfo{}
	}
	printBanner(os.Stdout, info)
	cmd := pvh.ParseCmdline(info.Cmdline)
	amd64.Init()
	amd64.Console = boot.UART0
	fmt.Printf("cpu: descriptor tables and SYSCALL installed; %v\n", amd64.CPUFeatures())
	rate := amd64.StartTimer(HZ, boot.TSCFreq)
	goos.Idle = amd64.Idle // sleep in HLT between ticks
	fmt.Printf("timer: local APIC at %d.%03d MHz, tick %d Hz\n", rate/1e6, rate/1e3%1e3, HZ)

	switch {
	case cmd.Has(optProbe):
		boot.PowerOff(boot.ExitSuccess)
	case cmd.Value(optSelftest, "") == "panic":
		panic("tamix: deliberate panic (tamix.selftest=panic)")
	case cmd.Value(optSelftest, "") == "sleep":
		sleepCheck()
	case cmd.Value(optSelftest, "") == "oops":
		oopsCheck()
	case cmd.Has(optTest):
		runTests(cmd.Value(optTest, "all"))
	}
	RestInit()
}

// runTests runs the in-guest suites named by spec and powers off with
// the verdict.
func runTests(spec string) {
	var filter []string
	if spec != "" && spec != "all" {
		filter = strings.Split(spec, ",")
	}
	if ktap.Run(os.Stdout, filter) {
		boot.PowerOff(boot.ExitSuccess)
	}
	boot.PowerOff(boot.ExitFailure)
}

// sleepCheck lets the host time a 2-second sleep against its own clock.
func sleepCheck() {
	fmt.Println("tamix: sleep-start")
	start := time.Now()
	time.Sleep(2 * time.Second)
	fmt.Printf("tamix: sleep-end (guest measured %v)\n", time.Since(start))
	boot.PowerOff(boot.ExitSuccess)
}

// oopsCheck faults in ring 0 on purpose: it reads address 8, in the
// unmapped page 0, as a nil-pointer bug would.
func oopsCheck() {
	fmt.Println("tamix: reading address 0x8 in kernel mode")
	p := (*uint64)(unsafe.Pointer(uintptr(8)))
	fmt.Println(*p) // not reached
}

// RestInit is where the kernel goes when no test was asked for.
//
// Mirrors init/main.c:rest_init(), which starts init (PID 1) and
// kthreadd (PID 2); Tamix has no processes yet, so it says so and idles.
func RestInit() {
	fmt.Println("tamix: no init process yet; idling (quit QEMU with Ctrl-A X)")
	select {}
}
