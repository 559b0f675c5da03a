package mm

import (
	"strings"
	"testing"

	"tamix/abi"
)

const gib = 1 << 30

func TestKernelTemplate(t *testing.T) {
	e := newEnv(t)
	if e.tmpl.TablePages() != 7 {
		t.Fatalf("template has %d tables, want 7", e.tmpl.TablePages())
	}
	for _, c := range []struct {
		va   uintptr
		ok   bool
		leaf int
	}{
		{0, false, 0}, {0xfff, false, 0}, {0x1000, true, 1}, {0x1fffff, true, 1},
		{0x200000, true, 2}, {16 * mib, true, 2}, {3*gib + 5, true, 2},
		{4*gib - 1, true, 2}, {4 * gib, false, 0}, {0xffff800000000000, false, 0},
	} {
		pa, leaf, ok := e.tmpl.Translate(c.va)
		if ok != c.ok || (ok && uintptr(pa) != c.va) {
			t.Errorf("Translate(%#x) = %v, %v; want identity %v", c.va, pa, ok, c.ok)
		}
		if ok && (leaf&PTE_US != 0 || leaf&PTE_G != 0 || !leaf.Writable()) {
			t.Errorf("Translate(%#x): leaf %v is not supervisor RW", c.va, leaf)
		}
		if steps := e.tmpl.Walk(c.va); ok && len(steps) != 5-c.leaf {
			t.Errorf("Walk(%#x) has %d steps", c.va, len(steps))
		}
	}
	if _, _, ok := e.tmpl.Translate(0x800000000000); ok {
		t.Error("non-canonical address translated")
	}
	mustPanic(t, "kernel template", e.tmpl.Destroy)
}

func TestKernelTemplateENOMEM(t *testing.T) {
	e := newEnv(t)
	for budget := 0; budget < 7; budget++ {
		e.alloc.budget = budget
		if _, err := NewKernelTemplate(e.mem, e.alloc); err != abi.ENOMEM {
			t.Fatalf("budget %d: err %v, want ENOMEM", budget, err)
		}
		e.checkLeaks()
	}
}

func TestAdoptKernelTemplate(t *testing.T) {
	e := newEnv(t)
	k, err := AdoptKernelTemplate(e.mem, e.alloc, e.tmpl.Root())
	if err != nil {
		t.Fatal(err)
	}
	as, err := NewAddressSpace(k)
	if err != nil {
		t.Fatal(err)
	}
	if pa, _, ok := as.Translate(20 * mib); !ok || pa != 20*mib {
		t.Fatalf("adopted kernel map not copied: %v %v", pa, ok)
	}
	as.Destroy()
	e.checkLeaks()

	bad := e.page()
	if _, err := AdoptKernelTemplate(e.mem, e.alloc, bad); err == nil || !strings.Contains(err.Error(), "PML4[0]") {
		t.Fatalf("empty PML4: %v", err)
	}
	pdpt := e.page()
	e.tmpl.setEntry(bad, 0, PTE(pdpt)|PTE_P|PTE_RW)
	e.tmpl.setEntry(pdpt, 0, PTE_P|PTE_RW|PTE_PS)
	if _, err := AdoptKernelTemplate(e.mem, e.alloc, bad); err == nil || !strings.Contains(err.Error(), "PDPT[0]") {
		t.Fatalf("1 GiB page in PDPT[0]: %v", err)
	}
}

func TestNewAddressSpaceLayout(t *testing.T) {
	e := newEnv(t)
	as, err := NewAddressSpace(e.tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if as.TablePages() != 3 {
		t.Fatalf("TablePages = %d, want 3", as.TablePages())
	}
	// Kernel mappings are there, the user windows are empty.
	for _, va := range []uintptr{0x1000, 16 * mib, 1*gib + 0x1234, 4*gib - 1} {
		if pa, leaf, ok := as.Translate(va); !ok || uintptr(pa) != va || leaf&PTE_US != 0 {
			t.Errorf("kernel address %#x: %v %v %v", va, pa, leaf, ok)
		}
	}
	for _, va := range []uintptr{0, UserLowStart, UserLowEnd - 1, UserHighStart, TaskSize - 1} {
		if _, _, ok := as.Translate(va); ok {
			t.Errorf("user address %#x is mapped in a new address space", va)
		}
	}
	if e := as.entry(as.Root(), 0); e.Addr() != as.pdpt0 || e.Flags() != tableFlags {
		t.Errorf("PML4[0] = %v", e)
	}
	if as.Root() == e.tmpl.Root() {
		t.Error("address space shares the template's PML4")
	}
	as.Destroy()
	e.checkLeaks()

	for budget := 0; budget < 3; budget++ {
		e.alloc.budget = budget
		if _, err := NewAddressSpace(e.tmpl); err != abi.ENOMEM {
			t.Fatalf("budget %d: %v", budget, err)
		}
		e.checkLeaks()
	}
	e.alloc.budget = -1

	// A template whose kernel entry is user-accessible breaks the
	// ownership rule: refuse it loudly.
	pd0 := e.tmpl.entry(e.tmpl.entry(e.tmpl.Root(), 0).Addr(), 0).Addr()
	e.tmpl.setEntry(pd0, 9, e.tmpl.entry(pd0, 9)|PTE_US)
	mustPanic(t, "user-accessible", func() { NewAddressSpace(e.tmpl) })
}

func TestMapLookupUnmapProtect(t *testing.T) {
	e := newEnv(t)
	as, _ := NewAddressSpace(e.tmpl)
	pa, pb := e.page(), e.page()
	va := UserHighStart + 0x1234000

	if flush, err := as.Map(va, pa, PTE_RW|PTE_NX); err != nil || flush {
		t.Fatalf("Map = %v, %v", flush, err)
	}
	if as.TablePages() != 5 {
		t.Fatalf("TablePages = %d, want 5 (PD and PT added below PDPT0)", as.TablePages())
	}
	pte, ok := as.Lookup(va + 0x10)
	if !ok || pte.Addr() != pa || pte.Flags() != PTE_P|PTE_RW|PTE_US|PTE_NX {
		t.Fatalf("Lookup = %v, %v", pte, ok)
	}
	if got, _, _ := as.Translate(va + 0x10); got != pa+0x10 {
		t.Fatalf("Translate = %v", got)
	}
	if flush, _ := as.Map(va, pa, PTE_RW|PTE_NX); flush {
		t.Error("rewriting the same entry asks for a flush")
	}
	if flush, _ := as.Map(va, pb, PTE_RW|PTE_NX); !flush {
		t.Error("changing a present entry's page needs a flush")
	}
	if flush, err := as.Protect(va, PTE_NX); err != nil || !flush {
		t.Errorf("Protect RW->RO = %v, %v", flush, err)
	}
	if flush, _ := as.Protect(va, PTE_NX); flush {
		t.Error("Protect to the same flags asks for a flush")
	}
	if flush, _ := as.Protect(va, PTE_PROTNONE); !flush {
		t.Error("Protect to PROTNONE needs a flush")
	}
	if pte, ok := as.Lookup(va); !ok || pte.Present() || pte.Addr() != pb {
		t.Errorf("PROTNONE entry = %v, %v", pte, ok)
	}
	if flush, _ := as.Protect(va, PTE_RW); flush {
		t.Error("making a non-present entry present asks for a flush")
	}
	old, ok := as.Unmap(va)
	if !ok || old.Addr() != pb || !old.Writable() {
		t.Fatalf("Unmap = %v, %v", old, ok)
	}
	if _, ok := as.Lookup(va); ok {
		t.Fatal("still mapped after Unmap")
	}
	if _, ok := as.Unmap(va); ok {
		t.Fatal("second Unmap found an entry")
	}
	if _, ok := as.Unmap(va + 4*gib); ok {
		t.Fatal("Unmap without tables found an entry")
	}
	if _, err := as.Protect(va, PTE_RW); err != ErrNotMapped {
		t.Fatalf("Protect of unmapped = %v", err)
	}
	if _, err := as.Protect(va+4*gib, PTE_RW); err != ErrNotMapped {
		t.Fatalf("Protect without tables = %v", err)
	}
	e.buddy.PutPage(pa)
	e.buddy.PutPage(pb)
	as.Destroy()
	e.checkLeaks()
}

func TestBadAddresses(t *testing.T) {
	e := newEnv(t)
	as, _ := NewAddressSpace(e.tmpl)
	pa := e.page()
	for _, va := range []uintptr{
		0, PageSize, UserLowStart - PageSize, UserLowEnd, 1 * gib, UserHighStart - PageSize,
		TaskSize, 1 << 47, 0xffff800000000000, ^uintptr(0) &^ (PageSize - 1), UserLowStart + 1,
	} {
		if _, err := as.Map(va, pa, PTE_RW); err != ErrBadAddr {
			t.Errorf("Map(%#x) = %v, want ErrBadAddr", va, err)
		}
		if _, err := as.Protect(va, PTE_RW); err != ErrBadAddr {
			t.Errorf("Protect(%#x) = %v, want ErrBadAddr", va, err)
		}
		if _, ok := as.Unmap(va); ok {
			t.Errorf("Unmap(%#x) found something", va)
		}
		if _, ok := as.Lookup(va); ok && !IsUserAddr(va) {
			t.Errorf("Lookup(%#x) found something", va)
		}
	}
	if as.Walk(1<<47) != nil {
		t.Error("Walk of a non-canonical address")
	}
	mustPanic(t, "bad leaf flags", func() { as.Map(UserLowStart, pa, PTE_PS) })
	as.Map(UserLowStart, pa, PTE_RW)
	mustPanic(t, "bad leaf flags", func() { as.Protect(UserLowStart, PTE_US) })
	as.Unmap(UserLowStart)
	// A large page where a user table belongs is a kernel bug.
	as.setEntry(as.pd0, 2, PTE(4*mib)|PTE_P|PTE_RW|PTE_US|PTE_PS)
	mustPanic(t, "walks into kernel entry", func() { as.Map(4*mib, pa, PTE_RW) })
	as.setEntry(as.pd0, 2, 0)
	e.buddy.PutPage(pa)
	as.Destroy()
	e.checkLeaks()
}

func TestWalkSteps(t *testing.T) {
	e := newEnv(t)
	as, _ := NewAddressSpace(e.tmpl)
	pa := e.page()
	va := UserLowStart + 5*PageSize
	as.Map(va, pa, PTE_RW|PTE_COW)
	steps := as.Walk(va)
	if len(steps) != 4 {
		t.Fatalf("Walk: %v", steps)
	}
	for i, s := range steps {
		if s.Level != 4-i {
			t.Errorf("step %d has level %d", i, s.Level)
		}
	}
	if steps[0].Table != as.Root() || steps[1].Table != as.pdpt0 || steps[2].Table != as.pd0 || steps[2].Index != 1 || steps[3].Index != 5 {
		t.Errorf("Walk: %v", steps)
	}
	s := steps[3].String()
	if !strings.HasPrefix(s, "PT (pte)") || !strings.HasSuffix(s, "P RW US COW") || !strings.Contains(s, "[  5]") {
		t.Errorf("step string %q", s)
	}
	if got := as.Walk(UserHighStart); len(got) != 2 || got[1].Entry.Present() {
		t.Errorf("Walk of unmapped high address: %v", got)
	}
	if got := as.Walk(0xffff800000000000); len(got) != 1 || got[0].Index != 256 {
		t.Errorf("Walk of the upper half: %v", got)
	}
	if got := (PTE_PROTNONE | PTE_US | PTE_NX | 0x5000).String(); got != "0x0000000000005000 - US PROTNONE NX" {
		t.Errorf("PTE string %q", got)
	}
	as.Unmap(va)
	e.buddy.PutPage(pa)
	as.Destroy()
	e.checkLeaks()
}

// mapScattered maps one fresh page at each address and returns the pages.
func mapScattered(t *testing.T, e *env, as *PageTable, vas []uintptr) []PhysAddr {
	t.Helper()
	var pas []PhysAddr
	for _, va := range vas {
		pa := e.page()
		if _, err := as.Map(va, pa, PTE_RW); err != nil {
			t.Fatal(err)
		}
		pas = append(pas, pa)
	}
	return pas
}

var scattered = []uintptr{
	UserLowStart, UserLowStart + 7*PageSize, UserLowEnd - PageSize,
	UserHighStart, UserHighStart + 2*mib, UserHighStart + 3*gib,
	0x7f0000000000, TaskSize - PageSize,
}

func TestRangeAndUpdate(t *testing.T) {
	e := newEnv(t)
	as, _ := NewAddressSpace(e.tmpl)
	pas := mapScattered(t, e, as, scattered)
	var got []uintptr
	as.Range(0, ^uintptr(0), func(va uintptr, pte PTE) bool {
		got = append(got, va)
		return true
	})
	if len(got) != len(scattered) {
		t.Fatalf("Range visited %#x", got)
	}
	for i := range got {
		if got[i] != scattered[i] {
			t.Fatalf("Range visited %#x, want %#x", got, scattered)
		}
	}
	n := 0
	as.Range(UserLowStart+PageSize, UserHighStart+3*gib, func(uintptr, PTE) bool { n++; return n < 3 })
	if n != 3 {
		t.Fatalf("Range did not stop: %d", n)
	}
	// Write-protect the high window, then unmap through Update.
	flush := as.Update(UserHighStart, TaskSize, func(va uintptr, pte PTE) PTE { return pte &^ PTE_RW })
	if !flush {
		t.Fatal("write-protecting present entries needs a flush")
	}
	if pte, _ := as.Lookup(UserHighStart + 2*mib); pte.Writable() {
		t.Fatal("Update did not write-protect")
	}
	if pte, _ := as.Lookup(UserLowStart); !pte.Writable() {
		t.Fatal("Update went outside its range")
	}
	if as.Update(UserHighStart, TaskSize, func(va uintptr, pte PTE) PTE { return pte }) {
		t.Fatal("no change, but a flush")
	}
	mustPanic(t, "not a user entry", func() {
		as.Update(UserLowStart, UserLowStart+PageSize, func(uintptr, PTE) PTE { return PTE_P })
	})
	as.Update(0, TaskSize, func(va uintptr, pte PTE) PTE { return 0 })
	as.Range(0, TaskSize, func(va uintptr, _ PTE) bool { t.Fatalf("%#x still mapped", va); return false })
	for _, pa := range pas {
		e.buddy.PutPage(pa)
	}
	as.Destroy()
	e.checkLeaks()
}

func TestFreeAndPruneTables(t *testing.T) {
	e := newEnv(t)
	as, _ := NewAddressSpace(e.tmpl)
	pas := mapScattered(t, e, as, scattered)
	// Low window: PD0[1] and PD0[7], 2 PTs. 4 GiB and 4 GiB + 2 MiB:
	// one PD below PDPT0, 2 PTs. 7 GiB: another PD and PT. The last two
	// are under PML4[254] and PML4[255]: a PDPT, PD and PT each.
	if want := 3 + 2 + (1 + 2) + (1 + 1) + 2*3; as.TablePages() != want {
		t.Fatalf("TablePages = %d, want %d", as.TablePages(), want)
	}
	// Pruning a range with live mappings frees nothing.
	before := as.TablePages()
	as.PruneEmptyTables(0, TaskSize)
	if as.TablePages() != before {
		t.Fatalf("prune freed live tables: %d -> %d", before, as.TablePages())
	}
	// Unmap the page at +3G and prune only there: its PD and PT go.
	as.Unmap(UserHighStart + 3*gib)
	as.PruneEmptyTables(UserHighStart+3*gib, UserHighStart+3*gib+PageSize)
	if as.TablePages() != before-2 {
		t.Fatalf("after prune: %d tables, want %d", as.TablePages(), before-2)
	}
	// Unmap the low window: its PT goes, PD0 stays.
	as.Unmap(UserLowStart)
	as.Unmap(UserLowStart + 7*PageSize)
	as.Unmap(UserLowEnd - PageSize)
	as.PruneEmptyTables(UserLowStart, UserLowEnd)
	if as.TablePages() != before-4 {
		t.Fatalf("after low prune: %d tables", as.TablePages())
	}
	// The kernel's entries survive everything.
	if pa, _, ok := as.Translate(0x1000); !ok || pa != 0x1000 {
		t.Fatal("kernel mapping lost")
	}
	as.FreeUserTables()
	if as.TablePages() != 3 {
		t.Fatalf("after FreeUserTables: %d tables", as.TablePages())
	}
	if pa, _, ok := as.Translate(20 * mib); !ok || pa != 20*mib {
		t.Fatal("kernel mapping lost")
	}
	as.Range(0, TaskSize, func(va uintptr, _ PTE) bool { t.Fatalf("%#x still mapped", va); return false })
	for _, pa := range pas {
		e.buddy.PutPage(pa)
	}
	as.Destroy()
	e.checkLeaks()
}

func TestMapENOMEM(t *testing.T) {
	e := newEnv(t)
	as, _ := NewAddressSpace(e.tmpl)
	pa := e.page()
	// With one allocation allowed per attempt, each attempt adds one
	// table (PDPT, PD, PT) and keeps it, as Linux keeps tables a failed
	// fault allocated; the third attempt succeeds.
	e.alloc.budget = 0
	if _, err := as.Map(TaskSize-PageSize, pa, PTE_RW); err != abi.ENOMEM {
		t.Fatalf("no memory: Map = %v", err)
	}
	for i, want := range []error{abi.ENOMEM, abi.ENOMEM, nil} {
		e.alloc.budget = 1
		if _, err := as.Map(TaskSize-PageSize, pa, PTE_RW); err != want {
			t.Fatalf("attempt %d: Map = %v, want %v", i, err, want)
		}
	}
	e.alloc.budget = -1
	as.Unmap(TaskSize - PageSize)
	e.buddy.PutPage(pa)
	as.Destroy()
	e.checkLeaks()
}

// TestManyAddressSpaces creates, fills and destroys many address spaces
// and checks that nothing leaks and the template is never written.
func TestManyAddressSpaces(t *testing.T) {
	e := newEnv(t)
	snapshot := func() []PTE {
		var s []PTE
		for _, va := range []uintptr{0x1000, 2 * mib, 16 * mib, 1 * gib, 3 * gib} {
			for _, st := range e.tmpl.Walk(va) {
				s = append(s, st.Entry)
			}
		}
		return s
	}
	before := snapshot()
	for round := 0; round < 50; round++ {
		as, err := NewAddressSpace(e.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		pa := e.page()
		for i := 0; i < 600; i++ {
			va := UserHighStart + uintptr(i*round+i)*PageSize
			if _, err := as.Map(va, pa, PTE_RW); err != nil {
				t.Fatal(err)
			}
		}
		as.Update(0, TaskSize, func(uintptr, PTE) PTE { return 0 })
		e.buddy.PutPage(pa)
		as.Destroy()
	}
	after := snapshot()
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("template entry %d changed: %v -> %v", i, before[i], after[i])
		}
	}
	e.checkLeaks()
}

func TestLayoutPredicates(t *testing.T) {
	for _, c := range []struct {
		va        uintptr
		canonical bool
		user      bool
	}{
		{0, true, false}, {UserLowStart, true, true}, {UserLowEnd - 1, true, true},
		{UserLowEnd, true, false}, {UserHighStart - 1, true, false}, {UserHighStart, true, true},
		{TaskSize - 1, true, true}, {TaskSize, true, false}, {1<<47 - 1, true, false},
		{1 << 47, false, false}, {0xffff800000000000, true, false}, {^uintptr(0), true, false},
	} {
		if IsCanonical(c.va) != c.canonical || IsUserAddr(c.va) != c.user {
			t.Errorf("%#x: canonical %v user %v", c.va, IsCanonical(c.va), IsUserAddr(c.va))
		}
	}
	if !IsUserRange(UserLowStart, UserLowEnd) || IsUserRange(UserLowStart, UserLowEnd+1) ||
		IsUserRange(UserLowEnd-PageSize, UserHighStart+PageSize) || IsUserRange(UserHighStart, UserHighStart) ||
		!IsUserRange(UserHighStart, TaskSize) || IsUserRange(0, PageSize) {
		t.Error("IsUserRange")
	}
}

func TestIndexRange(t *testing.T) {
	const pt, pd = PageShift, PageShift + 9 // 4 KiB and 2 MiB entries
	for _, c := range []struct {
		base       uintptr
		shift      uint
		start, end uintptr
		lo, hi     int
	}{
		{0, pt, 0, 4096, 0, 1},
		{0, pt, 4095, 4097, 0, 2},
		{0x200000, pt, 0x1ff000, 0x201000, 0, 1},       // starts below the table
		{0x200000, pt, 0x3ff000, 0x900000, 511, 512},   // ends beyond it
		{0x200000, pt, 0x100000, 0x200000, 0, 0},       // entirely below
		{0x40000000, pd, 0x40200000, 0x40200001, 1, 2}, // one byte
		{0, levelShift(levelPML4), 0x7f0000000000, TaskSize, 254, 256},
	} {
		if lo, hi := indexRange(c.base, c.shift, c.start, c.end); lo != c.lo || hi != c.hi {
			t.Errorf("indexRange(%#x, %d, %#x, %#x) = %d, %d; want %d, %d",
				c.base, c.shift, c.start, c.end, lo, hi, c.lo, c.hi)
		}
	}
}
