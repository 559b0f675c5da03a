package boot

import (
	"sort"

	"github.com/usbarmory/tamago/kvm/pvclock"
)

// The kernel clock is the time-stamp counter scaled to nanoseconds by
// tamago's amd64.CPU (GetTime = TSC * TimerMultiplier + TimerOffset).
// Under KVM with kvmclock, tamago's pvclock keeps it in step with the
// host. Otherwise (TCG) the TSC rate is measured against the 8254 PIT,
// whose 1.193182 MHz input clock QEMU emulates in host time.

var (
	// ClockSource names what the kernel clock is based on.
	ClockSource string
	// TSCFreq is the time-stamp counter rate in Hz.
	TSCFreq uint64
)

// PIT (Intel 8254) ports and input clock.
const (
	pitChannel0 = 0x40
	pitCommand  = 0x43
	pitHz       = 1193182
)

func initClock() {
	if f := CPU.Features(); f.KVM && f.KVMClockMSR != 0 {
		pvclock.Init(CPU)
		ClockSource, TSCFreq = "kvmclock", uint64(CPU.Freq())
		bootClock = nanotime()
		return
	}
	before := nanotime()
	hz, ok := calibrateTSC()
	switch {
	case ok:
		ClockSource = "tsc (calibrated against PIT)"
	case CPU.Freq() > 1:
		hz, ClockSource = uint64(CPU.Freq()), "tsc (frequency from CPUID)"
	default:
		hz, ClockSource = 1e9, "tsc (UNCALIBRATED, assuming 1 GHz)"
	}
	TSCFreq = hz
	CPU.TimerMultiplier = 1e9 / float64(hz)
	CPU.SetTime(before) // keep the clock continuous across the change
	bootClock = before
}

// calibrateTSC measures the TSC rate over three 50 ms PIT intervals and
// returns the median.
func calibrateTSC() (uint64, bool) {
	var rates []uint64
	for i := 0; i < 3; i++ {
		hz, ok := pitInterval(50)
		if !ok {
			return 0, false
		}
		rates = append(rates, hz)
	}
	sort.Slice(rates, func(a, b int) bool { return rates[a] < rates[b] })
	return rates[1], true
}

// pitInterval runs PIT channel 0 once for ms milliseconds (at most 54)
// in mode 0, "interrupt on terminal count" (its output goes high when the
// count reaches zero; interrupts are off, so nothing is delivered), and
// counts TSC cycles meanwhile.
func pitInterval(ms uint64) (hz uint64, ok bool) {
	count := pitHz * ms / 1000
	outb(pitCommand, 0x30) // channel 0, low then high byte, mode 0, binary
	outb(pitChannel0, uint8(count))
	t0 := rdtsc()
	outb(pitChannel0, uint8(count>>8)) // counting starts now
	for {
		// Read-back command: latch channel 0's status; bit 7 is OUT.
		outb(pitCommand, 0xe2)
		if inb(pitChannel0)&0x80 != 0 {
			break
		}
		if rdtsc()-t0 > 100_000_000_000 { // no PIT: give up
			return 0, false
		}
	}
	t1 := rdtsc()
	return (t1 - t0) * pitHz / count, true
}

// bootClock is the kernel clock's reading when it was calibrated, moved
// along with any later change of TimerOffset, so that Uptime counts from
// boot.
var bootClock int64

// Uptime returns the nanoseconds since the clock was calibrated at boot.
func Uptime() int64 {
	return nanotime() - bootClock
}

// WallClock reports whether the kernel clock was set from the RTC.
var WallClock bool

// init sets the kernel clock, and so time.Now, to the RTC's date. It runs
// as a package init (package time must be initialised for RTC.Now). The
// clock jumps forward once; Uptime is unaffected.
func init() {
	if ClockSource == "kvmclock" {
		WallClock = true // pvclock already set the host's time
		return
	}
	t, err := RTC.Now()
	if err != nil || t.Year() < 2000 {
		return
	}
	now := nanotime()
	CPU.SetTime(t.UnixNano())
	bootClock += nanotime() - now
	WallClock = true
}

// Nanotime is the kernel clock in nanoseconds (what the runtime's
// nanotime reads): safe without a P, for idle loops.
func Nanotime() int64 { return nanotime() }
