package mm

import (
	"strings"
	"testing"

	"tamix/abi"
)

// Failures around shared leaf tables: no memory for a table copy or for
// fork, writes into a shared table, and an allocator without reference
// counts.

func TestForkSharedTableENOMEM(t *testing.T) {
	e := newEnv(t)
	p, c := forkFilled(t, e, 2*entriesPerTable, "p")
	free := e.buddy.FreePageCount()
	e.alloc.budget = 0
	// Unsharing a table others share needs a page for the copy.
	if err := c.HandleFault(block, true, false, true); err != abi.ENOMEM {
		t.Fatalf("write fault: %v", err)
	}
	if _, err := c.CopyToUser(block, []byte("x")); err != abi.EFAULT {
		t.Fatalf("CopyToUser: %v", err)
	}
	if err := c.Munmap(block+PageSize, PageSize); err != abi.ENOMEM {
		t.Fatalf("munmap of a page: %v", err)
	}
	if err := c.Mprotect(block, PageSize, abi.PROT_READ); err != abi.ENOMEM {
		t.Fatalf("mprotect: %v", err)
	}
	c.SetupBrk(block + tableSpan + PageSize)
	c.brk = block + 2*tableSpan
	if got := c.Brk(block + tableSpan + PageSize); got != block+2*tableSpan {
		t.Fatalf("brk shrink without memory: %#x", got)
	}
	// With memory for one copy, a munmap across two shared tables fails
	// at the second and unmaps nothing.
	e.alloc.budget = 1
	if err := c.Munmap(block+PageSize, tableSpan); err != abi.ENOMEM {
		t.Fatalf("munmap across tables: %v", err)
	}
	e.alloc.budget = 0
	// Dropping a whole table needs no memory.
	if err := c.Munmap(block+tableSpan, tableSpan); err != nil {
		t.Fatal(err)
	}
	e.alloc.budget = -1
	if e.buddy.FreePageCount() != free-1 {
		t.Fatalf("failed calls used %d pages, want the one copy", free-e.buddy.FreePageCount())
	}
	checkFill(t, c, block, 0, entriesPerTable, "p")
	checkFill(t, p, block, 0, 2*entriesPerTable, "p")
	checkRSS(t, p, c)
	c.Release()
	p.Release()
	e.checkLeaks()

	// Fork itself fails cleanly at every point.
	p = e.newMM()
	mustMmap(t, p, block, 3*tableSpan, protRW, private|abi.MAP_FIXED)
	fill(t, p, block, 3*entriesPerTable, "p")
	mustMmap(t, p, UserLowStart, 10*PageSize, protRW, private|abi.MAP_FIXED) // copied
	fill(t, p, UserLowStart, 10, "l")
	for budget := 0; ; budget++ {
		e.alloc.budget = budget
		c, err := p.Dup()
		e.alloc.budget = -1
		if err == nil {
			c.Release()
			break
		}
		if err != abi.ENOMEM || budget > 10 {
			t.Fatalf("budget %d: %v", budget, err)
		}
		checkFill(t, p, block, 0, 3*entriesPerTable, "p")
		write(t, p, block, "p") // takes back a table
	}
	p.Release()
	e.checkLeaks()
}

func TestSharedTableWritesPanic(t *testing.T) {
	e := newEnv(t)
	p, c := forkFilled(t, e, entriesPerTable, "p")
	pa := pte(t, p, block).Addr()
	mustPanic(t, "shared page table", func() { p.pt.Map(block, pa, PTE_RW) })
	mustPanic(t, "shared page table", func() { c.pt.Protect(block, 0) })
	mustPanic(t, "shared page table", func() { c.pt.Unmap(block) })
	mustPanic(t, "shared page table", func() { p.pt.Update(block, block+PageSize, func(_ uintptr, e PTE) PTE { return e }) })
	if s := pdEntry(t, p, block).String(); !strings.HasSuffix(s, " P US SHARED_TABLE") {
		t.Fatalf("PD entry %s", s)
	}
	c.Release()
	p.Release()
	e.checkLeaks()
}

// frameOnly hides the reference counts of an allocator.
type frameOnly struct{ FrameAllocator }

// TestForkWithoutTableRefcounts: page tables whose allocator keeps no
// reference counts are never shared; fork copies every entry.
func TestForkWithoutTableRefcounts(t *testing.T) {
	e := newEnv(t)
	tmpl, err := NewKernelTemplate(e.mem, frameOnly{e.alloc})
	if err != nil {
		t.Fatal(err)
	}
	base := e.buddy.FreePageCount()
	p, err := NewMM(tmpl, e.alloc, e.tlb)
	if err != nil {
		t.Fatal(err)
	}
	mustMmap(t, p, block, tableSpan, protRW, private|abi.MAP_FIXED)
	fill(t, p, block, entriesPerTable, "p")
	c, err := p.Dup()
	if err != nil {
		t.Fatal(err)
	}
	if p.pt.sharedTables() != 0 || pte(t, c, block)&PTE_COW == 0 {
		t.Fatal("table shared without reference counts")
	}
	c.Release()
	p.Release()
	if e.buddy.FreePageCount() != base {
		t.Fatal("leak")
	}
}
