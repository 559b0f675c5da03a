package elf

// Tests against real tools: programs built by musl-gcc and gcc, compared
// with the standard library's debug/elf, and initial stacks built by the
// running Linux kernel. Each skips when its tool is missing.

import (
	"bytes"
	stdelf "debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const helloC = `#include <stdio.h>
__thread int counter = 5;
int main(int argc, char **argv) { printf("hello %d %s\n", counter, argv[0]); return 0; }
`

// build compiles src with cc and args into dir/name and returns its bytes.
func build(t *testing.T, dir, name, src string, cc string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(cc); err != nil {
		t.Skipf("%s not installed", cc)
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("needs a linux/amd64 host")
	}
	c := filepath.Join(dir, name+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command(cc, append(append([]string{"-O2", "-o", out}, args...), c)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// crossCheck compares Parse's view of data with debug/elf's.
func crossCheck(t *testing.T, data []byte, f *File) {
	t.Helper()
	std, err := stdelf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if uint16(std.Type) != f.Type || std.Entry != f.Entry || len(std.Progs) != int(f.Phnum) {
		t.Errorf("header: debug/elf %v %#x %d, Parse %d %#x %d", std.Type, std.Entry, len(std.Progs), f.Type, f.Entry, f.Phnum)
	}
	var loads []*stdelf.Prog
	for _, p := range std.Progs {
		switch p.Type {
		case stdelf.PT_LOAD:
			loads = append(loads, p)
		case stdelf.PT_TLS:
			if f.TLS == nil || f.TLS.Vaddr != p.Vaddr || f.TLS.Memsz != p.Memsz {
				t.Errorf("TLS %+v, debug/elf %+v", f.TLS, p.ProgHeader)
			}
		case stdelf.PT_PHDR:
			if f.PhdrAddr != p.Vaddr {
				t.Errorf("PhdrAddr %#x, PT_PHDR %#x", f.PhdrAddr, p.Vaddr)
			}
		case stdelf.PT_GNU_STACK:
			if f.Stack != StackNoExec {
				t.Errorf("Stack %v", f.Stack)
			}
		}
	}
	if len(loads) != len(f.Loads) {
		t.Fatalf("%d PT_LOAD, debug/elf %d", len(f.Loads), len(loads))
	}
	for i, p := range loads {
		s := f.Loads[i]
		if s.Vaddr != p.Vaddr || s.Memsz != p.Memsz || s.Filesz != p.Filesz || s.Offset != p.Off ||
			s.Flags != uint32(p.Flags) || s.Align != p.Align {
			t.Errorf("PT_LOAD %d: %+v, debug/elf %+v", i, s, p.ProgHeader)
		}
		want := make([]byte, p.Filesz)
		if _, err := p.ReadAt(want, 0); err != nil || !bytes.Equal(want, s.Data) {
			t.Errorf("PT_LOAD %d: data differs (%v)", i, err)
		}
	}
	if f.PhdrAddr == 0 {
		t.Error("program headers not found in memory")
	}
}

func TestMuslStatic(t *testing.T) {
	data := build(t, t.TempDir(), "hello", helloC, "musl-gcc", "-static")
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != ET_EXEC || f.TLS == nil {
		t.Errorf("type %d TLS %v", f.Type, f.TLS)
	}
	crossCheck(t, data, f)
	if lo, _ := f.Span(); lo != 0x400000 {
		t.Errorf("lowest address %#x, want the default 0x400000", lo)
	}
}

// TestMuslStaticPIE builds a static PIE the way musl documents it (rcrt1.o,
// -static-pie, no dynamic linker). Debian's musl-gcc wrapper has no spec
// for -static-pie, so the link line is spelled out.
func TestMuslStaticPIE(t *testing.T) {
	lib := "/usr/lib/x86_64-linux-musl"
	if _, err := os.Stat(filepath.Join(lib, "rcrt1.o")); err != nil {
		t.Skip("musl's rcrt1.o not found")
	}
	gccFile := func(name string) string {
		out, err := exec.Command("gcc", "-print-file-name="+name).Output()
		if err != nil {
			t.Skip("gcc not installed")
		}
		return strings.TrimSpace(string(out))
	}
	dir := t.TempDir()
	data := build(t, dir, "pie", helloC, "musl-gcc", "-fPIE", "-nostartfiles",
		"-Wl,-static,-pie,--no-dynamic-linker,-z,text",
		lib+"/rcrt1.o", lib+"/crti.o", gccFile("crtbeginS.o"), gccFile("crtendS.o"), lib+"/crtn.o")
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != ET_DYN {
		t.Errorf("type %d, want ET_DYN", f.Type)
	}
	crossCheck(t, data, f)
	if out, err := exec.Command(filepath.Join(dir, "pie")).Output(); err != nil || !strings.HasPrefix(string(out), "hello 5") {
		t.Errorf("the static PIE does not run on Linux: %v %q", err, out)
	}
}

func TestMuslDynamic(t *testing.T) {
	data := build(t, t.TempDir(), "dyn", helloC, "musl-gcc")
	_, err := Parse(data)
	if !errors.Is(err, ErrInterp) || !strings.Contains(err.Error(), "ld-musl-x86_64.so.1") {
		t.Errorf("err = %v, want ErrInterp naming ld-musl", err)
	}
}

// TestStackMatchesLinux runs testdata/stackdump.c, which writes out the
// initial stack Linux gave it, under setarch -R (no randomisation), and
// checks that LayoutStack builds the same bytes at the same addresses from
// the same strings and auxiliary vector.
func TestStackMatchesLinux(t *testing.T) {
	if _, err := exec.LookPath("setarch"); err != nil {
		t.Skip("setarch not installed")
	}
	src, err := os.ReadFile("testdata/stackdump.c")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	build(t, dir, "stackdump", string(src), "gcc", "-static", "-nostdlib", "-fno-stack-protector", "-no-pie")
	for _, args := range [][]string{{"one"}, {"a", "", "three 3", strings.Repeat("x", 1000)}, {}} {
		cmd := exec.Command("setarch", append([]string{"-R", filepath.Join(dir, "stackdump")}, args...)...)
		cmd.Env = []string{"A=1", "LONGER_VARIABLE=" + strings.Repeat("y", 77), "E="}
		out, err := cmd.Output()
		if err != nil || len(out) < 16 {
			t.Skipf("stackdump under setarch -R: %v", err)
		}
		sp, top := le.Uint64(out), le.Uint64(out[8:])
		linux := &Stack{SP: sp, Image: out[16:]}
		if uint64(len(linux.Image)) != top-sp || top%PageSize != 0 {
			t.Fatalf("dump of [%#x, %#x) has %d bytes", sp, top, len(linux.Image))
		}
		r := stackReader{linux}
		argv, envp, auxv := r.decode()
		a := &StackArgs{Top: top, Argv: argv, Envp: envp, Auxv: auxv}
		for _, e := range auxv {
			switch e.Type {
			case AT_RANDOM:
				copy(a.Random[:], linux.Image[e.Val-sp:])
			case AT_EXECFN:
				a.ExecFn = r.str(e.Val)
			case AT_PLATFORM:
				a.Platform = r.str(e.Val)
			}
		}
		if a.Platform != Platform {
			t.Errorf("Linux's AT_PLATFORM is %q", a.Platform)
		}
		st, err := LayoutStack(a)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("argc %d: Linux's stack [%#x, %#x), %d auxv entries", len(argv), sp, top, len(auxv))
		if st.SP != sp || !bytes.Equal(st.Image, linux.Image) {
			t.Errorf("argv %q: LayoutStack SP %#x, %d bytes; Linux SP %#x, %d bytes", argv, st.SP, len(st.Image), sp, len(linux.Image))
			for i := range min(len(st.Image), len(linux.Image)) {
				if st.Image[len(st.Image)-1-i] != linux.Image[len(linux.Image)-1-i] {
					t.Errorf("first difference at %#x", top-1-uint64(i))
					break
				}
			}
		}
	}
}
