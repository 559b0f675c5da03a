package mm

import (
	"testing"

	"tamix/abi"
)

// Which anonymous mappings are charged, as measured on Linux 6.18 with
// overcommit_memory = 0: a 1 TiB mapping on a 23 GiB machine is refused
// when private and writable or shared (even PROT_NONE), accepted when
// private read-only or made with MAP_NORESERVE.
func TestCommitCharged(t *testing.T) {
	for _, c := range []struct {
		prot, flags int
		want        bool
	}{
		{protRW, private, true},
		{abi.PROT_WRITE, private, true},
		{abi.PROT_READ, private, false},
		{abi.PROT_READ | abi.PROT_EXEC, private, false},
		{protRW, private | abi.MAP_NORESERVE, false},
		{abi.PROT_READ, abi.MAP_SHARED, true},
		{abi.PROT_NONE, abi.MAP_SHARED, true},
		{protRW, abi.MAP_SHARED | abi.MAP_NORESERVE, false},
	} {
		f, err := mmapVMFlags(c.prot, c.flags)
		if err != nil {
			t.Fatal(err)
		}
		if got := commitCharged(f); got != c.want {
			t.Errorf("prot %#x flags %#x: charged %v, want %v", c.prot, c.flags, got, c.want)
		}
	}
}

func TestVMEnoughMemory(t *testing.T) {
	// 25 GiB refused and 20 GiB accepted on the 23 GiB machine.
	const total = 23 << 30 / PageSize
	for _, c := range []struct {
		pages uint64
		want  error
	}{
		{0, nil}, {1, nil}, {20 << 30 / PageSize, nil}, {total, nil},
		{total + 1, abi.ENOMEM}, {25 << 30 / PageSize, abi.ENOMEM}, {1 << 40, abi.ENOMEM},
	} {
		if got := vmEnoughMemory(c.pages, total); got != c.want {
			t.Errorf("%d pages of %d: %v, want %v", c.pages, total, got, c.want)
		}
	}
}

// The mmap of issue 13: 256 GiB with MAP_POPULATE on a small machine is
// refused at once, allocating nothing; a mapping of all of RAM is still
// allowed, and so are the ones overcommit does not charge.
func TestMmapOvercommit(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	total := uintptr(e.buddy.TotalPages())
	calls := e.alloc.calls
	for _, c := range []struct {
		length      uintptr
		prot, flags int
		want        error
	}{
		{256 << 30, protRW, private | abi.MAP_POPULATE, abi.ENOMEM},
		{256 << 30, protRW, private, abi.ENOMEM},
		{(total + 1) * PageSize, protRW, private, abi.ENOMEM},
		{256 << 30, abi.PROT_NONE, abi.MAP_SHARED, abi.ENOMEM},
		{total * PageSize, protRW, private, nil},
		{256 << 30, abi.PROT_READ, private, nil},
		{256 << 30, protRW, private | abi.MAP_NORESERVE, nil},
		{256 << 30, abi.PROT_NONE, abi.MAP_SHARED | abi.MAP_NORESERVE, nil},
	} {
		a, err := m.Mmap(0, c.length, c.prot, c.flags|abi.MAP_ANONYMOUS, -1, 0)
		if err != c.want {
			t.Errorf("mmap(%#x, %d, %#x): %v, want %v", c.length, c.prot, c.flags, err, c.want)
		}
		if err == nil {
			if err := m.Munmap(a, c.length); err != nil {
				t.Fatal(err)
			}
		}
	}
	if m.vmas.Len() != 0 || e.alloc.calls-calls > 16 {
		t.Errorf("%d areas left, %d allocations (page tables only expected)", m.vmas.Len(), e.alloc.calls-calls)
	}
	m.Release()
	e.checkLeaks()
}

// MAP_POPULATE of more than the allocator can give maps what it can, stops
// at the first page it cannot get instead of trying every page, and
// mmap succeeds, as Linux's mm_populate() ignores errors.
func TestPopulateStopsWhenMemoryRunsOut(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	const n = 4096
	e.alloc.budget = 100
	calls := e.alloc.calls
	a, err := m.Mmap(0, n*PageSize, protRW, private|abi.MAP_POPULATE|abi.MAP_ANONYMOUS, -1, 0)
	if err != nil {
		t.Fatalf("mmap: %v, want success", err)
	}
	if tried := e.alloc.calls - calls; tried > 101 {
		t.Errorf("%d allocations tried for a budget of 100: populate went on after ENOMEM", tried)
	}
	if rss := m.Stats().RSSPages; rss == 0 || rss >= 100 {
		t.Errorf("%d pages mapped, want some below the budget (page tables took the rest)", rss)
	}
	e.alloc.budget = -1
	write(t, m, a+(n-1)*PageSize, "the rest faults in later")
	// An area in the middle that cannot be populated (PROT_NONE) does
	// not stop the areas after it.
	b := mustMmap(t, m, 0, 3*PageSize, protRW, private)
	if err := m.Mprotect(b+PageSize, PageSize, abi.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	m.populateLocked(b, b+3*PageSize)
	m.mu.Unlock()
	if _, ok := m.pt.Lookup(b + 2*PageSize); !ok {
		t.Error("the area after a PROT_NONE one was not populated")
	}
	m.Release()
	e.checkLeaks()
}
