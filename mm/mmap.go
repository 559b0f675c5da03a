package mm

import "tamix/abi"

// Placement and the page-level work behind mmap, munmap and mprotect. The
// system calls in syscalls.go check their arguments and call these with
// the MM locked.

// rangeFreeLocked reports whether [start, end) overlaps no area and ends
// at or below the guard gap of the area above it. Mirrors the hint check
// of generic_get_unmapped_area_topdown().
func (mm *MM) rangeFreeLocked(start, end uintptr) bool {
	next := mm.vmas.Find(start)
	return next == nil || end <= next.startGap()
}

// findGapLocked returns the highest address a of a free range
// [a, a+length) inside [lo, hi), keeping clear of every area and of the
// guard gap below growsdown areas. Mirrors mm/vma.c:unmapped_area_topdown(),
// walking the sorted areas from the top where Linux searches the maple
// tree's gaps.
func (mm *MM) findGapLocked(lo, hi, length uintptr) (uintptr, bool) {
	vs := mm.vmas.All()
	for i := len(vs); i >= 0; i-- {
		gapHi, gapLo := hi, lo
		if i < len(vs) {
			gapHi = min(gapHi, vs[i].startGap())
		}
		if i > 0 {
			gapLo = max(gapLo, vs[i-1].End)
		}
		if gapHi >= gapLo && gapHi-gapLo >= length {
			return gapHi - length, true
		}
		if i > 0 && vs[i-1].End <= lo {
			break
		}
	}
	return 0, false
}

// getUnmappedAreaLocked picks the address of a new mapping of length bytes
// (page aligned, non-zero). With MAP_FIXED it checks addr: beyond TaskSize
// or in the kernel's hole is ENOMEM, unaligned is EINVAL, in Linux's order.
// Otherwise a hint, rounded down to a page as x86 does, is taken if the
// range there is free and in one user window; else the highest free range below the mmap base, then anywhere
// in the high window, then in the low window. MAP_32BIT searches only the
// low window: Linux's MAP_32BIT range, 1-2 GiB, is the kernel's in Tamix.
//
// Mirrors mm/mmap.c:__get_unmapped_area() with x86's
// arch_get_unmapped_area_topdown(); without randomisation.
func (mm *MM) getUnmappedAreaLocked(addr, length uintptr, flags int) (uintptr, error) {
	if length > TaskSize {
		return 0, abi.ENOMEM
	}
	if flags&abi.MAP_FIXED != 0 {
		switch {
		case addr > TaskSize-length:
			return 0, abi.ENOMEM
		case !PageAligned(addr):
			return 0, abi.EINVAL
		case !IsUserRange(addr, addr+length):
			return 0, abi.ENOMEM
		}
		return addr, nil
	}
	if flags&abi.MAP_32BIT != 0 {
		if a, ok := mm.findGapLocked(UserLowStart, UserLowEnd, length); ok {
			return a, nil
		}
		return 0, abi.ENOMEM
	}
	if addr != 0 {
		addr = PageAlignDown(addr)
		if addr != 0 && addr <= TaskSize-length && IsUserRange(addr, addr+length) && mm.rangeFreeLocked(addr, addr+length) {
			return addr, nil
		}
	}
	for _, w := range [][2]uintptr{{UserHighStart, mm.mmapBase}, {UserHighStart, TaskSize}, {UserLowStart, UserLowEnd}} {
		if a, ok := mm.findGapLocked(w[0], w[1], length); ok {
			return a, nil
		}
	}
	return 0, abi.ENOMEM
}

// zapLocked clears every entry in [start, end), queueing the flushes and
// the page references on b. Mirrors mm/memory.c:zap_page_range_single()
// down to zap_pte_range().
func (mm *MM) zapLocked(start, end uintptr, b *tlbBatch) {
	mm.pt.Update(start, end, func(va uintptr, e PTE) PTE {
		if e.Present() {
			b.flushPage(va)
		}
		b.puts = append(b.puts, e.Addr())
		mm.rss--
		return 0
	})
}

// munmapLocked removes [start, end) (page aligned): areas are split at the
// edges, the pages inside unmapped and queued on b, shared objects
// dropped, and page tables left empty freed. Leaf tables shared after
// fork are dropped if the range covers them, else unshared first.
// Punching a hole in one area when the MM already has maxMapCount areas
// is ENOMEM, as in Linux, and so is a table copy that cannot be allocated
// (nothing is unmapped then).
// Mirrors mm/vma.c:do_vmi_munmap().
func (mm *MM) munmapLocked(start, end uintptr, b *tlbBatch) error {
	if mm.holeOverLimitLocked(start, end) {
		return abi.ENOMEM
	}
	return mm.unmapRangeLocked(start, end, b)
}

// holeOverLimitLocked reports whether removing [start, end) would punch a
// hole in one area (one more area) when the MM or the kernel is at its
// limit of areas: the map_count check of Linux's do_vmi_align_munmap().
func (mm *MM) holeOverLimitLocked(start, end uintptr) bool {
	vs := mm.vmas.Intersecting(start, end)
	return len(vs) == 1 && vs[0].Start < start && vs[0].End > end &&
		(mm.vmas.Len() >= mm.maxMapCount || TotalVMAs() >= maxTotalVMAs)
}

// unmapRangeLocked is munmapLocked without the check on the number of
// areas: the caller made it (for a larger range it unmaps in pieces).
func (mm *MM) unmapRangeLocked(start, end uintptr, b *tlbBatch) error {
	if len(mm.vmas.Intersecting(start, end)) == 0 {
		return nil
	}
	// Leaf tables shared after fork: those at the edges of the range,
	// which keep some of their pages, are unshared (which may fail, so
	// it comes first); those the range covers whole are just dropped.
	lo, hi := (start+tableSpan-1)&^(tableSpan-1), end&^(tableSpan-1)
	if blockEnd(hi) <= end {
		hi = end // the range ends at TaskSize: the last block is whole
	}
	if err := mm.unshareLocked(start, min(lo, end)); err != nil {
		return err
	}
	if err := mm.unshareLocked(max(hi, start), end); err != nil {
		return err
	}
	dropped, changed := mm.pt.dropSharedTables(start, end, true)
	mm.rss -= dropped
	b.all = b.all || changed
	for _, v := range mm.vmas.RemoveRange(start, end) {
		mm.zapLocked(v.Start, v.End, b)
		if v.shm != nil {
			v.shm.put(mm.pages)
		}
	}
	tables := mm.pt.TablePages()
	mm.pt.PruneEmptyTables(start, end)
	if mm.pt.TablePages() != tables {
		b.all = true // paging-structure caches may hold the freed tables
	}
	return nil
}

// mapRegionLocked creates the area [addr, addr+length) with the given
// flags, first removing whatever was mapped there (MAP_FIXED), and merges
// it with compatible neighbours. Mirrors mm/vma.c:mmap_region() for
// anonymous mappings.
func (mm *MM) mapRegionLocked(addr, length uintptr, flags VMFlags, b *tlbBatch) error {
	end := addr + length
	if err := mm.munmapLocked(addr, end, b); err != nil {
		return err
	}
	v := &VMA{Start: addr, End: end, Flags: flags}
	if flags&VM_SHARED != 0 {
		v.shm = newShmObject()
	}
	mm.vmas.Insert(v)
	mm.vmas.Merge(addr, end)
	return nil
}

// populateLocked faults in every page of [start, end) as a read, or a
// write for a writable area. A page that cannot be faulted in (out of
// memory) ends the work on its area, and populating goes on with the next
// area: the mapping stays and mmap still succeeds, as Linux's
// mm_populate() ignores errors. Without that stop, a mapping far larger
// than memory kept the kernel busy failing one page at a time. Mirrors
// mm/gup.c:__mm_populate() with ignore_errors.
// It returns where to go on from: end, or past end when the area that
// ran out of memory goes on beyond it.
func (mm *MM) populateLocked(start, end uintptr) uintptr {
	next := end
	for va := start; va < end; va += PageSize {
		v := mm.vmas.Find(va)
		if v == nil || v.Start >= end {
			return next
		}
		va = max(va, v.Start)
		if mm.faultLocked(va, v.Flags&VM_WRITE != 0, false) != nil {
			next = max(next, v.End)
			va = v.End - PageSize // continue at the next area
		}
	}
	return next
}

// changeProtectionLocked rewrites the entries of area v after its flags
// changed: permissions follow the area, COW marks and accessed/dirty bits
// stay. Mirrors mm/mprotect.c:change_protection().
func (mm *MM) changeProtectionLocked(v *VMA, b *tlbBatch) {
	mm.pt.Update(v.Start, v.End, func(va uintptr, e PTE) PTE {
		n := makeLeaf(e.Addr(), v.leafFlags(e&PTE_COW != 0)|e&(PTE_A|PTE_D))
		if n != e && e.Present() {
			b.flushPage(va)
		}
		return n
	})
}
