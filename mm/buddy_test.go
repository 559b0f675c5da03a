package mm

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"tamix/abi"
)

const (
	mib = 1 << 20
	// ramStart is where Tamix's allocatable RAM starts: after the Go
	// runtime's [16 MiB, 272 MiB).
	ramStart PhysAddr = 272 * mib
)

// mustPanic runs f and fails unless it panics with a message containing
// want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %q, want one containing %q", r, want)
		}
	}()
	f()
}

// checkBuddy fails the test if the allocator's invariants do not hold.
func checkBuddy(t *testing.T, b *Buddy) {
	t.Helper()
	if err := b.Check(); err != nil {
		t.Fatalf("buddy check: %v", err)
	}
}

func TestBuddyAlignedRange(t *testing.T) {
	b := NewBuddy(Range{ramStart, ramStart + 64*mib})
	checkBuddy(t, b)
	if got := b.FreePageCount(); got != 64*mib/PageSize {
		t.Fatalf("FreePageCount = %d, want %d", got, 64*mib/PageSize)
	}
	if b.TotalPages() != b.FreePageCount() {
		t.Fatalf("TotalPages %d != free %d", b.TotalPages(), b.FreePageCount())
	}
	counts := b.FreeCounts()
	for o, n := range counts {
		want := 0
		if o == MaxOrder {
			want = 16 // 64 MiB of 4 MiB blocks
		}
		if n != want {
			t.Errorf("order %d: %d free blocks, want %d", o, n, want)
		}
	}
	if !strings.HasPrefix(b.String(), "Node 0, zone   Normal") || !strings.HasSuffix(b.String(), "16") {
		t.Errorf("String() = %q", b.String())
	}
}

func TestBuddyUnalignedEdges(t *testing.T) {
	// Starts one page after a 4 MiB boundary and ends 3 pages past one,
	// with sub-page junk at both ends that must be trimmed.
	start := ramStart + PageSize
	end := ramStart + 8*mib + 3*PageSize
	b := NewBuddy(Range{start - 100, end + 100})
	checkBuddy(t, b)
	want := uint64(end-start) / PageSize
	if b.FreePageCount() != want || b.TotalPages() != want {
		t.Fatalf("free %d total %d, want %d", b.FreePageCount(), b.TotalPages(), want)
	}
	// The head is covered by blocks of orders 0..9, the tail by 0 and 1.
	c := b.FreeCounts()
	wantCounts := [MaxOrder + 1]int{2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	if c != wantCounts {
		t.Fatalf("FreeCounts = %v, want %v", c, wantCounts)
	}
	if rs := b.Ranges(); len(rs) != 1 || rs[0] != (Range{start, end}) {
		t.Fatalf("Ranges = %v", rs)
	}
}

func TestBuddyRangesMergeAndDrop(t *testing.T) {
	b := NewBuddy(
		Range{ramStart + 8*mib, ramStart + 12*mib},
		Range{ramStart, ramStart + 4*mib},
		Range{ramStart + 2*mib, ramStart + 8*mib},         // overlaps and touches
		Range{ramStart + 20*mib, ramStart + 20*mib + 100}, // less than a page
		Range{ramStart + 30*mib, ramStart + 30*mib},       // empty
		Range{ramStart + 40*mib, ramStart + 41*mib},
	)
	checkBuddy(t, b)
	rs := b.Ranges()
	if len(rs) != 2 || rs[0] != (Range{ramStart, ramStart + 12*mib}) || rs[1] != (Range{ramStart + 40*mib, ramStart + 41*mib}) {
		t.Fatalf("Ranges = %v", rs)
	}
	if b.FreePageCount() != 13*mib/PageSize {
		t.Fatalf("free = %d", b.FreePageCount())
	}
	if b.Page(ramStart+20*mib) != nil || b.Page(ramStart-PageSize) != nil {
		t.Fatal("Page of an unmanaged frame is not nil")
	}
	if p := b.Page(ramStart); p == nil || p.Addr() != ramStart || !strings.Contains(p.String(), "buddy") {
		t.Fatalf("Page(ramStart) = %v", p)
	}
	if NewBuddy().FreePageCount() != 0 {
		t.Fatal("empty allocator has free pages")
	}
}

func TestBuddyAllocEveryOrder(t *testing.T) {
	b := NewBuddy(Range{ramStart, ramStart + 16*mib})
	base := b.FreePageCount()
	for order := 0; order <= MaxOrder; order++ {
		pa, err := b.AllocPages(order)
		if err != nil {
			t.Fatalf("AllocPages(%d): %v", order, err)
		}
		if pa.PFN()&(1<<order-1) != 0 {
			t.Errorf("order %d block at %v is misaligned", order, pa)
		}
		if got := b.PageCount(pa); got != 1 {
			t.Errorf("order %d: PageCount = %d", order, got)
		}
		if order > 0 {
			tail := pa + PhysAddr(PageSize)<<order - PageSize
			if b.Page(tail).flags != PageTail || b.PageCount(tail) != 1 {
				t.Errorf("order %d: last page %v", order, b.Page(tail))
			}
		}
		checkBuddy(t, b)
		b.FreePages(pa, order)
		checkBuddy(t, b)
	}
	if b.FreePageCount() != base || b.FreeCounts()[MaxOrder] != 4 {
		t.Fatalf("after free: %d free, counts %v", b.FreePageCount(), b.FreeCounts())
	}
}

func TestBuddyExhaustAndRefill(t *testing.T) {
	b := NewBuddy(Range{ramStart + PageSize, ramStart + 5*mib}) // odd edges
	initial := b.FreeCounts()
	var pages []PhysAddr
	seen := map[PhysAddr]bool{}
	for {
		pa, err := b.AllocPages(0)
		if err != nil {
			if !errors.Is(err, abi.ENOMEM) {
				t.Fatalf("error %v, want ENOMEM", err)
			}
			break
		}
		if seen[pa] {
			t.Fatalf("page %v handed out twice", pa)
		}
		seen[pa] = true
		pages = append(pages, pa)
	}
	if uint64(len(pages)) != b.TotalPages() || b.FreePageCount() != 0 {
		t.Fatalf("allocated %d of %d, %d left", len(pages), b.TotalPages(), b.FreePageCount())
	}
	if _, err := b.AllocPages(3); err != abi.ENOMEM {
		t.Fatalf("AllocPages(3) on empty: %v", err)
	}
	checkBuddy(t, b)
	rand.New(rand.NewSource(1)).Shuffle(len(pages), func(i, j int) { pages[i], pages[j] = pages[j], pages[i] })
	for _, pa := range pages {
		b.FreePages(pa, 0)
	}
	checkBuddy(t, b)
	if b.FreeCounts() != initial {
		t.Fatalf("free counts %v, want the initial %v (buddies not merged)", b.FreeCounts(), initial)
	}
}

func TestBuddyBadOrder(t *testing.T) {
	b := NewBuddy(Range{ramStart, ramStart + 4*mib})
	for _, o := range []int{-1, MaxOrder + 1} {
		if _, err := b.AllocPages(o); err != abi.EINVAL {
			t.Errorf("AllocPages(%d) = %v, want EINVAL", o, err)
		}
	}
	if _, err := b.AllocPages(MaxOrder); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AllocPages(0); err != abi.ENOMEM {
		t.Fatalf("AllocPages on empty = %v, want ENOMEM", err)
	}
}

func TestBuddyRefcounts(t *testing.T) {
	b := NewBuddy(Range{ramStart, ramStart + 4*mib})
	base := b.FreePageCount()
	pa, _ := b.AllocPages(0)
	b.GetPage(pa)
	b.GetPage(pa)
	if b.PageCount(pa) != 3 {
		t.Fatalf("PageCount = %d, want 3", b.PageCount(pa))
	}
	b.PutPage(pa)
	b.FreePages(pa, 0) // __free_pages drops one reference like put_page
	if b.PageCount(pa) != 1 || b.FreePageCount() != base-1 {
		t.Fatalf("count %d free %d", b.PageCount(pa), b.FreePageCount())
	}
	b.PutPage(pa)
	if b.PageCount(pa) != 0 || b.FreePageCount() != base {
		t.Fatalf("after last put: count %d free %d", b.PageCount(pa), b.FreePageCount())
	}
	// References through a tail page go to the head.
	head, _ := b.AllocPages(2)
	tail := head + 3*PageSize
	b.GetPage(tail)
	if b.PageCount(head) != 2 || b.PageCount(tail) != 2 {
		t.Fatalf("head %d tail %d", b.PageCount(head), b.PageCount(tail))
	}
	b.PutPage(tail)
	b.PutPage(tail)
	if b.FreePageCount() != base {
		t.Fatalf("compound block not freed: %d free", b.FreePageCount())
	}
	checkBuddy(t, b)
}

func TestBuddyKernelBugsPanic(t *testing.T) {
	b := NewBuddy(Range{ramStart, ramStart + 4*mib})
	pa, _ := b.AllocPages(0)
	big, _ := b.AllocPages(2)
	b.FreePages(pa, 0)
	mustPanic(t, "double free", func() { b.FreePages(pa, 0) })
	mustPanic(t, "is free", func() { b.GetPage(pa) })
	mustPanic(t, "already free", func() { b.PutPage(pa) })
	mustPanic(t, "has order 2", func() { b.FreePages(big, 1) })
	mustPanic(t, "tail page", func() { b.FreePages(big+PageSize, 2) })
	mustPanic(t, "not a page of managed RAM", func() { b.FreePages(ramStart+8*mib, 0) })
	mustPanic(t, "not a page of managed RAM", func() { b.GetPage(big + 1) })
	mustPanic(t, "not a page of managed RAM", func() { b.PageCount(0) })
	checkBuddy(t, b)
}

func TestBuddyCheckFindsCorruption(t *testing.T) {
	corrupt := []struct {
		name string
		f    func(b *Buddy)
		want string
	}{
		{"counter", func(b *Buddy) { b.nrFree++ }, "counter says"},
		{"list count", func(b *Buddy) { b.free[MaxOrder].count++ }, "count says"},
		{"refcount", func(b *Buddy) { b.free[MaxOrder].head.refcount = 1 }, "list holds"},
		{"misaligned", func(b *Buddy) {
			p := b.free[MaxOrder].pop()
			p.flags, p.order = 0, 0
			q := b.page(p.pfn + 1)
			q.flags, q.order = PageBuddy, MaxOrder
			b.free[MaxOrder].push(q)
		}, "misaligned"},
		{"tail", func(b *Buddy) { b.page(b.free[MaxOrder].head.pfn + 5).flags = PageTail }, "inside block"},
		{"allocated page", func(b *Buddy) { b.page(b.sections[0].end - 2).refcount = 0 }, "bad block head"},
		{"back link", func(b *Buddy) { b.free[MaxOrder].head.next.prev = nil }, "back link"},
		{"unmerged", func(b *Buddy) {
			for _, pfn := range []uint64{b.sections[0].end - 2, b.sections[0].end - 1} {
				p := b.page(pfn)
				p.refcount, p.flags, p.order = 0, PageBuddy, 0
				b.free[0].push(p)
			}
		}, "not merged"},
		{"past end", func(b *Buddy) {
			p := b.page(b.sections[0].end - 2)
			p.flags, p.order = PageHead, 2
		}, "past its range"},
	}
	for _, c := range corrupt {
		b := NewBuddy(Range{ramStart, ramStart + 12*mib + 2*PageSize})
		b.AllocPages(0) // both come from the order-1 block at the end
		b.AllocPages(0)
		checkBuddy(t, b)
		c.f(b)
		if err := b.Check(); err == nil {
			t.Errorf("%s: Check found nothing", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check = %v, want %q", c.name, err, c.want)
		}
	}
}

// TestBuddyRandom runs random allocations and frees of random orders,
// with extra references, against a model and the checker.
func TestBuddyRandom(t *testing.T) {
	b := NewBuddy(Range{ramStart + 3*PageSize, ramStart + 24*mib - 5*PageSize}, Range{ramStart + 30*mib, ramStart + 31*mib})
	base, initial := b.FreePageCount(), b.FreeCounts()
	rng := rand.New(rand.NewSource(42))
	type block struct {
		pa    PhysAddr
		order int
		refs  int
	}
	var live []block
	used := uint64(0)
	for step := 0; step < 20000; step++ {
		switch r := rng.Intn(10); {
		case r < 5 || len(live) == 0:
			order := rng.Intn(MaxOrder + 1)
			if rng.Intn(4) != 0 {
				order = rng.Intn(3)
			}
			pa, err := b.AllocPages(order)
			if err != nil {
				continue
			}
			live = append(live, block{pa, order, 1})
			used += 1 << order
		case r < 7:
			k := rng.Intn(len(live))
			b.GetPage(live[k].pa + PhysAddr(rng.Intn(1<<live[k].order))*PageSize)
			live[k].refs++
		default:
			k := rng.Intn(len(live))
			if live[k].refs > 1 {
				b.PutPage(live[k].pa)
				live[k].refs--
				continue
			}
			b.FreePages(live[k].pa, live[k].order)
			used -= 1 << live[k].order
			live[k] = live[len(live)-1]
			live = live[:len(live)-1]
		}
		if b.FreePageCount() != base-used {
			t.Fatalf("step %d: free %d, want %d", step, b.FreePageCount(), base-used)
		}
		if step%1000 == 0 {
			checkBuddy(t, b)
		}
	}
	for _, l := range live {
		for i := 0; i < l.refs; i++ {
			b.PutPage(l.pa)
		}
	}
	checkBuddy(t, b)
	if b.FreePageCount() != base || b.FreeCounts() != initial {
		t.Fatalf("end: free %d counts %v, want %d %v", b.FreePageCount(), b.FreeCounts(), base, initial)
	}
}

func TestPageFlagsString(t *testing.T) {
	if s := (PageHead | PageBuddy).String(); s != "buddy|head" {
		t.Errorf("got %q", s)
	}
	if s := PageFlags(0).String(); s != "0" {
		t.Errorf("got %q", s)
	}
}

func TestSubtractRanges(t *testing.T) {
	ram := []Range{{0, 0x9f000}, {0x100000, 512 * mib}}
	got := SubtractRanges(ram, Range{0, 16 * mib}, Range{16 * mib, 272 * mib})
	if len(got) != 1 || got[0] != (Range{272 * mib, 512 * mib}) {
		t.Fatalf("got %v", got)
	}
	got = SubtractRanges([]Range{{0, 100 * mib}}, Range{10 * mib, 20 * mib}, Range{200 * mib, 300 * mib})
	if len(got) != 2 || got[0] != (Range{0, 10 * mib}) || got[1] != (Range{20 * mib, 100 * mib}) {
		t.Fatalf("got %v", got)
	}
	if s := got[0].String(); s != "[mem 0x0000000000000000-0x00000000009fffff]" {
		t.Fatalf("String = %q", s)
	}
}

func TestSimMemory(t *testing.T) {
	m := NewSimMemory(Range{ramStart + 4*mib, ramStart + 8*mib}, Range{ramStart, ramStart + mib})
	f := m.Frame(ramStart)
	f[7] = 42
	if m.Frame(ramStart)[7] != 42 || m.TouchedFrames() != 1 {
		t.Fatal("frame contents not kept")
	}
	m.Frame(ramStart + 8*mib - PageSize)
	mustPanic(t, "not in simulated RAM", func() { m.Frame(ramStart + mib) })
	mustPanic(t, "not in simulated RAM", func() { m.Frame(ramStart + 8*mib) })
	mustPanic(t, "not page aligned", func() { m.Frame(ramStart + 1) })
	mustPanic(t, "not page aligned", func() { NewSimMemory(Range{1, PageSize}) })
	if pa := PhysAddr(0x1234); pa.String() != "0x1234" || pa.PageOffset() != 0x234 || pa.PFN() != 1 {
		t.Fatal("PhysAddr helpers")
	}
	if PageAlign(1) != PageSize || PageAlignDown(PageSize+1) != PageSize || !PageAligned(0) || PageAligned(1) {
		t.Fatal("alignment helpers")
	}
	if (Range{0, PageSize}).Size() != PageSize {
		t.Fatal("Range.Size")
	}
}
