//go:build tamago

package proc

import (
	"tamix/arch/amd64"
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
	tasklistLock.Unlock()
	if t.Files == nil {
		t.Files = NewConsoleFiles()
	} else {
		t.Files.closeOnExec()
	}
	return nil
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
