package boot

import (
	"sync/atomic"

	"github.com/usbarmory/tamago/soc/intel/uart"
)

// COM2 is the second serial port's I/O port. Tamix writes the trace
// there (qemu.sh --trace FILE connects it to FILE), so that the trace
// does not mix with the console on COM1.
const COM2 = 0x2f8

// UART1 is the trace port. It is used for output only and never
// initialised: QEMU's 16550 needs no set-up to transmit, and a machine
// without the port reads its status as 0xff ("ready"), so writes go
// nowhere instead of hanging.
var UART1 = &uart.UART{Index: 2, Base: COM2}

// TraceConsole is COM2 as an io.Writer.
var TraceConsole traceWriter

type traceWriter struct{}

func (traceWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		UART1.Tx(c)
	}
	return len(p), nil
}

// powerOffHook, if set, runs once when the machine is about to power
// off (PowerOff, and so also after a panic): the tracer dumps its buffer
// there. Swapped out atomically, so that it runs once even if two paths
// power off at the same time, and a failure inside it cannot recurse.
var powerOffHook atomic.Pointer[func()]

// SetPowerOffHook makes f run at power-off.
func SetPowerOffHook(f func()) { powerOffHook.Store(&f) }

// runPowerOffHook calls the power-off hook once.
func runPowerOffHook() {
	if h := powerOffHook.Swap(nil); h != nil {
		(*h)()
	}
}
