//go:build tamago

package amd64

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"
)

// Console is where the oops report goes; the kernel sets it to the
// serial console. (Printing through package fmt to os.Stdout works too,
// but an oops should depend on as little as possible.)
var Console interface{ Write([]byte) (int, error) }

// oops reports a fault taken in ring 0, which is always a kernel bug in
// Tamix (user memory is never touched through user addresses), and
// panics. It runs on the system stack, called by the entry code with the
// faulting frame in cpu0.kernelRegs. Mirrors Linux's die() / __die():
// the banner line, the registers, the faulting code, a call trace.
func oops() {
	c := &cpu0
	r := (*PtRegs)(unsafe.Pointer(uintptr(c.kernelRegs)))
	var b strings.Builder
	fmt.Fprintf(&b, "tamix: oops: %s in kernel mode at %#x %s\n", VectorName(c.vector), r.IP, symbolize(r.IP))
	if c.vector == VecPageFault {
		fmt.Fprintf(&b, "tamix: oops: CR2 %#016x: %s\n", c.cr2, DecodePFError(r.OrigAX))
	} else {
		fmt.Fprintf(&b, "tamix: oops: error code %#x\n", r.OrigAX)
	}
	b.WriteString(FormatRegs(r))
	b.WriteString(disassemble(r.IP, 6))
	b.WriteString(callTrace(r.BP))
	if Console != nil {
		Console.Write([]byte(b.String()))
	} else {
		print(b.String())
	}
	panic("tamix: kernel oops: " + VectorName(c.vector))
}

// FormatRegs prints a pt_regs frame the way Linux's __show_regs does.
func FormatRegs(r *PtRegs) string {
	return fmt.Sprintf(
		"RIP: %04x:%016x RSP: %04x:%016x EFLAGS: %08x ORIG_RAX: %016x\n"+
			"RAX: %016x RBX: %016x RCX: %016x\n"+
			"RDX: %016x RSI: %016x RDI: %016x\n"+
			"RBP: %016x R08: %016x R09: %016x\n"+
			"R10: %016x R11: %016x R12: %016x\n"+
			"R13: %016x R14: %016x R15: %016x\n",
		r.CS, r.IP, r.SS, r.SP, r.Flags, r.OrigAX,
		r.AX, r.BX, r.CX, r.DX, r.SI, r.DI, r.BP, r.R8, r.R9,
		r.R10, r.R11, r.R12, r.R13, r.R14, r.R15)
}

// kernelMemory reports whether [addr, addr+n) is the Go runtime's memory,
// which is always mapped and safe for the oops to read.
func kernelMemory(addr, n uint64) bool {
	start, end := runtime.MemRegion()
	return addr >= uint64(start) && addr+n <= uint64(end) && addr+n > addr
}

// disassemble decodes n instructions from ip with x86asm.
func disassemble(ip uint64, n int) string {
	if !kernelMemory(ip, 64) {
		return fmt.Sprintf("Code: RIP %#x outside kernel memory\n", ip)
	}
	code := unsafe.Slice((*byte)(unsafe.Pointer(uintptr(ip))), 64)
	var b strings.Builder
	b.WriteString("Code:\n")
	for off := 0; n > 0 && off < len(code); n-- {
		inst, err := x86asm.Decode(code[off:], 64)
		mark := "  "
		if off == 0 {
			mark = "=>"
		}
		if err != nil {
			fmt.Fprintf(&b, "%s %#x: (bad) %02x\n", mark, ip+uint64(off), code[off])
			break
		}
		fmt.Fprintf(&b, "%s %#x: % x\t%s\n", mark, ip+uint64(off), code[off:off+inst.Len],
			x86asm.GoSyntax(inst, ip+uint64(off), nil))
		off += inst.Len
	}
	return b.String()
}

// callTrace follows the frame-pointer chain from bp: Go keeps one on
// amd64, so each frame holds the caller's BP and, above it, the return
// address.
func callTrace(bp uint64) string {
	var b strings.Builder
	b.WriteString("Call Trace (frame pointers):\n")
	for i := 0; i < 16 && bp != 0 && bp%8 == 0 && kernelMemory(bp, 16); i++ {
		frame := (*[2]uint64)(unsafe.Pointer(uintptr(bp)))
		ret := frame[1]
		fmt.Fprintf(&b, " %s\n", symbolize(ret-1))
		bp = frame[0]
	}
	return b.String()
}

// symbolize names the function and line at pc.
func symbolize(pc uint64) string {
	f := runtime.FuncForPC(uintptr(pc))
	if f == nil {
		return "?"
	}
	file, line := f.FileLine(uintptr(pc))
	return fmt.Sprintf("%s+%#x (%s:%d)", f.Name(), uintptr(pc)-f.Entry(), file, line)
}
