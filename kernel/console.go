package kernel

import (
	"runtime"
	"sync"
	"time"

	"tamix/arch/amd64"
	"tamix/boot"
	"tamix/drivers/tty"
)

// The serial console as a terminal: output goes to the UART (and so to
// the host, beside the kernel log), input comes from its receive
// interrupt into tty.Console's line discipline.

// serialPollInterval bounds how long received bytes can wait if an
// interrupt is lost (one that arrives between the HLT's end and the
// CLI after it, or while the thread is not asleep, wakes nobody; the
// edge-triggered line then stays up until the bytes are read).
const serialPollInterval = 20 * time.Millisecond

// serialMu serialises draining the UART, so bytes reach the line
// discipline in order whichever goroutine takes the interrupt.
var serialMu sync.Mutex

// serialInterrupt is IRQ 4's handler: move the received bytes into the
// terminal. Mirrors serial8250_handle_irq() -> tty_flip_buffer_push().
func serialInterrupt() {
	var buf [64]byte
	serialMu.Lock()
	defer serialMu.Unlock()
	for {
		n := boot.SerialRx(buf[:])
		if n == 0 {
			return
		}
		tty.Console.Receive(buf[:n])
	}
}

// startConsoleTTY connects tty.Console to the UART and starts its
// interrupt: routed by the I/O APIC, handled in the interrupted task or,
// when the CPU idled, by the thread goroutine "irq/4-ttyS0", which also
// polls every serialPollInterval in case an interrupt was lost.
func startConsoleTTY() {
	tty.Console.SetOutput(func(p []byte) { boot.Console.Write(p) })
	ready := make(chan struct{})
	go func() {
		g, _ := runtime.GetG()
		amd64.RequestIRQ(boot.COM1IRQ, serialInterrupt, g)
		close(ready)
		for {
			serialInterrupt()
			time.Sleep(serialPollInterval)
		}
	}()
	<-ready
	boot.EnableSerialRxInterrupt()
}
