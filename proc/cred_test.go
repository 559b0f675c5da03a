package proc

import (
	"testing"

	"tamix/abi"
)

func TestRootDropsToUser(t *testing.T) {
	c := &Cred{}
	if err := c.Setresuid(1000, 1000, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Setresuid(noID, 0, noID); err != nil {
		t.Fatalf("back to euid 0 through the saved UID: %v", err)
	}
	if err := c.Setuid(1000); err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if s.UID != 1000 || s.EUID != 1000 || s.SUID != 1000 || s.FSUID != 1000 {
		t.Fatalf("after root's setuid(1000): %+v", &s)
	}
	if err := c.Setuid(0); err != abi.EPERM {
		t.Errorf("setuid(0) as 1000: %v, want EPERM", err)
	}
	if err := c.Setgid(5); err != abi.EPERM {
		t.Errorf("setgid(5) as 1000: %v, want EPERM", err)
	}
	if err := c.SetGroups([]uint32{1}); err != abi.EPERM {
		t.Errorf("setgroups as 1000: %v, want EPERM", err)
	}
	if old := c.Setfsuid(0); old != 1000 || c.Snapshot().FSUID != 1000 {
		t.Errorf("setfsuid(0) as 1000 changed it or returned %d", old)
	}
}

func TestSetreuidSavesTheEffective(t *testing.T) {
	c := &Cred{}
	if err := c.Setreuid(noID, 1000); err != nil {
		t.Fatal(err)
	}
	// euid changed to something other than the real UID: saved follows.
	if s := c.Snapshot(); s.UID != 0 || s.EUID != 1000 || s.SUID != 1000 {
		t.Fatalf("setreuid(-1, 1000) as root: %+v", &s)
	}
	if err := c.Setreuid(noID, 0); err != nil {
		t.Fatalf("back to the real UID 0: %v", err)
	}
	if err := c.Setuid(noID); err != abi.EINVAL {
		t.Errorf("setuid(-1): %v, want EINVAL", err)
	}
	if err := c.SetGroups(make([]uint32, NGROUPS_MAX+1)); err != abi.EINVAL {
		t.Errorf("too many groups: %v", err)
	}
}
