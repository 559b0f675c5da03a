package tests

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Exit statuses of qemu.sh (defined in qemu.sh, documented in README.md).
const (
	exitOK         = 0   // the kernel reported success
	exitTestFailed = 1   // an in-guest test failed
	exitPanic      = 99  // kernel panic
	exitUsage      = 2   // qemu.sh usage error
	exitTimeout    = 124 // qemu.sh's --timeout expired
	exitNoReport   = 125 // guest reset or powered off without a status
	exitQEMUFailed = 126 // QEMU itself failed
)

// statusText explains a qemu.sh exit status.
func statusText(status int) string {
	switch status {
	case exitOK:
		return "success"
	case exitTestFailed:
		return "an in-guest test failed"
	case exitPanic:
		return "kernel panic"
	case exitUsage:
		return "qemu.sh usage error"
	case exitTimeout:
		return "timeout"
	case exitNoReport:
		return "guest reset or powered off without reporting a status (triple fault?)"
	case exitQEMUFailed:
		return "QEMU failed"
	case -1:
		return "qemu.sh killed by the test"
	}
	return fmt.Sprintf("kernel status %d", status)
}

// consoleLine is one line qemu.sh printed, with the host time it arrived.
type consoleLine struct {
	at     time.Duration // since qemu.sh was started
	stderr bool          // from qemu.sh's standard error, not the serial console
	text   string
}

// guestRun is the record of one boot.
type guestRun struct {
	args      []string      // kernel command line
	timeout   time.Duration // qemu.sh --timeout
	lines     []consoleLine // both streams, in order of arrival
	status    int           // qemu.sh's exit status, -1 if the test killed it
	timedOut  bool
	accel     string        // accelerator qemu.sh chose
	qemuStart time.Duration // when qemu.sh announced the accelerator and started QEMU
}

var accelLine = regexp.MustCompile(`^qemu\.sh: accelerator: (\w+)`)

// rootDir is the repository root, seen from this package's directory.
const rootDir = ".."

// kernelPath returns the ELF to boot: $TAMIX_KERNEL or build/tamix.elf.
func kernelPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("TAMIX_KERNEL")
	if path == "" {
		path = filepath.Join(rootDir, "build", "tamix.elf")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no kernel to boot (%v): run make kernel first", err)
	}
	return path
}

// testTimeout returns $TAMIX_TEST_TIMEOUT (seconds or a Go duration) or def.
func testTimeout(t *testing.T, def time.Duration) time.Duration {
	s := os.Getenv("TAMIX_TEST_TIMEOUT")
	if s == "" {
		return def
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	if d, err := time.ParseDuration(s + "s"); err == nil {
		return d
	}
	t.Fatalf("TAMIX_TEST_TIMEOUT=%q is neither seconds nor a duration", s)
	return 0
}

// bootKernel boots the kernel with the given command line through qemu.sh,
// waits until it ends (at most timeout, plus time for qemu.sh's KVM
// probe), and returns what happened. The full log is attached to the test
// if it fails, and written to build/test-logs/.
// initrdPath is the initramfs the kernel boots with: TAMIX_INITRD, or
// build/initramfs.cpio if it exists (make test builds it).
func initrdPath() string {
	if p := os.Getenv("TAMIX_INITRD"); p != "" {
		return p
	}
	p := filepath.Join(rootDir, "build", "initramfs.cpio")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

func bootKernel(t *testing.T, timeout time.Duration, kernelArgs ...string) *guestRun {
	t.Helper()
	return bootKernelOpts(t, timeout, nil, kernelArgs...)
}

// bootKernelOpts is bootKernel with more qemu.sh options (e.g. --trace).
func bootKernelOpts(t *testing.T, timeout time.Duration, opts []string, kernelArgs ...string) *guestRun {
	t.Helper()
	kernel := kernelPath(t)
	// Page poisoning is on in every test boot (tests/trace_test.go).
	kernelArgs = append([]string{"page_poison=on"}, kernelArgs...)
	r := &guestRun{args: kernelArgs, timeout: timeout, qemuStart: -1}
	args := []string{filepath.Join(rootDir, "qemu.sh"),
		"--kernel", kernel,
		"--timeout", fmt.Sprintf("%g", timeout.Seconds()),
		"--append", strings.Join(kernelArgs, " ")}
	if initrd := initrdPath(); initrd != "" {
		args = append(args, "--initrd", initrd)
	}
	args = append(args, opts...)
	cmd := exec.Command("bash", args...)
	// A process group of its own, so that the watchdog can end QEMU too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.report(t) })

	// The watchdog covers qemu.sh's KVM probe (up to 10 s) and its own
	// clean-up after the timeout.
	var killed bool
	var mu sync.Mutex
	watchdog := time.AfterFunc(timeout+30*time.Second, func() {
		mu.Lock()
		killed = true
		mu.Unlock()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})

	var wg sync.WaitGroup
	wg.Add(2)
	go r.read(&wg, &mu, stdout, false, start)
	go r.read(&wg, &mu, stderr, true, start)
	wg.Wait()
	err = cmd.Wait()
	watchdog.Stop()

	var exit *exec.ExitError
	switch {
	case err == nil:
		r.status = 0
	case errors.As(err, &exit):
		r.status = exit.ExitCode()
	default:
		t.Fatalf("qemu.sh: %v", err)
	}
	mu.Lock()
	r.timedOut = killed || r.status == exitTimeout
	mu.Unlock()
	return r
}

// read collects the lines of one stream as they arrive.
func (r *guestRun) read(wg *sync.WaitGroup, mu *sync.Mutex, from io.Reader, isStderr bool, start time.Time) {
	defer wg.Done()
	echo := os.Getenv("TAMIX_TEST_ECHO") != ""
	sc := bufio.NewScanner(from)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		l := consoleLine{at: time.Since(start), stderr: isStderr, text: strings.TrimRight(sc.Text(), "\r")}
		mu.Lock()
		r.lines = append(r.lines, l)
		if m := accelLine.FindStringSubmatch(l.text); isStderr && m != nil && r.accel == "" {
			r.accel = m[1]
			r.qemuStart = l.at
		}
		mu.Unlock()
		if echo {
			fmt.Fprintln(os.Stderr, formatLine(l))
		}
	}
}

// serial returns the serial console lines.
func (r *guestRun) serial() []string {
	var out []string
	for _, l := range r.lines {
		if !l.stderr {
			out = append(out, l.text)
		}
	}
	return out
}

// find returns the first console line that match accepts.
func (r *guestRun) find(match func(string) bool) (consoleLine, bool) {
	for _, l := range r.lines {
		if !l.stderr && match(l.text) {
			return l, true
		}
	}
	return consoleLine{}, false
}

// contains returns a matcher for lines containing s.
func contains(s string) func(string) bool {
	return func(line string) bool { return strings.Contains(line, s) }
}

// hasPrefix returns a matcher for lines starting with s.
func hasPrefix(s string) func(string) bool {
	return func(line string) bool { return strings.HasPrefix(line, s) }
}

// checkStatus fails the test unless qemu.sh exited with want.
func (r *guestRun) checkStatus(t *testing.T, want int) {
	t.Helper()
	if r.timedOut {
		t.Errorf("timed out after %v", r.timeout)
	}
	if r.status != want {
		t.Errorf("qemu.sh exit status %d (%s), want %d (%s)",
			r.status, statusText(r.status), want, statusText(want))
	}
}

func formatLine(l consoleLine) string {
	stream := "serial"
	if l.stderr {
		stream = "stderr"
	}
	return fmt.Sprintf("[%8.3fs] %s| %s", l.at.Seconds(), stream, l.text)
}

// log formats the whole run for humans.
func (r *guestRun) log() string {
	var b strings.Builder
	fmt.Fprintf(&b, "qemu.sh --append %q --timeout %v: exit status %d (%s), accelerator %q\n",
		strings.Join(r.args, " "), r.timeout, r.status, statusText(r.status), r.accel)
	for _, l := range r.lines {
		b.WriteString(formatLine(l))
		b.WriteByte('\n')
	}
	return b.String()
}

// report attaches the log to a failed test and saves it under build/.
func (r *guestRun) report(t *testing.T) {
	text := r.log()
	if t.Failed() {
		t.Logf("full log:\n%s", text)
	}
	dir := filepath.Join(rootDir, "build", "test-logs")
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + ".log"
	if err := os.MkdirAll(dir, 0o755); err == nil {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
}
