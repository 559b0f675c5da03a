// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package runtime

import (
	"internal/runtime/atomic"
	"runtime/goos"
	"unsafe"
)

// On tamago there are no file descriptors to poll. The network poller is
// kept because it is where the scheduler blocks when no goroutine can run
// (findRunnable calls netpoll with the time to the next timer); here
// blocking means asking the board to idle the CPU (goos.Idle) until that
// time or until an interrupt handler wakes a goroutine with WakeG.

// netpollWakeSig is set by netpollBreak and WakeG to end an idle wait.
var netpollWakeSig uint32

// tamagoWokenG holds a goroutine that an interrupt handler asked to wake
// (see WakeG in sys_tamago_amd64.s); netpoll makes it runnable.
var tamagoWokenG uintptr

func netpollinit() {
	// Count the CPU itself as a waiter: with the only M parked nothing
	// could ever wake it, so findRunnable must always block in netpoll.
	netpollAdjustWaiters(1)
}

func netpollIsPollDescriptor(fd uintptr) bool { return false }

func netpollopen(fd uintptr, pd *pollDesc) int32 { return 38 } // ENOSYS

func netpollclose(fd uintptr) int32 { return 0 }

func netpollarm(pd *pollDesc, mode int) { throw("netpollarm: no pollable files on tamago") }

func netpollBreak() {
	atomic.Store(&netpollWakeSig, 1)
}

// netpoll waits until delay has passed (forever if negative, not at all
// if zero), netpollBreak is called or an interrupt wakes a goroutine.
func netpoll(delay int64) (gList, int32) {
	var until int64 = 1<<63 - 1
	if delay >= 0 {
		until = nanotime() + delay
	}
	for {
		var list gList
		if atomic.Loaduintptr(&tamagoWokenG) != 0 && atomic.Cas(&tamagoWaker.parked, 1, 0) {
			list.push(tamagoWaker.g.ptr())
			return list, 0
		}
		if atomic.Xchg(&netpollWakeSig, 0) != 0 || delay == 0 || nanotime() >= until {
			return list, 0
		}
		if goos.Idle != nil {
			goos.Idle(until)
		} else {
			procyield(10)
		}
	}
}

// tamagoWaker is the goroutine that finishes what WakeG starts. Waking a
// goroutine from time.Sleep means stopping its timer, which needs write
// barriers and so cannot happen in netpoll (no P there); netpoll only
// makes this goroutine runnable and it does the rest.
var tamagoWaker struct {
	g       guintptr
	started uint32
	parked  uint32 // 1 while parked and waiting for netpoll
}

// startTamagoWaker starts the waker the first time a goroutine registers
// for interrupts (GetG).
func startTamagoWaker() {
	if atomic.Cas(&tamagoWaker.started, 0, 1) {
		go tamagoWakerLoop()
	}
}

func tamagoWakerLoop() {
	tamagoWaker.g.set(getg())
	for {
		gopark(func(*g, unsafe.Pointer) bool {
			atomic.Store(&tamagoWaker.parked, 1)
			return true
		}, nil, waitReasonZero, traceBlockForever, 1)
		if p := atomic.Xchguintptr(&tamagoWokenG, 0); p != 0 {
			gp := (*g)(unsafe.Pointer(p))
			// Only a goroutine still asleep is woken, and only if
			// its timer has not fired: then nothing else readies it.
			if readgstatus(gp) == _Gwaiting && gp.waitreason == waitReasonSleep &&
				gp.timer != nil && gp.timer.stop() {
				goready(gp, 1)
			}
		}
	}
}
