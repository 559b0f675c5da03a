//go:build tamago

package amd64

import (
	"sync/atomic"
	"unsafe"
)

// Device interrupts through the I/O APIC (82093AA datasheet; Linux's
// arch/x86/kernel/apic/io_apic.c and kernel/irq/). The 8259 PICs stay
// masked; QEMU's microvm wires the ISA interrupts (the serial port's
// IRQ 4 among them) to the pins of the same number of its first I/O
// APIC at the standard address, which cpuinit maps uncached.
//
// An interrupt reaches Tamix in two places (interrupts are masked while
// Go runs): in ring 3, where EnterUser returns its vector and the task's
// goroutine calls HandleIRQ (Linux's hardirq on the current task's
// stack); or in the runtime's idle HLT, where no Go code may run (no P),
// so Idle asks the runtime to wake the vector's thread goroutine (Linux's
// threaded interrupt handler, irq/N-name) with WakeG.

const (
	ioapicBase   = 0xfec00000
	ioapicRegSel = 0x00 // register select
	ioapicWin    = 0x10 // data window
	ioapicRedTbl = 0x10 // first redirection-table register

	lapicID = 0x020 // local APIC ID register (bits 24-31)

	// VecFirstDeviceIRQ is ISA IRQ 0's vector: device vectors start
	// above the PICs' remapped range (32-47), so that a stray PIC
	// interrupt is never taken for a device's.
	VecFirstDeviceIRQ = 48
)

// irqAction is a vector's handler and the goroutine that runs it when
// the interrupt comes while idle (struct irqaction with its thread).
type irqAction struct {
	handler func()
	thread  uint // goroutine, from runtime.GetG
}

// irqActions are set by RequestIRQ before the device is told to
// interrupt, and only read after: the pointer is atomic.
var irqActions [256]atomic.Pointer[irqAction]

func ioapicWrite(reg, val uint32) {
	*(*uint32)(unsafe.Pointer(uintptr(ioapicBase + ioapicRegSel))) = reg
	*(*uint32)(unsafe.Pointer(uintptr(ioapicBase + ioapicWin))) = val
}

// RequestIRQ routes ISA interrupt irq (I/O APIC pin irq) to this CPU on
// vector VecFirstDeviceIRQ+irq, edge-triggered, active high, as ISA
// interrupts are, with handler to run it and thread (a goroutine from
// runtime.GetG that sleeps in time.Sleep between runs) to be woken when
// it arrives while the CPU idles. Returns the vector. Mirrors
// request_threaded_irq() and the I/O APIC's setup_ioapic_irq().
func RequestIRQ(irq int, handler func(), thread uint) uint64 {
	vec := uint64(VecFirstDeviceIRQ + irq)
	irqActions[vec].Store(&irqAction{handler: handler, thread: thread})
	dest := *lapicReg(lapicID) >> 24
	ioapicWrite(ioapicRedTbl+2*uint32(irq)+1, dest<<24)  // physical destination: this CPU
	ioapicWrite(ioapicRedTbl+2*uint32(irq), uint32(vec)) // fixed delivery, unmasked
	return vec
}

// HandleIRQ runs the handler of device vector v, in the goroutine of
// the task the interrupt came from (already acknowledged at the local
// APIC by the entry code). Mirrors handle_irq() -> handle_edge_irq().
func HandleIRQ(v uint64) {
	if v < 256 {
		if a := irqActions[v].Load(); a != nil {
			a.handler()
		}
	}
}

// wakeIRQThread is Idle's half: the interrupt that ended the HLT was
// vector v; if a device's, wake its thread goroutine. Runs without a P:
// only WakeG, no Go scheduling.
func wakeIRQThread(v uint64) {
	if v < 256 {
		if a := irqActions[v].Load(); a != nil && a.thread != 0 {
			callWakeG(a.thread)
		}
	}
}
