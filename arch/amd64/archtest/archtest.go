//go:build tamago

// Package archtest is the in-guest test suite "arch": the entry and exit
// paths of arch/amd64 tested with hand-assembled user code on one raw
// 2 MiB user page, independently of mm (the "mm" and "user" suites run
// real programs in real address spaces).
package archtest

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"tamix/arch/amd64"
	"tamix/kernel/ktap"
)

// The user page: virtual and physical 4 MiB, one 2 MiB page made
// user-accessible in the boot page tables' first page directory
// (cpuinit_amd64.s: PML4 at 0x100000, PDPT at 0x101000, PD at 0x102000).
// Nothing else uses physical 4-6 MiB.
const (
	userBase = 0x400000
	bootPML4 = 0x100000
	bootPDPT = 0x101000
	bootPD0  = 0x102000

	pteP, pteRW, pteUS, ptePS = 1, 2, 4, 0x80
)

// kstack is the kernel stack the test task traps onto.
var kstack [16384]byte

func stackTop() uintptr {
	return (uintptr(unsafe.Pointer(&kstack[len(kstack)-1])) + 1) &^ 15
}

func entry(pa uintptr) *uint64 { return (*uint64)(unsafe.Pointer(pa)) }

// loadUser copies code to the user page (made supervisor-only meanwhile,
// since SMAP forbids the write otherwise) and opens the page to ring 3.
func loadUser(code []byte) {
	*entry(bootPD0 + 2*8) = userBase | pteP | pteRW | ptePS
	amd64.FlushAll()
	copy(unsafe.Slice((*byte)(unsafe.Pointer(uintptr(userBase))), len(code)), code)
	*entry(bootPML4) |= pteUS
	*entry(bootPDPT) |= pteUS
	*entry(bootPD0 + 2*8) |= pteUS
	amd64.FlushAll()
}

// closeUser makes the page supervisor-only again and puts the boot
// tables back as they were (mm adopts them as the kernel template).
func closeUser() {
	*entry(bootPD0 + 2*8) &^= pteUS
	*entry(bootPDPT) &^= pteUS
	*entry(bootPML4) &^= pteUS
	amd64.FlushAll()
}

// run starts code at userBase with the given registers preset and
// returns the regs at the first entry back and the vector.
func run(code []byte, set func(*amd64.PtRegs), uc *amd64.UserContext) (*amd64.PtRegs, uint64) {
	regs, v, _ := runUntil(code, set, uc, false)
	return regs, v
}

// runUntil is run that also returns the kernel's own RFLAGS, read right
// after the entry back, and with irq stops at an interrupt too.
func runUntil(code []byte, set func(*amd64.PtRegs), uc *amd64.UserContext, irq bool) (*amd64.PtRegs, uint64, uint64) {
	loadUser(code)
	regs := amd64.KernelStackRegs(stackTop())
	*regs = amd64.NewUserRegs(userBase, userBase+0x1ff000)
	if set != nil {
		set(regs)
	}
	if uc == nil {
		uc = &amd64.UserContext{FPU: amd64.NewFPUState()}
	}
	v, kflags := enterUntil(regs, uc, irq)
	return regs, v, kflags
}

// enter runs the user code until an entry that is not a device
// interrupt (the timer ticks meanwhile).
func enter(regs *amd64.PtRegs, uc *amd64.UserContext) uint64 {
	v, _ := enterUntil(regs, uc, false)
	return v
}

// enterUntil is enter, also stopping at an interrupt if irq is set, and
// returns the kernel's RFLAGS as the entry left them too.
func enterUntil(regs *amd64.PtRegs, uc *amd64.UserContext, irq bool) (v, kflags uint64) {
	for {
		v = amd64.EnterUser(regs, uc)
		kflags = amd64.ReadFlags()
		if irq || !isIRQ(v) {
			return v, kflags
		}
	}
}

// isIRQ reports whether vector v is an interrupt's.
func isIRQ(v uint64) bool { return v >= amd64.VecFirstIRQ && v != amd64.SyscallVector }

func init() {
	ktap.Register(&ktap.Suite{
		Name: "arch",
		Exit: func() error { closeUser(); return nil },
		Cases: []ktap.Case{
			{Name: "syscall_roundtrip", Run: testSyscall},
			{Name: "iret_path", Run: testIret},
			{Name: "user_exceptions", Run: testExceptions},
			{Name: "fpu_preserved", Run: testFPU},
			{Name: "fs_base", Run: testFSBase},
			{Name: "smap_smep", Run: testSMAPSMEP},
			{Name: "entry_clears_user_flags", Run: testEntryFlags},
			{Name: "user_cannot_raise_iopl", Run: testIOPL},
			{Name: "wakeg_convention", Run: testWakeGConvention},
		},
	})
}

var (
	getpidThenExit = []byte{
		0xb8, 39, 0, 0, 0, // mov $39, %eax (getpid)
		0x0f, 0x05, // syscall
		0x48, 0x89, 0xc7, // mov %rax, %rdi
		0xb8, 60, 0, 0, 0, // mov $60, %eax (exit)
		0x0f, 0x05, // syscall
		0x0f, 0x0b, // ud2: exit must not return
	}
)

func testSyscall(t *ktap.T) {
	regs, v := run(getpidThenExit, nil, nil)
	if v != amd64.SyscallVector || regs.OrigAX != 39 {
		t.Fatalf("first entry: vector %d orig_ax %d, want system call 39", v, regs.OrigAX)
	}
	if regs.CX != userBase+7 || regs.IP != userBase+7 || regs.SS != amd64.UserDS || regs.CS != amd64.UserCS {
		t.Fatalf("saved frame wrong:\n%s", amd64.FormatRegs(regs))
	}
	start := amd64.RDTSC()
	regs.AX = 4242 // getpid's result
	v = enter(regs, &amd64.UserContext{FPU: amd64.NewFPUState()})
	cycles := amd64.RDTSC() - start
	if v != amd64.SyscallVector || regs.OrigAX != 60 || regs.DI != 4242 {
		t.Fatalf("second entry: vector %d orig_ax %d rdi %d, want exit(4242)", v, regs.OrigAX, regs.DI)
	}
	t.Logf("kernel->user->kernel round trip through SYSRETQ/SYSCALL: %d cycles", cycles)
}

func testIret(t *ktap.T) {
	// Resume somewhere else than after the SYSCALL: RCX != RIP, so the
	// frame is not SYSRET-safe and enterUser must use IRETQ.
	regs, v := run(getpidThenExit, nil, nil)
	if v != amd64.SyscallVector {
		t.Fatalf("vector %d", v)
	}
	regs.IP = userBase // run getpid again from the start
	if regs.SysretSafe() {
		t.Fatalf("frame should need IRETQ")
	}
	v = enter(regs, &amd64.UserContext{FPU: amd64.NewFPUState()})
	if v != amd64.SyscallVector || regs.OrigAX != 39 || regs.CX != userBase+7 {
		t.Fatalf("after IRETQ: vector %d orig_ax %d rcx %#x", v, regs.OrigAX, regs.CX)
	}
}

func testExceptions(t *ktap.T) {
	for _, c := range []struct {
		name   string
		code   []byte
		vector uint64
		set    func(*amd64.PtRegs)
	}{
		{"ud2", []byte{0x0f, 0x0b}, amd64.VecInvalidOp, nil},
		{"hlt", []byte{0xf4}, amd64.VecGeneralProt, nil},
		{"cli", []byte{0xfa}, amd64.VecGeneralProt, nil},
		{"in", []byte{0xe4, 0x80}, amd64.VecGeneralProt, nil},
		{"int3", []byte{0xcc}, amd64.VecBreakpoint, nil},
		{"div0", []byte{0x31, 0xc9, 0xf7, 0xf1}, amd64.VecDivide, nil},
		{"kernel_read", []byte{0x8a, 0x03}, amd64.VecPageFault, func(r *amd64.PtRegs) { r.BX = 0x1000000 }},
		{"null_write", []byte{0x88, 0x03}, amd64.VecPageFault, func(r *amd64.PtRegs) { r.BX = 8 }},
	} {
		regs, v := run(c.code, c.set, nil)
		if v != c.vector {
			t.Errorf("%s: vector %d (%s), want %d (%s)", c.name, v, amd64.VectorName(v), c.vector, amd64.VectorName(c.vector))
			continue
		}
		msg := fmt.Sprintf("%s: %s at %#x -> signal %d", c.name, amd64.VectorName(v), regs.IP, amd64.SignalForTrap(v))
		if v == amd64.VecPageFault {
			msg += fmt.Sprintf(", cr2 %#x, %s", amd64.FaultAddress(), amd64.DecodePFError(regs.OrigAX))
			if regs.OrigAX&amd64.PFUser == 0 {
				t.Errorf("%s: page fault not marked as from user mode", c.name)
			}
		}
		t.Logf("%s", msg)
	}
}

func testFPU(t *ktap.T) {
	const pattern = 0x1122334455667788
	code := []byte{
		0x66, 0x48, 0x0f, 0x6e, 0xc0, // movq %rax, %xmm0
		0xb8, 24, 0, 0, 0, 0x0f, 0x05, // sched_yield
		0x66, 0x48, 0x0f, 0x7e, 0xc7, // movq %xmm0, %rdi
		0xb8, 60, 0, 0, 0, 0x0f, 0x05, // exit(%rdi)
	}
	uc := &amd64.UserContext{FPU: amd64.NewFPUState()}
	regs, v := run(code, func(r *amd64.PtRegs) { r.AX = pattern }, uc)
	if v != amd64.SyscallVector || regs.OrigAX != 24 {
		t.Fatalf("vector %d orig_ax %d", v, regs.OrigAX)
	}
	if got := uc.FPU.XMM(0); got != pattern {
		t.Errorf("saved xmm0 = %#x, want %#x", got, pattern)
	}
	// Let Go use the SSE registers meanwhile.
	s := fmt.Sprintf("%.3f %v", 3.14159*2.5, make([]float64, 64))
	buf := make([]byte, 1<<16)
	copy(buf, s)
	v = enter(regs, uc)
	if v != amd64.SyscallVector || regs.OrigAX != 60 || regs.DI != pattern {
		t.Errorf("user xmm0 after the switch = %#x, want %#x", regs.DI, uint64(pattern))
	}
}

func testFSBase(t *ktap.T) {
	code := []byte{
		0x64, 0x48, 0x8b, 0x3c, 0x25, 0, 0, 0, 0, // mov %fs:0, %rdi
		0xb8, 60, 0, 0, 0, 0x0f, 0x05, // exit(%rdi)
	}
	code = append(code, make([]byte, 0x800-len(code))...)
	code = append(code, 0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0) // at userBase+0x800
	regs, v := run(code, nil, &amd64.UserContext{FSBase: userBase + 0x800, FPU: amd64.NewFPUState()})
	if v != amd64.SyscallVector || regs.DI != 0xdeadbeef {
		t.Errorf("user read %#x through FS, want 0xdeadbeef (vector %d)", regs.DI, v)
	}
}

func testSMAPSMEP(t *ktap.T) {
	f := amd64.CPUFeatures()
	t.Logf("%v", f)
	loadUser([]byte{0xc3}) // RET
	if !f.SMAP {
		t.Skipf("CPU has no SMAP")
	}
	if amd64.ProbeRead(userBase) {
		t.Errorf("kernel read a user page without a fault: SMAP is not working")
	}
	if amd64.ProbeRead(stackTop()-8) == false {
		t.Errorf("probe of kernel memory faulted")
	}
	if f.SMEP && amd64.ProbeExec(userBase) {
		t.Errorf("kernel ran code in a user page: SMEP is not working")
	}
}

// RFLAGS bits a user program controls that must not reach ring 0.
const (
	flagTF = 1 << 8
	flagDF = 1 << 10
	flagNT = 1 << 14
	flagAC = 1 << 18
	// flagIOPL is the I/O privilege level. A user program cannot change
	// it (POPF at CPL 3 leaves it alone), so it reaches ring 0 only if
	// the kernel itself returned to user mode with it: SYSCALL's mask
	// clears it anyway, and rt_sigreturn never takes it from a frame
	// (sigtest's forged-flags case).
	flagIOPL = 3 << 12
)

// testIOPL runs user code that tries to raise IOPL to 3 with POPF, then
// makes a system call (or, the second time, reads an I/O port), and
// checks that IOPL stayed 0 in the saved user RFLAGS and in the kernel's,
// and that the port read was refused with #GP. Linux relies on the same
// hardware rule; only iopl(2), which Tamix does not have, raises it.
func testIOPL(t *ktap.T) {
	raise := []byte{0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x30, 0x00, 0x00, 0x9d} // pushfq; orq $0x3000, (%rsp); popfq
	for _, c := range []struct {
		name string
		code []byte
		want uint64
	}{
		{"syscall", append(raise[:len(raise):len(raise)], 0xb8, 39, 0, 0, 0, 0x0f, 0x05), amd64.SyscallVector},
		{"inb", append(raise[:len(raise):len(raise)], 0x31, 0xd2, 0xec), amd64.VecGeneralProt}, // xor %edx, %edx; in (%dx), %al
	} {
		regs, v, kflags := runUntil(c.code, nil, nil, false)
		if v != c.want {
			t.Errorf("%s: came back through %s, want %s", c.name, amd64.VectorName(v), amd64.VectorName(c.want))
		}
		if regs.Flags&flagIOPL != 0 || kflags&flagIOPL != 0 {
			t.Errorf("%s: IOPL raised from user mode: user RFLAGS %#x, kernel RFLAGS %#x", c.name, regs.Flags, kflags)
		}
		t.Logf("%s: back through %s, user RFLAGS %#x, kernel RFLAGS %#x", c.name, amd64.VectorName(v), regs.Flags, kflags)
	}
}

// testEntryFlags enters user mode with DF, AC and NT set (and once with TF)
// and checks the kernel's own RFLAGS after each way back: SYSCALL (the
// SFMASK MSR), an exception, a page fault and a timer interrupt (the
// trap entry's CLD and CLAC). A DF left set made the kernel zero and copy
// pages backwards over other processes' memory (issue 13).
func testEntryFlags(t *ktap.T) {
	for _, c := range []struct {
		name  string
		code  []byte
		flags uint64
		irq   bool
	}{
		{"syscall", []byte{0xb8, 39, 0, 0, 0, 0x0f, 0x05}, flagDF | flagAC | flagNT, false},
		{"int3", []byte{0xcc}, flagDF | flagAC | flagNT, false},
		{"page_fault", []byte{0x8a, 0x03}, flagDF | flagAC | flagNT, false}, // mov (%rbx), %al; rbx = 0
		{"timer_irq", []byte{0xeb, 0xfe}, flagDF | flagAC | flagNT, true},   // jmp .
		{"single_step", []byte{0x90, 0x90}, flagDF | flagAC | flagTF, false},
	} {
		regs, v, kflags := runUntil(c.code, func(r *amd64.PtRegs) { r.Flags |= c.flags }, nil, c.irq)
		if c.irq != isIRQ(v) {
			t.Errorf("%s: came back through %s", c.name, amd64.VectorName(v))
		}
		if kflags&(flagDF|flagAC|flagTF|flagNT|flagIOPL) != 0 {
			t.Errorf("%s: kernel RFLAGS %#x after %s: DF/AC/TF/NT/IOPL leaked from user mode", c.name, kflags, amd64.VectorName(v))
		}
		if regs.Flags&c.flags != c.flags {
			t.Errorf("%s: saved user RFLAGS %#x lost the user's bits %#x", c.name, regs.Flags, c.flags)
		}
		t.Logf("%s: back through %s, user RFLAGS %#x, kernel RFLAGS %#x", c.name, amd64.VectorName(v), regs.Flags, kflags)
	}
}

// testWakeGConvention hands a goroutine asleep in time.Sleep to the
// runtime's WakeG the way tamago's amd64/irq.s does from an interrupt:
// the first call must answer AX = 0 (recorded: irq.s then wakes idle
// CPUs), a second before the first was acted on AX = 1 (one pending), and
// the sleeper must wake long before its 10 s are up.
func testWakeGConvention(t *ktap.T) {
	gch := make(chan uint, 1)
	done := make(chan time.Duration, 1)
	go func() {
		gp, _ := runtime.GetG()
		gch <- gp
		start := time.Now()
		time.Sleep(10 * time.Second)
		done <- time.Since(start)
	}()
	gp := <-gch
	for i := 0; !runtime.Asleep(gp); i++ {
		if i > 1000 {
			t.Fatalf("the goroutine never went to sleep")
		}
		time.Sleep(time.Millisecond)
	}
	first := amd64.CallWakeG(gp)
	second := amd64.CallWakeG(gp)
	if first != 0 || second != 1 {
		t.Errorf("WakeG returned AX=%d then AX=%d, want 0 (recorded) then 1 (pending)", first, second)
	}
	select {
	case d := <-done:
		t.Logf("the sleeper woke after %v of its 10 s", d.Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Errorf("the sleeper was not woken")
	}
}
