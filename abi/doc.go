// Package abi holds the numbers of the Linux x86-64 user ABI that several
// kernel packages share: error numbers, mmap protections and flags, signal
// numbers and si_code values. Every value is Linux's own (include/uapi and
// arch/x86/include/uapi), so a static binary built for Linux sees the same
// numbers on Tamix. The package has no dependencies and no state.
package abi
