package mm

// fork's copy of an address space, and the copy-on-write of leaf page
// tables that makes it cheap.
//
// Linux's fork copies every leaf entry of every private mapping
// (mm/memory.c:copy_pte_range() and copy_present_pte()): it write-protects
// the entry in parent and child and takes a reference on the page. Fork
// then costs time in proportion to the memory the parent has touched. Issue
// 5 asks that forking with 64 MiB touched cost less than five times forking
// with 1 MiB; copying 16384 entries instead of 256 cost Tamix 45 times as
// much.
//
// Tamix therefore shares whole leaf tables at fork, copy-on-write, one
// level up from the pages: the child's page-directory entry for a 2 MiB
// block points to the parent's leaf table (PT), the table page gains a
// reference, and both PD entries lose PTE_RW and gain PTE_SHARED_TABLE.
// The CPU ANDs the RW bits of all levels, so all 512 pages become
// read-only in both; their data pages are not touched, the table's
// reference stands for all of them. Fork is then O(leaf tables): 32 for
// 64 MiB. The first change to a shared table in either MM (a write fault,
// a demand-zero fault, a user copy, munmap, mprotect) unshares it for that
// MM: a copy of the table whose private pages are COW as Linux's fork
// would have left them, or the table itself for its last sharer; then the
// ordinary COW fault copies or reuses pages by their reference counts.
// A further fork simply shares the table once more; exit drops the MM's
// reference and puts the pages only with the last one.
//
// This is the idea of On-Demand-Fork (Zhao, Gong and Fonseca,
// "On-Demand-Fork: A Microsecond Fork for Memory-Intensive and
// Latency-Sensitive Applications", EuroSys 2021), a Linux research
// prototype that shares last-level tables the same way; mainline Linux
// still copies entries. Tamix shares only tables of private anonymous
// memory: a table that also maps part of a shared mapping (MAP_SHARED),
// or maps only a few pages, is copied entry by entry as Linux does.

import "tamix/abi"

// shareMinPages is the fewest pages a leaf table must map to be shared at
// fork. Sharing defers the per-page work to the first write rather than
// saving it, and the write then also scans the whole table and (in the
// parent and the child) takes a fault; for a table of a few pages, such
// as a small stack or data segment that both sides write at once, copying
// the entries at fork is cheaper. ODF aims at processes with large
// memory for the same reason.
const shareMinPages = 64

// Dup returns a copy of the address space for fork: the same VMAs, and
// page tables that map the same pages. Leaf tables of private memory
// that map at least shareMinPages pages are shared copy-on-write (see the
// top of this file); the other entries are copied: pages of private areas
// become read-only and copy-on-write in both MMs (PTE_COW), pages of
// shared areas stay writable in both, and every copied entry takes a page
// reference. The parent's TLB is flushed once at the end if any of its
// entries changed. On ENOMEM the partial child is released and the parent
// keeps working (some of its pages or tables are left COW, which the next
// write resolves).
//
// Mirrors kernel/fork.c:dup_mmap() with mm/memory.c:copy_page_range(),
// which copies every leaf entry.
func (mm *MM) Dup() (*MM, error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if TotalVMAs()+int64(mm.vmas.Len()) > maxTotalVMAs {
		return nil, abi.ENOMEM // the copy's areas would not fit the kernel's budget
	}
	// The child flushes nothing until its owner gives it a TLB
	// (SetTLB): it is not loaded, and the parent's TLB, which would
	// unload the parent if a failed copy is released, is not its own.
	child, err := NewMM(mm.template, mm.pages, nil)
	if err != nil {
		return nil, err
	}
	child.startBrk, child.brk = mm.startBrk, mm.brk
	child.mmapBase, child.startStack = mm.mmapBase, mm.startStack
	child.maxMapCount = mm.maxMapCount
	child.exec = mm.exec
	for _, v := range mm.vmas.All() {
		child.vmas.Insert(v.clone())
	}
	flush, err := dupPageTables(child, mm)
	if flush {
		mm.tlb.FlushAll()
	}
	if err != nil {
		child.Release()
		return nil, err
	}
	// The child maps every page the parent maps, through shared tables
	// or its own entries.
	child.rss = mm.rss
	return child, nil
}

// dupPageTables gives dst, which has src's VMAs, the mappings of src: one
// leaf table at a time, shared or copied entry by entry. It reports
// whether src needs a TLB flush.
func dupPageTables(dst, src *MM) (flush bool, err error) {
	src.pt.forEachTable(0, TaskSize, func(va uintptr, pd PhysAddr, i int, e PTE) bool {
		vs := src.vmas.Intersecting(va, va+tableSpan)
		if src.canShareTableLocked(e, vs) {
			var f bool
			f, err = src.pt.shareTable(dst.pt, va, pd, i)
			flush = flush || f
			return err == nil
		}
		for _, v := range vs {
			var f bool
			f, err = copyPageRange(dst, src, v, max(v.Start, va), min(v.End, va+tableSpan))
			flush = flush || f
			if err != nil {
				return false
			}
		}
		return true
	})
	return flush, err
}

// canShareTableLocked reports whether fork may share the leaf table that
// the PD entry e points to, whose 2 MiB block the areas vs intersect: the
// table is shared already, or it maps shareMinPages pages or more and
// every area in its block is private.
//
// So every page of a shared table lies in a private area of each of its
// sharers: pages exist only inside areas, and whatever removes or changes
// an area's pages (munmap, MAP_FIXED, brk, mprotect) unshares the table
// first; a new area in an empty part of the block has no page in the
// table. Sharing a shared table again is therefore always right, and
// unsharing makes every page COW (unshareTable).
func (mm *MM) canShareTableLocked(e PTE, vs []*VMA) bool {
	if e&PTE_SHARED_TABLE != 0 {
		return true
	}
	if mm.pt.tableRefs() == nil {
		return false
	}
	for _, v := range vs {
		if v.Shared() {
			return false
		}
	}
	return mm.pt.hasLeaves(e.Addr(), shareMinPages)
}

// copyPageRange copies src's entries for the part [start, end) of area v
// into dst, write-protecting and marking COW the entries of a private area
// in both, and reports whether src needs a TLB flush. Mirrors
// mm/memory.c:copy_page_range() down to copy_present_pte(); the child's
// entries are made old and clean.
func copyPageRange(dst, src *MM, v *VMA, start, end uintptr) (flush bool, err error) {
	flush = src.pt.Update(start, end, func(va uintptr, old PTE) PTE {
		if err != nil {
			return old
		}
		e := old
		if !v.Shared() {
			e = e&^PTE_RW | PTE_COW
		}
		child := e.Flags() &^ (PTE_P | PTE_US | PTE_A | PTE_D)
		if _, err = dst.pt.Map(va, e.Addr(), child); err != nil {
			return old
		}
		src.pages.GetPage(e.Addr())
		return e
	})
	return flush, err
}

// unshareLocked gives the MM a leaf table of its own wherever a table
// shared after fork maps part of [start, end), before the caller changes
// entries there (or relies on them being writable), and flushes the TLB
// if it did. It returns abi.ENOMEM when a table copy cannot be allocated;
// the tables unshared so far stay unshared, which changes nothing the
// process can see. Mirrors the page-table copy ODF does in its fault
// handler.
func (mm *MM) unshareLocked(start, end uintptr) error {
	changed := false
	var err error
	mm.pt.forEachTable(start, end, func(_ uintptr, pd PhysAddr, i int, e PTE) bool {
		if e&PTE_SHARED_TABLE == 0 {
			return true
		}
		if err = mm.pt.unshareTable(pd, i, mm.pages); err != nil {
			return false
		}
		changed = true
		return true
	})
	if changed {
		mm.tlb.FlushAll()
	}
	return err
}
