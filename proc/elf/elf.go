// Package elf parses the static x86-64 ELF executables that execve loads
// and lays out the initial user stack that the System V x86-64 ABI
// promises a new program.
//
// It is the format half of Linux's fs/binfmt_elf.c: Parse does the
// checks of load_elf_binary() and load_elf_phdrs() and collects what the
// loader needs (the PT_LOAD segments, the entry point, where the program
// headers land for AT_PHDR, PT_GNU_STACK, PT_TLS); LayoutStack does what
// create_elf_tables() and the string copies of fs/exec.c do to the new
// stack. Mapping the segments into an MM is the caller's job (proc's exec),
// because it needs mm.
//
// The package is pure Go over a byte slice: no debug/elf (a student should
// see the format here), no allocation of user memory, no arch dependency.
// It builds for the host, where its tests run, and for GOOS=tamago.
//
// Differences from Linux, all deliberate:
//   - Only static programs: a PT_INTERP segment is rejected (ENOEXEC)
//     instead of loading the interpreter it names.
//   - Every check happens before exec's point of no return. Linux finds
//     some malformations (p_filesz > p_memsz, a segment past TASK_SIZE)
//     while mapping, after begin_new_exec(), and then kills the process;
//     Parse reports them all as ENOEXEC and the caller keeps its old image.
//   - Stricter header checks (class, data, versions, e_ehsize, entry in an
//     executable segment) than Linux makes.
package elf

import (
	"errors"
	"fmt"

	"tamix/abi"
)

// Error is an error of this package with the Linux errno that execve
// returns for it (negated in %rax).
type Error struct {
	Errno abi.Errno
	Msg   string
}

func (e *Error) Error() string { return "elf: " + e.Msg }

// The errors Parse and LayoutStack return wrap one of these; use
// errors.Is to tell them apart and ErrnoOf for the errno.
var (
	// ErrNotELF: the file does not start with the ELF magic. Linux's
	// search_binary_handler() then tries the next format (#! scripts).
	ErrNotELF = &Error{abi.ENOEXEC, "not an ELF file"}
	// ErrUnsupported: a well-formed ELF file for another machine, class,
	// byte order or object type (not ET_EXEC or ET_DYN).
	ErrUnsupported = &Error{abi.ENOEXEC, "unsupported ELF file"}
	// ErrMalformed: a header or program header that does not make sense
	// or points outside the file.
	ErrMalformed = &Error{abi.ENOEXEC, "malformed ELF file"}
	// ErrInterp: the program asks for an interpreter (PT_INTERP), that is,
	// it is dynamically linked. Tamix runs static programs only.
	ErrInterp = &Error{abi.ENOEXEC, "dynamically linked program (PT_INTERP)"}
	// ErrTooBig: argv, envp and the file name do not fit the argument
	// limits (MAX_ARG_STRLEN per string, a quarter of the stack limit in
	// all).
	ErrTooBig = &Error{abi.E2BIG, "argument list too long"}
	// ErrBadStack: LayoutStack was called with arguments no caller should
	// pass (misaligned top, a NUL inside a string).
	ErrBadStack = &Error{abi.EINVAL, "bad stack layout request"}
)

// ErrnoOf returns the Linux errno of an error from this package, or 0 if
// err is nil or not one of ours.
func ErrnoOf(err error) abi.Errno {
	var e *Error
	if errors.As(err, &e) {
		return e.Errno
	}
	return 0
}

// wrap returns an error that matches kind with errors.Is and explains why.
func wrap(kind *Error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}

// The ELF identification, e_ident[] (include/uapi/linux/elf.h).
const (
	EI_MAG0       = 0 // 0x7f
	EI_MAG1       = 1 // 'E'
	EI_MAG2       = 2 // 'L'
	EI_MAG3       = 3 // 'F'
	EI_CLASS      = 4
	EI_DATA       = 5
	EI_VERSION    = 6
	EI_OSABI      = 7
	EI_ABIVERSION = 8
	EI_NIDENT     = 16

	ELFMAG      = "\x7fELF"
	ELFCLASS32  = 1
	ELFCLASS64  = 2
	ELFDATA2LSB = 1 // little endian
	ELFDATA2MSB = 2
	EV_CURRENT  = 1
)

// Object file types, e_type.
const (
	ET_NONE = 0
	ET_REL  = 1
	ET_EXEC = 2 // fixed-address executable
	ET_DYN  = 3 // shared object, or position-independent executable
	ET_CORE = 4
)

// EM_X86_64 is e_machine for AMD64.
const EM_X86_64 = 62

// Sizes of the two structures an executable starts with.
const (
	EhdrSize = 64 // sizeof(Elf64_Ehdr)
	PhdrSize = 56 // sizeof(Elf64_Phdr), also AT_PHENT
)

// Offsets of the Elf64_Ehdr fields after e_ident.
const (
	offType      = 16 // Elf64_Half e_type
	offMachine   = 18 // Elf64_Half e_machine
	offVersion   = 20 // Elf64_Word e_version
	offEntry     = 24 // Elf64_Addr e_entry
	offPhoff     = 32 // Elf64_Off  e_phoff
	offShoff     = 40 // Elf64_Off  e_shoff
	offFlags     = 48 // Elf64_Word e_flags
	offEhsize    = 52 // Elf64_Half e_ehsize
	offPhentsize = 54 // Elf64_Half e_phentsize
	offPhnum     = 56 // Elf64_Half e_phnum
)

// Offsets of the Elf64_Phdr fields.
const (
	offPType   = 0  // Elf64_Word  p_type
	offPFlags  = 4  // Elf64_Word  p_flags
	offPOffset = 8  // Elf64_Off   p_offset
	offPVaddr  = 16 // Elf64_Addr  p_vaddr
	offPPaddr  = 24 // Elf64_Addr  p_paddr (unused)
	offPFilesz = 32 // Elf64_Xword p_filesz
	offPMemsz  = 40 // Elf64_Xword p_memsz
	offPAlign  = 48 // Elf64_Xword p_align
)

// Segment types, p_type.
const (
	PT_NULL         = 0
	PT_LOAD         = 1
	PT_DYNAMIC      = 2
	PT_INTERP       = 3
	PT_NOTE         = 4
	PT_SHLIB        = 5
	PT_PHDR         = 6
	PT_TLS          = 7
	PT_GNU_EH_FRAME = 0x6474e550
	PT_GNU_STACK    = 0x6474e551
	PT_GNU_RELRO    = 0x6474e552
	PT_GNU_PROPERTY = 0x6474e553
)

// Segment permissions, p_flags.
const (
	PF_X = 1
	PF_W = 2
	PF_R = 4
)

// Limits of the x86-64 user address space and of exec.
const (
	// PageSize is ELF_MIN_ALIGN and AT_PAGESZ.
	PageSize = 4096
	// TaskSize is TASK_SIZE_MAX for 4-level paging: the user half ends one
	// page below the non-canonical hole (arch/x86/include/asm/page_64_types.h).
	TaskSize = 1<<47 - PageSize
	// maxPhdrBytes is load_elf_phdrs()'s bound on the program header
	// table: at most one page (ELF_MIN_ALIGN), so 73 headers.
	maxPhdrBytes = PageSize
	// maxInterpLen is PATH_MAX, Linux's bound on PT_INTERP's p_filesz.
	maxInterpLen = 4096
)

// StackExec says what the program asked for its stack with PT_GNU_STACK;
// it mirrors Linux's EXSTACK_* values.
type StackExec int

const (
	// StackDefault: no PT_GNU_STACK. On x86-64 Linux (since 5.8) the
	// stack is then not executable all the same.
	StackDefault StackExec = iota
	// StackNoExec: PT_GNU_STACK without PF_X (EXSTACK_DISABLE_X).
	StackNoExec
	// StackExecutable: PT_GNU_STACK with PF_X (EXSTACK_ENABLE_X).
	StackExecutable
)

// Segment is one program header that the loader cares about.
type Segment struct {
	Type   uint32 // PT_LOAD, PT_TLS, ...
	Flags  uint32 // PF_R | PF_W | PF_X
	Offset uint64 // p_offset: where the file bytes start
	Vaddr  uint64 // p_vaddr, before any load bias
	Filesz uint64 // bytes taken from the file
	Memsz  uint64 // bytes in memory; [Filesz, Memsz) is zero (bss)
	Align  uint64 // p_align
	// Data is the file's bytes [Offset, Offset+Filesz): a slice of the
	// buffer given to Parse, not a copy.
	Data []byte
}

// End returns the first address after the segment in memory.
func (s *Segment) End() uint64 { return s.Vaddr + s.Memsz }

// File is a parsed executable: what exec needs to build the new image.
type File struct {
	Type  uint16 // ET_EXEC or ET_DYN (static PIE)
	Entry uint64 // e_entry, before any load bias
	Phoff uint64 // e_phoff
	Phent uint16 // e_phentsize: always PhdrSize, which is AT_PHENT
	Phnum uint16 // e_phnum, for AT_PHNUM
	// PhdrAddr is where the program headers are in memory, before any
	// load bias, for AT_PHDR: PT_PHDR's p_vaddr if the file has one,
	// otherwise found inside the PT_LOAD that maps e_phoff. Zero if the
	// headers are not in the memory image (then AT_PHDR is just the bias,
	// as in Linux, and a static musl program cannot find its TLS).
	PhdrAddr uint64
	// Loads are the PT_LOAD segments in ascending, non-overlapping p_vaddr
	// order. Two neighbours may still share a page (the loader must then
	// give that page the union of their permissions, or copy both into
	// it).
	Loads []Segment
	// TLS is the PT_TLS segment, or nil. The kernel does not set up TLS
	// (a static libc does it from AT_PHDR); it is here to be shown.
	TLS *Segment
	// Stack is what PT_GNU_STACK asked for.
	Stack StackExec
}

// Span returns the page-aligned range [lo, hi) that the PT_LOAD segments
// cover, before any load bias. hi is also where the brk heap starts
// (Linux: mm->start_brk = ELF_PAGEALIGN(elf_brk), without randomisation).
// hi-lo mirrors fs/binfmt_elf.c:total_mapping_size().
func (f *File) Span() (lo, hi uint64) {
	lo = pageDown(f.Loads[0].Vaddr)
	for i := range f.Loads {
		if e := pageUp(f.Loads[i].End()); e > hi {
			hi = e
		}
	}
	return lo, hi
}

// MaxAlign returns the largest power-of-two p_align of the PT_LOAD
// segments, and at least PageSize: the alignment an ET_DYN load bias must
// have. Mirrors fs/binfmt_elf.c:maximum_alignment().
func (f *File) MaxAlign() uint64 {
	align := uint64(PageSize)
	for i := range f.Loads {
		a := f.Loads[i].Align
		if a > align && a&(a-1) == 0 {
			align = a
		}
	}
	return align
}

func pageDown(a uint64) uint64 { return a &^ (PageSize - 1) }

// pageUp rounds up; callers only pass addresses below TaskSize, so it
// cannot overflow.
func pageUp(a uint64) uint64 { return (a + PageSize - 1) &^ (PageSize - 1) }
