package mm

import "fmt"

// WalkStep is one level of a page-table walk: the table, the entry's index
// in it, and the entry.
type WalkStep struct {
	Level int      // 4 (PML4) down to 1 (PT)
	Table PhysAddr // physical address of the table
	Index int      // index of the entry in the table
	Entry PTE      // the entry
}

// String formats the step as a debugger shows it:
// "PD (pmd)   0x0000000000123000[  1] = 0x0000000000456000 P RW US".
func (s WalkStep) String() string {
	return fmt.Sprintf("%-10s 0x%016x[%3d] = %v", levelNames[s.Level], uint64(s.Table), s.Index, s.Entry)
}

// Walk returns the entries the CPU's page walker reads to translate va, from
// the PML4 down, stopping after a non-present entry or a large page. It
// works for any canonical address, kernel or user, and returns nil for a
// non-canonical one. It is for debuggers: it changes nothing.
func (pt *PageTable) Walk(va uintptr) []WalkStep {
	if !IsCanonical(va) {
		return nil
	}
	var steps []WalkStep
	table := pt.root
	for level := levelPML4; level >= levelPT; level-- {
		i := index(va, level)
		e := pt.entry(table, i)
		steps = append(steps, WalkStep{Level: level, Table: table, Index: i, Entry: e})
		if !e.Present() || (level > levelPT && e&PTE_PS != 0) {
			break
		}
		table = e.Addr()
	}
	return steps
}

// Translate returns the physical address va maps to and the leaf entry, as
// the CPU would translate it (large pages included); ok is false if va is
// not mapped. For debuggers and tests.
func (pt *PageTable) Translate(va uintptr) (pa PhysAddr, leaf PTE, ok bool) {
	steps := pt.Walk(va)
	if len(steps) == 0 {
		return 0, 0, false
	}
	last := steps[len(steps)-1]
	if !last.Entry.Present() {
		return 0, 0, false
	}
	off := uint64(va) & (1<<levelShift(last.Level) - 1)
	return last.Entry.Addr() + PhysAddr(off), last.Entry, true
}

// leafFunc is called for an entry at va, held in entry i of table: a
// leaf, or a page-directory entry when walking tables. Returning false
// stops the iteration.
type leafFunc func(va uintptr, table PhysAddr, i int, e PTE) bool

// rangeWalk is one walk over a range of user addresses: which entries fn
// gets, and whether fn writes to leaf tables.
type rangeWalk struct {
	pt *PageTable
	// bottom is the level whose non-zero entries fn gets: levelPT for
	// the leaves, levelPD for the entries that point to leaf tables.
	bottom int
	// write says fn stores into the leaf tables it is given, which must
	// then not be shared after fork: the walk panics on a PD entry
	// with PTE_SHARED_TABLE (see leaf).
	write bool
	fn    leafFunc
}

// walk calls w.fn for every non-zero entry of level w.bottom for
// addresses in [start, end) below the table at the given level, whose
// entry 0 maps base. It descends only into user-owned tables (U/S set) and
// skips the whole span of a missing table. It returns false if fn stopped
// the walk.
func (w *rangeWalk) walk(table PhysAddr, level int, base, start, end uintptr) bool {
	shift := levelShift(level)
	f := w.pt.mem.Frame(table)
	for i := int((start - base) >> shift); i < entriesPerTable; i++ {
		va := base + uintptr(i)<<shift
		if va >= end {
			break
		}
		e := frameEntry(f, i)
		if level == w.bottom {
			if e != 0 && !w.fn(va, table, i, e) {
				return false
			}
			continue
		}
		if !e.Present() || e&PTE_US == 0 || e&PTE_PS != 0 {
			continue
		}
		if w.write && e&PTE_SHARED_TABLE != 0 {
			panic(fmt.Sprintf("mm: write at %#x into a shared page table (PD entry %v)", va, e))
		}
		lo, hi := max(start, va), min(end, va+uintptr(1)<<shift)
		if !w.walk(e.Addr(), level-1, va, lo, hi) {
			return false
		}
	}
	return true
}

// run walks the parts of [start, end) that lie in the user windows.
func (w *rangeWalk) run(start, end uintptr) {
	for _, win := range userWindows {
		lo, hi := max(start, win[0]), min(end, win[1])
		if lo < hi && !w.walk(w.pt.root, levelPML4, 0, lo, hi) {
			return
		}
	}
}

// forEachLeaf calls fn for every non-zero leaf entry in [start, end);
// write says whether fn stores into the tables.
func (pt *PageTable) forEachLeaf(start, end uintptr, write bool, fn leafFunc) {
	w := rangeWalk{pt: pt, bottom: levelPT, write: write, fn: fn}
	w.run(start, end)
}

// forEachTable calls fn for every page-directory entry that points to a
// leaf table mapping part of [start, end), with the 2 MiB-aligned address
// the table starts at, in address order, until fn returns false.
func (pt *PageTable) forEachTable(start, end uintptr, fn leafFunc) {
	w := rangeWalk{pt: pt, bottom: levelPD, fn: fn}
	w.run(start, end)
}

// Range calls fn for each mapped user page in [start, end) in address
// order, with its leaf entry (present, or PTE_PROTNONE), until fn returns
// false. Addresses outside the user windows are skipped. Mirrors the
// walk_page_range() family's page-table descent, read-only.
func (pt *PageTable) Range(start, end uintptr, fn func(va uintptr, e PTE) bool) {
	pt.forEachLeaf(start, end, false, func(va uintptr, _ PhysAddr, _ int, e PTE) bool {
		return fn(va, e)
	})
}

// Update calls fn for each mapped user page in [start, end) and stores the
// entry fn returns in its place (0 unmaps the page; the caller owns the
// page the old entry held). It reports whether a TLB flush is needed: a
// present entry changed. Used for mprotect, fork's COW marking and munmap.
// The leaf tables of the range must be this address space's own: a table
// shared after fork panics (see pagetable_share.go). Mirrors
// mm/mprotect.c:change_pte_range() and the zap_pte_range() loop.
func (pt *PageTable) Update(start, end uintptr, fn func(va uintptr, e PTE) PTE) (flush bool) {
	pt.forEachLeaf(start, end, true, func(va uintptr, table PhysAddr, i int, e PTE) bool {
		n := fn(va, e)
		if n != e {
			if n != 0 && n&PTE_US == 0 {
				panic(fmt.Sprintf("mm: Update at %#x: new entry %v is not a user entry", va, n))
			}
			pt.setEntry(table, i, n)
			flush = flush || e.Present()
		}
		return true
	})
	return flush
}

// isSkeleton reports whether pa is one of the tables every address space
// keeps for its lifetime (PML4, PDPT0, PD0).
func (pt *PageTable) isSkeleton(pa PhysAddr) bool {
	return pa == pt.root || pa == pt.pdpt0 || pa == pt.pd0
}

// freeUserBelow frees every user-owned table below the table at level
// (which itself stays), clearing the entries that pointed to them. With
// onlyEmpty, only tables that hold no entry at all after their own pruning
// are freed, within [start, end). It returns whether the table is empty.
// Only the entries that map part of [start, end) are visited, and the
// emptiness check stops at the first entry left: munmap of 1 MiB used to
// read all 512 entries of every table on the way down, which was more
// than half of its cost.
func (pt *PageTable) freeUserBelow(table PhysAddr, level int, base, start, end uintptr, onlyEmpty bool) bool {
	shift := levelShift(level)
	f := pt.mem.Frame(table)
	lo, hi := indexRange(base, shift, start, end)
	for i := lo; i < hi && level != levelPT; i++ {
		e := frameEntry(f, i)
		if !e.Present() || e&PTE_US == 0 || e&PTE_PS != 0 {
			continue
		}
		child := e.Addr()
		childEmpty := pt.freeUserBelow(child, level-1, base+uintptr(i)<<shift, start, end, onlyEmpty)
		if pt.isSkeleton(child) || (onlyEmpty && !childEmpty) {
			continue
		}
		pt.setEntry(table, i, 0)
		pt.freeTable(child)
	}
	for i := 0; i < entriesPerTable; i++ {
		if frameEntry(f, i) != 0 {
			return false
		}
	}
	return true
}

// indexRange returns the indices [lo, hi) of the entries of a table that
// maps from base, each entry 1<<shift bytes, that overlap [start, end).
func indexRange(base uintptr, shift uint, start, end uintptr) (lo, hi int) {
	if end <= base || start >= end {
		return 0, 0
	}
	if start > base {
		lo = int(min((start-base)>>shift, entriesPerTable))
	}
	hi = int(min((end-base+uintptr(1)<<shift-1)>>shift, entriesPerTable))
	return lo, hi
}

// FreeUserTables returns every user-owned table page to the allocator and
// clears the entries that pointed to them, leaving an address space with no
// user mapping and only its PML4, PDPT0 and PD0. Leaf entries are dropped
// without touching their pages: the caller must have put those already.
// Mirrors mm/memory.c:free_pgtables() over the whole user range.
func (pt *PageTable) FreeUserTables() {
	pt.freeUserBelow(pt.root, levelPML4, 0, 0, TaskSize, false)
}

// PruneEmptyTables frees the user-owned tables that map part of
// [start, end) and hold no entry, as munmap does once the range's pages
// are gone. Linux's free_pgtables() decides from the neighbouring VMAs
// instead; Tamix scans the tables, which is simpler and never frees a
// table in use.
func (pt *PageTable) PruneEmptyTables(start, end uintptr) {
	pt.freeUserBelow(pt.root, levelPML4, 0, start, end, true)
}

// Destroy frees all of an address space's tables, the PML4, PDPT0 and PD0
// included. The PageTable must not be used again, nor be loaded in CR3.
// Mirrors pgd_free() after free_pgtables().
func (pt *PageTable) Destroy() {
	if pt.pdpt0 == 0 {
		panic("mm: Destroy of a kernel template")
	}
	pt.FreeUserTables()
	pt.freeTable(pt.pd0)
	pt.freeTable(pt.pdpt0)
	pt.freeTable(pt.root)
	pt.root, pt.pdpt0, pt.pd0 = 0, 0, 0
}

// workEnd returns where a bounded piece of work over [start, end) should
// stop: at the start of the (tables+1)-th leaf table that maps part of the
// range, or at end if there are no more. The result is above start (for
// tables ≥ 1) and 2 MiB aligned unless it is end, so a chunk never splits
// a leaf table's block. Empty stretches cost nothing, so a huge range
// with few pages is one chunk. Tamix's own helper for the loops Linux
// bounds with cond_resched() inside its page-table walks.
func (pt *PageTable) workEnd(start, end uintptr, tables int) uintptr {
	stop, n := end, 0
	pt.forEachTable(start, end, func(va uintptr, _ PhysAddr, _ int, _ PTE) bool {
		if n++; n > tables {
			stop = va
			return false
		}
		return true
	})
	return stop
}
