package elf

import "encoding/binary"

var le = binary.LittleEndian

// Parse checks that data is a static x86-64 executable Tamix can run and
// returns its description. The returned File's segments point into data.
//
// Every offset and size is checked against len(data) and against overflow,
// so a corrupt file yields an error wrapping ErrNotELF, ErrUnsupported,
// ErrMalformed or ErrInterp (all ENOEXEC), never a panic.
//
// Mirrors the checks of fs/binfmt_elf.c:load_elf_binary() and
// load_elf_phdrs(). Differs: PT_INTERP is refused rather than loaded; the
// segment checks that Linux makes while mapping (p_filesz > p_memsz, a
// segment beyond TASK_SIZE, a file offset not congruent to p_vaddr) happen
// here, before the point of no return; the header checks are stricter (see
// the package comment).
func Parse(data []byte) (*File, error) {
	if len(data) < len(ELFMAG) || string(data[:len(ELFMAG)]) != ELFMAG {
		return nil, ErrNotELF
	}
	if len(data) < EhdrSize {
		return nil, wrap(ErrMalformed, "file of %d bytes is shorter than the ELF header", len(data))
	}
	f := &File{
		Type:  le.Uint16(data[offType:]),
		Entry: le.Uint64(data[offEntry:]),
		Phoff: le.Uint64(data[offPhoff:]),
		Phent: le.Uint16(data[offPhentsize:]),
		Phnum: le.Uint16(data[offPhnum:]),
	}
	if err := checkIdent(data, f.Type); err != nil {
		return nil, err
	}
	phdrs, err := phdrTable(data, f)
	if err != nil {
		return nil, err
	}
	var phdr *Segment
	for i := 0; i < int(f.Phnum); i++ {
		s := readPhdr(phdrs[i*PhdrSize:])
		switch s.Type {
		case PT_LOAD:
			err = f.addLoad(data, s, i)
		case PT_INTERP:
			err = interpError(data, s)
		case PT_PHDR:
			if phdr != nil {
				err = wrap(ErrMalformed, "phdr %d: second PT_PHDR", i)
			}
			phdr = &s
		case PT_TLS:
			if f.TLS != nil {
				err = wrap(ErrMalformed, "phdr %d: second PT_TLS", i)
			} else if err = fileRange(data, &s, i); err == nil {
				f.TLS = &s
			}
		case PT_GNU_STACK:
			// As in Linux, the last PT_GNU_STACK decides.
			f.Stack = StackNoExec
			if s.Flags&PF_X != 0 {
				f.Stack = StackExecutable
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if len(f.Loads) == 0 {
		return nil, wrap(ErrMalformed, "no PT_LOAD segment")
	}
	if err := f.findPhdr(phdr); err != nil {
		return nil, err
	}
	if !f.inExecutable(f.Entry) {
		return nil, wrap(ErrMalformed, "entry point %#x is not in an executable segment", f.Entry)
	}
	return f, nil
}

// checkIdent checks e_ident and the fixed header fields. Linux checks only
// the magic, e_type and e_machine (elf_check_arch()); the rest are cheap
// guards against a file for another ABI that happens to say EM_X86_64.
func checkIdent(data []byte, typ uint16) error {
	switch {
	case data[EI_CLASS] != ELFCLASS64:
		return wrap(ErrUnsupported, "EI_CLASS %d is not ELFCLASS64", data[EI_CLASS])
	case data[EI_DATA] != ELFDATA2LSB:
		return wrap(ErrUnsupported, "EI_DATA %d is not little endian", data[EI_DATA])
	case data[EI_VERSION] != EV_CURRENT:
		return wrap(ErrUnsupported, "EI_VERSION %d", data[EI_VERSION])
	case typ != ET_EXEC && typ != ET_DYN:
		return wrap(ErrUnsupported, "e_type %d is neither ET_EXEC nor ET_DYN", typ)
	case le.Uint16(data[offMachine:]) != EM_X86_64:
		return wrap(ErrUnsupported, "e_machine %d is not EM_X86_64", le.Uint16(data[offMachine:]))
	case le.Uint32(data[offVersion:]) != EV_CURRENT:
		return wrap(ErrUnsupported, "e_version %d", le.Uint32(data[offVersion:]))
	case le.Uint16(data[offEhsize:]) != EhdrSize:
		return wrap(ErrMalformed, "e_ehsize %d, want %d", le.Uint16(data[offEhsize:]), EhdrSize)
	}
	return nil
}

// phdrTable returns the bytes of the program header table. Mirrors
// load_elf_phdrs(): the entry size must be sizeof(Elf64_Phdr) and the
// table at most one page.
func phdrTable(data []byte, f *File) ([]byte, error) {
	if f.Phent != PhdrSize {
		return nil, wrap(ErrMalformed, "e_phentsize %d, want %d", f.Phent, PhdrSize)
	}
	size := uint64(f.Phnum) * PhdrSize
	if size == 0 || size > maxPhdrBytes {
		return nil, wrap(ErrMalformed, "e_phnum %d: want 1 to %d program headers", f.Phnum, maxPhdrBytes/PhdrSize)
	}
	if f.Phoff > uint64(len(data)) || size > uint64(len(data))-f.Phoff {
		return nil, wrap(ErrMalformed, "program headers [%#x, +%#x) beyond end of file (%#x)", f.Phoff, size, len(data))
	}
	return data[f.Phoff : f.Phoff+size], nil
}

// readPhdr decodes one Elf64_Phdr; b holds at least PhdrSize bytes.
func readPhdr(b []byte) Segment {
	return Segment{
		Type:   le.Uint32(b[offPType:]),
		Flags:  le.Uint32(b[offPFlags:]),
		Offset: le.Uint64(b[offPOffset:]),
		Vaddr:  le.Uint64(b[offPVaddr:]),
		Filesz: le.Uint64(b[offPFilesz:]),
		Memsz:  le.Uint64(b[offPMemsz:]),
		Align:  le.Uint64(b[offPAlign:]),
	}
}

// fileRange checks that s's file bytes lie inside data and that
// p_filesz <= p_memsz, and sets s.Data.
func fileRange(data []byte, s *Segment, i int) error {
	if s.Filesz > s.Memsz {
		return wrap(ErrMalformed, "phdr %d: p_filesz %#x > p_memsz %#x", i, s.Filesz, s.Memsz)
	}
	if s.Offset > uint64(len(data)) || s.Filesz > uint64(len(data))-s.Offset {
		return wrap(ErrMalformed, "phdr %d: file range [%#x, +%#x) beyond end of file (%#x)",
			i, s.Offset, s.Filesz, len(data))
	}
	s.Data = data[s.Offset : s.Offset+s.Filesz : s.Offset+s.Filesz]
	return nil
}

// addLoad checks a PT_LOAD segment and appends it to f.Loads. The address
// check is load_elf_binary()'s "set_brk can never work" test (made before
// any load bias, as there); the congruence of p_offset and p_vaddr modulo
// the page size is what elf_map()'s mmap needs.
func (f *File) addLoad(data []byte, s Segment, i int) error {
	if err := fileRange(data, &s, i); err != nil {
		return err
	}
	if s.Vaddr >= TaskSize || s.Memsz > TaskSize-s.Vaddr {
		return wrap(ErrMalformed, "phdr %d: [%#x, +%#x) is outside the user address space", i, s.Vaddr, s.Memsz)
	}
	if s.Vaddr%PageSize != s.Offset%PageSize {
		return wrap(ErrMalformed, "phdr %d: p_vaddr %#x and p_offset %#x differ modulo the page size", i, s.Vaddr, s.Offset)
	}
	if n := len(f.Loads); n > 0 && s.Vaddr < f.Loads[n-1].End() {
		return wrap(ErrMalformed, "phdr %d: PT_LOAD at %#x overlaps or precedes the one ending at %#x",
			i, s.Vaddr, f.Loads[n-1].End())
	}
	f.Loads = append(f.Loads, s)
	return nil
}

// interpError describes a PT_INTERP segment: the program is dynamically
// linked. The interpreter's name goes into the message when it can be read.
func interpError(data []byte, s Segment) error {
	if s.Offset <= uint64(len(data)) && s.Filesz <= uint64(len(data))-s.Offset &&
		s.Filesz >= 2 && s.Filesz <= maxInterpLen {
		name := data[s.Offset : s.Offset+s.Filesz-1]
		return wrap(ErrInterp, "interpreter %q", name)
	}
	return ErrInterp
}

// findPhdr sets f.PhdrAddr. With a PT_PHDR segment it is that segment's
// address, which must lie inside the file-backed part of a PT_LOAD
// holding the table. Without one, it mirrors load_elf_binary(): the
// PT_LOAD whose file range contains e_phoff maps the table at
// e_phoff - p_offset + p_vaddr. Differs: Linux only asks that e_phoff
// fall inside the segment, here the whole table must (else musl would read
// past it).
func (f *File) findPhdr(phdr *Segment) error {
	size := uint64(f.Phnum) * PhdrSize
	for i := range f.Loads {
		s := &f.Loads[i]
		if phdr != nil {
			if phdr.Vaddr >= s.Vaddr && phdr.Vaddr-s.Vaddr <= s.Filesz &&
				size <= s.Filesz-(phdr.Vaddr-s.Vaddr) {
				f.PhdrAddr = phdr.Vaddr
				return nil
			}
			continue
		}
		if f.Phoff >= s.Offset && f.Phoff-s.Offset <= s.Filesz &&
			size <= s.Filesz-(f.Phoff-s.Offset) {
			f.PhdrAddr = f.Phoff - s.Offset + s.Vaddr
		}
	}
	if phdr != nil {
		return wrap(ErrMalformed, "PT_PHDR at %#x is not inside a PT_LOAD segment", phdr.Vaddr)
	}
	return nil
}

// inExecutable reports whether addr lies in a PT_LOAD segment with PF_X.
func (f *File) inExecutable(addr uint64) bool {
	for i := range f.Loads {
		s := &f.Loads[i]
		if s.Flags&PF_X != 0 && addr >= s.Vaddr && addr < s.End() {
			return true
		}
	}
	return false
}
