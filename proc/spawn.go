//go:build tamago

package proc

import (
	"io"
	"runtime"

	"tamix/arch/amd64"
	"tamix/sched"
)

// SpawnProgram starts a new user task running filename with argv and
// envp, its console descriptors writing to console (nil: the serial
// console), as a child of parent (nil: no parent; kernel code waits
// for it through Exited). It is what Linux does for init in two steps, a
// kernel thread that calls kernel_execve(); Tamix loads the program
// first and starts the task directly in user mode.
func SpawnProgram(filename string, argv, envp []string, console io.Writer, parent *Task) (*Task, error) {
	img, err := LoadProgram(filename, argv, envp)
	if err != nil {
		return nil, err
	}
	t, err := DupTaskStruct(img.Comm)
	if err != nil {
		img.MM.Put()
		return nil, err
	}
	t.MM, t.ActiveMM = img.MM, img.MM
	*t.Regs = img.Regs
	t.User = amd64.UserContext{FPU: amd64.NewFPUState()}
	t.Files = NewConsoleFiles()
	t.Console = console
	tasklistLock.Lock()
	t.Parent, t.RealParent = parent, parent
	if parent != nil {
		parent.Children = append(parent.Children, t)
	}
	tasks[t.PID] = t
	tasklistLock.Unlock()
	sched.SchedFork(&t.Thread, &Current().Thread)
	sched.StartThread(&t.Thread, t.runUser)
	sched.WakeUpNewTask(&t.Thread)
	return t, nil
}

// RunProgram runs filename to completion as a task without a parent and
// returns its wait status; for kernel tests, which are not tasks
// themselves. Everything the task held (PID, kernel stack, memory) is
// released when it returns.
func RunProgram(filename string, argv []string, console io.Writer) (status int, err error) {
	t, err := SpawnProgram(filename, argv, []string{"PATH=/", "HOME=/"}, console, nil)
	if err != nil {
		return 0, err
	}
	<-t.Exited()
	for t.Stack.FreedBy < 0 { // until the next task has freed the stack
		runtime.Gosched()
	}
	status = t.ExitCode
	ReleaseTask(t)
	return status, nil
}

// Yield lets other goroutines run (for kernel code that is not a task
// and polls, like tests).
func Yield() { runtime.Gosched() }
