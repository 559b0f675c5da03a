package proc

import (
	"encoding/binary"
	"strings"
	"testing"

	"tamix/abi"
	"tamix/mm"
	"tamix/proc/elf"
)

// userMem is a user address space of one readable range [base,
// base+len(data)) for CopyExecArgs; it counts the string bytes copied.
type userMem struct {
	base   uintptr
	data   []byte
	copied int
}

func newUserMem(size int) *userMem {
	return &userMem{base: 0x10000000, data: make([]byte, size)}
}

func (u *userMem) slice(addr uintptr, n int) ([]byte, bool) {
	if addr < u.base || addr-u.base > uintptr(len(u.data)) || uintptr(n) > uintptr(len(u.data))-(addr-u.base) {
		return nil, false
	}
	off := addr - u.base
	return u.data[off : off+uintptr(n)], true
}

func (u *userMem) CopyFromUser(dst []byte, addr uintptr) (int, error) {
	b, ok := u.slice(addr, len(dst))
	if !ok {
		return 0, abi.EFAULT
	}
	return copy(dst, b), nil
}

func (u *userMem) StrnlenUser(addr uintptr, n int) (int, error) {
	for i := 0; i < n; i++ {
		b, ok := u.slice(addr+uintptr(i), 1)
		if !ok {
			return 0, abi.EFAULT
		}
		if b[0] == 0 {
			return i + 1, nil
		}
	}
	return n + 1, nil
}

func (u *userMem) StrncpyFromUser(addr uintptr, n int) (string, error) {
	size, err := u.StrnlenUser(addr, n)
	if err != nil {
		return "", err
	}
	b, _ := u.slice(addr, min(size, n))
	s, _, _ := strings.Cut(string(b), "\x00")
	u.copied += len(s)
	return s, nil
}

// put stores s with a NUL at addr and returns addr.
func (u *userMem) put(addr uintptr, s string) uintptr {
	b, _ := u.slice(addr, len(s)+1)
	copy(b, s+"\x00")
	return addr
}

// array stores the pointers and a NULL at addr and returns addr.
func (u *userMem) array(addr uintptr, ptrs ...uintptr) uintptr {
	b, _ := u.slice(addr, 8*(len(ptrs)+1))
	for i, p := range ptrs {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(p))
	}
	binary.LittleEndian.PutUint64(b[8*len(ptrs):], 0)
	return addr
}

func TestCopyExecArgs(t *testing.T) {
	u := newUserMem(4 * mm.PageSize)
	b := u.base
	argv := u.array(b, u.put(b+0x100, "/prog"), u.put(b+0x200, "-x"), u.put(b+0x300, ""))
	envp := u.array(b+0x400, u.put(b+0x500, "HOME=/"))
	a, e, err := CopyExecArgs(u, "/prog", argv, envp, 0)
	if err != nil || strings.Join(a, ",") != "/prog,-x," || len(a) != 3 || len(e) != 1 || e[0] != "HOME=/" {
		t.Fatalf("got %q %q %v", a, e, err)
	}
	if a, e, err := CopyExecArgs(u, "/prog", 0, 0, 0); err != nil || len(a) != 0 || len(e) != 0 {
		t.Fatalf("NULL arrays: %q %q %v", a, e, err)
	}
	// A pointer array that straddles a page boundary, unaligned.
	odd := b + mm.PageSize - 3
	u.array(odd, u.put(b+0x600, "one"), u.put(b+0x700, "two"))
	if a, _, err := CopyExecArgs(u, "/prog", odd, 0, 0); err != nil || strings.Join(a, ",") != "one,two" {
		t.Fatalf("straddling array: %q %v", a, err)
	}
}

func TestCopyExecArgsErrors(t *testing.T) {
	u := newUserMem(2 * mm.PageSize)
	b := u.base
	end := b + uintptr(len(u.data))
	good := u.put(b+0x100, "ok")
	// An array whose only pointer is the mapping's last word: its
	// NULL would lie beyond, and so would the string's NUL.
	offEnd := end - 8
	runsOff := offEnd
	binary.LittleEndian.PutUint64(u.data[len(u.data)-8:], 0x0101010101010101)
	for _, c := range []struct {
		name       string
		argv, envp uintptr
		want       abi.Errno
	}{
		{"unreadable argv array", 0x1000, 0, abi.EFAULT},
		{"unreadable envp array", u.array(b+0x200, good), 0x1000, abi.EFAULT},
		{"array runs off the mapping", offEnd, 0, abi.EFAULT},
		{"bad string pointer", u.array(b+0x300, good, 0x1000), 0, abi.EFAULT},
		{"string runs off the mapping", u.array(b+0x400, runsOff), 0, abi.EFAULT},
	} {
		if _, _, err := CopyExecArgs(u, "/prog", c.argv, c.envp, 0); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// The attacks of issue 13: one argument of MAX_ARG_STRLEN bytes plus its
// NUL, and 2048 arguments of MAX_ARG_STRLEN bytes with their NULs, which
// Tamix used to copy into its heap in full (256 MiB) before checking.
func TestCopyExecArgsTooBig(t *testing.T) {
	u := newUserMem(2*elf.MaxArgStrlen + 20*mm.PageSize)
	b := u.base
	long := u.put(b+mm.PageSize, strings.Repeat("a", elf.MaxArgStrlen))
	justFits := u.put(long+elf.MaxArgStrlen+mm.PageSize, strings.Repeat("b", elf.MaxArgStrlen-1))
	if _, _, err := CopyExecArgs(u, "/prog", u.array(b, long), 0, 0); err != abi.E2BIG {
		t.Errorf("one argument of MAX_ARG_STRLEN+1 bytes: %v, want E2BIG", err)
	}
	if a, _, err := CopyExecArgs(u, "/prog", u.array(b, justFits), 0, 0); err != nil || len(a[0]) != elf.MaxArgStrlen-1 {
		t.Errorf("one argument of MAX_ARG_STRLEN bytes: %v", err)
	}
	many := make([]uintptr, 2048)
	for i := range many {
		many[i] = justFits
	}
	arr := u.array(long+elf.MaxArgStrlen+2*mm.PageSize+elf.MaxArgStrlen, many...)
	u.copied = 0
	if _, _, err := CopyExecArgs(u, "/prog", arr, 0, 0); err != abi.E2BIG {
		t.Errorf("2048 arguments of MAX_ARG_STRLEN bytes: %v, want E2BIG", err)
	}
	if u.copied > 2<<20 {
		t.Errorf("copied %d bytes before refusing, want at most the 2 MiB budget", u.copied)
	}
	// The pointers alone can exhaust the budget (2 MiB: 262,144 of
	// them): E2BIG before any string is copied.
	big := newUserMem(2<<20 + 2*mm.PageSize)
	p := big.put(big.base, "x")
	ptrs := make([]uintptr, 2<<20/8)
	for i := range ptrs {
		ptrs[i] = p
	}
	if _, _, err := CopyExecArgs(big, "/prog", big.array(big.base+mm.PageSize, ptrs...), 0, 0); err != abi.E2BIG || big.copied != 0 {
		t.Errorf("262,144 pointers: %v after copying %d bytes, want E2BIG before any", err, big.copied)
	}
}

func TestCountUserArgs(t *testing.T) {
	u := newUserMem(mm.PageSize)
	p := u.put(u.base+0x800, "x")
	arr := u.array(u.base, p, p, p, p)
	if n, err := countUserArgs(u, arr, 4); n != 4 || err != nil {
		t.Errorf("4 of at most 4: %d %v", n, err)
	}
	if _, err := countUserArgs(u, arr, 3); err != abi.E2BIG {
		t.Errorf("4 of at most 3: %v, want E2BIG", err)
	}
	if _, err := countUserArgs(u, ^uintptr(0)-7, 10); err != abi.EFAULT {
		t.Errorf("array at the top of the address space: %v, want EFAULT", err)
	}
}
