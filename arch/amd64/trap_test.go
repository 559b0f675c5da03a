package amd64

import "testing"

func TestSignalForTrap(t *testing.T) {
	for v, want := range map[uint64]int{
		VecDivide: SIGFPE, VecInvalidOp: SIGILL, VecBreakpoint: SIGTRAP,
		VecGeneralProt: SIGSEGV, VecPageFault: SIGSEGV, VecAlignment: SIGBUS,
		VecSIMD: SIGFPE, 40: 0, SyscallVector: 0,
	} {
		if got := SignalForTrap(v); got != want {
			t.Errorf("SignalForTrap(%d) = %d, want %d", v, got, want)
		}
	}
}

func TestDecodePFError(t *testing.T) {
	for code, want := range map[uint64]string{
		0:                            "supervisor read access, not-present page (error code 0x0)",
		PFUser | PFWrite | PFPresent: "user write access, permissions violation (error code 0x7)",
		PFInstr | PFPresent:          "supervisor instruction fetch, permissions violation (error code 0x11)",
		PFUser | PFRsvd:              "user read access, reserved bit violation (error code 0xc)",
	} {
		if got := DecodePFError(code); got != want {
			t.Errorf("DecodePFError(%#x) = %q, want %q", code, got, want)
		}
	}
	if VectorName(14) != "page fault" || VectorName(SyscallVector) != "system call" || VectorName(33) != "interrupt 33" {
		t.Error("VectorName")
	}
}
