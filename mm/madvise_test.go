package mm

import (
	"strings"
	"testing"

	"tamix/abi"
)

func TestMadviseDontneedZeroes(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 4*PageSize, protRW, private|anon)
	for i := uintptr(0); i < 4; i++ {
		write(t, m, a+i*PageSize, "data")
	}
	if err := m.Madvise(a+PageSize, 2*PageSize, MADV_DONTNEED); err != nil {
		t.Fatalf("MADV_DONTNEED: %v", err)
	}
	want := []string{"data", "\x00\x00\x00\x00", "\x00\x00\x00\x00", "data"}
	for i, w := range want {
		if got := read(t, m, a+uintptr(i)*PageSize, 4); got != w {
			t.Errorf("page %d after MADV_DONTNEED: %q, want %q", i, got, w)
		}
	}
	if s := m.Stats(); s.RSSPages != 4 {
		t.Errorf("RSS %d pages, want 4 (two dropped, faulted back)", s.RSSPages)
	}
	m.Release()
	e.checkLeaks()
}

func TestMadviseAfterForkKeepsParent(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 128*PageSize, protRW, private|anon)
	for i := uintptr(0); i < 128; i++ {
		write(t, m, a+i*PageSize, "parent")
	}
	c, err := m.Dup()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Madvise(a, 128*PageSize, MADV_FREE); err != nil {
		t.Fatalf("MADV_FREE in the child: %v", err)
	}
	if got := read(t, c, a, 6); got != strings.Repeat("\x00", 6) {
		t.Errorf("child reads %q after MADV_FREE", got)
	}
	if got := read(t, m, a+5*PageSize, 6); got != "parent" {
		t.Errorf("parent reads %q, want its data", got)
	}
	c.Release()
	m.Release()
	e.checkLeaks()
}

func TestMadviseErrors(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private|anon)
	for _, c := range []struct {
		name   string
		addr   uintptr
		length uintptr
		advice int
		want   error
	}{
		{"unaligned", a + 1, PageSize, MADV_DONTNEED, abi.EINVAL},
		{"unknown advice", a, PageSize, 99, abi.EINVAL},
		{"length 0", a, 0, MADV_DONTNEED, nil},
		{"hint", a, PageSize, MADV_HUGEPAGE, nil},
		{"hole after the area", a, 3 * PageSize, MADV_DONTNEED, abi.ENOMEM},
		{"wraps", a, ^uintptr(0) - PageSize, MADV_NORMAL, abi.EINVAL},
	} {
		if err := m.Madvise(c.addr, c.length, c.advice); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	m.Release()
	e.checkLeaks()
}

func TestTotalVMAsBoundsForkAndMmap(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	for i := 0; i < 8; i++ { // eight areas that cannot merge
		prot := protRW
		if i%2 == 1 {
			prot = abi.PROT_READ
		}
		mustMmap(t, m, UserHighStart+uintptr(i)*PageSize, PageSize, prot, private|anon|abi.MAP_FIXED)
	}
	base := TotalVMAs()
	if base < 8 {
		t.Fatalf("TotalVMAs %d with 8 areas mapped", base)
	}
	saved := maxTotalVMAs
	maxTotalVMAs = base + 4 // room for less than one copy
	defer func() { maxTotalVMAs = saved }()
	if c, err := m.Dup(); err != abi.ENOMEM {
		t.Errorf("fork past the budget: %v, want ENOMEM", err)
		if c != nil {
			c.Release()
		}
	}
	maxTotalVMAs = base
	if _, err := m.Mmap(0, PageSize, abi.PROT_EXEC, private|anon, -1, 0); err != abi.ENOMEM {
		t.Errorf("mmap at the budget: %v, want ENOMEM", err)
	}
	maxTotalVMAs = saved
	m.Release()
	if TotalVMAs() != base-8 {
		t.Errorf("TotalVMAs %d after Release, want %d", TotalVMAs(), base-8)
	}
	e.checkLeaks()
}
