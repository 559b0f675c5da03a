package trace

import "sync"

// CommLen is TASK_COMM_LEN: a comm is at most 15 bytes and a NUL.
const CommLen = 16

// Entry is one event in the ring buffer, in binary: the header every
// event has (time, CPU, flags, the current task) and the event's fields
// in a fixed layout (Arg, Str, Path), which Format turns into text.
// Mirrors struct trace_entry plus an event's TP_STRUCT__entry; Linux
// sizes each event to its fields, Tamix gives all the same 176 bytes so
// that the ring is a plain array a debugger can index.
type Entry struct {
	TS    int64 // ns since boot (the trace clock)
	ID    ID    // which event
	CPU   uint8 // the CPU it happened on
	Flags uint8 // FlagIrqsOff, FlagNeedResched
	Depth uint8 // preempt depth shown (0-15): locks held at the tracepoint
	PID   int32 // current's PID
	Comm  [CommLen]byte
	Arg   [8]int64         // the event's numbers, in its TP_printk order
	Str   [2][CommLen]byte // the event's comms
	Path  [48]byte         // sched_process_exec's filename
}

// Entry flags (the "irqs-off" and "need-resched" columns).
const (
	FlagIrqsOff     = 1 << 0
	FlagNeedResched = 1 << 1
)

// DefaultBufSize is the ring's size in bytes when trace_buf_size= is not
// given (Linux's default is 1.4 MB per CPU; Tamix has one CPU).
const DefaultBufSize = 1 << 20

// Ring is the trace buffer: a fixed array of entries, the oldest
// overwritten when it is full (Linux's default overwrite mode). Mirrors
// kernel/trace/ring_buffer.c in behaviour, not in structure: Linux's
// ring is per CPU, lockless and made of pages; this one is one array
// under a lock.
type Ring struct {
	mu sync.Mutex // protects every field below; taken last (no other lock is taken under it)
	// buf holds the entries; head is the slot the next one goes to;
	// n entries end just before head (n <= len(buf)).
	buf  []Entry
	head int
	n    int
	// written counts every entry ever added (entries-written);
	// written - n were overwritten.
	written uint64
}

// buffer is the kernel's trace buffer (global_trace's array buffer).
// scripts/gdb reads tamix/trace.buffer.
var buffer Ring

// Clock is the trace clock in ns since boot; the kernel sets it (Linux's
// "local" trace_clock).
var Clock = func() int64 { return 0 }

// AllocBuffer sizes the ring to hold size bytes of entries (at least
// one), dropping what it held. Mirrors tracing_resize_ring_buffer().
func AllocBuffer(size int) {
	n := size / entrySize
	if n < 1 {
		n = 1
	}
	buf := make([]Entry, n)
	buffer.mu.Lock()
	buffer.buf, buffer.head, buffer.n, buffer.written = buf, 0, 0, 0
	buffer.mu.Unlock()
}

// entrySize is the size of an Entry in bytes.
const entrySize = 176

// Emit stamps e with the time and adds it to the ring. The caller fills
// the rest; a buffer not yet allocated drops the entry. Mirrors
// trace_event_buffer_reserve() + trace_event_buffer_commit().
func Emit(e *Entry) {
	e.TS = Clock()
	buffer.add(e)
}

func (r *Ring) add(e *Entry) {
	r.mu.Lock()
	if len(r.buf) > 0 {
		r.buf[r.head] = *e
		r.head++
		if r.head == len(r.buf) {
			r.head = 0
		}
		if r.n < len(r.buf) {
			r.n++
		}
		r.written++
	}
	r.mu.Unlock()
}

// Snapshot returns a copy of the entries, oldest first, and the number
// ever written.
func Snapshot() ([]Entry, uint64) {
	return buffer.snapshot()
}

// SnapshotAtPowerOff is Snapshot for the power-off path, which may run
// after a panic in the middle of Emit: if the lock is held, it reads the
// ring without it (nothing else runs any more).
func SnapshotAtPowerOff() ([]Entry, uint64) {
	if !buffer.mu.TryLock() {
		return buffer.copyLocked()
	}
	defer buffer.mu.Unlock()
	return buffer.copyLocked()
}

func (r *Ring) snapshot() ([]Entry, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.copyLocked()
}

// copyLocked copies the entries out, oldest first. Caller holds r.mu.
func (r *Ring) copyLocked() ([]Entry, uint64) {
	out := make([]Entry, 0, r.n)
	start := r.head - r.n
	if start < 0 {
		start += len(r.buf)
	}
	for i := 0; i < r.n; i++ {
		out = append(out, r.buf[(start+i)%len(r.buf)])
	}
	return out, r.written
}

// Reset empties the ring (writing to tracefs's trace file).
func Reset() {
	buffer.mu.Lock()
	buffer.head, buffer.n, buffer.written = 0, 0, 0
	buffer.mu.Unlock()
}

// SetComm copies a comm into a fixed field, truncated to 15 bytes.
func SetComm(dst *[CommLen]byte, s string) {
	n := copy(dst[:CommLen-1], s)
	for i := n; i < CommLen; i++ {
		dst[i] = 0
	}
}

// cstr returns the text of a NUL-padded field.
func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Consume takes up to max of the oldest entries out of the ring, for a
// reader of trace_pipe, and returns them with the number ever written.
// Mirrors ring_buffer_consume().
func Consume(max int) ([]Entry, uint64) {
	buffer.mu.Lock()
	defer buffer.mu.Unlock()
	r := &buffer
	k := min(max, r.n)
	out := make([]Entry, 0, k)
	start := r.head - r.n
	if start < 0 {
		start += len(r.buf)
	}
	for i := 0; i < k; i++ {
		out = append(out, r.buf[(start+i)%len(r.buf)])
	}
	r.n -= k
	return out, r.written
}
