package proc

import "sync/atomic"

// Test-only fault injection (tamix.inject=early_stack_free): the next
// user task forked has its kernel stack freed at once, while it is still
// in use, and the kernel goes on using it (its pt_regs live at the top of
// that stack; every trap from user mode writes there). This is the bug
// the deferred stack free of FinishTaskSwitch exists to prevent. Page
// poisoning (page_poison=on) must catch it: the freed block is filled
// with the poison, the writes that follow change it, and the next
// allocation of the block finds the change. Linux has the idea as fault
// injection (lib/fault-inject.c), not this fault.
var injectEarlyStackFree atomic.Bool

// InjectEarlyStackFree arms the injection for the next user fork.
func InjectEarlyStackFree() { injectEarlyStackFree.Store(true) }

// maybeInjectEarlyStackFree frees child's kernel stack early if the
// injection is armed; the child's registers are written back into it
// afterwards, as a kernel that freed the stack too soon would.
func maybeInjectEarlyStackFree(child *Task) {
	if child.MM == nil || child.Stack == nil || !injectEarlyStackFree.CompareAndSwap(true, false) {
		return
	}
	regs := *child.Regs
	K.Pages.FreePages(child.Stack.Base, ThreadSizeOrder)
	child.Stack.FreedBy = child.PID // keep PutTaskStack from freeing it again
	*child.Regs = regs              // the use after free
	logf("inject: freed the kernel stack of pid %d at %#x while it is in use", child.PID, uint64(child.Stack.Base))
}
