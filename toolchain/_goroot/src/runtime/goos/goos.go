// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package goos is the set of hooks through which a GOOS=tamago runtime
// reaches the machine it runs on.
//
// The runtime has no operating system below it. Everything an OS would
// provide (memory bounds, a clock, a console, randomness, halting the CPU,
// starting other CPUs) is supplied by the program itself, normally by a
// board or CPU package such as github.com/usbarmory/tamago/amd64, which
// defines the functions and initialises the variables declared here by
// naming them with //go:linkname, for example
//
//	//go:linkname printk runtime/goos.Printk
//	func printk(c byte) { ... }
//
// The functions below have no body in this package: their bodies come from
// the program. The variables are defined here as zero and a definition with
// an initial value elsewhere in the program takes precedence at link time.
//
// Call order on amd64 (see runtime/os_tamago.go):
//
//	cpuinit (board, first instruction, 32-bit PVH entry)
//	  -> runtime rt0: TLS, g0 stack
//	  -> osinit: Hwinit0, InitRNG            (no heap yet)
//	  -> schedinit: heap ready -> Hwinit1    (heap, no goroutines yet)
//	  -> main goroutine: package init, main.main
package goos

import "unsafe"

// Memory given to the runtime: [RamStart, RamStart+RamSize) holds the
// program image, the heap and the initial stack, which starts at
// RamStart+RamSize-RamStackOffset and grows down.
var (
	RamStart       uint
	RamSize        uint
	RamStackOffset uint
)

// CPUinit is the program's first instruction (the ELF entry jumps there).
// It brings the CPU to 64-bit mode with paging and a stack and jumps to the
// runtime's _rt0_tamago_start. It must be written in assembly.
func CPUinit()

// Hwinit0 is called before the heap exists. It must not allocate.
func Hwinit0()

// InitRNG prepares GetRandomData. Called right after Hwinit0.
func InitRNG()

// GetRandomData fills b with random bytes. It must not allocate.
func GetRandomData(b []byte)

// Nanotime returns a monotonic time in nanoseconds. It is called before
// Hwinit1 and from contexts without a P, so it must not allocate.
func Nanotime() int64

// Printk writes one byte to the console. It is what runtime.print and
// panic messages use; it must not allocate.
func Printk(c byte)

// Hwinit1 is called once the heap works, before any package init runs.
func Hwinit1()

// Optional hooks, nil unless the program sets them.
var (
	// Bloc, if not zero, is where the heap starts instead of the end of
	// the program image.
	Bloc uintptr

	// Exit ends the program with a status (for example by writing to a
	// debug-exit port). Without it the CPU halts forever.
	Exit func(code int32)

	// Idle is called when no goroutine can run until the monotonic time
	// until (math.MaxInt64: no timer pending). It may return early, for
	// example after an interrupt; it should wait for one (HLT) to save
	// host CPU.
	Idle func(until int64)

	// ProcID returns the identifier of the current CPU.
	ProcID func() uint64

	// Task starts fn on another CPU with stack sp and the runtime's m and
	// g; without it the runtime has exactly one thread of execution.
	Task func(sp, mp, gp, fn unsafe.Pointer)
)
