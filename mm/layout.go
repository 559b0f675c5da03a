package mm

// The user address space of every Tamix process. The canonical lower half
// is Linux's, minus the kernel's hole: the kernel keeps its identity map of
// [0, 2 MiB) and [16 MiB, 4 GiB) in every address space, so user mappings
// live in two windows, [UserLowStart, UserLowEnd) (where a classic static
// ELF linked at 0x400000 loads) and [UserHighStart, TaskSize).
const (
	// UserLowStart and UserLowEnd bound the low user window, 2-16 MiB:
	// the page directory entries 1 to 7 of the first GiB.
	UserLowStart uintptr = 0x200000
	UserLowEnd   uintptr = 0x1000000
	// UserHighStart is where the high user window starts: 4 GiB, the
	// first address the kernel's identity map does not cover.
	UserHighStart uintptr = 0x100000000
	// TaskSize is the end of user space: Linux's TASK_SIZE_MAX for 4-level
	// paging, one page below the 128 TiB canonical limit.
	TaskSize uintptr = 0x7ffffffff000

	// StackTop is where the initial stack ends. Linux puts it at
	// TASK_SIZE minus a random offset; Tamix has no ASLR.
	StackTop = TaskSize
	// StackInitial is the size of the stack VMA exec sets up, Linux's
	// 128 KiB stack_expand in setup_arg_pages().
	StackInitial uintptr = 128 << 10
	// StackLimit bounds the stack's growth: RLIMIT_STACK's default soft
	// limit, 8 MiB.
	StackLimit uintptr = 8 << 20
	// StackGuardGap is the free space kept below a stack (or any
	// growsdown VMA): Linux's stack_guard_gap, 256 pages.
	StackGuardGap uintptr = 256 * PageSize

	// MmapBase is where top-down mmap placement starts. Linux's
	// mmap_base() takes TASK_SIZE minus a gap of the stack rlimit plus
	// the guard gap and the stack randomisation, clamped to at least
	// 128 MiB; without randomisation that is 8 MiB + 1 MiB, so the
	// clamp wins.
	MmapBase = TaskSize - 128<<20

	// MaxMapCount is the most VMAs an MM may have: Linux's default
	// vm.max_map_count, DEFAULT_MAX_MAP_COUNT.
	MaxMapCount = 65530
)

// IsCanonical reports whether va is a canonical x86-64 address with 48-bit
// virtual addresses: bits 63..47 all equal.
func IsCanonical(va uintptr) bool {
	top := uint64(va) >> 47
	return top == 0 || top == 1<<17-1
}

// userWindow returns the user window containing va, or ok false if va is
// in the kernel's hole, beyond TaskSize or non-canonical.
func userWindow(va uintptr) (lo, hi uintptr, ok bool) {
	switch {
	case va >= UserLowStart && va < UserLowEnd:
		return UserLowStart, UserLowEnd, true
	case va >= UserHighStart && va < TaskSize:
		return UserHighStart, TaskSize, true
	}
	return 0, 0, false
}

// IsUserAddr reports whether va may be mapped for user space.
func IsUserAddr(va uintptr) bool {
	_, _, ok := userWindow(va)
	return ok
}

// IsUserRange reports whether the non-empty range [start, end) lies inside
// one user window, so every page of it may be mapped for user space.
func IsUserRange(start, end uintptr) bool {
	lo, hi, ok := userWindow(start)
	return ok && end > start && end >= lo && end <= hi
}

// userWindows lists the user windows, low first.
var userWindows = [2][2]uintptr{{UserLowStart, UserLowEnd}, {UserHighStart, TaskSize}}
