package mm

import (
	"testing"

	"tamix/abi"
)

const anon = abi.MAP_ANONYMOUS

func TestMmapErrors(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	taken := mustMmap(t, m, UserHighStart+4*PageSize, PageSize, protRW, private|abi.MAP_FIXED)
	fixed := private | anon | abi.MAP_FIXED
	for _, c := range []struct {
		name   string
		addr   uintptr
		length uintptr
		flags  int
		offset uint64
		want   abi.Errno
	}{
		{"unaligned offset", 0, PageSize, private | anon, 1, abi.EINVAL},
		{"file mapping", 0, PageSize, private, 0, abi.EBADF},
		{"file mapping of length 0", 0, 0, private, 0, abi.EBADF},
		{"MAP_HUGETLB", 0, PageSize, private | anon | abi.MAP_HUGETLB, 0, abi.ENOMEM},
		{"length 0", 0, 0, private | anon, 0, abi.EINVAL},
		{"length 0 with bad type", 0, 0, anon, 0, abi.EINVAL},
		{"length wraps when aligned", 0, ^uintptr(0), private | anon, 0, abi.ENOMEM},
		{"length beyond TaskSize", 0, 1 << 47, private | anon, 0, abi.ENOMEM},
		{"fixed unaligned", UserHighStart + 1, PageSize, fixed, 0, abi.EINVAL},
		{"fixed at NULL", 0, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed in low kernel memory", 0x100000, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed at 16 MiB", 16 * mib, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed in the kernel hole", 1 << 30, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed across the low window's end", UserLowEnd - PageSize, 2 * PageSize, fixed, 0, abi.ENOMEM},
		{"fixed across 4 GiB", UserHighStart - PageSize, 2 * PageSize, fixed, 0, abi.ENOMEM},
		{"fixed at TaskSize", TaskSize, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed past TaskSize, unaligned", TaskSize + 1, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed non-canonical", 0xffff800000000000, PageSize, fixed, 0, abi.ENOMEM},
		{"fixed_noreplace over a mapping", taken, PageSize, private | anon | abi.MAP_FIXED_NOREPLACE, 0, abi.EEXIST},
		{"fixed_noreplace overlapping", taken - PageSize, 2 * PageSize, private | anon | abi.MAP_FIXED_NOREPLACE, 0, abi.EEXIST},
		{"no type", 0, PageSize, anon, 0, abi.EINVAL},
		{"shared and private", 0, PageSize, shared | private | anon, 0, abi.EINVAL},
		{"shared validate", 0, PageSize, abi.MAP_SHARED_VALIDATE | anon, 0, abi.EINVAL},
		{"type 0xf", 0, PageSize, 0xf | anon, 0, abi.EINVAL},
		{"shared growsdown", 0, PageSize, shared | anon | abi.MAP_GROWSDOWN, 0, abi.EINVAL},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := m.Mmap(c.addr, c.length, protRW, c.flags, -1, c.offset)
			if err != c.want || a != 0 {
				t.Fatalf("got %#x, %v; want %v (%s)", a, err, c.want, c.want.Name())
			}
		})
	}
	if s := m.Stats(); s.VMAs != 1 || s.RSSPages != 0 {
		t.Fatalf("failed calls changed the MM: %+v", s)
	}
	m.Release()
	e.checkLeaks()
}

func TestMmapPlacement(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	// Top-down from the mmap base; neighbours with the same flags merge.
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private)
	b := mustMmap(t, m, 0, PageSize, protRW, private)
	if a != MmapBase-2*PageSize || b != a-PageSize || m.Stats().VMAs != 1 {
		t.Fatalf("a=%#x b=%#x vmas=%d", a, b, m.Stats().VMAs)
	}
	c := mustMmap(t, m, 0, PageSize, abi.PROT_READ, private)
	if c != b-PageSize || m.Stats().VMAs != 2 {
		t.Fatalf("c=%#x vmas=%d", c, m.Stats().VMAs)
	}
	// Hints are honoured when free and in a user window, rounded down.
	if h := mustMmap(t, m, UserHighStart+5*PageSize+1, PageSize, protRW, private); h != UserHighStart+5*PageSize {
		t.Fatalf("hint: %#x", h)
	}
	if h := mustMmap(t, m, 0x400000, PageSize, protRW, private); h != 0x400000 {
		t.Fatalf("low hint: %#x", h)
	}
	for _, hint := range []uintptr{0x1000, 0x10, 20 * mib, c, TaskSize, ^uintptr(0) - 10} {
		if h := mustMmap(t, m, hint, PageSize, protRW, shared); h != c-PageSize && h >= hint-PageSize && h < hint+PageSize {
			t.Fatalf("bad hint %#x taken: %#x", hint, h)
		}
	}
	// MAP_32BIT lands in the low window.
	if l := mustMmap(t, m, 0, PageSize, protRW, private|abi.MAP_32BIT); l < UserLowStart || l >= UserLowEnd {
		t.Fatalf("MAP_32BIT: %#x", l)
	}
	m.Release()
	e.checkLeaks()
}

func TestMmapFallbackAndExhaustion(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	// Fill everything below the mmap base: the next mapping goes above it.
	mustMmap(t, m, UserHighStart, MmapBase-UserHighStart, abi.PROT_NONE, private|abi.MAP_FIXED)
	if a := mustMmap(t, m, 0, PageSize, protRW, private); a < MmapBase {
		t.Fatalf("fallback above the base: %#x", a)
	}
	mustMmap(t, m, MmapBase, TaskSize-MmapBase, abi.PROT_NONE, private|abi.MAP_FIXED)
	// Then the low window; then nothing.
	if a := mustMmap(t, m, 0, PageSize, protRW, private); a != UserLowEnd-PageSize {
		t.Fatalf("fallback to the low window: %#x", a)
	}
	if _, err := m.Mmap(0, UserLowEnd-UserLowStart, protRW, private|anon, -1, 0); err != abi.ENOMEM {
		t.Fatalf("no room: %v", err)
	}
	if _, err := m.Mmap(0, UserLowEnd, protRW, private|anon|abi.MAP_32BIT, -1, 0); err != abi.ENOMEM {
		t.Fatalf("no room for MAP_32BIT: %v", err)
	}
	m.Release()
	e.checkLeaks()
}

func TestMmapFixedReplaces(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 4*PageSize, protRW, private)
	for i := uintptr(0); i < 4; i++ {
		write(t, m, a+i*PageSize, "old")
	}
	e.tlb.flushes()
	b := mustMmap(t, m, a+PageSize, 2*PageSize, abi.PROT_READ, private|abi.MAP_FIXED)
	if b != a+PageSize || m.Stats().VMAs != 3 || m.Stats().RSSPages != 2 {
		t.Fatalf("b=%#x stats %+v", b, m.Stats())
	}
	if e.tlb.flushes() != 2 {
		t.Fatal("replacing two present pages flushes two pages")
	}
	if read(t, m, b, 3) != "\x00\x00\x00" || read(t, m, a, 3) != "old" {
		t.Fatal("MAP_FIXED did not replace the pages")
	}
	// MAP_FIXED_NOREPLACE into a hole works.
	m.Munmap(a+3*PageSize, PageSize)
	if c, err := m.Mmap(a+3*PageSize, PageSize, protRW, private|anon|abi.MAP_FIXED_NOREPLACE, -1, 0); err != nil || c != a+3*PageSize {
		t.Fatalf("noreplace into a hole: %#x %v", c, err)
	}
	// fd and offset are ignored for anonymous mappings.
	if _, err := m.Mmap(0, PageSize, protRW, private|anon, 7, 1<<20); err != nil {
		t.Fatalf("fd with MAP_ANONYMOUS: %v", err)
	}
	m.Release()
	e.checkLeaks()
}

func TestMunmap(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 8*PageSize, protRW, private)
	for i := uintptr(0); i < 8; i++ {
		write(t, m, a+i*PageSize, "x")
	}
	for _, c := range []struct {
		name         string
		addr, length uintptr
		want         error
	}{
		{"unaligned", a + 1, PageSize, abi.EINVAL},
		{"length 0", a, 0, abi.EINVAL},
		{"beyond TaskSize", TaskSize + PageSize, PageSize, abi.EINVAL},
		{"length past TaskSize", TaskSize - PageSize, 2 * PageSize, abi.EINVAL},
		{"length wraps", a, ^uintptr(0) - PageSize, abi.EINVAL},
		{"nothing mapped", UserHighStart, PageSize, nil},
		{"kernel hole", 16 * mib, PageSize, nil},
		{"at TaskSize", TaskSize, 0x10, abi.EINVAL},
	} {
		if err := m.Munmap(c.addr, c.length); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Punch a hole: the area splits, the pages go, a length that is not
	// page aligned rounds up.
	if err := m.Munmap(a+2*PageSize, PageSize+1); err != nil {
		t.Fatal(err)
	}
	if s := m.Stats(); s.VMAs != 2 || s.RSSPages != 6 {
		t.Fatalf("after punch: %+v", s)
	}
	wantFault(t, m.HandleFault(a+3*PageSize, false, false, true), abi.SEGV_MAPERR)
	// At the area limit, punching another hole is ENOMEM; trimming is not.
	m.maxMapCount = 2
	if err := m.Munmap(a+5*PageSize, PageSize); err != abi.ENOMEM {
		t.Fatalf("hole at the limit: %v", err)
	}
	if err := m.Munmap(a+7*PageSize, PageSize); err != nil {
		t.Fatalf("trim at the limit: %v", err)
	}
	if _, err := m.Mmap(0, PageSize, protRW, shared|anon, -1, 0); err != nil {
		t.Fatal(err) // 3 areas: Linux allows map_count to reach max+1
	}
	if _, err := m.Mmap(0, PageSize, abi.PROT_READ, private|anon, -1, 0); err != abi.ENOMEM {
		t.Fatalf("mmap past the area limit: %v", err)
	}
	// Unmapping everything frees the page tables too.
	m.maxMapCount = MaxMapCount
	if err := m.Munmap(UserHighStart, TaskSize-UserHighStart); err != nil {
		t.Fatal(err)
	}
	if s := m.Stats(); s != (Stats{TablePages: 3}) {
		t.Fatalf("after unmapping all: %+v", s)
	}
	m.Release()
	e.checkLeaks()
}

func TestMunmapFlushBatching(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 64*PageSize, protRW, private|abi.MAP_POPULATE)
	e.tlb.flushes()
	m.Munmap(a, 64*PageSize)
	if e.tlb.all != 1 || len(e.tlb.pages) != 0 {
		t.Fatalf("64 pages: %d single flushes, %d full", len(e.tlb.pages), e.tlb.all)
	}
	a = mustMmap(t, m, 0, 64*PageSize, protRW, private|abi.MAP_POPULATE)
	e.tlb.flushes()
	m.Munmap(a, 3*PageSize)
	if e.tlb.all != 0 || len(e.tlb.pages) != 3 {
		t.Fatalf("3 pages: %d single flushes, %d full", len(e.tlb.pages), e.tlb.all)
	}
	m.Release()
	e.checkLeaks()
}

func TestMprotect(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 4*PageSize, protRW, private)
	write(t, m, a, "data")
	g := mustMmap(t, m, UserHighStart+16*mib, 2*PageSize, protRW, private|abi.MAP_FIXED|abi.MAP_GROWSDOWN)
	for _, c := range []struct {
		name         string
		addr, length uintptr
		prot         int
		want         error
	}{
		{"unaligned", a + 1, PageSize, abi.PROT_READ, abi.EINVAL},
		{"unaligned, length 0", a + 1, 0, abi.PROT_READ, abi.EINVAL},
		{"length 0", a, 0, abi.PROT_READ, nil},
		{"length 0, bad prot", a, 0, 0x40, nil},
		{"length 0, unmapped", UserHighStart, 0, abi.PROT_READ, nil},
		{"wraps", a, ^uintptr(0) - PageSize, abi.PROT_READ, abi.ENOMEM},
		{"bad prot", a, PageSize, 0x40, abi.EINVAL},
		{"bad prot, unmapped", UserHighStart, PageSize, 0x10, abi.EINVAL},
		{"growsdown and growsup", a, PageSize, abi.PROT_GROWSDOWN | abi.PROT_GROWSUP, abi.EINVAL},
		{"unmapped", UserHighStart, PageSize, abi.PROT_READ, abi.ENOMEM},
		{"above every area", TaskSize - PageSize, PageSize, abi.PROT_READ, abi.ENOMEM},
		{"starts before the area", a - PageSize, 2 * PageSize, abi.PROT_READ, abi.ENOMEM},
		{"runs past the area", a + 3*PageSize, 2 * PageSize, abi.PROT_READ, abi.ENOMEM},
		{"kernel hole", 16 * mib, PageSize, abi.PROT_READ, abi.ENOMEM},
		{"hole between areas", g, a + PageSize - g, abi.PROT_READ, abi.ENOMEM},
		{"growsdown on a normal area", a + PageSize, PageSize, abi.PROT_READ | abi.PROT_GROWSDOWN, abi.EINVAL},
		{"growsdown below every area", a - PageSize, PageSize, abi.PROT_READ | abi.PROT_GROWSDOWN, abi.ENOMEM},
		{"growsup", a, PageSize, abi.PROT_READ | abi.PROT_GROWSUP, abi.EINVAL},
		{"PROT_SEM", a + 3*PageSize, PageSize, protRW | abi.PROT_SEM, nil},
	} {
		if err := m.Mprotect(c.addr, c.length, c.prot); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if m.Stats().VMAs != 2 {
		t.Fatalf("failed calls changed the areas: %s", m.Maps())
	}
	// Read-only in the middle: three areas, writes there fail, then back
	// to read-write merges them again.
	e.tlb.flushes()
	if err := m.Mprotect(a, 2*PageSize-100, abi.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if m.Stats().VMAs != 3 || e.tlb.flushes() != 1 {
		t.Fatalf("after mprotect: %s", m.Maps())
	}
	wantFault(t, m.HandleFault(a, true, false, true), abi.SEGV_ACCERR)
	if _, err := m.CopyToUser(a, []byte("x")); err != abi.EFAULT {
		t.Fatalf("copy to read-only: %v", err)
	}
	m.Mprotect(a, 2*PageSize, protRW)
	if m.Stats().VMAs != 2 || read(t, m, a, 4) != "data" {
		t.Fatalf("after restoring: %s", m.Maps())
	}
	write(t, m, a, "DATA")
	// PROT_GROWSDOWN extends to the start of the growsdown area.
	if err := m.Mprotect(g+PageSize, PageSize, abi.PROT_READ|abi.PROT_GROWSDOWN); err != nil {
		t.Fatal(err)
	}
	if v := m.vmas.Find(g); v.Start != g || v.Flags != VM_READ|VM_GROWSDOWN {
		t.Fatalf("growsdown mprotect: %v", v)
	}
	// Splitting past the area limit is ENOMEM and changes nothing.
	m.maxMapCount = 3
	if err := m.Mprotect(a+PageSize, PageSize, abi.PROT_READ); err != abi.ENOMEM {
		t.Fatalf("split past the limit: %v", err)
	}
	m.Release()
	e.checkLeaks()
}

func TestBrk(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	if got := m.Brk(0x500000); got != 0 {
		t.Fatalf("brk without a heap: %#x", got)
	}
	mustMmap(t, m, 0x400000, 0x1000, abi.PROT_READ|abi.PROT_EXEC, private|abi.MAP_FIXED)
	m.SetupBrk(0x400800) // mid-page end of bss rounds up
	start := uintptr(0x401000)
	if got := m.Brk(0); got != start {
		t.Fatalf("brk(0) = %#x", got)
	}
	if got := m.Brk(start + 10); got != start+10 || m.Stats().VMAs != 2 {
		t.Fatalf("grow: %#x, %s", got, m.Maps())
	}
	write(t, m, start, "heap")
	if got := m.Brk(start + 20); got != start+20 || m.Stats().VMAs != 2 {
		t.Fatalf("grow within the page: %#x", got)
	}
	if got := m.Brk(start + 5*PageSize); got != start+5*PageSize || m.Stats().VMAs != 2 {
		t.Fatalf("grow more: %#x, %s", got, m.Maps())
	}
	write(t, m, start+4*PageSize, "top")
	for _, bad := range []uintptr{start - 1, 0x100000, UserLowEnd + 1, 1 << 40, TaskSize, ^uintptr(0)} {
		if got := m.Brk(bad); got != start+5*PageSize {
			t.Errorf("brk(%#x) = %#x, want the old break", bad, got)
		}
	}
	if got := m.Brk(UserLowEnd); got != UserLowEnd {
		t.Fatalf("grow to the window's end: %#x", got)
	}
	// Shrink: pages above the new break go.
	if got := m.Brk(start + PageSize); got != start+PageSize {
		t.Fatalf("shrink: %#x", got)
	}
	if m.Stats().RSSPages != 1 || read(t, m, start, 4) != "heap" {
		t.Fatalf("after shrink: %+v", m.Stats())
	}
	wantFault(t, m.HandleFault(start+4*PageSize, false, false, true), abi.SEGV_MAPERR)
	// A mapping above the heap stops it one page short.
	mustMmap(t, m, start+8*PageSize, PageSize, protRW, private|abi.MAP_FIXED)
	if got := m.Brk(start + 7*PageSize + 1); got != start+PageSize {
		t.Fatalf("brk into the page below a mapping: %#x", got)
	}
	if got := m.Brk(start + 7*PageSize); got != start+7*PageSize {
		t.Fatalf("brk up to a page below a mapping: %#x", got)
	}
	// The heap was unmapped behind brk's back: shrinking fails.
	m.Munmap(start, 7*PageSize)
	if got := m.Brk(start); got != start+7*PageSize {
		t.Fatalf("shrink without a heap: %#x", got)
	}
	m.maxMapCount = 0
	if got := m.Brk(start + 8*PageSize); got != start+7*PageSize {
		t.Fatalf("grow past the area limit: %#x", got)
	}
	m.Release()
	e.checkLeaks()
}

func TestSetupStackErrors(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	if _, err := m.SetupStack(StackLimit + PageSize); err != abi.E2BIG {
		t.Fatalf("huge stack: %v", err)
	}
	mustMmap(t, m, StackTop-StackInitial-PageSize, PageSize, protRW, private|abi.MAP_FIXED)
	if _, err := m.SetupStack(0); err != abi.EEXIST {
		t.Fatalf("stack over a mapping: %v", err)
	}
	m.Release()
	e.checkLeaks()
}
