//go:build tamago

package amd64

// Privileged instructions, in hw_amd64.s, entry_amd64.s and
// probe_amd64.s.

func loadGDT(desc *[10]byte)
func loadTR(sel uint16)
func loadIDT(desc *[10]byte)
func rdmsr(msr uint32) uint64
func wrmsr(msr uint32, val uint64)
func readCR0() uint64
func writeCR0(v uint64)
func readCR2() uint64
func readCR3() uint64
func writeCR3(v uint64)
func readCR4() uint64
func writeCR4(v uint64)
func invlpg(va uintptr)
func cpuid(leaf, sub uint32) (a, b, c, d uint32)
func outb(port uint16, v uint8)
func rdtsc() uint64
func readFlags() uint64
func fxsave(area *[512]byte)
func callWakeG(gp uint) (ax uint64)

// fpuSaveLive completes the FXSAVE image of the task whose x87 state is
// still in the registers (fpu.go): it loads the task's MXCSR and
// XMM0-15 back from area, FXSAVEs all of it there, and gives Go its
// default MXCSR again. Defined in hw_amd64.s.
func fpuSaveLive(area *[512]byte)
func vectorStubsTable() *[256]uint64
func enterUser(regs *PtRegs) (vector uint64)
func probeRead(addr uintptr) (ok bool)
func probeExec(addr uintptr) (ok bool)

// Model-specific registers (Intel SDM vol. 4).
const (
	msrEFER   = 0xc0000080
	msrSTAR   = 0xc0000081
	msrLSTAR  = 0xc0000082
	msrSFMASK = 0xc0000084
	msrFSBase = 0xc0000100

	eferSCE = 1 << 0 // SYSCALL/SYSRET enable
	eferNXE = 1 << 11

	cr0AM = 1 << 18 // alignment mask: EFLAGS.AC turns on alignment checks in ring 3

	cr4OSFXSR     = 1 << 9
	cr4OSXMMEXCPT = 1 << 10
	cr4FSGSBASE   = 1 << 16
	cr4SMEP       = 1 << 20
	cr4SMAP       = 1 << 21
)

// RDTSC reads the time-stamp counter.
func RDTSC() uint64 { return rdtsc() }

// ReadFlags returns the CPU's RFLAGS as the calling Go code runs with them.
func ReadFlags() uint64 { return readFlags() }

// CallWakeG hands goroutine gp to the runtime's WakeG exactly as
// tamago's amd64/irq.s does from an interrupt, and returns its AX: 0 when
// the wake-up was recorded, 1 when one was already pending (irq.s wakes
// idle CPUs only on 0). For tests.
func CallWakeG(gp uint) uint64 { return callWakeG(gp) }

// ReadCR3 returns the current page-table root.
func ReadCR3() uint64 { return readCR3() }

// WriteCR3 switches to the address space whose PML4 is at pa (switch_mm's
// load_new_mm_cr3 in Linux).
func WriteCR3(pa uint64) { writeCR3(pa) }

// FlushPage drops the TLB entry for one page (INVLPG).
func FlushPage(va uintptr) { invlpg(va) }

// FlushAll drops every non-global TLB entry by reloading CR3.
func FlushAll() { writeCR3(readCR3()) }

// ProbeRead reports whether the kernel can read the byte at addr without
// a fault (the fault, if any, is caught).
func ProbeRead(addr uintptr) bool { return probeRead(addr) }

// ProbeExec reports whether the kernel can call addr (which should hold
// a RET) without a fault.
func ProbeExec(addr uintptr) bool { return probeExec(addr) }
func syscallEntryAddr() uint64
func cpuRelax()
