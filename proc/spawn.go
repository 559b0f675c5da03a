//go:build tamago

package proc

import (
	"io"

	"tamix/arch/amd64"
	"tamix/sched"
)

// SpawnProgram starts a child of the current task running filename with
// argv and envp, its console descriptors writing to console (nil: the
// serial console): fork and execve in one step, for kernel code (the
// tests) that starts programs. Returns the running child; the caller
// reaps it with Wait.
func SpawnProgram(filename string, argv, envp []string, console io.Writer) (*Task, error) {
	img, err := LoadProgram(filename, argv, envp)
	if err != nil {
		return nil, err
	}
	p := Current()
	child, err := CopyProcess(p, &CloneArgs{Flags: SIGCHLD})
	if err != nil {
		img.MM.Put()
		return nil, err
	}
	exitMMOf(child) // a kernel-thread parent has none; drop any copy
	child.MM, child.ActiveMM = img.MM, img.MM
	*child.Regs = img.Regs
	child.User = amd64.UserContext{FPU: amd64.NewFPUState()}
	child.Flags &^= PF_KTHREAD
	child.kfn = nil
	child.Comm, child.Thread.Name = img.Comm, img.Comm
	if child.Files != nil {
		child.Files.Put()
	}
	child.Files = NewConsoleFiles()
	child.Console = console
	startNewTask(child)
	return child, nil
}

// RunProgram runs filename to completion as a child of the current task
// and returns its wait status. Everything the child held (PID, kernel
// stack, memory) is released when it returns.
func RunProgram(filename string, argv []string, console io.Writer) (status int, err error) {
	t, err := SpawnProgram(filename, argv, []string{"PATH=/", "HOME=/"}, console)
	if err != nil {
		return 0, err
	}
	_, status, err = DoWait(t.PID, 0)
	return status, err
}

// Yield gives the CPU to another runnable task (for kernel code that
// polls, like tests).
func Yield() { sched.Yield() }
