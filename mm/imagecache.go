package mm

import (
	"sync"

	"tamix/abi"
)

// ImageCache keeps the pages of programs' read-only segments from one
// exec to the next, so that the next exec of the same program maps the
// same physical pages copy-on-write instead of copying the file into new
// ones.
//
// Mirrors the part of Linux's page cache (mm/filemap.c) that exec uses:
// load_elf_binary() mmaps each segment from the file, and read faults map
// the file's cached pages (filemap_map_pages()). Tamix has no page cache
// under tmpfs (file data lives in the Go heap), so it keeps whole user
// pages by file and address, and compares each with what the file holds
// now at every exec: a file written since never maps stale bytes.
//
// Besides the copy, this saves a lot under QEMU's TCG, which keys the
// code it has translated by physical address: a page written by the
// kernel throws away the translations of the code it held before (and
// pages freed by an exiting program are the first the next one gets), and
// code in a new page must be translated again. A cached page keeps its
// translations from one run of the program to the next, as a page-cache
// page does on Linux.
type ImageCache struct {
	pages PageAllocator // immutable
	mem   Memory        // immutable
	max   int           // the most pages kept; immutable

	mu sync.Mutex // protects m
	m  map[ImageKey]PhysAddr
}

// ImageKey names a cached page: the file and the user address the page
// is mapped at (the address decides which bytes of the file, and which
// zeros, the page holds).
type ImageKey struct {
	File any // a comparable value naming the file (its super block and inode number)
	VA   uintptr
}

// NewImageCache returns an empty cache of at most max pages from pages,
// reached through the template's memory.
func NewImageCache(template *PageTable, pages PageAllocator, max int) *ImageCache {
	return &ImageCache{pages: pages, mem: template.mem, max: max, m: map[ImageKey]PhysAddr{}}
}

// Page returns a page whose bytes are content, with a reference the
// caller owns (MM.MapPage takes it over): the cached page for key if it
// holds exactly content, otherwise a new page with content copied in,
// which replaces the cached one. When the cache is full it is emptied
// first. abi.ENOMEM if no page is left even after that. Mirrors, loosely,
// filemap_fault()'s find-or-read of one page.
func (c *ImageCache) Page(key ImageKey, content *[PageSize]byte) (PhysAddr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pa, ok := c.m[key]; ok {
		if *c.mem.Frame(pa) == *content {
			c.pages.GetPage(pa)
			return pa, nil
		}
		delete(c.m, key)
		c.pages.PutPage(pa)
	}
	if len(c.m) >= c.max {
		c.dropLocked()
	}
	pa, err := c.pages.AllocPages(0)
	if err != nil && c.dropLocked() > 0 {
		pa, err = c.pages.AllocPages(0)
	}
	if err != nil {
		return 0, abi.ENOMEM
	}
	*c.mem.Frame(pa) = *content
	c.m[key] = pa
	c.pages.GetPage(pa) // the caller's
	return pa, nil
}

// Len returns the number of pages the cache holds.
func (c *ImageCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Drop empties the cache and returns how many pages it held; pages still
// mapped somewhere stay with their mappings. Mirrors what
// "echo 1 > /proc/sys/vm/drop_caches" does to the page cache.
func (c *ImageCache) Drop() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropLocked()
}

func (c *ImageCache) dropLocked() int {
	n := len(c.m)
	for k, pa := range c.m {
		delete(c.m, k)
		c.pages.PutPage(pa)
	}
	return n
}

// MapPage maps the page pa at the user page address va of the private
// area covering it, read-only and copy-on-write whatever the area
// allows (a write, once the area allows one, copies the page), and takes
// over the caller's reference to pa. va must not be mapped yet.
// abi.EFAULT if no private area covers va, abi.EEXIST if va is mapped,
// abi.ENOMEM if a page table cannot be allocated; the caller keeps its
// reference on error. Mirrors mm/memory.c:do_read_fault() mapping a
// page-cache page into a private file mapping (a later write is
// do_cow_fault()).
func (mm *MM) MapPage(va uintptr, pa PhysAddr) error {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	v := mm.vmas.Find(va)
	if v == nil || v.Start > va || v.shm != nil || va&(PageSize-1) != 0 {
		return abi.EFAULT
	}
	if _, _, ok := mm.pt.lookup(va); ok {
		return abi.EEXIST
	}
	if _, err := mm.pt.Map(va, pa, v.leafFlags(true)); err != nil {
		return abi.ENOMEM
	}
	mm.rss++
	return nil
}
