package ktap

// Tests of the problems the parser reports for broken or cut-short output.

import (
	"strings"
	"testing"
)

func TestNoVersion(t *testing.T) {
	r := Parse(lines("Tamix 0.1", "ok 1 a", "1..1"))
	wantKinds(t, r, NoVersion)
	if len(r.Tests) != 0 || len(r.Noise) != 3 || r.Version != "" || r.Plan != -1 {
		t.Errorf("report = %+v", r)
	}
	if !r.Failed() {
		t.Error("Failed() = false without a version line")
	}
}

func TestEmptyInput(t *testing.T) {
	wantKinds(t, Parse(""), NoVersion)
	wantKinds(t, ParseLines(nil), NoVersion)
}

func TestBadVersion(t *testing.T) {
	wantKinds(t, Parse(lines("KTAP version 2", "1..0")), BadVersion)
	wantKinds(t, Parse(lines("TAP version 14", "1..0")), BadVersion)
	r := Parse(lines("KTAP version 1", "1..1", "    KTAP version 3", "    1..0", "ok 1 x"))
	wantKinds(t, r, BadVersion)
}

func TestMissingPlan(t *testing.T) {
	r := Parse(lines("KTAP version 1", "ok 1 a", "ok 2 b"))
	wantKinds(t, r, NoPlan)
	if len(r.Tests) != 2 || r.Plan != -1 {
		t.Errorf("tests %d plan %d", len(r.Tests), r.Plan)
	}
	if r.Problems[0].Line != 0 || !strings.Contains(r.Problems[0].Msg, "top level") {
		t.Errorf("problem = %v", r.Problems[0])
	}
}

func TestMissingPlanNested(t *testing.T) {
	r := Parse(lines(
		"KTAP version 1",
		"1..1",
		"    KTAP version 1",
		"    # Subtest: sched",
		"    ok 1 rq",
		"ok 1 sched",
	))
	wantKinds(t, r, NoPlan)
	if p := r.Problems[0]; p.Line != 6 || !strings.Contains(p.Msg, `subtest "sched"`) {
		t.Errorf("problem = %v", p)
	}
}

func TestShortPlan(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..3", "ok 1 a", "ok 2 b"))
	wantKinds(t, r, ShortPlan)
	if !strings.Contains(r.Problems[0].Msg, "planned 3 tests but reported 2") {
		t.Errorf("problem = %v", r.Problems[0])
	}
	if !r.Failed() {
		t.Error("Failed() = false for a short plan")
	}
}

func TestExtraResult(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..1", "ok 1 a", "ok 2 b"))
	wantKinds(t, r, ExtraResult)
	if r.Problems[0].Line != 4 {
		t.Errorf("problem at line %d, want 4", r.Problems[0].Line)
	}
}

func TestTrailingPlan(t *testing.T) {
	wantKinds(t, Parse(lines("KTAP version 1", "ok 1 a", "ok 2 b", "1..2")))
	wantKinds(t, Parse(lines("KTAP version 1", "ok 1 a", "ok 2 b", "1..1")), ExtraResult)
	wantKinds(t, Parse(lines("KTAP version 1", "ok 1 a", "1..2")), ShortPlan)
}

func TestDuplicatePlan(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..1", "1..2", "ok 1 a"))
	wantKinds(t, r, DuplicatePlan)
	if r.Plan != 1 {
		t.Errorf("plan = %d, want the first one", r.Plan)
	}
}

func TestDuplicateNumber(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..3", "ok 1 a", "ok 1 b", "ok 2 c"))
	wantKinds(t, r, DuplicateNumber)
	if len(r.Tests) != 3 {
		t.Errorf("%d tests, want 3 (duplicates are kept)", len(r.Tests))
	}
}

func TestNumberOutOfSequence(t *testing.T) {
	wantKinds(t, Parse(lines("KTAP version 1", "1..2", "ok 1 a", "ok 3 b")), BadNumber)
	wantKinds(t, Parse(lines("KTAP version 1", "1..2", "ok 2 a", "ok 1 b")), BadNumber, BadNumber)
	wantKinds(t, Parse(lines("KTAP version 1", "1..1", "ok 0 a")), BadNumber)
}

func TestMalformed(t *testing.T) {
	for _, line := range []string{"ok", "not ok", "ok x", "not ok abc", "ok 1x", "1..x", "1..", "KTAP version one",
		"ok 99999999999999999999 huge"} {
		r := Parse(lines("KTAP version 1", "1..0", line))
		wantKinds(t, r, Malformed)
		if !t.Failed() && r.Problems[0].Line != 3 {
			t.Errorf("%q: problem at line %d", line, r.Problems[0].Line)
		}
	}
}

func TestCutShortByPanic(t *testing.T) {
	r := Parse(lines(
		"KTAP version 1",
		"1..2",
		"    KTAP version 1",
		"    # Subtest: sched",
		"    1..3",
		"    ok 1 runqueue",
		"panic: runtime error: index out of range [3] with length 3",
		"",
		"goroutine 1 [running]:",
	))
	wantKinds(t, r, ShortPlan, MissingResult, ShortPlan)
	if s := find(t, r, "sched"); s.HasResult || s.Status() != Fail {
		t.Errorf("sched = %+v", s)
	}
	if len(r.Noise) != 3 {
		t.Errorf("noise = %v", r.Noise)
	}
	if !r.Failed() {
		t.Error("Failed() = false")
	}
}

func TestAdjacentBlocksWithoutResult(t *testing.T) {
	r := Parse(lines(
		"KTAP version 1",
		"1..2",
		"    KTAP version 1",
		"    # Subtest: a",
		"    1..1",
		"    ok 1 x",
		"    KTAP version 1",
		"    # Subtest: b",
		"    1..1",
		"    ok 1 y",
		"ok 1 b",
	))
	wantKinds(t, r, MissingResult, ShortPlan)
	if len(r.Tests) != 2 || r.Tests[0].HasResult || r.Tests[0].Name != "a" || !r.Tests[1].HasResult {
		t.Errorf("tests = %+v %+v", r.Tests[0], r.Tests[1])
	}
	// Same with "# Subtest:" lines only.
	r = Parse(lines("KTAP version 1", "1..2", "    # Subtest: a", "    1..0", "    # Subtest: b", "    1..0", "ok 1 b", "ok 2 c"))
	wantKinds(t, r, MissingResult)
}

func TestMissingResultBeforePlan(t *testing.T) {
	r := Parse(lines("KTAP version 1", "    1..0", "1..1", "ok 1 a"))
	wantKinds(t, r, MissingResult)
	if len(r.Tests) != 2 || r.Tests[0].HasResult || r.Tests[1].Name != "a" {
		t.Errorf("tests = %+v", r.Tests)
	}
}

func TestParentMismatch(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..1", "    1..1", "    not ok 1 inner", "ok 1 outer"))
	wantKinds(t, r, ParentMismatch)
	r = Parse(lines("KTAP version 1", "1..1", "    1..1", "    not ok 1 inner", "not ok 1 outer"))
	wantKinds(t, r)
}

func TestBadIndent(t *testing.T) {
	wantKinds(t, Parse(lines("KTAP version 1", "1..1", "  ok 1 two spaces", "ok 1 a")), BadIndent)
	wantKinds(t, Parse(lines("KTAP version 1", "1..1", "        1..1", "ok 1 a")), BadIndent)
	// Deep diagnostics are fine.
	wantKinds(t, Parse(lines("KTAP version 1", "1..1", "            # deep", "ok 1 a")))
}

func TestBailOut(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..2", "ok 1 a", "Bail out! no memory"))
	wantKinds(t, r, BailOut, ShortPlan)
	if !strings.Contains(r.Problems[0].Msg, "no memory") {
		t.Errorf("problem = %v", r.Problems[0])
	}
}

func TestSecondVersionLine(t *testing.T) {
	r := Parse(lines("KTAP version 1", "1..1", "ok 1 a", "KTAP version 1", "1..1", "ok 1 a"))
	wantKinds(t, r, Malformed, DuplicatePlan, DuplicateNumber, ExtraResult)
}
