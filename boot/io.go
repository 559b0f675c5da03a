package boot

// Defined in io_amd64.s.

// inb reads a byte from an I/O port.
func inb(port uint16) uint8

// outb writes a byte to an I/O port.
func outb(port uint16, val uint8)

// outl writes a 32-bit value to an I/O port.
func outl(port uint16, val uint32)

// rdtsc reads the time-stamp counter.
func rdtsc() uint64

// haltForever stops the CPU with interrupts off.
func haltForever()

// cpuRelax is a spin-wait hint (PAUSE).
func cpuRelax()
