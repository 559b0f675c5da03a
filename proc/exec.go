package proc

import (
	"errors"
	"path"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/mm"
	"tamix/proc/elf"
)

// ETDynBase is where a position-independent (static-pie) program is
// loaded: Linux's ELF_ET_DYN_BASE, two thirds of the 47-bit user space.
const ETDynBase = 0x555555554000

// Image is a program loaded into a new address space, ready to run.
type Image struct {
	MM   *mm.MM
	Regs amd64.PtRegs
	Comm string
	// Layout is what /proc reads about the image (mm_struct's
	// start_code ... env_end and exe_file), recorded in MM.
	Layout mm.ExecLayout
}

// LoadProgram reads the static ELF executable at filename (through the
// VFS, relative names from the working directory) and builds a new address space for it: the PT_LOAD segments
// (file bytes, the rest zero), the brk heap after them, and
// the initial stack with argv, envp and the auxiliary vector (System V
// x86-64 ABI). It does not touch the calling task.
// Mirrors fs/binfmt_elf.c:load_elf_binary() for static programs;
// read-only segments are mapped from the image cache (execcache.go)
// where Linux maps the page cache, writable ones are copied.
func LoadProgram(filename string, argv, envp []string) (*Image, error) {
	return loadProgram(filename, filename, argv, envp, 0)
}

// loadProgram is LoadProgram for the file at path, with a #! script run
// through its interpreter (binfmt_script; depth counts the scripts on the
// way, up to maxInterpDepth); filename is the name exec was given, which
// names the task (comm), as Linux's bprm->filename does.
func loadProgram(path, filename string, argv, envp []string, depth int) (*Image, error) {
	data, exe, err := readExec(path)
	if err != nil {
		return nil, errnoOf(err, abi.ENOENT)
	}
	if interp, arg, ok, err := ParseShebang(data); ok {
		switch {
		case err != nil:
			return nil, err
		case depth >= maxInterpDepth:
			return nil, abi.ELOOP
		}
		return loadProgram(interp, filename, ScriptArgv(interp, arg, path, argv), envp, depth+1)
	}
	f, err := elf.Parse(data)
	if err != nil {
		return nil, abi.Errno(elf.ErrnoOf(err))
	}
	tlb := K.NewTLB()
	m, err := mm.NewMM(K.Template, K.Pages, tlb)
	if err != nil {
		return nil, abi.ENOMEM
	}
	tlb.Bind(m)
	img := &Image{MM: m, Comm: comm(filename)}
	if err := loadSegments(img, f, imageFileOf(exe), argv, envp, filename); err != nil {
		m.Put()
		return nil, err
	}
	img.Layout.ExeFile = exe
	m.SetExecLayout(img.Layout)
	return img, nil
}

// loadSegments maps the PT_LOAD segments of f into img's new address
// space (file names the file for the image cache; nil: copy every page),
// then the brk heap and the stack.
func loadSegments(img *Image, f *elf.File, file any, argv, envp []string, filename string) error {
	m := img.MM
	page := new([mm.PageSize]byte)
	var bias uint64
	if f.Type == elf.ET_DYN {
		lo, _ := f.Span()
		bias = ETDynBase - lo
	}
	var brk uint64
	for i := range f.Loads {
		s := &f.Loads[i]
		start := mm.PageAlignDown(uintptr(s.Vaddr + bias))
		end := mm.PageAlign(uintptr(s.End() + bias))
		if !mm.IsUserRange(start, end) {
			logf("exec %s: segment %#x-%#x is outside user space (the kernel's hole is 16 MiB-4 GiB)", filename, start, end)
			return abi.ENOEXEC
		}
		// Writable while the bytes are copied in; the final protection
		// comes after every segment is in (two may share a page).
		if _, err := m.Mmap(start, end-start, abi.PROT_READ|abi.PROT_WRITE,
			abi.MAP_PRIVATE|abi.MAP_ANONYMOUS|abi.MAP_FIXED, -1, 0); err != nil {
			return errnoOf(err, abi.ENOMEM)
		}
		if err := loadSegment(m, file, f, s, bias, page); err != nil {
			return errnoOf(err, abi.EFAULT)
		}
		brk = max(brk, uint64(end))
		recordSegment(&img.Layout, s, bias)
	}
	for i := range f.Loads {
		s := &f.Loads[i]
		start := mm.PageAlignDown(uintptr(s.Vaddr + bias))
		end := mm.PageAlign(uintptr(s.End() + bias))
		if err := m.Mprotect(start, end-start, segmentProt(s.Flags)); err != nil {
			return errnoOf(err, abi.ENOMEM)
		}
	}
	m.SetupBrk(uintptr(brk))
	top, err := m.SetupStack(mm.StackInitial)
	if err != nil {
		return errnoOf(err, abi.ENOMEM)
	}
	return buildStack(img, f, bias, top, argv, envp, filename)
}

// buildStack lays out argv, envp and the auxiliary vector below top and
// sets the registers to start at the entry point.
func buildStack(img *Image, f *elf.File, bias uint64, top uintptr, argv, envp []string, filename string) error {
	aux := f.AuxParams(bias)
	aux.HWCap, aux.HWCap2 = K.HWCap, K.HWCap2
	if t := Current(); t != nil && t.Cred != nil { // the exec'ing task's IDs
		c := t.Cred.Snapshot()
		aux.UID, aux.EUID, aux.GID, aux.EGID = uint64(c.U.Real), uint64(c.U.Eff), uint64(c.G.Real), uint64(c.G.Eff)
	}
	args := &elf.StackArgs{
		Top: uint64(top), Argv: argv, Envp: envp, ExecFn: filename,
		Platform: "x86_64", Auxv: elf.NewAuxv(aux), StackLimit: uint64(mm.StackLimit),
	}
	if K.Random != nil {
		K.Random(args.Random[:])
	}
	st, err := elf.LayoutStack(args)
	if err != nil {
		return abi.Errno(elf.ErrnoOf(err))
	}
	if _, err := img.MM.CopyToUser(uintptr(st.SP), st.Image); err != nil {
		return errnoOf(err, abi.EFAULT)
	}
	img.Regs = amd64.NewUserRegs(f.Entry+bias, st.SP)
	l := &img.Layout
	l.ArgStart, l.ArgEnd, l.EnvStart, l.EnvEnd = st.ArgStart, st.ArgEnd, st.EnvStart, st.EnvEnd
	l.StartStack = st.SP
	return nil
}

// recordSegment widens the code and data ranges of l by the file part of
// segment s, as load_elf_binary() computes start_code, end_code,
// start_data and end_data: code from executable segments, data up to
// the end of the last one.
func recordSegment(l *mm.ExecLayout, s *elf.Segment, bias uint64) {
	start, end := s.Vaddr+bias, s.Vaddr+s.Filesz+bias
	if s.Flags&elf.PF_X != 0 {
		if l.StartCode == 0 || start < l.StartCode {
			l.StartCode = start
		}
		l.EndCode = max(l.EndCode, end)
	}
	l.StartData = max(l.StartData, start)
	l.EndData = max(l.EndData, end)
}

// segmentProt turns ELF p_flags into PROT_* bits.
func segmentProt(flags uint32) int {
	prot := 0
	if flags&elf.PF_R != 0 {
		prot |= abi.PROT_READ
	}
	if flags&elf.PF_W != 0 {
		prot |= abi.PROT_WRITE
	}
	if flags&elf.PF_X != 0 {
		prot |= abi.PROT_EXEC
	}
	return prot
}

// comm is the task name exec sets: the file's base name, 15 bytes at most.
func comm(filename string) string {
	c := path.Base(filename)
	if len(c) > 15 {
		c = c[:15]
	}
	return c
}

// errnoOf returns the errno in err's chain, or def.
func errnoOf(err error, def abi.Errno) abi.Errno {
	var e abi.Errno
	if errors.As(err, &e) {
		return e
	}
	var ee interface{ Errno() int }
	if errors.As(err, &ee) {
		return abi.Errno(ee.Errno())
	}
	logf("errno for %v: using %v", err, def)
	return def
}
