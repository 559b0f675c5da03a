package proc

import (
	"bytes"
	"strings"
	"sync"

	"tamix/abi"
	"tamix/kernel/initramfs"
	"tamix/trace"
)

// Tracefs stand-ins, until the VFS can mount a tracefs at
// /sys/kernel/tracing: three of its files under /proc/tracing, with
// Linux's behaviour.
//
//	set_event   read: the enabled events, one "system:name" a line;
//	            write: "sched:*,task:*" (or one per line) selects events;
//	            opened with O_TRUNC (echo x > set_event) it replaces the
//	            selection, otherwise (>>) it adds to it
//	tracing_on  read "1" or "0"; write 1 or 0 starts or stops recording
//	trace       read: the buffer in ftrace text; opened with O_TRUNC for
//	            writing (echo > trace) it empties the buffer
//
// Mirrors kernel/trace/trace_events.c (ftrace_event_write) and trace.c
// (tracing_on, tracing_open with O_TRUNC).
const (
	ProcTracingSetEvent  = "/proc/tracing/set_event"
	ProcTracingTracingOn = "/proc/tracing/tracing_on"
	ProcTracingTrace     = "/proc/tracing/trace"
)

// openTracefs opens one of the tracefs files; ok is false for any other
// path.
func openTracefs(path string, flags int) (f *OpenFile, n *initramfs.Node, err error, ok bool) {
	const oAccmode, oTrunc = 3, 0o1000
	writing := flags&oAccmode != 0
	trunc := writing && flags&oTrunc != 0
	var text string
	switch path {
	case ProcTracingSetEvent:
		if trunc {
			trace.SetEvents("", false)
		}
		text = trace.SelectedText()
	case ProcTracingTracingOn:
		text = "0\n"
		if trace.TracingOn() {
			text = "1\n"
		}
	case ProcTracingTrace:
		if trunc {
			trace.Reset()
		}
		var b bytes.Buffer
		entries, written := trace.Snapshot()
		trace.WriteText(&b, entries, written)
		text = b.String()
	default:
		return nil, nil, nil, false
	}
	name := path[strings.LastIndexByte(path, '/')+1:]
	n = &initramfs.Node{Name: name, Mode: 0o100644, Size: int64(len(text)), Data: []byte(text), Nlink: 1}
	return NewOpenFile(&tracefsFile{rootFile: rootFile{n: n}, path: path}, flags), n, nil, true
}

// tracefsFile reads like an initramfs file (the text made at open) and
// acts on writes.
type tracefsFile struct {
	rootFile
	path string
	mu   sync.Mutex // serialises writes
}

func (f *tracefsFile) Write(t *Task, p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := strings.TrimSpace(string(p))
	switch f.path {
	case ProcTracingSetEvent:
		if bad := trace.SetEvents(s, true); len(bad) > 0 {
			return 0, abi.EINVAL
		}
	case ProcTracingTracingOn:
		switch s {
		case "0":
			trace.SetTracingOn(false)
		case "1":
			trace.SetTracingOn(true)
		default:
			return 0, abi.EINVAL
		}
	case ProcTracingTrace:
		// Writing anything empties the buffer (O_TRUNC did it already).
		trace.Reset()
	}
	return len(p), nil
}
