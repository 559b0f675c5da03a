package kernel

import (
	"fmt"

	"tamix/boot"
	"tamix/kernel/printk"
)

// kconsole writes the kernel's own boot messages: to the serial console
// as they are (no time stamp, so the banner reads as a banner) and into
// the printk ring, where dmesg and gdb's tamix-dmesg find them with their
// time stamps.
type kconsole struct{}

func (kconsole) Write(p []byte) (int, error) {
	boot.Console.Write(p)
	printk.Kernel.Store(printk.LevelInfo, string(p))
	return len(p), nil
}

// kprintf prints a boot message (see kconsole).
func kprintf(format string, args ...any) {
	fmt.Fprintf(kconsole{}, format, args...)
}
