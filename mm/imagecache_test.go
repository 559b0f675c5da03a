package mm

import (
	"testing"

	"tamix/abi"
)

// TestImageCache maps one cached page into two address spaces, checks
// that a changed file gets a new page, that a write copies the page, and
// that everything comes back when the MMs and the cache go.
func TestImageCache(t *testing.T) {
	e := newEnv(t)
	c := NewImageCache(e.tmpl, e.alloc, 2)
	var content [PageSize]byte
	copy(content[:], "text")
	key := ImageKey{File: "prog", VA: 0x400000}

	load := func() (*MM, PhysAddr) {
		m := e.newMM()
		mustMmap(t, m, 0x400000, PageSize, protRW, private|abi.MAP_FIXED)
		pa, err := c.Page(key, &content)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.MapPage(0x400000, pa); err != nil {
			t.Fatal(err)
		}
		return m, pa
	}
	m1, pa1 := load()
	m2, pa2 := load()
	if pa1 != pa2 || e.buddy.PageCount(pa1) != 3 || c.Len() != 1 {
		t.Fatalf("second load: page %#x then %#x, count %d, cached %d", pa1, pa2, e.buddy.PageCount(pa1), c.Len())
	}
	if p := pte(t, m1, 0x400000); p&PTE_RW != 0 || p&PTE_COW == 0 {
		t.Fatalf("mapped entry %v: want read-only COW", p)
	}
	if got := read(t, m1, 0x400000, 4); got != "text" || m1.Stats().RSSPages != 1 {
		t.Fatalf("read %q, rss %d", got, m1.Stats().RSSPages)
	}
	if err := m1.MapPage(0x400000, pa1); err != abi.EEXIST {
		t.Fatalf("MapPage over a mapping: %v", err)
	}
	if err := m1.MapPage(0x600000, pa1); err != abi.EFAULT {
		t.Fatalf("MapPage outside an area: %v", err)
	}
	// A write (the area is writable) gives m1 its own copy.
	write(t, m1, 0x400000, "TEXT")
	if read(t, m2, 0x400000, 4) != "text" || pte(t, m1, 0x400000).Addr() == pa1 {
		t.Fatal("a write to a cached page reached the cache")
	}
	// The file changed: a new page replaces the cached one.
	copy(content[:], "next")
	m3, pa3 := load()
	if pa3 == pa1 || read(t, m3, 0x400000, 4) != "next" || read(t, m2, 0x400000, 4) != "text" {
		t.Fatal("changed content mapped the old page")
	}
	// A full cache is emptied before a new page goes in.
	for va := uintptr(0x401000); va < 0x404000; va += PageSize {
		pa, err := c.Page(ImageKey{File: "prog", VA: va}, &content)
		if err != nil {
			t.Fatal(err)
		}
		e.buddy.PutPage(pa)
	}
	if c.Len() > 2 {
		t.Fatalf("cache holds %d pages, limit 2", c.Len())
	}
	m1.Put()
	m2.Put()
	m3.Put()
	c.Drop()
	if c.Len() != 0 {
		t.Fatal("Drop left pages")
	}
	e.checkLeaks()
}
