package mm

import (
	"fmt"
	"strings"
	"testing"

	"tamix/abi"
)

// block is a 2 MiB-aligned user address whose leaf tables the tests of
// shared tables use: block+i*tableSpan starts the ith table.
const block = UserHighStart + 64*tableSpan

// fill writes a distinct string ("tag00042") at the start of each of the
// n pages at a, as a user write would.
func fill(t *testing.T, m *MM, a uintptr, n int, tag string) {
	t.Helper()
	for i := 0; i < n; i++ {
		write(t, m, a+uintptr(i)*PageSize, fmt.Sprintf("%s%05d", tag, i))
	}
}

// pageTag returns what fill wrote to page i.
func pageTag(tag string, i int) string { return fmt.Sprintf("%s%05d", tag, i) }

// checkFill checks that pages from to to-1 of the ones fill wrote at a
// still hold what it wrote.
func checkFill(t *testing.T, m *MM, a uintptr, from, to int, tag string) {
	t.Helper()
	for i := from; i < to; i++ {
		want := pageTag(tag, i)
		if got := read(t, m, a+uintptr(i)*PageSize, len(want)); got != want {
			t.Fatalf("page %d at %#x holds %q, want %q", i, a+uintptr(i)*PageSize, got, want)
		}
	}
}

// checkRSS checks that each MM's RSS is the number of its leaf entries.
func checkRSS(t *testing.T, ms ...*MM) {
	t.Helper()
	for _, m := range ms {
		n := 0
		m.pt.Range(0, TaskSize, func(uintptr, PTE) bool { n++; return true })
		if rss := m.Stats().RSSPages; rss != n {
			t.Fatalf("RSS %d, but the tables map %d pages", rss, n)
		}
	}
}

// pdEntry returns the page-directory entry that maps va.
func pdEntry(t *testing.T, m *MM, va uintptr) PTE {
	t.Helper()
	steps := m.pt.Walk(va)
	if len(steps) < 3 {
		t.Fatalf("no page directory for %#x", va)
	}
	return steps[2].Entry
}

// forkFilled returns an MM with n private read-write pages at block,
// filled with tag, and a fork of it.
func forkFilled(t *testing.T, e *env, n int, tag string) (parent, child *MM) {
	t.Helper()
	parent = e.newMM()
	mustMmap(t, parent, block, uintptr(n)*PageSize, protRW, private|abi.MAP_FIXED)
	fill(t, parent, block, n, tag)
	child, err := parent.Dup()
	if err != nil {
		t.Fatal(err)
	}
	return parent, child
}

func TestForkSharesLeafTables(t *testing.T) {
	e := newEnv(t)
	p := e.newMM()
	const n = 4 * entriesPerTable
	a := mustMmap(t, p, block, n*PageSize, protRW, private|abi.MAP_FIXED)
	fill(t, p, a, n, "p")
	free := e.buddy.FreePageCount()
	e.tlb.flushes()
	c, err := p.Dup()
	if err != nil {
		t.Fatal(err)
	}
	// Fork made the child's PML4, PDPT0, PD0 and the page directory of
	// the block's GiB: no leaf table, no page.
	if used := free - e.buddy.FreePageCount(); used != 4 {
		t.Fatalf("fork used %d pages, want 4", used)
	}
	if e.tlb.all != 1 || len(e.tlb.pages) != 0 {
		t.Fatalf("fork flushed %d pages and %d times all, want one full flush", len(e.tlb.pages), e.tlb.all)
	}
	if p.pt.sharedTables() != 4 || c.pt.sharedTables() != 4 {
		t.Fatalf("shared tables: parent %d, child %d, want 4", p.pt.sharedTables(), c.pt.sharedTables())
	}
	for i := uintptr(0); i < 4; i++ {
		va := a + i*tableSpan
		pd, cd := pdEntry(t, p, va), pdEntry(t, c, va)
		if pd != cd || pd&PTE_RW != 0 || pd&PTE_SHARED_TABLE == 0 || e.buddy.PageCount(pd.Addr()) != 2 {
			t.Fatalf("table %d: parent %v, child %v, refcount %d", i, pd, cd, e.buddy.PageCount(pd.Addr()))
		}
		if s := p.pt.Walk(va)[2].String(); !strings.Contains(s, " SHARED_TABLE") {
			t.Fatalf("Walk does not show the shared table: %s", s)
		}
		if l := pte(t, p, va); !l.Writable() || l&PTE_COW != 0 || e.buddy.PageCount(l.Addr()) != 1 {
			t.Fatalf("table %d: fork touched the leaf %v", i, l)
		}
	}
	if s := c.Stats(); s.RSSPages != n || s.TablePages != 4+4 {
		t.Fatalf("child stats %+v", s)
	}
	checkRSS(t, p, c)
	// Reads need no table of their own.
	checkFill(t, c, a, 0, n, "p")
	if c.pt.sharedTables() != 4 {
		t.Fatal("a read unshared a table")
	}

	// The child writes a page of the second table: that table, and only
	// in the child, becomes the child's own copy, whose pages are COW.
	w := a + tableSpan + 7*PageSize
	write(t, c, w, "child")
	if p.pt.sharedTables() != 4 || c.pt.sharedTables() != 3 {
		t.Fatalf("after the child's write: parent %d, child %d shared tables", p.pt.sharedTables(), c.pt.sharedTables())
	}
	pd, cd := pdEntry(t, p, w), pdEntry(t, c, w)
	if cd.Addr() == pd.Addr() || cd&PTE_SHARED_TABLE != 0 || cd&PTE_RW == 0 || e.buddy.PageCount(pd.Addr()) != 1 {
		t.Fatalf("unshared: parent %v (refcount %d), child %v", pd, e.buddy.PageCount(pd.Addr()), cd)
	}
	if l := pte(t, c, a+tableSpan); l&PTE_RW != 0 || l&PTE_COW == 0 || e.buddy.PageCount(l.Addr()) != 2 {
		t.Fatalf("child's copy: %v, refcount %d", l, e.buddy.PageCount(l.Addr()))
	}
	if read(t, c, w, 5) != "child" || read(t, p, w, 6) != pageTag("p", 519) {
		t.Fatal("the child's write is not private")
	}

	// The parent, now the table's only holder, takes it back: the pages
	// the child still maps become COW, the one it copied stays writable.
	write(t, p, a+tableSpan, "parent")
	if p.pt.sharedTables() != 3 || pte(t, p, a+tableSpan).Addr() == pte(t, c, a+tableSpan).Addr() {
		t.Fatal("parent's write did not copy")
	}
	if l := pte(t, p, w); !l.Writable() || l&PTE_COW != 0 {
		t.Fatalf("page only the parent maps: %v", l)
	}
	if l := pte(t, p, w+PageSize); l&PTE_RW != 0 || l&PTE_COW == 0 {
		t.Fatalf("page both map: %v", l)
	}
	if read(t, c, a+tableSpan, 6) != pageTag("p", 512) || read(t, p, a+tableSpan, 6) != "parent" {
		t.Fatal("the parent's write is not private")
	}
	checkRSS(t, p, c)
	c.Release()
	write(t, p, w, "again")
	checkFill(t, p, a, 0, entriesPerTable, "p")
	checkFill(t, p, a, 2*entriesPerTable, n, "p")
	p.Release()
	e.checkLeaks()
}

// permutations returns every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int(nil), p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// TestForkOfForkExitOrders shares one table between three MMs (a fork of
// a fork), lets none or one of them write, and releases them in every
// order: each keeps its view until it goes, and nothing leaks.
func TestForkOfForkExitOrders(t *testing.T) {
	for _, order := range permutations(3) {
		for writer := -1; writer < 3; writer++ {
			e := newEnv(t)
			p, c := forkFilled(t, e, entriesPerTable, "x")
			g, err := c.Dup()
			if err != nil {
				t.Fatal(err)
			}
			ms := []*MM{p, c, g}
			if n := e.buddy.PageCount(pdEntry(t, p, block).Addr()); n != 3 {
				t.Fatalf("table refcount %d, want 3", n)
			}
			if writer >= 0 {
				write(t, ms[writer], block+PageSize, "w")
			}
			released := make([]bool, 3)
			for _, victim := range order {
				for i, m := range ms {
					if released[i] {
						continue
					}
					want := pageTag("x", 1)
					if i == writer {
						want = "w" + want[1:]
					}
					if got := read(t, m, block+PageSize, len(want)); got != want {
						t.Fatalf("order %v, writer %d: MM %d reads %q, want %q", order, writer, i, got, want)
					}
					checkFill(t, m, block, 2, entriesPerTable, "x")
				}
				checkRSS(t, ms[victim])
				ms[victim].Release()
				released[victim] = true
			}
			e.checkLeaks()
		}
	}
}

func TestForkSharedTableMunmapMprotect(t *testing.T) {
	e := newEnv(t)
	const n = 2 * entriesPerTable
	p, c := forkFilled(t, e, n, "p")

	// munmap of one page in the child unshares the child's first table.
	if err := c.Munmap(block+5*PageSize, PageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyFromUser(make([]byte, 1), block+5*PageSize); err != abi.EFAULT {
		t.Fatalf("read of the unmapped page: %v", err)
	}
	if read(t, p, block+5*PageSize, 6) != pageTag("p", 5) || c.pt.sharedTables() != 1 {
		t.Fatal("child's munmap reached the parent")
	}

	// munmap of the parent's whole second table just drops its reference:
	// no page is freed, the child keeps them all.
	free := e.buddy.FreePageCount()
	e.tlb.flushes()
	if err := p.Munmap(block+tableSpan, tableSpan); err != nil {
		t.Fatal(err)
	}
	if e.buddy.FreePageCount() != free || e.tlb.all != 1 {
		t.Fatalf("munmap of a shared table freed %d pages, flushed all %d times", e.buddy.FreePageCount()-free, e.tlb.all)
	}
	if p.Stats().RSSPages != entriesPerTable {
		t.Fatalf("parent's RSS %d", p.Stats().RSSPages)
	}
	checkRSS(t, p, c)
	checkFill(t, c, block, entriesPerTable, n, "p")

	// mprotect in the child of part of that table, now the child's alone.
	if err := c.Mprotect(block+tableSpan, 4*PageSize, abi.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if c.pt.sharedTables() != 0 {
		t.Fatal("mprotect did not unshare")
	}
	wantFault(t, c.HandleFault(block+tableSpan, true, false, true), abi.SEGV_ACCERR)
	write(t, c, block+tableSpan+4*PageSize, "rw")

	// mprotect in the parent of its first table, now the parent's alone.
	if err := p.Mprotect(block, PageSize, abi.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CopyToUser(block, []byte("x")); err != abi.EFAULT {
		t.Fatalf("write to a read-only page: %v", err)
	}
	if err := p.Mprotect(block, PageSize, protRW); err != nil {
		t.Fatal(err)
	}
	write(t, p, block, "P")
	if read(t, c, block, 6) != pageTag("p", 0) {
		t.Fatal("parent's write after mprotect reached the child")
	}
	checkRSS(t, p, c)
	p.Release()
	c.Release()
	e.checkLeaks()
}

// TestForkSharedStack shares the table of the stack, the last of the user
// address space (whose top page is not user space), and removes it by
// munmap and by exit.
func TestForkSharedStack(t *testing.T) {
	for _, parentFirst := range []bool{true, false} {
		e := newEnv(t)
		m := e.newMM()
		if _, err := m.SetupStack(StackLimit); err != nil {
			t.Fatal(err)
		}
		const n = 100
		bottom := StackTop - n*PageSize
		fill(t, m, bottom, n, "s")
		c, err := m.Dup()
		if err != nil {
			t.Fatal(err)
		}
		if m.pt.sharedTables() != 1 || c.pt.sharedTables() != 1 {
			t.Fatal("stack table not shared")
		}
		g, _ := c.Dup()
		// The child drops the stack's last table with munmap.
		last := (StackTop - 1) &^ (tableSpan - 1)
		if err := c.Munmap(last, TaskSize-last); err != nil {
			t.Fatal(err)
		}
		if c.Stats().RSSPages != 0 || c.pt.sharedTables() != 0 {
			t.Fatalf("child after munmap: %+v", c.Stats())
		}
		checkFill(t, g, bottom, 0, n, "s")
		write(t, g, StackTop-8, "grand")
		first, second := m, g
		if !parentFirst {
			first, second = g, m
		}
		checkRSS(t, first, second)
		first.Release()
		checkFill(t, second, bottom, 0, n-1, "s")
		second.Release()
		c.Release()
		e.checkLeaks()
	}
}

func TestForkSharedTableDemandZero(t *testing.T) {
	e := newEnv(t)
	p, c := forkFilled(t, e, entriesPerTable/2, "p")
	// A range mapped but never touched, inside the shared table.
	mustMmap(t, p, block+tableSpan/2, tableSpan/2, protRW, private|abi.MAP_FIXED)
	mustMmap(t, c, block+tableSpan/2, tableSpan/2, protRW, private|abi.MAP_FIXED)
	hole := block + 300*PageSize
	wantFault(t, c.HandleFault(hole, false, false, true), 0)
	if c.pt.sharedTables() != 0 || p.pt.sharedTables() != 1 {
		t.Fatal("demand-zero fault did not unshare")
	}
	if _, ok := p.pt.Lookup(hole); ok {
		t.Fatal("the child's new page appeared in the parent")
	}
	write(t, c, hole, "c")
	if read(t, p, hole, 1) != "\x00" || read(t, c, hole, 1) != "c" {
		t.Fatal("demand-zero pages are not private")
	}
	checkRSS(t, p, c)
	if p.Stats().RSSPages != entriesPerTable/2+1 || c.Stats().RSSPages != entriesPerTable/2+1 {
		t.Fatalf("RSS: parent %d, child %d", p.Stats().RSSPages, c.Stats().RSSPages)
	}
	c.Release()
	p.Release()
	e.checkLeaks()
}

func TestForkSharedTableUserCopies(t *testing.T) {
	e := newEnv(t)
	p, c := forkFilled(t, e, entriesPerTable, "p")
	// Reads go through the shared table.
	if s, err := c.StrncpyFromUser(block, 16); err != nil || s != pageTag("p", 0) {
		t.Fatal(s, err)
	}
	if c.pt.sharedTables() != 1 {
		t.Fatal("a read unshared")
	}
	// A kernel write breaks the sharing as a user write would.
	write(t, p, block+PageSize-2, "across")
	if _, err := c.ClearUser(block+2*PageSize, 3); err != nil {
		t.Fatal(err)
	}
	if p.pt.sharedTables() != 0 || c.pt.sharedTables() != 0 {
		t.Fatal("kernel writes did not unshare")
	}
	if read(t, c, block+PageSize-2, 8) != "\x00\x00p00001" || read(t, p, block+2*PageSize, 3) != "p00" {
		t.Fatal("kernel writes are not private")
	}
	if read(t, p, block+PageSize, 4) != "ross" || read(t, c, block+2*PageSize, 4) != "\x00\x00\x000" {
		t.Fatal("kernel writes went missing")
	}
	c.Release()
	p.Release()
	e.checkLeaks()
}

// TestForkMixedAndUnalignedTables: areas that are not 2 MiB aligned share
// their tables if those map enough pages; a table that also maps a shared
// area, or maps few pages, is copied entry by entry; shared areas stay
// shared.
func TestForkMixedAndUnalignedTables(t *testing.T) {
	e := newEnv(t)
	p := e.newMM()
	a := block + 3*PageSize
	const n = 2*entriesPerTable + 100 - 3 // three tables: 509, 512 and 100 pages
	mustMmap(t, p, a, n*PageSize, protRW, private|abi.MAP_FIXED)
	fill(t, p, a, n, "p")
	s := block + 2*tableSpan + 200*PageSize // in the third table
	mustMmap(t, p, s, 50*PageSize, protRW, shared|abi.MAP_FIXED)
	write(t, p, s, "shared")
	small := block + 8*tableSpan // a table of 10 pages
	mustMmap(t, p, small, 10*PageSize, protRW, private|abi.MAP_FIXED)
	fill(t, p, small, 10, "q")
	c, err := p.Dup()
	if err != nil {
		t.Fatal(err)
	}
	if p.pt.sharedTables() != 2 || c.pt.sharedTables() != 2 {
		t.Fatalf("shared tables: parent %d, child %d, want 2", p.pt.sharedTables(), c.pt.sharedTables())
	}
	for _, va := range []uintptr{block + 2*tableSpan, small} {
		if pd := pdEntry(t, c, va); pd&PTE_SHARED_TABLE != 0 {
			t.Fatalf("table at %#x shared: %v", va, pd)
		}
		if l := pte(t, c, va); l&PTE_COW == 0 || l&PTE_RW != 0 {
			t.Fatalf("copied private entry %v", l)
		}
	}
	if l := pte(t, c, s); !l.Writable() || l.Addr() != pte(t, p, s).Addr() {
		t.Fatalf("shared entry %v", l)
	}
	write(t, c, s, "SHARED")
	write(t, c, s+PageSize, "late")
	if read(t, p, s, 6) != "SHARED" || read(t, p, s+PageSize, 4) != "late" {
		t.Fatal("shared area not shared after fork")
	}
	// A shared area placed later in the hole at the start of the first
	// (shared) table: its fault unshares the table, and its page is shared
	// with a later fork.
	mustMmap(t, p, block, 3*PageSize, protRW, shared|abi.MAP_FIXED)
	write(t, p, block, "hole")
	if p.pt.sharedTables() != 1 || pte(t, p, block+3*PageSize)&PTE_COW == 0 {
		t.Fatal("fault in the hole did not unshare")
	}
	g, err := p.Dup()
	if err != nil {
		t.Fatal(err)
	}
	write(t, g, block, "HOLE")
	if read(t, p, block, 4) != "HOLE" {
		t.Fatal("shared page in a private table is not shared")
	}
	write(t, g, a, "g")
	write(t, c, a+PageSize, "c")
	for i, m := range []*MM{p, c, g} {
		want := []string{"p00000", "p00000", "g00000"}[i]
		if got := read(t, m, a, 6); got != want {
			t.Fatalf("MM %d reads %q, want %q", i, got, want)
		}
		checkFill(t, m, a, 2, n, "p")
	}
	checkRSS(t, p, c, g)
	p.Release()
	g.Release()
	c.Release()
	e.checkLeaks()
}
