package abi

import (
	"strings"
	"testing"
)

func TestErrnoValues(t *testing.T) {
	// Spot checks against include/uapi/asm-generic/errno{-base}.h; the
	// host test below compares every value on a Linux machine.
	for _, c := range []struct {
		e    Errno
		want int
	}{
		{EPERM, 1}, {ENOENT, 2}, {E2BIG, 7}, {ENOEXEC, 8}, {EBADF, 9}, {ECHILD, 10},
		{EAGAIN, 11}, {ENOMEM, 12}, {EACCES, 13}, {EFAULT, 14}, {EEXIST, 17},
		{EINVAL, 22}, {EMFILE, 24}, {ERANGE, 34}, {ENAMETOOLONG, 36}, {ENOSYS, 38},
		{ELOOP, 40}, {EOVERFLOW, 75}, {EOPNOTSUPP, 95}, {ENOTSUP, 95}, {ETIMEDOUT, 110},
	} {
		if int(c.e) != c.want {
			t.Errorf("%s = %d, want %d", c.e.Name(), c.e, c.want)
		}
	}
	if ENOMEM.Neg() != -12 || EWOULDBLOCK != EAGAIN {
		t.Error("Neg or alias")
	}
	var err error = EFAULT
	if err.Error() != "bad address" || EFAULT.Name() != "EFAULT" {
		t.Errorf("EFAULT: %q %q", err.Error(), EFAULT.Name())
	}
	if Errno(4000).Error() != "errno 4000" || Errno(4000).Name() != "errno 4000" {
		t.Error("unknown errno")
	}
	for e := Errno(1); e < 200; e++ {
		if _, ok := errnoText[e]; ok != (errnoName[e] != "") {
			t.Errorf("errno %d has a message but no name, or the reverse", e)
		}
	}
	for e := EPERM; e <= ERANGE; e++ {
		if _, ok := errnoText[e]; !ok {
			t.Errorf("errno %d in EPERM..ERANGE has no message", e)
		}
	}
}

func TestSignals(t *testing.T) {
	if SIGSEGV != 11 || SIGCHLD != 17 || SIGSYS != 31 || SIGKILL != 9 || SIGSTOP != 19 {
		t.Fatal("signal numbers")
	}
	for sig := 1; sig < SIGRTMIN; sig++ {
		if !strings.HasPrefix(SignalName(sig), "SIG") {
			t.Errorf("signal %d has no name", sig)
		}
	}
	if SignalName(0) != "" || SignalName(SIGRTMIN) != "" || SignalName(SIGIOT) != "SIGABRT" {
		t.Error("SignalName edges")
	}
}

func TestMman(t *testing.T) {
	if MAP_FIXED_NOREPLACE != 0x100000 || MAP_SHARED_VALIDATE != 3 || MAP_SYNC != 0x80000 || PROT_SEM != 8 {
		t.Fatal("mman values")
	}
	if failed := MAP_FAILED; int64(failed) != -1 {
		t.Fatal("MAP_FAILED")
	}
}
