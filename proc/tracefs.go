package proc

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"tamix/abi"
	"tamix/fs"
	"tamix/sched"
	"tamix/trace"
)

// Tracefs: the kernel mounts it at /sys/kernel/tracing. Linux's
// behaviour:
//
//	set_event   read: the enabled events, one "system:name" a line;
//	            write: "sched:*,task:*" (or one per line) selects events;
//	            opened with O_TRUNC (echo x > set_event) it replaces the
//	            selection, otherwise (>>) it adds to it
//	tracing_on  read "1" or "0"; write 1 or 0 starts or stops recording
//	trace       read: the buffer in ftrace text; opened with O_TRUNC for
//	            writing (echo > trace) it empties the buffer
//	trace_pipe  read: the events, consumed, as they come (blocks)
//
// O_TRUNC reaches a file as a truncation (Setattr of size 0), as it does
// tracefs's. Mirrors kernel/trace/trace_events.c (ftrace_event_write) and
// trace.c (tracing_on, tracing_open with O_TRUNC).
// addTracingFiles puts the control files in dir.
func addTracingFiles(sb *fs.SuperBlock, dir *fs.Dentry) {
	for _, name := range []string{"set_event", "tracing_on", "trace"} {
		n := fs.NewInode(sb, fs.S_IFREG|0o644, tracefsInodeOps{name: name}, tracefsFileOps{name: name})
		fs.AddEntry(dir, name, n)
	}
	fs.AddEntry(dir, "trace_pipe", fs.NewInode(sb, fs.S_IFREG|0o444, fs.NoInodeOps{}, tracePipeOps{}))
}

// TRACEFS_MAGIC is statfs's f_type for tracefs.
const TRACEFS_MAGIC = 0x74726163

// TracefsType is tracefs's file_system_type: the kernel mounts it on
// /sys/kernel/tracing at boot, and `mount -t tracefs` works.
var TracefsType = &fs.FileSystemType{Name: "tracefs"}

func init() {
	TracefsType.Mount = func(data string) (*fs.SuperBlock, error) {
		sb := fs.NewSuperBlock(TracefsType, nil, TRACEFS_MAGIC)
		root := fs.NewInode(sb, fs.S_IFDIR|0o755, fs.NoInodeOps{}, fs.DcacheDirOps{})
		root.Nlink = 2
		sb.Root = fs.NewRootDentry(root)
		addTracingFiles(sb, sb.Root)
		return sb, nil
	}
	fs.RegisterFilesystem(TracefsType)
}

// tracePipeOps is trace_pipe: reading it consumes the buffer's oldest
// events as text lines (no header), and sleeps while the buffer is empty.
// Linux wakes such readers from irq_work, not from the tracepoint (which
// may run under the scheduler's locks); Tamix's reader looks again every
// tracePipePoll for the same reason. Mirrors tracing_read_pipe().
type tracePipeOps struct{ fs.NoFileOps }

// tracePipePoll is how often an empty trace_pipe is looked at again.
const tracePipePoll = 10 * time.Millisecond

func (tracePipeOps) Open(n *fs.Inode, f *fs.File) error {
	if f.Writable() {
		return abi.EACCES
	}
	f.Private = new(bytes.Buffer) // text taken from the ring, not yet read
	return nil
}

func (tracePipeOps) Read(c fs.Caller, f *fs.File, p []byte, _ *int64) (int, error) {
	pending := f.Private.(*bytes.Buffer)
	for pending.Len() == 0 {
		entries, _ := trace.Consume(64)
		for i := range entries {
			pending.WriteString(entries[i].Line())
			pending.WriteByte('\n')
		}
		if pending.Len() > 0 {
			break
		}
		if f.GetFlags()&fs.O_NONBLOCK != 0 {
			return 0, abi.EAGAIN
		}
		if sched.SleepTimeout(tracePipePoll, SignalPending); SignalPending() {
			return 0, abi.ERESTARTSYS
		}
	}
	return pending.Read(p)
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
