package mm

import "tamix/abi"

// The memory system calls, with Linux's argument checks in Linux's order so
// that bad arguments give the same errno. The syscall layer passes the
// registers and turns an abi.Errno into -errno in rax.

// Brk moves the end of the heap to addr and returns the new break, or the
// unchanged break if addr is below the heap's start, would run into the
// next mapping (within a page, or within its guard gap for a stack) or past
// the end of the heap's user window, or memory ran out. brk(0) returns the
// current break. Growing maps anonymous read-write memory, merged into the
// heap area; shrinking unmaps whole pages above the new break.
//
// Mirrors mm/mmap.c:SYSCALL_DEFINE1(brk), without RLIMIT_DATA and without
// the randomised start.
func (mm *MM) Brk(addr uintptr) uintptr {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	orig := mm.brk
	if addr < mm.startBrk || addr >= TaskSize {
		return orig
	}
	newBrk, oldBrk := PageAlign(addr), PageAlign(mm.brk)
	if newBrk == oldBrk {
		mm.brk = addr
		return addr
	}
	b := mm.newBatch()
	defer b.finish()
	if addr <= mm.brk {
		// Shrink: there must be a heap area to cut.
		if len(mm.vmas.Intersecting(newBrk, oldBrk)) == 0 || mm.munmapLocked(newBrk, oldBrk, b) != nil {
			return orig
		}
		mm.brk = addr
		return addr
	}
	_, hi, ok := userWindow(mm.startBrk)
	if !ok || newBrk > hi {
		return orig
	}
	if next := mm.vmas.Find(oldBrk); next != nil && newBrk+PageSize > next.startGap() {
		return orig
	}
	if mm.vmas.Len() > mm.maxMapCount || TotalVMAs() >= maxTotalVMAs {
		return orig
	}
	mm.vmas.Insert(&VMA{Start: oldBrk, End: newBrk, Flags: VM_READ | VM_WRITE})
	mm.vmas.Merge(oldBrk, newBrk)
	mm.brk = addr
	return addr
}

// Mmap creates a mapping and returns its address. Tamix maps anonymous
// memory only, private or shared; fd is ignored with MAP_ANONYMOUS (as by
// Linux) and any file mapping fails with EBADF, which is what Linux gives
// for an fd that is not open. Errors, in Linux's order:
//   - offset not page aligned: EINVAL
//   - no MAP_ANONYMOUS: EBADF; MAP_HUGETLB: ENOMEM (no huge pages reserved)
//   - length 0: EINVAL; length that overflows when rounded up: ENOMEM
//   - more than MaxMapCount areas: ENOMEM
//   - MAP_FIXED beyond TaskSize or in the kernel's hole: ENOMEM; MAP_FIXED
//     at an unaligned address: EINVAL; no free range: ENOMEM
//   - MAP_FIXED_NOREPLACE over an existing mapping: EEXIST
//   - a private writable or a shared mapping (without MAP_NORESERVE)
//     larger than all of RAM: ENOMEM (heuristic overcommit, overcommit.go)
//   - neither or both of MAP_PRIVATE and MAP_SHARED (MAP_SHARED_VALIDATE
//     included), or MAP_SHARED with MAP_GROWSDOWN: EINVAL
//
// MAP_FIXED replaces what was mapped. MAP_POPULATE and MAP_LOCKED fault the
// pages in at once, as far as there are pages (populate, with the lock
// dropped now and then so that other tasks run);
// MAP_NORESERVE exempts the mapping from the overcommit check; MAP_STACK
// and the other flags are accepted and ignored. Unknown prot bits are ignored, as by Linux.
// do_mmap()'s EOVERFLOW check of offset + length is left out: with 64-bit
// page offsets it cannot fire.
//
// Mirrors arch/x86/kernel/sys_x86_64.c:SYSCALL_DEFINE6(mmap) through
// ksys_mmap_pgoff() and mm/mmap.c:do_mmap().
func (mm *MM) Mmap(addr, length uintptr, prot, flags, fd int, offset uint64) (uintptr, error) {
	if offset&(PageSize-1) != 0 {
		return 0, abi.EINVAL
	}
	if flags&abi.MAP_ANONYMOUS == 0 {
		return 0, abi.EBADF
	}
	if flags&abi.MAP_HUGETLB != 0 {
		return 0, abi.ENOMEM
	}
	if length == 0 {
		return 0, abi.EINVAL
	}
	length = PageAlign(length)
	if length == 0 {
		return 0, abi.ENOMEM
	}
	if flags&abi.MAP_FIXED_NOREPLACE != 0 {
		flags |= abi.MAP_FIXED
	}
	populate := flags&(abi.MAP_POPULATE|abi.MAP_NONBLOCK) == abi.MAP_POPULATE || flags&abi.MAP_LOCKED != 0
	a, err := mm.mmapLocked(addr, length, prot, flags)
	if err == nil && populate {
		mm.populate(a, a+length) // with the lock dropped, as vm_mmap_pgoff() calls mm_populate()
	}
	return a, err
}

// mmapLocked is Mmap's work under the MM's lock, up to the populating.
func (mm *MM) mmapLocked(addr, length uintptr, prot, flags int) (uintptr, error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.vmas.Len() > mm.maxMapCount || TotalVMAs() >= maxTotalVMAs {
		return 0, abi.ENOMEM
	}
	addr, err := mm.getUnmappedAreaLocked(addr, length, flags)
	if err != nil {
		return 0, err
	}
	if flags&abi.MAP_FIXED_NOREPLACE != 0 && len(mm.vmas.Intersecting(addr, addr+length)) != 0 {
		return 0, abi.EEXIST
	}
	vmFlags, err := mmapVMFlags(prot, flags)
	if err != nil {
		return 0, err
	}
	if err := mm.mmapEnoughMemoryLocked(length, vmFlags); err != nil {
		return 0, err
	}
	b := mm.newBatch()
	defer b.finish()
	if err := mm.mapRegionLocked(addr, length, vmFlags, b); err != nil {
		return 0, err
	}
	return addr, nil
}

// mmapVMFlags returns the flags of a new anonymous area: the permissions,
// VM_GROWSDOWN for MAP_GROWSDOWN and VM_SHARED for MAP_SHARED; a sharing
// type other than MAP_PRIVATE or MAP_SHARED, or a shared area that grows
// down, is EINVAL. Mirrors calc_vm_prot_bits(), calc_vm_flag_bits() and
// the MAP_TYPE switch of do_mmap().
func mmapVMFlags(prot, flags int) (VMFlags, error) {
	vmFlags := VMFlags(prot) & vmAccess
	if flags&abi.MAP_GROWSDOWN != 0 {
		vmFlags |= VM_GROWSDOWN
	}
	if flags&abi.MAP_NORESERVE != 0 {
		vmFlags |= VM_NORESERVE // as do_mmap() sets it unless overcommit is strict
	}
	switch flags & abi.MAP_TYPE {
	case abi.MAP_SHARED:
		if vmFlags&VM_GROWSDOWN != 0 {
			return 0, abi.EINVAL
		}
		return vmFlags | VM_SHARED, nil
	case abi.MAP_PRIVATE:
		return vmFlags, nil
	}
	return 0, abi.EINVAL
}

// Munmap removes the mappings in [addr, addr+length). addr must be page
// aligned and the range below TaskSize (else EINVAL); length 0 is EINVAL;
// an unmapped range is not an error. Splitting an area when the MM is at
// its area limit is ENOMEM. Mirrors mm/mmap.c:__vm_munmap() and
// do_vmi_munmap().
func (mm *MM) Munmap(addr, length uintptr) error {
	if !PageAligned(addr) || addr > TaskSize || length > TaskSize-addr {
		return abi.EINVAL
	}
	length = PageAlign(length)
	if length == 0 {
		return abi.EINVAL
	}
	return mm.munmapChunked(addr, addr+length)
}

// Mprotect changes the permissions of [addr, addr+length) to prot.
// Errors, in Linux's order: both PROT_GROWSDOWN and PROT_GROWSUP, or addr
// not page aligned: EINVAL; length 0: success; a range that wraps: ENOMEM;
// prot bits other than PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM: EINVAL;
// any page of the range not mapped: ENOMEM; PROT_GROWSDOWN on an area that
// does not grow down, or PROT_GROWSUP: EINVAL; too many areas after
// splitting, or no page for the copy of a leaf table shared after fork:
// ENOMEM. PROT_GROWSDOWN extends the change down to the start of the
// area.
//
// Tamix checks the areas and the limits on the whole range first, so
// those failures change nothing; a leaf-table copy that cannot be
// allocated may stop the change halfway, as Linux stops at its first
// failing area. A large range is changed in chunks (mprotectChunkedLocked).
// Mirrors mm/mprotect.c:do_mprotect_pkey() with mprotect_fixup().
func (mm *MM) Mprotect(addr, length uintptr, prot int) error {
	grows := prot & (abi.PROT_GROWSDOWN | abi.PROT_GROWSUP)
	prot &^= grows
	if grows == abi.PROT_GROWSDOWN|abi.PROT_GROWSUP || !PageAligned(addr) {
		return abi.EINVAL
	}
	if length == 0 {
		return nil
	}
	length = PageAlign(length)
	end := addr + length
	if end <= addr {
		return abi.ENOMEM
	}
	if prot&^(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC|abi.PROT_SEM) != 0 {
		return abi.EINVAL
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	addr, err := mm.mprotectStartLocked(addr, end, grows)
	if err != nil {
		return err
	}
	if !mm.coveredLocked(addr, end) {
		return abi.ENOMEM
	}
	if n := mm.vmas.splitsNeeded(addr, end); mm.vmas.Len()+n > mm.maxMapCount || TotalVMAs()+int64(n) > maxTotalVMAs {
		return abi.ENOMEM
	}
	return mm.mprotectChunkedLocked(addr, end, VMFlags(prot))
}

// mprotectStartLocked checks the area at the start of an mprotect range
// and returns where the change starts: addr, or the start of the area for
// PROT_GROWSDOWN. Mirrors the first-VMA checks of do_mprotect_pkey().
func (mm *MM) mprotectStartLocked(addr, end uintptr, grows int) (uintptr, error) {
	v := mm.vmas.Find(addr)
	switch {
	case v == nil:
		return 0, abi.ENOMEM
	case grows == abi.PROT_GROWSDOWN:
		if v.Start >= end {
			return 0, abi.ENOMEM
		}
		if v.Flags&VM_GROWSDOWN == 0 {
			return 0, abi.EINVAL
		}
		return v.Start, nil
	case v.Start > addr:
		return 0, abi.ENOMEM
	case grows == abi.PROT_GROWSUP:
		return 0, abi.EINVAL
	}
	return addr, nil
}

// coveredLocked reports whether areas cover [start, end) without a hole.
func (mm *MM) coveredLocked(start, end uintptr) bool {
	next := start
	for _, v := range mm.vmas.Intersecting(start, end) {
		if v.Start > next {
			return false
		}
		next = v.End
	}
	return next >= end
}
