// Package ktap is Tamix's in-guest test framework. Test packages register
// suites of cases from their init functions; the kernel runs them with Run
// and reports the results on the console in KTAP version 1, the format of
// Linux's kunit (Documentation/dev-tools/ktap.rst), so the host side can
// parse the serial log the way kunit_parser.py parses a Linux boot log.
//
// The shape of the output is:
//
//	KTAP version 1
//	1..2
//	    KTAP version 1
//	    # Subtest: runtime
//	    1..3
//	    # diagnostic printed by Logf, Errorf or Fatalf
//	    ok 1 timers
//	    not ok 2 maps_and_fmt
//	    ok 3 gc_pressure # SKIP not enough memory
//	    # runtime: pass:1 fail:1 skip:1 total:3
//	not ok 1 runtime
//	...
//	# tamix: ktap totals: pass=P fail=F skip=S
//	tamix: ktap done
//
// Suites are indented by four spaces as kunit prints them; the KTAP
// specification describes two, and parsers accept any indentation.
//
// The API follows package testing: a case receives a *T and reports
// through Logf, Errorf, Fatalf and Skipf. Every case runs on its own
// goroutine, so Fatalf and Skipf stop it with runtime.Goexit, a panic in
// the case goroutine is recovered and reported, and a case that runs past
// its timeout is abandoned (its goroutine keeps running, its later output
// is dropped) while the run moves on.
package ktap

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout is how long a case, or a suite's Init or Exit hook, may
// run before it is reported as timed out. Case.Timeout overrides it.
const DefaultTimeout = 30 * time.Second

// Indent is the indentation of every line of a suite: one nesting level.
const Indent = "    "

// Case is one test case: a named function run on its own goroutine.
type Case struct {
	// Name identifies the case in the output; Register canonicalises it.
	Name string
	// Run is the body of the case.
	Run func(*T)
	// Timeout bounds the running time of Run; zero means DefaultTimeout.
	Timeout time.Duration
}

// Suite is a named list of cases, reported as one nested KTAP test.
type Suite struct {
	// Name identifies the suite in the output and in Run's filter;
	// Register canonicalises it.
	Name string
	// Cases run in order.
	Cases []Case
	// Init, if not nil, runs before the first case. If it fails, no case
	// runs: every case is reported skipped and the suite failed.
	Init func() error
	// Exit, if not nil, runs after the last case (also after a failed
	// Init). If it fails, the suite is reported failed.
	Exit func() error
}

// T is the handle through which a running case reports. Its methods may be
// called from any goroutine, except Fatalf and Skipf, which must be called
// from the case's own goroutine because they stop it.
//
// After the case's result line has been printed (it returned, or timed
// out), further output through T is dropped.
type T struct {
	r    *runner
	name string

	// All below are protected by r.mu.
	failed   bool
	skipped  bool
	skipMsg  string
	stopped  bool // Fatalf or Skipf called runtime.Goexit
	finished bool // result line printed
}

// Name returns the canonical name of the case.
func (t *T) Name() string { return t.name }

// Logf prints a diagnostic line ("# ...") for the case. The message is
// formatted as by fmt.Sprintf; each line of it becomes one diagnostic line.
func (t *T) Logf(format string, args ...any) {
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	t.logLocked(fmt.Sprintf(format, args...))
}

// Errorf prints a diagnostic line prefixed with the caller's file and line
// and marks the case failed; the case keeps running.
func (t *T) Errorf(format string, args ...any) {
	msg := caller(2) + fmt.Sprintf(format, args...)
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	t.failed = true
	t.logLocked(msg)
}

// Fatalf is Errorf followed by stopping the case with runtime.Goexit.
// Deferred calls of the case still run.
func (t *T) Fatalf(format string, args ...any) {
	msg := caller(2) + fmt.Sprintf(format, args...)
	t.r.mu.Lock()
	t.failed = true
	t.stopped = true
	t.logLocked(msg)
	t.r.mu.Unlock()
	runtime.Goexit()
}

// Skipf stops the case with runtime.Goexit and reports it skipped with the
// formatted reason as the SKIP directive's text. A case that already
// failed stays failed: it is reported "not ok" and the reason becomes a
// diagnostic line.
func (t *T) Skipf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	t.r.mu.Lock()
	t.skipped = true
	t.skipMsg = strings.Join(strings.Fields(msg), " ")
	t.stopped = true
	t.r.mu.Unlock()
	runtime.Goexit()
}

// Failed reports whether the case has been marked failed.
func (t *T) Failed() bool {
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	return t.failed
}

// logLocked prints msg as diagnostic lines of the case unless its result
// has already been printed. Caller holds t.r.mu.
func (t *T) logLocked(msg string) {
	if t.finished {
		return
	}
	t.r.diagLocked(Indent, msg)
}

// caller returns "file.go:line: " for the function skip frames up.
func caller(skip int) string {
	_, file, line, ok := runtime.Caller(skip)
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	return fmt.Sprintf("%s:%d: ", file, line)
}

// registry is an ordered set of suites with unique names.
type registry struct {
	mu     sync.Mutex
	suites []*Suite // protected by mu
}

var defaultRegistry registry

// Register adds s to the suites run by Run, after those registered before.
// It is meant to be called from the init function of a test package.
//
// Register canonicalises the names of the suite and its cases in place
// (see CanonicalName) and panics on a nil suite, an empty name, a case
// without a Run function or a duplicate suite or case name: these are
// programming errors found at boot.
func Register(s *Suite) {
	defaultRegistry.register(s)
}

// Suites returns the registered suites in registration order.
func Suites() []*Suite {
	return defaultRegistry.list()
}

func (g *registry) register(s *Suite) {
	if s == nil {
		panic("ktap: Register of nil suite")
	}
	s.Name = CanonicalName(s.Name)
	if s.Name == "" {
		panic("ktap: Register of suite without a name")
	}
	seen := make(map[string]bool)
	for i := range s.Cases {
		c := &s.Cases[i]
		c.Name = CanonicalName(c.Name)
		switch {
		case c.Name == "":
			panic(fmt.Sprintf("ktap: suite %s: case %d has no name", s.Name, i+1))
		case c.Run == nil:
			panic(fmt.Sprintf("ktap: suite %s: case %s has no Run function", s.Name, c.Name))
		case seen[c.Name]:
			panic(fmt.Sprintf("ktap: suite %s: duplicate case %s", s.Name, c.Name))
		}
		seen[c.Name] = true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, o := range g.suites {
		if o.Name == s.Name {
			panic("ktap: duplicate suite " + s.Name)
		}
	}
	g.suites = append(g.suites, s)
}

func (g *registry) list() []*Suite {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*Suite(nil), g.suites...)
}

// CanonicalName returns name as it appears in KTAP output: surrounding
// space removed, letters lowered, and every character other than a-z, 0-9,
// '_' and '-' (spaces, '#', '.', ...) replaced by an underscore. The '#'
// would start a directive and the '.' separates suite and case in filters.
func CanonicalName(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
