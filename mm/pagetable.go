package mm

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Page-table geometry: four levels of 512 eight-byte entries.
const (
	entriesPerTable = 512
	// Levels are numbered as the SDM does, 4 (PML4) down to 1 (PT).
	levelPML4 = 4
	levelPDPT = 3
	levelPD   = 2
	levelPT   = 1
	// tableFlags are the bits of an intermediate entry Tamix creates for
	// user mappings: the leaf decides the permissions.
	tableFlags = PTE_P | PTE_RW | PTE_US
)

// levelNames gives each level its SDM name and, in parentheses, Linux's.
var levelNames = [...]string{
	levelPML4: "PML4 (pgd)", levelPDPT: "PDPT (pud)", levelPD: "PD (pmd)", levelPT: "PT (pte)",
}

// levelShift returns the number of address bits below an entry of level.
func levelShift(level int) uint { return PageShift + 9*uint(level-1) }

// index returns va's entry index in its table of the given level (Linux's
// pgd_index, pud_index, pmd_index, pte_index).
func index(va uintptr, level int) int {
	return int(va>>levelShift(level)) & (entriesPerTable - 1)
}

// Errors of page-table operations.
var (
	// ErrBadAddr: the address is not a page-aligned user address.
	ErrBadAddr = errors.New("mm: not a page-aligned user address")
	// ErrNotMapped: Protect found no entry to change.
	ErrNotMapped = errors.New("mm: address not mapped")
)

// PageTable is a four-level x86-64 page table: either the kernel's
// template or one address space's tables.
//
// An address space shares the kernel's mappings by copying the template's
// entries, not by sharing its tables at the top: it owns its PML4, the
// PDPT below PML4[0] and the page directory of the first GiB (PD0), because
// the user's low window (2-16 MiB) lives in that page directory next to
// the kernel's entries. The rule that keeps the two apart: an entry is
// user-owned if and only if its U/S bit is set. Entries copied from the
// template are supervisor-only, and user operations never modify or free
// them.
//
// Mirrors Linux's pgd_alloc(), which copies the kernel half of
// swapper_pg_dir into each new pgd (pgd_ctor()); Linux needs no deeper
// copies because its kernel lives entirely in the upper half.
//
// A PageTable does no locking: its owner (the MM) serialises all use.
type PageTable struct {
	mem   Memory         // physical memory access; immutable
	alloc FrameAllocator // where table pages come from; immutable
	root  PhysAddr       // the PML4, what CR3 holds; immutable
	pdpt0 PhysAddr       // the PDPT below PML4[0]; immutable (0 in a template)
	pd0   PhysAddr       // the page directory of [0, 1 GiB); immutable (0 in a template)
	// tables counts the table pages this PageTable holds a reference
	// to and must free: the ones it allocated and the leaf tables it
	// shares with other address spaces after fork (a shared table counts
	// in each of them). Protected by the owning MM's lock.
	tables int
}

// entry reads entry i of the table at pa. Entries are read and written as
// single little-endian 64-bit words (one MOVQ on amd64), as the CPU's page
// walker sees them.
func (pt *PageTable) entry(table PhysAddr, i int) PTE {
	return frameEntry(pt.mem.Frame(table), i)
}

// setEntry writes entry i of the table at pa.
func (pt *PageTable) setEntry(table PhysAddr, i int, e PTE) {
	setFrameEntry(pt.mem.Frame(table), i, e)
}

// frameEntry reads entry i of a table whose frame the caller already
// has, for loops over a whole table.
func frameEntry(f *[PageSize]byte, i int) PTE {
	return PTE(binary.LittleEndian.Uint64(f[i*8:]))
}

// setFrameEntry writes entry i of a table whose frame the caller has.
func setFrameEntry(f *[PageSize]byte, i int, e PTE) {
	binary.LittleEndian.PutUint64(f[i*8:], uint64(e))
}

// allocTable returns a zeroed table page, counted in pt.tables.
func (pt *PageTable) allocTable() (PhysAddr, error) {
	pa, err := pt.alloc.AllocPages(0)
	if err != nil {
		return 0, err
	}
	clear(pt.mem.Frame(pa)[:])
	pt.tables++
	return pa, nil
}

// freeTable drops this PageTable's reference to a table page, which goes
// back to the allocator unless another address space still shares it
// (a leaf table shared after fork; see pagetable_share.go).
func (pt *PageTable) freeTable(pa PhysAddr) {
	pt.alloc.FreePages(pa, 0)
	pt.tables--
}

// NewKernelTemplate builds the kernel's page tables: physical memory
// [0, 4 GiB) identity-mapped, supervisor-only and writable, with 2 MiB pages
// except for the first 2 MiB, which uses 4 KiB pages with page 0 left
// not present so that a NULL dereference in the kernel faults. That is
// the layout of Tamix's boot page tables; arch code may instead wrap the
// boot tables with AdoptKernelTemplate. It takes 7 pages from alloc.
//
// No entry is global: the template maps [2, 16 MiB), which is user space in
// every address space, and a global entry there would survive CR3 loads.
//
// Mirrors the role of Linux's swapper_pg_dir / init_mm.pgd.
func NewKernelTemplate(mem Memory, alloc FrameAllocator) (*PageTable, error) {
	pt := &PageTable{mem: mem, alloc: alloc}
	var pages [7]PhysAddr // PML4, PDPT, PD x4, PT
	for i := range pages {
		pa, err := pt.allocTable()
		if err != nil {
			for _, p := range pages[:i] {
				pt.freeTable(p)
			}
			return nil, err
		}
		pages[i] = pa
	}
	pt.root = pages[0]
	const kernel = PTE_P | PTE_RW
	pt.setEntry(pages[0], 0, PTE(pages[1])|kernel)
	for g := 0; g < 4; g++ {
		pd := pages[2+g]
		pt.setEntry(pages[1], g, PTE(pd)|kernel)
		for j := 0; j < entriesPerTable; j++ {
			pa := PTE(g)<<30 | PTE(j)<<21
			pt.setEntry(pd, j, pa|kernel|PTE_PS)
		}
	}
	pt.setEntry(pages[2], 0, PTE(pages[6])|kernel)
	for k := 1; k < entriesPerTable; k++ {
		pt.setEntry(pages[6], k, PTE(k)<<PageShift|kernel)
	}
	return pt, nil
}

// AdoptKernelTemplate wraps existing kernel page tables rooted at root (for
// example the boot page tables, reached through the identity map) as a
// template for NewAddressSpace, whose tables will come from alloc. The
// adopted tables are only read; they must map the first GiB through a page
// directory (PML4[0] and its PDPT[0] present, not large pages), with every
// present entry supervisor-only.
func AdoptKernelTemplate(mem Memory, alloc FrameAllocator, root PhysAddr) (*PageTable, error) {
	pt := &PageTable{mem: mem, alloc: alloc, root: root}
	e := pt.entry(root, 0)
	if !e.Present() || e&PTE_US != 0 {
		return nil, fmt.Errorf("mm: kernel PML4[0] is %v, want a supervisor table", e)
	}
	e = pt.entry(e.Addr(), 0)
	if !e.Present() || e&(PTE_US|PTE_PS) != 0 {
		return nil, fmt.Errorf("mm: kernel PDPT[0] is %v, want a supervisor page directory", e)
	}
	return pt, nil
}

// NewAddressSpace returns a new address space's page tables: a PML4, PDPT0
// and PD0 of its own, holding copies of the template's kernel entries
// (PML4[256..511], PDPT0[1..3], PD0[0] and PD0[8..511]) and no user
// mapping. The template's entries must be supervisor-only.
//
// Mirrors arch/x86/mm/pgtable.c:pgd_alloc().
func NewAddressSpace(template *PageTable) (*PageTable, error) {
	pt := &PageTable{mem: template.mem, alloc: template.alloc}
	var err error
	if pt.root, err = pt.allocTable(); err != nil {
		return nil, err
	}
	if pt.pdpt0, err = pt.allocTable(); err != nil {
		pt.freeTable(pt.root)
		return nil, err
	}
	if pt.pd0, err = pt.allocTable(); err != nil {
		pt.freeTable(pt.pdpt0)
		pt.freeTable(pt.root)
		return nil, err
	}
	tpdpt := template.entry(template.root, 0).Addr()
	tpd0 := template.entry(tpdpt, 0).Addr()
	copyKernel := func(dst, src PhysAddr, lo, hi int) {
		for i := lo; i < hi; i++ {
			e := template.entry(src, i)
			if e&PTE_US != 0 {
				panic(fmt.Sprintf("mm: kernel template entry %d of table %v is user-accessible: %v", i, src, e))
			}
			pt.setEntry(dst, i, e)
		}
	}
	copyKernel(pt.pd0, tpd0, 0, 1)
	copyKernel(pt.pd0, tpd0, index(UserLowEnd, levelPD), entriesPerTable)
	copyKernel(pt.pdpt0, tpdpt, 1, index(UserHighStart, levelPDPT))
	copyKernel(pt.root, template.root, entriesPerTable/2, entriesPerTable)
	pt.setEntry(pt.pdpt0, 0, PTE(pt.pd0)|tableFlags)
	pt.setEntry(pt.root, 0, PTE(pt.pdpt0)|tableFlags)
	return pt, nil
}

// Root returns the physical address of the PML4: the value to load into
// CR3 to switch to this address space.
func (pt *PageTable) Root() PhysAddr { return pt.root }

// TablePages returns how many table pages this PageTable holds from its
// allocator, the PML4, PDPT0 and PD0 included (Linux's pgtables_bytes
// divided by the page size, plus the pgd).
func (pt *PageTable) TablePages() int { return pt.tables }

// tableAt returns the table of the given level (levelPT or above) that
// holds va's entry at that level, and the entry of the level above that
// points to it. With alloc, missing intermediate tables are created
// (P|RW|US); without, table is 0 when one is missing. va must be a user
// address.
//
// Mirrors the pgd_offset / pud_alloc / pmd_alloc / pte_alloc chain of
// mm/memory.c:__get_locked_pte().
func (pt *PageTable) tableAt(va uintptr, level int, alloc bool) (table PhysAddr, above PTE, err error) {
	table = pt.root
	for l := levelPML4; l > level; l-- {
		above = pt.userEntry(table, va, l)
		switch {
		case above.Present():
			table = above.Addr()
			continue
		case !alloc:
			return 0, 0, nil
		}
		next, err := pt.allocTable()
		if err != nil {
			return 0, 0, err
		}
		above = PTE(next) | tableFlags
		pt.setEntry(table, index(va, l), above)
		table = next
	}
	return table, above, nil
}

// userEntry returns va's entry in the table of the given level above the
// leaves, which must point to a user table if present: a user address
// that walks into a kernel entry or a large page is a kernel bug.
func (pt *PageTable) userEntry(table PhysAddr, va uintptr, level int) PTE {
	e := pt.entry(table, index(va, level))
	if e.Present() && e&PTE_US == 0 || e&PTE_PS != 0 {
		panic(fmt.Sprintf("mm: user address %#x walks into kernel entry %v at level %d", va, e, level))
	}
	return e
}

// leaf returns the page table holding va's leaf entry and the entry's
// index, creating missing tables with alloc (see tableAt). With write,
// the caller is going to store into the leaf table, which must then be
// this address space's own: writing into a table shared after fork
// (PTE_SHARED_TABLE) would change the other sharers' memory, so it
// panics. The MM unshares a table before it writes to it.
func (pt *PageTable) leaf(va uintptr, alloc, write bool) (table PhysAddr, i int, err error) {
	table, pde, err := pt.tableAt(va, levelPT, alloc)
	if write && pde&PTE_SHARED_TABLE != 0 {
		panic(fmt.Sprintf("mm: write at %#x into a shared page table (PD entry %v)", va, pde))
	}
	return table, index(va, levelPT), err
}

// checkUserPage returns ErrBadAddr unless va is a page-aligned user address.
func checkUserPage(va uintptr) error {
	if !PageAligned(va) || !IsUserAddr(va) {
		return ErrBadAddr
	}
	return nil
}

// makeLeaf builds a user leaf entry for pa with the given flags: P is set
// unless flags asks for PTE_PROTNONE.
func makeLeaf(pa PhysAddr, flags PTE) PTE {
	if flags&^leafFlags != 0 {
		panic(fmt.Sprintf("mm: bad leaf flags %v", flags))
	}
	e := PTE(pa)&PTE_ADDR | flags | PTE_US
	if flags&PTE_PROTNONE == 0 {
		e |= PTE_P
	}
	return e
}

// Map makes the user page at va point to the frame pa with the given
// flags (any of PTE_RW, PTE_NX, PTE_COW, PTE_PWT, PTE_PCD, PTE_A, PTE_D,
// and PTE_PROTNONE for an entry that holds a page but is not present).
// Map sets US and, unless PTE_PROTNONE is given, P. It creates missing
// intermediate tables, and replaces any entry already there: the caller
// owns the page the old entry pointed to (look it up first).
//
// It reports whether a TLB flush of va is needed: only when a present
// entry changed. Errors: ErrBadAddr, or the allocator's ENOMEM. Map,
// Unmap and Protect panic if va's leaf table is shared after fork (see
// pagetable_share.go): the MM unshares it first.
//
// Mirrors set_pte_at() after __get_locked_pte(); Linux callers flush
// through the mmu_gather or flush_tlb_page() as Tamix's MM does.
func (pt *PageTable) Map(va uintptr, pa PhysAddr, flags PTE) (flush bool, err error) {
	if err := checkUserPage(va); err != nil {
		return false, err
	}
	e := makeLeaf(pa, flags)
	table, i, err := pt.leaf(va, true, true)
	if err != nil {
		return false, err
	}
	old := pt.entry(table, i)
	pt.setEntry(table, i, e)
	return old.Present() && old != e, nil
}

// Unmap clears the user leaf entry of va and returns what it held; ok is
// false when there was no entry (or va is not a user page address). A TLB
// flush of va is needed if old.Present(). Tables are not freed here; see
// PruneEmptyTables. Mirrors ptep_get_and_clear().
func (pt *PageTable) Unmap(va uintptr) (old PTE, ok bool) {
	if checkUserPage(va) != nil {
		return 0, false
	}
	table, i, _ := pt.leaf(va, false, true)
	if table == 0 {
		return 0, false
	}
	old = pt.entry(table, i)
	if old == 0 {
		return 0, false
	}
	pt.setEntry(table, i, 0)
	return old, true
}

// Protect replaces the flags of the existing user leaf entry of va,
// keeping its page; flags are as for Map. It reports whether a TLB flush
// is needed. Errors: ErrBadAddr, ErrNotMapped. Mirrors the per-entry step
// of mm/mprotect.c:change_pte_range().
func (pt *PageTable) Protect(va uintptr, flags PTE) (flush bool, err error) {
	if err := checkUserPage(va); err != nil {
		return false, err
	}
	table, i, _ := pt.leaf(va, false, true)
	if table == 0 || pt.entry(table, i) == 0 {
		return false, ErrNotMapped
	}
	old := pt.entry(table, i)
	e := makeLeaf(old.Addr(), flags)
	pt.setEntry(table, i, e)
	return old.Present() && old != e, nil
}

// Lookup returns the user leaf entry of va (any address in the page); ok
// is false when there is none or va is not a user address. A non-present
// entry with PTE_PROTNONE counts as mapped. Mirrors follow_pte().
func (pt *PageTable) Lookup(va uintptr) (e PTE, ok bool) {
	e, _, ok = pt.lookup(va)
	return e, ok
}

// lookup is Lookup that also reports whether the leaf table is shared
// after fork (PTE_SHARED_TABLE), in which case the page is read-only
// whatever the leaf says.
func (pt *PageTable) lookup(va uintptr) (e PTE, shared, ok bool) {
	if !IsUserAddr(va) {
		return 0, false, false
	}
	table, pde, _ := pt.tableAt(va, levelPT, false)
	if table == 0 {
		return 0, false, false
	}
	e = pt.entry(table, index(va, levelPT))
	return e, pde&PTE_SHARED_TABLE != 0, e != 0
}
