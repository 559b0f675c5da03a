package mm

import "testing"

// TestPagePoison: a freed page is filled with the poison, a clean page
// allocates without a report, and a write to a freed page is reported at
// its next allocation.
func TestPagePoison(t *testing.T) {
	r := Range{0x100000, 0x100000 + 16*PageSize}
	mem := NewSimMemory(r)
	b := NewBuddy(r)
	var reports []*PoisonError
	b.EnablePagePoison(mem, func(e *PoisonError) { reports = append(reports, e) })

	pa, err := b.AllocPages(2)
	if err != nil {
		t.Fatal(err)
	}
	b.FreePages(pa, 2)
	for i := 0; i < 4; i++ {
		if f := mem.Frame(pa + PhysAddr(i*PageSize)); f[0] != PagePoisonByte || f[PageSize-1] != PagePoisonByte {
			t.Fatalf("page %d of the freed block is not poisoned", i)
		}
	}
	pa2, _ := b.AllocPages(2)
	if pa2 != pa || len(reports) != 0 {
		t.Fatalf("clean realloc: got %v (want %v), reports %v", pa2, pa, reports)
	}
	b.FreePages(pa2, 2)
	mem.Frame(pa + 2*PageSize)[100] = 0x42 // a use after free
	pa3, _ := b.AllocPages(2)
	if pa3 != pa {
		t.Fatalf("LIFO reuse expected: %v vs %v", pa3, pa)
	}
	if len(reports) != 1 || reports[0].Addr != pa+2*PageSize+100 || reports[0].Got != 0x42 {
		t.Fatalf("reports %v", reports)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestPagePoisonCheck: the allocator's consistency check accepts poisoned
// free blocks after merging and splitting.
func TestPagePoisonCheck(t *testing.T) {
	r := Range{0x100000, 0x100000 + 64*PageSize}
	mem := NewSimMemory(r)
	b := NewBuddy(r)
	b.EnablePagePoison(mem, func(e *PoisonError) { t.Errorf("unexpected report %v", e) })
	var got []PhysAddr
	for i := 0; i < 20; i++ {
		pa, err := b.AllocPages(i % 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pa)
	}
	for i, pa := range got {
		b.FreePages(pa, i%3)
		if err := b.Check(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 10; i++ {
		if _, err := b.AllocPages(1); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
}
