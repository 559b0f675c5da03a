package mm

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"tamix/abi"
)

// MaxOrder is the largest block order the buddy allocator hands out:
// blocks of 1<<MaxOrder pages, 4 MiB. Linux's MAX_PAGE_ORDER has the same
// default value, 10.
const MaxOrder = 10

// FrameAllocator hands out blocks of physical pages. The page tables take
// their table pages from one; *Buddy satisfies it.
type FrameAllocator interface {
	// AllocPages returns a block of 1<<order pages with a reference
	// count of 1, or abi.ENOMEM. The pages are not zeroed.
	AllocPages(order int) (PhysAddr, error)
	// FreePages drops the caller's reference to a block AllocPages
	// returned, with the same order, freeing it when no reference is left.
	FreePages(pa PhysAddr, order int)
}

// PageAllocator is a FrameAllocator whose pages carry reference counts, as
// the MM needs for pages shared after fork. *Buddy satisfies it.
type PageAllocator interface {
	FrameAllocator
	// GetPage takes a reference to the block containing pa.
	GetPage(pa PhysAddr)
	// PutPage drops a reference, freeing the block at zero.
	PutPage(pa PhysAddr)
	// PageCount returns the block's reference count (0 if free).
	PageCount(pa PhysAddr) int
	// TotalPages returns the number of pages the allocator manages
	// (Linux's totalram_pages()): the overcommit heuristic's RAM.
	TotalPages() uint64
}

// section is one contiguous range of managed frames with its descriptors.
type section struct {
	start, end uint64 // PFNs [start, end); set once by NewBuddy
	pages      []Page // pages[i] describes PFN start+i
}

// Buddy is the physical page allocator: a binary buddy system over one or
// more ranges of RAM, with a reference-counted Page descriptor per frame.
//
// Mirrors Linux's zone free areas (mm/page_alloc.c) for a single zone and a
// single CPU: there are no per-CPU page lists, no migrate types, no
// watermarks and no reclaim; an allocation that finds no block fails at
// once with ENOMEM.
type Buddy struct {
	mu sync.Mutex // the zone lock; protects everything below but sections
	// sections are the managed ranges sorted by address; immutable after
	// NewBuddy (their Page contents are protected by mu).
	sections []section
	free     [MaxOrder + 1]freeList // free blocks by order
	nrFree   uint64                 // free frames, all orders together
	total    uint64                 // managed frames; immutable
	poison   *pagePoison            // page_poison=on (poison.go); set before use, then immutable
}

// NewBuddy builds an allocator over the given ranges and frees all their
// frames into it. Ranges are trimmed to whole pages, sorted, and merged
// where they touch or overlap. An edge that is not aligned to a large
// block is covered by smaller blocks, so every whole page is usable.
//
// Mirrors memblock_free_all() handing memblock's free ranges to the buddy
// allocator (__free_pages_core() in blocks as large as alignment allows).
func NewBuddy(ranges ...Range) *Buddy {
	b := &Buddy{}
	for _, r := range normalizeRanges(ranges) {
		s := section{start: r.Start.PFN(), end: r.End.PFN()}
		s.pages = make([]Page, s.end-s.start)
		for i := range s.pages {
			s.pages[i].pfn = s.start + uint64(i)
		}
		b.sections = append(b.sections, s)
		b.total += s.end - s.start
	}
	for i := range b.sections {
		s := &b.sections[i]
		for pfn := s.start; pfn < s.end; {
			order := largestOrder(pfn, s.end-pfn)
			b.freeBlockLocked(&s.pages[pfn-s.start], order)
			b.nrFree += 1 << order
			pfn += 1 << order
		}
	}
	return b
}

// normalizeRanges rounds ranges inward to whole pages, drops empty ones,
// sorts them and merges overlapping or adjacent ones.
func normalizeRanges(ranges []Range) []Range {
	var rs []Range
	for _, r := range ranges {
		start := (r.Start + PageSize - 1) &^ (PageSize - 1)
		end := r.End &^ (PageSize - 1)
		if start < end && start >= r.Start {
			rs = append(rs, Range{start, end})
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	var out []Range
	for _, r := range rs {
		if n := len(out); n > 0 && r.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

// largestOrder returns the order of the largest block that starts at pfn
// (so is aligned there) and has at most n pages.
func largestOrder(pfn, n uint64) int {
	order := 0
	for order < MaxOrder && pfn&(1<<order) == 0 && 2<<order <= n {
		order++
	}
	return order
}

// page returns the descriptor of pfn, or nil if the allocator does not
// manage it (Linux's pfn_to_page after pfn_valid).
func (b *Buddy) page(pfn uint64) *Page {
	i := sort.Search(len(b.sections), func(i int) bool { return b.sections[i].end > pfn })
	if i == len(b.sections) || pfn < b.sections[i].start {
		return nil
	}
	s := &b.sections[i]
	return &s.pages[pfn-s.start]
}

// mustPage returns the descriptor of pa, panicking if the allocator does
// not manage it or pa is not page aligned.
func (b *Buddy) mustPage(pa PhysAddr, who string) *Page {
	p := b.page(pa.PFN())
	if p == nil || pa.PageOffset() != 0 {
		panic(fmt.Sprintf("mm: %s(%v): not a page of managed RAM", who, pa))
	}
	return p
}

// Page returns the descriptor of the frame at pa, or nil if the allocator
// does not manage that frame. The descriptor is for reading in debuggers
// and tests; its fields change under the allocator's lock.
func (b *Buddy) Page(pa PhysAddr) *Page { return b.page(pa.PFN()) }

// AllocPages returns a block of 1<<order physically contiguous pages,
// aligned to its size, with a reference count of 1. It returns abi.ENOMEM
// when no block of that order or larger is free, and abi.EINVAL for an
// order outside 0..MaxOrder. The contents are not zeroed: callers that need
// zeroed memory clear it through Memory (Linux's __GFP_ZERO).
//
// Mirrors mm/page_alloc.c:__alloc_pages() reduced to its fast path,
// __rmqueue_smallest() + expand() + prep_new_page().
func (b *Buddy) AllocPages(order int) (PhysAddr, error) {
	if order < 0 || order > MaxOrder {
		return 0, abi.EINVAL
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for o := order; o <= MaxOrder; o++ {
		p := b.free[o].pop()
		if p == nil {
			continue
		}
		p.flags &^= PageBuddy
		b.expandLocked(p, order, o)
		b.nrFree -= 1 << order
		b.prepNewPageLocked(p, order)
		if b.poison != nil {
			b.poison.checkLocked(b, p, order)
		}
		return p.Addr(), nil
	}
	return 0, abi.ENOMEM
}

// expandLocked splits the free block of order high at p down to order low,
// putting the upper halves back on the free lists (Linux's expand()).
func (b *Buddy) expandLocked(p *Page, low, high int) {
	for high > low {
		high--
		half := b.page(p.pfn + 1<<high)
		half.flags |= PageBuddy
		half.order = uint8(high)
		b.free[high].push(half)
	}
}

// prepNewPageLocked gives a freshly allocated block its reference and, for
// order > 0, marks head and tails (Linux's prep_new_page() with
// prep_compound_page(); Tamix treats every higher-order block as compound).
func (b *Buddy) prepNewPageLocked(p *Page, order int) {
	p.refcount = 1
	p.order = uint8(order)
	if order == 0 {
		return
	}
	p.flags |= PageHead
	for i := uint64(1); i < 1<<order; i++ {
		t := b.page(p.pfn + i)
		t.flags |= PageTail
		t.order = uint8(order)
	}
}

// headLocked returns the first page of the allocated block containing p
// (Linux's compound_head()).
func (b *Buddy) headLocked(p *Page) *Page {
	if p.flags&PageTail == 0 {
		return p
	}
	return b.page(p.pfn &^ (1<<p.order - 1))
}

// FreePages drops the caller's reference to the block at pa, which
// AllocPages returned with the same order, and frees the block when the
// count reaches zero. Freeing a free page, a tail page, or with the wrong
// order panics: those are kernel bugs.
//
// Mirrors mm/page_alloc.c:__free_pages(): put_page_testzero() and then
// __free_one_page(), which merges the block with its free buddies.
func (b *Buddy) FreePages(pa PhysAddr, order int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.mustPage(pa, "FreePages")
	switch {
	case p.flags&PageTail != 0:
		panic(fmt.Sprintf("mm: FreePages(%v, %d): tail page of a block (%v)", pa, order, p))
	case p.flags&PageBuddy != 0 || p.refcount == 0:
		panic(fmt.Sprintf("mm: FreePages(%v, %d): double free (%v)", pa, order, p))
	case int(p.order) != order:
		panic(fmt.Sprintf("mm: FreePages(%v, %d): block has order %d", pa, order, p.order))
	}
	b.putLocked(p)
}

// GetPage takes a reference to the block containing pa, which must be
// allocated. Mirrors include/linux/mm.h:get_page().
func (b *Buddy) GetPage(pa PhysAddr) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.headLocked(b.mustPage(pa, "GetPage"))
	if p.refcount <= 0 {
		panic(fmt.Sprintf("mm: GetPage(%v): page is free (%v)", pa, p))
	}
	p.refcount++
}

// PutPage drops a reference to the block containing pa and frees the block
// when the count reaches zero. Mirrors mm/swap.c:put_page() for pages that
// are neither on an LRU nor in a page cache.
func (b *Buddy) PutPage(pa PhysAddr) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.headLocked(b.mustPage(pa, "PutPage"))
	if p.refcount <= 0 {
		panic(fmt.Sprintf("mm: PutPage(%v): page is already free (%v)", pa, p))
	}
	b.putLocked(p)
}

// putLocked drops a reference to the block headed by p, freeing it at 0.
func (b *Buddy) putLocked(p *Page) {
	p.refcount--
	if p.refcount > 0 {
		return
	}
	order := int(p.order)
	p.flags &^= PageHead
	for i := uint64(1); i < 1<<order; i++ {
		t := b.page(p.pfn + i)
		t.flags &^= PageTail
		t.order = 0
	}
	if b.poison != nil {
		b.poison.fillLocked(b, p, order)
	}
	b.freeBlockLocked(p, order)
	b.nrFree += 1 << order
}

// PageCount returns the reference count of the block containing pa: 0 if
// it is free. Mirrors include/linux/mm.h:page_count().
func (b *Buddy) PageCount(pa PhysAddr) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.mustPage(pa, "PageCount")
	if p.flags&PageTail == 0 && p.refcount == 0 {
		return 0 // free, or inside a free block
	}
	return int(b.headLocked(p).refcount)
}

// freeBlockLocked puts the block of the given order at p on the free lists,
// first merging it with its buddy as long as the buddy is a free block of
// the same order. Mirrors mm/page_alloc.c:__free_one_page().
func (b *Buddy) freeBlockLocked(p *Page, order int) {
	pfn := p.pfn
	p.order = 0 // set again below if p stays the head of the merged block
	for order < MaxOrder {
		buddy := b.page(pfn ^ 1<<order)
		if buddy == nil || buddy.flags&PageBuddy == 0 || int(buddy.order) != order {
			break
		}
		b.free[order].remove(buddy)
		buddy.flags &^= PageBuddy
		buddy.order = 0
		pfn &^= 1 << order
		order++
	}
	head := b.page(pfn)
	head.flags |= PageBuddy
	head.order = uint8(order)
	b.free[order].push(head)
}

// FreePageCount returns the number of free frames (Linux's NR_FREE_PAGES).
// Tests read it before and after a piece of work to find leaks.
func (b *Buddy) FreePageCount() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nrFree
}

// TotalPages returns the number of frames the allocator manages.
func (b *Buddy) TotalPages() uint64 { return b.total }

// FreeCounts returns the number of free blocks of each order, the numbers
// /proc/buddyinfo shows.
func (b *Buddy) FreeCounts() [MaxOrder + 1]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n [MaxOrder + 1]int
	for o := range b.free {
		n[o] = b.free[o].count
	}
	return n
}

// Ranges returns the physical ranges the allocator manages.
func (b *Buddy) Ranges() []Range {
	var rs []Range
	for _, s := range b.sections {
		rs = append(rs, Range{PhysAddr(s.start << PageShift), PhysAddr(s.end << PageShift)})
	}
	return rs
}

// String formats the free counts as a /proc/buddyinfo line.
func (b *Buddy) String() string {
	var sb strings.Builder
	sb.WriteString("Node 0, zone   Normal")
	for _, n := range b.FreeCounts() {
		fmt.Fprintf(&sb, " %6d", n)
	}
	return sb.String()
}
