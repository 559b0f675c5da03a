package mm

import (
	"bytes"
	"fmt"

	"tamix/abi"
)

// User copies. The kernel never dereferences a user pointer: it walks the
// MM's page tables to the physical page and copies through Memory (the
// identity map), resolving missing and copy-on-write pages the way the CPU
// would have raised and the fault handler resolved them. A bad pointer is
// abi.EFAULT, never a kernel fault, so SMAP can stay on at all times.
//
// Linux's copy_from_user() and friends instead touch user memory directly
// (between STAC and CLAC) and rely on exception-table fixups for bad
// pointers; the results are the same.

// accessOK reports whether [uaddr, uaddr+n) lies below TaskSize without
// wrapping. Mirrors arch/x86/include/asm/uaccess_64.h:__access_ok(); the
// kernel's hole is caught page by page.
func accessOK(uaddr, n uintptr) bool {
	return uaddr <= TaskSize && n <= TaskSize-uaddr
}

// userFrameLocked returns the frame behind the user page containing va,
// faulting it in for a read or a write as the hardware would: a missing
// page is allocated, a COW page is copied on write, a page the area does
// not allow (or no area) gives abi.EFAULT, and so does a failed
// allocation (Linux's fixup turns VM_FAULT_OOM in a user copy into
// -EFAULT as well). A page of a leaf table shared after fork is read-only
// whatever its entry says, as it is for the CPU.
func (mm *MM) userFrameLocked(va uintptr, write bool) (*[PageSize]byte, error) {
	for try := 0; try < 2; try++ {
		if e, shared, ok := mm.pt.lookup(va); ok && e.Present() && (!write || e&PTE_RW != 0 && !shared) {
			return mm.mem.Frame(e.Addr()), nil
		}
		if try == 0 && mm.faultLocked(va, write, false) != nil {
			return nil, abi.EFAULT
		}
	}
	panic(fmt.Sprintf("mm: fault at %#x resolved but the page is still not accessible", va))
}

// copyUserLocked runs fn on each piece of [uaddr, uaddr+n) that lies in one
// page, with that page's frame and the offset of the piece in it and in
// the whole range, and returns how many bytes it covered before a fault.
func (mm *MM) copyUserLocked(uaddr, n uintptr, write bool, fn func(frame []byte, done uintptr)) (int, error) {
	if !accessOK(uaddr, n) {
		return 0, abi.EFAULT
	}
	done := uintptr(0)
	for done < n {
		va := uaddr + done
		frame, err := mm.userFrameLocked(PageAlignDown(va), write)
		if err != nil {
			return int(done), err
		}
		off := va & (PageSize - 1)
		chunk := min(n-done, PageSize-off)
		fn(frame[off:off+chunk], done)
		done += chunk
	}
	return int(done), nil
}

// CopyFromUser copies len(dst) bytes from user address uaddr into dst. It
// returns the number of bytes copied and abi.EFAULT if the range is not
// entirely readable user memory (dst then holds the bytes before the bad
// page). Mirrors copy_from_user(), which returns the bytes not copied.
func (mm *MM) CopyFromUser(dst []byte, uaddr uintptr) (int, error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.copyUserLocked(uaddr, uintptr(len(dst)), false, func(frame []byte, done uintptr) {
		copy(dst[done:], frame)
	})
}

// CopyToUser copies src to user address uaddr, breaking copy-on-write
// sharing as a user write would. It returns the number of bytes copied and
// abi.EFAULT if the range is not entirely writable user memory. Mirrors
// copy_to_user().
func (mm *MM) CopyToUser(uaddr uintptr, src []byte) (int, error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.copyUserLocked(uaddr, uintptr(len(src)), true, func(frame []byte, done uintptr) {
		copy(frame, src[done:])
	})
}

// ClearUser zeroes n bytes at user address uaddr, as exec does for the
// tail of a bss page. It returns the number of bytes cleared and
// abi.EFAULT as CopyToUser does. Mirrors clear_user().
func (mm *MM) ClearUser(uaddr, n uintptr) (int, error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.copyUserLocked(uaddr, n, true, func(frame []byte, _ uintptr) {
		clear(frame)
	})
}

// StrncpyFromUser reads a NUL-terminated string of at most n bytes from
// user address uaddr and returns it without the NUL. If no NUL occurs in
// the first n bytes, it returns those n bytes: the caller checks
// len(s) == n, as Linux callers turn that into ENAMETOOLONG or E2BIG.
// Bytes after the NUL are not read, so the string may end just before an
// unmapped page. A bad address before the NUL gives abi.EFAULT. Mirrors
// lib/strncpy_from_user.c:strncpy_from_user().
func (mm *MM) StrncpyFromUser(uaddr uintptr, n int) (string, error) {
	if n <= 0 {
		return "", nil
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if uaddr >= TaskSize {
		return "", abi.EFAULT
	}
	var s []byte
	for len(s) < n {
		va := uaddr + uintptr(len(s))
		if va >= TaskSize {
			return "", abi.EFAULT
		}
		frame, err := mm.userFrameLocked(PageAlignDown(va), false)
		if err != nil {
			return "", err
		}
		off := va & (PageSize - 1)
		chunk := frame[off:min(PageSize, off+uintptr(n-len(s)))]
		for i, c := range chunk {
			if c == 0 {
				return string(append(s, chunk[:i]...)), nil
			}
		}
		s = append(s, chunk...)
	}
	return string(s), nil
}

// StrnlenUser returns the size of the NUL-terminated string at user
// address uaddr, its NUL included, reading at most n bytes: n+1 if the
// first n bytes hold no NUL. A bad address before the NUL (or before n
// bytes) gives 0 and abi.EFAULT. Nothing is copied, so a caller can check
// a length against its limits before it allocates anything. Mirrors
// lib/strnlen_user.c:strnlen_user(), which returns 0 for a fault.
func (mm *MM) StrnlenUser(uaddr uintptr, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	seen := 0
	for seen < n {
		va := uaddr + uintptr(seen)
		if va < uaddr || va >= TaskSize {
			return 0, abi.EFAULT
		}
		frame, err := mm.userFrameLocked(PageAlignDown(va), false)
		if err != nil {
			return 0, err
		}
		off := va & (PageSize - 1)
		chunk := frame[off:min(PageSize, off+uintptr(n-seen))]
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			return seen + i + 1, nil
		}
		seen += len(chunk)
	}
	return n + 1, nil
}

// FaultInWritable makes sure [uaddr, uaddr+n) can be written, faulting its
// pages in as a write would, without changing what they hold; EFAULT if a
// page cannot be written. A read from a pipe or an eventfd checks this
// first, so that data it takes is never lost to a bad buffer. Mirrors
// mm/gup.c:fault_in_writeable().
func (mm *MM) FaultInWritable(uaddr, n uintptr) error {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	_, err := mm.copyUserLocked(uaddr, n, true, func([]byte, uintptr) {})
	return err
}

// FutexPage tells how a shared (non-private) futex at uaddr is named: for
// a page of a MAP_SHARED area, by the physical address of the word, so
// that every process mapping the page finds the same futex; otherwise
// (private memory) by the address space and address, as a private futex
// but apart from it. EFAULT if uaddr is not mapped readable. Mirrors the
// two cases of kernel/futex/core.c:get_futex_key().
func (mm *MM) FutexPage(uaddr uintptr) (pa PhysAddr, shared bool, err error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if !accessOK(uaddr, 4) {
		return 0, false, abi.EFAULT
	}
	v := mm.vmas.Find(uaddr)
	if v == nil || v.Start > uaddr {
		return 0, false, abi.EFAULT
	}
	if _, err := mm.userFrameLocked(PageAlignDown(uaddr), false); err != nil {
		return 0, false, err
	}
	if !v.Shared() {
		return 0, false, nil
	}
	e, _, _ := mm.pt.lookup(PageAlignDown(uaddr))
	return e.Addr() + PhysAddr(uaddr&(PageSize-1)), true, nil
}
