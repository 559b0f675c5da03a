package amd64

import (
	"testing"
	"unsafe"
)

// TestPtRegsLayout pins PtRegs to Linux's struct pt_regs.
func TestPtRegsLayout(t *testing.T) {
	var r PtRegs
	offs := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"r15", unsafe.Offsetof(r.R15), 0}, {"r14", unsafe.Offsetof(r.R14), 8},
		{"r13", unsafe.Offsetof(r.R13), 16}, {"r12", unsafe.Offsetof(r.R12), 24},
		{"bp", unsafe.Offsetof(r.BP), 32}, {"bx", unsafe.Offsetof(r.BX), 40},
		{"r11", unsafe.Offsetof(r.R11), 48}, {"r10", unsafe.Offsetof(r.R10), 56},
		{"r9", unsafe.Offsetof(r.R9), 64}, {"r8", unsafe.Offsetof(r.R8), 72},
		{"ax", unsafe.Offsetof(r.AX), 80}, {"cx", unsafe.Offsetof(r.CX), 88},
		{"dx", unsafe.Offsetof(r.DX), 96}, {"si", unsafe.Offsetof(r.SI), 104},
		{"di", unsafe.Offsetof(r.DI), 112}, {"orig_ax", unsafe.Offsetof(r.OrigAX), 120},
		{"ip", unsafe.Offsetof(r.IP), 128}, {"cs", unsafe.Offsetof(r.CS), 136},
		{"flags", unsafe.Offsetof(r.Flags), 144}, {"sp", unsafe.Offsetof(r.SP), 152},
		{"ss", unsafe.Offsetof(r.SS), 160},
	}
	for _, o := range offs {
		if o.got != o.want {
			t.Errorf("offsetof(pt_regs.%s) = %d, want %d", o.name, o.got, o.want)
		}
	}
	if s := unsafe.Sizeof(r); s != 168 || PtRegsSize != 168 {
		t.Errorf("sizeof(pt_regs) = %d, want 168", s)
	}
}

func TestSysretSafe(t *testing.T) {
	ok := NewUserRegs(0x401000, 0x7ffffffde000)
	ok.CX, ok.R11 = ok.IP, ok.Flags
	if !ok.SysretSafe() {
		t.Fatal("plain syscall frame should be SYSRET-safe")
	}
	for name, mod := range map[string]func(*PtRegs){
		"rcx != rip":    func(r *PtRegs) { r.CX++ },
		"r11 != rflags": func(r *PtRegs) { r.R11 ^= 1 << 0 },
		"noncanonical":  func(r *PtRegs) { r.IP, r.CX = 1<<47, 1<<47 },
		"kernel cs":     func(r *PtRegs) { r.CS = KernelCS },
		"trap flag":     func(r *PtRegs) { r.Flags |= 1 << 8; r.R11 = r.Flags },
	} {
		r := ok
		mod(&r)
		if r.SysretSafe() {
			t.Errorf("%s: frame must go back with IRETQ", name)
		}
	}
	if !ok.UserMode() || (&PtRegs{CS: KernelCS}).UserMode() {
		t.Error("UserMode wrong")
	}
}
