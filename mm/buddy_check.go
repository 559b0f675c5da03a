package mm

import "fmt"

// Check verifies the allocator's invariants and returns the first
// violation found, or nil:
//   - every block on a free list of order k is a PageBuddy head of order k,
//     aligned to 1<<k pages, inside one managed range, with refcount 0 and
//     no flags on its other pages;
//   - no two free blocks of the same order below MaxOrder are buddies (they
//     would have been merged);
//   - every page outside free blocks belongs to an allocated block: an
//     order-0 page or a PageHead with refcount > 0, tails with refcount 0;
//   - the free lists' lengths and the free-frame counter agree with the
//     descriptors.
//
// Tests call it after every operation sequence. Linux checks the same
// things piecemeal (bad_page(), page_expected_state(), VM_BUG_ON_PAGE);
// Tamix can afford a full scan because it manages little memory.
func (b *Buddy) Check() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.checkListsLocked(); err != nil {
		return err
	}
	var free uint64
	for i := range b.sections {
		n, err := b.checkSectionLocked(&b.sections[i])
		if err != nil {
			return err
		}
		free += n
	}
	if free != b.nrFree {
		return fmt.Errorf("free blocks hold %d frames, counter says %d", free, b.nrFree)
	}
	return nil
}

// checkListsLocked checks each free list's entries and length.
func (b *Buddy) checkListsLocked() error {
	for order := range b.free {
		n := 0
		var prev *Page
		for p := b.free[order].head; p != nil; p = p.next {
			if p.prev != prev {
				return fmt.Errorf("order %d list: broken back link at %v", order, p)
			}
			if p.flags&^PagePoisoned != PageBuddy || int(p.order) != order || p.refcount != 0 {
				return fmt.Errorf("order %d list holds %v", order, p)
			}
			if p.pfn&(1<<order-1) != 0 {
				return fmt.Errorf("order %d list: block %v is misaligned", order, p)
			}
			if order < MaxOrder {
				if q := b.page(p.pfn ^ 1<<order); q != nil && q.flags&PageBuddy != 0 && int(q.order) == order {
					return fmt.Errorf("order %d: free buddies %v and %v not merged", order, p, q)
				}
			}
			prev = p
			n++
		}
		if n != b.free[order].count {
			return fmt.Errorf("order %d list has %d blocks, count says %d", order, n, b.free[order].count)
		}
	}
	return nil
}

// checkSectionLocked walks one section block by block and returns the
// number of frames in free blocks.
func (b *Buddy) checkSectionLocked(s *section) (uint64, error) {
	var free uint64
	for pfn := s.start; pfn < s.end; {
		p := &s.pages[pfn-s.start]
		order := int(p.order)
		end := pfn + 1<<order
		if p.flags&PagePoisoned != 0 && p.flags&PageBuddy == 0 {
			return 0, fmt.Errorf("allocated page %v still marked poisoned", p)
		}
		switch {
		case p.flags&^PagePoisoned == PageBuddy && p.refcount == 0:
			free += 1 << order
		case p.flags == PageHead && p.refcount > 0 && order > 0:
		case p.flags == 0 && p.refcount > 0 && order == 0:
		default:
			return 0, fmt.Errorf("bad block head %v", p)
		}
		if end > s.end {
			return 0, fmt.Errorf("block %v runs past its range's end pfn %#x", p, s.end)
		}
		for q := pfn + 1; q < end; q++ {
			t := &s.pages[q-s.start]
			want := PageFlags(0)
			if p.flags == PageHead {
				want = PageTail
			}
			if t.flags&^PagePoisoned != want || t.refcount != 0 || (want == PageTail && int(t.order) != order) {
				return 0, fmt.Errorf("bad page %v inside block %v", t, p)
			}
		}
		pfn = end
	}
	return free, nil
}
