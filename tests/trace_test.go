package tests

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tamix/trace/ftrace"
	"tamix/trace/lifecycle"
)

// checkedEvents are the events the lifecycle checker needs; the boots
// whose trace it checks turn on these (sched_stat_runtime, which a
// busy suite records tens of thousands of times, is left out).
const checkedEvents = "trace_event=sched:sched_switch,sched:sched_wakeup,sched:sched_wakeup_new," +
	"sched:sched_process_fork,sched:sched_process_exec,sched:sched_process_exit," +
	"sched:sched_process_free,task:*,tamix:*"

// traceBufSize holds every event of the fork and scheduler suites.
const traceBufSize = "trace_buf_size=16M"

// bootTraced boots like bootKernel with qemu.sh --trace and returns the
// parsed trace, kept as build/test-logs/NAME.trace.
func bootTraced(t *testing.T, name string, kernelArgs ...string) (*guestRun, *ftrace.Trace) {
	t.Helper()
	dir := filepath.Join(rootDir, "build", "test-logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name+".trace")
	r := bootKernelOpts(t, testTimeout(t, inGuestTimeout), []string{"--trace", file}, kernelArgs...)
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("trace: %v", err)
	}
	defer f.Close()
	tr, err := ftrace.Parse(f)
	if err != nil {
		t.Fatalf("trace %s: %v", file, err)
	}
	t.Logf("trace: %d events in %s", len(tr.Records), file)
	return r, tr
}

// checkLifecycle fails t for every broken lifecycle rule in tr.
func checkLifecycle(t *testing.T, tr *ftrace.Trace) {
	t.Helper()
	if len(tr.Records) == 0 {
		t.Fatal("trace: no events")
	}
	for _, v := range lifecycle.Check(tr, lifecycle.Options{Complete: true}) {
		t.Errorf("lifecycle: %v", v)
	}
}

// TestSchedSuiteTraced runs the scheduler suite with tracing on and
// checks the lifecycle rules over its trace (the fork suite's trace is
// checked by TestForkSuite).
func TestSchedSuiteTraced(t *testing.T) {
	r, tr := bootTraced(t, "sched", checkedEvents, traceBufSize, "tamix.test=sched")
	checkKTAP(t, r)
	r.checkStatus(t, exitOK)
	checkLifecycle(t, tr)
}

// TestTraceDemo is what make trace does, checked: boot the demo with
// tracing on, turn the trace into Chrome JSON and SVG with
// cmd/tamix-trace, and find the demo's story (init execs /demo, which
// forks four children that exit and are freed) in all three files.
func TestTraceDemo(t *testing.T) {
	_, tr := bootTraced(t, "demo", "init=/demo")
	checkLifecycle(t, tr)
	kids := demoStory(t, tr)
	tool := filepath.Join(t.TempDir(), "tamix-trace")
	build := exec.Command("go", "build", "-o", tool, "./cmd/tamix-trace")
	build.Dir = rootDir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	prefix := filepath.Join(t.TempDir(), "demo")
	in := filepath.Join(rootDir, "build", "test-logs", "demo.trace")
	if out, err := exec.Command(tool, "all", in, prefix).CombinedOutput(); err != nil {
		t.Fatalf("tamix-trace: %v\n%s", err, out)
	}
	checkChromeJSON(t, prefix+".json", kids)
	checkSVG(t, prefix+".svg", tr, kids)
}

// demoStory checks the ftrace text and returns the children's PIDs.
func demoStory(t *testing.T, tr *ftrace.Trace) []int {
	t.Helper()
	var kids []int
	execed, exited, freed := false, map[int]bool{}, map[int]bool{}
	for _, r := range tr.Records {
		switch r.Event {
		case "sched_process_exec":
			execed = execed || r.Fields["filename"] == "/demo" && r.Int("pid") == 1
		case "sched_process_fork":
			if r.Int("pid") == 1 && r.Fields["comm"] == "demo" {
				kids = append(kids, int(r.Int("child_pid")))
			}
		case "sched_process_exit":
			exited[int(r.Int("pid"))] = true
		case "sched_process_free":
			freed[int(r.Int("pid"))] = true
		}
	}
	if !execed {
		t.Error("trace: no sched_process_exec of /demo by pid 1")
	}
	if len(kids) != 4 {
		t.Errorf("trace: demo forked %v, want 4 children", kids)
	}
	for _, k := range kids {
		if !exited[k] || !freed[k] {
			t.Errorf("trace: child %d exited %v, freed %v", k, exited[k], freed[k])
		}
	}
	return kids
}

// chromeEv is the part of a Chrome trace event the test reads.
type chromeEv struct {
	Name string          `json:"name"`
	Ph   string          `json:"ph"`
	TS   *float64        `json:"ts"`
	PID  *int            `json:"pid"`
	TID  *int            `json:"tid"`
	ID   int             `json:"id"`
	Dur  float64         `json:"dur"`
	Args json.RawMessage `json:"args"`
}

// checkChromeJSON parses the JSON as the trace-event format's object form
// and finds, for each child, a named lane, running slices, a fork flow
// from pid 1 and an exit mark; and pid 1's exec mark.
func checkChromeJSON(t *testing.T, file string, kids []int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []chromeEv `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: not JSON: %v", file, err)
	}
	named, ran, exit, flowTo := map[int]bool{}, map[int]bool{}, map[int]bool{}, map[int]bool{}
	flowFrom := map[int]int{}
	execMark := false
	for _, e := range doc.TraceEvents {
		if e.PID == nil || e.TID == nil || (e.Ph != "M" && e.TS == nil) {
			t.Fatalf("%s: event without pid, tid or ts: %+v", file, e)
		}
		switch e.Ph {
		case "M":
			named[*e.PID] = named[*e.PID] || e.Name == "thread_name"
		case "X":
			ran[*e.PID] = true
		case "i":
			exit[*e.PID] = exit[*e.PID] || e.Name == "exit"
			execMark = execMark || *e.PID == 1 && e.Name == "exec /demo"
		case "s":
			if e.Name == "fork" {
				flowFrom[e.ID] = *e.PID
			}
		case "f":
			if e.Name == "fork" && flowFrom[e.ID] == 1 {
				flowTo[*e.PID] = true
			}
		}
	}
	if !execMark {
		t.Errorf("%s: no exec mark for pid 1", file)
	}
	for _, k := range kids {
		if !named[k] || !ran[k] || !exit[k] || !flowTo[k] {
			t.Errorf("%s: child %d: named %v, ran %v, exit %v, fork flow from 1 %v", file, k, named[k], ran[k], exit[k], flowTo[k])
		}
	}
}

// checkSVG parses the SVG as XML and finds one lane (<g class="lane">)
// per task of the trace, and a fork arrow for each child.
func checkSVG(t *testing.T, file string, tr *ftrace.Trace, kids []int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tasks := map[string]bool{}
	for _, r := range tr.Records {
		tasks[itoa(r.PID)] = true
		for _, f := range []string{"prev_pid", "next_pid", "child_pid"} {
			if v, ok := r.Fields[f]; ok {
				tasks[v] = true
			}
		}
	}
	lanes, forks := map[string]bool{}, 0
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s: not XML: %v", file, err)
			}
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch attr(se, "class") {
		case "lane":
			lanes[attr(se, "data-pid")] = true
		case "fork":
			forks++
		}
	}
	if len(lanes) != len(tasks) {
		t.Errorf("%s: %d lanes for %d tasks", file, len(lanes), len(tasks))
	}
	for _, k := range kids {
		if !lanes[itoa(k)] {
			t.Errorf("%s: no lane for child %d", file, k)
		}
	}
	if forks < len(kids) {
		t.Errorf("%s: %d fork arrows for %d children", file, forks, len(kids))
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestPagePoisonCatchesEarlyStackFree injects the bug the deferred stack
// free prevents (a kernel stack freed while its task still traps onto it,
// tamix.inject=early_stack_free) and expects page poisoning to name it:
// a panic with "page_poison: memory corruption" when the block is
// allocated again. (Without poisoning the same run ends in a triple
// fault, status 125, with nothing to say why.)
func TestPagePoisonCatchesEarlyStackFree(t *testing.T) {
	r := bootKernel(t, testTimeout(t, shortTimeout), "tamix.inject=early_stack_free", "init=/forktest")
	if _, ok := r.find(contains("inject: freed the kernel stack of pid")); !ok {
		t.Error("the fault was not injected")
	}
	if _, ok := r.find(contains("panic: page_poison: memory corruption at")); !ok {
		t.Error("page poisoning did not catch the early stack free")
	}
	r.checkStatus(t, exitPanic)
}

// TestTracefsFromUserSpace runs user/tracectl.c as init: it turns events
// on through /sys/kernel/tracing/set_event and tracing_on, forks, and
// finds its child's fork and exit in trace, and another in trace_pipe.
func TestTracefsFromUserSpace(t *testing.T) {
	r := bootKernel(t, testTimeout(t, shortTimeout), "init=/tracectl")
	if _, ok := r.find(contains("tracectl: ok")); !ok {
		t.Error(`no "tracectl: ok" line`)
	}
	r.checkStatus(t, exitOK)
}
