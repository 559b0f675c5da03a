package mm

import "tamix/abi"

// madvise advice values (include/uapi/asm-generic/mman-common.h).
const (
	MADV_NORMAL      = 0
	MADV_RANDOM      = 1
	MADV_SEQUENTIAL  = 2
	MADV_WILLNEED    = 3
	MADV_DONTNEED    = 4
	MADV_FREE        = 8
	MADV_REMOVE      = 9
	MADV_DONTFORK    = 10
	MADV_DOFORK      = 11
	MADV_MERGEABLE   = 12
	MADV_UNMERGEABLE = 13
	MADV_HUGEPAGE    = 14
	MADV_NOHUGEPAGE  = 15
	MADV_DONTDUMP    = 16
	MADV_DODUMP      = 17
	MADV_COLD        = 20
	MADV_PAGEOUT     = 21
)

// Madvise acts on advice about [addr, addr+length). MADV_DONTNEED and
// MADV_FREE drop the pages of the range, so that private anonymous memory
// reads back as zeroes and a shared mapping as its object's contents (Linux
// frees MADV_FREE pages lazily, only under memory pressure; dropping them
// at once is one of the behaviours it allows). Hints about access
// patterns, huge pages, merging and core dumps change nothing in Tamix
// and succeed. Errors as Linux's: addr not page aligned or an unknown
// advice EINVAL, a range with unmapped pages ENOMEM (the mapped parts are
// still advised). Mirrors mm/madvise.c:do_madvise().
func (mm *MM) Madvise(addr, length uintptr, advice int) error {
	if !PageAligned(addr) || length > TaskSize || addr > TaskSize-PageAlign(length) {
		return abi.EINVAL
	}
	switch advice {
	case MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTFORK, MADV_DOFORK,
		MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP,
		MADV_DODUMP, MADV_COLD, MADV_PAGEOUT, MADV_DONTNEED, MADV_FREE:
	default:
		return abi.EINVAL
	}
	end := addr + PageAlign(length)
	if end == addr {
		return nil
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	covered := uintptr(0)
	for _, v := range mm.vmas.Intersecting(addr, end) {
		covered += min(v.End, end) - max(v.Start, addr)
	}
	if advice == MADV_DONTNEED || advice == MADV_FREE {
		if err := mm.dropPagesLocked(addr, end); err != nil {
			return err
		}
	}
	if covered != end-addr {
		return abi.ENOMEM
	}
	return nil
}

// dropPagesLocked unmaps the pages of [start, end) but keeps the areas,
// so that the next touch faults in a zero page (or the shared object's
// page). Leaf tables shared after fork are unshared first. Mirrors
// mm/madvise.c:madvise_dontneed_single_vma().
func (mm *MM) dropPagesLocked(start, end uintptr) error {
	b := mm.newBatch()
	defer b.finish()
	if err := mm.unshareLocked(start, end); err != nil {
		return err
	}
	for _, v := range mm.vmas.Intersecting(start, end) {
		mm.zapLocked(max(v.Start, start), min(v.End, end), b)
	}
	return nil
}
