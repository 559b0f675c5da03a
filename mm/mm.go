package mm

import (
	"fmt"
	"strings"
	"sync"

	"tamix/abi"
)

// TLB flushes translations of the CPU that runs the MM. Arch code
// implements it with INVLPG and a CR3 reload; on one CPU it may skip the
// work when the MM is not the one loaded. Page-table code only reports
// that a flush is needed; the MM batches the reports and calls TLB once
// per operation (Linux's mmu_gather and flush_tlb_mm_range()).
type TLB interface {
	// FlushPage drops the translation of the user page at va.
	FlushPage(va uintptr)
	// FlushAll drops every non-global translation.
	FlushAll()
}

// Unloader is a TLB that can also take its address space out of the
// CPU: Release calls Unload before it frees the page tables, so that the
// CPU never walks freed tables, however the MM came to be released
// (Linux keeps a lazily loaded mm alive with mmgrab() until the next
// switch_mm() instead).
type Unloader interface {
	// Unload loads the kernel's page tables if the MM's are loaded.
	Unload()
}

// flushCeiling is the number of single-page flushes above which a batch
// flushes everything instead, Linux's tlb_single_page_flush_ceiling (33).
const flushCeiling = 32

// tlbBatch collects the flushes and page releases of one operation so that
// pages are freed only after the TLB forgot them. Mirrors struct
// mmu_gather (tlb_gather_mmu() ... tlb_finish_mmu()). A batch belongs to
// one operation under the MM's lock; its fields need no other protection.
type tlbBatch struct {
	tlb   TLB
	vas   []uintptr  // pages to flush
	all   bool       // flush everything instead
	puts  []PhysAddr // page references to drop after the flush
	pages PageAllocator
}

// flushPage records that va's translation must go.
func (b *tlbBatch) flushPage(va uintptr) {
	if !b.all && len(b.vas) < flushCeiling {
		b.vas = append(b.vas, va)
		return
	}
	b.all, b.vas = true, nil
}

// finish flushes and then drops the collected page references.
func (b *tlbBatch) finish() {
	if b.all {
		b.tlb.FlushAll()
	} else {
		for _, va := range b.vas {
			b.tlb.FlushPage(va)
		}
	}
	for _, pa := range b.puts {
		b.pages.PutPage(pa)
	}
	b.vas, b.all, b.puts = nil, false, nil
}

// MM is an address space: page tables, VMAs and the layout of a process's
// memory. Linux's mm_struct.
//
// All methods lock the MM (Linux's mmap_lock taken for writing: Tamix has
// one CPU and no concurrent faults, so there is no read side).
type MM struct {
	mu sync.Mutex // mmap_lock: protects every field below but the immutable ones

	pt       *PageTable    // the address space's tables; nil after Release
	template *PageTable    // the kernel template; immutable
	pages    PageAllocator // where user pages come from; immutable
	mem      Memory        // physical memory; immutable
	tlb      TLB           // flushes for this MM; protected by mu

	vmas VMASet // the areas; protected by mu
	// startBrk and brk bound the heap: brk(2) moves brk, startBrk is set
	// by exec (Linux's start_brk and brk). Protected by mu.
	startBrk, brk uintptr
	// mmapBase is where top-down mmap placement starts (mmap_base);
	// startStack is the top of the initial stack (start_stack).
	// Protected by mu.
	mmapBase, startStack uintptr
	// rss counts the user pages mapped by the page tables, shared ones
	// included (Linux's MM_ANONPAGES + MM_SHMEMPAGES): the non-zero leaf
	// entries, those of leaf tables shared after fork too. Protected by mu.
	rss int
	// maxMapCount is the VMA limit (vm.max_map_count); tests lower it.
	// Protected by mu.
	maxMapCount int
	// users counts the tasks sharing this MM (mm_users); the last Put
	// releases it. Protected by mu.
	users int
	// exec is what exec recorded for /proc (procinfo.go). Protected by mu.
	exec ExecLayout
}

// noTLB is the TLB of an MM that was given none: it flushes nothing.
type noTLB struct{}

func (noTLB) FlushPage(uintptr) {}
func (noTLB) FlushAll()         {}

// NewMM returns an empty address space whose page tables copy the kernel
// template's mappings. User pages come from pages, flushes go to tlb (nil
// for none until SetTLB). Mirrors kernel/fork.c:mm_alloc() + mm_init()
// (with pgd_alloc()).
func NewMM(template *PageTable, pages PageAllocator, tlb TLB) (*MM, error) {
	pt, err := NewAddressSpace(template)
	if err != nil {
		return nil, err
	}
	if tlb == nil {
		tlb = noTLB{}
	}
	return &MM{
		pt: pt, template: template, pages: pages, mem: template.mem, tlb: tlb,
		mmapBase: MmapBase, maxMapCount: MaxMapCount, users: 1,
	}, nil
}

// SetTLB replaces the MM's TLB, for arch code that keeps one per MM (to
// skip flushes while the MM is not loaded). Dup gives the child none;
// set the child's own afterwards.
func (mm *MM) SetTLB(tlb TLB) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if tlb == nil {
		tlb = noTLB{}
	}
	mm.tlb = tlb
}

// Root returns the physical address of the MM's PML4, for CR3.
func (mm *MM) Root() PhysAddr {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.pt.Root()
}

// PageTable returns the MM's page tables for debuggers (Walk, Translate).
// Use them only while nothing changes the MM.
func (mm *MM) PageTable() *PageTable { return mm.pt }

// SetupBrk places the heap: brk(2) starts at start rounded up to a page,
// normally the end of the program's bss. Exec calls it once. Mirrors the
// mm->start_brk = mm->brk assignment of load_elf_binary(), without the
// randomisation.
func (mm *MM) SetupBrk(start uintptr) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.startBrk = PageAlign(start)
	mm.brk = mm.startBrk
}

// SetupStack creates the stack VMA, size bytes (StackInitial if 0) ending
// at StackTop, readable, writable and growing down, and returns its top.
// Mirrors fs/exec.c:setup_arg_pages(), without moving an existing stack.
func (mm *MM) SetupStack(size uintptr) (uintptr, error) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if size == 0 {
		size = StackInitial
	}
	size = PageAlign(size)
	if size == 0 || size > StackLimit {
		return 0, abi.E2BIG
	}
	start := StackTop - size
	if len(mm.vmas.Intersecting(start-StackGuardGap, StackTop)) != 0 {
		return 0, abi.EEXIST
	}
	mm.vmas.Insert(&VMA{Start: start, End: StackTop, Flags: VM_READ | VM_WRITE | VM_GROWSDOWN})
	mm.startStack = StackTop
	return StackTop, nil
}

// Get adds a user of the MM, for a thread that shares it (CLONE_VM).
// Mirrors mmget().
func (mm *MM) Get() {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.users++
}

// Put drops a user and releases the MM when it was the last, without
// giving the CPU away: callers may hold locks (procfs snapshots hold the
// task list's). Mirrors kernel/fork.c:mmput(), which may sleep; Tamix's
// callers that can give way use PutResched.
func (mm *MM) Put() {
	if mm.dropUser() {
		mm.Release()
	}
}

// PutResched is Put for a caller that holds no lock (exit, exec): the
// teardown of a large address space gives way between chunks
// (cond_resched in Linux's exit_mmap()).
func (mm *MM) PutResched() {
	if mm.dropUser() {
		mm.teardown(true)
	}
}

// dropUser drops a user and reports whether it was the last (mmput()'s
// atomic_dec_and_test(&mm->mm_users)).
func (mm *MM) dropUser() bool {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.users--
	return mm.users == 0
}

// Release tears the address space down: every mapping is removed and its
// pages put, shared objects are dropped and every page-table page goes
// back to the allocator. A leaf table still shared with another MM after
// fork only loses this MM's reference: its pages stay with the others.
// Afterwards the allocator's free count is what it was before NewMM (if
// no one else holds references to the pages). If the MM's TLB is an
// Unloader, it is unloaded first; otherwise the MM must not be loaded in
// CR3. No TLB flush is issued; loading another CR3 drops the MM's
// translations. It does not give the CPU away (see teardown).
//
// Mirrors mm/mmap.c:exit_mmap() followed by pgd_free().
func (mm *MM) Release() { mm.teardown(false) }

// Stats are an MM's sizes, in pages.
type Stats struct {
	VMAs       int // areas (map_count)
	RSSPages   int // user pages mapped (get_mm_rss())
	TablePages int // page-table pages, PML4 included (mm_pgtables_bytes / page size)
	VMPages    int // pages of all areas (total_vm)
}

// Stats returns the MM's current sizes.
func (mm *MM) Stats() Stats {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	s := Stats{VMAs: mm.vmas.Len(), RSSPages: mm.rss}
	for _, v := range mm.vmas.All() {
		s.VMPages += int((v.End - v.Start) / PageSize)
	}
	if mm.pt != nil {
		s.TablePages = mm.pt.TablePages()
	}
	return s
}

// Maps formats the areas as /proc/PID/maps does, naming the heap and the
// stack like Linux's show_map_vma() (vma_is_initial_heap() and
// vma_is_initial_stack(); start_stack is the stack's top here, where Linux
// records the stack pointer exec left).
func (mm *MM) Maps() string {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	var sb strings.Builder
	for _, v := range mm.vmas.All() {
		name := ""
		switch {
		case v.Start < mm.brk && v.End > mm.startBrk:
			name = "[heap]"
		case v.Start <= mm.startStack && v.End >= mm.startStack && mm.startStack != 0:
			name = "[stack]"
		}
		line := v.String()
		if name != "" {
			line = fmt.Sprintf("%-73s%s", line+" ", name)
		}
		sb.WriteString(line + "\n")
	}
	return sb.String()
}

// newBatch starts a TLB batch for an operation on mm.
func (mm *MM) newBatch() *tlbBatch { return &tlbBatch{tlb: mm.tlb, pages: mm.pages} }
