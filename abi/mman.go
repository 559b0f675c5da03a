package abi

// Memory protections for mmap(2) and mprotect(2), from
// include/uapi/asm-generic/mman-common.h.
const (
	PROT_NONE      = 0x0
	PROT_READ      = 0x1
	PROT_WRITE     = 0x2
	PROT_EXEC      = 0x4
	PROT_SEM       = 0x8        // accepted by mprotect, no effect on x86
	PROT_GROWSDOWN = 0x01000000 // mprotect: extend the change down to the start of a growsdown mapping
	PROT_GROWSUP   = 0x02000000 // mprotect: the same upwards (no x86 mapping grows up)
)

// Flags for mmap(2), from include/uapi/asm-generic/mman-common.h,
// include/uapi/linux/mman.h and arch/x86/include/uapi/asm/mman.h.
const (
	MAP_SHARED          = 0x01
	MAP_PRIVATE         = 0x02
	MAP_SHARED_VALIDATE = 0x03 // MAP_SHARED that rejects unknown flags
	MAP_TYPE            = 0x0f // mask of the sharing type
	MAP_FIXED           = 0x10
	MAP_ANONYMOUS       = 0x20
	MAP_32BIT           = 0x40 // x86-64: place the mapping low (see mm.Mmap)
	MAP_GROWSDOWN       = 0x0100
	MAP_DENYWRITE       = 0x0800 // ignored, as by Linux
	MAP_EXECUTABLE      = 0x1000 // ignored, as by Linux
	MAP_LOCKED          = 0x2000
	MAP_NORESERVE       = 0x4000
	MAP_POPULATE        = 0x8000
	MAP_NONBLOCK        = 0x10000
	MAP_STACK           = 0x20000
	MAP_HUGETLB         = 0x40000
	MAP_SYNC            = 0x80000
	MAP_FIXED_NOREPLACE = 0x100000

	// MAP_ANON is MAP_ANONYMOUS's BSD name.
	MAP_ANON = MAP_ANONYMOUS
)

// MAP_FAILED is what mmap(3) returns on failure: (void *)-1. The system call
// itself returns -errno in rax, which libc turns into MAP_FAILED and errno;
// any value in [-MaxErrno, -1] is therefore never a valid mapping address.
const MAP_FAILED = ^uintptr(0)

// Flags for msync(2) and madvise(2) are not defined: Tamix does not
// implement those calls yet.
