package elf

import "strings"

// Limits on exec's arguments (include/uapi/linux/binfmts.h, fs/exec.c).
const (
	// MaxArgStrlen bounds one argument or environment string, its NUL
	// included (MAX_ARG_STRLEN, 32 pages).
	MaxArgStrlen = 32 * PageSize
	// MaxArgStrings bounds the number of arguments, and of environment
	// strings (MAX_ARG_STRINGS).
	MaxArgStrings = 0x7fffffff
	// ArgMax is ARG_MAX: the smallest total the strings may always use.
	ArgMax = 32 * PageSize
	// DefaultStackLimit is the default RLIMIT_STACK (_STK_LIM, 8 MiB).
	DefaultStackLimit = 8 << 20
)

// StackArgs describes the initial stack of a new program.
type StackArgs struct {
	// Top is the end (exclusive) of the stack mapping: STACK_TOP, or the
	// top of whatever range the caller chose. It must be 16-byte aligned.
	Top uint64
	// Argv and Envp are the argument and environment strings. An empty
	// Argv gets one empty string, as Linux does since 5.18.
	Argv, Envp []string
	// ExecFn is the path name given to execve; AT_EXECFN points at it.
	ExecFn string
	// Platform is the AT_PLATFORM string, normally Platform ("x86_64").
	// Empty means none; then Auxv must not hold AT_PLATFORM.
	Platform string
	// Random holds the 16 bytes AT_RANDOM points at (libc's stack
	// protector and pointer guard seeds).
	Random [16]byte
	// Auxv is the auxiliary vector without the final AT_NULL, usually
	// from NewAuxv. The values of AT_RANDOM, AT_EXECFN and AT_PLATFORM
	// entries are replaced by the addresses of their data on the stack.
	Auxv []AuxEntry
	// StackLimit is the RLIMIT_STACK that bounds the strings; 0 means
	// DefaultStackLimit.
	StackLimit uint64
}

// Stack is the laid-out initial stack: the caller copies Image to
// [SP, Top) of the new address space and starts the program with
// %rsp = SP.
type Stack struct {
	Image []byte // the bytes of [SP, Top)
	SP    uint64 // initial %rsp, 16-byte aligned; argc is at (SP)
	Argc  int
	// Addresses inside Image, as Linux records them in mm_struct
	// (arg_start ... env_end, for /proc/PID/cmdline and environ) or
	// hands them to the program.
	ArgStart, ArgEnd, EnvStart, EnvEnd uint64
	ExecFn, Random, Platform           uint64 // AT_EXECFN, AT_RANDOM, AT_PLATFORM
	Auxv                               uint64 // address of the first auxv pair
}

// LayoutStack builds the initial stack of a new program, per the System V
// x86-64 ABI (section 3.4.1), from the highest address down:
//
//	Top-8      8 zero bytes
//	           ExecFn "\0"
//	           envp strings, argv strings (argv[0] lowest)
//	           (down to a 16-byte boundary)
//	           Platform "\0"
//	           16 random bytes                       <- AT_RANDOM
//	           (padding so that SP is 16-byte aligned)
//	           auxv pairs, then AT_NULL, 0
//	           0, envp[envc-1] ... envp[0]
//	           0, argv[argc-1] ... argv[0]
//	SP         argc
//
// The strings are checked against Linux's limits first: E2BIG if one is
// longer than MaxArgStrlen, or if all of them and their pointers take more
// than a quarter of the stack limit (at least ArgMax).
//
// Mirrors the string copies of fs/exec.c:do_execveat_common() (with
// bprm_stack_limits()) and fs/binfmt_elf.c:create_elf_tables(), byte for
// byte as Linux does it with address randomisation off (setarch -R), which
// the package's tests check against the running Linux kernel. Differs:
// arch_align_stack()'s random offset of up to 8 KiB is not applied (Tamix
// does not randomise), and the whole image is built in kernel memory and
// copied out at once instead of piece by piece with copy_to_user().
func LayoutStack(a *StackArgs) (*Stack, error) {
	argv := a.Argv
	if len(argv) == 0 {
		argv = []string{""}
	}
	total, err := checkStrings(a, argv)
	if err != nil {
		return nil, err
	}
	auxWords := 2 * uint64(len(a.Auxv)+1)
	items := uint64(len(argv)+1) + uint64(len(a.Envp)+1) + 1
	need := 8 + total + 15 + uint64(len(a.Platform)) + 1 + 16 + 8*(auxWords+items) + 15
	if a.Top < need {
		return nil, wrap(ErrBadStack, "stack top %#x is below the %d bytes the stack needs", a.Top, need)
	}
	st := &Stack{Argc: len(argv)}
	// The strings, from the top down, as copy_strings() writes them.
	p := a.Top - 8
	p -= uint64(len(a.ExecFn)) + 1
	st.ExecFn, st.EnvEnd = p, p
	envAddrs := placeStrings(&p, a.Envp)
	st.EnvStart, st.ArgEnd = p, p
	argAddrs := placeStrings(&p, argv)
	st.ArgStart = p
	// create_elf_tables(): align, then the platform string and the
	// random bytes, then the tables.
	p &^= 15
	if a.Platform != "" {
		p -= uint64(len(a.Platform)) + 1
		st.Platform = p
	}
	p -= uint64(len(a.Random))
	st.Random = p
	st.SP = (p - 8*auxWords - 8*items) &^ 15
	st.Auxv = st.SP + 8*items

	st.Image = make([]byte, a.Top-st.SP)
	w := &stackWriter{img: st.Image, base: st.SP}
	w.str(st.ExecFn, a.ExecFn)
	for i, s := range a.Envp {
		w.str(envAddrs[i], s)
	}
	for i, s := range argv {
		w.str(argAddrs[i], s)
	}
	if a.Platform != "" {
		w.str(st.Platform, a.Platform)
	}
	copy(st.Image[st.Random-st.SP:], a.Random[:])

	sp := st.SP
	w.word(&sp, uint64(len(argv)))
	w.words(&sp, argAddrs)
	w.words(&sp, envAddrs)
	for _, e := range a.Auxv {
		switch e.Type {
		case AT_RANDOM:
			e.Val = st.Random
		case AT_EXECFN:
			e.Val = st.ExecFn
		case AT_PLATFORM:
			if a.Platform == "" {
				return nil, wrap(ErrBadStack, "AT_PLATFORM without a platform string")
			}
			e.Val = st.Platform
		}
		w.word(&sp, e.Type)
		w.word(&sp, e.Val)
	}
	// The AT_NULL pair is already zero.
	return st, nil
}

// checkStrings applies exec's limits to the strings (ArgSpace: the
// file name first, then the environment and the arguments, as
// do_execveat_common() copies them). Returns the bytes the strings take
// with their NULs.
func checkStrings(a *StackArgs, argv []string) (uint64, error) {
	if a.Top%16 != 0 {
		return 0, wrap(ErrBadStack, "stack top %#x is not 16-byte aligned", a.Top)
	}
	space, err := NewArgSpace(len(argv), len(a.Envp), a.StackLimit)
	if err != nil {
		return 0, err
	}
	total := uint64(0)
	for _, list := range [][]string{{a.ExecFn}, a.Envp, argv} {
		for _, s := range list {
			if strings.IndexByte(s, 0) >= 0 {
				return 0, wrap(ErrBadStack, "NUL byte inside %q", s)
			}
			n := uint64(len(s)) + 1
			if err := space.Take(n); err != nil {
				return 0, err
			}
			total += n
		}
	}
	return total, nil
}

// placeStrings moves *p down over list, last string first, and returns
// each string's address.
func placeStrings(p *uint64, list []string) []uint64 {
	addrs := make([]uint64, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		*p -= uint64(len(list[i])) + 1
		addrs[i] = *p
	}
	return addrs
}

// stackWriter stores into the image of [base, base+len(img)).
type stackWriter struct {
	img  []byte
	base uint64
}

// str stores s and its terminating NUL at addr (the NUL is already there).
func (w *stackWriter) str(addr uint64, s string) {
	copy(w.img[addr-w.base:], s)
}

// word stores v at *sp and advances *sp.
func (w *stackWriter) word(sp *uint64, v uint64) {
	le.PutUint64(w.img[*sp-w.base:], v)
	*sp += 8
}

// words stores the pointers and a NULL after them.
func (w *stackWriter) words(sp *uint64, ptrs []uint64) {
	for _, v := range ptrs {
		w.word(sp, v)
	}
	w.word(sp, 0)
}
