package proc

import (
	"sync"

	"tamix/abi"
	"tamix/fs"
	"tamix/mm"
	"tamix/proc/elf"
)

// imageCachePages bounds the exec image cache: 8 MiB of read-only program
// pages, busybox's text several times over.
const imageCachePages = 2048

// imageCache is the pages of the read-only segments of the programs exec
// loaded (see mm.ImageCache); made at the first exec.
var imageCache struct {
	once sync.Once
	c    *mm.ImageCache
}

func execImageCache() *mm.ImageCache {
	imageCache.once.Do(func() {
		imageCache.c = mm.NewImageCache(K.Template, K.Pages, imageCachePages)
	})
	return imageCache.c
}

// ImageCachePages returns how many pages the exec image cache holds: with
// the free pages, what the kernel can hand out (the "Cached" of
// /proc/meminfo, and what the tests' leak checks add to the free count).
func ImageCachePages() uint64 {
	if K.Pages == nil {
		return 0
	}
	return uint64(execImageCache().Len())
}

// DropImageCache empties the exec image cache and returns how many pages
// it held. The OOM killer calls it before choosing a victim, as Linux
// reclaims clean page-cache pages before it kills.
func DropImageCache() int {
	if K.Pages == nil {
		return 0
	}
	return execImageCache().Drop()
}

// imageFile names the executable's file in the cache: its super block
// and inode number. A number reused by a later file does no harm, since
// every page is compared with the file's bytes before it is used.
type imageFile struct {
	sb  *fs.SuperBlock
	ino uint64
}

func imageFileOf(p fs.Path) any {
	if p.Dentry == nil || p.Dentry.Inode == nil {
		return nil
	}
	n := p.Inode()
	return imageFile{n.SB, n.Ino}
}

// sharedPage reports whether the page at va (biased) may come from the
// image cache: every segment on it is read-only, so no one writes it
// until a write fault gives the writer its own copy.
func sharedPage(f *elf.File, bias uint64, va uintptr) bool {
	for i := range f.Loads {
		s := &f.Loads[i]
		start := mm.PageAlignDown(uintptr(s.Vaddr + bias))
		end := mm.PageAlign(uintptr(s.End() + bias))
		if va >= start && va < end && s.Flags&elf.PF_W != 0 {
			return false
		}
	}
	return true
}

// imagePage fills page with what the image holds at va: the file bytes of
// every segment on it, zeros elsewhere.
func imagePage(f *elf.File, bias uint64, va uintptr, page *[mm.PageSize]byte) {
	clear(page[:])
	for i := range f.Loads {
		s := &f.Loads[i]
		lo := max(uintptr(s.Vaddr+bias), va)
		hi := min(uintptr(s.Vaddr+s.Filesz+bias), va+mm.PageSize)
		if lo < hi {
			off := lo - uintptr(s.Vaddr+bias)
			copy(page[lo-va:hi-va], s.Data[off:off+(hi-lo)])
		}
	}
}

// loadSegment puts segment s into m: the pages sharedPage allows come
// from the image cache (one an earlier segment on the same page mapped is
// left alone), the file bytes of the others are copied in (the rest of
// them is zero when first touched). Mirrors what load_elf_binary()'s
// elf_map() of the segment and the page cache behind it give; Tamix
// copies writable segments at once instead of at their first write.
func loadSegment(m *mm.MM, file any, f *elf.File, s *elf.Segment, bias uint64, page *[mm.PageSize]byte) error {
	vaddr := uintptr(s.Vaddr + bias)
	if file == nil || s.Flags&elf.PF_W != 0 {
		_, err := m.CopyToUser(vaddr, s.Data[:s.Filesz])
		return err
	}
	c := execImageCache()
	start := mm.PageAlignDown(vaddr)
	end := mm.PageAlign(uintptr(s.End() + bias))
	for va := start; va < end; va += mm.PageSize {
		if !sharedPage(f, bias, va) {
			lo := max(vaddr, va)
			hi := min(vaddr+uintptr(s.Filesz), va+mm.PageSize)
			if lo < hi {
				if _, err := m.CopyToUser(lo, s.Data[lo-vaddr:hi-vaddr]); err != nil {
					return err
				}
			}
			continue
		}
		imagePage(f, bias, va, page)
		pa, err := c.Page(mm.ImageKey{File: file, VA: va}, page)
		if err != nil {
			return err
		}
		if err := m.MapPage(va, pa); err != nil {
			K.Pages.PutPage(pa)
			if err == abi.EEXIST {
				continue // a segment before this one mapped it
			}
			return err
		}
	}
	return nil
}
