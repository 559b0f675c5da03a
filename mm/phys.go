// Package mm is Tamix's memory management: the buddy allocator of physical
// pages with a reference-counted descriptor per page, four-level x86-64
// page tables, address spaces (MM) made of VMAs, page faults (demand zero,
// copy on write, stack growth), the copies between kernel and user memory,
// and the brk, mmap, munmap and mprotect system calls.
//
// The package is pure logic: it reaches physical memory only through the
// Memory interface, flushes TLBs only through the TLB interface, and never
// loads CR3. Arch code provides the real implementations (the identity map,
// INVLPG, a CR3 write); host tests use SimMemory and a recording TLB, so
// `go test ./mm` runs the same code in milliseconds.
package mm

import (
	"fmt"
	"sort"
	"sync"
)

// PhysAddr is a physical address. Tamix identity-maps physical memory for
// the kernel, so a kernel virtual address of RAM has the same value, but the
// type keeps the two apart in signatures.
type PhysAddr uint64

// Page geometry of x86-64 with 4 KiB pages (arch/x86/include/asm/page_types.h).
const (
	PageShift = 12
	PageSize  = 1 << PageShift
	PageMask  = ^uintptr(PageSize - 1) // Linux's PAGE_MASK: clears the offset
)

// PFN returns the page frame number of pa (Linux's PHYS_PFN).
func (pa PhysAddr) PFN() uint64 { return uint64(pa) >> PageShift }

// PageOffset returns the offset of pa within its page.
func (pa PhysAddr) PageOffset() uint64 { return uint64(pa) & (PageSize - 1) }

// String formats pa in hex, as Linux prints %pa.
func (pa PhysAddr) String() string { return fmt.Sprintf("%#x", uint64(pa)) }

// PageAlign rounds a up to a page boundary (Linux's PAGE_ALIGN). It wraps to
// 0 for addresses in the last page of the address space, which callers treat
// as overflow, as Linux's do_mmap does.
func PageAlign(a uintptr) uintptr { return (a + PageSize - 1) & PageMask }

// PageAlignDown rounds a down to a page boundary (a & PAGE_MASK).
func PageAlignDown(a uintptr) uintptr { return a & PageMask }

// PageAligned reports whether a is on a page boundary (!offset_in_page(a)).
func PageAligned(a uintptr) bool { return a&(PageSize-1) == 0 }

// Memory gives the kernel access to physical page frames. The real
// implementation (arch code) returns the frame through the identity map;
// SimMemory backs frames with Go arrays.
//
// Frame panics if pa is not the start of a page of RAM: every caller in this
// package passes an address it got from the allocator or a page table, so a
// bad address is a kernel bug. Linux's counterpart is page_address() /
// phys_to_virt() on the direct map.
type Memory interface {
	Frame(pa PhysAddr) *[PageSize]byte
}

// Range is a half-open range of physical addresses [Start, End).
type Range struct {
	Start, End PhysAddr
}

// Size returns the number of bytes in r.
func (r Range) Size() uint64 { return uint64(r.End - r.Start) }

// Contains reports whether pa lies in r.
func (r Range) Contains(pa PhysAddr) bool { return pa >= r.Start && pa < r.End }

// String formats r as Linux prints a memblock range.
func (r Range) String() string {
	return fmt.Sprintf("[mem 0x%016x-0x%016x]", uint64(r.Start), uint64(r.End)-1)
}

// SimMemory is a simulated physical memory for host tests: the frames of the
// given ranges, allocated (zero-filled) on first use so a large simulated
// range costs only the pages a test touches. Frame panics for an address
// outside the ranges, which catches stray physical addresses in tests.
type SimMemory struct {
	ranges []Range                    // sorted; immutable
	mu     sync.Mutex                 // protects frames
	frames map[uint64]*[PageSize]byte // by PFN; grows as frames are touched
}

// NewSimMemory returns a simulated memory made of the given ranges, which
// must be page aligned.
func NewSimMemory(ranges ...Range) *SimMemory {
	rs := append([]Range(nil), ranges...)
	for _, r := range rs {
		if r.Start.PageOffset() != 0 || r.End.PageOffset() != 0 {
			panic(fmt.Sprintf("mm: SimMemory range %v is not page aligned", r))
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	return &SimMemory{ranges: rs, frames: make(map[uint64]*[PageSize]byte)}
}

// Frame returns the frame at pa, which must be page aligned and inside one
// of the memory's ranges.
func (m *SimMemory) Frame(pa PhysAddr) *[PageSize]byte {
	if pa.PageOffset() != 0 {
		panic(fmt.Sprintf("mm: SimMemory.Frame(%v): not page aligned", pa))
	}
	i := sort.Search(len(m.ranges), func(i int) bool { return m.ranges[i].End > pa })
	if i == len(m.ranges) || !m.ranges[i].Contains(pa) {
		panic(fmt.Sprintf("mm: SimMemory.Frame(%v): not in simulated RAM", pa))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.frames[pa.PFN()]
	if f == nil {
		f = new([PageSize]byte)
		m.frames[pa.PFN()] = f
	}
	return f
}

// TouchedFrames returns how many frames have been materialised, for tests
// that check the simulation stays small.
func (m *SimMemory) TouchedFrames() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.frames)
}

// SubtractRanges returns the parts of ranges not covered by any of holes,
// sorted by address. Arch code uses it to take the first 16 MiB and the Go
// runtime's image out of the memory map's usable RAM before handing the rest
// to NewBuddy. Mirrors what memblock_reserve() achieves for Linux's
// memblock_free_all(), on plain slices.
func SubtractRanges(ranges []Range, holes ...Range) []Range {
	out := append([]Range(nil), ranges...)
	for _, h := range holes {
		var next []Range
		for _, r := range out {
			if h.End <= r.Start || h.Start >= r.End {
				next = append(next, r)
				continue
			}
			if r.Start < h.Start {
				next = append(next, Range{r.Start, h.Start})
			}
			if h.End < r.End {
				next = append(next, Range{h.End, r.End})
			}
		}
		out = next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}
