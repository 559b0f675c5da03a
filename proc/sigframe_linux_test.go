//go:build linux && amd64

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tamix/abi"
)

// These tests pin the signal frame's layout (sigframe.go, the siginfo
// offsets of signal.go) against the C headers a Linux program is built
// with: the test writes small C programs that print offsetof() and
// sizeof() of the real structures, compiles them with the host's gcc,
// and compares every number with Tamix's constant.
//
// Two programs, because the kernel's UAPI headers and glibc's <signal.h>
// both define struct sigcontext and cannot share a translation unit:
//
//   - uapiChecks uses only <asm/sigcontext.h>, <asm/signal.h>,
//     <asm/siginfo.h>, <asm/ucontext.h> and <asm/processor-flags.h>: what
//     the kernel writes.
//   - libcChecks uses glibc's <signal.h> and <sys/ucontext.h>: what a
//     handler reads through ucontext_t, mcontext_t's gregs and siginfo_t.
//
// struct rt_sigframe itself is not in the UAPI headers: Linux defines it
// in arch/x86/include/asm/sigframe.h as pretcode, struct ucontext uc,
// struct siginfo info, in that order, and the first program declares the
// same struct from the UAPI types.

// cCheck is one number Tamix must share with the C headers: got is
// Tamix's value, expr the C expression that must equal it.
type cCheck struct {
	name string
	got  int64
	expr string
}

const uapiPrologue = `#include <stddef.h>
#include <stdio.h>
#include <asm/processor-flags.h>
#include <asm/sigcontext.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/ucontext.h>
#include <linux/signal.h>

/* arch/x86/include/asm/sigframe.h (not UAPI), x86-64. */
struct rt_sigframe {
	char *pretcode;
	struct ucontext uc;
	siginfo_t info;
};
`

// uapiChecks compares the frame with the kernel's own definitions.
func uapiChecks() []cCheck {
	c := []cCheck{
		{"FramePretcode", FramePretcode, "offsetof(struct rt_sigframe, pretcode)"},
		{"FrameUC", FrameUC, "offsetof(struct rt_sigframe, uc)"},
		{"FrameInfo", FrameInfo, "offsetof(struct rt_sigframe, info)"},
		{"RtSigframeSize", RtSigframeSize, "sizeof(struct rt_sigframe)"},
		{"UCFlags", UCFlags, "offsetof(struct ucontext, uc_flags)"},
		{"UCLink", UCLink, "offsetof(struct ucontext, uc_link)"},
		{"UCStack", UCStack, "offsetof(struct ucontext, uc_stack)"},
		{"UCStack+ss_sp", UCStack, "offsetof(struct ucontext, uc_stack.ss_sp)"},
		{"UCStack+ss_flags", UCStack + 8, "offsetof(struct ucontext, uc_stack.ss_flags)"},
		{"UCStack+ss_size", UCStack + 16, "offsetof(struct ucontext, uc_stack.ss_size)"},
		{"UCMcontext", UCMcontext, "offsetof(struct ucontext, uc_mcontext)"},
		{"UCSigmask", UCSigmask, "offsetof(struct ucontext, uc_sigmask)"},
		{"UCSize", UCSize, "sizeof(struct ucontext)"},
		{"SigcontextSize", SigcontextSize, "sizeof(struct sigcontext)"},
		{"scEflags", scEflags, "offsetof(struct sigcontext, eflags)"},
		{"scCS", scCS, "offsetof(struct sigcontext, cs)"},
		{"scGS", scGS, "offsetof(struct sigcontext, gs)"},
		{"scFS", scFS, "offsetof(struct sigcontext, fs)"},
		{"scSS", scSS, "offsetof(struct sigcontext, ss)"},
		{"scErr", scErr, "offsetof(struct sigcontext, err)"},
		{"scTrapno", scTrapno, "offsetof(struct sigcontext, trapno)"},
		{"scOldmask", scOldmask, "offsetof(struct sigcontext, oldmask)"},
		{"scCR2", scCR2, "offsetof(struct sigcontext, cr2)"},
		{"scFpstate", scFpstate, "offsetof(struct sigcontext, fpstate)"},
		{"sizeof(siginfo_t)", int64(len(Siginfo{})), "sizeof(siginfo_t)"},
		{"si_signo", 0, "offsetof(siginfo_t, si_signo)"},
		{"si_code", 8, "offsetof(siginfo_t, si_code)"},
		{"siPid", siPid, "offsetof(siginfo_t, si_pid)"},
		{"siUID", siUID, "offsetof(siginfo_t, si_uid)"},
		{"siValue", siValue, "offsetof(siginfo_t, si_value)"},
		{"siStatus", siStatus, "offsetof(siginfo_t, si_status)"},
		{"siUtime", siUtime, "offsetof(siginfo_t, si_utime)"},
		{"siStime", siStime, "offsetof(siginfo_t, si_stime)"},
		{"siAddr", siAddr, "offsetof(siginfo_t, si_addr)"},
		{"UC_SIGCONTEXT_SS", UC_SIGCONTEXT_SS, "UC_SIGCONTEXT_SS"},
		{"UC_STRICT_RESTORE_SS", UC_STRICT_RESTORE_SS, "UC_STRICT_RESTORE_SS"},
		{"fxsave size", 512, "sizeof(struct _fpstate_64)"},
		{"fpxSwBytes", fpxSwBytes, "offsetof(struct _fpstate_64, sw_reserved)"},
		{"FPStateSize", FPStateSize, "sizeof(struct _fpstate_64) + FP_XSTATE_MAGIC2_SIZE"},
		{"FP_XSTATE_MAGIC1", FP_XSTATE_MAGIC1, "FP_XSTATE_MAGIC1"},
		{"FP_XSTATE_MAGIC2", FP_XSTATE_MAGIC2, "FP_XSTATE_MAGIC2"},
		{"sw.extended_size", 4, "offsetof(struct _fpx_sw_bytes, extended_size)"},
		{"sw.xfeatures", 8, "offsetof(struct _fpx_sw_bytes, xfeatures)"},
		{"sw.xstate_size", 16, "offsetof(struct _fpx_sw_bytes, xstate_size)"},
		// FIX_EFLAGS is in arch/x86/include/asm/sighandling.h (not
		// UAPI); its bits are named in <asm/processor-flags.h>.
		{"FlagsFromSigreturn", FlagsFromSigreturn, "X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | " +
			"X86_EFLAGS_TF | X86_EFLAGS_SF | X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | " +
			"X86_EFLAGS_CF | X86_EFLAGS_RF"},
		{"SA_NOCLDSTOP", abi.SA_NOCLDSTOP, "SA_NOCLDSTOP"},
		{"SA_NOCLDWAIT", abi.SA_NOCLDWAIT, "SA_NOCLDWAIT"},
		{"SA_SIGINFO", abi.SA_SIGINFO, "SA_SIGINFO"},
		{"SA_RESTORER", abi.SA_RESTORER, "SA_RESTORER"},
		{"SA_ONSTACK", abi.SA_ONSTACK, "SA_ONSTACK"},
		{"SA_RESTART", abi.SA_RESTART, "SA_RESTART"},
		{"SA_NODEFER", abi.SA_NODEFER, "SA_NODEFER"},
		{"SA_RESETHAND", abi.SA_RESETHAND, "(unsigned)SA_RESETHAND"},
		{"SS_ONSTACK", abi.SS_ONSTACK, "SS_ONSTACK"},
		{"SS_DISABLE", abi.SS_DISABLE, "SS_DISABLE"},
		{"SS_AUTODISARM", abi.SS_AUTODISARM, "(unsigned)SS_AUTODISARM"},
		{"MINSIGSTKSZ", abi.MINSIGSTKSZ, "MINSIGSTKSZ"},
	}
	for i, r := range sigcontextRegNames {
		c = append(c, cCheck{"sigcontext." + r[0], int64(8 * i),
			"offsetof(struct sigcontext, " + r[0] + ")"})
	}
	return c
}

const libcPrologue = `#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <sys/ucontext.h>
`

// libcChecks compares the frame with what a handler's third argument
// looks like to a C program (glibc's ucontext_t: the same layout up to
// uc_sigmask, which glibc declares 128 bytes long).
func libcChecks() []cCheck {
	c := []cCheck{
		{"UCFlags", UCFlags, "offsetof(ucontext_t, uc_flags)"},
		{"UCLink", UCLink, "offsetof(ucontext_t, uc_link)"},
		{"UCStack", UCStack, "offsetof(ucontext_t, uc_stack)"},
		{"UCMcontext", UCMcontext, "offsetof(ucontext_t, uc_mcontext)"},
		{"UCSigmask", UCSigmask, "offsetof(ucontext_t, uc_sigmask)"},
		{"scEflags", scEflags, "REG_EFL * 8"},
		{"scCS", scCS, "REG_CSGSFS * 8"},
		{"scErr", scErr, "REG_ERR * 8"},
		{"scTrapno", scTrapno, "REG_TRAPNO * 8"},
		{"scOldmask", scOldmask, "REG_OLDMASK * 8"},
		{"scCR2", scCR2, "REG_CR2 * 8"},
		{"scFpstate", scFpstate, "offsetof(mcontext_t, fpregs)"},
		{"siPid", siPid, "offsetof(siginfo_t, si_pid)"},
		{"siUID", siUID, "offsetof(siginfo_t, si_uid)"},
		{"siValue", siValue, "offsetof(siginfo_t, si_value)"},
		{"siStatus", siStatus, "offsetof(siginfo_t, si_status)"},
		{"siUtime", siUtime, "offsetof(siginfo_t, si_utime)"},
		{"siStime", siStime, "offsetof(siginfo_t, si_stime)"},
		{"siAddr", siAddr, "offsetof(siginfo_t, si_addr)"},
	}
	for i, r := range sigcontextRegNames {
		c = append(c, cCheck{"gregs." + r[0], int64(8 * i),
			"REG_" + strings.ToUpper(r[0]) + " * 8"})
	}
	return c
}

// runCChecks compiles a program printing every check's C value and
// returns the values, in order.
func runCChecks(t *testing.T, name, prologue string, checks []cCheck) []int64 {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc not found (%v): the layout tests need it (Debian: apt-get install gcc)", err)
	}
	var src strings.Builder
	src.WriteString(prologue)
	src.WriteString("\nint main(void)\n{\n")
	for _, c := range checks {
		fmt.Fprintf(&src, "\tprintf(\"%%lld\\n\", (long long)(%s));\n", c.expr)
	}
	src.WriteString("\treturn 0;\n}\n")
	dir := t.TempDir()
	cfile, bin := filepath.Join(dir, name+".c"), filepath.Join(dir, name)
	if err := os.WriteFile(cfile, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-Wall", "-o", bin, cfile).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s\n%s", name, err, out, src.String())
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != len(checks) {
		t.Fatalf("%s printed %d values for %d checks", name, len(fields), len(checks))
	}
	vals := make([]int64, len(fields))
	for i, f := range fields {
		if vals[i], err = strconv.ParseInt(f, 10, 64); err != nil {
			t.Fatalf("%s: value %q: %v", name, f, err)
		}
	}
	return vals
}

func compareCChecks(t *testing.T, name, prologue string, checks []cCheck) {
	t.Helper()
	for i, want := range runCChecks(t, name, prologue, checks) {
		c := checks[i]
		if c.got != want {
			t.Errorf("%s: Tamix has %d (%#x), the headers %s = %d (%#x)", c.name, c.got, c.got, c.expr, want, want)
		}
	}
}

// TestSigframeLayoutUAPI pins the frame against the kernel's UAPI headers.
func TestSigframeLayoutUAPI(t *testing.T) {
	compareCChecks(t, "uapi", uapiPrologue, uapiChecks())
}

// TestSigframeLayoutLibc pins the frame against glibc's view of it.
func TestSigframeLayoutLibc(t *testing.T) {
	compareCChecks(t, "libc", libcPrologue, libcChecks())
}
