package proc

import (
	"encoding/binary"
	"reflect"
	"testing"

	"tamix/abi"
	"tamix/arch/amd64"
)

// Host tests of the signal frame's pure parts: where it goes
// (SigframePlace), what goes in it (BuildRtSigframe) and what
// rt_sigreturn takes back (ParseUcontext, RestoreSigcontext). The layout
// itself is pinned against the C headers in sigframe_linux_test.go.

const saHandler = abi.SA_RESTORER | abi.SA_SIGINFO

// checkPlacement checks the invariants of a frame placed for a handler
// whose stack was sp with the frame's top at most top (sp less the red
// zone, or the top of the alternate stack).
func checkPlacement(t *testing.T, what string, top, frame, fp uint64) {
	t.Helper()
	if fp%64 != 0 {
		t.Errorf("%s: FPU state at %#x, not 64-byte aligned (FXSAVE needs 16, Linux gives 64)", what, fp)
	}
	if fp+FPStateSize > top {
		t.Errorf("%s: FPU state %#x+%d runs past %#x", what, fp, FPStateSize, top)
	}
	if frame+RtSigframeSize > fp {
		t.Errorf("%s: frame %#x+%d overlaps the FPU state at %#x", what, frame, RtSigframeSize, fp)
	}
	if (frame+8)%16 != 0 {
		t.Errorf("%s: frame at %#x: the handler starts with (sp+8)%%16 = %d, the ABI wants 0",
			what, frame, (frame+8)%16)
	}
	if fp-(frame+RtSigframeSize) >= 64+16 {
		t.Errorf("%s: %d bytes wasted between frame and FPU state", what, fp-(frame+RtSigframeSize))
	}
}

func TestSigframePlaceRedZone(t *testing.T) {
	var none SigaltStack
	for _, flags := range []uint64{saHandler, saHandler | abi.SA_ONSTACK} {
		for off := uint64(0); off < 128; off++ {
			sp := 0x7ffffffde000 - off
			frame, fp, ok := SigframePlace(sp, flags, &none)
			if !ok {
				t.Fatalf("sp %#x flags %#x: no room on the ordinary stack", sp, flags)
			}
			checkPlacement(t, "ordinary stack", sp-redZone, frame, fp)
		}
	}
	// One worked example: 0x7ffffffde000 - 128 - 516 = 0x7ffffffddd7c,
	// down to 64: 0x7ffffffddd40; less 440 = 0x7ffffffddb88, down to 16
	// and less 8: 0x7ffffffddb78.
	frame, fp, _ := SigframePlace(0x7ffffffde000, saHandler, &none)
	if frame != 0x7ffffffddb78 || fp != 0x7ffffffddd40 {
		t.Errorf("frame %#x, FPU state %#x; want 0x7ffffffddb78, 0x7ffffffddd40", frame, fp)
	}
}

func TestSigframePlaceAltstack(t *testing.T) {
	alt := SigaltStack{SP: 0x600000, Size: 0x2000}
	top := alt.SP + alt.Size
	sp := uint64(0x7ffffffde000)

	// Without SA_ONSTACK the alternate stack is not used.
	frame, _, ok := SigframePlace(sp, saHandler, &alt)
	if !ok || frame < 0x7ffffffd0000 {
		t.Errorf("no SA_ONSTACK: frame %#x ok %v, want the ordinary stack", frame, ok)
	}
	// Entering: the frame goes at the top of the alternate stack, with
	// no red zone (the interrupted code was not using that stack).
	frame, fp, ok := SigframePlace(sp, saHandler|abi.SA_ONSTACK, &alt)
	if !ok || frame <= alt.SP || frame >= top {
		t.Fatalf("entering: frame %#x ok %v, want inside [%#x, %#x)", frame, ok, alt.SP, top)
	}
	checkPlacement(t, "entering", top, frame, fp)
	if fp != (top-FPStateSize)&^63 {
		t.Errorf("entering: FPU state %#x, want %#x (the very top)", fp, (top-FPStateSize)&^63)
	}
	// Nested: a handler already on the alternate stack gets the next
	// frame below its sp and red zone, on the same stack.
	inner := frame - 0x100
	frame2, fp2, ok := SigframePlace(inner, saHandler|abi.SA_ONSTACK, &alt)
	if !ok || frame2 <= alt.SP || fp2+FPStateSize > inner-redZone {
		t.Errorf("nested: frame %#x, FPU %#x, ok %v below sp %#x", frame2, fp2, ok, inner)
	}
	checkPlacement(t, "nested", inner-redZone, frame2, fp2)
	// Nested, even without SA_ONSTACK, stays on the alternate stack.
	frame3, _, ok := SigframePlace(inner, saHandler, &alt)
	if !ok || frame3 <= alt.SP || frame3 >= top {
		t.Errorf("nested without SA_ONSTACK: frame %#x ok %v, want on the alternate stack", frame3, ok)
	}
}

func TestSigframePlaceOverflow(t *testing.T) {
	// A stack too small for one frame: entering overflows.
	small := SigaltStack{SP: 0x600000, Size: 900}
	if f, _, ok := SigframePlace(0x7ffffffde000, saHandler|abi.SA_ONSTACK, &small); ok {
		t.Errorf("entering a %d-byte stack: frame %#x accepted", small.Size, f)
	}
	// Nested near the bottom: the next frame would fall off it.
	alt := SigaltStack{SP: 0x600000, Size: 0x2000}
	if f, _, ok := SigframePlace(alt.SP+700, saHandler|abi.SA_ONSTACK, &alt); ok {
		t.Errorf("nested at 700 bytes from the bottom: frame %#x accepted", f)
	}
	// A disabled stack (size 0) is never entered.
	if f, _, ok := SigframePlace(0x7ffffffde000, saHandler|abi.SA_ONSTACK, &SigaltStack{}); !ok || f < 0x7ffffffd0000 {
		t.Errorf("SA_ONSTACK without a sigaltstack: frame %#x ok %v", f, ok)
	}
	// SS_AUTODISARM: never "on" the stack, so a handler running on it
	// starts again from the top (Linux's behaviour with the flag).
	auto := SigaltStack{SP: 0x600000, Size: 0x2000, Flags: abi.SS_AUTODISARM}
	f, fp, ok := SigframePlace(0x601000, saHandler|abi.SA_ONSTACK, &auto)
	if !ok || fp != (auto.SP+auto.Size-FPStateSize)&^63 {
		t.Errorf("SS_AUTODISARM: frame %#x FPU %#x ok %v, want the top again", f, fp, ok)
	}
}

// sigcontextRegNames are struct sigcontext's first 17 fields, in order,
// with the PtRegs field sigcontextRegs puts there.
var sigcontextRegNames = [17][2]string{
	{"r8", "R8"}, {"r9", "R9"}, {"r10", "R10"}, {"r11", "R11"},
	{"r12", "R12"}, {"r13", "R13"}, {"r14", "R14"}, {"r15", "R15"},
	{"rdi", "DI"}, {"rsi", "SI"}, {"rbp", "BP"}, {"rbx", "BX"},
	{"rdx", "DX"}, {"rax", "AX"}, {"rcx", "CX"}, {"rsp", "SP"}, {"rip", "IP"},
}

// TestSigcontextRegsOrder checks that sigcontextRegs names the PtRegs
// field sigcontextRegNames says for each slot of struct sigcontext.
func TestSigcontextRegsOrder(t *testing.T) {
	var r amd64.PtRegs
	v := reflect.ValueOf(&r).Elem()
	for i, n := range sigcontextRegNames {
		v.FieldByName(n[1]).SetUint(uint64(0x100 + i))
	}
	for i, p := range sigcontextRegs(&r) {
		if *p != uint64(0x100+i) {
			t.Errorf("sigcontext slot %d (%s) holds %#x, want PtRegs.%s", i, sigcontextRegNames[i][0], *p, sigcontextRegNames[i][1])
		}
	}
}

// userRegs returns a plausible user register set, every register distinct.
func userRegs() amd64.PtRegs {
	var r amd64.PtRegs
	v := reflect.ValueOf(&r).Elem()
	for i := 0; i < v.NumField(); i++ {
		v.Field(i).SetUint(uint64(0x1111 * (i + 1)))
	}
	r.IP, r.SP = 0x401234, 0x7ffffffde008
	r.CS, r.SS = amd64.UserCS, amd64.UserDS
	r.Flags = 0x202 // IF
	r.OrigAX = 39
	return r
}

// frameContext builds a frame for r and parses its ucontext back.
func frameContext(r *amd64.PtRegs) Sigcontext {
	b := BuildRtSigframe(r, &SigframeInput{Frame: 0x7000, FPState: 0x7200, Restorer: 0x401000,
		Info: NewKillInfo(abi.SIGUSR1, abi.SI_TKILL, 1), OldMask: SigMask(abi.SIGUSR2),
		Alt: SigaltStack{SP: 0x600000, Size: 0x2000}, AltFlags: abi.SS_ONSTACK})
	return ParseUcontext(b[FrameUC : FrameUC+UCSize])
}

func TestSigreturnRoundTrip(t *testing.T) {
	r := userRegs()
	c := frameContext(&r)
	if c.FPState != 0x7200 || c.Mask != SigMask(abi.SIGUSR2) || c.Stack.SP != 0x600000 ||
		c.Stack.Size != 0x2000 || c.SSFlags != abi.SS_ONSTACK {
		t.Errorf("ucontext read back: %+v", c)
	}
	var got amd64.PtRegs
	got.Flags = 0x202
	if !RestoreSigcontext(&got, &c) {
		t.Fatal("a frame Tamix wrote was refused")
	}
	want := r
	want.OrigAX = ^uint64(0) // no restart after sigreturn
	if got != want {
		t.Errorf("restored\n%+v\nwant\n%+v", got, want)
	}
}

func TestRestoreSigcontextFlags(t *testing.T) {
	r := userRegs()
	c := frameContext(&r)
	const iopl3, nt, vm, ifl = 3 << 12, 1 << 14, 1 << 17, 1 << 9
	const cf, df, tf, ac, rf = 1 << 0, 1 << 10, 1 << 8, 1 << 18, 1 << 16
	c.Regs.Flags = iopl3 | nt | vm | cf | df | tf | ac | rf // and IF clear
	cur := userRegs()
	if !RestoreSigcontext(&cur, &c) {
		t.Fatal("refused")
	}
	if cur.Flags&(iopl3|nt|vm) != 0 || cur.Flags&ifl == 0 {
		t.Errorf("flags %#x: IOPL, NT or VM taken from the frame, or IF lost", cur.Flags)
	}
	if cur.Flags&(cf|df|tf|ac|rf) != cf|df|tf|ac|rf {
		t.Errorf("flags %#x: the frame's CF, DF, TF, AC and RF should be restored", cur.Flags)
	}
	// RPL 0 in an otherwise user selector is accepted and forced to 3.
	c = frameContext(&r)
	c.Regs.CS, c.Regs.SS = amd64.UserCS&^3, amd64.UserDS&^3
	if !RestoreSigcontext(&cur, &c) || cur.CS != amd64.UserCS || cur.SS != amd64.UserDS {
		t.Errorf("selectors with RPL 0: CS %#x SS %#x", cur.CS, cur.SS)
	}
}

func TestRestoreSigcontextRejects(t *testing.T) {
	r := userRegs()
	for _, tc := range []struct {
		what  string
		forge func(c *amd64.PtRegs)
	}{
		{"kernel CS", func(c *amd64.PtRegs) { c.CS = amd64.KernelCS }},
		{"32-bit user CS", func(c *amd64.PtRegs) { c.CS = 0x23 }},
		{"kernel SS", func(c *amd64.PtRegs) { c.SS = 0x18 }},
		{"SS = CS", func(c *amd64.PtRegs) { c.SS = amd64.UserCS }},
		{"ip 1<<47", func(c *amd64.PtRegs) { c.IP = 1 << 47 }},
		{"kernel-half ip", func(c *amd64.PtRegs) { c.IP = 0xffffffff81000000 }},
		{"non-canonical sp", func(c *amd64.PtRegs) { c.SP = 0x0000900000000000 }},
		{"kernel-half sp", func(c *amd64.PtRegs) { c.SP = 0xffff880000000000 }},
	} {
		c := frameContext(&r)
		tc.forge(&c.Regs)
		cur := userRegs()
		before := cur
		if RestoreSigcontext(&cur, &c) {
			t.Errorf("%s: forged frame accepted (CS %#x SS %#x IP %#x SP %#x)", tc.what, cur.CS, cur.SS, cur.IP, cur.SP)
		}
		if cur != before {
			t.Errorf("%s: refused, but pt_regs changed", tc.what)
		}
	}
	c := frameContext(&r)
	c.Regs.IP, c.Regs.SP = 1<<47-1, 1<<47-8
	if cur := userRegs(); !RestoreSigcontext(&cur, &c) {
		t.Error("the highest canonical user ip and sp were refused")
	}
}

func TestBuildRtSigframeFields(t *testing.T) {
	r := userRegs()
	info := NewKillInfo(abi.SIGUSR1, abi.SI_TKILL, 7)
	b := BuildRtSigframe(&r, &SigframeInput{Restorer: 0x401000, Info: info, OldMask: 0x5,
		TrapNr: 14, Err: 6, CR2: 0xdead000, FPState: 0x7200})
	le := func(off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	sc := FrameUC + UCMcontext
	for _, f := range []struct {
		what      string
		off       int
		got, want uint64
	}{
		{"pretcode", FramePretcode, le(FramePretcode), 0x401000},
		{"uc_flags", FrameUC + UCFlags, le(FrameUC + UCFlags), UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS},
		{"rip", sc + 16*8, le(sc + 16*8), r.IP},
		{"trapno", sc + scTrapno, le(sc + scTrapno), 14},
		{"err", sc + scErr, le(sc + scErr), 6},
		{"cr2", sc + scCR2, le(sc + scCR2), 0xdead000},
		{"oldmask", sc + scOldmask, le(sc + scOldmask), 5},
		{"uc_sigmask", FrameUC + UCSigmask, le(FrameUC + UCSigmask), 5},
		{"cs|gs|fs|ss", sc + scCS, le(sc + scCS), amd64.UserCS | amd64.UserDS<<48},
	} {
		if f.got != f.want {
			t.Errorf("%s at %d: %#x, want %#x", f.what, f.off, f.got, f.want)
		}
	}
	var got Siginfo
	copy(got[:], b[FrameInfo:])
	if got != *info {
		t.Error("siginfo in the frame differs from the one delivered")
	}
}

func TestMarkFPState(t *testing.T) {
	fx := make([]byte, 512)
	for i := range fx {
		fx[i] = 0xcc
	}
	out := MarkFPState(fx)
	if len(out) != FPStateSize {
		t.Fatalf("%d bytes", len(out))
	}
	le := binary.LittleEndian
	sw := out[fpxSwBytes:]
	if le.Uint32(sw) != FP_XSTATE_MAGIC1 || le.Uint32(sw[4:]) != FPStateSize ||
		le.Uint64(sw[8:]) != 3 || le.Uint32(sw[16:]) != 512 {
		t.Errorf("fpx_sw_bytes: % x", out[fpxSwBytes:fpxSwBytes+20])
	}
	if out[fpxSwBytes+20] != 0 || out[fpxSwBytes-1] != 0xcc {
		t.Error("software bytes not cleared, or the FXSAVE image changed")
	}
	if m := le.Uint32(out[512:]); m != FP_XSTATE_MAGIC2 {
		t.Errorf("magic2 %#x", m)
	}
}
