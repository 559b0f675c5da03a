package mm

// Leaf tables shared between address spaces after fork: the page-table
// mechanics. fork.go says when the MM shares and unshares a table and why.
//
// A shared leaf table (PT) is one table page that the page directories of
// several address spaces point to. Its buddy reference count is the number
// of those PD entries; every PD entry pointing to it has PTE_SHARED_TABLE
// set and PTE_RW clear, so all its pages are read-only in every sharer.
// The data pages it maps hold one reference each for the table, not one
// per address space: whoever holds the table's last reference owns those.
//
// Nothing writes to a shared table. An address space that needs to change
// one of its entries first unshares it (unshareTable): it gets a copy of
// its own, or the table itself when it is the last sharer. PageTable's
// writers (Map, Unmap, Protect, Update) panic on a shared table, to catch
// a caller that forgot.

// tableSpan is the span of user addresses one leaf table maps: 512 pages,
// 2 MiB (Linux's PMD_SIZE).
const tableSpan = uintptr(1) << (PageShift + 9)

// blockEnd returns the end of the user addresses in the 2 MiB block that
// starts at va: the block's end, or TaskSize for the last block, whose
// top page is not user space.
func blockEnd(va uintptr) uintptr { return min(va+tableSpan, TaskSize) }

// tableRefs returns the allocator of this PageTable's table pages as a
// PageAllocator, whose reference counts sharing needs, or nil if it keeps
// none (then no table is ever shared).
func (pt *PageTable) tableRefs() PageAllocator {
	refs, _ := pt.alloc.(PageAllocator)
	return refs
}

// hasLeaves reports whether the leaf table at table holds at least n
// entries. It stops reading at the nth, so a full table costs n reads.
func (pt *PageTable) hasLeaves(table PhysAddr, n int) bool {
	f := pt.mem.Frame(table)
	for i := 0; i < entriesPerTable && n > 0; i++ {
		if frameEntry(f, i) != 0 {
			n--
		}
	}
	return n == 0
}

// shareTable makes dst map the 2 MiB block at va with the leaf table that
// entry i of pt's page directory pd points to: dst's PD entry becomes a
// copy of pt's, both with PTE_SHARED_TABLE set and PTE_RW clear, and the
// table gains a reference. The data pages are not touched. Missing tables
// above the leaf level are created in dst (abi.ENOMEM if that fails). It
// reports whether pt's entry changed, so that pt's TLB must be flushed:
// a translation cached while the entry was writable would still allow
// writes. A table that is already shared is simply shared once more.
func (pt *PageTable) shareTable(dst *PageTable, va uintptr, pd PhysAddr, i int) (flush bool, err error) {
	dpd, _, err := dst.tableAt(va, levelPD, true)
	if err != nil {
		return false, err
	}
	e := pt.entry(pd, i)
	shared := e&^PTE_RW | PTE_SHARED_TABLE
	pt.tableRefs().GetPage(e.Addr())
	dst.setEntry(dpd, index(va, levelPD), shared)
	dst.tables++
	if shared == e {
		return false, nil
	}
	pt.setEntry(pd, i, shared)
	return true, nil
}

// unshareTable gives pt a leaf table of its own in place of the shared
// one that entry i of its page directory pd points to. The PD entry
// changes: the caller flushes the TLB, whose paging-structure caches may
// hold the old entry and so a table another sharer may free. pages holds
// the data pages' references. Every page of a shared table belongs
// to a private mapping (fork.go shares no other), so wherever another
// table maps it too, it must become copy-on-write: PTE_COW set, PTE_RW
// clear, as Linux's fork leaves it.
//
//   - If others still share the table, pt gets a copy: every entry is
//     copied, takes a reference on its page and becomes COW, and pt's
//     reference on the old table is dropped. This needs a table page:
//     abi.ENOMEM if there is none, with nothing changed.
//   - If pt holds the last reference, the table is pt's again; those of
//     its pages that other tables also map (copies made by sharers that
//     unshared earlier) become COW.
//
// Either way pt's PD entry gets PTE_RW back and loses PTE_SHARED_TABLE.
// Checking the table's count and acting on it is not one atomic step:
// Tamix runs one task at a time, so no other address space changes the
// count in between (Linux would hold the table's lock).
func (pt *PageTable) unshareTable(pd PhysAddr, i int, pages PageAllocator) error {
	e := pt.entry(pd, i)
	old := e.Addr()
	own := e&^PTE_SHARED_TABLE | PTE_RW
	of := pt.mem.Frame(old)
	if pt.tableRefs().PageCount(old) == 1 {
		for j := 0; j < entriesPerTable; j++ {
			le := frameEntry(of, j)
			if le != 0 && le&PTE_COW == 0 && pages.PageCount(le.Addr()) > 1 {
				setFrameEntry(of, j, le&^PTE_RW|PTE_COW)
			}
		}
		pt.setEntry(pd, i, own)
		return nil
	}
	n, err := pt.allocTable()
	if err != nil {
		return err
	}
	nf := pt.mem.Frame(n)
	for j := 0; j < entriesPerTable; j++ {
		if le := frameEntry(of, j); le != 0 {
			pages.GetPage(le.Addr())
			setFrameEntry(nf, j, le&^PTE_RW|PTE_COW)
		}
	}
	pt.setEntry(pd, i, PTE(n)|own.Flags())
	pt.freeTable(old)
	return nil
}

// dropSharedTables detaches the shared leaf tables whose whole 2 MiB
// block lies in [start, end), as the first step of removing every mapping
// there (munmap, or the teardown of the address space): a table others
// still share loses pt's reference and pt's PD entry, leaving its data
// pages to the others; a table pt holds the last reference to becomes
// pt's own again, for the caller to put its pages and free it as usual.
// It returns the number of pages the dropped tables mapped (counted only
// with count, for the RSS) and whether a PD entry changed, which needs a
// TLB flush if pt is loaded.
func (pt *PageTable) dropSharedTables(start, end uintptr, count bool) (pages int, changed bool) {
	pt.forEachTable(start, end, func(va uintptr, pd PhysAddr, i int, e PTE) bool {
		switch {
		case e&PTE_SHARED_TABLE == 0, va < start, blockEnd(va) > end:
			return true
		case pt.tableRefs().PageCount(e.Addr()) > 1:
			if count {
				pages += pt.countLeaves(e.Addr())
			}
			pt.setEntry(pd, i, 0)
			pt.freeTable(e.Addr())
		default:
			pt.setEntry(pd, i, e&^PTE_SHARED_TABLE|PTE_RW)
		}
		changed = true
		return true
	})
	return pages, changed
}

// countLeaves returns the number of entries of the leaf table at table.
func (pt *PageTable) countLeaves(table PhysAddr) int {
	f := pt.mem.Frame(table)
	n := 0
	for i := 0; i < entriesPerTable; i++ {
		if frameEntry(f, i) != 0 {
			n++
		}
	}
	return n
}

// sharedTables returns how many of the address space's leaf tables are
// shared with other address spaces (PD entries with PTE_SHARED_TABLE).
func (pt *PageTable) sharedTables() int {
	n := 0
	pt.forEachTable(0, TaskSize, func(_ uintptr, _ PhysAddr, _ int, e PTE) bool {
		if e&PTE_SHARED_TABLE != 0 {
			n++
		}
		return true
	})
	return n
}
