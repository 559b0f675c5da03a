package ktap

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineNumbers hides the line numbers Errorf and Fatalf print.
var lineNumbers = regexp.MustCompile(`ktap_test\.go:\d+:`)

// runOut runs suites through a fresh registry and returns the output with
// line numbers normalised.
func runOut(t *testing.T, suites []*Suite, filter ...string) (string, bool) {
	t.Helper()
	var g registry
	for _, s := range suites {
		g.register(s)
	}
	var b strings.Builder
	passed := run(&b, g.list(), filter)
	return lineNumbers.ReplaceAllString(b.String(), "ktap_test.go:N:"), passed
}

func checkOut(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("output mismatch\n--- got:\n%s--- want:\n%s", got, want)
	}
}

func TestPassFailSkipFatal(t *testing.T) {
	var deferred, afterFatal bool
	s := &Suite{Name: "Demo Suite", Cases: []Case{
		{Name: "passes", Run: func(t *T) { t.Logf("hello %d", 42) }},
		{Name: "Fails Twice", Run: func(t *T) {
			if t.Failed() {
				panic("failed too early")
			}
			t.Errorf("first")
			t.Errorf("second\nwith two lines")
			if !t.Failed() {
				panic("Failed() is false after Errorf")
			}
		}},
		{Name: "skips", Run: func(t *T) {
			t.Logf("about to skip")
			t.Skipf("no %s here", "disk")
		}},
		{Name: "fatal", Run: func(t *T) {
			defer func() { deferred = true }()
			t.Fatalf("stop: %v", errors.New("bad"))
			afterFatal = true
		}},
		{Name: "skip_after_error", Run: func(t *T) {
			t.Errorf("broken")
			t.Skipf("giving up")
		}},
		{Name: "bare_skip", Run: func(t *T) { t.Skipf("") }},
	}}
	got, passed := runOut(t, []*Suite{s})
	want := `KTAP version 1
1..1
    KTAP version 1
    # Subtest: demo_suite
    1..6
    # hello 42
    ok 1 passes
    # ktap_test.go:N: first
    # ktap_test.go:N: second
    # with two lines
    not ok 2 fails_twice
    # about to skip
    ok 3 skips # SKIP no disk here
    # ktap_test.go:N: stop: bad
    not ok 4 fatal
    # ktap_test.go:N: broken
    # SKIP after failure: giving up
    not ok 5 skip_after_error
    ok 6 bare_skip # SKIP
    # demo_suite: pass:1 fail:3 skip:2 total:6
not ok 1 demo_suite
# tamix: ktap totals: pass=1 fail=3 skip=2
tamix: ktap done
`
	checkOut(t, got, want)
	if passed {
		t.Error("run with failures reported passed")
	}
	if !deferred || afterFatal {
		t.Errorf("Fatalf: deferred ran %v (want true), code after it ran %v (want false)", deferred, afterFatal)
	}
}

func TestNestingAndSkippedSuites(t *testing.T) {
	ok := func(*T) {}
	skip := func(t *T) { t.Skipf("not here") }
	suites := []*Suite{
		{Name: "first", Cases: []Case{{Name: "a", Run: ok}, {Name: "b", Run: skip}}},
		{Name: "all_skipped", Cases: []Case{{Name: "a", Run: skip}}},
		{Name: "empty"},
	}
	got, passed := runOut(t, suites)
	want := `KTAP version 1
1..3
    KTAP version 1
    # Subtest: first
    1..2
    ok 1 a
    ok 2 b # SKIP not here
    # first: pass:1 fail:0 skip:1 total:2
ok 1 first
    KTAP version 1
    # Subtest: all_skipped
    1..1
    ok 1 a # SKIP not here
    # all_skipped: pass:0 fail:0 skip:1 total:1
ok 2 all_skipped # SKIP
    KTAP version 1
    # Subtest: empty
    1..0
    # empty: pass:0 fail:0 skip:0 total:0
ok 3 empty # SKIP
# tamix: ktap totals: pass=1 fail=0 skip=2
tamix: ktap done
`
	checkOut(t, got, want)
	if !passed {
		t.Error("run without failures reported failed")
	}
}

func TestPanicIsReportedAndRunContinues(t *testing.T) {
	s := &Suite{Name: "p", Cases: []Case{
		{Name: "explicit", Run: func(t *T) { t.Logf("before"); panic("boom") }},
		{Name: "runtime_error", Run: func(t *T) {
			var m map[string]int
			m["x"] = 1
		}},
		{Name: "nil_panic", Run: func(t *T) { panic(nil) }},
		{Name: "after", Run: func(t *T) {}},
	}}
	got, passed := runOut(t, []*Suite{s})
	if passed {
		t.Error("run with panics reported passed")
	}
	lines := strings.Split(got, "\n")
	idx := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		t.Fatalf("no line starting with %q in\n%s", prefix, got)
		return -1
	}
	before, boom, nok := idx("    # before"), idx("    # panic: boom"), idx("    not ok 1 explicit")
	if !(before < boom && boom < nok) {
		t.Errorf("diagnostics out of order: before=%d panic=%d result=%d\n%s", before, boom, nok, got)
	}
	excerpt := strings.Join(lines[boom+1:nok], "\n")
	if !strings.Contains(excerpt, "TestPanicIsReportedAndRunContinues") || !strings.Contains(excerpt, "ktap_test.go") {
		t.Errorf("stack excerpt does not show the panicking function:\n%s", excerpt)
	}
	if strings.Contains(excerpt, "runtime/debug.Stack") || strings.Contains(excerpt, "(*T).run(") {
		t.Errorf("stack excerpt shows framework frames:\n%s", excerpt)
	}
	for _, l := range lines[boom+1 : nok] {
		if !strings.HasPrefix(l, "    # ") {
			t.Errorf("excerpt line %q is not a diagnostic line", l)
		}
	}
	idx("    # panic: assignment to entry in nil map")
	idx("    not ok 2 runtime_error")
	idx("    # panic: panic called with nil argument")
	idx("    not ok 3 nil_panic")
	idx("    ok 4 after")
	idx("not ok 1 p")
	idx("# tamix: ktap totals: pass=1 fail=3 skip=0")
	if lines[len(lines)-2] != "tamix: ktap done" {
		t.Errorf("last line %q", lines[len(lines)-2])
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	leaked := make(chan struct{})
	s := &Suite{Name: "slow", Cases: []Case{
		{Name: "hangs", Timeout: 50 * time.Millisecond, Run: func(t *T) {
			t.Logf("waiting")
			<-release
			t.Errorf("late output must be dropped")
			close(leaked)
		}},
		{Name: "next", Run: func(t *T) {}},
	}}
	got, passed := runOut(t, []*Suite{s})
	close(release)
	<-leaked
	want := `KTAP version 1
1..1
    KTAP version 1
    # Subtest: slow
    1..2
    # waiting
    # timeout: hangs still running after 50ms, abandoned
    not ok 1 hangs # TIMEOUT 50ms
    ok 2 next
    # slow: pass:1 fail:1 skip:0 total:2
not ok 1 slow
# tamix: ktap totals: pass=1 fail=1 skip=0
tamix: ktap done
`
	checkOut(t, got, want)
	if passed {
		t.Error("run with a timeout reported passed")
	}
}

func TestGoexitOutsideFatal(t *testing.T) {
	s := &Suite{Name: "g", Cases: []Case{{Name: "exits", Run: func(*T) { runtime.Goexit() }}}}
	got, _ := runOut(t, []*Suite{s})
	if !strings.Contains(got, "    # runtime.Goexit called outside Fatalf and Skipf\n    not ok 1 exits\n") {
		t.Errorf("Goexit not reported:\n%s", got)
	}
}

func TestConcurrentLogf(t *testing.T) {
	const n, m = 8, 50
	s := &Suite{Name: "c", Cases: []Case{{Name: "many", Run: func(t *T) {
		var wg sync.WaitGroup
		for g := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range m {
					t.Logf("g%d line %d", g, i)
				}
			}()
		}
		wg.Wait()
	}}}}
	got, passed := runOut(t, []*Suite{s})
	if !passed {
		t.Fatalf("failed:\n%s", got)
	}
	count := 0
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "    # g") {
			if !regexp.MustCompile(`^    # g\d line \d+$`).MatchString(l) {
				t.Errorf("mangled line %q", l)
			}
			count++
		}
	}
	if count != n*m {
		t.Errorf("%d log lines, want %d", count, n*m)
	}
}

func TestHooks(t *testing.T) {
	var order []string
	rec := func(s string) func() error { return func() error { order = append(order, s); return nil } }
	suites := []*Suite{
		{Name: "good", Init: rec("init"), Exit: rec("exit"), Cases: []Case{
			{Name: "a", Run: func(*T) { order = append(order, "a") }},
		}},
		{Name: "bad_init", Init: func() error { return errors.New("no device") }, Exit: rec("exit2"),
			Cases: []Case{{Name: "a", Run: func(*T) { order = append(order, "never") }}, {Name: "b", Run: func(*T) {}}}},
		{Name: "bad_exit", Exit: func() error { panic("exit boom") }, Cases: []Case{{Name: "a", Run: func(*T) {}}}},
	}
	got, passed := runOut(t, suites)
	want := `KTAP version 1
1..3
    KTAP version 1
    # Subtest: good
    1..1
    ok 1 a
    # good: pass:1 fail:0 skip:0 total:1
ok 1 good
    KTAP version 1
    # Subtest: bad_init
    1..2
    # bad_init: init failed: no device
    ok 1 a # SKIP suite init failed
    ok 2 b # SKIP suite init failed
    # bad_init: pass:0 fail:0 skip:2 total:2
not ok 2 bad_init
    KTAP version 1
    # Subtest: bad_exit
    1..1
    ok 1 a
    # bad_exit: exit failed: panic: exit boom
    # bad_exit: pass:1 fail:0 skip:0 total:1
not ok 3 bad_exit
# tamix: ktap totals: pass=2 fail=2 skip=2
tamix: ktap done
`
	checkOut(t, got, want)
	if passed {
		t.Error("run with failing hooks reported passed")
	}
	if fmt.Sprint(order) != "[init a exit exit2]" {
		t.Errorf("hook order %v", order)
	}
}

func TestCallHook(t *testing.T) {
	if err := callHook(func() error { runtime.Goexit(); return nil }, time.Second); err == nil {
		t.Error("Goexit in hook not reported")
	}
	block := make(chan struct{})
	defer close(block)
	err := callHook(func() error { <-block; return nil }, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "timed out after 20ms") {
		t.Errorf("hook timeout: %v", err)
	}
}

func filterSuites() []*Suite {
	ok := func(*T) {}
	return []*Suite{
		{Name: "alpha", Cases: []Case{{Name: "one", Run: ok}, {Name: "two", Run: ok}, {Name: "three", Run: ok}}},
		{Name: "beta", Cases: []Case{{Name: "one", Run: ok}}},
	}
}

// results extracts the result lines of a run, in order.
func results(out string) []string {
	var r []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "ok ") && !strings.Contains(l, "#") || strings.HasPrefix(l, "1..") {
			r = append(r, strings.TrimSpace(l))
		}
	}
	return r
}

func TestFilter(t *testing.T) {
	tests := []struct {
		filter []string
		want   string
		passed bool
	}{
		{nil, "[1..2 ok 1 one ok 2 two ok 3 three ok 1 alpha ok 1 one ok 2 beta]", true},
		{[]string{}, "[1..2 ok 1 one ok 2 two ok 3 three ok 1 alpha ok 1 one ok 2 beta]", true},
		{[]string{"all"}, "[1..2 ok 1 one ok 2 two ok 3 three ok 1 alpha ok 1 one ok 2 beta]", true},
		{[]string{"beta"}, "[1..1 ok 1 one ok 1 beta]", true},
		{[]string{"BETA "}, "[1..1 ok 1 one ok 1 beta]", true},
		{[]string{"alpha.three", "alpha.one"}, "[1..1 ok 1 one ok 2 three ok 1 alpha]", true},
		{[]string{"beta,alpha.two"}, "[1..2 ok 1 two ok 1 alpha ok 1 one ok 2 beta]", true},
		{[]string{"alpha.two", "alpha"}, "[1..1 ok 1 one ok 2 two ok 3 three ok 1 alpha]", true},
		{[]string{"nope"}, "[1..0]", false},
		{[]string{"beta", "alpha.nope"}, "[1..1 ok 1 one ok 1 beta]", false},
	}
	for _, tc := range tests {
		got, passed := runOut(t, filterSuites(), tc.filter...)
		if r := fmt.Sprint(results(got)); r != tc.want || passed != tc.passed {
			t.Errorf("filter %q: results %s passed %v, want %s passed %v\n%s",
				tc.filter, r, passed, tc.want, tc.passed, got)
		}
	}
	got, _ := runOut(t, filterSuites(), "alpha.nope")
	if !strings.Contains(got, "1..0\n# tamix: no test matches filter entry \"alpha.nope\"\n") {
		t.Errorf("unmatched entry not reported:\n%s", got)
	}
}

func TestCanonicalName(t *testing.T) {
	for in, want := range map[string]string{
		"runtime":                    "runtime",
		"  Goroutines And Channels ": "goroutines_and_channels",
		"a#b.c/d":                    "a_b_c_d",
		"mm-buddy_2":                 "mm-buddy_2",
		"":                           "",
	} {
		if got := CanonicalName(in); got != want {
			t.Errorf("CanonicalName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegisterRejects(t *testing.T) {
	ok := func(*T) {}
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	var g registry
	g.register(&Suite{Name: "x", Cases: []Case{{Name: "a", Run: ok}}})
	mustPanic("nil suite", func() { g.register(nil) })
	mustPanic("no name", func() { g.register(&Suite{Name: " "}) })
	mustPanic("duplicate suite", func() { g.register(&Suite{Name: "X"}) })
	mustPanic("unnamed case", func() { g.register(&Suite{Name: "y", Cases: []Case{{Run: ok}}}) })
	mustPanic("nil Run", func() { g.register(&Suite{Name: "y", Cases: []Case{{Name: "a"}}}) })
	mustPanic("duplicate case", func() {
		g.register(&Suite{Name: "y", Cases: []Case{{Name: "a b", Run: ok}, {Name: "A_B", Run: ok}}})
	})
	if n := len(g.list()); n != 1 {
		t.Errorf("%d suites registered, want 1", n)
	}
}

// selfSuite is registered in the default registry the way test packages do
// it, from init.
var selfSuite = &Suite{Name: "KTAP Self", Cases: []Case{{Name: "Works", Run: func(t *T) {
	if t.Name() != "works" {
		t.Errorf("Name() = %q", t.Name())
	}
}}}}

func init() { Register(selfSuite) }

func TestDefaultRegistry(t *testing.T) {
	s := selfSuite
	found := false
	for _, r := range Suites() {
		found = found || r == s
	}
	if !found || s.Name != "ktap_self" {
		t.Fatalf("suite not registered or not canonicalised: %q", s.Name)
	}
	var b strings.Builder
	if !Run(&b, []string{"ktap_self"}) {
		t.Errorf("Run failed:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "    ok 1 works\n    # ktap_self: pass:1 fail:0 skip:0 total:1\nok 1 ktap_self\n") {
		t.Errorf("unexpected output:\n%s", b.String())
	}
}

func TestStackExcerpt(t *testing.T) {
	stack := "goroutine 7 [running]:\n" +
		"runtime/debug.Stack()\n\t/go/src/runtime/debug/stack.go:26 +0x5e\n" +
		"tamix/kernel/ktap.(*T).run.func1()\n\t/x/run.go:1 +0x1\n" +
		"panic({0x1, 0x2})\n\t/go/src/runtime/panic.go:787 +0x132\n" +
		"main.f(...)\n\t/x/f.go:3\n" +
		"main.g()\n\t/x/f.go:7 +0x2\n" +
		"tamix/kernel/ktap.(*T).run(0xc0, 0x1)\n\t/x/run.go:9 +0x3\n" +
		"created by tamix/kernel/ktap.(*runner).runCase in goroutine 1\n\t/x/run.go:5 +0x4\n"
	got := fmt.Sprint(stackExcerpt(stack, 10))
	want := "[main.f(...)     /x/f.go:3 main.g()     /x/f.go:7 +0x2]"
	if got != want {
		t.Errorf("excerpt %s, want %s", got, want)
	}
	if got := fmt.Sprint(stackExcerpt(stack, 1)); got != "[main.f(...)     /x/f.go:3 ...]" {
		t.Errorf("limited excerpt %s", got)
	}
	if got := stackExcerpt("goroutine 1 [running]:\nmain.h()\n\t/x/h.go:1\n", 5); len(got) != 2 {
		t.Errorf("excerpt without panic frame: %q", got)
	}
	if got := stackExcerpt("", 5); len(got) != 0 {
		t.Errorf("excerpt of empty stack: %q", got)
	}
}
