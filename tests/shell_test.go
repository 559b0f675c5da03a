package tests

import (
	"bytes"
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

// TestShell boots to the busybox shell of `make run` and types into the
// console as a person would: QEMU's serial port reads qemu.sh's standard
// input, here a pipe. It waits for each prompt before typing the next
// line, and checks what comes back.
func TestShell(t *testing.T) {
	c := startConsole(t, 120*time.Second, "init=/bin/sh -- /etc/init.sh")
	c.expect(t, "/ # ", 60*time.Second)

	c.run(t, "ls /proc >/dev/null; echo ls-status=$?", "ls-status=0")
	checkProcTools(t, c)
	c.run(t, "echo hi > /tmp/f; cat /tmp/f", "\r\nhi\r\n")
	c.send(t, "cd /tmp; pwd\n")
	c.expect(t, "\r\n/tmp\r\n/tmp # ", 10*time.Second)
	c.run(t, "echo a b c | tr a-z A-Z | tr -d ' '", "\r\nABC\r\n")

	// ^C ends the foreground job; the shell reports 128+SIGINT.
	c.send(t, "sleep 100\n")
	c.expect(t, "sleep 100\r\n", 5*time.Second)
	time.Sleep(1500 * time.Millisecond) // the job is running
	c.send(t, "\x03")
	c.expect(t, "^C", 5*time.Second)
	c.expect(t, " # ", 10*time.Second)
	c.run(t, "echo $?", "\r\n130\r\n")

	// A background job, brought to the foreground and stopped with ^Z.
	c.run(t, "sleep 100 &", "")
	c.run(t, "jobs", "Running")
	c.send(t, "fg\n")
	c.expect(t, "sleep 100\r\n", 5*time.Second)
	time.Sleep(1500 * time.Millisecond)
	c.send(t, "\x1a")
	c.expect(t, "Stopped", 10*time.Second)
	c.expect(t, " # ", 10*time.Second)
	// As on Linux, SIGTERM stays pending while the job is stopped; the
	// SIGCONT that follows lets it act.
	c.run(t, "kill %1; kill -CONT %1", "")
	c.run(t, "jobs; echo alive", "alive")
	c.send(t, "exit 7\n")
	status := c.wait(t, 20*time.Second)
	out := c.output()
	for _, bad := range []string{"panic", "oops", "Stopped jobs", "stopped jobs"} {
		if strings.Contains(out, bad) {
			t.Errorf("console shows %q", bad)
		}
	}
	if status != 7 {
		t.Errorf("qemu.sh exit status %d (%s), want 7 (the shell's exit)", status, statusText(status))
	}
}

// checkProcTools runs the busybox applets that read procfs, as a
// person would: ls /proc/1, ps (init, kthreadd and khungtaskd listed),
// top in batch mode, free, uptime; df and stat -f (statfs: the root is
// a 64 MiB tmpfs).
func checkProcTools(t *testing.T, c *console) {
	t.Helper()
	want := map[string][]string{
		"ls /proc/1":       {"cmdline", "status", "fd"},
		"ps":               {"PID", "[kthreadd]", "[khungtaskd]", "/etc/init.sh", "ps"},
		"top -n 1 -b":      {"Mem:", "CPU:", "Load average:", "PID", "top"},
		"free":             {"total", "Mem:", "Swap:"},
		"uptime":           {" up ", "load average:"},
		"cat /proc/1/stat": {"1 (sh) S 0 "},
		"df /dev":          {"Filesystem", "devtmpfs", "1024"},
		"stat -f /":        {"Type: tmpfs", "Total: 16384"},
	}
	for _, line := range []string{"ls /proc/1", "ps", "top -n 1 -b", "free", "uptime", "cat /proc/1/stat", "df /dev", "stat -f /"} {
		out := c.capture(t, line)
		for _, w := range want[line] {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", line, w, out)
			}
		}
		if line == "ps" && !regexp.MustCompile(`(?m)^\s*1 +root .*/etc/init\.sh`).MatchString(out) {
			t.Errorf("ps: no line for init (PID 1) in\n%s", out)
		}
	}
}

// console is a running qemu.sh whose serial console the test types into.
type console struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	buf    bytes.Buffer // everything the serial console printed
	pos    int          // how far expect has consumed buf
	more   chan struct{}
	done   chan struct{}
	status int
}

// startConsole starts qemu.sh with its standard input on a pipe.
func startConsole(t *testing.T, timeout time.Duration, kernelArgs ...string) *console {
	t.Helper()
	args := []string{filepath.Join(rootDir, "qemu.sh"), "--kernel", kernelPath(t),
		"--timeout", fmt.Sprintf("%g", timeout.Seconds()), "--append", strings.Join(kernelArgs, " ")}
	if initrd := initrdPath(); initrd != "" {
		args = append(args, "--initrd", initrd)
	}
	c := &console{cmd: exec.Command("bash", args...), more: make(chan struct{}, 1), done: make(chan struct{})}
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.cmd.Stderr = &lockedWriter{c}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		io.Copy(&lockedWriter{c}, stdout)
		err := c.cmd.Wait()
		var exit *exec.ExitError
		c.status = 0
		if errors.As(err, &exit) {
			c.status = exit.ExitCode()
		}
		close(c.done)
	}()
	t.Cleanup(func() {
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		out := c.output()
		if t.Failed() {
			t.Logf("console:\n%s", out)
		}
		dir := filepath.Join(rootDir, "build", "test-logs")
		if os.MkdirAll(dir, 0o755) == nil {
			os.WriteFile(filepath.Join(dir, t.Name()+".log"), []byte(out), 0o644)
		}
	})
	return c
}

// lockedWriter appends to the console's buffer and signals expect.
type lockedWriter struct{ c *console }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	w.c.buf.Write(p)
	w.c.mu.Unlock()
	if os.Getenv("TAMIX_TEST_ECHO") != "" {
		os.Stderr.Write(p)
	}
	select {
	case w.c.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *console) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// send types s.
func (c *console) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, s); err != nil {
		t.Fatalf("typing %q: %v", s, err)
	}
}

// expect waits until s appears after what earlier expects consumed.
func (c *console) expect(t *testing.T, s string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		c.mu.Lock()
		i := strings.Index(c.buf.String()[c.pos:], s)
		if i >= 0 {
			c.pos += i + len(s)
		}
		c.mu.Unlock()
		if i >= 0 {
			return
		}
		select {
		case <-c.more:
		case <-c.done:
			t.Fatalf("QEMU ended (status %d) before %q appeared", c.status, s)
		case <-deadline:
			t.Fatalf("%q did not appear within %v", s, limit)
		}
	}
}

// run types a command line, waits for want in its output (if not empty)
// and for the next prompt.
func (c *console) run(t *testing.T, line, want string) {
	t.Helper()
	c.send(t, line+"\n")
	c.expect(t, line+"\r\n", 10*time.Second)
	if want != "" {
		c.expect(t, strings.TrimPrefix(want, "\r\n"), 20*time.Second)
	}
	c.expect(t, " # ", 20*time.Second)
}

// capture types a command line and returns what it printed before the
// next prompt, with "\r\n" turned into "\n".
func (c *console) capture(t *testing.T, line string) string {
	t.Helper()
	c.send(t, line+"\n")
	c.expect(t, line+"\r\n", 10*time.Second)
	c.mu.Lock()
	start := c.pos
	c.mu.Unlock()
	c.expect(t, " # ", 20*time.Second)
	c.mu.Lock()
	out := c.buf.String()[start : c.pos-len(" # ")]
	c.mu.Unlock()
	return strings.ReplaceAll(out, "\r\n", "\n")
}

// wait waits for qemu.sh to end and returns its exit status.
func (c *console) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
		return c.status
	case <-time.After(limit):
		t.Fatalf("QEMU still running %v after the last command", limit)
	}
	return -1
}
