package kernel

import (
	"tamix/boot/pvh"
	"tamix/mm"
	"tamix/proc"
)

// Memory-debugging options.
const (
	optPagePoison = "page_poison"  // "on": poison freed pages, check them at allocation
	optInject     = "tamix.inject" // test-only fault injection: "early_stack_free"
)

// initPagePoison turns on page poisoning (page_poison=on) and the
// test-only fault injection. A poisoned page found changed is a kernel
// bug: Tamix panics with the address (Linux reports "pagealloc: memory
// corruption" with a hex dump and goes on). Mirrors mm/page_poison.c's
// early_page_poison_param().
func initPagePoison(cmd pvh.Cmdline) {
	if cmd.Bool(optPagePoison, false) {
		proc.K.Pages.EnablePagePoison(physMem{}, func(e *mm.PoisonError) {
			panic(e.Error())
		})
		kprintf("mm: page poisoning on (freed pages filled with 0x%02x, checked at allocation)\n", mm.PagePoisonByte)
	}
	switch cmd.Value(optInject, "") {
	case "":
	case "early_stack_free":
		proc.InjectEarlyStackFree()
		kprintf("inject: the next user fork frees the child's kernel stack early\n")
	default:
		kprintf("inject: unknown fault %q\n", cmd.Value(optInject, ""))
	}
}
