// Package ktap parses KTAP version 1 test reports, the format Linux
// describes in Documentation/dev-tools/ktap.rst and Tamix prints on its
// serial console.
//
// A report starts with a "KTAP version 1" line and a plan ("1..N"),
// followed by N result lines ("ok 1 name", "not ok 2 name # SKIP reason").
// A test with subtests prints its own KTAP block, indented by four more
// spaces, before its result line; the block may name the test with a
// "# Subtest: name" line. Lines starting with '#' are diagnostics.
//
// Console lines that are not KTAP (boot messages, printk output) may come
// before and between the KTAP lines; the parser sets them aside as noise.
// Problems with the structure of the report (no version line, no plan,
// fewer results than planned, numbers out of sequence, ...) are collected
// in Report.Problems instead of stopping the parse, so that a report cut
// short by a kernel panic still shows every result it got to.
package ktap

import (
	"fmt"
	"strings"
)

// Directive is the "# SKIP" or "# TODO" annotation of a result line.
type Directive int

const (
	// NoDirective marks a plain result line.
	NoDirective Directive = iota
	// Skip marks a test that did not run ("# SKIP reason").
	Skip
	// Todo marks a test that is expected to fail ("# TODO reason").
	Todo
)

// String returns the directive as it is written in KTAP.
func (d Directive) String() string {
	switch d {
	case Skip:
		return "SKIP"
	case Todo:
		return "TODO"
	}
	return ""
}

// Status is the outcome of one test.
type Status int

const (
	// Pass is an "ok" result.
	Pass Status = iota
	// Fail is a "not ok" result, or a test whose result line never came.
	Fail
	// Skipped is a result with a SKIP directive.
	Skipped
	// ExpectedFail is a result with a TODO directive; it is not a failure.
	ExpectedFail
)

// String returns a lower-case name for the status.
func (s Status) String() string {
	switch s {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Skipped:
		return "skip"
	case ExpectedFail:
		return "todo"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Test is one test case: a result line and, for a test with subtests, the
// block of lines before it.
type Test struct {
	// Name is the description from the result line, or the name from the
	// "# Subtest:" line when the result line has none or is missing.
	Name string
	// SubtestName is the name given by a "# Subtest:" line, if any.
	SubtestName string
	// Number is the test number on the result line.
	Number int
	// HasResult is false for a subtest block whose result line is missing.
	HasResult bool
	// OK is true for "ok", false for "not ok".
	OK bool
	// Directive is SKIP, TODO or none.
	Directive Directive
	// Reason is the text after the directive, or the whole comment after
	// '#' when there is no directive.
	Reason string
	// Line is the 1-based input line number of the result line.
	Line int
	// Diagnostics holds the '#' lines (without the '#') printed just
	// before the result line, and for a test with subtests the ones in
	// its block that belong to no subtest.
	Diagnostics []string

	// HasSubtests is true if the test printed a block of subtests.
	HasSubtests bool
	// Plan is the planned number of subtests, or -1 without a plan line.
	Plan int
	// Subtests are the tests of the block, in the order they appeared.
	Subtests []*Test
}

// Status returns the outcome of the test itself (see Report.Failed for
// the outcome of a whole report).
func (t *Test) Status() Status {
	switch {
	case !t.HasResult:
		return Fail
	case t.Directive == Skip:
		return Skipped
	case t.Directive == Todo:
		return ExpectedFail
	case t.OK:
		return Pass
	}
	return Fail
}

// anyFailed reports whether t or one of its subtests, at any depth, failed.
func anyFailed(tests []*Test) bool {
	for _, t := range tests {
		if t.Status() == Fail || anyFailed(t.Subtests) {
			return true
		}
	}
	return false
}

// Kind classifies a Problem.
type Kind int

// The kinds of problems the parser reports.
const (
	NoVersion       Kind = iota + 1 // no "KTAP version 1" line at all
	BadVersion                      // a version line other than "KTAP version 1"
	NoPlan                          // a block without a "1..N" plan line
	DuplicatePlan                   // a second plan line in one block
	ShortPlan                       // fewer results than the plan announced
	ExtraResult                     // more results than the plan announced
	BadNumber                       // a result number out of sequence
	DuplicateNumber                 // a result number used twice in one block
	Malformed                       // a line that starts like KTAP but does not parse
	BadIndent                       // KTAP at an indentation that fits no block
	MissingResult                   // a block of subtests with no result line after it
	BailOut                         // a "Bail out!" line
	ParentMismatch                  // "ok" for a test one of whose subtests failed
)

var kindNames = map[Kind]string{
	NoVersion:       "no version line",
	BadVersion:      "unsupported version",
	NoPlan:          "no plan",
	DuplicatePlan:   "duplicate plan",
	ShortPlan:       "missing results",
	ExtraResult:     "extra result",
	BadNumber:       "result out of sequence",
	DuplicateNumber: "duplicate result number",
	Malformed:       "malformed line",
	BadIndent:       "bad indentation",
	MissingResult:   "missing result line",
	BailOut:         "bail out",
	ParentMismatch:  "ok with failed subtests",
}

// String returns a short description of the kind.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Problem is something wrong with the structure of a report.
type Problem struct {
	// Line is the 1-based input line the problem was found at, or 0 for
	// a problem found at the end of the input.
	Line int
	Kind Kind
	// Msg describes the problem in words.
	Msg string
}

// String formats the problem as "line N: kind: message".
func (p Problem) String() string {
	where := "end of output"
	if p.Line > 0 {
		where = fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("%s: %s: %s", where, p.Kind, p.Msg)
}

// Line is one input line that is not part of the KTAP report.
type Line struct {
	N    int // 1-based line number
	Text string
}

// Report is the parsed form of a KTAP report.
type Report struct {
	// Version is the first version line, e.g. "KTAP version 1"; it is
	// empty if the input had none.
	Version string
	// Plan is the number of top-level tests announced, -1 without a plan.
	Plan int
	// Tests are the top-level tests in the order of their results.
	Tests []*Test
	// Diagnostics are the top-level '#' lines that belong to no test.
	Diagnostics []string
	// Noise holds the input lines that are not KTAP, including every line
	// before the version line.
	Noise []Line
	// Problems lists what is wrong with the structure of the report.
	Problems []Problem
}

// Failed reports whether the report shows a failure: a structural problem
// or a test whose status is Fail, at any depth.
func (r *Report) Failed() bool {
	return len(r.Problems) > 0 || anyFailed(r.Tests)
}

// HasProblem reports whether the report has a problem of kind k.
func (r *Report) HasProblem(k Kind) bool {
	for _, p := range r.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

// Walk calls fn for every test, parents before their subtests. path holds
// the names of the test's ancestors followed by its own name.
func (r *Report) Walk(fn func(path []string, t *Test)) {
	walk(nil, r.Tests, fn)
}

func walk(prefix []string, tests []*Test, fn func([]string, *Test)) {
	for _, t := range tests {
		path := append(prefix[:len(prefix):len(prefix)], t.Name)
		fn(path, t)
		walk(path, t.Subtests, fn)
	}
}

// Counts tallies the outcomes of the leaf tests (those without subtests)
// by status.
func (r *Report) Counts() map[Status]int {
	counts := make(map[Status]int)
	r.Walk(func(_ []string, t *Test) {
		if !t.HasSubtests {
			counts[t.Status()]++
		}
	})
	return counts
}

// Summary describes the counts in one line, e.g. "5 passed, 1 failed,
// 2 skipped, 0 todo".
func (r *Report) Summary() string {
	c := r.Counts()
	return fmt.Sprintf("%d passed, %d failed, %d skipped, %d todo",
		c[Pass], c[Fail], c[Skipped], c[ExpectedFail])
}

// Parse parses a whole report given as text.
func Parse(text string) *Report {
	return ParseLines(strings.Split(strings.TrimSuffix(text, "\n"), "\n"))
}

// ParseLines parses a whole report given as lines.
func ParseLines(lines []string) *Report {
	p := NewParser()
	for _, l := range lines {
		p.Line(l)
	}
	return p.End()
}
