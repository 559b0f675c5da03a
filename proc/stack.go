package proc

import (
	"fmt"
	"sync/atomic"

	"tamix/mm"
	"tamix/trace"
)

// Kernel stacks: THREAD_SIZE is 16 KiB on x86-64, an order-2 block from
// the page allocator.
const (
	ThreadSizeOrder = 2
	ThreadSize      = mm.PageSize << ThreadSizeOrder
)

// KernelStack is a task's kernel stack. Top is its highest address
// (exclusive): pt_regs sits just below it.
type KernelStack struct {
	Base mm.PhysAddr // physical = virtual (identity map)
	// FreedBy is the PID of the task that freed it (-1 while in use),
	// and Frees counts the calls that tried: the user suite checks that
	// a dying task's stack is freed exactly once, by the next task, in
	// FinishTaskSwitch, not by the dying task. Written once by the
	// freeing task, after the dying one's last switch.
	FreedBy int
	Frees   int
	// tracePuts counts the reaping and the freeing of this stack, so
	// that the second records sched_process_free (proc/trace.go).
	tracePuts atomic.Int32
}

// Top returns the address just above the stack.
func (s *KernelStack) Top() uintptr { return uintptr(s.Base) + ThreadSize }

// AllocTaskStack takes a kernel stack from the page allocator.
// Mirrors kernel/fork.c:alloc_thread_stack_node().
func AllocTaskStack() (*KernelStack, error) {
	pa, err := K.Pages.AllocPages(ThreadSizeOrder)
	if err != nil {
		return nil, fmt.Errorf("kernel stack: %w", err)
	}
	return &KernelStack{Base: pa, FreedBy: -1}, nil
}

// PutTaskStack returns t's kernel stack to the page allocator. It is
// called for a dead task by the next task to run (FinishTaskSwitch), or
// for a task that never ran by the code unwinding its creation.
// Mirrors kernel/fork.c:put_task_stack().
func PutTaskStack(t *Task, by int) {
	if t.Stack == nil {
		return
	}
	t.Stack.Frees++
	if t.Stack.FreedBy >= 0 {
		logf("BUG: kernel stack of task %d freed again by task %d (first by %d)", t.PID, by, t.Stack.FreedBy)
		return
	}
	K.Pages.FreePages(t.Stack.Base, ThreadSizeOrder)
	t.Stack.FreedBy = by
	t.Regs = nil
	if by >= 0 {
		if trace.On(trace.StackFree) {
			traceProcess(trace.StackFree, Current(), t)
		}
		tracePut(t)
	}
}
