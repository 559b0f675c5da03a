package mm

import "tamix/abi"

// Work that can take long (populating, unmapping, changing the protection
// of or tearing down a large address space) is done in chunks, with the
// MM's lock dropped and Resched called between two chunks. Linux calls
// cond_resched() inside its page-table loops while holding mmap_lock, a
// sleeping lock; Tamix's locks are not sleeping locks (a task that gave
// the CPU away holding one would keep any other task that wanted it
// spinning on it), so the lock goes first and each chunk looks the areas
// up again (inChunksLocked). A chunk is chunkTables leaf tables: 1024
// pages at most, a few ticks' work under TCG.
const chunkTables = 2

// populateChunk is how much populate faults in between two chances for
// other tasks to run: one leaf table's span.
const populateChunk = 512 * PageSize

// Resched lets other tasks run if the current one has used its time
// (cond_resched); the kernel sets it. mm calls it only with no lock held.
var Resched = func() {}

// populate is populateLocked over [start, end) in chunks, taking the
// lock for each and calling Resched between them, so that populating a
// large mapping does not keep every other task waiting. The areas may
// change between chunks (another thread's munmap): each chunk looks them
// up again, as Linux's __mm_populate() does after it dropped mmap_lock.
// Mirrors mm/gup.c:__mm_populate().
func (mm *MM) populate(start, end uintptr) {
	for va := start; va < end; {
		mm.mu.Lock()
		va = mm.populateLocked(va, min(end, va+populateChunk))
		mm.mu.Unlock()
		Resched()
	}
}

// inChunksLocked calls work on [start, end) one chunk of chunkTables
// leaf tables at a time, stopping at its first error. The caller holds
// the MM's lock; between two chunks it is dropped and Resched called,
// and it is held again on return. Tamix's own: Linux has no such loop,
// its page-table walks call cond_resched() where they stand.
func (mm *MM) inChunksLocked(start, end uintptr, work func(va, stop uintptr) error) error {
	for va := start; va < end; {
		stop := mm.pt.workEnd(va, end, chunkTables)
		if err := work(va, stop); err != nil {
			return err
		}
		if va = stop; va < end {
			mm.mu.Unlock()
			Resched()
			mm.mu.Lock()
		}
	}
	return nil
}

// munmapChunked is munmap of [start, end) in chunks, each flushed and
// its pages freed before the lock is dropped. The check on the number of
// areas is made once for the whole range; the pieces may add one area
// for a while (the rest of an area whose front was unmapped), never more.
//
// Unlike Linux, whose munmap holds mmap_lock throughout, another thread
// may see the range half unmapped, or map into the part already freed;
// munmap racing with other calls on the same addresses is a race in the
// program on Linux too. A table copy that cannot be allocated stops the
// work with ENOMEM, the chunks done so far staying unmapped. Mirrors
// mm/vma.c:do_vmi_munmap() with the cond_resched() of zap_pte_range().
func (mm *MM) munmapChunked(start, end uintptr) error {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.holeOverLimitLocked(start, end) {
		return abi.ENOMEM
	}
	return mm.inChunksLocked(start, end, func(va, stop uintptr) error {
		b := mm.newBatch()
		defer b.finish()
		return mm.unmapRangeLocked(va, stop, b)
	})
}

// mprotectChunkedLocked gives [start, end), which the caller checked
// under the lock it holds, the permissions prot in chunks. Each chunk is
// split off, changed and merged with the chunk before, so the range
// holds at most one more area than at the end while it is done. After
// the first chunk the range is looked up again: if another thread
// unmapped part of it meanwhile, the change stops there with ENOMEM, as
// Linux's mprotect does at a hole. Mirrors the mprotect_fixup() loop of
// mm/mprotect.c:do_mprotect_pkey(), with change_pte_range()'s
// cond_resched() between chunks.
func (mm *MM) mprotectChunkedLocked(start, end uintptr, prot VMFlags) error {
	return mm.inChunksLocked(start, end, func(va, stop uintptr) error {
		if va != start && !mm.coveredLocked(va, stop) {
			return abi.ENOMEM
		}
		if err := mm.unshareLocked(va, stop); err != nil {
			return err
		}
		b := mm.newBatch()
		defer b.finish()
		mm.vmas.Protect(va, stop, prot, func(v *VMA) { mm.changeProtectionLocked(v, b) })
		return nil
	})
}

// teardown removes every mapping, puts every page and frees every table,
// in chunks with Resched between them when resched is set (the caller
// holds no lock). Nobody else uses the MM any more, so the chunks need no
// looking up again. Mirrors mm/mmap.c:exit_mmap(), whose unmap_vmas()
// calls cond_resched() as it goes, followed by pgd_free().
func (mm *MM) teardown(resched bool) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.pt == nil {
		panic("mm: Release of a released MM")
	}
	if u, ok := mm.tlb.(Unloader); ok {
		u.Unload()
	}
	if resched {
		mm.inChunksLocked(0, TaskSize, mm.putPagesLocked)
	} else {
		mm.putPagesLocked(0, TaskSize)
	}
	for _, v := range mm.vmas.All() {
		if v.shm != nil {
			v.shm.put(mm.pages)
		}
	}
	mm.vmas.clear()
	mm.rss = 0
	mm.pt.Destroy()
	mm.pt = nil
}

// putPagesLocked drops the pages mapped in [start, end) during teardown:
// shared leaf tables whose block the range covers lose this MM's
// reference, and the MM's own entries are cleared and their pages put.
// Mirrors mm/memory.c:unmap_vmas() as exit_mmap() calls it.
func (mm *MM) putPagesLocked(start, end uintptr) error {
	mm.pt.dropSharedTables(start, end, false)
	for _, v := range mm.vmas.Intersecting(start, end) {
		mm.pt.Update(max(v.Start, start), min(v.End, end), func(_ uintptr, e PTE) PTE {
			mm.pages.PutPage(e.Addr())
			return 0
		})
	}
	return nil // it cannot fail; the error is inChunksLocked's shape
}
