//go:build tamago

package amd64

import (
	"fmt"
	"unsafe"
)

// Features reports what Init found and turned on.
type Features struct {
	SMEP, SMAP, NX bool
	// FSGSBASE: RDFSBASE/WRFSBASE and the GS forms are enabled, in user
	// mode too, as Linux enables them since 5.9 (AT_HWCAP2 says so).
	FSGSBASE bool
}

var features Features

// smapEnabled is 1 when the CPU has SMAP (so CLAC exists); the trap entry
// reads it. Set once by Init, before any entry from user mode.
var smapEnabled uint8

// fsgsbase is 1 when CR4.FSGSBASE is set: the entry code then switches
// the FS base with RDFSBASE/WRFSBASE (inline under TCG, where WRMSR is a
// helper call that ends the translation block) and saves the user's FS
// and GS bases, which user code can now change on its own. Set once by
// Init.
var fsgsbase uint8

// CPUFeatures returns what Init enabled.
func CPUFeatures() Features { return features }

// oopsFunc is what the entry code calls (on the system stack) for a fault
// in ring 0.
var oopsFunc = oops

// Init installs Tamix's descriptor tables and system-call entry on the
// boot CPU, in place of the ones cpuinit left: Linux's GDT layout with a
// TSS, an IDT for all 256 vectors, SYSCALL/SYSRET, NX, SMEP and SMAP where
// the CPU has them, and the legacy PICs remapped and masked (interrupts
// come from the local APIC). Mirrors, roughly, Linux's cpu_init() and
// trap_init(). Interrupts stay off.
func Init() {
	c := &cpu0
	c.buildGDT()
	c.buildTSS()
	c.buildIDT(vectorStubsTable())
	loadGDT(descriptor(unsafe.Pointer(&c.gdt), len(c.gdt)*8))
	loadTR(TSSSel)
	loadIDT(descriptor(unsafe.Pointer(&c.idt), len(c.idt)*8))

	// SYSCALL enters at syscallEntry with CS = KernelCS, SS = KernelDS;
	// SYSRETQ returns with CS = User32CS+16 = UserCS, SS = User32CS+8 =
	// UserDS. RFLAGS bits cleared on entry: TF, IF, DF, IOPL, NT, AC.
	wrmsr(msrSTAR, uint64(User32CS)<<48|uint64(KernelCS)<<32)
	wrmsr(msrLSTAR, syscallEntryAddr())
	wrmsr(msrSFMASK, 0x47700)
	wrmsr(msrEFER, rdmsr(msrEFER)|eferSCE|eferNXE)
	features.NX = true

	// CR0.AM, as Linux sets it: a user program that sets EFLAGS.AC gets
	// alignment checks (#AC, SIGBUS BUS_ADRALN). It changes nothing in
	// ring 0, where the checks never apply.
	writeCR0(readCR0() | cr0AM)

	cr4 := readCR4() | cr4OSFXSR | cr4OSXMMEXCPT
	if _, b, _, _ := cpuid(7, 0); b&(1<<7) != 0 {
		cr4 |= cr4SMEP
		features.SMEP = true
	}
	if _, b, _, _ := cpuid(7, 0); b&(1<<20) != 0 {
		cr4 |= cr4SMAP
		features.SMAP = true
		smapEnabled = 1
	}
	if _, b, _, _ := cpuid(7, 0); b&(1<<0) != 0 {
		cr4 |= cr4FSGSBASE
		features.FSGSBASE = true
		fsgsbase = 1
	}
	writeCR4(cr4)
	initMXCSRMask()
	maskPIC()
}

// initMXCSRMask reads MXCSR_MASK from an FXSAVE image (Intel SDM vol. 1,
// 11.6.6): 0 there means the default mask 0xffbf.
func initMXCSRMask() {
	f := new(FPUState)
	a := f.area()
	fxsave(a)
	if m := uint32(a[28]) | uint32(a[29])<<8 | uint32(a[30])<<16 | uint32(a[31])<<24; m != 0 {
		MXCSRMask = m
	}
}

// descriptor builds the 10-byte operand of LGDT/LIDT.
func descriptor(base unsafe.Pointer, size int) *[10]byte {
	d := new([10]byte)
	d[0], d[1] = byte(size-1), byte((size-1)>>8)
	b := uint64(uintptr(base))
	for i := 0; i < 8; i++ {
		d[2+i] = byte(b >> (8 * i))
	}
	return d
}

// maskPIC remaps the two 8259 PICs to vectors 32-47 (so that a stray IRQ
// cannot look like an exception) and masks every line.
func maskPIC() {
	for _, w := range [][2]uint16{
		{0x20, 0x11}, {0xa0, 0x11}, // ICW1: initialise, ICW4 follows
		{0x21, 0x20}, {0xa1, 0x28}, // ICW2: vector bases
		{0x21, 0x04}, {0xa1, 0x02}, // ICW3: cascade on IRQ2
		{0x21, 0x01}, {0xa1, 0x01}, // ICW4: 8086 mode
		{0x21, 0xff}, {0xa1, 0xff}, // mask all
	} {
		outb(w[0], uint8(w[1]))
	}
}

// String describes the CPU state for the boot log.
func (f Features) String() string {
	return fmt.Sprintf("NX %v, SMEP %v, SMAP %v, FSGSBASE %v", f.NX, f.SMEP, f.SMAP, f.FSGSBASE)
}
