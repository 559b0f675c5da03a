//go:build tamago

package proc

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/trace"
)

// Execve replaces the current task's program with filename: a new
// address space with the program and its stack, fresh registers and FPU
// state, the old address space released (and a vfork parent let go).
// On error the task is unchanged. Mirrors fs/exec.c:do_execveat_common()
// with begin_new_exec() at the point of no return.
func Execve(filename string, argv, envp []string) error {
	img, err := LoadProgram(filename, argv, envp)
	if err != nil {
		return err
	}
	t := Current()
	oldPID, oldComm := t.PID, t.Comm // for the exec tracepoints
	if err := deThread(t); err != nil {
		img.MM.Put()
		return err
	}
	// Point of no return.
	mmRelease(t)
	exitMM(t)
	t.MM, t.ActiveMM = img.MM, img.MM
	amd64.WriteCR3(uint64(img.MM.Root()))
	*t.Regs = img.Regs
	t.User = amd64.UserContext{FPU: amd64.NewFPUState()}
	t.SetChildTID = 0
	tasklistLock.Lock()
	t.Flags &^= PF_KTHREAD
	t.kfn = nil
	t.Comm = img.Comm
	t.Thread.Name = img.Comm
	t.didExec = true
	if t.PID == 1 {
		t.Signal.Flags |= SIGNAL_UNKILLABLE // is_child_reaper(): init
	}
	tasklistLock.Unlock()
	flushSignalHandlers(t)
	if t.Files == nil {
		t.Files = NewConsoleFiles()
	} else {
		unshareFiles(t)
		t.Files.closeOnExec()
	}
	if trace.Enabled()&(1<<trace.TaskRename|1<<trace.SchedProcessExec) != 0 {
		traceExec(t, filename, oldComm, oldPID)
	}
	return nil
}

// flushSignalHandlers is what exec does to signals: caught signals go
// back to SIG_DFL (the handlers' code is gone), ignored ones stay
// ignored, flags, restorers and handler masks are cleared; a table shared
// with another process is unshared first; the alternate stack is gone.
// The mask and pending signals are kept. Mirrors fs/exec.c:
// unshare_sighand() and kernel/signal.c:flush_signal_handlers().
func flushSignalHandlers(t *Task) {
	old := t.Sighand
	sh := &Sighand{}
	old.Siglock.Lock()
	for i, a := range old.Action {
		if a.Handler == abi.SIG_IGN {
			sh.Action[i].Handler = abi.SIG_IGN
		}
	}
	old.Siglock.Unlock()
	tasklistLock.Lock()
	t.Sighand = sh
	tasklistLock.Unlock()
	t.Altstack = SigaltStack{}
	t.RestartFn = nil
}

// KernelExecve turns the current kernel thread into a user process
// running filename (how init gets its program). Does not return unless
// exec fails. Mirrors fs/exec.c:kernel_execve().
func KernelExecve(filename string, argv, envp []string) error {
	if err := Execve(filename, argv, envp); err != nil {
		return err
	}
	Current().runUser()
	return nil
}
