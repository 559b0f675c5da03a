package tests

import "testing"

// TestProcSuite boots user/proctest.c as PID 1 (init=/proctest): /proc
// read by a program about itself (stat, status, cmdline, maps, exe, fd)
// and the system files, in Linux's formats; the kernel powers off with
// its exit status.
func TestProcSuite(t *testing.T) {
	r := bootKernel(t, testTimeout(t, inGuestTimeout), "init=/proctest")
	checkInitPassed(t, r)
}
