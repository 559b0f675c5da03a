package ktap

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// maxStackFrames bounds the stack excerpt printed for a panicking case.
const maxStackFrames = 12

// runMu serialises calls of Run so that two runs never interleave.
var runMu sync.Mutex

// Run runs the registered suites selected by filter, writes their results
// to w in KTAP version 1 and reports whether all of them passed (skipped
// cases do not count against a run).
//
// Each filter entry names a suite ("runtime"), a single case of a suite
// ("runtime.timers") or every suite ("all"); an entry may also be a comma
// separated list of those, as it comes from a kernel command line such as
// "ktap=runtime,mm.buddy". A nil or empty filter selects every suite.
// Selected suites and cases run in registration order. An entry that
// matches nothing is reported as a diagnostic line and makes Run return
// false, so that a misspelt filter cannot pass silently.
//
// The output ends with the line "tamix: ktap done", printed even when a
// case has failed, panicked or timed out.
func Run(w io.Writer, filter []string) (passed bool) {
	return run(w, Suites(), filter)
}

// status is the outcome of one case.
type status int

const (
	statusPass status = iota
	statusFail
	statusSkip
)

// tally counts outcomes.
type tally struct {
	pass, fail, skip int
}

func (t *tally) add(s status) {
	switch s {
	case statusPass:
		t.pass++
	case statusFail:
		t.fail++
	case statusSkip:
		t.skip++
	}
}

// runner writes one run's output. Every write to w, and every T's state,
// is protected by mu, because a case may log from several goroutines and
// an abandoned case keeps running concurrently with the next one.
type runner struct {
	mu sync.Mutex
	w  io.Writer

	total tally // totals of the run; only the Run goroutine touches it
}

// selection is a suite and the indices of its cases chosen by a filter.
type selection struct {
	suite *Suite
	cases []int
}

func run(w io.Writer, suites []*Suite, filter []string) bool {
	runMu.Lock()
	defer runMu.Unlock()

	sel, unmatched := selectCases(suites, filter)
	r := &runner{w: w}
	r.line("", "KTAP version 1")
	r.line("", fmt.Sprintf("1..%d", len(sel)))
	for _, e := range unmatched {
		r.diag("", fmt.Sprintf("tamix: no test matches filter entry %q", e))
	}
	passed := len(unmatched) == 0
	for i, s := range sel {
		if !r.runSuite(i+1, s) {
			passed = false
		}
	}
	r.line("", fmt.Sprintf("# tamix: ktap totals: pass=%d fail=%d skip=%d",
		r.total.pass, r.total.fail, r.total.skip))
	r.line("", "tamix: ktap done")
	return passed
}

// selectCases applies filter to suites; see Run for the filter syntax. It
// returns the selected suites in order and the entries that matched nothing.
func selectCases(suites []*Suite, filter []string) (sel []selection, unmatched []string) {
	var entries []string
	for _, f := range filter {
		for _, e := range strings.Split(f, ",") {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
	}
	all := len(entries) == 0
	whole := make(map[*Suite]bool)
	some := make(map[*Suite]map[int]bool)
	for _, e := range entries {
		sname, cname, oneCase := strings.Cut(e, ".")
		sname = CanonicalName(sname)
		if sname == "all" && !oneCase {
			all = true
			continue
		}
		s := findSuite(suites, sname)
		if s == nil {
			unmatched = append(unmatched, e)
			continue
		}
		if !oneCase {
			whole[s] = true
			continue
		}
		ci := findCase(s, CanonicalName(cname))
		if ci < 0 {
			unmatched = append(unmatched, e)
			continue
		}
		if some[s] == nil {
			some[s] = make(map[int]bool)
		}
		some[s][ci] = true
	}
	for _, s := range suites {
		var cases []int
		for i := range s.Cases {
			if all || whole[s] || some[s][i] {
				cases = append(cases, i)
			}
		}
		if all || whole[s] || len(cases) > 0 {
			sel = append(sel, selection{suite: s, cases: cases})
		}
	}
	return sel, unmatched
}

func findSuite(suites []*Suite, name string) *Suite {
	for _, s := range suites {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func findCase(s *Suite, name string) int {
	for i := range s.Cases {
		if s.Cases[i].Name == name {
			return i
		}
	}
	return -1
}

// runSuite runs the selected cases of one suite as nested test num and
// reports whether the suite passed.
func (r *runner) runSuite(num int, sel selection) bool {
	s := sel.suite
	r.line(Indent, "KTAP version 1")
	r.line(Indent, "# Subtest: "+s.Name)
	r.line(Indent, fmt.Sprintf("1..%d", len(sel.cases)))

	var st tally
	hookFailed := false
	initErr := callHook(s.Init, DefaultTimeout)
	if initErr != nil {
		r.diag(Indent, fmt.Sprintf("%s: init failed: %v", s.Name, initErr))
		hookFailed = true
	}
	for i, ci := range sel.cases {
		c := &s.Cases[ci]
		if initErr != nil {
			r.line(Indent, fmt.Sprintf("ok %d %s # SKIP suite init failed", i+1, c.Name))
			st.add(statusSkip)
			continue
		}
		st.add(r.runCase(i+1, c))
	}
	if err := callHook(s.Exit, DefaultTimeout); err != nil {
		r.diag(Indent, fmt.Sprintf("%s: exit failed: %v", s.Name, err))
		hookFailed = true
	}
	r.diag(Indent, fmt.Sprintf("%s: pass:%d fail:%d skip:%d total:%d",
		s.Name, st.pass, st.fail, st.skip, len(sel.cases)))

	r.total.pass += st.pass
	r.total.fail += st.fail
	r.total.skip += st.skip
	if hookFailed {
		r.total.fail++
	}

	switch {
	case st.fail > 0 || hookFailed:
		r.line("", fmt.Sprintf("not ok %d %s", num, s.Name))
		return false
	case st.pass == 0:
		r.line("", fmt.Sprintf("ok %d %s # SKIP", num, s.Name))
	default:
		r.line("", fmt.Sprintf("ok %d %s", num, s.Name))
	}
	return true
}

// runCase runs c on a new goroutine as case num, waits for it to finish or
// time out, prints its result line and returns its outcome.
func (r *runner) runCase(num int, c *Case) status {
	t := &T{r: r, name: c.Name}
	done := make(chan struct{})
	go t.run(c.Run, done)

	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	timer := time.NewTimer(timeout)
	timedOut := false
	select {
	case <-done:
		timer.Stop()
	case <-timer.C:
		timedOut = true
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if timedOut {
		t.logLocked(fmt.Sprintf("timeout: %s still running after %v, abandoned", c.Name, timeout))
		t.finished = true
		r.lineLocked(Indent, fmt.Sprintf("not ok %d %s # TIMEOUT %v", num, c.Name, timeout))
		return statusFail
	}
	if t.failed && t.skipped {
		t.logLocked("SKIP after failure: " + t.skipMsg)
	}
	t.finished = true
	switch {
	case t.failed:
		r.lineLocked(Indent, fmt.Sprintf("not ok %d %s", num, c.Name))
		return statusFail
	case t.skipped:
		line := fmt.Sprintf("ok %d %s # SKIP", num, c.Name)
		if t.skipMsg != "" {
			line += " " + t.skipMsg
		}
		r.lineLocked(Indent, line)
		return statusSkip
	default:
		r.lineLocked(Indent, fmt.Sprintf("ok %d %s", num, c.Name))
		return statusPass
	}
}

// run is the body of a case goroutine: it calls body and, however body
// ends (return, Goexit or panic), records the outcome and closes done.
func (t *T) run(body func(*T), done chan<- struct{}) {
	returned := false
	defer func() {
		var msg string
		if v := recover(); v != nil {
			msg = fmt.Sprintf("panic: %v", v)
			for _, l := range stackExcerpt(string(debug.Stack()), maxStackFrames) {
				msg += "\n" + l
			}
		}
		t.r.mu.Lock()
		switch {
		case msg != "":
			t.failed = true
			t.logLocked(msg)
		case !returned && !t.stopped:
			t.failed = true
			t.logLocked("runtime.Goexit called outside Fatalf and Skipf")
		}
		t.r.mu.Unlock()
		close(done)
	}()
	body(t)
	returned = true
}

// callHook runs a suite's Init or Exit hook on its own goroutine and
// returns its error; a panic, a runtime.Goexit or running past timeout
// are errors too. A nil hook succeeds.
func callHook(fn func() error, timeout time.Duration) error {
	if fn == nil {
		return nil
	}
	ch := make(chan error, 1)
	go func() {
		returned := false
		defer func() {
			if v := recover(); v != nil {
				ch <- fmt.Errorf("panic: %v", v)
			} else if !returned {
				ch <- errors.New("runtime.Goexit called")
			}
		}()
		err := fn()
		returned = true
		ch <- err
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-ch:
		return err
	case <-timer.C:
		return fmt.Errorf("timed out after %v", timeout)
	}
}

// stackExcerpt returns the frames of a runtime/debug.Stack dump taken in a
// deferred recover: those from the panic call downwards to the case
// function, at most maxFrames of them, with tabs turned into spaces.
func stackExcerpt(stack string, maxFrames int) []string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	start := 1 // skip "goroutine N [running]:"
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "panic(") {
			start = i + 2 // skip the panic frame and its file line
			break
		}
	}
	var out []string
	frames := 0
	for _, l := range lines[min(start, len(lines)):] {
		if strings.HasPrefix(l, "\t") {
			out = append(out, "    "+strings.TrimPrefix(l, "\t"))
			continue
		}
		if strings.Contains(l, "ktap.(*T).run(") || strings.HasPrefix(l, "created by ") {
			break
		}
		if frames == maxFrames {
			out = append(out, "...")
			break
		}
		frames++
		out = append(out, l)
	}
	return out
}

// line writes one output line at the given indentation.
func (r *runner) line(indent, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lineLocked(indent, s)
}

// diag writes msg as diagnostic lines at the given indentation.
func (r *runner) diag(indent, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diagLocked(indent, msg)
}

// lineLocked writes one output line. Caller holds r.mu.
func (r *runner) lineLocked(indent, s string) {
	// Console errors cannot be reported anywhere better; ignore them.
	_, _ = io.WriteString(r.w, indent+s+"\n")
}

// diagLocked writes each line of msg as a "# " diagnostic line. Caller
// holds r.mu.
func (r *runner) diagLocked(indent, msg string) {
	for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		r.lineLocked(indent, strings.TrimRight("# "+l, " "))
	}
}
