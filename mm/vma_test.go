package mm

import (
	"fmt"
	"strings"
	"testing"
)

const rw = VM_READ | VM_WRITE

// set builds a VMASet from (start, end, flags) triples in pages of the
// high window.
func set(t *testing.T, areas ...[3]uintptr) *VMASet {
	t.Helper()
	s := &VMASet{}
	for _, a := range areas {
		s.Insert(&VMA{Start: hp(a[0]), End: hp(a[1]), Flags: VMFlags(a[2])})
	}
	return s
}

// hp returns the address of page n of the high window.
func hp(n uintptr) uintptr { return UserHighStart + n*PageSize }

// layout describes a set as "start-end:flags ..." in page numbers.
func layout(s *VMASet) string {
	var parts []string
	for _, v := range s.All() {
		parts = append(parts, fmt.Sprintf("%d-%d:%x", (v.Start-UserHighStart)/PageSize, (v.End-UserHighStart)/PageSize, uint32(v.Flags)))
	}
	return strings.Join(parts, " ")
}

func TestVMASetFind(t *testing.T) {
	s := set(t, [3]uintptr{10, 20, 3}, [3]uintptr{30, 40, 1}, [3]uintptr{0, 5, 3})
	if layout(s) != "0-5:3 10-20:3 30-40:1" {
		t.Fatalf("layout %s", layout(s))
	}
	for _, c := range []struct {
		addr       uintptr
		find, prev int // page where the result starts, -1 for nil
	}{
		{hp(0), 0, -1}, {hp(4), 0, -1}, {hp(5), 10, 0}, {hp(10), 10, 0},
		{hp(19) + 5, 10, 0}, {hp(20), 30, 10}, {hp(40), -1, 30}, {0, 0, -1},
	} {
		check := func(what string, v *VMA, want int) {
			if (v == nil) != (want < 0) || (v != nil && v.Start != hp(uintptr(want))) {
				t.Errorf("%s(%#x) = %v, want page %d", what, c.addr, v, want)
			}
		}
		check("Find", s.Find(c.addr), c.find)
		check("Prev", s.Prev(c.addr), c.prev)
	}
	if got := s.Intersecting(hp(4), hp(31)); len(got) != 3 {
		t.Errorf("Intersecting = %v", got)
	}
	if got := s.Intersecting(hp(20), hp(30)); len(got) != 0 {
		t.Errorf("Intersecting of a gap = %v", got)
	}
	v := s.Find(hp(10))
	if v.Len() != 10*PageSize || !v.Contains(hp(15)) || v.Contains(hp(20)) || v.Prot() != 3 || v.Shared() {
		t.Errorf("VMA helpers on %v", v)
	}
}

func TestVMASetInsertPanics(t *testing.T) {
	s := set(t, [3]uintptr{10, 20, 3})
	mustPanic(t, "overlaps", func() { s.Insert(&VMA{Start: hp(19), End: hp(21)}) })
	mustPanic(t, "overlaps", func() { s.Insert(&VMA{Start: hp(5), End: hp(11)}) })
	mustPanic(t, "bad VMA", func() { s.Insert(&VMA{Start: hp(30), End: hp(30)}) })
	mustPanic(t, "bad VMA", func() { s.Insert(&VMA{Start: hp(30) + 1, End: hp(31)}) })
	s.Insert(&VMA{Start: hp(20), End: hp(21)})
	s.Insert(&VMA{Start: hp(9), End: hp(10)})
	if layout(s) != "9-10:0 10-20:3 20-21:0" {
		t.Fatalf("layout %s", layout(s))
	}
}

func TestVMASetSplitMerge(t *testing.T) {
	s := set(t, [3]uintptr{10, 20, 3})
	if s.Split(hp(10)) || s.Split(hp(20)) || s.Split(hp(25)) {
		t.Fatal("split at an edge or outside")
	}
	if !s.Split(hp(15)) || layout(s) != "10-15:3 15-20:3" {
		t.Fatalf("split: %s", layout(s))
	}
	s.Find(hp(15)).Flags = 1
	s.Merge(hp(10), hp(20))
	if layout(s) != "10-15:3 15-20:1" {
		t.Fatalf("merged different flags: %s", layout(s))
	}
	s.Find(hp(15)).Flags = 3
	s.Merge(hp(15), hp(15)) // a boundary exactly at start merges
	if layout(s) != "10-20:3" {
		t.Fatalf("not merged: %s", layout(s))
	}
	// Chains merge in one call; gaps stop merging.
	s = set(t, [3]uintptr{0, 1, 3}, [3]uintptr{1, 2, 3}, [3]uintptr{2, 3, 3}, [3]uintptr{4, 5, 3}, [3]uintptr{5, 6, 3})
	s.Merge(hp(0), hp(3))
	if layout(s) != "0-3:3 4-5:3 5-6:3" {
		t.Fatalf("chain: %s", layout(s))
	}
	s.Merge(0, TaskSize)
	if layout(s) != "0-3:3 4-6:3" {
		t.Fatalf("all: %s", layout(s))
	}
	if n := s.splitsNeeded(hp(1), hp(5)); n != 2 {
		t.Fatalf("splitsNeeded = %d", n)
	}
	if n := s.splitsNeeded(hp(3), hp(4)); n != 0 {
		t.Fatalf("splitsNeeded over a gap = %d", n)
	}
}

func TestVMASharedSplitMerge(t *testing.T) {
	o := newShmObject()
	s := &VMASet{}
	s.Insert(&VMA{Start: hp(0), End: hp(8), Flags: rw | VM_SHARED, shm: o})
	s.Split(hp(3))
	s.Split(hp(5))
	if o.refs != 3 {
		t.Fatalf("refs after two splits = %d", o.refs)
	}
	if v := s.Find(hp(5)); v.pgoff != 5 || !v.Shared() || !strings.HasPrefix(v.String(), "100005000-100008000 rw-s 00005000") {
		t.Fatalf("upper part: %v pgoff %d", v, v.pgoff)
	}
	// Taking the middle out and putting it back at another offset must
	// not merge: the pages would not line up.
	mid := s.RemoveRange(hp(3), hp(5))
	if len(mid) != 1 || mid[0].pgoff != 3 {
		t.Fatalf("removed %v", mid)
	}
	mid[0].pgoff = 7
	s.Insert(mid[0])
	s.Merge(0, TaskSize)
	if s.Len() != 3 {
		t.Fatalf("merged misaligned shared views: %s", layout(s))
	}
	mid[0].pgoff = 3
	s.Merge(0, TaskSize)
	if s.Len() != 1 || o.refs != 1 {
		t.Fatalf("aligned views not merged: %s, refs %d", layout(s), o.refs)
	}
	// A private area next to a shared one stays apart.
	s.Insert(&VMA{Start: hp(8), End: hp(9), Flags: rw | VM_SHARED})
	s.Merge(0, TaskSize)
	if s.Len() != 2 {
		t.Fatalf("private merged with shared: %s", layout(s))
	}
}

func TestVMASetRemoveRange(t *testing.T) {
	s := set(t, [3]uintptr{0, 10, 3}, [3]uintptr{12, 14, 1}, [3]uintptr{20, 30, 3})
	got := s.RemoveRange(hp(5), hp(25))
	if len(got) != 3 || layout(s) != "0-5:3 25-30:3" {
		t.Fatalf("removed %d, left %s", len(got), layout(s))
	}
	if got[0].Start != hp(5) || got[0].End != hp(10) || got[2].Start != hp(20) || got[2].End != hp(25) {
		t.Fatalf("removed %v %v %v", got[0], got[1], got[2])
	}
	if got := s.RemoveRange(hp(6), hp(24)); len(got) != 0 || s.Len() != 2 {
		t.Fatalf("removing a hole: %v", got)
	}
	got = s.RemoveRange(hp(1), hp(2))
	if len(got) != 1 || layout(s) != "0-1:3 2-5:3 25-30:3" {
		t.Fatalf("punch: %s", layout(s))
	}
}

func TestVMAStrings(t *testing.T) {
	s := &VMASet{}
	s.Insert(&VMA{Start: 0x400000, End: 0x401000, Flags: VM_READ | VM_EXEC})
	s.Insert(&VMA{Start: 0x600000, End: 0x602000, Flags: 0})
	want := "00400000-00401000 r-xp 00000000 00:00 0\n00600000-00602000 ---p 00000000 00:00 0\n"
	if s.String() != want {
		t.Fatalf("String:\n%s\nwant:\n%s", s, want)
	}
	stack := &VMA{Start: hp(300), End: hp(400), Flags: rw | VM_GROWSDOWN}
	if stack.startGap() != hp(300)-StackGuardGap || (&VMA{Start: hp(3)}).startGap() != hp(3) {
		t.Fatal("startGap")
	}
	if (&VMA{Start: PageSize, Flags: VM_GROWSDOWN}).startGap() != PageSize {
		t.Fatal("startGap must not wrap")
	}
}

func TestVMASetProtect(t *testing.T) {
	s := set(t, [3]uintptr{0, 10, 3}, [3]uintptr{10, 20, 1})
	var changed []string
	note := func(v *VMA) { changed = append(changed, v.String()[:17]) }
	s.Protect(hp(5), hp(15), VM_READ, note)
	if layout(s) != "0-5:3 5-20:1" || len(changed) != 1 {
		t.Fatalf("layout %s, changed %v", layout(s), changed)
	}
	s.Protect(hp(0), hp(20), VM_READ|VM_WRITE|VM_EXEC, note)
	if layout(s) != "0-20:7" || len(changed) != 3 {
		t.Fatalf("layout %s, changed %v", layout(s), changed)
	}
}
