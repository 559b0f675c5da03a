//go:build linux && amd64

package abi

import (
	"syscall"
	"testing"
)

// TestAgainstHost compares the numbers and messages with the Go standard
// library's tables for linux/amd64, which are generated from Linux's and
// glibc's headers.
func TestAgainstHost(t *testing.T) {
	for e, text := range errnoText {
		h := syscall.Errno(e)
		if h.Error() != text {
			t.Errorf("%s: message %q, host says %q", e.Name(), text, h.Error())
		}
	}
	for _, c := range []struct {
		name      string
		ours, hos int
	}{
		{"EPERM", int(EPERM), int(syscall.EPERM)}, {"ENOENT", int(ENOENT), int(syscall.ENOENT)},
		{"ESRCH", int(ESRCH), int(syscall.ESRCH)}, {"EINTR", int(EINTR), int(syscall.EINTR)},
		{"E2BIG", int(E2BIG), int(syscall.E2BIG)}, {"ENOEXEC", int(ENOEXEC), int(syscall.ENOEXEC)},
		{"EBADF", int(EBADF), int(syscall.EBADF)}, {"ECHILD", int(ECHILD), int(syscall.ECHILD)},
		{"EAGAIN", int(EAGAIN), int(syscall.EAGAIN)}, {"ENOMEM", int(ENOMEM), int(syscall.ENOMEM)},
		{"EACCES", int(EACCES), int(syscall.EACCES)}, {"EFAULT", int(EFAULT), int(syscall.EFAULT)},
		{"EEXIST", int(EEXIST), int(syscall.EEXIST)}, {"ENOTDIR", int(ENOTDIR), int(syscall.ENOTDIR)},
		{"EISDIR", int(EISDIR), int(syscall.EISDIR)}, {"EINVAL", int(EINVAL), int(syscall.EINVAL)},
		{"EMFILE", int(EMFILE), int(syscall.EMFILE)}, {"ENOTTY", int(ENOTTY), int(syscall.ENOTTY)},
		{"ESPIPE", int(ESPIPE), int(syscall.ESPIPE)}, {"EPIPE", int(EPIPE), int(syscall.EPIPE)},
		{"ERANGE", int(ERANGE), int(syscall.ERANGE)}, {"ENAMETOOLONG", int(ENAMETOOLONG), int(syscall.ENAMETOOLONG)},
		{"ENOTEMPTY", int(ENOTEMPTY), int(syscall.ENOTEMPTY)},
		{"ENOSYS", int(ENOSYS), int(syscall.ENOSYS)}, {"ELOOP", int(ELOOP), int(syscall.ELOOP)},
		{"EOVERFLOW", int(EOVERFLOW), int(syscall.EOVERFLOW)}, {"ENOTSUP", int(ENOTSUP), int(syscall.ENOTSUP)},
		{"ETIMEDOUT", int(ETIMEDOUT), int(syscall.ETIMEDOUT)}, {"ENODEV", int(ENODEV), int(syscall.ENODEV)},
		{"PROT_READ", PROT_READ, syscall.PROT_READ}, {"PROT_WRITE", PROT_WRITE, syscall.PROT_WRITE},
		{"PROT_EXEC", PROT_EXEC, syscall.PROT_EXEC}, {"PROT_GROWSDOWN", PROT_GROWSDOWN, syscall.PROT_GROWSDOWN},
		{"PROT_GROWSUP", PROT_GROWSUP, syscall.PROT_GROWSUP},
		{"MAP_SHARED", MAP_SHARED, syscall.MAP_SHARED}, {"MAP_PRIVATE", MAP_PRIVATE, syscall.MAP_PRIVATE},
		{"MAP_TYPE", MAP_TYPE, syscall.MAP_TYPE}, {"MAP_FIXED", MAP_FIXED, syscall.MAP_FIXED},
		{"MAP_ANONYMOUS", MAP_ANONYMOUS, syscall.MAP_ANONYMOUS}, {"MAP_32BIT", MAP_32BIT, syscall.MAP_32BIT},
		{"MAP_GROWSDOWN", MAP_GROWSDOWN, syscall.MAP_GROWSDOWN}, {"MAP_DENYWRITE", MAP_DENYWRITE, syscall.MAP_DENYWRITE},
		{"MAP_EXECUTABLE", MAP_EXECUTABLE, syscall.MAP_EXECUTABLE}, {"MAP_LOCKED", MAP_LOCKED, syscall.MAP_LOCKED},
		{"MAP_NORESERVE", MAP_NORESERVE, syscall.MAP_NORESERVE}, {"MAP_POPULATE", MAP_POPULATE, syscall.MAP_POPULATE},
		{"MAP_NONBLOCK", MAP_NONBLOCK, syscall.MAP_NONBLOCK}, {"MAP_STACK", MAP_STACK, syscall.MAP_STACK},
		{"MAP_HUGETLB", MAP_HUGETLB, syscall.MAP_HUGETLB},
	} {
		if c.ours != c.hos {
			t.Errorf("%s = %#x, host says %#x", c.name, c.ours, c.hos)
		}
	}
	for sig := 1; sig < SIGRTMIN; sig++ {
		if h := syscall.Signal(sig); h.String() == "" {
			t.Errorf("host has no signal %d", sig)
		}
	}
	for _, c := range [][2]int{
		{SIGHUP, int(syscall.SIGHUP)}, {SIGILL, int(syscall.SIGILL)}, {SIGTRAP, int(syscall.SIGTRAP)},
		{SIGBUS, int(syscall.SIGBUS)}, {SIGFPE, int(syscall.SIGFPE)}, {SIGUSR1, int(syscall.SIGUSR1)},
		{SIGSEGV, int(syscall.SIGSEGV)}, {SIGPIPE, int(syscall.SIGPIPE)}, {SIGSTKFLT, int(syscall.SIGSTKFLT)},
		{SIGCHLD, int(syscall.SIGCHLD)}, {SIGCONT, int(syscall.SIGCONT)}, {SIGTSTP, int(syscall.SIGTSTP)},
		{SIGURG, int(syscall.SIGURG)}, {SIGXCPU, int(syscall.SIGXCPU)}, {SIGVTALRM, int(syscall.SIGVTALRM)},
		{SIGWINCH, int(syscall.SIGWINCH)}, {SIGIO, int(syscall.SIGIO)}, {SIGPWR, int(syscall.SIGPWR)},
		{SIGSYS, int(syscall.SIGSYS)},
	} {
		if c[0] != c[1] {
			t.Errorf("signal %d, host says %d", c[0], c[1])
		}
	}
}
