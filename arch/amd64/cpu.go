package amd64

import (
	"encoding/binary"
	"unsafe"
)

// PerCPU is the state the entry code needs on one CPU. Tamix runs on one
// CPU (cpu0), so assembly reaches it as a global instead of through GS
// as Linux's per-CPU variables are. Fields are written by the entry code
// with interrupts off, or by Go code on this CPU.
type PerCPU struct {
	// Go's context, saved by enterUser while a task runs in user mode.
	kernelSP uint64
	kernelBP uint64
	kernelFS uint64 // FS base of the Go runtime (its TLS block)
	// The running task's user state, loaded by enterUser.
	userFS uint64 // FS base (arch_prctl ARCH_SET_FS, or WRFSBASE), saved again on entry with FSGSBASE
	userGS uint64 // GS base (ARCH_SET_GS, or WRGSBASE), saved again on entry with FSGSBASE
	// loadedGS is the GS base in the MSR, without FSGSBASE (the kernel
	// does not use GS, so it changes only when a task with another one
	// enters user mode).
	loadedGS uint64
	fpu      uint64 // address of its 512-byte FXSAVE area, 16-aligned; 0: none
	sysret   uint8  // leave through SYSRETQ (frame is SysretSafe), else IRETQ
	fpuFull  uint8  // FXRSTOR the whole area, else only MXCSR and XMM0-15 (fpu.go)
	_        [6]uint8
	// Scratch for the system-call entry, which arrives on the user stack.
	userSP uint64
	// What the last entry from user mode was.
	vector uint64 // trap vector, or SyscallVector
	cr2    uint64 // CR2, the faulting address of the last page fault (saved for #PF only)
	// A fault in ring 0: the saved frame, for the oops report.
	kernelRegs uint64
	// Exception fixups (see probe_amd64.s): a fault in a probe resumes
	// after it with probeFault set; probeTarget is probeExec's address.
	probeFault  uint64
	probeTarget uint64

	tss [104]byte            // the task-state segment
	gdt [gdtSize]uint64      // global descriptor table
	idt [256 * 2]uint64      // interrupt descriptor table
	ist [2][16384 + 16]uint8 // stacks for double fault and NMI

	// fpuOwner is the task FPU state whose x87 part is live in this
	// CPU's registers (fpu_live.go); Go code on this CPU only.
	fpuOwner *FPUState
}

//go:generate go run mkvectors.go

// cpu0 is the only CPU's per-CPU area.
var cpu0 PerCPU

// SyscallVector is the vector enterUser reports for a SYSCALL; it is
// beyond the 256 hardware vectors.
const SyscallVector = 256

// Exception vectors (Intel SDM vol. 3, 6.3.1).
const (
	VecDivide       = 0
	VecDebug        = 1
	VecNMI          = 2
	VecBreakpoint   = 3
	VecOverflow     = 4
	VecBound        = 5
	VecInvalidOp    = 6
	VecDevice       = 7
	VecDoubleFault  = 8
	VecInvalidTSS   = 10
	VecSegment      = 11
	VecStack        = 12
	VecGeneralProt  = 13
	VecPageFault    = 14
	VecX87          = 16
	VecAlignment    = 17
	VecMachineCheck = 18
	VecSIMD         = 19
	VecFirstIRQ     = 32
	VecSpurious     = 255
)

// Descriptor bits.
const (
	segPresent = 1 << 47
	segUser    = 3 << 45 // DPL 3
	segCode    = 3 << 43 // code, non-system
	segData    = 2 << 43 // data, non-system
	segRW      = 1 << 41 // readable code / writable data
	segLong    = 1 << 53 // 64-bit code
	segDB      = 1 << 54 // 32-bit default operand size
	segGran    = 1<<55 | 0xf<<48 | 0xffff
)

// buildGDT fills Linux's x86-64 GDT layout (arch/x86/include/asm/segment.h).
func (c *PerCPU) buildGDT() {
	c.gdt[1] = segPresent | segCode | segRW | segDB | segGran                    // kernel 32-bit code (unused)
	c.gdt[KernelCS/8] = segPresent | segCode | segRW | segLong | segGran         // 0x10
	c.gdt[KernelDS/8] = segPresent | segData | segRW | segDB | segGran           // 0x18
	c.gdt[User32CS/8] = segPresent | segUser | segCode | segRW | segDB | segGran // 0x23
	c.gdt[UserDS/8] = segPresent | segUser | segData | segRW | segDB | segGran   // 0x2b
	c.gdt[UserCS/8] = segPresent | segUser | segCode | segRW | segLong | segGran // 0x33
	// The TSS descriptor takes two entries: base, limit, type 9 (available
	// 64-bit TSS), present.
	base := uint64(uintptr(unsafe.Pointer(&c.tss)))
	limit := uint64(len(c.tss) - 1)
	c.gdt[TSSSel/8] = limit&0xffff | (base&0xffffff)<<16 | 9<<40 | segPresent | (base>>24&0xff)<<56
	c.gdt[TSSSel/8+1] = base >> 32
}

// buildTSS sets the IST stacks; RSP0 is set by enterUser for each task.
func (c *PerCPU) buildTSS() {
	for i := range c.ist {
		top := uint64(uintptr(unsafe.Pointer(&c.ist[i][len(c.ist[i])-1]))+1) &^ 15
		binary.LittleEndian.PutUint64(c.tss[36+8*i:], top) // IST1, IST2
	}
	// No I/O permission bitmap: the offset points past the limit, so
	// IN/OUT from ring 3 raise #GP.
	binary.LittleEndian.PutUint16(c.tss[102:], uint16(len(c.tss)))
}

// gate returns an IDT interrupt gate for handler: kernel code segment,
// interrupts off on entry, callable with INT n from ring dpl, on IST
// stack ist (0: none).
func gate(handler uint64, dpl, ist uint64) (lo, hi uint64) {
	lo = handler&0xffff | KernelCS<<16 | ist<<32 | 0xe<<40 | dpl<<45 | 1<<47 | (handler>>16&0xffff)<<48
	return lo, handler >> 32
}

// buildIDT points every vector at its entry stub. #BP and #OF may be
// raised from user mode (int3, into), as on Linux; the double fault and
// NMI run on their own stacks.
func (c *PerCPU) buildIDT(vectorStubs *[256]uint64) {
	for v := 0; v < 256; v++ {
		var dpl, ist uint64
		switch v {
		case VecBreakpoint, VecOverflow:
			dpl = 3
		case VecDoubleFault:
			ist = 1
		case VecNMI:
			ist = 2
		}
		c.idt[2*v], c.idt[2*v+1] = gate(vectorStubs[v], dpl, ist)
	}
}

// RSP0 returns the kernel stack top the CPU switches to on a trap from
// user mode.
func (c *PerCPU) RSP0() uint64 { return binary.LittleEndian.Uint64(c.tss[4:]) }
