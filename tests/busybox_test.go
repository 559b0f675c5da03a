package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBusyboxScripts runs the shell scripts of user/rootfs/etc/sh-tests
// (background jobs and wait, signals and traps, pipes, here-documents,
// ls, ps, a longer script with functions and loops) twice: with Debian's
// busybox on this Linux host, and as PID 1 on Tamix (init=/bin/sh), and
// requires the same output and the same exit status. The busybox binary
// is the one the build put into the initramfs (scripts/busybox.sh).
func TestBusyboxScripts(t *testing.T) {
	bb, err := filepath.Abs(filepath.Join(rootDir, "build", "initramfs.d", "bin", "busybox"))
	if err == nil {
		_, err = os.Stat(bb)
	}
	if err != nil {
		t.Fatalf("no busybox from the build (make -f user/user.mk): %v", err)
	}
	applets := linkApplets(t, bb)
	scripts, _ := filepath.Glob(filepath.Join(rootDir, "user", "rootfs", "etc", "sh-tests", "*.sh"))
	if len(scripts) == 0 {
		t.Fatal("no scripts in user/rootfs/etc/sh-tests")
	}
	for _, s := range scripts {
		name := filepath.Base(s)
		t.Run(strings.TrimSuffix(name, ".sh"), func(t *testing.T) {
			want := runOnHost(t, applets, s)
			r := bootKernel(t, testTimeout(t, shortTimeout), "init=/bin/sh", "--", "/etc/sh-tests/"+name)
			got := scriptOutput(r.serial()) + "status " + strconv.Itoa(r.status) + "\n"
			if got != want {
				t.Errorf("Tamix:\n%s\nLinux:\n%s", got, want)
			}
		})
	}
}

// linkApplets makes a directory with a link per busybox applet, the PATH
// of the host runs (the host's own /bin has other programs).
func linkApplets(t *testing.T, bb string) string {
	dir := t.TempDir()
	out, err := exec.Command(bb, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	for _, a := range strings.Fields(string(out)) {
		if err := os.Symlink(bb, filepath.Join(dir, a)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runOnHost runs script with busybox's sh on this host, stdout and
// stderr together, and returns its output from the begin marker on and
// its status.
func runOnHost(t *testing.T, applets, script string) string {
	abs, err := filepath.Abs(script)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(applets, "sh"), abs)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"SHTEST_PATH=" + applets, "HOME=/"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	status := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("host run of %s: %v", script, err)
		}
		status = ee.ExitCode()
	}
	return scriptOutput(strings.Split(out.String(), "\n")) + "status " + strconv.Itoa(status) + "\n"
}

// kernelLine is a kernel log line on the console.
var kernelLine = regexp.MustCompile(`^\[ *[0-9]+\.[0-9]+\] `)

// scriptOutput keeps the lines from "=== begin" to "=== end", without
// carriage returns (the console's ONLCR) and kernel log lines.
func scriptOutput(lines []string) string {
	var b strings.Builder
	in := false
	for _, l := range lines {
		l = strings.TrimRight(l, "\r")
		switch {
		case l == "=== begin":
			in = true
		case !in || kernelLine.MatchString(l):
		default:
			b.WriteString(l + "\n")
		}
		if l == "=== end" {
			break
		}
	}
	return b.String()
}
