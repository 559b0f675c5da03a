package boot

// The serial console's receiver (PC16550D datasheet; Linux's
// drivers/tty/serial/8250/8250_port.c). The transmitter is tamago's
// uart.UART, polled; the receiver interrupts on IRQ 4 when a byte
// arrives.

// 16550 registers, as offsets from COM1, and their bits.
const (
	uartRBR = 0 // receive buffer (read)
	uartIER = 1 // interrupt enable
	uartFCR = 2 // FIFO control (write)
	uartMCR = 4 // modem control
	uartLSR = 5 // line status

	ierRDA    = 0x01 // interrupt when received data is available
	fcrEnable = 0x01 // FIFOs on
	fcrClear  = 0x06 // clear both FIFOs; trigger level 1 byte (bits 6-7 = 0)
	mcrDTR    = 0x01
	mcrRTS    = 0x02
	mcrOUT2   = 0x08 // gates the interrupt line on PC serial ports
	lsrDR     = 0x01 // data ready
)

// COM1IRQ is the serial console's ISA interrupt.
const COM1IRQ = 4

// EnableSerialRxInterrupt turns on the receive FIFO and the
// received-data interrupt of COM1, and drains what is already there.
// Mirrors serial8250_startup() for the bits Tamix uses.
func EnableSerialRxInterrupt() {
	outb(COM1+uartFCR, fcrEnable|fcrClear)
	outb(COM1+uartMCR, mcrDTR|mcrRTS|mcrOUT2)
	for inb(COM1+uartLSR)&lsrDR != 0 {
		inb(COM1 + uartRBR)
	}
	outb(COM1+uartIER, ierRDA)
}

// SerialRx returns the received bytes waiting in COM1 (at most len(buf)),
// which also lowers its interrupt line. Mirrors serial8250_rx_chars().
func SerialRx(buf []byte) int {
	n := 0
	for n < len(buf) && inb(COM1+uartLSR)&lsrDR != 0 {
		buf[n] = inb(COM1 + uartRBR)
		n++
	}
	return n
}
