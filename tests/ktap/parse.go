package ktap

import (
	"fmt"
	"strconv"
	"strings"
)

// indentWidth is the number of spaces each level of subtests is indented by.
const indentWidth = 4

// Parser reads a KTAP report one line at a time, so that a caller can feed
// it console output as it arrives. The zero value is not usable; call
// NewParser.
type Parser struct {
	n       int      // lines seen
	started bool     // the version line has been seen
	atEnd   bool     // End is running: problems have no line number
	stack   []*frame // open blocks; stack[0] is the top level
	rep     Report
}

// frame is one open block of tests: the top level or the subtests of one
// test.
type frame struct {
	test       *Test        // the test whose subtests the block holds
	start      int          // line the block started at
	hasVersion bool         // a version line was seen
	hasName    bool         // a "# Subtest:" line was seen
	planLine   int          // line of the plan, 0 if none yet
	results    int          // result lines seen
	lastNum    int          // number on the last result line
	lastResult int          // line of the last result line
	seen       map[int]bool // numbers used
	pending    []string     // diagnostics waiting for the next result line
	awaiting   *Test        // subtest whose block ended and whose result is due
}

// NewParser returns a parser waiting for the "KTAP version 1" line.
func NewParser() *Parser {
	root := &Test{HasSubtests: true, Plan: -1}
	return &Parser{stack: []*frame{{test: root, seen: map[int]bool{}}}}
}

// Line feeds the parser one line of console output. A trailing newline
// or carriage return is ignored.
func (p *Parser) Line(s string) {
	p.n++
	s = strings.TrimRight(s, " \t\r\n")
	indent := len(s) - len(strings.TrimLeft(s, " "))
	body := s[indent:]
	l := classify(body)
	if !p.started {
		if l.kind == versionLine && indent == 0 {
			p.started = true
			p.rep.Version = body
			p.checkVersion(body)
			p.stack[0].hasVersion = true
			p.stack[0].start = p.n
		} else {
			p.noise(s)
		}
		return
	}
	if l.kind == noiseLine {
		p.noise(s)
		return
	}
	if indent%indentWidth != 0 {
		p.problem(BadIndent, "indented by %d spaces, not a multiple of %d: %q", indent, indentWidth, body)
		return
	}
	level, depth := indent/indentWidth, len(p.stack)-1
	switch {
	case l.kind == diagLine && level > depth:
		// Diagnostics printed deeper than the current block (e.g. a
		// failed expectation inside a test) belong to its next result.
		p.top().pending = append(p.top().pending, l.text)
		return
	case level > depth+1:
		p.problem(BadIndent, "nested %d levels below the current block: %q", level-depth, body)
		return
	case level == depth+1:
		p.open()
	default:
		for len(p.stack)-1 > level {
			p.close()
		}
	}
	p.handle(body, l)
}

// Done reports whether the top-level plan has been fulfilled: the parser
// has seen as many top-level results as the plan announced.
func (p *Parser) Done() bool {
	f := p.stack[0]
	return p.started && len(p.stack) == 1 && f.planLine > 0 &&
		f.results >= f.test.Plan && f.awaiting == nil
}

// End closes every open block, checks what is still missing and returns
// the report. The parser must not be used afterwards.
func (p *Parser) End() *Report {
	p.atEnd = true
	root := p.stack[0]
	if !p.started {
		p.problem(NoVersion, "no \"KTAP version 1\" line in the output")
	} else {
		for len(p.stack) > 1 {
			p.close()
		}
		p.flushAwaiting(root)
		p.finish(root)
	}
	p.rep.Plan = root.test.Plan
	p.rep.Tests = root.test.Subtests
	p.rep.Diagnostics = root.test.Diagnostics
	return &p.rep
}

// handle applies one KTAP line to the innermost open block.
func (p *Parser) handle(body string, l parsed) {
	f := p.top()
	switch l.kind {
	case versionLine:
		if len(p.stack) == 1 {
			p.problem(Malformed, "second top-level version line %q", body)
			return
		}
		if f.hasVersion || f.planLine > 0 || f.results > 0 || f.awaiting != nil {
			// A new block at the same depth: the one before it ended
			// without a result line. (A "# Subtest:" line may come
			// before the version line.)
			p.close()
			p.open()
			f = p.top()
		}
		f.hasVersion = true
		p.checkVersion(body)
	case subtestLine:
		if len(p.stack) == 1 {
			f.pending = append(f.pending, "Subtest: "+l.text)
			return
		}
		if f.hasName || f.planLine > 0 || f.results > 0 || f.awaiting != nil {
			p.close()
			p.open()
			f = p.top()
		}
		f.hasName = true
		f.test.SubtestName = l.text
		f.test.Name = l.text
	case planLine:
		p.flushAwaiting(f)
		if f.planLine > 0 {
			p.problem(DuplicatePlan, "plan %q after the plan on line %d", body, f.planLine)
			return
		}
		f.planLine = p.n
		f.test.Plan = l.num
		if f.results == 0 {
			// Diagnostics before a leading plan describe the block.
			f.test.Diagnostics = append(f.test.Diagnostics, f.pending...)
			f.pending = nil
		}
	case resultLine:
		p.result(f, l)
	case diagLine:
		f.pending = append(f.pending, l.text)
	case bailOutLine:
		p.problem(BailOut, "%s", body)
	case malformedLine:
		p.problem(Malformed, "%s: %q", l.text, body)
	}
}

// result records a result line in block f.
func (p *Parser) result(f *frame, l parsed) {
	t := f.awaiting
	f.awaiting = nil
	if t == nil {
		t = &Test{Plan: -1}
		f.test.Subtests = append(f.test.Subtests, t)
	}
	f.results++
	switch {
	case f.seen[l.num]:
		p.problem(DuplicateNumber, "test number %d used twice", l.num)
	case l.num != f.lastNum+1:
		p.problem(BadNumber, "test number %d, expected %d", l.num, f.lastNum+1)
	}
	f.seen[l.num] = true
	f.lastNum = l.num
	f.lastResult = p.n
	if f.planLine > 0 && f.results > f.test.Plan {
		p.problem(ExtraResult, "result %d is beyond the plan of %d in %s", f.results, f.test.Plan, p.describe(f))
	}

	t.HasResult = true
	t.OK = l.ok
	t.Number = l.num
	t.Line = p.n
	t.Directive = l.directive
	t.Reason = l.reason
	if l.text != "" {
		t.Name = l.text
	}
	t.Diagnostics = append(t.Diagnostics, f.pending...)
	f.pending = nil
	if t.HasSubtests && t.OK && t.Directive == NoDirective && anyFailed(t.Subtests) {
		p.problem(ParentMismatch, "%q reported ok but one of its subtests failed", t.Name)
	}
}

// open starts a block of subtests for a new test in the current block.
func (p *Parser) open() {
	parent := p.top()
	p.flushAwaiting(parent)
	t := &Test{HasSubtests: true, Plan: -1}
	parent.test.Subtests = append(parent.test.Subtests, t)
	p.stack = append(p.stack, &frame{test: t, start: p.n, seen: map[int]bool{}})
}

// close ends the innermost block; its test then waits for its result line
// in the enclosing block.
func (p *Parser) close() {
	f := p.top()
	p.flushAwaiting(f)
	p.finish(f)
	p.stack = p.stack[:len(p.stack)-1]
	p.top().awaiting = f.test
}

// finish checks a block's results against its plan.
func (p *Parser) finish(f *frame) {
	f.test.Diagnostics = append(f.test.Diagnostics, f.pending...)
	f.pending = nil
	plan := f.test.Plan
	switch {
	case f.planLine == 0:
		p.problem(NoPlan, "%s has no plan line (1..N)", p.describe(f))
	case f.results < plan:
		p.problem(ShortPlan, "%s planned %d tests but reported %d", p.describe(f), plan, f.results)
	case f.results > plan && f.planLine > f.lastResult:
		// A plan after the results; extra results before a leading
		// plan were reported as they came.
		p.problem(ExtraResult, "%s planned %d tests but reported %d", p.describe(f), plan, f.results)
	}
}

// flushAwaiting reports a subtest of f whose result line never came.
func (p *Parser) flushAwaiting(f *frame) {
	if t := f.awaiting; t != nil {
		f.awaiting = nil
		if t.Name == "" {
			p.problem(MissingResult, "a subtest without a name has no result line")
		} else {
			p.problem(MissingResult, "subtest %q has no result line", t.Name)
		}
	}
}

func (p *Parser) top() *frame { return p.stack[len(p.stack)-1] }

// describe names a block for messages.
func (p *Parser) describe(f *frame) string {
	switch {
	case f == p.stack[0]:
		return "the top level"
	case f.test.Name != "":
		return fmt.Sprintf("subtest %q", f.test.Name)
	}
	return fmt.Sprintf("the subtest block at line %d", f.start)
}

func (p *Parser) checkVersion(body string) {
	if body != "KTAP version 1" {
		p.problem(BadVersion, "%q, expected \"KTAP version 1\"", body)
	}
}

func (p *Parser) noise(s string) {
	p.rep.Noise = append(p.rep.Noise, Line{N: p.n, Text: s})
}

func (p *Parser) problem(k Kind, format string, args ...any) {
	line := p.n
	if p.atEnd {
		line = 0
	}
	p.rep.Problems = append(p.rep.Problems, Problem{Line: line, Kind: k, Msg: fmt.Sprintf(format, args...)})
}

// lineKind says what a line is, judged by itself.
type lineKind int

const (
	noiseLine     lineKind = iota // not KTAP
	versionLine                   // "KTAP version 1"
	subtestLine                   // "# Subtest: name"
	planLine                      // "1..N"
	resultLine                    // "ok N name # directive"
	diagLine                      // "# text"
	bailOutLine                   // "Bail out! reason"
	malformedLine                 // starts like KTAP but does not parse
)

// parsed is a classified line without its indentation.
type parsed struct {
	kind      lineKind
	text      string // subtest name, diagnostic, test name or what is malformed
	num       int    // plan count or test number
	ok        bool
	directive Directive
	reason    string
}

// classify parses one line with its indentation removed.
func classify(body string) parsed {
	switch {
	case body == "":
		return parsed{kind: noiseLine}
	case strings.HasPrefix(body, "KTAP version ") || strings.HasPrefix(body, "TAP version "):
		_, v, _ := strings.Cut(body, " version ")
		if !isDigits(v) {
			return parsed{kind: malformedLine, text: "version is not a number"}
		}
		return parsed{kind: versionLine}
	case strings.HasPrefix(body, "# Subtest:"):
		return parsed{kind: subtestLine, text: strings.TrimSpace(body[len("# Subtest:"):])}
	case body[0] == '#':
		return parsed{kind: diagLine, text: strings.TrimSpace(body[1:])}
	case strings.HasPrefix(body, "1.."):
		return classifyPlan(body[len("1.."):])
	case body == "ok" || body == "not ok" ||
		strings.HasPrefix(body, "ok ") || strings.HasPrefix(body, "not ok "):
		return classifyResult(body)
	case strings.HasPrefix(body, "Bail out!"):
		return parsed{kind: bailOutLine}
	}
	return parsed{kind: noiseLine}
}

// classifyPlan parses what follows "1.." in a plan line.
func classifyPlan(rest string) parsed {
	digits := leadingDigits(rest)
	after := rest[len(digits):]
	n, err := strconv.Atoi(digits)
	if err != nil || (after != "" && after[0] != ' ' && after[0] != '#') {
		return parsed{kind: malformedLine, text: "plan count is not a number"}
	}
	return parsed{kind: planLine, num: n}
}

// classifyResult parses "ok N description # DIRECTIVE reason".
func classifyResult(body string) parsed {
	l := parsed{kind: resultLine, ok: strings.HasPrefix(body, "ok")}
	rest := strings.TrimPrefix(strings.TrimPrefix(body, "not "), "ok")
	rest = strings.TrimLeft(rest, " ")
	digits := leadingDigits(rest)
	n, err := strconv.Atoi(digits)
	after := rest[len(digits):]
	if err != nil || (after != "" && after[0] != ' ') {
		return parsed{kind: malformedLine, text: "result line without a test number"}
	}
	l.num = n
	desc, comment, hasComment := splitComment(after)
	desc = strings.TrimSpace(desc)
	if desc == "-" {
		desc = ""
	}
	l.text = strings.TrimPrefix(desc, "- ")
	if hasComment {
		comment = strings.TrimSpace(comment)
		word, reason, _ := strings.Cut(comment, " ")
		switch strings.ToUpper(strings.TrimSuffix(word, ":")) {
		case "SKIP", "SKIPPED":
			l.directive, l.reason = Skip, strings.TrimSpace(reason)
		case "TODO":
			l.directive, l.reason = Todo, strings.TrimSpace(reason)
		default:
			l.reason = comment
		}
	}
	return l
}

// splitComment splits a result's description at the first '#' that is not
// escaped with a backslash, and removes the escapes ("\#", "\\").
func splitComment(s string) (desc, comment string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '#' || s[i+1] == '\\') {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if c == '#' {
			return b.String(), s[i+1:], true
		}
		b.WriteByte(c)
	}
	return b.String(), "", false
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func isDigits(s string) bool {
	return s != "" && leadingDigits(s) == s
}
