package proc

import (
	"testing"

	"tamix/abi"
)

func TestCheckCloneFlags(t *testing.T) {
	for _, c := range []struct {
		flags uint64
		want  error
	}{
		{SIGCHLD, nil},
		{CLONE_VM | CLONE_VFORK | SIGCHLD, nil},
		{CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SETTLS, nil},
		{CLONE_THREAD | CLONE_VM, abi.EINVAL},
		{CLONE_SIGHAND, abi.EINVAL},
		{CLONE_THREAD | CLONE_SIGHAND, abi.EINVAL},
		{CLONE_NEWNS | CLONE_FS, abi.EINVAL},
		{CLONE_NEWUSER | CLONE_FS, abi.EINVAL},
		{CLONE_NEWPID, abi.EINVAL},
		{1 << 40, abi.EINVAL},
	} {
		if got := CheckCloneFlags(c.flags); got != c.want {
			t.Errorf("CheckCloneFlags(%#x) = %v, want %v", c.flags, got, c.want)
		}
	}
}

// The boundary measured on Linux 6.18 (x86-64, 4-level paging): clone
// with CLONE_SETTLS and arch_prctl(ARCH_SET_FS) accept 0x7fffffffefff and
// refuse 0x7ffffffff000 and everything above it with EPERM.
func TestCheckFSBase(t *testing.T) {
	for _, c := range []struct {
		addr uint64
		want error
	}{
		{0, nil},
		{0x400000, nil},
		{0x7fffffffefff, nil},
		{0x7ffffffff000, abi.EPERM},
		{0x7fffffffffff, abi.EPERM},
		{0x0000800000000000, abi.EPERM}, // non-canonical
		{0xffff800000000000, abi.EPERM}, // kernel half
		{0xfffffffffffff000, abi.EPERM},
	} {
		if got := CheckFSBase(c.addr); got != c.want {
			t.Errorf("CheckFSBase(%#x) = %v, want %v", c.addr, got, c.want)
		}
	}
}

func TestCheckCloneArgs(t *testing.T) {
	const bad = 0xffff800000000000
	for _, c := range []struct {
		flags, tls uint64
		want       error
	}{
		{SIGCHLD, bad, nil}, // the TLS argument is ignored without CLONE_SETTLS
		{CLONE_SETTLS | SIGCHLD, 0x7fff0000, nil},
		{CLONE_SETTLS | SIGCHLD, bad, abi.EPERM},
		{CLONE_SETTLS | SIGCHLD, 1 << 47, abi.EPERM},
		{CLONE_SETTLS | CLONE_SIGHAND, bad, abi.EINVAL}, // flags are checked first
	} {
		if got := CheckCloneArgs(c.flags, c.tls); got != c.want {
			t.Errorf("CheckCloneArgs(%#x, %#x) = %v, want %v", c.flags, c.tls, got, c.want)
		}
	}
}
