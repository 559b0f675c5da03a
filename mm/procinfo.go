package mm

// What /proc/PID/{stat,status,statm,cmdline,environ} read from an MM:
// the addresses exec recorded and per-kind sizes of the areas.

// ExecLayout is what exec records about a program's image in its MM:
// the text and data segments, the argument and environment strings on
// the initial stack and the stack pointer it started with, and the file
// it was loaded from. Linux keeps the same fields in mm_struct
// (start_code ... env_end, start_stack, exe_file); fork copies them with
// the MM.
type ExecLayout struct {
	StartCode, EndCode, StartData, EndData uint64
	ArgStart, ArgEnd, EnvStart, EnvEnd     uint64
	// StartStack is the initial %rsp (Linux's start_stack); Maps still
	// names the stack by the VMA's top.
	StartStack uint64
	// ExeFile is the executable (an fs.Path; mm does not import fs).
	ExeFile any
}

// SetExecLayout records l; exec calls it before the program runs.
func (mm *MM) SetExecLayout(l ExecLayout) {
	mm.mu.Lock()
	mm.exec = l
	mm.mu.Unlock()
}

// ExecLayout returns what exec recorded.
func (mm *MM) ExecLayout() ExecLayout {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.exec
}

// MemCounts are an MM's sizes by kind, in pages, as /proc/PID/status
// reports them (fs/proc/task_mmu.c:task_mem()).
type MemCounts struct {
	TotalVM  int // all areas (total_vm, VmSize)
	DataVM   int // private writable areas but the stack (data_vm, VmData)
	StackVM  int // areas that grow down (stack_vm, VmStk)
	ExecVM   int // executable areas that are not writable (exec_vm)
	RSS      int // pages mapped (get_mm_rss(), VmRSS)
	Tables   int // page-table pages (VmPTE)
	StartBrk uint64
	Brk      uint64
}

// MemCounts returns the sizes of the areas by kind. The kinds are
// Linux's vm_stat_account() classification: VM_GROWSDOWN is Linux's
// VM_STACK on x86-64.
func (mm *MM) MemCounts() MemCounts {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	c := MemCounts{RSS: mm.rss, StartBrk: uint64(mm.startBrk), Brk: uint64(mm.brk)}
	for _, v := range mm.vmas.All() {
		n := int(v.Len() / PageSize)
		c.TotalVM += n
		switch {
		case v.Flags&VM_GROWSDOWN != 0:
			c.StackVM += n
		case v.Flags&(VM_WRITE|VM_SHARED) == VM_WRITE:
			c.DataVM += n
		case v.Flags&(VM_EXEC|VM_WRITE) == VM_EXEC:
			c.ExecVM += n
		}
	}
	if mm.pt != nil {
		c.Tables = mm.pt.TablePages()
	}
	return c
}

// TryGet adds a user unless the MM has none left (it is being torn
// down) and reports whether it did; the caller Puts it. Mirrors
// mmget_not_zero(), as get_task_mm() and /proc's readers use it.
func (mm *MM) TryGet() bool {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.users == 0 || mm.pt == nil {
		return false
	}
	mm.users++
	return true
}
