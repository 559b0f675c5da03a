//go:build tamago

// Package testenv is what the in-guest suites that run user programs
// share: a snapshot of the kernel's resource counters taken before a
// suite and checked after it (pages, tasks, PIDs, open files, queued
// siginfo must all come back), and running a program that prints KTAP
// as a child of the test task. Linux's kunit has no such helper; the
// checks are Tamix's way of proving that nothing leaks.
package testenv

import (
	"bytes"
	"errors"
	"strings"

	"tamix/fs"
	"tamix/kernel/ktap"
	"tamix/proc"
)

// Baseline is the kernel's resource counters at one moment.
type Baseline struct {
	// FreePages counts the free pages and those only the exec image
	// cache holds (it gives them back on demand).
	FreePages   uint64
	Tasks, PIDs int
	Files       int64 // open files (nr_files)
	Queued      int64 // queued siginfo
}

// ErrNoInitramfs is what a suite's Init returns when there are no user
// programs to run.
var ErrNoInitramfs = errors.New("no initramfs (boot with qemu.sh --initrd build/initramfs.cpio)")

// NeedInitramfs is a suite's Init check that the initramfs (and so the
// user programs it runs) is there.
func NeedInitramfs() error {
	if proc.K.Root == nil {
		return ErrNoInitramfs
	}
	return nil
}

// InitTaking returns a suite's Init that checks NeedInitramfs and then
// takes the counters into b, for the suite's last case to Check.
func InitTaking(b *Baseline) func() error {
	return func() error {
		if err := NeedInitramfs(); err != nil {
			return err
		}
		*b = Take()
		return nil
	}
}

// Take reads the counters now.
func Take() Baseline {
	return Baseline{
		FreePages: proc.K.Pages.FreePageCount() + proc.ImageCachePages(),
		Tasks:     len(proc.Tasks()),
		PIDs:      proc.PIDsInUse(),
		Files:     fs.NrFiles(),
		Queued:    proc.QueuedSignals(),
	}
}

// Check fails t for every counter that is not back at b, and logs them.
func (b Baseline) Check(t *ktap.T) {
	n := Take()
	t.Logf("free pages %d (baseline %d), tasks %d (%d), PIDs %d (%d), open files %d (%d), queued siginfo %d (%d)",
		n.FreePages, b.FreePages, n.Tasks, b.Tasks, n.PIDs, b.PIDs, n.Files, b.Files, n.Queued, b.Queued)
	b.Compare(t, n)
}

// Compare fails t for every counter of n that is not the same as b's.
func (b Baseline) Compare(t *ktap.T, n Baseline) {
	if n.FreePages != b.FreePages {
		t.Errorf("%d pages leaked", int64(b.FreePages)-int64(n.FreePages))
	}
	if n.Tasks != b.Tasks {
		t.Errorf("%d tasks left", n.Tasks-b.Tasks)
	}
	if n.PIDs != b.PIDs {
		t.Errorf("%d PIDs in use, baseline %d", n.PIDs, b.PIDs)
	}
	if n.Files != b.Files {
		t.Errorf("%d open files, baseline %d", n.Files, b.Files)
	}
	if n.Queued != b.Queued {
		t.Errorf("%d siginfo queued, baseline %d", n.Queued, b.Queued)
	}
}

// RunKTAP runs /argv[0] with argv as a child of the test task, its
// console captured; each "not ok" line of its KTAP output fails t. Then
// it reaps whatever the program left to init (the test task), so that a
// baseline check after it holds. Returns the wait status and the output.
func RunKTAP(t *ktap.T, argv ...string) (int, string) {
	var out bytes.Buffer
	status, err := proc.RunProgram("/"+argv[0], argv, &out)
	if err != nil {
		t.Fatalf("%s: %v", argv[0], err)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "not ok") {
			t.Errorf("%s: %s", argv[0], l)
		}
	}
	t.Logf("%s: %d cases ok", argv[0], strings.Count(out.String(), "\nok "))
	ReapOrphans(t)
	return status, out.String()
}

// ReapOrphans reaps the zombies the test task has (orphans of the
// programs it ran, given to it as init).
func ReapOrphans(t *ktap.T) {
	for {
		pid, _, err := proc.DoWait(-1, proc.WNOHANG|proc.WALL)
		if err != nil || pid == 0 {
			return
		}
		t.Logf("reaped orphan %d", pid)
	}
}
