// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package runtime

import (
	"internal/cpu"
	"runtime/goos"
	"unsafe"
)

// Exported for board and CPU packages (github.com/usbarmory/tamago and
// Tamix). They exist only with GOOS=tamago.

// MemRegion returns the bounds of the memory given to the runtime.
func MemRegion() (start uintptr, end uintptr) {
	return uintptr(goos.RamStart), uintptr(goos.RamStart + goos.RamSize)
}

// CPU returns the processor's brand string.
func CPU() string {
	return cpu.Name()
}

// GetG returns the calling goroutine and its M, as integers, so that an
// interrupt handler can later name the goroutine to WakeG.
func GetG() (gp uint, mp uint) {
	startTamagoWaker()
	g := getg()
	return uint(uintptr(unsafe.Pointer(g))), uint(uintptr(unsafe.Pointer(g.m)))
}

// Asleep reports whether goroutine gp is blocked in time.Sleep.
func Asleep(gp uint) bool {
	g := (*g)(unsafe.Pointer(uintptr(gp)))
	return readgstatus(g) == _Gwaiting && g.waitreason == waitReasonSleep
}

// WakeG is implemented in assembly for interrupt handlers: it takes the
// goroutine in AX and returns AX = 0 if the request was recorded, 1 if
// another was pending (the convention of tamago's amd64/irq.s).
func WakeG()

// syscall_consoleWrite writes to the console for package syscall's
// standard output and error.
//
//go:linkname syscall_consoleWrite syscall.consoleWrite
func syscall_consoleWrite(b []byte) int {
	for _, c := range b {
		goos.Printk(c)
	}
	return len(b)
}

// syscall_now is package syscall's clock for file times.
//
//go:linkname syscall_now syscall.now
func syscall_now() (sec int64, nsec int32) {
	sec, nsec, _ = time_now()
	return
}

// crypto_sysrand_tamagoRandom is crypto/rand's source of randomness.
//
//go:linkname crypto_sysrand_tamagoRandom crypto/internal/sysrand.tamagoRandom
func crypto_sysrand_tamagoRandom(b []byte) {
	goos.GetRandomData(b)
}
