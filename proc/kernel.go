package proc

import (
	"io"

	"tamix/fs"
	"tamix/mm"
)

// Kernel is what proc needs from the rest of the kernel; StartKernel
// fills K once before the first task is created.
type Kernel struct {
	Pages    *mm.Buddy     // the physical page allocator
	Template *mm.PageTable // the kernel half of every address space
	// NewTLB returns the TLB flusher for a new address space.
	NewTLB func() TLB
	// HWCap is AT_HWCAP (CPUID.1:EDX).
	HWCap uint64
	// Root is the root of the file tree (the tmpfs rootfs with the
	// initramfs unpacked into it); the first task's root and working
	// directory. Nil before it is mounted.
	Root    *fs.Path
	Console io.Writer // the serial console
	Log     func(format string, args ...any)
	// Clock is the kernel clock in ns since boot.
	Clock func() int64
	// Random fills b with random bytes (AT_RANDOM).
	Random func(b []byte)
}

// TLB flushes an address space's translations; Bind tells it which MM
// it serves (it only needs to act while that MM is loaded).
type TLB interface {
	mm.TLB
	Bind(*mm.MM)
}

// K is the kernel's configuration.
var K Kernel

func logf(format string, args ...any) {
	if K.Log != nil {
		K.Log(format, args...)
	}
}
