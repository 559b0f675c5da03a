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
