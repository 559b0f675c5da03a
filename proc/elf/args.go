package elf

// ArgSpace is the room left for execve's strings on the new program's
// stack, kept while the strings are read from the caller one by one, so
// that an argument list too long for the stack is refused before the
// kernel has copied it. Mirrors the bprm->p / bprm->argmin accounting of
// fs/exec.c: bprm_stack_limits() sets the budget, copy_string_kernel()
// and copy_strings() take from it. Differs: Linux copies each string
// straight onto the new stack's pages; Tamix keeps them in kernel memory
// until LayoutStack, which is why the check must come first.
type ArgSpace struct {
	left uint64 // bytes the strings may still take, NULs included
}

// NewArgSpace returns the budget for argc arguments and envc environment
// strings under the stack limit stackLimit (RLIMIT_STACK; 0 means
// DefaultStackLimit): a quarter of the stack limit, at most three
// quarters of _STK_LIM (6 MiB) and at least ArgMax (32 pages), less the
// argv and envp pointers (argc counted as at least 1: an empty argv gets
// one empty string). E2BIG if the pointers alone fill it, or if a count
// is negative or above MaxArgStrings. Mirrors bprm_stack_limits().
func NewArgSpace(argc, envc int, stackLimit uint64) (ArgSpace, error) {
	if argc < 0 || envc < 0 || argc > MaxArgStrings || envc > MaxArgStrings {
		return ArgSpace{}, wrap(ErrTooBig, "%d arguments, %d environment strings", argc, envc)
	}
	if stackLimit == 0 {
		stackLimit = DefaultStackLimit
	}
	limit := min(uint64(DefaultStackLimit)/4*3, stackLimit/4)
	limit = max(limit, ArgMax)
	ptrs := 8 * (uint64(max(argc, 1)) + uint64(envc))
	if limit <= ptrs {
		return ArgSpace{}, wrap(ErrTooBig, "%d pointers exceed the limit of %d bytes", max(argc, 1)+envc, limit)
	}
	return ArgSpace{left: limit - ptrs}, nil
}

// Take accounts for one string of size n, its NUL included, as
// strnlen_user() measures it: E2BIG if n is above MaxArgStrlen
// (valid_arg_len()) or more than the space left (bprm->p < argmin);
// then nothing is taken. Mirrors the checks of copy_strings().
func (s *ArgSpace) Take(n uint64) error {
	if n > MaxArgStrlen {
		return wrap(ErrTooBig, "string of %d bytes is longer than MAX_ARG_STRLEN", n)
	}
	if n > s.left {
		return wrap(ErrTooBig, "a string of %d bytes does not fit the %d bytes left", n, s.left)
	}
	s.left -= n
	return nil
}

// Left returns the bytes the strings may still take.
func (s *ArgSpace) Left() uint64 { return s.left }
