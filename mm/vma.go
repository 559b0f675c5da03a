package mm

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
)

// VMFlags are a VMA's properties, with the values of Linux's vm_flags
// (include/linux/mm.h). The permission bits equal the PROT_* bits, as in
// Linux's calc_vm_prot_bits().
type VMFlags uint32

const (
	VM_READ      VMFlags = 0x1
	VM_WRITE     VMFlags = 0x2
	VM_EXEC      VMFlags = 0x4
	VM_SHARED    VMFlags = 0x8
	VM_GROWSDOWN VMFlags = 0x100
	// VM_NORESERVE marks an area made with MAP_NORESERVE: it is not
	// charged against the memory the system can commit (overcommit.go).
	VM_NORESERVE VMFlags = 0x00200000

	// vmAccess are the permission bits.
	vmAccess = VM_READ | VM_WRITE | VM_EXEC
)

// VMA is a virtual memory area: a page-aligned range [Start, End) of user
// addresses with the same permissions and backing, Linux's
// vm_area_struct. Tamix's VMAs are all anonymous: private ones get fresh
// zeroed pages on first touch, shared ones take their pages from a
// shmObject (Linux backs those with a shmem file).
type VMA struct {
	// Start and End bound the area; protected by the MM's lock.
	Start, End uintptr
	// Flags are the area's VM_* flags; protected by the MM's lock.
	Flags VMFlags
	// shm holds the pages of a shared anonymous area, nil for a private
	// one; pgoff is the index in shm of the page at Start (Linux's
	// vm_file and vm_pgoff). Protected by the MM's lock.
	shm   *shmObject
	pgoff uint64
}

// Len returns the size of the area in bytes.
func (v *VMA) Len() uintptr { return v.End - v.Start }

// Contains reports whether addr lies in the area.
func (v *VMA) Contains(addr uintptr) bool { return addr >= v.Start && addr < v.End }

// Prot returns the area's permissions as PROT_* bits.
func (v *VMA) Prot() int { return int(v.Flags & vmAccess) }

// Shared reports whether writes are shared with other mappings of the same
// pages (MAP_SHARED) rather than copied on write.
func (v *VMA) Shared() bool { return v.Flags&VM_SHARED != 0 }

// startGap returns the lowest address a new mapping below this area may
// reach: Start, less the guard gap for an area that grows down (Linux's
// vm_start_gap()).
func (v *VMA) startGap() uintptr {
	if v.Flags&VM_GROWSDOWN != 0 && v.Start >= StackGuardGap {
		return v.Start - StackGuardGap
	}
	return v.Start
}

// String formats the area as a line of /proc/PID/maps, without the name:
// "00400000-00401000 r-xp 00000000 00:00 0".
func (v *VMA) String() string {
	perm := []byte("---p")
	for i, f := range []VMFlags{VM_READ, VM_WRITE, VM_EXEC} {
		if v.Flags&f != 0 {
			perm[i] = "rwx"[i]
		}
	}
	if v.Shared() {
		perm[3] = 's'
	}
	return fmt.Sprintf("%08x-%08x %s %08x 00:00 0", v.Start, v.End, perm, v.pgoff<<PageShift)
}

// clone returns a copy of v that shares its shmObject (one more user).
func (v *VMA) clone() *VMA {
	n := *v
	if n.shm != nil {
		n.shm.get()
	}
	return &n
}

// canMerge reports whether b can be appended to a: adjacent, same flags,
// both private, or both views of the same shared object at consecutive
// offsets. Mirrors mm/vma.c:is_mergeable_vma() and the anon_vma and
// pgoff checks of can_vma_merge_after().
func canMerge(a, b *VMA) bool {
	if a.End != b.Start || a.Flags != b.Flags || a.shm != b.shm {
		return false
	}
	return a.shm == nil || a.pgoff+uint64(a.Len()>>PageShift) == b.pgoff
}

// VMASet is the ordered set of an MM's VMAs: a slice sorted by address
// with no overlaps, searched by binary search. Linux keeps them in a maple
// tree (mm->mm_mt); a sorted slice is enough for the few dozen areas of a
// Tamix process and is easy to read.
//
// A VMASet does no locking: its MM's lock protects it.
type VMASet struct {
	vmas []*VMA // sorted by Start; protected by the MM's lock
}

// Len returns the number of areas (Linux's mm->map_count).
func (s *VMASet) Len() int { return len(s.vmas) }

// All returns the areas in address order. The slice is the set's own: do
// not keep it across changes to the set.
func (s *VMASet) All() []*VMA { return s.vmas }

// search returns the index of the first area with End > addr.
func (s *VMASet) search(addr uintptr) int {
	return sort.Search(len(s.vmas), func(i int) bool { return s.vmas[i].End > addr })
}

// Find returns the first area that ends above addr, which may start above
// it, or nil. Mirrors mm/mmap.c:find_vma().
func (s *VMASet) Find(addr uintptr) *VMA {
	if i := s.search(addr); i < len(s.vmas) {
		return s.vmas[i]
	}
	return nil
}

// Prev returns the last area that ends at or below addr, or nil
// (Linux's vma_prev() from a position at addr).
func (s *VMASet) Prev(addr uintptr) *VMA {
	i := s.search(addr) // every area before i ends at or below addr
	if i == 0 {
		return nil
	}
	return s.vmas[i-1]
}

// Intersecting returns the areas that overlap [start, end), in order, as
// a view of the set's slice. Mirrors find_vma_intersection() and the VMA
// iterator over a range.
func (s *VMASet) Intersecting(start, end uintptr) []*VMA {
	i := s.search(start)
	j := i
	for j < len(s.vmas) && s.vmas[j].Start < end {
		j++
	}
	return s.vmas[i:j]
}

// totalVMAs counts the areas of every address space: each one is kernel
// memory that user space makes the kernel allocate (vm_area_cachep in
// Linux), so their sum is bounded by MaxTotalVMAs.
var totalVMAs atomic.Int64

// MaxTotalVMAs bounds the areas of all address spaces together. Linux
// bounds each address space (vm.max_map_count) and lets the slab
// allocator and the OOM killer handle the sum; Tamix's areas live in its
// 256 MiB Go heap, which a process with 65,000 mappings forked 40 times
// would exhaust, so mmap, mprotect, munmap and fork give ENOMEM past this
// sum (about 17 MiB of areas) instead.
const MaxTotalVMAs = 1 << 18

// maxTotalVMAs is the limit in force (tests lower it).
var maxTotalVMAs int64 = MaxTotalVMAs

// TotalVMAs returns how many areas exist in all address spaces.
func TotalVMAs() int64 { return totalVMAs.Load() }

// clear empties the set, uncounting its areas.
func (s *VMASet) clear() {
	totalVMAs.Add(-int64(len(s.vmas)))
	s.vmas = nil
}

// Insert adds v, which must not overlap any area; an overlap is a kernel
// bug and panics. It does not merge (see Merge). Mirrors vma_link().
func (s *VMASet) Insert(v *VMA) {
	if v.Start >= v.End || !PageAligned(v.Start) || !PageAligned(v.End) {
		panic(fmt.Sprintf("mm: Insert of bad VMA %v", v))
	}
	i := s.search(v.Start)
	if i < len(s.vmas) && s.vmas[i].Start < v.End {
		panic(fmt.Sprintf("mm: Insert of %v overlaps %v", v, s.vmas[i]))
	}
	s.vmas = append(s.vmas, nil)
	copy(s.vmas[i+1:], s.vmas[i:])
	s.vmas[i] = v
	totalVMAs.Add(1)
}

// Split cuts the area that contains addr strictly inside into two, at
// addr, and reports whether it did. Both halves keep the flags; the upper
// half's offset into a shared object moves with it. Mirrors
// mm/vma.c:__split_vma(), without its map-count check (the MM does that).
func (s *VMASet) Split(addr uintptr) bool {
	i := s.search(addr)
	if i == len(s.vmas) || s.vmas[i].Start >= addr {
		return false
	}
	v := s.vmas[i]
	hi := v.clone()
	hi.Start = addr
	hi.pgoff += uint64((addr - v.Start) >> PageShift)
	v.End = addr
	s.vmas = append(s.vmas, nil)
	copy(s.vmas[i+2:], s.vmas[i+1:])
	s.vmas[i+1] = hi
	totalVMAs.Add(1)
	return true
}

// splitsNeeded returns how many areas RemoveRange(start, end) or a change
// of [start, end) must split: one for each edge strictly inside an area.
func (s *VMASet) splitsNeeded(start, end uintptr) int {
	n := 0
	for _, a := range []uintptr{start, end} {
		if v := s.Find(a); v != nil && v.Start < a {
			n++
		}
	}
	return n
}

// Merge joins every pair of compatible neighbours whose common boundary
// lies in [start, end]. Callers pass the range they just changed. Mirrors
// the effect of mm/vma.c:vma_merge_existing_range() and vma_expand().
func (s *VMASet) Merge(start, end uintptr) {
	i := s.search(start)
	if i > 0 {
		i-- // the area ending exactly at start may join the next one
	}
	for i+1 < len(s.vmas) && s.vmas[i].End <= end {
		a, b := s.vmas[i], s.vmas[i+1]
		if !canMerge(a, b) {
			i++
			continue
		}
		a.End = b.End
		if b.shm != nil {
			b.shm.put(nil) // a still holds the object, so nothing is freed
		}
		s.vmas = append(s.vmas[:i+1], s.vmas[i+2:]...)
		totalVMAs.Add(-1)
	}
}

// RemoveRange takes [start, end) out of the set, splitting the areas that
// straddle its edges, and returns the areas removed (entirely inside the
// range), in order. The caller unmaps their pages and drops their shared
// objects. Mirrors the VMA part of mm/vma.c:do_vmi_align_munmap().
func (s *VMASet) RemoveRange(start, end uintptr) []*VMA {
	s.Split(start)
	s.Split(end)
	i := s.search(start)
	j := i
	for j < len(s.vmas) && s.vmas[j].Start < end {
		j++
	}
	removed := append([]*VMA(nil), s.vmas[i:j]...)
	s.vmas = append(s.vmas[:i], s.vmas[j:]...)
	totalVMAs.Add(-int64(j - i))
	return removed
}

// Protect gives the areas in [start, end) the permissions prot (VM_READ,
// VM_WRITE, VM_EXEC), splitting the areas that straddle the edges, calls
// changed for each area it modified (for the caller to rewrite its page
// entries), and then merges the range with compatible neighbours. The
// caller checked that areas cover the range. Mirrors
// mm/mprotect.c:mprotect_fixup() applied over the range.
func (s *VMASet) Protect(start, end uintptr, prot VMFlags, changed func(*VMA)) {
	s.Split(start)
	s.Split(end)
	for _, v := range s.Intersecting(start, end) {
		if n := v.Flags&^vmAccess | prot&vmAccess; n != v.Flags {
			v.Flags = n
			changed(v)
		}
	}
	s.Merge(start, end)
}

// String lists the areas as /proc/PID/maps lines.
func (s *VMASet) String() string {
	var sb strings.Builder
	for _, v := range s.vmas {
		sb.WriteString(v.String())
		sb.WriteByte('\n')
	}
	return sb.String()
}
