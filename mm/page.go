package mm

import "fmt"

// PageFlags are the state bits of a page descriptor (a small subset of
// Linux's page flags and page types, include/linux/page-flags.h).
type PageFlags uint16

const (
	// PageBuddy marks the first page of a free block on a buddy free
	// list; Page.order is the block's order (Linux's PG_buddy page type).
	PageBuddy PageFlags = 1 << iota
	// PageHead marks the first page of an allocated block of order > 0;
	// its refcount counts references to the whole block (PG_head).
	PageHead
	// PageTail marks the other pages of an allocated block of order > 0;
	// their refcount stays 0 and references resolve to the head (Linux
	// keeps compound_head in the tail; here the head is found by aligning
	// the PFN down to the block order kept in Page.order).
	PageTail
)

// String lists the set flags, as Linux's %pGp prints them.
func (f PageFlags) String() string {
	s := ""
	for _, n := range []struct {
		f    PageFlags
		name string
	}{{PageBuddy, "buddy"}, {PageHead, "head"}, {PageTail, "tail"}, {PagePoisoned, "poisoned"}} {
		if f&n.f != 0 {
			if s != "" {
				s += "|"
			}
			s += n.name
		}
	}
	if s == "" {
		return "0"
	}
	return s
}

// Page describes one physical page frame: Linux's struct page, reduced to
// what Tamix uses. There is one per frame of the memory the buddy
// allocator manages, in a slice per physical range (like SPARSEMEM's
// per-section mem_map).
type Page struct {
	// pfn is the page frame number; set once when the allocator is built.
	pfn uint64
	// refcount is Linux's _refcount: 0 while the page is free, 1 after
	// allocation, +1 per extra user (page-table mappings, a shared
	// anonymous object). Protected by Buddy.mu.
	refcount int32
	// flags holds PageBuddy, PageHead, PageTail. Protected by Buddy.mu.
	flags PageFlags
	// order is the block's order for a free block head (PageBuddy) and for
	// every page of an allocated block of order > 0. Protected by Buddy.mu.
	order uint8
	// next and prev link the free block heads of one order (Linux's
	// page->buddy_list). Protected by Buddy.mu.
	next, prev *Page
}

// Addr returns the physical address of the frame p describes.
func (p *Page) Addr() PhysAddr { return PhysAddr(p.pfn << PageShift) }

// String formats the descriptor for debugging, like Linux's dump_page().
func (p *Page) String() string {
	return fmt.Sprintf("page pfn:%#x refcount:%d order:%d flags:%v", p.pfn, p.refcount, p.order, p.flags)
}

// freeList is the list of free blocks of one order with its length
// (Linux's struct free_area: free_list and nr_free).
type freeList struct {
	head  *Page
	count int
}

// push adds p at the front of the list.
func (l *freeList) push(p *Page) {
	p.prev, p.next = nil, l.head
	if l.head != nil {
		l.head.prev = p
	}
	l.head = p
	l.count++
}

// remove unlinks p, which must be on the list.
func (l *freeList) remove(p *Page) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		l.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	}
	p.next, p.prev = nil, nil
	l.count--
}

// pop removes and returns the first block, or nil if the list is empty.
func (l *freeList) pop() *Page {
	p := l.head
	if p != nil {
		l.remove(p)
	}
	return p
}
