package proc

import (
	"encoding/binary"

	"tamix/abi"
	"tamix/mm"
	"tamix/proc/elf"
)

// ArgMemory is the part of an address space CopyExecArgs reads from;
// *mm.MM implements it.
type ArgMemory interface {
	CopyFromUser(dst []byte, uaddr uintptr) (int, error)
	StrnlenUser(uaddr uintptr, n int) (int, error)
	StrncpyFromUser(uaddr uintptr, n int) (string, error)
}

// CopyExecArgs reads execve's argv and envp arrays (NULL-terminated
// arrays of string pointers at argvAddr and envpAddr; 0 is an empty
// array) from m, checking Linux's limits before each string is copied so
// that no argument list, however long, makes the kernel allocate more
// than the budget of elf.NewArgSpace (at most 6 MiB of strings):
// count() both arrays (E2BIG beyond MAX_ARG_STRINGS, EFAULT for an
// unreadable array), size the budget for stackLimit (RLIMIT_STACK), take
// the file name from it, then measure and copy the environment and the
// arguments, last string first. A string longer than MAX_ARG_STRLEN or
// one that does not fit is E2BIG, an unreadable one EFAULT. Returns
// abi.Errno errors. Mirrors fs/exec.c:do_execveat_common() from count()
// to copy_strings(). Differs: Linux opens the program first, so a
// missing file is ENOENT even with arguments that are too long; Tamix
// reads the arguments first. Linux also stops on a fatal signal and
// reschedules while counting.
func CopyExecArgs(m ArgMemory, filename string, argvAddr, envpAddr uintptr, stackLimit uint64) (argv, envp []string, err error) {
	argc, err := countUserArgs(m, argvAddr, elf.MaxArgStrings)
	if err != nil {
		return nil, nil, err
	}
	envc, err := countUserArgs(m, envpAddr, elf.MaxArgStrings)
	if err != nil {
		return nil, nil, err
	}
	space, err := elf.NewArgSpace(argc, envc, stackLimit)
	if err != nil {
		return nil, nil, elf.ErrnoOf(err)
	}
	if err := space.Take(uint64(len(filename)) + 1); err != nil { // copy_string_kernel()
		return nil, nil, elf.ErrnoOf(err)
	}
	if envp, err = copyUserArgs(m, &space, envpAddr, envc); err != nil {
		return nil, nil, err
	}
	if argv, err = copyUserArgs(m, &space, argvAddr, argc); err != nil {
		return nil, nil, err
	}
	return argv, envp, nil
}

// countUserArgs returns the number of pointers before the NULL that ends
// the array at addr (0 for addr 0), reading the array a page at a time:
// E2BIG once more than limit are found, EFAULT if the array runs into
// memory that cannot be read. Mirrors fs/exec.c:count().
func countUserArgs(m ArgMemory, addr uintptr, limit int) (int, error) {
	if addr == 0 {
		return 0, nil
	}
	var buf [mm.PageSize]byte
	n := 0
	for {
		va := addr + uintptr(8*n)
		if va < addr {
			return 0, abi.EFAULT // the array wraps around
		}
		// Up to the end of va's page, in whole pointers; a pointer that
		// straddles two pages is read alone.
		chunk := max(8, (mm.PageSize-va%mm.PageSize)&^7)
		if _, err := m.CopyFromUser(buf[:chunk], va); err != nil {
			return 0, abi.EFAULT
		}
		for off := uintptr(0); off < chunk; off += 8 {
			if binary.LittleEndian.Uint64(buf[off:]) == 0 {
				return n, nil
			}
			if n >= limit {
				return 0, abi.E2BIG
			}
			n++
		}
	}
}

// copyUserArgs reads the n strings the array at addr points to, the last
// one first as copy_strings() does, each measured (strnlen_user()) and
// taken from space before it is copied. Mirrors fs/exec.c:copy_strings().
func copyUserArgs(m ArgMemory, space *elf.ArgSpace, addr uintptr, n int) ([]string, error) {
	out := make([]string, n)
	for i := n - 1; i >= 0; i-- {
		var b [8]byte
		if _, err := m.CopyFromUser(b[:], addr+uintptr(8*i)); err != nil {
			return nil, abi.EFAULT
		}
		str := uintptr(binary.LittleEndian.Uint64(b[:]))
		size, err := m.StrnlenUser(str, elf.MaxArgStrlen)
		if err != nil || size == 0 {
			return nil, abi.EFAULT
		}
		if err := space.Take(uint64(size)); err != nil {
			return nil, elf.ErrnoOf(err)
		}
		// At most size-1 bytes: if another thread moved the NUL since
		// it was measured, the string is cut, never longer than taken.
		if out[i], err = m.StrncpyFromUser(str, size-1); err != nil {
			return nil, abi.EFAULT
		}
	}
	return out, nil
}
