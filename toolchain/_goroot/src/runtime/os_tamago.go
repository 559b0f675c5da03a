// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

// GOOS=tamago: the runtime on bare metal, with no operating system below
// it. What an OS would provide comes from the program through the hooks
// of package runtime/goos. The shape follows the single-threaded js/wasm
// and wasip1 ports (no signals, no sysmon, one M unless goos.Task starts
// more CPUs) and the plan9 port (sbrk-style memory on amd64).

package runtime

import (
	"internal/abi"
	"internal/runtime/atomic"
	"runtime/goos"
	"unsafe"
)

type mOS struct {
	// waitsema is the M's semaphore for lock_sema.go: 1 when signaled.
	waitsema uint32
}

type sigset struct{}

type gsignalStack struct{}

const _NSIG = 0

const preemptMSupported = false

func osinit() {
	physPageSize = 4096
	numCPUStartup = getCPUCount()
	// Board hooks that run before the heap exists.
	goos.Hwinit0()
	goos.InitRNG()
	initBloc()
	if goos.Bloc != 0 {
		bloc = memRound(goos.Bloc)
		blocMax = bloc
	}
}

// getCPUCount is 1: the runtime starts on one CPU and more only exist
// once the board starts them through goos.Task.
func getCPUCount() int32 {
	return 1
}

// goenvs is called by schedinit once the heap works and before any
// goroutine or package init runs: the point where the board's Hwinit1 is
// documented to run. There is no environment on bare metal.
func goenvs() {
	goos.Hwinit1()
	envs = []string{}
}

//go:nosplit
func readRandom(r []byte) int {
	goos.GetRandomData(r)
	return len(r)
}

// exit ends the program through goos.Exit, or halts the CPU.
//
//go:nosplit
func exit(code int32) {
	if goos.Exit != nil {
		goos.Exit(code)
	}
	tamagoHalt()
}

// tamagoHalt disables interrupts and halts the CPU forever.
func tamagoHalt()

// write1 sends console output (fd 1 and 2) to goos.Printk.
//
//go:nosplit
func write1(fd uintptr, p unsafe.Pointer, n int32) int32 {
	if fd != 1 && fd != 2 {
		return -1
	}
	for i := int32(0); i < n; i++ {
		goos.Printk(*(*byte)(add(p, uintptr(i))))
	}
	return n
}

func open(name *byte, mode, perm int32) int32        { return -1 }
func closefd(fd int32) int32                         { return -1 }
func read(fd int32, p unsafe.Pointer, n int32) int32 { return -1 }

//go:nosplit
func nanotime1() int64 {
	return goos.Nanotime()
}

// walltime is the same clock as nanotime: boards that know the date set
// it there (for example from the RTC), as tamago's amd64.CPU.SetTime does.
func walltime() (sec int64, nsec int32) {
	ns := nanotime()
	return ns / 1e9, int32(ns % 1e9)
}

//go:nosplit
func usleep(usec uint32) {
	end := nanotime() + int64(usec)*1000
	for nanotime() < end {
		procyield(10)
	}
}

//go:nosplit
func usleep_no_g(usec uint32) {
	usleep(usec)
}

//go:nosplit
func osyield() {
	procyield(10)
}

//go:nosplit
func osyield_no_g() {
	osyield()
}

func mpreinit(mp *m) {
	mp.gsignal = malg(32 * 1024)
	mp.gsignal.m = mp
}

func minit()          {}
func unminit()        {}
func mdestroy(mp *m)  {}
func semacreate(*m)   {}
func initsig(bool)    {}
func sigsave(*sigset) {}

// os_sigpipe: writing to a closed pipe raises no signal here.
//
//go:linkname os_sigpipe os.sigpipe
func os_sigpipe() {}

func msigrestore(sigset)   {}
func clearSignalHandlers() {}
func sigblock(bool)        {}
func sigdisable(uint32)    {}
func sigenable(uint32)     {}
func sigignore(uint32)     {}

func setProcessCPUProfiler(int32) {}
func setThreadCPUProfiler(int32)  {}

func signame(uint32) string { return "" }

func preemptM(*m) {}

func crash() { abort() }

// sigpanic turns a memory fault reported by the board's exception handler
// into a Go panic on the faulting goroutine.
func sigpanic() {
	if !canpanic() {
		throw("unexpected fault during runtime execution")
	}
	panicmem()
}

// semasleep waits for semawakeup on the current M, ns < 0 meaning forever.
// With one CPU nothing else can signal it, so waiting forever is a
// deadlock and throws instead of hanging silently.
//
//go:nosplit
func semasleep(ns int64) int32 {
	mp := getg().m
	if ns < 0 && goos.Task == nil {
		throw("semasleep: the only CPU would wait forever")
	}
	var deadline int64
	if ns >= 0 {
		deadline = nanotime() + ns
	}
	for {
		if atomic.Cas(&mp.waitsema, 1, 0) {
			return 0
		}
		if ns >= 0 && nanotime() >= deadline {
			return -1
		}
		procyield(10)
	}
}

//go:nosplit
func semawakeup(mp *m) {
	atomic.Store(&mp.waitsema, 1)
}

// newosproc starts mp on another CPU through goos.Task.
func newosproc(mp *m) {
	if goos.Task == nil {
		throw("newosproc: one CPU only (goos.Task not set)")
	}
	goos.Task(unsafe.Pointer(mp.g0.stack.hi), unsafe.Pointer(mp), unsafe.Pointer(mp.g0), unsafe.Pointer(abi.FuncPCABI0(mstart)))
}

func exitThread(wait *atomic.Uint32) {
	throw("exitThread")
}
