package proc

import (
	"io"
	"time"

	"tamix/fs"
	"tamix/lib/ratelimit"
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
	// HWCap2 is AT_HWCAP2 (HWCAP2_FSGSBASE where it is enabled).
	HWCap2 uint64
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
	if K.Log == nil {
		return
	}
	ok, suppressed := logLimit.Allow(time.Now())
	if suppressed > 0 {
		K.Log("proc: %d callbacks suppressed", suppressed)
	}
	if ok {
		K.Log(format, args...)
	}
}

// logLimit rate-limits the lines user space can cause (faults, bad
// frames): printk_ratelimited()'s 10 per 5 seconds.
var logLimit = ratelimit.Default()
