package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGDBSignal debugs signal delivery as docs/signals.md does: with
// user/sigtest as init, it stops in SetupRtFrame while one signal is
// being delivered, another is blocked and more wait in the process's
// pending set, and checks tamix-sig there; then it lets SetupRtFrame
// write the frame and checks tamix-sigframe and the handler's pt_regs.

// gdbSignalDriver is TestGDBSignal's batch script. The breakpoint's
// condition (in Python, so that it reads the kernel through tamix.py)
// skips the simple deliveries: it stops when the task already blocks a
// signal and at least two signals are pending for its process. In
// sigtest's delivery_order case that is the second of five nested
// frames: SIGHUP's handler has blocked SIGHUP and four signals wait.
const gdbSignalDriver = gdbSteps + `
class SignalStop(gdb.Breakpoint):
    def stop(self):
        try:
            t = gdb.parse_and_eval("$tamix_current()").dereference()
            shared = int(t["Signal"].dereference()["SharedPending"]["Signal"])
            return int(t["Blocked"]) != 0 and bin(shared).count("1") >= 2
        except Exception as e:
            gdb.write("SignalStop: %s\n" % e)
            return True


mark("step break")
SignalStop("tamix/proc.(*Task).SetupRtFrame")
mark("end break")
step("continue", "continue")
step("bt", "bt 3")
step("symbols", "add-symbol-file %s" % os.environ["TAMIX_TEST_USER_ELF"])
step("delivering", "python sig = int(gdb.parse_and_eval('ks')['sig']); "
     "print(sig, signal_name(sig))")
step("sig", "tamix-sig")
step("sig-pid", "tamix-sig %d" % int(gdb.parse_and_eval("$tamix_current().PID")))
step("return", "finish")
step("sigframe", "tamix-sigframe")
step("regs", "tamix-regs")
step("delete", "delete")
step("finish", "continue")
`

func TestGDBSignal(t *testing.T) {
	gdbPath, kernel, initrd := gdbFiles(t)
	elf, err := filepath.Abs(filepath.Join(rootDir, "build", "user", "sigtest"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(elf); err != nil {
		t.Fatalf("%v: make initramfs builds it", err)
	}
	port := freePort(t)
	r := startQEMUForGDB(t, port, kernel, initrd, "init=/sigtest")
	s := runGDB(t, gdbPath, kernel, port, gdbSignalDriver, "TAMIX_TEST_USER_ELF="+elf)
	if s.failed != "" {
		r.kill()
	}
	r.wait(t, 30*time.Second)
	if s.failed != "" {
		t.Fatalf("gdb step %q did not finish within %v", s.failed, gdbStepTimeout)
	}
	for _, name := range s.order {
		if out := s.steps[name]; name != "finish" &&
			(strings.Contains(out, "ERROR:") || strings.Contains(out, "Python Exception") ||
				strings.Contains(out, "SignalStop:")) {
			t.Errorf("gdb step %s failed:\n%s", name, out)
		}
	}
	if !strings.Contains(s.steps["bt"], "SetupRtFrame (") || !strings.Contains(s.steps["bt"], "HandleSignal") {
		t.Fatalf("the kernel never stopped in SetupRtFrame from HandleSignal:\n%s\n%s",
			s.steps["continue"], s.steps["bt"])
	}
	checkSigState(t, s)
	checkSigframe(t, s)
	r.run.checkStatus(t, exitOK)
}

// delivering returns the signal SetupRtFrame was delivering, from the
// "delivering" step: its number and name.
func delivering(t *testing.T, s *gdbSession) (int, string) {
	t.Helper()
	f := strings.Fields(s.steps["delivering"])
	if len(f) != 2 {
		t.Fatalf("ks.sig at SetupRtFrame: %q", s.steps["delivering"])
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatalf("ks.sig at SetupRtFrame: %q", s.steps["delivering"])
	}
	return n, f[1]
}

// checkSigState checks tamix-sig at the stop: the handler of the signal
// being delivered (a user symbol, SA_RESTORER and musl's restorer), a
// blocked mask, and queued siginfo in the process's pending set.
func checkSigState(t *testing.T, s *gdbSession) {
	t.Helper()
	_, name := delivering(t, s)
	out := s.steps["sig"]
	handler := regexp.MustCompile(`(?m)^  ` + name + ` +0x[0-9a-f]+ <\w+>  flags \S*SA_RESTORER\S*  mask .*restorer 0x[0-9a-f]+ <__restore_rt>$`)
	if !handler.MatchString(out) {
		t.Errorf("tamix-sig shows no handler with SA_RESTORER for %s, the signal being delivered:\n%s", name, out)
	}
	if m := regexp.MustCompile(`(?m)^blocked: +(.*) \(0x`).FindStringSubmatch(out); m == nil || m[1] == "none" {
		t.Errorf("tamix-sig: the condition stopped with a signal blocked, the output shows none:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^pending \(process\): +SIG\w+ SIG`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^    queued: SIG\w+ code SI_USER pid \d+ uid 0$`).MatchString(out) {
		t.Errorf("tamix-sig: no process-wide pending set with kill()'s queued siginfo:\n%s", out)
	}
	for _, want := range []string{"TIF_SIGPENDING ", "pending (thread):", "sigaltstack:", "job control:       flags ",
		"pgrp ", "handlers (not SIG_DFL):"} {
		if !strings.Contains(out, want) {
			t.Errorf("tamix-sig has no %q:\n%s", want, out)
		}
	}
	if s.steps["sig-pid"] != out {
		t.Errorf("tamix-sig PID differs from tamix-sig of the current task:\n%s", s.steps["sig-pid"])
	}
	t.Logf("tamix-sig while delivering %s:\n%s", name, out)
}

// checkSigframe checks the frame SetupRtFrame wrote and pt_regs pointing
// at the handler: RDI the signal, RSP the frame, RSI and RDX into it.
func checkSigframe(t *testing.T, s *gdbSession) {
	t.Helper()
	sig, name := delivering(t, s)
	frame := s.steps["sigframe"]
	for _, want := range []string{"pretcode     0x", "<__restore_rt>", "uc_flags     0x6",
		"uc_mcontext  (struct sigcontext)", "cs 0x33 ss 0x2b", "info         " + name + " code SI_USER pid "} {
		if !strings.Contains(frame, want) {
			t.Errorf("tamix-sigframe has no %q:\n%s", want, frame)
		}
	}
	m := regexp.MustCompile(`rt_sigframe at (0x[0-9a-f]+)`).FindStringSubmatch(frame)
	regs := s.steps["regs"]
	if m == nil {
		t.Errorf("tamix-sigframe: no frame address:\n%s", frame)
	} else {
		addr, _ := strconv.ParseUint(m[1], 0, 64)
		for _, want := range []string{fmt.Sprintf("RSP: 002b:%016x", addr),
			fmt.Sprintf("RDI: %016x", sig), fmt.Sprintf("RSI: %016x", addr+312),
			fmt.Sprintf("RDX: %016x", addr+8)} {
			if !strings.Contains(regs, want) {
				t.Errorf("pt_regs after SetupRtFrame have no %q:\n%s", want, regs)
			}
		}
	}
	t.Logf("tamix-sigframe:\n%s", frame)
	t.Logf("tamix-regs:\n%s", regs)
}
