//go:build tamago

package amd64

import "unsafe"

// The local APIC (Intel SDM vol. 3, chapter 11), in xAPIC mode at its
// default physical address, which cpuinit maps uncached. Tamix uses its
// timer for the scheduler tick and to wake the CPU from HLT.
const (
	lapicBase = 0xfee00000

	lapicTPR     = 0x080 // task priority
	lapicSVR     = 0x0f0 // spurious-interrupt vector, software enable
	lapicLVTTmr  = 0x320 // timer local vector table entry
	lapicInitCnt = 0x380 // timer initial count
	lapicCurCnt  = 0x390 // timer current count
	lapicDivide  = 0x3e0 // timer divide configuration

	lvtMasked   = 1 << 16
	lvtPeriodic = 1 << 17

	// VecTimer is the local APIC timer's interrupt vector.
	VecTimer = VecFirstIRQ
)

func lapicReg(off uintptr) *uint32 {
	return (*uint32)(unsafe.Pointer(uintptr(lapicBase + off)))
}

// TimerHz is the tick rate StartTimer set up, 0 before.
var TimerHz int

// StartTimer enables the local APIC and its timer in periodic mode at hz
// interrupts a second on VecTimer, measuring the timer's rate against the
// TSC (tscHz). Interrupts stay masked in the CPU (IF=0) while Go code
// runs; the tick arrives in ring 3 or while the CPU idles in HLT.
// Returns the timer's input rate in Hz. Mirrors, in spirit, Linux's
// setup_APIC_timer() with its calibration against a known clock.
func StartTimer(hz int, tscHz uint64) uint64 {
	*lapicReg(lapicSVR) = 1<<8 | VecSpurious // software enable
	*lapicReg(lapicTPR) = 0                  // accept every priority
	*lapicReg(lapicDivide) = 0x3             // divide by 16
	*lapicReg(lapicLVTTmr) = lvtMasked | VecTimer
	// Count down from the top for 10 ms of TSC time.
	*lapicReg(lapicInitCnt) = 0xffffffff
	t0 := rdtsc()
	for rdtsc()-t0 < tscHz/100 {
	}
	elapsed := 0xffffffff - uint64(*lapicReg(lapicCurCnt))
	rate := elapsed * 100
	*lapicReg(lapicLVTTmr) = lvtPeriodic | VecTimer
	*lapicReg(lapicInitCnt) = uint32(rate / uint64(hz))
	TimerHz = hz
	return rate
}

// haltUntilInterrupt enables interrupts, halts until one arrives and
// disables them again (hw_amd64.s).
func haltUntilInterrupt()

// IdleClock is the kernel clock (ns) for Idle; the kernel sets it.
var IdleClock func() int64

// Idle is the runtime's idle hook (goos.Idle) once the timer runs: the
// CPU sleeps in HLT until the next interrupt while a whole tick remains
// before the runtime's deadline, and polls the clock for the last part,
// so that timers fire on time rather than at the next tick. The runtime
// calls it again until its deadline. A device interrupt that ends the
// HLT wakes the device's thread goroutine (irq.go).
func Idle(until int64) {
	if IdleClock == nil || TimerHz == 0 {
		haltUntilInterrupt()
		return
	}
	tick := int64(1e9 / TimerHz)
	if until-IdleClock() > tick {
		haltUntilInterrupt()
		wakeIRQThread(cpu0.vector) // a device's interrupt: its thread
		return
	}
	for IdleClock() < until {
		cpuRelax()
	}
}

// IdleVector is the vector of the last interrupt taken in ring 0.
func IdleVector() uint64 { return cpu0.vector }
