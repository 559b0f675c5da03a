package ktap

import (
	"reflect"
	"strings"
	"testing"
)

// lines joins its arguments into a console transcript.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// kinds lists the kinds of a report's problems in order.
func kinds(r *Report) []Kind {
	var ks []Kind
	for _, p := range r.Problems {
		ks = append(ks, p.Kind)
	}
	return ks
}

// wantKinds fails the test unless the report has exactly the given
// problems, in order.
func wantKinds(t *testing.T, r *Report, want ...Kind) {
	t.Helper()
	if got := kinds(r); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %v, want %v", r.Problems, want)
	}
}

// find returns the test at the given path of names.
func find(t *testing.T, r *Report, path ...string) *Test {
	t.Helper()
	tests := r.Tests
	var found *Test
	for _, name := range path {
		found = nil
		for _, c := range tests {
			if c.Name == name {
				found = c
				break
			}
		}
		if found == nil {
			t.Fatalf("no test %q (path %v)", name, path)
		}
		tests = found.Subtests
	}
	return found
}

// The example from the Tamix test contract.
const example = `Tamix 0.1 (amd64)
booting...
KTAP version 1
1..3
    KTAP version 1
    # Subtest: runtime
    1..2
    ok 1 goroutines
    ok 2 timers # SKIP no timer
ok 1 runtime
not ok 2 gc
# diagnostic line
ok 3 fmt # SKIP reason
tamix: ktap done
`

func TestExample(t *testing.T) {
	r := Parse(example)
	wantKinds(t, r)
	if r.Version != "KTAP version 1" || r.Plan != 3 || len(r.Tests) != 3 {
		t.Fatalf("version %q plan %d tests %d", r.Version, r.Plan, len(r.Tests))
	}
	rt := find(t, r, "runtime")
	if !rt.HasSubtests || rt.Plan != 2 || len(rt.Subtests) != 2 || rt.SubtestName != "runtime" {
		t.Errorf("runtime = %+v", rt)
	}
	if rt.Status() != Pass || rt.Number != 1 || rt.Line != 10 {
		t.Errorf("runtime status %v number %d line %d", rt.Status(), rt.Number, rt.Line)
	}
	timers := find(t, r, "runtime", "timers")
	if timers.Status() != Skipped || timers.Reason != "no timer" || timers.Directive != Skip {
		t.Errorf("timers = %+v", timers)
	}
	if gc := find(t, r, "gc"); gc.Status() != Fail || gc.HasSubtests {
		t.Errorf("gc = %+v", gc)
	}
	fmtTest := find(t, r, "fmt")
	if fmtTest.Status() != Skipped || fmtTest.Reason != "reason" {
		t.Errorf("fmt = %+v", fmtTest)
	}
	if !reflect.DeepEqual(fmtTest.Diagnostics, []string{"diagnostic line"}) {
		t.Errorf("fmt diagnostics = %q", fmtTest.Diagnostics)
	}
	wantNoise := []Line{{1, "Tamix 0.1 (amd64)"}, {2, "booting..."}, {14, "tamix: ktap done"}}
	if !reflect.DeepEqual(r.Noise, wantNoise) {
		t.Errorf("noise = %v", r.Noise)
	}
	if !r.Failed() {
		t.Error("Failed() = false with a not ok test")
	}
	if got, want := r.Summary(), "1 passed, 1 failed, 2 skipped, 0 todo"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

func TestAllPass(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..2", "ok 1 a", "ok 2 - b"))
	wantKinds(t, r)
	if r.Failed() {
		t.Error("Failed() = true")
	}
	if r.Tests[1].Name != "b" {
		t.Errorf("name %q, want the TAP-style \"- \" removed", r.Tests[1].Name)
	}
}

func TestNoiseInterleaved(t *testing.T) {
	r := Parse(lines(
		"KTAP version 1",
		"1..1",
		"    KTAP version 1",
		"    # Subtest: mm",
		"[mm] buddy: 1024 pages",
		"    1..1",
		"printk in the middle",
		"    ok 1 buddy",
		"ok 1 mm",
	))
	wantKinds(t, r)
	if len(r.Noise) != 2 || r.Noise[0].N != 5 || r.Noise[1].Text != "printk in the middle" {
		t.Errorf("noise = %v", r.Noise)
	}
	if find(t, r, "mm", "buddy").Status() != Pass {
		t.Error("buddy did not pass")
	}
}

func TestVersionMustStartALine(t *testing.T) {
	r := Parse(lines("  KTAP version 1", "KTAP version 1", "1..0"))
	wantKinds(t, r)
	if len(r.Noise) != 1 {
		t.Errorf("noise = %v", r.Noise)
	}
}

func TestDirectives(t *testing.T) {
	r := Parse(lines(
		"KTAP version 1",
		"1..7",
		"ok 1 a # SKIP",
		"ok 2 b # skip lower case",
		"ok 3 c # SKIP: with colon",
		"not ok 4 d # SKIP not ok but skipped",
		"not ok 5 e # TODO not written yet",
		"ok 6 f # TODO fixed already",
		"ok 7 g # just a comment",
	))
	wantKinds(t, r)
	want := []struct {
		status Status
		dir    Directive
		reason string
	}{
		{Skipped, Skip, ""},
		{Skipped, Skip, "lower case"},
		{Skipped, Skip, "with colon"},
		{Skipped, Skip, "not ok but skipped"},
		{ExpectedFail, Todo, "not written yet"},
		{ExpectedFail, Todo, "fixed already"},
		{Pass, NoDirective, "just a comment"},
	}
	for i, w := range want {
		tt := r.Tests[i]
		if tt.Status() != w.status || tt.Directive != w.dir || tt.Reason != w.reason {
			t.Errorf("test %d: status %v directive %q reason %q, want %v %q %q",
				i+1, tt.Status(), tt.Directive, tt.Reason, w.status, w.dir, w.reason)
		}
	}
	if r.Failed() {
		t.Error("Failed() = true: skips and TODOs are not failures")
	}
	c := r.Counts()
	if c[Skipped] != 4 || c[ExpectedFail] != 2 || c[Pass] != 1 || c[Fail] != 0 {
		t.Errorf("counts = %v", c)
	}
}

func TestDescriptionEscapes(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..3", `ok 1 a \# b # SKIP c`, `ok 2 back\\slash`, "ok 3"))
	wantKinds(t, r)
	if r.Tests[0].Name != "a # b" || r.Tests[0].Reason != "c" {
		t.Errorf("test 1 = %+v", r.Tests[0])
	}
	if r.Tests[1].Name != `back\slash` {
		t.Errorf("test 2 name %q", r.Tests[1].Name)
	}
	if r.Tests[2].Name != "" || !r.Tests[2].OK {
		t.Errorf("test 3 = %+v", r.Tests[2])
	}
}

func TestNotKTAPIsNoise(t *testing.T) {
	for _, line := range []string{"okay then", "nothing", "ok,", "10..20", "\tok 1 tab indented", "Bail out", ""} {
		r := Parse(lines("KTAP version 1", "1..0", line))
		wantKinds(t, r)
		if len(r.Noise) != 1 {
			t.Errorf("%q: noise = %v", line, r.Noise)
		}
	}
}

func TestCRLF(t *testing.T) {
	r := Parse("KTAP version 1\r\n1..1\r\n    KTAP version 1\r\n    1..1\r\n    ok 1 x # SKIP why\r\nok 1 y\r\n")
	wantKinds(t, r)
	if x := find(t, r, "y", "x"); x.Reason != "why" {
		t.Errorf("reason %q", x.Reason)
	}
}

func TestDeepNesting(t *testing.T) {
	r := Parse(lines(
		"KTAP version 1",
		"1..2",
		"    KTAP version 1",
		"    # Subtest: proc",
		"    1..2",
		"        KTAP version 1",
		"        # Subtest: fork",
		"        1..2",
		"        ok 1 cow",
		"        ok 2 clone_flags",
		"    ok 1 fork",
		"    ok 2 exit",
		"ok 1 proc",
		"ok 2 tail",
	))
	wantKinds(t, r)
	if cow := find(t, r, "proc", "fork", "cow"); cow.Line != 9 || cow.Number != 1 {
		t.Errorf("cow = %+v", cow)
	}
	var paths []string
	r.Walk(func(path []string, _ *Test) { paths = append(paths, strings.Join(path, "/")) })
	want := []string{"proc", "proc/fork", "proc/fork/cow", "proc/fork/clone_flags", "proc/exit", "tail"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("Walk paths = %q, want %q", paths, want)
	}
	if c := r.Counts(); c[Pass] != 4 {
		t.Errorf("counts = %v, want 4 leaf passes", c)
	}
}

func TestKUnitStyleNesting(t *testing.T) {
	// "# Subtest:" before the nested version line, a summary diagnostic
	// between the block and its result, and a failed expectation printed
	// one level deeper than the result it belongs to.
	r := Parse(lines(
		"KTAP version 1",
		"1..1",
		"    # Subtest: example",
		"    KTAP version 1",
		"    # module: example_test",
		"    1..2",
		"        # example_fail: EXPECTATION FAILED at x.go:12",
		"    not ok 1 example_fail",
		"    ok 2 example_skip # SKIP",
		"# example: pass:0 fail:1 skip:1 total:2",
		"not ok 1 example",
	))
	wantKinds(t, r)
	ex := find(t, r, "example")
	if ex.SubtestName != "example" || ex.Status() != Fail {
		t.Errorf("example = %+v", ex)
	}
	want := []string{"module: example_test", "example: pass:0 fail:1 skip:1 total:2"}
	if !reflect.DeepEqual(ex.Diagnostics, want) {
		t.Errorf("example diagnostics = %q, want %q", ex.Diagnostics, want)
	}
	fail := find(t, r, "example", "example_fail")
	if !reflect.DeepEqual(fail.Diagnostics, []string{"example_fail: EXPECTATION FAILED at x.go:12"}) {
		t.Errorf("example_fail diagnostics = %q", fail.Diagnostics)
	}
}

func TestNestedWithoutVersionLine(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..1", "    1..1", "    ok 1 inner", "ok 1 outer"))
	wantKinds(t, r)
	if o := find(t, r, "outer"); !o.HasSubtests || len(o.Subtests) != 1 {
		t.Errorf("outer = %+v", o)
	}
}

func TestResultNameOverridesSubtestName(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..2", "    # Subtest: a", "    1..0", "ok 1 b", "    # Subtest: c", "    1..0", "ok 2"))
	wantKinds(t, r)
	if r.Tests[0].Name != "b" || r.Tests[0].SubtestName != "a" || r.Tests[1].Name != "c" {
		t.Errorf("names %q/%q, %q", r.Tests[0].Name, r.Tests[0].SubtestName, r.Tests[1].Name)
	}
}

func TestTopLevelSubtestLineIsDiagnostic(t *testing.T) {
	r := Parse(lines("KTAP version 1", "# Subtest: all", "1..0"))
	wantKinds(t, r)
	if !reflect.DeepEqual(r.Diagnostics, []string{"Subtest: all"}) {
		t.Errorf("diagnostics = %q", r.Diagnostics)
	}
}

func TestStreamingDone(t *testing.T) {
	p := NewParser()
	feed := []struct {
		line string
		done bool
	}{
		{"Tamix 0.1", false},
		{"KTAP version 1", false},
		{"1..2", false},
		{"ok 1 a", false},
		{"    KTAP version 1", false},
		{"    1..1", false},
		{"    ok 1 x", false},
		{"ok 2 b", true},
		{"tamix: ktap done", true},
	}
	for _, f := range feed {
		p.Line(f.line)
		if p.Done() != f.done {
			t.Errorf("after %q: Done() = %v, want %v", f.line, p.Done(), f.done)
		}
	}
	r := p.End()
	wantKinds(t, r)
	if len(r.Tests) != 2 {
		t.Errorf("%d tests", len(r.Tests))
	}
}

func TestDoneWithoutPlan(t *testing.T) {
	p := NewParser()
	p.Line("KTAP version 1")
	p.Line("ok 1 a")
	if p.Done() {
		t.Error("Done() = true without a plan")
	}
}

func TestStrings(t *testing.T) {
	p := Problem{Line: 3, Kind: ShortPlan, Msg: "m"}
	if got := p.String(); got != "line 3: missing results: m" {
		t.Errorf("Problem.String() = %q", got)
	}
	p.Line = 0
	if got := p.String(); got != "end of output: missing results: m" {
		t.Errorf("Problem.String() = %q", got)
	}
	for k := NoVersion; k <= ParentMismatch; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
	if Kind(0).String() != "Kind(0)" || Status(9).String() != "Status(9)" {
		t.Error("fallback names")
	}
	if Skip.String() != "SKIP" || Todo.String() != "TODO" || NoDirective.String() != "" {
		t.Error("directive names")
	}
	if Pass.String() != "pass" || Fail.String() != "fail" || Skipped.String() != "skip" || ExpectedFail.String() != "todo" {
		t.Error("status names")
	}
	if !Parse("").HasProblem(NoVersion) || Parse("").HasProblem(NoPlan) {
		t.Error("HasProblem")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(example)
	f.Add(lines("KTAP version 1", "1..1", "        ok 1 x", "    # Subtest: y", "ok 2"))
	f.Add("KTAP version 1\n\n    \n1..\nnot ok 1 \\")
	f.Fuzz(func(t *testing.T, s string) {
		r := Parse(s)
		// Every top-level test must be reachable and the counts must
		// cover every leaf.
		n := 0
		r.Walk(func(_ []string, tt *Test) {
			if !tt.HasSubtests {
				n++
			}
		})
		total := 0
		for _, c := range r.Counts() {
			total += c
		}
		if n != total {
			t.Errorf("walk found %d leaves, counts %d", n, total)
		}
	})
}
