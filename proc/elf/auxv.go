package elf

// Auxiliary vector entry types, a_type (include/uapi/linux/auxvec.h and
// arch/x86/include/uapi/asm/auxvec.h).
const (
	AT_NULL              = 0  // end of vector
	AT_IGNORE            = 1  // entry should be ignored
	AT_EXECFD            = 2  // file descriptor of program
	AT_PHDR              = 3  // program headers for program
	AT_PHENT             = 4  // size of program header entry
	AT_PHNUM             = 5  // number of program headers
	AT_PAGESZ            = 6  // system page size
	AT_BASE              = 7  // base address of interpreter
	AT_FLAGS             = 8  // flags
	AT_ENTRY             = 9  // entry point of program
	AT_NOTELF            = 10 // program is not ELF
	AT_UID               = 11 // real uid
	AT_EUID              = 12 // effective uid
	AT_GID               = 13 // real gid
	AT_EGID              = 14 // effective gid
	AT_PLATFORM          = 15 // string identifying CPU for optimizations
	AT_HWCAP             = 16 // arch dependent hints at CPU capabilities
	AT_CLKTCK            = 17 // frequency at which times() increments
	AT_SECURE            = 23 // secure mode boolean
	AT_BASE_PLATFORM     = 24 // string identifying real platform
	AT_RANDOM            = 25 // address of 16 random bytes
	AT_HWCAP2            = 26 // extension of AT_HWCAP
	AT_RSEQ_FEATURE_SIZE = 27 // rseq supported feature size
	AT_RSEQ_ALIGN        = 28 // rseq allocation alignment
	AT_EXECFN            = 31 // file name of program
	AT_SYSINFO_EHDR      = 33 // the vDSO's ELF header
	AT_MINSIGSTKSZ       = 51 // minimal stack size for signal delivery
)

// Fixed values of the x86-64 auxiliary vector.
const (
	// Platform is the AT_PLATFORM string of x86-64 (ELF_PLATFORM).
	Platform = "x86_64"
	// ClkTck is AT_CLKTCK: USER_HZ, the unit of times() and /proc ticks.
	ClkTck = 100
	// HWCAP2_RING3MWAIT and HWCAP2_FSGSBASE are the AT_HWCAP2 bits of x86
	// (arch/x86/include/uapi/asm/hwcap2.h). AT_HWCAP itself is CPUID
	// leaf 1's EDX.
	HWCAP2_RING3MWAIT = 1 << 0
	HWCAP2_FSGSBASE   = 1 << 1
)

// AuxEntry is one auxiliary vector pair.
type AuxEntry struct {
	Type uint64
	Val  uint64
}

// AuxParams holds the values NewAuxv puts in the auxiliary vector.
// AT_PAGESZ, AT_CLKTCK and AT_PHENT are constants of the ABI, and
// AT_RANDOM, AT_EXECFN and AT_PLATFORM point into the stack, so
// LayoutStack fills them in.
type AuxParams struct {
	SysinfoEhdr uint64 // AT_SYSINFO_EHDR: the vDSO; omitted when 0
	MinSigStkSz uint64 // AT_MINSIGSTKSZ; omitted when 0
	HWCap       uint64 // AT_HWCAP: CPUID.1:EDX on x86
	Phdr        uint64 // AT_PHDR, load bias included
	Phnum       uint64 // AT_PHNUM
	Base        uint64 // AT_BASE: the interpreter's load address, 0 for static programs
	Flags       uint64 // AT_FLAGS
	Entry       uint64 // AT_ENTRY, load bias included
	UID, EUID   uint64 // AT_UID, AT_EUID
	GID, EGID   uint64 // AT_GID, AT_EGID
	Secure      bool   // AT_SECURE: set-id exec, libc must distrust the environment
	HWCap2      uint64 // AT_HWCAP2
}

// AuxParams returns the program's part of the auxiliary vector when it is
// loaded with the given bias (0 for ET_EXEC). The caller adds the
// credentials and CPU capabilities.
func (f *File) AuxParams(bias uint64) AuxParams {
	return AuxParams{
		Phdr:  f.PhdrAddr + bias,
		Phnum: uint64(f.Phnum),
		Entry: f.Entry + bias,
	}
}

// NewAuxv returns the auxiliary vector of a new program, without the final
// AT_NULL, in the order Linux writes it. The AT_RANDOM, AT_EXECFN and
// AT_PLATFORM entries have value 0 until LayoutStack places their data.
//
// Mirrors the NEW_AUX_ENT() list of fs/binfmt_elf.c:create_elf_tables()
// with x86-64's ARCH_DLINFO first. Differs: no AT_BASE_PLATFORM or
// AT_EXECFD (x86 and binfmt_misc features), no AT_RSEQ_* (no rseq), and
// AT_SYSINFO_EHDR and AT_MINSIGSTKSZ only when the kernel provides them.
func NewAuxv(p AuxParams) []AuxEntry {
	v := make([]AuxEntry, 0, 22)
	add := func(t, val uint64) { v = append(v, AuxEntry{t, val}) }
	if p.SysinfoEhdr != 0 {
		add(AT_SYSINFO_EHDR, p.SysinfoEhdr)
	}
	if p.MinSigStkSz != 0 {
		add(AT_MINSIGSTKSZ, p.MinSigStkSz)
	}
	add(AT_HWCAP, p.HWCap)
	add(AT_PAGESZ, PageSize)
	add(AT_CLKTCK, ClkTck)
	add(AT_PHDR, p.Phdr)
	add(AT_PHENT, PhdrSize)
	add(AT_PHNUM, p.Phnum)
	add(AT_BASE, p.Base)
	add(AT_FLAGS, p.Flags)
	add(AT_ENTRY, p.Entry)
	add(AT_UID, p.UID)
	add(AT_EUID, p.EUID)
	add(AT_GID, p.GID)
	add(AT_EGID, p.EGID)
	secure := uint64(0)
	if p.Secure {
		secure = 1
	}
	add(AT_SECURE, secure)
	add(AT_RANDOM, 0)
	add(AT_HWCAP2, p.HWCap2)
	add(AT_EXECFN, 0)
	add(AT_PLATFORM, 0)
	return v
}
