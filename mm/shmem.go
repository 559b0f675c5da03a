package mm

import "sync"

// shmObject holds the pages of a shared anonymous mapping: the pages every
// MAP_SHARED|MAP_ANONYMOUS view of it sees, in the parent and in children
// after fork. A page is allocated, zeroed, on the first fault at its
// offset and stays until the last view goes, even if munmap removes the
// part of a view that mapped it (as a shmem file keeps its pages).
//
// Mirrors the shmem file Linux sets up for such a mapping
// (mm/shmem.c:shmem_zero_setup()), with a map where Linux has a page cache.
type shmObject struct {
	mu sync.Mutex // protects pages and refs: views in several MMs share the object
	// pages maps a page index to its page, which holds one reference
	// for the object. Protected by mu.
	pages map[uint64]PhysAddr
	// refs counts the VMAs, in any MM, that map the object. Protected by mu.
	refs int
}

// newShmObject returns an empty object with one view.
func newShmObject() *shmObject {
	return &shmObject{pages: make(map[uint64]PhysAddr), refs: 1}
}

// get adds a view.
func (o *shmObject) get() {
	o.mu.Lock()
	o.refs++
	o.mu.Unlock()
}

// put removes a view; the last one drops the object's page references.
func (o *shmObject) put(pages PageAllocator) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refs--
	if o.refs > 0 {
		return
	}
	for idx, pa := range o.pages {
		pages.PutPage(pa)
		delete(o.pages, idx)
	}
}

// page returns the page at index idx, allocating and zeroing it on first
// use. The object keeps its own reference; the caller takes another for
// its mapping. Mirrors shmem_get_folio() on a hole.
func (o *shmObject) page(idx uint64, pages PageAllocator, mem Memory) (PhysAddr, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if pa, ok := o.pages[idx]; ok {
		return pa, nil
	}
	pa, err := pages.AllocPages(0)
	if err != nil {
		return 0, err
	}
	clear(mem.Frame(pa)[:])
	o.pages[idx] = pa
	return pa, nil
}
