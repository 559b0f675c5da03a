package elf

import (
	"errors"
	"strings"
	"tamix/abi"
	"testing"
	"unsafe"
)

// FuzzParse feeds Parse arbitrary bytes: it must return an abi.ENOEXEC error
// or a File whose every promise holds, and never panic.
//
//	go test ./proc/elf -run '^$' -fuzz FuzzParse -fuzztime 5m
func FuzzParse(f *testing.F) {
	f.Add(goodELF())
	f.Add(makeELF(ET_DYN, 0x100, []phdr{{PT_LOAD, PF_R | PF_X, 0, 0, 0x200, 0x1000, 0x1000}}, 0x200))
	f.Add(makeELF(ET_EXEC, 0x400100, []phdr{
		{PT_INTERP, PF_R, 0x100, 0x400100, 8, 8, 1},
		{PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x200, 0x200, 0x1000},
	}, 0x200))
	f.Add([]byte(ELFMAG))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if ErrnoOf(err) != abi.ENOEXEC {
				t.Fatalf("error %v has errno %d", err, ErrnoOf(err))
			}
			return
		}
		checkFile(t, data, file)
	})
}

// checkFile verifies the invariants Parse promises for a File.
func checkFile(t *testing.T, data []byte, f *File) {
	if len(f.Loads) == 0 || (f.Type != ET_EXEC && f.Type != ET_DYN) {
		t.Fatalf("type %d with %d segments", f.Type, len(f.Loads))
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	var end uint64
	entryOK := false
	for i, s := range f.Loads {
		if s.Filesz > s.Memsz || s.Vaddr < end || s.End() > TaskSize || s.End() < s.Vaddr {
			t.Fatalf("segment %d: %+v after %#x", i, s, end)
		}
		if uint64(len(s.Data)) != s.Filesz || (s.Filesz > 0 &&
			uintptr(unsafe.Pointer(&s.Data[0]))-start != uintptr(s.Offset)) {
			t.Fatalf("segment %d: data is not data[Offset:Offset+Filesz]", i)
		}
		if s.Flags&PF_X != 0 && f.Entry >= s.Vaddr && f.Entry < s.End() {
			entryOK = true
		}
		end = s.End()
	}
	if !entryOK {
		t.Fatalf("entry %#x outside executable segments", f.Entry)
	}
	if lo, hi := f.Span(); lo > f.Loads[0].Vaddr || hi < end || lo%PageSize != 0 || hi%PageSize != 0 {
		t.Fatalf("span [%#x, %#x)", lo, hi)
	}
	if a := f.MaxAlign(); a < PageSize || a&(a-1) != 0 {
		t.Fatalf("MaxAlign %#x", a)
	}
}

// FuzzLayoutStack lays out stacks for arbitrary strings: the result must
// decode back to the same strings, or the call must fail with abi.E2BIG or
// abi.EINVAL.
//
//	go test ./proc/elf -run '^$' -fuzz FuzzLayoutStack -fuzztime 2m
func FuzzLayoutStack(f *testing.F) {
	f.Add("/bin/sh\n-c\necho hi", "HOME=/\nPATH=/bin", "/bin/sh", uint64(TaskSize), uint8(20))
	f.Add("", "", "", uint64(1<<20), uint8(0))
	f.Fuzz(func(t *testing.T, args, env, execfn string, top uint64, naux uint8) {
		a := &StackArgs{Top: top, ExecFn: execfn, Platform: Platform}
		if args != "" {
			a.Argv = strings.Split(args, "\n")
		}
		if env != "" {
			a.Envp = strings.Split(env, "\n")
		}
		full := NewAuxv(AuxParams{Phdr: 0x400040, Entry: 0x401000})
		a.Auxv = full[:int(naux)%(len(full)+1)]
		st, err := LayoutStack(a)
		if err != nil {
			if !errors.Is(err, ErrTooBig) && !errors.Is(err, ErrBadStack) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if st.SP%16 != 0 || st.SP >= top || uint64(len(st.Image)) != top-st.SP {
			t.Fatalf("SP %#x top %#x image %d", st.SP, top, len(st.Image))
		}
		argv, envp, auxv := stackReader{st}.decode()
		wantArgv := a.Argv
		if len(wantArgv) == 0 {
			wantArgv = []string{""}
		}
		if strings.Join(argv, "\n") != strings.Join(wantArgv, "\n") || len(argv) != len(wantArgv) ||
			strings.Join(envp, "\n") != env || len(auxv) != len(a.Auxv) {
			t.Fatalf("decoded argv %q envp %q auxv %d", argv, envp, len(auxv))
		}
	})
}
