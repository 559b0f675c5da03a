package mm

import "fmt"

// Page poisoning (Linux's page_poison=on, mm/page_poison.c): every page
// freed to the buddy allocator is filled with PagePoisonByte, and a page
// handed out again is checked to still hold it. A write through a stale
// pointer to freed memory (a use after free) then shows up at the next
// allocation of that page instead of corrupting its next owner silently.
//
// Linux poisons every free page from boot on. Tamix marks the pages it
// poisoned (PagePoisoned), so that turning poisoning on does not have to
// fill the pages that were free before, and checks only marked pages.

// PagePoisonByte is Linux's PAGE_POISON (include/linux/poison.h).
const PagePoisonByte = 0xaa

// PagePoisoned marks a free page filled with PagePoisonByte; cleared when
// the page is allocated and checked. Protected by Buddy.mu.
const PagePoisoned PageFlags = PageTail << 1

// PoisonError describes a poisoned page found changed.
type PoisonError struct {
	Addr PhysAddr // the first byte that changed
	Got  byte
}

func (e *PoisonError) Error() string {
	return fmt.Sprintf("page_poison: memory corruption at %v: 0x%02x, want 0x%02x (a write to a freed page)",
		e.Addr, e.Got, PagePoisonByte)
}

// pagePoison is the poisoning state of a Buddy.
type pagePoison struct {
	mem     Memory
	report  func(*PoisonError) // called with Buddy.mu held; may panic
	pattern [PageSize]byte
}

// EnablePagePoison turns poisoning on: pages freed from now on are
// filled through mem, and report is called (with the allocator's lock
// held) for each poisoned page found changed when it is allocated. Call
// it before the allocator is shared (at boot). Mirrors the page_poison=
// boot option.
func (b *Buddy) EnablePagePoison(mem Memory, report func(*PoisonError)) {
	pp := &pagePoison{mem: mem, report: report}
	for i := range pp.pattern {
		pp.pattern[i] = PagePoisonByte
	}
	b.mu.Lock()
	b.poison = pp
	b.mu.Unlock()
}

// fillLocked poisons the block of 1<<order pages headed by p, being
// freed. Mirrors kernel_poison_pages(). Caller holds b.mu.
func (pp *pagePoison) fillLocked(b *Buddy, p *Page, order int) {
	for i := uint64(0); i < 1<<order; i++ {
		q := b.page(p.pfn + i)
		copy(pp.mem.Frame(q.Addr())[:], pp.pattern[:])
		q.flags |= PagePoisoned
	}
}

// checkLocked checks the poisoned pages of the block of 1<<order pages
// headed by p, just allocated, and unmarks them. Mirrors
// kernel_unpoison_pages() and check_poison_mem(). Caller holds b.mu.
func (pp *pagePoison) checkLocked(b *Buddy, p *Page, order int) {
	for i := uint64(0); i < 1<<order; i++ {
		q := b.page(p.pfn + i)
		if q.flags&PagePoisoned == 0 {
			continue
		}
		q.flags &^= PagePoisoned
		f := pp.mem.Frame(q.Addr())
		if *f == pp.pattern {
			continue
		}
		for off, c := range f {
			if c != PagePoisonByte {
				pp.report(&PoisonError{Addr: q.Addr() + PhysAddr(off), Got: c})
				break
			}
		}
	}
}
