package mm

import "tamix/abi"

// Overcommit: how much memory an address space may promise itself before
// it touches it. Tamix implements Linux's default policy, heuristic
// overcommit (vm.overcommit_memory = 0, OVERCOMMIT_GUESS): a mapping is
// refused only when it alone is larger than all the memory there is,
// RAM plus swap (Tamix has no swap), since no workload could ever fill
// it. Everything smaller is allowed, and a task that later touches more
// pages than are free meets the page allocator's ENOMEM at fault time.
//
// Not built yet: the committed-memory counter (vm_committed_as) that
// Linux keeps for every accountable mapping, and with it the strict mode
// (OVERCOMMIT_NEVER) and /proc/meminfo's Committed_AS.

// commitCharged reports whether an anonymous area with flags is charged
// against the memory the system can commit: a private writable area, or
// any shared one (Linux charges a shared anonymous mapping when it sets up
// its shmem file), unless it was made with MAP_NORESERVE. Mirrors
// mm/mmap.c:accountable_mapping() with mm/shmem.c:shmem_acct_size().
func commitCharged(flags VMFlags) bool {
	if flags&VM_NORESERVE != 0 {
		return false
	}
	return flags&VM_SHARED != 0 || flags&VM_WRITE != 0
}

// vmEnoughMemory returns ENOMEM if pages more pages cannot be promised on
// a machine with totalRAM pages and no swap: under heuristic overcommit,
// if pages alone exceed totalRAM. Mirrors mm/util.c:__vm_enough_memory()
// for OVERCOMMIT_GUESS. Differs: nothing is added to a committed-memory
// counter (Linux's vm_acct_memory()), and the refusal is not logged.
func vmEnoughMemory(pages, totalRAM uint64) error {
	if pages > totalRAM {
		return abi.ENOMEM
	}
	return nil
}

// mmapEnoughMemoryLocked applies the overcommit check to a new area of
// length bytes with flags: only areas commitCharged counts are checked,
// against the page allocator's total (totalram_pages()). Mirrors the
// security_vm_enough_memory_mm() call of mm/vma.c:mmap_region().
func (mm *MM) mmapEnoughMemoryLocked(length uintptr, flags VMFlags) error {
	if !commitCharged(flags) {
		return nil
	}
	return vmEnoughMemory(uint64(length>>PageShift), mm.pages.TotalPages())
}
