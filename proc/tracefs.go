package proc

import (
	"bytes"
	"strings"
	"sync"

	"tamix/abi"
	"tamix/fs"
	"tamix/trace"
)

// Tracefs stand-ins, until a tracefs is mounted at /sys/kernel/tracing:
// three of its files in procfs's /proc/tracing directory, with Linux's
// behaviour.
//
//	set_event   read: the enabled events, one "system:name" a line;
//	            write: "sched:*,task:*" (or one per line) selects events;
//	            opened with O_TRUNC (echo x > set_event) it replaces the
//	            selection, otherwise (>>) it adds to it
//	tracing_on  read "1" or "0"; write 1 or 0 starts or stops recording
//	trace       read: the buffer in ftrace text; opened with O_TRUNC for
//	            writing (echo > trace) it empties the buffer
//
// O_TRUNC reaches a file as a truncation (Setattr of size 0), as it does
// tracefs's. Mirrors kernel/trace/trace_events.c (ftrace_event_write) and
// trace.c (tracing_on, tracing_open with O_TRUNC).
const (
	ProcTracingSetEvent  = "/proc/tracing/set_event"
	ProcTracingTracingOn = "/proc/tracing/tracing_on"
	ProcTracingTrace     = "/proc/tracing/trace"
)

// addTracing adds the tracing directory to a procfs instance.
func addTracing(sb *fs.SuperBlock) {
	dir := fs.NewInode(sb, fs.S_IFDIR|0o555, fs.NoInodeOps{}, fs.DcacheDirOps{})
	dir.Nlink = 2
	d := fs.AddEntry(sb.Root, "tracing", dir)
	for _, name := range []string{"set_event", "tracing_on", "trace"} {
		n := fs.NewInode(sb, fs.S_IFREG|0o644, tracefsInodeOps{name: name}, tracefsFileOps{name: name})
		fs.AddEntry(d, name, n)
	}
}

// tracefsInodeOps turns O_TRUNC into the file's reset.
type tracefsInodeOps struct {
	fs.NoInodeOps
	name string
}

func (o tracefsInodeOps) Setattr(n *fs.Inode, a *fs.Iattr) error {
	if a.Valid&fs.ATTR_SIZE != 0 && a.Size == 0 {
		switch o.name {
		case "set_event":
			trace.SetEvents("", false)
		case "trace":
			trace.Reset()
		}
	}
	return nil
}

// tracefsFileOps read the text made at open and act on writes.
type tracefsFileOps struct {
	fs.NoFileOps
	name string
}

// tracefsWriteLock serialises writes to the tracing files.
var tracefsWriteLock sync.Mutex

func (o tracefsFileOps) Open(n *fs.Inode, f *fs.File) error {
	var text string
	switch o.name {
	case "set_event":
		text = trace.SelectedText()
	case "tracing_on":
		text = "0\n"
		if trace.TracingOn() {
			text = "1\n"
		}
	case "trace":
		var b bytes.Buffer
		entries, written := trace.Snapshot()
		trace.WriteText(&b, entries, written)
		text = b.String()
	}
	f.Private = []byte(text)
	return nil
}

func (o tracefsFileOps) Read(_ fs.Caller, f *fs.File, p []byte, off *int64) (int, error) {
	data := f.Private.([]byte)
	if *off >= int64(len(data)) {
		return 0, nil
	}
	n := copy(p, data[*off:])
	*off += int64(n)
	return n, nil
}

func (o tracefsFileOps) Write(_ fs.Caller, f *fs.File, p []byte, off *int64) (int, error) {
	tracefsWriteLock.Lock()
	defer tracefsWriteLock.Unlock()
	s := strings.TrimSpace(string(p))
	switch o.name {
	case "set_event":
		if bad := trace.SetEvents(s, true); len(bad) > 0 {
			return 0, abi.EINVAL
		}
	case "tracing_on":
		switch s {
		case "0":
			trace.SetTracingOn(false)
		case "1":
			trace.SetTracingOn(true)
		default:
			return 0, abi.EINVAL
		}
	case "trace":
		trace.Reset() // writing anything empties the buffer
	}
	*off += int64(len(p))
	return len(p), nil
}
