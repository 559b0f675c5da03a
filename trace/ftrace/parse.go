// Package ftrace reads the ftrace text format (the tracefs "trace" file,
// as Tamix's tracer and Linux's write it) back into records, for the host
// tools: the lifecycle checker, cmd/tamix-trace and the tests. It runs on
// the host only; the kernel writes the format (package trace).
package ftrace

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Record is one event line: the context Linux prints before the event
// (the current task, CPU, flags, time) and the event's name and fields.
type Record struct {
	Line  int    // line number in the file, from 1
	Comm  string // current task's comm ("<idle>" for PID 0)
	PID   int    // current task's PID
	CPU   int
	Flags string // the five lat columns, e.g. "d..2."
	TS    int64  // time stamp in ns (the text has µs)
	Event string // "sched_switch"
	Text  string // the fields as printed
	// Fields holds the key=value pairs of Text. sys_enter and sys_exit,
	// which print "NR n (...)" and "NR n = ret", get "NR" and "ret".
	Fields map[string]string
}

// Int returns field key as an integer (0 if absent or not a number).
func (r *Record) Int(key string) int64 {
	v, _ := strconv.ParseInt(r.Fields[key], 0, 64)
	return v
}

// Trace is a parsed trace file.
type Trace struct {
	Records []Record
	// InBuffer and Written are the header's entries-in-buffer and
	// entries-written; Written > InBuffer means entries were lost.
	InBuffer, Written int
}

// Lost returns how many entries the ring overwrote before the file was
// written.
func (t *Trace) Lost() int { return t.Written - t.InBuffer }

var (
	lineRE   = regexp.MustCompile(`^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(\S{4,5})\s+(\d+)\.(\d{6}):\s+(\w+):\s?(.*)$`)
	countsRE = regexp.MustCompile(`^# entries-in-buffer/entries-written: (\d+)/(\d+)`)
	nrRE     = regexp.MustCompile(`^NR (-?\d+) (?:= (-?\d+)|\()`)
)

// Parse reads a trace file. Comment lines are skipped (the entry counts
// are kept); a line that is neither a comment nor an event is an error.
func Parse(r io.Reader) (*Trace, error) {
	t := &Trace{InBuffer: -1, Written: -1}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if m := countsRE.FindStringSubmatch(line); m != nil {
				t.InBuffer, _ = strconv.Atoi(m[1])
				t.Written, _ = strconv.Atoi(m[2])
			}
			continue
		}
		rec, err := ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		rec.Line = n
		t.Records = append(t.Records, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if t.InBuffer < 0 {
		t.InBuffer, t.Written = len(t.Records), len(t.Records)
	}
	return t, nil
}

// ParseLine reads one event line.
func ParseLine(line string) (Record, error) {
	m := lineRE.FindStringSubmatch(line)
	if m == nil {
		return Record{}, fmt.Errorf("not an ftrace event line: %q", line)
	}
	pid, _ := strconv.Atoi(m[2])
	cpu, _ := strconv.Atoi(m[3])
	secs, _ := strconv.ParseInt(m[5], 10, 64)
	usecs, _ := strconv.ParseInt(m[6], 10, 64)
	r := Record{Comm: m[1], PID: pid, CPU: cpu, Flags: m[4], TS: secs*1e9 + usecs*1e3,
		Event: m[7], Text: m[8]}
	r.Fields = parseFields(r.Text)
	return r, nil
}

// parseFields splits "k=v k=v ==> k=v [ns]" into a map; the "NR" forms
// of raw_syscalls get NR (and ret).
func parseFields(s string) map[string]string {
	f := map[string]string{}
	if m := nrRE.FindStringSubmatch(s); m != nil {
		f["NR"] = m[1]
		if m[2] != "" {
			f["ret"] = m[2]
		}
		return f
	}
	for _, w := range strings.Fields(s) {
		if k, v, ok := strings.Cut(w, "="); ok {
			f[k] = v
		}
	}
	return f
}
