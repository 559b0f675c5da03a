package mm

import (
	"testing"

	"tamix/abi"
)

// withResched sets Resched to fn for the test.
func withResched(t *testing.T, fn func()) {
	old := Resched
	Resched = fn
	t.Cleanup(func() { Resched = old })
}

func TestWorkEnd(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 16*tableSpan, protRW, private)
	a = (a + tableSpan - 1) &^ (tableSpan - 1)
	for _, i := range []uintptr{1, 4, 5, 9} { // leaf tables at blocks 1, 4, 5 and 9
		write(t, m, a+i*tableSpan+PageSize, "x")
	}
	for _, c := range []struct {
		start, end uintptr
		tables     int
		want       uintptr
	}{
		{a, a + 16*tableSpan, 2, a + 5*tableSpan},
		{a, a + 16*tableSpan, 1, a + 4*tableSpan},
		{a + 4*tableSpan + PageSize, a + 16*tableSpan, 1, a + 5*tableSpan}, // a table that began before start counts
		{a, a + 16*tableSpan, 4, a + 16*tableSpan},
		{a + 10*tableSpan, TaskSize, 1, TaskSize}, // nothing mapped: one chunk however large
	} {
		if got := m.pt.workEnd(c.start, c.end, c.tables); got != c.want {
			t.Errorf("workEnd(%#x, %#x, %d) = %#x, want %#x", c.start, c.end, c.tables, got, c.want)
		}
	}
	m.Release()
	e.checkLeaks()
}

// populated maps n leaf tables' worth of written private memory.
func populated(t *testing.T, m *MM, n int) uintptr {
	t.Helper()
	return mustMmap(t, m, 0, uintptr(n)*tableSpan, protRW, private|abi.MAP_POPULATE)
}

func TestLongWorkGivesWay(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	calls := 0
	withResched(t, func() { calls++ })
	const n = 4 * chunkTables // four chunks' worth
	a := populated(t, m, n)
	if calls < n {
		t.Errorf("populate of %d tables: %d Resched calls", n, calls)
	}
	calls = 0
	if err := m.Mprotect(a, n*tableSpan, abi.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if calls < 3 {
		t.Errorf("mprotect in 4 chunks: %d Resched calls, want 3", calls)
	}
	// The chunks' areas merged again; every entry is read-only.
	if s := m.Stats(); s.VMAs != 1 || s.RSSPages != n*512 {
		t.Errorf("after mprotect: %+v", s)
	}
	if pte(t, m, a+n*tableSpan-PageSize)&PTE_RW != 0 || pte(t, m, a)&PTE_RW != 0 {
		t.Error("mprotect left a writable entry")
	}
	calls = 0
	if err := m.Munmap(a, n*tableSpan); err != nil {
		t.Fatal(err)
	}
	if s := m.Stats(); calls < 3 || s.VMAs != 0 || s.RSSPages != 0 {
		t.Errorf("munmap in 4 chunks: %d Resched calls, %+v", calls, s)
	}
	populated(t, m, n)
	calls = 0
	m.PutResched()
	if calls < 3 {
		t.Errorf("teardown in 4 chunks: %d Resched calls", calls)
	}
	e.checkLeaks()
}

// Between two chunks the lock is free: another thread may unmap part of
// the range, and mprotect stops there with ENOMEM, as at any hole.
func TestMprotectSeesConcurrentMunmap(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	const n = 4 * chunkTables
	a := populated(t, m, n)
	hole := a + 3*chunkTables*tableSpan
	withResched(t, func() {
		if err := m.Munmap(hole, PageSize); err != nil {
			t.Errorf("munmap from Resched: %v", err)
		}
	})
	if err := m.Mprotect(a, n*tableSpan, abi.PROT_READ); err != abi.ENOMEM {
		t.Errorf("mprotect over a hole made meanwhile: %v, want ENOMEM", err)
	}
	if pte(t, m, a)&PTE_RW != 0 {
		t.Error("the first chunk was not changed")
	}
	if pte(t, m, hole+PageSize)&PTE_RW == 0 {
		t.Error("the chunk after the hole was changed")
	}
	m.Release()
	e.checkLeaks()
}

// The area-count check is made once for the whole munmap range: a range
// that starts inside an area and ends past it trims it, even at the
// limit, although its first chunk alone would punch a hole.
func TestMunmapChunksAtAreaLimit(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	withResched(t, func() {})
	const n = 4 * chunkTables
	a := populated(t, m, n)
	m.maxMapCount = 1
	if err := m.Munmap(a+PageSize, n*tableSpan); err != nil {
		t.Fatalf("trim at the limit: %v", err)
	}
	if s := m.Stats(); s.VMAs != 1 || s.RSSPages != 1 {
		t.Errorf("after trim: %+v", s)
	}
	m.Release()
	e.checkLeaks()
}
