package elf

import (
	"errors"
	"strings"
	"testing"
)

// stackReader decodes a laid-out stack for the tests.
type stackReader struct{ st *Stack }

func (r stackReader) word(addr uint64) uint64 { return le.Uint64(r.st.Image[addr-r.st.SP:]) }

func (r stackReader) str(addr uint64) string {
	b := r.st.Image[addr-r.st.SP:]
	return string(b[:strings.IndexByte(string(b), 0)])
}

// decode reads argv, envp and auxv back the way a libc's _start does.
func (r stackReader) decode() (argv, envp []string, auxv []AuxEntry) {
	p := r.st.SP
	argc := r.word(p)
	for p += 8; argc > 0; argc, p = argc-1, p+8 {
		argv = append(argv, r.str(r.word(p)))
	}
	for p += 8; r.word(p) != 0; p += 8 {
		envp = append(envp, r.str(r.word(p)))
	}
	for p += 8; r.word(p) != AT_NULL; p += 16 {
		auxv = append(auxv, AuxEntry{r.word(p), r.word(p + 8)})
	}
	return argv, envp, auxv
}

func testStackArgs() *StackArgs {
	f, err := Parse(goodELF())
	if err != nil {
		panic(err)
	}
	p := f.AuxParams(0)
	p.HWCap, p.UID, p.EGID = 0x178bfbff, 1000, 100
	a := &StackArgs{
		Top:      TaskSize,
		Argv:     []string{"/bin/prog", "-v", ""},
		Envp:     []string{"HOME=/", "TERM=vt100"},
		ExecFn:   "/bin/prog",
		Platform: Platform,
		Auxv:     NewAuxv(p),
	}
	for i := range a.Random {
		a.Random[i] = byte(0xa0 + i)
	}
	return a
}

func TestLayoutStack(t *testing.T) {
	a := testStackArgs()
	st, err := LayoutStack(a)
	if err != nil {
		t.Fatal(err)
	}
	if st.SP%16 != 0 {
		t.Errorf("SP %#x is not 16-byte aligned", st.SP)
	}
	if uint64(len(st.Image)) != a.Top-st.SP {
		t.Errorf("image of %d bytes for [%#x, %#x)", len(st.Image), st.SP, a.Top)
	}
	r := stackReader{st}
	argv, envp, auxv := r.decode()
	if strings.Join(argv, ",") != "/bin/prog,-v," || strings.Join(envp, ",") != "HOME=/,TERM=vt100" {
		t.Errorf("argv %q envp %q", argv, envp)
	}
	want := map[uint64]uint64{
		AT_PHDR: 0x400040, AT_PHENT: 56, AT_PHNUM: 6, AT_PAGESZ: 4096, AT_BASE: 0,
		AT_ENTRY: goodEntry, AT_UID: 1000, AT_EUID: 0, AT_GID: 0, AT_EGID: 100,
		AT_SECURE: 0, AT_HWCAP: 0x178bfbff, AT_CLKTCK: 100, AT_FLAGS: 0, AT_HWCAP2: 0,
		AT_RANDOM: st.Random, AT_EXECFN: st.ExecFn, AT_PLATFORM: st.Platform,
	}
	if len(auxv) != len(want) {
		t.Errorf("%d auxv entries, want %d", len(auxv), len(want))
	}
	for _, e := range auxv {
		if v, ok := want[e.Type]; !ok || v != e.Val {
			t.Errorf("auxv type %d = %#x, want %#x (listed %v)", e.Type, e.Val, v, ok)
		}
	}
	if got := st.Image[st.Random-st.SP : st.Random-st.SP+16]; string(got) != string(a.Random[:]) {
		t.Errorf("random bytes %x", got)
	}
	if r.str(st.Platform) != "x86_64" || r.str(st.ExecFn) != "/bin/prog" {
		t.Errorf("platform %q execfn %q", r.str(st.Platform), r.str(st.ExecFn))
	}
	if st.ExecFn+uint64(len("/bin/prog"))+1+8 != a.Top {
		t.Errorf("execfn at %#x, not right below the 8 zero bytes at the top", st.ExecFn)
	}
	if r.word(a.Top-8) != 0 {
		t.Error("top word is not zero")
	}
	// argv strings first, then envp, contiguous, as /proc/PID/cmdline wants.
	if st.ArgEnd-st.ArgStart != uint64(len("/bin/prog\x00-v\x00\x00")) || st.EnvStart != st.ArgEnd ||
		st.EnvEnd-st.EnvStart != uint64(len("HOME=/\x00TERM=vt100\x00")) {
		t.Errorf("arg [%#x, %#x) env [%#x, %#x)", st.ArgStart, st.ArgEnd, st.EnvStart, st.EnvEnd)
	}
	if st.Argc != 3 || st.Auxv != st.SP+8*(1+4+3) {
		t.Errorf("argc %d auxv at %#x", st.Argc, st.Auxv)
	}
}

// TestLayoutStackAlignment: SP is 16-byte aligned whatever the parity of
// the number of words above it.
func TestLayoutStackAlignment(t *testing.T) {
	for n := 0; n < 40; n++ {
		a := testStackArgs()
		a.Argv = strings.Split(strings.Repeat("x", n), "")
		a.Envp = a.Envp[:n%3]
		a.Auxv = a.Auxv[:n%5+10]
		st, err := LayoutStack(a)
		if err != nil {
			t.Fatal(err)
		}
		if st.SP%16 != 0 {
			t.Fatalf("n=%d: SP %#x", n, st.SP)
		}
		if argv, _, _ := (stackReader{st}).decode(); len(argv) != max(n, 1) {
			t.Fatalf("n=%d: argc %d", n, len(argv))
		}
	}
}

// TestLayoutStackNoArgv: execve with an empty argv gets argv[0] = "".
func TestLayoutStackNoArgv(t *testing.T) {
	a := testStackArgs()
	a.Argv, a.Platform, a.Auxv = nil, "", nil
	st, err := LayoutStack(a)
	if err != nil {
		t.Fatal(err)
	}
	argv, envp, auxv := stackReader{st}.decode()
	if len(argv) != 1 || argv[0] != "" || len(envp) != 2 || len(auxv) != 0 || st.Platform != 0 {
		t.Errorf("argv %q envp %q auxv %v", argv, envp, auxv)
	}
}

func TestLayoutStackErrors(t *testing.T) {
	long := strings.Repeat("a", MaxArgStrlen)
	tests := []struct {
		name   string
		modify func(*StackArgs)
		kind   *Error
	}{
		{"misaligned top", func(a *StackArgs) { a.Top -= 8 }, ErrBadStack},
		{"top too low", func(a *StackArgs) { a.Top = 256 }, ErrBadStack},
		{"NUL in argv", func(a *StackArgs) { a.Argv[1] = "a\x00b" }, ErrBadStack},
		{"platform missing", func(a *StackArgs) { a.Platform = "" }, ErrBadStack},
		{"arg too long", func(a *StackArgs) { a.Argv[1] = long }, ErrTooBig},
		{"execfn too long", func(a *StackArgs) { a.ExecFn = long }, ErrTooBig},
		{"too much", func(a *StackArgs) {
			for i := 0; i < 17; i++ {
				a.Envp = append(a.Envp, long[1:])
			}
		}, ErrTooBig},
		{"small rlimit", func(a *StackArgs) {
			a.StackLimit = 256 << 10 // a quarter is below ARG_MAX
			a.Argv = append(a.Argv, long[:ArgMax-40])
		}, ErrTooBig},
		{"pointers", func(a *StackArgs) {
			a.StackLimit = 256 << 10
			a.Envp = make([]string, ArgMax/8)
		}, ErrTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testStackArgs()
			tt.modify(a)
			if _, err := LayoutStack(a); !errors.Is(err, tt.kind) {
				t.Errorf("err = %v, want %v", err, tt.kind)
			}
		})
	}
	// Exactly at the limits: accepted.
	a := testStackArgs()
	a.Argv[1] = long[1:]
	a.StackLimit = 64 << 20
	for i := 0; i < 40; i++ {
		a.Envp = append(a.Envp, long[1:])
	}
	if _, err := LayoutStack(a); err != nil {
		t.Errorf("5 MiB of strings with a 64 MiB stack limit: %v", err)
	}
}

func TestNewAuxvOptional(t *testing.T) {
	v := NewAuxv(AuxParams{SysinfoEhdr: 0x7fff0000, MinSigStkSz: 2048, Secure: true})
	if v[0] != (AuxEntry{AT_SYSINFO_EHDR, 0x7fff0000}) || v[1] != (AuxEntry{AT_MINSIGSTKSZ, 2048}) {
		t.Errorf("auxv starts %v", v[:2])
	}
	for _, e := range v {
		if e.Type == AT_SECURE && e.Val != 1 {
			t.Errorf("AT_SECURE = %d", e.Val)
		}
	}
	if len(NewAuxv(AuxParams{})) != len(v)-2 {
		t.Error("optional entries present with zero values")
	}
}
