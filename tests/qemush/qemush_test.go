package qemush

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeQEMU is a stand-in for qemu-system-x86_64. It logs its arguments to
// $FAKE_LOG and behaves as $FAKE_TCG or $FAKE_KVM says, by accelerator:
//
//	exit:N    print a banner, exit with status N (a guest wrote (N-1)/2)
//	error     print a QEMU error message and exit 1
//	warn      print a QEMU warning and the banner, exit 1
//	internal  print the banner and KVM's internal error, then hang
//	hang      print the banner and hang
//	nobanner  exit 1 without printing anything
//	sigterm   print the banner and QEMU's "terminating on signal", exit 0
//	slow      print a line, wait a second, print another, exit 1
const fakeQEMU = `#!/usr/bin/env bash
printf '%s\n' "$*" >>"$FAKE_LOG"
accel=tcg prev=
for a in "$@"; do
	[[ $prev == -accel ]] && accel=$a
	prev=$a
done
var=FAKE_${accel^^}
mode=${!var:-exit:1}
case $mode in
exit:*) echo "Tamix fake banner"; exit "${mode#exit:}" ;;
error) echo "qemu-system-x86_64: failed to initialize kvm: Permission denied" >&2; exit 1 ;;
warn) echo "qemu-system-x86_64: warning: host doesn't support requested feature" >&2
	echo "Tamix fake banner"; exit 1 ;;
internal) echo "Tamix fake banner"
	printf 'KVM internal error. Suberror: 1\nemulation failure\n' >&2; exec sleep 60 ;;
hang) echo "Tamix fake banner"; exec sleep 60 ;;
nobanner) exit 1 ;;
sigterm) echo "Tamix fake banner"
	echo "qemu-system-x86_64: terminating on signal 15 from pid 1 (init)" >&2; exit 0 ;;
slow) echo first; sleep 1; echo second; exit 1 ;;
esac
`

// env is a scratch directory with a copy of qemu.sh, a fake QEMU, a fake
// /dev/kvm and a kernel file. The copy makes the directory qemu.sh's root,
// so its defaults (build/tamix.elf, build/initramfs.cpio) are the test's,
// not whatever the repository's build/ holds.
type env struct {
	t      *testing.T
	dir    string
	script string
	qemu   string
	kernel string
	kvm    string
	cache  string
	log    string
	vars   []string // extra environment, NAME=value
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{
		t:      t,
		dir:    dir,
		script: filepath.Join(dir, "qemu.sh"),
		qemu:   filepath.Join(dir, "qemu-system-x86_64"),
		kernel: filepath.Join(dir, "tamix.elf"),
		kvm:    filepath.Join(dir, "kvm"),
		cache:  filepath.Join(dir, "build", ".accel-probe"),
		log:    filepath.Join(dir, "qemu.log"),
	}
	script, err := os.ReadFile("../../qemu.sh")
	if err != nil {
		t.Fatal(err)
	}
	e.write(e.script, string(script), 0o755)
	e.write(e.qemu, fakeQEMU, 0o755)
	e.write(e.kernel, "not really an ELF\n", 0o644)
	e.write(e.kvm, "", 0o666)
	return e
}

func (e *env) write(path, text string, mode os.FileMode) {
	e.t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		e.t.Fatal(err)
	}
}

// set adds NAME=value to the environment of later runs.
func (e *env) set(kv ...string) *env {
	e.vars = append(e.vars, kv...)
	return e
}

// result is how one qemu.sh run ended.
type result struct {
	stdout, stderr string
	status         int
	elapsed        time.Duration
}

// command prepares qemu.sh with the scratch environment.
func (e *env) command(args ...string) *exec.Cmd {
	cmd := exec.Command("bash", append([]string{e.script}, args...)...)
	cmd.Dir = e.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TAMIX_") && !strings.HasPrefix(kv, "FAKE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"TAMIX_QEMU="+e.qemu,
		"TAMIX_KVM_DEV="+e.kvm,
		"TAMIX_PROBE_CACHE="+e.cache,
		"FAKE_LOG="+e.log)
	cmd.Env = append(cmd.Env, e.vars...)
	return cmd
}

// run runs qemu.sh to the end.
func (e *env) run(args ...string) result {
	e.t.Helper()
	cmd := e.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.status = exit.ExitCode()
	case err != nil:
		e.t.Fatal(err)
	}
	return r
}

// launches returns the argument lists the fake QEMU was started with.
func (e *env) launches() []string {
	data, err := os.ReadFile(e.log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// probes counts the launches that were KVM probes.
func (e *env) probes() int {
	n := 0
	for _, l := range e.launches() {
		if strings.Contains(l, "tamix.probe=1") {
			n++
		}
	}
	return n
}

func TestHelp(t *testing.T) {
	r := newEnv(t).run("-h")
	if r.status != 0 || !strings.Contains(r.stdout, "Usage: qemu.sh") {
		t.Errorf("status %d, stdout %q", r.status, r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
	}{
		{args: []string{"--bogus"}},
		{args: []string{"--smp"}},
		{args: []string{"--smp", "0"}},
		{args: []string{"--timeout", "soon"}},
		{args: []string{"--kernel", "/nonexistent/tamix.elf"}},
		{args: []string{"--initrd", "/nonexistent/initrd"}},
		{args: []string{"--dry-run"}, env: []string{"TAMIX_ACCEL=hvf"}},
	} {
		e := newEnv(t).set(tc.env...)
		args := append([]string{"--kernel", e.kernel}, tc.args...)
		r := e.run(args...)
		if r.status != 2 || !strings.HasPrefix(r.stderr, "qemu.sh: ") {
			t.Errorf("%v %v: status %d, stderr %q; want 2 and a message", tc.env, tc.args, r.status, r.stderr)
		}
		if n := len(e.launches()); n != 0 {
			t.Errorf("%v: QEMU started %d times", tc.args, n)
		}
	}
}

func TestDryRun(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg")
	r := e.run("--dry-run", "--kernel", e.kernel)
	want := e.qemu + " -machine microvm -nodefaults -no-user-config -nographic -no-reboot" +
		" -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04" +
		" -accel tcg -cpu max -m 512M -smp 1 -kernel " + e.kernel + "\n"
	if r.status != 0 || r.stdout != want {
		t.Errorf("status %d\n got %q\nwant %q", r.status, r.stdout, want)
	}
	if !strings.Contains(r.stderr, "qemu.sh: accelerator: tcg (forced by TAMIX_ACCEL)") {
		t.Errorf("stderr %q", r.stderr)
	}
	if len(e.launches()) != 0 {
		t.Error("a dry run started QEMU")
	}
}

func TestDryRunOptions(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=kvm", "TAMIX_GDB_PORT=4321", "TAMIX_QEMU_ARGS=-d int")
	r := e.run("--dry-run", "--kernel", e.kernel, "-m", "1G", "--smp", "2",
		"--append", "tamix.test=all", "--append", "a='b c'", "--initrd", "initrd.cpio", "--gdb", "--", "x=1", "y")
	want := " -accel kvm -cpu host -m 1G -smp 2 -kernel " + e.kernel +
		` -initrd initrd.cpio -append 'tamix.test=all a='\''b c'\'' x=1 y' -gdb tcp::4321 -S -d int` + "\n"
	if r.status != 0 || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("status %d\n got %q\nwant suffix %q", r.status, r.stdout, want)
	}
}

// TestDryRunTrace: --trace connects COM2 to the file and turns the default
// events on, unless the command line names events itself.
func TestDryRunTrace(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg")
	r := e.run("--dry-run", "--kernel", e.kernel, "--trace", "out.txt", "--", "init=/demo")
	want := ` -append 'trace_event=sched:*,task:*,signal:*,tamix:* init=/demo'` +
		" -chardev file,id=trace,path=out.txt -device isa-serial,chardev=trace,iobase=0x2f8,irq=3\n"
	if r.status != 0 || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("status %d\n got %q\nwant suffix %q", r.status, r.stdout, want)
	}
	r = e.run("--dry-run", "--kernel", e.kernel, "--trace", "out.txt", "--", "trace_event=sched:*")
	if !strings.Contains(r.stdout, ` -append 'trace_event=sched:*' `) {
		t.Errorf("own events replaced: %q", r.stdout)
	}
	if _, err := os.Stat("out.txt"); err == nil {
		t.Error("a dry run created the trace file")
	}
}

func TestDefaultKernel(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg")
	r := e.run("--dry-run")
	if want := "-kernel " + filepath.Join(e.dir, "build", "tamix.elf") + "\n"; !strings.HasSuffix(r.stdout, want) {
		t.Errorf("stdout %q, want suffix %q", r.stdout, want)
	}
}

// Without --initrd, qemu.sh passes build/initramfs.cpio beside itself when
// it exists, so that "./qemu.sh -- tamix.test=all" reaches the user suite's
// programs; an explicit --initrd wins.
func TestDefaultInitrd(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg")
	if r := e.run("--dry-run", "--", "tamix.test=all"); strings.Contains(r.stdout, "-initrd") {
		t.Errorf("no build/initramfs.cpio, yet: %q", r.stdout)
	}
	def := filepath.Join(e.dir, "build", "initramfs.cpio")
	if err := os.MkdirAll(filepath.Dir(def), 0o755); err != nil {
		t.Fatal(err)
	}
	e.write(def, "070701 not really a cpio\n", 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--", "tamix.test=all"}, " -initrd " + def + " -append tamix.test=all\n"},
		{[]string{"--init", "/hello"}, " -initrd " + def + " -append init=/hello\n"},
		{[]string{"--initrd", "other.cpio"}, " -initrd other.cpio\n"},
	} {
		r := e.run(append([]string{"--dry-run"}, tc.args...)...)
		if r.status != 0 || !strings.HasSuffix(r.stdout, tc.want) {
			t.Errorf("%q: status %d, stdout %q, want suffix %q", tc.args, r.status, r.stdout, tc.want)
		}
	}
	// Run, not dry: the fake QEMU gets the same -initrd.
	e.set("FAKE_TCG=exit:1")
	if r := e.run("--kernel", e.kernel, "--", "tamix.test=all"); r.status != 0 {
		t.Errorf("status %d, stderr %q", r.status, r.stderr)
	}
	if l := e.launches(); len(l) != 1 || !strings.Contains(l[0], "-initrd "+def+" ") {
		t.Errorf("launches %q, want -initrd %s", l, def)
	}
}

func TestStatusTranslation(t *testing.T) {
	// translate_status QEMU_STATUS TIMED_OUT QEMU_ERROR
	cases := map[string]string{
		"1 0 0":   "0",
		"3 0 0":   "1",
		"199 0 0": "99",
		"255 0 0": "127",
		"0 0 0":   "125",
		"1 0 1":   "126",
		"3 0 1":   "1",
		"2 0 0":   "126",
		"134 0 0": "126",
		"1 1 0":   "124",
		"0 1 0":   "124",
	}
	var script strings.Builder
	script.WriteString("source ../../qemu.sh\n")
	var keys []string
	for in := range cases {
		keys = append(keys, in)
		script.WriteString("echo \"" + in + " -> $(translate_status " + in + ")\"\n")
	}
	out, err := exec.Command("bash", "-euo", "pipefail", "-c", script.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, in := range keys {
		if want := in + " -> " + cases[in] + "\n"; !strings.Contains(string(out), want) {
			t.Errorf("translate_status %s: want %s; output:\n%s", in, cases[in], out)
		}
	}
}

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		mode string
		args []string
		want int
	}{
		{mode: "exit:1", want: 0},
		{mode: "exit:3", want: 1},
		{mode: "exit:199", want: 99},
		{mode: "exit:0", want: 125},
		{mode: "exit:2", want: 126},
		{mode: "error", want: 126},
		{mode: "warn", want: 0},
		{mode: "sigterm", want: 126},
		{mode: "hang", args: []string{"--timeout", "1"}, want: 124},
	} {
		e := newEnv(t).set("TAMIX_ACCEL=tcg", "FAKE_TCG="+tc.mode)
		r := e.run(append([]string{"--kernel", e.kernel}, tc.args...)...)
		if r.status != tc.want {
			t.Errorf("%s: status %d, want %d; stderr %q", tc.mode, r.status, tc.want, r.stderr)
		}
		if tc.mode != "error" && r.stdout != "Tamix fake banner\n" {
			t.Errorf("%s: stdout %q", tc.mode, r.stdout)
		}
		if tc.mode == "error" && !strings.Contains(r.stderr, "failed to initialize kvm") {
			t.Errorf("QEMU's error message was not passed on: %q", r.stderr)
		}
	}
}

func TestQEMUMissing(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg", "TAMIX_QEMU=/nonexistent/qemu")
	if r := e.run("--kernel", e.kernel); r.status != 126 {
		t.Errorf("status %d, want 126", r.status)
	}
}

func TestProbe(t *testing.T) {
	for _, tc := range []struct {
		name, kvmMode string
		noKVM         bool
		want          string
		maxTime       time.Duration
	}{
		{name: "no /dev/kvm", noKVM: true, want: "tcg"},
		{name: "kvm works", kvmMode: "exit:1", want: "kvm"},
		{name: "internal error", kvmMode: "internal", want: "tcg", maxTime: 5 * time.Second},
		{name: "kvm init fails", kvmMode: "error", want: "tcg"},
		{name: "no banner", kvmMode: "nobanner", want: "tcg"},
		{name: "kernel fails", kvmMode: "exit:3", want: "tcg"},
		{name: "reset", kvmMode: "exit:0", want: "tcg"},
		{name: "hang", kvmMode: "hang", want: "tcg", maxTime: 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t).set("FAKE_KVM="+tc.kvmMode, "TAMIX_PROBE_TIMEOUT=1")
			if tc.noKVM {
				e.set("TAMIX_KVM_DEV=" + filepath.Join(e.dir, "nonexistent"))
			}
			r := e.run("--kernel", e.kernel)
			if r.status != 0 {
				t.Errorf("status %d; stderr %q", r.status, r.stderr)
			}
			if !strings.Contains(r.stderr, "qemu.sh: accelerator: "+tc.want+" (") {
				t.Errorf("stderr %q, want accelerator %s", r.stderr, tc.want)
			}
			l := e.launches()
			if last := l[len(l)-1]; !strings.Contains(last, "-accel "+tc.want) || strings.Contains(last, "tamix.probe") {
				t.Errorf("last launch %q, want a normal boot under %s", last, tc.want)
			}
			if wantProbes := map[bool]int{true: 0, false: 1}[tc.noKVM]; e.probes() != wantProbes {
				t.Errorf("%d probes, want %d", e.probes(), wantProbes)
			}
			if tc.maxTime > 0 && r.elapsed > tc.maxTime {
				t.Errorf("took %v, want under %v", r.elapsed, tc.maxTime)
			}
			if tc.noKVM {
				return
			}
			cache, err := os.ReadFile(e.cache)
			if err != nil || !strings.HasSuffix(string(cache), " "+tc.want+"\n") {
				t.Errorf("cache %q (%v)", cache, err)
			}
		})
	}
}

func TestProbeCache(t *testing.T) {
	e := newEnv(t).set("FAKE_KVM=internal")
	e.run("--kernel", e.kernel)
	r := e.run("--kernel", e.kernel)
	if e.probes() != 1 || !strings.Contains(r.stderr, "accelerator: tcg (cached") {
		t.Errorf("after two runs: %d probes, stderr %q", e.probes(), r.stderr)
	}
	// A dry run uses the cached verdict.
	r = e.run("--dry-run", "--kernel", e.kernel)
	if !strings.Contains(r.stdout, "-accel tcg") || !strings.Contains(r.stderr, "(cached") {
		t.Errorf("dry run: stdout %q stderr %q", r.stdout, r.stderr)
	}
	// A new kernel is probed again, but not by a dry run.
	e.write(e.kernel, "another kernel\n", 0o644)
	r = e.run("--dry-run", "--kernel", e.kernel)
	if e.probes() != 1 || !strings.Contains(r.stderr, "dry run, KVM not probed") {
		t.Errorf("dry run probed: %d probes, stderr %q", e.probes(), r.stderr)
	}
	e.run("--kernel", e.kernel)
	if e.probes() != 2 {
		t.Errorf("new kernel: %d probes, want 2", e.probes())
	}
}

func TestForcedAccel(t *testing.T) {
	for _, accel := range []string{"tcg", "kvm"} {
		e := newEnv(t).set("TAMIX_ACCEL="+accel, "FAKE_KVM=exit:1")
		r := e.run("--kernel", e.kernel)
		want := map[string]string{"tcg": "-accel tcg -cpu max", "kvm": "-accel kvm -cpu host"}[accel]
		if l := e.launches(); r.status != 0 || len(l) != 1 || !strings.Contains(l[0], want) {
			t.Errorf("TAMIX_ACCEL=%s: status %d, launches %q", accel, r.status, l)
		}
	}
}

func TestGDB(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg", "TAMIX_GDB_PORT=4321")
	r := e.run("--kernel", e.kernel, "--gdb")
	if !strings.Contains(r.stderr, "gdb tamix.elf -ex 'target remote :4321'") {
		t.Errorf("stderr %q lacks the gdb hint", r.stderr)
	}
	if l := e.launches(); len(l) != 1 || !strings.HasSuffix(l[0], "-gdb tcp::4321 -S") {
		t.Errorf("launches %q", l)
	}
}

// The serial console must reach qemu.sh's caller as QEMU writes it: the
// boot tests time lines as they arrive.
func TestOutputIsStreamed(t *testing.T) {
	e := newEnv(t).set("TAMIX_ACCEL=tcg", "FAKE_TCG=slow")
	cmd := e.command("--kernel", e.kernel)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var at []time.Time
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		at = append(at, time.Now())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(at) != 2 {
		t.Fatalf("%d lines, want 2", len(at))
	}
	if gap := at[1].Sub(at[0]); gap < 700*time.Millisecond {
		t.Errorf("lines arrived %v apart, want about 1s: output is buffered", gap)
	}
}
