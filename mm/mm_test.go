package mm

import (
	"strings"
	"testing"

	"tamix/abi"
)

const (
	protRW  = abi.PROT_READ | abi.PROT_WRITE
	private = abi.MAP_PRIVATE
	shared  = abi.MAP_SHARED
)

func TestMMLifecycle(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	if s := m.Stats(); s != (Stats{TablePages: 3}) {
		t.Fatalf("new MM stats %+v", s)
	}
	if m.Root() != m.PageTable().Root() || m.Root() == 0 {
		t.Fatal("Root")
	}
	a := mustMmap(t, m, 0, 3*PageSize, protRW, private)
	write(t, m, a, "hello")
	write(t, m, a+2*PageSize, "world")
	if s := m.Stats(); s.RSSPages != 2 || s.VMAs != 1 || s.TablePages != 6 {
		t.Fatalf("stats %+v", s)
	}
	m.Get()
	m.Put()
	if m.Stats().VMAs != 1 {
		t.Fatal("Put of a shared MM released it")
	}
	m.Put()
	if s := m.Stats(); s != (Stats{}) {
		t.Fatalf("released MM stats %+v", s)
	}
	e.checkLeaks()
	mustPanic(t, "released MM", m.Release)

	// Without a TLB nothing is flushed; SetTLB installs one.
	m, _ = NewMM(e.tmpl, e.alloc, nil)
	a = mustMmap(t, m, 0, PageSize, protRW, private|abi.MAP_POPULATE)
	m.Munmap(a, PageSize)
	m.SetTLB(e.tlb)
	a = mustMmap(t, m, 0, PageSize, protRW, private|abi.MAP_POPULATE)
	e.tlb.flushes()
	m.Munmap(a, PageSize)
	if e.tlb.flushes() != 1 {
		t.Fatal("SetTLB: no flush")
	}
	m.SetTLB(nil)
	m.Release()
	e.checkLeaks()

	e.alloc.budget = 0
	if _, err := NewMM(e.tmpl, e.alloc, e.tlb); err != abi.ENOMEM {
		t.Fatalf("NewMM without memory: %v", err)
	}
}

func TestForkCOW(t *testing.T) {
	e := newEnv(t)
	parent := e.newMM()
	a := mustMmap(t, parent, 0, 4*PageSize, protRW, private)
	for i := uintptr(0); i < 4; i++ {
		write(t, parent, a+i*PageSize, "parent")
	}
	e.tlb.flushes()
	child, err := parent.Dup()
	if err != nil {
		t.Fatal(err)
	}
	child.SetTLB(e.tlb) // as proc gives the child its own
	if e.tlb.all != 1 || len(e.tlb.pages) != 0 {
		t.Fatalf("fork flushed %d pages and %d times all, want one full flush", len(e.tlb.pages), e.tlb.all)
	}
	e.tlb.flushes()
	page0 := pte(t, parent, a).Addr()
	for _, m := range []*MM{parent, child} {
		p := pte(t, m, a)
		if p.Addr() != page0 || p&PTE_RW != 0 || p&PTE_COW == 0 {
			t.Fatalf("after fork: %v", p)
		}
	}
	if e.buddy.PageCount(page0) != 2 || child.Stats().RSSPages != 4 {
		t.Fatalf("refcount %d rss %d", e.buddy.PageCount(page0), child.Stats().RSSPages)
	}

	// The child writes first: it gets a copy, the parent keeps the page.
	write(t, child, a+1, "C")
	c0 := pte(t, child, a)
	if c0.Addr() == page0 || !c0.Writable() || c0&PTE_COW != 0 {
		t.Fatalf("child after write: %v", c0)
	}
	if read(t, child, a, 6) != "pCrent" || read(t, parent, a, 6) != "parent" {
		t.Fatal("COW copy has the wrong contents")
	}
	if e.buddy.PageCount(page0) != 1 {
		t.Fatalf("old page refcount %d, want 1", e.buddy.PageCount(page0))
	}
	// The parent, now the only holder, reuses its page.
	write(t, parent, a, "P")
	if p := pte(t, parent, a); p.Addr() != page0 || !p.Writable() || p&PTE_COW != 0 {
		t.Fatalf("parent after write: %v", p)
	}
	// The other way round on page 1: parent copies, child reuses.
	page1 := pte(t, parent, a+PageSize).Addr()
	write(t, parent, a+PageSize, "X")
	write(t, child, a+PageSize, "Y")
	if pte(t, parent, a+PageSize).Addr() == page1 || pte(t, child, a+PageSize).Addr() != page1 {
		t.Fatal("page 1: wrong side copied")
	}
	if read(t, parent, a+PageSize, 6) != "Xarent" || read(t, child, a+PageSize, 6) != "Yarent" {
		t.Fatal("page 1 contents")
	}
	if e.tlb.flushes() != 4 {
		t.Fatal("each COW resolution flushes its page")
	}
	child.Release()
	if read(t, parent, a+3*PageSize, 6) != "parent" {
		t.Fatal("parent lost a page when the child exited")
	}
	parent.Release()
	e.checkLeaks()
}

func TestForkSharedAnonymous(t *testing.T) {
	e := newEnv(t)
	parent := e.newMM()
	a := mustMmap(t, parent, 0, 3*PageSize, protRW, shared)
	write(t, parent, a, "before")
	child, err := parent.Dup()
	if err != nil {
		t.Fatal(err)
	}
	if p := pte(t, child, a); !p.Writable() || p&PTE_COW != 0 {
		t.Fatalf("shared page after fork: %v", p)
	}
	write(t, child, a, "child!")
	if read(t, parent, a, 6) != "child!" {
		t.Fatal("parent does not see the child's write")
	}
	// A page first touched after fork is still shared.
	write(t, child, a+2*PageSize, "late")
	if read(t, parent, a+2*PageSize, 4) != "late" {
		t.Fatal("page faulted in after fork is not shared")
	}
	// munmap in the child leaves the parent's view alone.
	if err := child.Munmap(a, 3*PageSize); err != nil {
		t.Fatal(err)
	}
	if read(t, parent, a, 6) != "child!" {
		t.Fatal("parent lost the shared page")
	}
	child.Release()
	parent.Release()
	e.checkLeaks()
}

func TestForkReadOnlyPrivateThenMprotect(t *testing.T) {
	e := newEnv(t)
	parent := e.newMM()
	a := mustMmap(t, parent, 0, PageSize, abi.PROT_READ, private)
	read(t, parent, a, 1) // demand-zero page, read-only
	child, _ := parent.Dup()
	if err := parent.Mprotect(a, PageSize, protRW); err != nil {
		t.Fatal(err)
	}
	if p := pte(t, parent, a); p&PTE_RW != 0 || p&PTE_COW == 0 {
		t.Fatalf("mprotect made a shared COW page writable: %v", p)
	}
	write(t, parent, a, "mine")
	if read(t, child, a, 4) != "\x00\x00\x00\x00" {
		t.Fatal("write leaked into the child")
	}
	child.Release()
	parent.Release()
	e.checkLeaks()
}

func TestDupENOMEM(t *testing.T) {
	e := newEnv(t)
	parent := e.newMM()
	a := mustMmap(t, parent, 0, 8*PageSize, protRW, private)
	b := mustMmap(t, parent, UserLowStart, 2*PageSize, protRW, shared|abi.MAP_FIXED)
	for i := uintptr(0); i < 8; i++ {
		write(t, parent, a+i*PageSize, "data")
	}
	write(t, parent, b, "shm")
	base := e.buddy.FreePageCount()
	for budget := 0; ; budget++ {
		e.alloc.budget = budget
		child, err := parent.Dup()
		e.alloc.budget = -1
		if err == nil {
			child.Release()
			break
		}
		if err != abi.ENOMEM {
			t.Fatalf("budget %d: %v", budget, err)
		}
		if e.buddy.FreePageCount() != base {
			t.Fatalf("budget %d: failed Dup leaked %d pages", budget, base-e.buddy.FreePageCount())
		}
		for i := uintptr(0); i < 8; i++ {
			write(t, parent, a+i*PageSize, "more")
		}
		if budget > 20 {
			t.Fatal("Dup never succeeds")
		}
	}
	parent.Release()
	e.checkLeaks()
}

// TestCreateForkExitCycles is the leak check: many processes, each mapping,
// faulting, forking, writing and exiting, leave the allocator as it was.
func TestCreateForkExitCycles(t *testing.T) {
	e := newEnv(t)
	for round := 0; round < 20; round++ {
		m := e.newMM()
		m.SetupBrk(0x600000)
		if _, err := m.SetupStack(0); err != nil {
			t.Fatal(err)
		}
		write(t, m, StackTop-8, "argv")
		m.Brk(0x600000 + uintptr(round+1)*PageSize)
		write(t, m, 0x600000, "heap")
		a := mustMmap(t, m, 0, 16*PageSize, protRW, private)
		s := mustMmap(t, m, 0, 2*PageSize, protRW, shared)
		for i := uintptr(0); i < 16; i += 3 {
			write(t, m, a+i*PageSize, "x")
		}
		write(t, m, s, "s")
		c, err := m.Dup()
		if err != nil {
			t.Fatal(err)
		}
		write(t, c, a, "y")
		write(t, c, StackTop-16, "child stack")
		g, _ := c.Dup()
		write(t, g, a+3*PageSize, "z")
		m.Munmap(a+PageSize, 4*PageSize)
		m.Release()
		g.Release()
		c.Release()
		e.checkLeaks()
	}
}

func TestMaps(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	mustMmap(t, m, 0x400000, PageSize, abi.PROT_READ|abi.PROT_EXEC, private|abi.MAP_FIXED)
	m.SetupBrk(0x401000)
	m.Brk(0x403000)
	m.SetupStack(0)
	mustMmap(t, m, 0, PageSize, abi.PROT_READ, shared)
	want := []string{
		"00400000-00401000 r-xp 00000000 00:00 0",
		"00401000-00403000 rw-p 00000000 00:00 0                                  [heap]",
		"7ffff7ffe000-7ffff7fff000 r--s 00000000 00:00 0",
		"7ffffffdf000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]",
	}
	got := strings.Split(strings.TrimSuffix(m.Maps(), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Maps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	m.Release()
	e.checkLeaks()
}

// TestHugeCounts maps, touches, forks and frees thousands of pages, and
// fills memory until allocation fails.
func TestHugeCounts(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	const n = 4096 // 16 MiB
	a := mustMmap(t, m, 0, n*PageSize, protRW, private|abi.MAP_POPULATE)
	if m.Stats().RSSPages != n {
		t.Fatalf("MAP_POPULATE mapped %d pages", m.Stats().RSSPages)
	}
	c, _ := m.Dup()
	for i := uintptr(0); i < n; i += 2 {
		write(t, c, a+i*PageSize, "c")
	}
	c.Release()
	m.Release()
	e.checkLeaks()

	// Fill all of memory with one mapping: the fault that finds no page
	// says ENOMEM, and releasing gives everything back. (MAP_NORESERVE:
	// the mapping may be larger than RAM.)
	m = e.newMM()
	big := uintptr(e.buddy.FreePageCount()+16) * PageSize
	a = mustMmap(t, m, 0, big, protRW, private|abi.MAP_NORESERVE)
	var err error
	var va uintptr
	for va = a; va < a+big; va += PageSize {
		if err = m.HandleFault(va, true, false, true); err != nil {
			break
		}
	}
	if err != abi.ENOMEM || e.buddy.FreePageCount() > 1 {
		t.Fatalf("filling memory: %v at page %d, %d free", err, (va-a)/PageSize, e.buddy.FreePageCount())
	}
	if _, err := m.CopyToUser(va, []byte("x")); err != abi.EFAULT {
		t.Fatalf("copy into memory that cannot be allocated: %v", err)
	}
	m.Release()
	e.checkLeaks()
}

// unloadTLB is a TLB that records Unload calls.
type unloadTLB struct {
	recTLB
	unloads int
}

func (u *unloadTLB) Unload() { u.unloads++ }

// TestReleaseUnloads checks that Release unloads the MM through its
// TLB before it frees the tables, and that a child of Dup does not
// inherit its parent's TLB (a failed fork must not unload the parent).
func TestReleaseUnloads(t *testing.T) {
	e := newEnv(t)
	u := &unloadTLB{}
	m, err := NewMM(e.tmpl, e.alloc, u)
	if err != nil {
		t.Fatal(err)
	}
	mustMmap(t, m, 0, PageSize, protRW, private|abi.MAP_POPULATE)
	child, err := m.Dup()
	if err != nil {
		t.Fatal(err)
	}
	child.Put()
	if u.unloads != 0 {
		t.Fatal("releasing a forked child unloaded its parent")
	}
	m.Get()
	m.Put()
	if u.unloads != 0 {
		t.Fatal("a Put that was not the last unloaded the MM")
	}
	m.Put()
	if u.unloads != 1 {
		t.Fatalf("the last Put unloaded %d times, want 1", u.unloads)
	}
	e.checkLeaks()
}
