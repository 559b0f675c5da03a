package mm

import (
	"fmt"

	"tamix/abi"
)

// FaultError is the outcome of a page fault the MM cannot resolve: the
// signal the faulting task gets and its si_code and si_addr.
type FaultError struct {
	Addr  uintptr // the faulting address (si_addr, CR2)
	Signo int     // abi.SIGSEGV
	Code  int     // abi.SEGV_MAPERR or abi.SEGV_ACCERR
}

// Error describes the fault as the kernel log line does.
func (e *FaultError) Error() string {
	code := "SEGV_MAPERR"
	if e.Code == abi.SEGV_ACCERR {
		code = "SEGV_ACCERR"
	}
	return fmt.Sprintf("%s (%s) at %#x", abi.SignalName(e.Signo), code, e.Addr)
}

// segv returns the SIGSEGV outcome for addr with the given si_code.
func segv(addr uintptr, code int) *FaultError {
	return &FaultError{Addr: addr, Signo: abi.SIGSEGV, Code: code}
}

// HandleFault resolves a page fault at addr. write and exec say whether the
// access was a write or an instruction fetch (the W/R and I/D bits of the
// error code); user says it came from ring 3 (the U/S bit).
//
// It returns nil when the access can be retried: a missing page of an
// anonymous area was mapped (zeroed, or the shared object's page), a write
// to a copy-on-write page got a private copy or the page itself, the stack
// grew down to cover addr, or the fault was spurious (the entry already
// allows the access; the page's TLB entry is flushed). It returns a
// *FaultError for SIGSEGV: SEGV_MAPERR when no area covers addr (or addr is
// in the kernel's hole or non-canonical), SEGV_ACCERR when the area forbids
// the access. It returns abi.ENOMEM when a page or page table cannot be
// allocated; Linux's OOM killer would then pick a victim, Tamix leaves the
// decision to the caller.
//
// Arch code calls it for faults from ring 3 only: in Tamix a fault taken in
// ring 0 is a kernel bug (user copies do not fault, they walk the tables),
// which is why user changes nothing here.
//
// Mirrors arch/x86/mm/fault.c:do_user_addr_fault() down to
// mm/memory.c:handle_pte_fault().
func (mm *MM) HandleFault(addr uintptr, write, exec, user bool) error {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.faultLocked(addr, write, exec)
}

// faultLocked is HandleFault with the MM locked.
func (mm *MM) faultLocked(addr uintptr, write, exec bool) error {
	if !IsUserAddr(addr) {
		return segv(addr, abi.SEGV_MAPERR)
	}
	v := mm.vmas.Find(addr)
	if v == nil {
		return segv(addr, abi.SEGV_MAPERR)
	}
	if v.Start > addr {
		if v.Flags&VM_GROWSDOWN == 0 || !mm.expandStackLocked(v, addr) {
			return segv(addr, abi.SEGV_MAPERR)
		}
	}
	if accessError(v, write, exec) {
		return segv(addr, abi.SEGV_ACCERR)
	}
	return mm.handlePTEFaultLocked(v, PageAlignDown(addr), write, exec)
}

// accessError reports whether area v forbids the access. x86 pages are
// always readable when present, so any permission allows a read. Mirrors
// arch/x86/mm/fault.c:access_error(), with instruction fetches checked
// against VM_EXEC here rather than by a second fault on an NX entry.
func accessError(v *VMA, write, exec bool) bool {
	switch {
	case write:
		return v.Flags&VM_WRITE == 0
	case exec:
		return v.Flags&VM_EXEC == 0
	}
	return v.Flags&vmAccess == 0
}

// expandStackLocked grows the growsdown area v down to cover addr and
// reports whether it could: the new size must stay within StackLimit, the
// new start inside the same user window, and at least StackGuardGap above
// the area below unless that one is inaccessible (PROT_NONE) or grows down
// too. Mirrors mm/mmap.c:expand_downwards() with acct_stack_growth().
func (mm *MM) expandStackLocked(v *VMA, addr uintptr) bool {
	start := PageAlignDown(addr)
	lo, _, _ := userWindow(v.Start)
	if start < lo || v.End-start > StackLimit {
		return false
	}
	if prev := mm.vmas.Prev(v.Start); prev != nil && prev.Flags&VM_GROWSDOWN == 0 && prev.Flags&vmAccess != 0 {
		if start < prev.End || start-prev.End < StackGuardGap {
			return false
		}
	}
	v.Start = start
	return true
}

// leafFlags returns the leaf flags for a page of area v: RW for a
// writable area unless the page is COW, NX unless executable, PROTNONE
// for an inaccessible area; the COW mark is kept. Mirrors vm_get_page_prot().
func (v *VMA) leafFlags(cow bool) PTE {
	var f PTE
	if cow {
		f |= PTE_COW
	}
	if v.Flags&vmAccess == 0 {
		return f | PTE_PROTNONE
	}
	if v.Flags&VM_EXEC == 0 {
		f |= PTE_NX
	}
	if v.Flags&VM_WRITE != 0 && !cow {
		f |= PTE_RW
	}
	return f
}

// handlePTEFaultLocked resolves the fault on the page at va in area v,
// which allows the access. A leaf table shared after fork is unshared
// first (see fork.go): every way of resolving the fault writes to the
// table, and a write to a page of a shared table faults whatever its leaf
// entry says. Mirrors mm/memory.c:handle_pte_fault().
func (mm *MM) handlePTEFaultLocked(v *VMA, va uintptr, write, exec bool) error {
	e, shared, ok := mm.pt.lookup(va)
	if shared {
		if err := mm.unshareLocked(va, va+PageSize); err != nil {
			return err
		}
		e, _, ok = mm.pt.lookup(va)
	}
	switch {
	case !ok && v.shm != nil:
		return mm.sharedFaultLocked(v, va)
	case !ok:
		return mm.anonymousPageLocked(v, va)
	case write && e&PTE_COW != 0:
		return mm.wpPageLocked(v, va, e)
	}
	// The entry exists and the area allows the access: either the entry
	// lags behind the area (it cannot after mprotect, but be lenient) or
	// the TLB held a stale translation. Bring the entry in line and flush.
	flags := v.leafFlags(e&PTE_COW != 0) | e&(PTE_A|PTE_D)
	if _, err := mm.pt.Protect(va, flags); err != nil {
		return err
	}
	mm.tlb.FlushPage(va)
	return nil
}

// anonymousPageLocked maps a new zeroed page at va in private area v.
// Linux maps the shared zero page for a read and allocates on the first
// write; Tamix allocates at once, which costs memory but saves a fault.
// Mirrors mm/memory.c:do_anonymous_page().
func (mm *MM) anonymousPageLocked(v *VMA, va uintptr) error {
	pa, err := mm.pages.AllocPages(0)
	if err != nil {
		return err
	}
	clear(mm.mem.Frame(pa)[:])
	if _, err := mm.pt.Map(va, pa, v.leafFlags(false)); err != nil {
		mm.pages.PutPage(pa)
		return err
	}
	mm.rss++
	return nil
}

// sharedFaultLocked maps the shared object's page for va in shared area v,
// allocating it on first use. Mirrors mm/memory.c:do_shared_fault() on a
// shmem file.
func (mm *MM) sharedFaultLocked(v *VMA, va uintptr) error {
	pa, err := v.shm.page(v.pgoff+uint64((va-v.Start)>>PageShift), mm.pages, mm.mem)
	if err != nil {
		return err
	}
	if _, err := mm.pt.Map(va, pa, v.leafFlags(false)); err != nil {
		return err
	}
	mm.pages.GetPage(pa)
	mm.rss++
	return nil
}

// wpPageLocked resolves a write to the copy-on-write entry e of va in the
// writable private area v. If no one else holds the page, the entry just
// becomes writable (wp_page_reuse()); otherwise the page is copied into a
// new one, mapped writable, and the old reference dropped
// (wp_page_copy()). The TLB entry is flushed either way, since a user copy
// may have resolved the fault without the CPU dropping its stale entry.
// Mirrors mm/memory.c:do_wp_page(), using the refcount where Linux checks
// PageAnonExclusive.
func (mm *MM) wpPageLocked(v *VMA, va uintptr, e PTE) error {
	old := e.Addr()
	if mm.pages.PageCount(old) == 1 {
		mm.pt.Protect(va, v.leafFlags(false)|e&(PTE_A|PTE_D))
		mm.tlb.FlushPage(va)
		return nil
	}
	pa, err := mm.pages.AllocPages(0)
	if err != nil {
		return err
	}
	*mm.mem.Frame(pa) = *mm.mem.Frame(old)
	mm.pt.Map(va, pa, v.leafFlags(false))
	mm.tlb.FlushPage(va)
	mm.pages.PutPage(old)
	return nil
}
