package mm

import (
	"strings"
	"testing"

	"tamix/abi"
)

func TestDemandZero(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private)
	// Dirty a page, free it, and check that the fault hands out zeroes.
	pa := e.page()
	for i := range e.mem.Frame(pa) {
		e.mem.Frame(pa)[i] = 0xaa
	}
	e.buddy.PutPage(pa)
	wantFault(t, m.HandleFault(a+100, false, false, true), 0)
	p := pte(t, m, a)
	if p.Flags() != PTE_P|PTE_RW|PTE_US|PTE_NX {
		t.Fatalf("demand-zero entry %v", p)
	}
	for _, b := range e.mem.Frame(p.Addr()) {
		if b != 0 {
			t.Fatal("demand-zero page is not zeroed")
		}
	}
	if m.Stats().RSSPages != 1 || e.tlb.flushes() != 0 {
		t.Fatal("rss or a needless flush")
	}
	// A second fault on the same page is spurious: flush, nothing else.
	wantFault(t, m.HandleFault(a, true, false, true), 0)
	if pte(t, m, a) != p || e.tlb.flushes() != 1 || m.Stats().RSSPages != 1 {
		t.Fatal("spurious fault changed the entry")
	}
	// Executable areas get entries without NX.
	x := mustMmap(t, m, 0, PageSize, abi.PROT_READ|abi.PROT_EXEC, private)
	wantFault(t, m.HandleFault(x, false, true, true), 0)
	if p := pte(t, m, x); p&(PTE_NX|PTE_RW) != 0 || !p.Present() {
		t.Fatalf("exec entry %v", p)
	}
	m.Release()
	e.checkLeaks()
}

func TestFaultSignals(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	ro := mustMmap(t, m, 0, PageSize, abi.PROT_READ, private)
	none := mustMmap(t, m, 0, PageSize, abi.PROT_NONE, private)
	wo := mustMmap(t, m, 0, PageSize, abi.PROT_WRITE, private)
	x := mustMmap(t, m, 0, PageSize, abi.PROT_EXEC, private)
	for _, c := range []struct {
		name        string
		addr        uintptr
		write, exec bool
		code        int
	}{
		{"NULL", 0, false, false, abi.SEGV_MAPERR},
		{"kernel low", 0x1000, true, false, abi.SEGV_MAPERR},
		{"kernel hole", 0x20000000, false, false, abi.SEGV_MAPERR},
		{"non-canonical", 0x0000800000000000, false, false, abi.SEGV_MAPERR},
		{"kernel half", 0xffffffff80000000, false, true, abi.SEGV_MAPERR},
		{"beyond TaskSize", TaskSize, false, false, abi.SEGV_MAPERR},
		{"unmapped user", UserHighStart, false, false, abi.SEGV_MAPERR},
		{"just past a mapping", ro + PageSize, false, false, abi.SEGV_MAPERR},
		{"write to read-only", ro, true, false, abi.SEGV_ACCERR},
		{"exec of read-only", ro, false, true, abi.SEGV_ACCERR},
		{"read of PROT_NONE", none, false, false, abi.SEGV_ACCERR},
		{"read of write-only", wo, false, false, 0},
		{"read of exec-only", x, false, false, 0},
		{"read of read-only", ro + 8, false, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) { wantFault(t, m.HandleFault(c.addr, c.write, c.exec, true), c.code) })
	}
	err := m.HandleFault(ro, true, false, true)
	if s := err.Error(); !strings.Contains(s, "SIGSEGV (SEGV_ACCERR) at 0x") {
		t.Errorf("message %q", s)
	}
	if s := segv(0, abi.SEGV_MAPERR).Error(); s != "SIGSEGV (SEGV_MAPERR) at 0x0" {
		t.Errorf("message %q", s)
	}
	m.Release()
	e.checkLeaks()
}

func TestFaultENOMEM(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, PageSize, protRW, private)
	s := mustMmap(t, m, 0, PageSize, protRW, shared)
	for budget := 0; budget < 3; budget++ { // page, PD, PT
		e.alloc.budget = budget
		if err := m.HandleFault(a, true, false, true); err != abi.ENOMEM {
			t.Fatalf("budget %d: %v", budget, err)
		}
		if err := m.HandleFault(s, true, false, true); err != abi.ENOMEM {
			t.Fatalf("shared, budget %d: %v", budget, err)
		}
	}
	e.alloc.budget = -1
	write(t, m, a, "ok")
	write(t, m, s, "ok")
	c, _ := m.Dup()
	e.alloc.budget = 0
	if err := m.HandleFault(a, true, false, true); err != abi.ENOMEM {
		t.Fatalf("COW copy without memory: %v", err)
	}
	e.alloc.budget = -1
	c.Release()
	m.Release()
	e.checkLeaks()
}

func TestStackGrowth(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	top, err := m.SetupStack(0)
	if err != nil || top != StackTop {
		t.Fatal(top, err)
	}
	bottom := StackTop - StackInitial
	// A fault just below the stack grows it by one page.
	wantFault(t, m.HandleFault(bottom-8, true, false, true), 0)
	if v := m.vmas.Find(bottom - 8); v.Start != bottom-PageSize || v.End != StackTop {
		t.Fatalf("stack after growth: %v", v)
	}
	// Far below, but within the 8 MiB limit: grows too (Linux no longer
	// checks the distance to the stack pointer).
	wantFault(t, m.HandleFault(StackTop-StackLimit, true, false, true), 0)
	// One page more is past the limit.
	wantFault(t, m.HandleFault(StackTop-StackLimit-1, true, false, true), abi.SEGV_MAPERR)
	if m.vmas.Find(StackTop-1).Start != StackTop-StackLimit {
		t.Fatal("stack size is not the limit")
	}
	m.Release()
	e.checkLeaks()
}

func TestStackGuardGap(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	m.SetupStack(0)
	bottom := StackTop - StackInitial
	// A mapping 2 MiB below the stack: the stack may grow to 1 MiB above it.
	low := bottom - 2*mib
	mustMmap(t, m, low-PageSize, PageSize, protRW, private|abi.MAP_FIXED)
	wantFault(t, m.HandleFault(low+StackGuardGap, true, false, true), 0)
	wantFault(t, m.HandleFault(low+StackGuardGap-1, true, false, true), abi.SEGV_MAPERR)
	wantFault(t, m.HandleFault(low, true, false, true), abi.SEGV_MAPERR)
	// A PROT_NONE area below is a guard the program chose: no gap needed.
	m.Munmap(low-PageSize, PageSize)
	mustMmap(t, m, low-PageSize, PageSize, abi.PROT_NONE, private|abi.MAP_FIXED)
	wantFault(t, m.HandleFault(low, true, false, true), 0)
	// mmap placement keeps out of the gap below the stack, and MAP_FIXED
	// may still map there.
	m.Munmap(low-PageSize, PageSize)
	stackStart := m.vmas.Find(StackTop - 1).Start
	if a, _ := m.Mmap(stackStart-PageSize, PageSize, protRW, private|abi.MAP_ANONYMOUS, -1, 0); a > stackStart-StackGuardGap-PageSize {
		t.Fatalf("hint inside the guard gap taken: %#x", a)
	}
	m.Release()
	e.checkLeaks()
}

func TestGrowsDownOutsideStack(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	// A MAP_GROWSDOWN area at the bottom of the high window cannot grow
	// into the kernel's hole.
	g := mustMmap(t, m, UserHighStart, PageSize, protRW, private|abi.MAP_FIXED|abi.MAP_GROWSDOWN)
	wantFault(t, m.HandleFault(g-1, false, false, true), abi.SEGV_MAPERR)
	// One higher up grows, and a read-only one grows too but refuses the
	// write.
	g = mustMmap(t, m, UserHighStart+64*mib, PageSize, abi.PROT_READ, private|abi.MAP_FIXED|abi.MAP_GROWSDOWN)
	wantFault(t, m.HandleFault(g-1, true, false, true), abi.SEGV_ACCERR)
	if m.vmas.Find(g).Start != g-PageSize {
		t.Fatal("read-only growsdown area did not grow")
	}
	m.Release()
	e.checkLeaks()
}

func TestProtNoneKeepsPages(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private)
	write(t, m, a, "kept")
	if err := m.Mprotect(a, 2*PageSize, abi.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	p := pte(t, m, a)
	if p.Present() || p&PTE_PROTNONE == 0 || m.Stats().RSSPages != 1 {
		t.Fatalf("PROT_NONE entry %v", p)
	}
	wantFault(t, m.HandleFault(a, false, false, true), abi.SEGV_ACCERR)
	if _, err := m.CopyFromUser(make([]byte, 1), a); err != abi.EFAULT {
		t.Fatalf("copy from PROT_NONE: %v", err)
	}
	m.Mprotect(a, 2*PageSize, abi.PROT_READ)
	if read(t, m, a, 4) != "kept" || m.Stats().VMAs != 1 {
		t.Fatal("page lost across PROT_NONE")
	}
	// An entry that lags behind its area is brought in line by a fault.
	m.pt.Protect(a, PTE_PROTNONE)
	wantFault(t, m.HandleFault(a, false, false, true), 0)
	if p := pte(t, m, a); !p.Present() || p&PTE_RW != 0 {
		t.Fatalf("fixed-up entry %v", p)
	}
	m.Release()
	e.checkLeaks()
}
