package elf

import (
	"errors"
	"strings"
	"tamix/abi"
	"testing"
)

// phdr is a program header for makeELF.
type phdr struct {
	typ, flags                           uint32
	off, vaddr, filesz, memsz, alignment uint64
}

// makeELF builds a little-endian x86-64 executable of the given size with
// the headers at offset 0 and the program headers right after them. The
// rest of the file holds a recognisable byte pattern.
func makeELF(typ uint16, entry uint64, phdrs []phdr, size int) []byte {
	b := make([]byte, size)
	for i := EhdrSize; i < size; i++ {
		b[i] = byte(i*7 + 1)
	}
	copy(b, ELFMAG)
	b[EI_CLASS], b[EI_DATA], b[EI_VERSION] = ELFCLASS64, ELFDATA2LSB, EV_CURRENT
	le.PutUint16(b[offType:], typ)
	le.PutUint16(b[offMachine:], EM_X86_64)
	le.PutUint32(b[offVersion:], EV_CURRENT)
	le.PutUint64(b[offEntry:], entry)
	le.PutUint64(b[offPhoff:], EhdrSize)
	le.PutUint16(b[offEhsize:], EhdrSize)
	le.PutUint16(b[offPhentsize:], PhdrSize)
	le.PutUint16(b[offPhnum:], uint16(len(phdrs)))
	for i, p := range phdrs {
		h := b[EhdrSize+i*PhdrSize:]
		le.PutUint32(h[offPType:], p.typ)
		le.PutUint32(h[offPFlags:], p.flags)
		le.PutUint64(h[offPOffset:], p.off)
		le.PutUint64(h[offPVaddr:], p.vaddr)
		le.PutUint64(h[offPPaddr:], p.vaddr)
		le.PutUint64(h[offPFilesz:], p.filesz)
		le.PutUint64(h[offPMemsz:], p.memsz)
		le.PutUint64(h[offPAlign:], p.alignment)
	}
	return b
}

// goodPhdrs is the layout of a typical static executable, as GNU ld
// lays out musl programs: headers, text, data+bss, TLS, GNU_STACK.
var goodPhdrs = []phdr{
	{PT_PHDR, PF_R, 64, 0x400040, 6 * PhdrSize, 6 * PhdrSize, 8},
	{PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200, 0x1000},
	{PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x800, 0x800, 0x1000},
	{PT_LOAD, PF_R | PF_W, 0x1fbc, 0x402fbc, 0x44, 0x2000, 0x1000},
	{PT_TLS, PF_R, 0x1fbc, 0x402fbc, 4, 8, 4},
	{PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16},
}

const goodEntry = 0x401051
const goodSize = 0x2000

func goodELF() []byte { return makeELF(ET_EXEC, goodEntry, goodPhdrs, goodSize) }

func TestParseGood(t *testing.T) {
	data := goodELF()
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != ET_EXEC || f.Entry != goodEntry || f.Phnum != 6 || f.Phoff != 64 || f.Phent != PhdrSize {
		t.Errorf("header: %+v", f)
	}
	if f.PhdrAddr != 0x400040 {
		t.Errorf("PhdrAddr = %#x, want 0x400040", f.PhdrAddr)
	}
	if len(f.Loads) != 3 {
		t.Fatalf("%d PT_LOAD segments, want 3", len(f.Loads))
	}
	d := f.Loads[2]
	if d.Vaddr != 0x402fbc || d.Filesz != 0x44 || d.Memsz != 0x2000 || d.Flags != PF_R|PF_W || d.Align != 0x1000 {
		t.Errorf("data segment: %+v", d)
	}
	if &d.Data[0] != &data[0x1fbc] || len(d.Data) != 0x44 || cap(d.Data) != 0x44 {
		t.Errorf("segment data is not data[0x1fbc:0x2000]")
	}
	if f.TLS == nil || f.TLS.Memsz != 8 || f.TLS.Filesz != 4 {
		t.Errorf("TLS = %+v", f.TLS)
	}
	if f.Stack != StackNoExec {
		t.Errorf("Stack = %v, want StackNoExec", f.Stack)
	}
	if lo, hi := f.Span(); lo != 0x400000 || hi != 0x405000 {
		t.Errorf("Span = %#x, %#x; want 0x400000, 0x405000", lo, hi)
	}
	if a := f.MaxAlign(); a != PageSize {
		t.Errorf("MaxAlign = %#x", a)
	}
	if (&d).End() != 0x404fbc {
		t.Errorf("End = %#x", d.End())
	}
}

// TestParsePhdrFromLoad checks AT_PHDR without PT_PHDR: found through the
// PT_LOAD that maps e_phoff, as Linux does.
func TestParsePhdrFromLoad(t *testing.T) {
	f, err := Parse(makeELF(ET_EXEC, goodEntry, goodPhdrs[1:], goodSize))
	if err != nil {
		t.Fatal(err)
	}
	if f.PhdrAddr != 0x400040 {
		t.Errorf("PhdrAddr = %#x, want 0x400040", f.PhdrAddr)
	}
	// Headers outside every segment: AT_PHDR 0, as in Linux.
	ph := append([]phdr(nil), goodPhdrs[1:]...)
	ph[0].off, ph[0].vaddr, ph[0].filesz, ph[0].memsz = 0x100, 0x3ff100, 0x100, 0x100
	if f, err = Parse(makeELF(ET_EXEC, goodEntry, ph, goodSize)); err != nil {
		t.Fatal(err)
	}
	if f.PhdrAddr != 0 {
		t.Errorf("PhdrAddr = %#x, want 0", f.PhdrAddr)
	}
}

func TestParseStaticPIE(t *testing.T) {
	ph := []phdr{
		{PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000, 0x200000},
		{PT_LOAD, PF_R | PF_W, 0x1000, 0x2000, 0x10, 0x100, 0x1000},
		{PT_DYNAMIC, PF_R | PF_W, 0x1000, 0x2000, 0x10, 0x10, 8},
		{PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16},
	}
	f, err := Parse(makeELF(ET_DYN, 0x100, ph, 0x1010))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != ET_DYN || f.PhdrAddr != 0x40 || f.Stack != StackExecutable || f.TLS != nil {
		t.Errorf("got %+v", f)
	}
	if a := f.MaxAlign(); a != 0x200000 {
		t.Errorf("MaxAlign = %#x, want 0x200000", a)
	}
	if p := f.AuxParams(0x10000); p.Phdr != 0x10040 || p.Entry != 0x10100 || p.Phnum != 4 {
		t.Errorf("AuxParams = %+v", p)
	}
}

// TestParseErrors corrupts the good file one field at a time.
func TestParseErrors(t *testing.T) {
	set16 := func(off int, v uint16) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint16(b[off:], v); return b }
	}
	set32 := func(off int, v uint32) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint32(b[off:], v); return b }
	}
	set64 := func(off int, v uint64) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint64(b[off:], v); return b }
	}
	ph := func(i, off int) int { return EhdrSize + i*PhdrSize + off }
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		kind   *Error
		msg    string
	}{
		{"empty", func([]byte) []byte { return nil }, ErrNotELF, ""},
		{"script", func([]byte) []byte { return []byte("#!/bin/sh\n") }, ErrNotELF, ""},
		{"bad magic", func(b []byte) []byte { b[3] = 'G'; return b }, ErrNotELF, ""},
		{"short header", func(b []byte) []byte { return b[:40] }, ErrMalformed, "shorter than the ELF header"},
		{"32-bit", func(b []byte) []byte { b[EI_CLASS] = ELFCLASS32; return b }, ErrUnsupported, "ELFCLASS64"},
		{"big endian", func(b []byte) []byte { b[EI_DATA] = ELFDATA2MSB; return b }, ErrUnsupported, "little endian"},
		{"ident version", func(b []byte) []byte { b[EI_VERSION] = 2; return b }, ErrUnsupported, "EI_VERSION"},
		{"relocatable", set16(offType, ET_REL), ErrUnsupported, "e_type 1"},
		{"core", set16(offType, ET_CORE), ErrUnsupported, "e_type 4"},
		{"aarch64", set16(offMachine, 183), ErrUnsupported, "e_machine 183"},
		{"version", set32(offVersion, 0), ErrUnsupported, "e_version 0"},
		{"ehsize", set16(offEhsize, 52), ErrMalformed, "e_ehsize"},
		{"phentsize", set16(offPhentsize, 32), ErrMalformed, "e_phentsize"},
		{"no phdrs", set16(offPhnum, 0), ErrMalformed, "e_phnum 0"},
		{"too many phdrs", set16(offPhnum, 74), ErrMalformed, "e_phnum 74"},
		{"phdrs past end", set64(offPhoff, goodSize-100), ErrMalformed, "beyond end of file"},
		{"phoff overflow", set64(offPhoff, ^uint64(0)-10), ErrMalformed, "beyond end of file"},
		{"filesz > memsz", set64(ph(3, offPFilesz), 0x3000), ErrMalformed, "p_filesz 0x3000 > p_memsz"},
		{"load past end", set64(ph(3, offPOffset), goodSize), ErrMalformed, "beyond end of file"},
		{"offset overflow", set64(ph(2, offPOffset), ^uint64(0)), ErrMalformed, "beyond end of file"},
		{"filesz overflow", func(b []byte) []byte {
			le.PutUint64(b[ph(2, offPFilesz):], ^uint64(0)-0x800)
			le.PutUint64(b[ph(2, offPMemsz):], ^uint64(0))
			return b
		}, ErrMalformed, "beyond end of file"},
		{"kernel address", set64(ph(3, offPVaddr), 0xffff800000000fbc), ErrMalformed, "outside the user address space"},
		{"past TASK_SIZE", set64(ph(3, offPMemsz), TaskSize), ErrMalformed, "outside the user address space"},
		{"memsz wraps", set64(ph(3, offPMemsz), ^uint64(0)), ErrMalformed, "outside the user address space"},
		{"not congruent", set64(ph(3, offPVaddr), 0x403000), ErrMalformed, "differ modulo the page size"},
		{"unsorted", set64(ph(2, offPVaddr), 0x500000), ErrMalformed, "overlaps or precedes"},
		{"overlap", func(b []byte) []byte {
			le.PutUint64(b[ph(2, offPMemsz):], 0x2000)
			return b
		}, ErrMalformed, "overlaps or precedes"},
		{"no load", func(b []byte) []byte {
			for i := 1; i <= 3; i++ {
				le.PutUint32(b[ph(i, offPType):], PT_NOTE)
			}
			return b
		}, ErrMalformed, "no PT_LOAD"},
		{"interp", func(b []byte) []byte {
			le.PutUint32(b[ph(5, offPType):], PT_INTERP)
			le.PutUint64(b[ph(5, offPOffset):], 0x300)
			le.PutUint64(b[ph(5, offPFilesz):], 6)
			copy(b[0x300:], "/lib/\x00")
			return b
		}, ErrInterp, `interpreter "/lib/"`},
		{"interp past end", func(b []byte) []byte {
			le.PutUint32(b[ph(5, offPType):], PT_INTERP)
			le.PutUint64(b[ph(5, offPOffset):], goodSize)
			le.PutUint64(b[ph(5, offPFilesz):], 6)
			return b
		}, ErrInterp, ""},
		{"two PT_PHDR", set32(ph(4, offPType), PT_PHDR), ErrMalformed, "second PT_PHDR"},
		{"two PT_TLS", set32(ph(0, offPType), PT_TLS), ErrMalformed, "second PT_TLS"},
		{"TLS past end", set64(ph(4, offPFilesz), goodSize), ErrMalformed, "p_filesz"},
		{"PT_PHDR outside", set64(ph(0, offPVaddr), 0x300000), ErrMalformed, "PT_PHDR at 0x300000"},
		{"PT_PHDR in bss", set64(ph(0, offPVaddr), 0x403000), ErrMalformed, "PT_PHDR"},
		{"entry in data", set64(offEntry, 0x402fc0), ErrMalformed, "entry point 0x402fc0"},
		{"entry nowhere", set64(offEntry, 0), ErrMalformed, "entry point 0x0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.mutate(goodELF()))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", f)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q is not %q", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if ErrnoOf(err) != abi.ENOEXEC {
				t.Errorf("errno %d, want abi.ENOEXEC", ErrnoOf(err))
			}
		})
	}
}

func TestErrnoOf(t *testing.T) {
	if ErrnoOf(nil) != 0 || ErrnoOf(errors.New("x")) != 0 {
		t.Error("ErrnoOf of a foreign error is not 0")
	}
	if ErrnoOf(ErrTooBig) != abi.E2BIG || ErrnoOf(ErrBadStack) != abi.EINVAL {
		t.Error("wrong errno")
	}
	if ErrNotELF.Error() != "elf: not an ELF file" {
		t.Errorf("message %q", ErrNotELF.Error())
	}
}

// TestParseLastGNUStack: with two PT_GNU_STACK headers the last decides,
// as in Linux.
func TestParseLastGNUStack(t *testing.T) {
	ph := append(append([]phdr(nil), goodPhdrs...), phdr{typ: PT_GNU_STACK, flags: PF_R | PF_W | PF_X})
	ph[0].filesz, ph[0].memsz = 7*PhdrSize, 7*PhdrSize
	f, err := Parse(makeELF(ET_EXEC, goodEntry, ph, goodSize))
	if err != nil {
		t.Fatal(err)
	}
	if f.Stack != StackExecutable {
		t.Errorf("Stack = %v, want StackExecutable", f.Stack)
	}
	f, err = Parse(makeELF(ET_EXEC, goodEntry, goodPhdrs[:5], goodSize))
	if err == nil && f.Stack != StackDefault {
		t.Errorf("Stack = %v without PT_GNU_STACK", f.Stack)
	}
}
