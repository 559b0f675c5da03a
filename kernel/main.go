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
	"tamix/kernel/fuzztest" // registers the "fuzz" suite
	"tamix/kernel/ktap"
	"tamix/kernel/printk"
	_ "tamix/kernel/proctest"   // registers the "procfs" suite
	_ "tamix/kernel/schedtest"  // registers the "sched" suite
	_ "tamix/kernel/selftest"   // registers the "runtime" suite
	_ "tamix/kernel/signaltest" // registers the "signal" suite
	_ "tamix/kernel/threadtest" // registers the "thread" suite
	_ "tamix/kernel/usertest"   // registers the "user" suite
	_ "tamix/kernel/vfstest"    // registers the "vfs" suite
	"tamix/proc"
	"tamix/sched"
	"tamix/syscall"
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
	optFuzz     = "tamix.fuzz"     // the fuzz suite's SEED,CALLS,WORKERS
)

// StartKernel prints the banner and acts on the kernel command line.
// Does not return.
//
// Mirrors init/main.c:start_kernel() in name and place only: Linux sets
// up every subsystem here, while Tamix's board and Go runtime are already
// running when it is called from main.
func StartKernel() {
	printk.Kernel.Clock = boot.Uptime
	printk.Kernel.SetConsole(boot.Console, printk.DefaultConsoleLoglevel)
	info, err := boot.StartInfo()
	if err != nil {
		kprintf("tamix: no PVH start info: %v\n", err)
		info = &pvh.StartInfo{}
	}
	printBanner(kconsole{}, info)
	cmd := pvh.ParseCmdline(info.Cmdline)

	amd64.Init()
	amd64.Console = boot.Console
	kprintf("cpu: descriptor tables and SYSCALL installed; %v\n", amd64.CPUFeatures())
	amd64.SetTSCFreq(boot.TSCFreq) // user-time accounting (proc.runUser)
	rate := amd64.StartTimer(HZ, boot.TSCFreq)
	amd64.IdleClock = boot.Nanotime
	goos.Idle = amd64.Idle // sleep in HLT between ticks
	kprintf("timer: local APIC at %d.%03d MHz, tick %d Hz\n", rate/1e6, rate/1e3%1e3, HZ)
	if err := initMemory(info); err != nil {
		panic("tamix: memory: " + err.Error())
	}
	sched.Clock = boot.Uptime
	startConsoleTTY()
	kprintf("tty: ttyS0 on IRQ %d (I/O APIC), line discipline n_tty\n", boot.COM1IRQ)
	syscall.Log = proc.K.Log
	syscall.Uptime = boot.Uptime
	wallBoot := time.Now().UnixNano() - boot.Uptime()
	syscall.WallBoot = func() int64 { return wallBoot }
	syscall.Release = Version
	setupProcfs()
	// Linux's max_threads: task stacks may take an eighth of memory.
	proc.MaxThreads = int(proc.K.Pages.FreePageCount() * 4096 / 8 / proc.ThreadSize)
	initTrace(cmd)
	initPagePoison(cmd)
	proc.InitIdle() // from here on this goroutine is PID 0

	switch {
	case cmd.Has(optProbe):
		boot.PowerOff(boot.ExitSuccess)
	case cmd.Value(optSelftest, "") == "panic":
		panic("tamix: deliberate panic (tamix.selftest=panic)")
	case cmd.Value(optSelftest, "") == "sleep":
		sleepCheck()
	case cmd.Value(optSelftest, "") == "oops":
		oopsCheck()
	}
	bootCmdline = cmd
	bootInitArgs = pvh.InitArgs(info.Cmdline)
	RestInit()
}

// The command line, for kernelInit.
var (
	bootCmdline  pvh.Cmdline
	bootInitArgs []string
)

// RestInit creates the first two processes, in Linux's order, then
// becomes the idle task (PID 0) for good: PID 1, init, is a kernel thread
// that ends up exec'ing the init program (or running the in-guest tests);
// PID 2, kthreadd, creates every other kernel thread. Does not return.
// Mirrors init/main.c:rest_init() and cpu_startup_entry().
func RestInit() {
	proc.InitExit = initExited
	if _, err := proc.KernelThread(kernelInit, "init", proc.CLONE_FS); err != nil {
		panic("tamix: cannot create init: " + err.Error())
	}
	if _, err := proc.KernelThread(proc.Kthreadd, "kthreadd", proc.CLONE_FS|proc.CLONE_FILES); err != nil {
		panic("tamix: cannot create kthreadd: " + err.Error())
	}
	sched.IdleLoop()
}

// kernelInit is PID 1's kernel part: wait for kthreadd, then either run
// the in-guest tests (tamix.test=) or exec the init program (init=).
// Mirrors init/main.c:kernel_init().
func kernelInit() int {
	for !proc.KthreaddReady() {
		sched.Yield()
	}
	if _, err := proc.KthreadRun(khungtaskd, nil, "khungtaskd"); err != nil {
		kprintf("tamix: khungtaskd: %v\n", err)
	}
	cmd := bootCmdline
	switch {
	case cmd.Has(optTest):
		fuzztest.Args = cmd.Value(optFuzz, "")
		runTests(cmd.Value(optTest, "all"))
	case cmd.Has("init"):
		path := cmd.Value("init", "")
		err := proc.KernelExecve(path, append([]string{path}, bootInitArgs...), []string{"HOME=/", "TERM=linux"})
		kprintf("tamix: cannot run init %s: %v\n", path, err)
		boot.PowerOff(boot.ExitFailure)
	}
	kprintf("tamix: no init= and no tamix.test=; idling (quit QEMU with Ctrl-A X)\n")
	for {
		sched.SleepTimeout(time.Hour, nil)
	}
}

// initExited powers off when init ends, with its exit status: 0-127 its
// exit code, 128+N if signal N killed it (as a shell reports it).
func initExited(status int) {
	if sig := status & 0x7f; sig != 0 {
		kprintf("tamix: init killed by signal %d\n", sig)
		boot.PowerOff(128 + sig)
	}
	kprintf("tamix: init exited with status %d\n", status>>8&0xff)
	boot.PowerOff(status >> 8 & 0xff)
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
	kprintf("tamix: sleep-end (guest measured %v)\n", time.Since(start))
	boot.PowerOff(boot.ExitSuccess)
}

// oopsCheck faults in ring 0 on purpose: it reads address 8, in the
// unmapped page 0, as a nil-pointer bug would.
func oopsCheck() {
	fmt.Println("tamix: reading address 0x8 in kernel mode")
	p := (*uint64)(unsafe.Pointer(uintptr(8)))
	fmt.Println(*p) // not reached
}
