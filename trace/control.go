package trace

import "sync"

// Run-time control, what tracefs's set_event and tracing_on files do.
// selected is the set of events chosen (set_event); tracingOn is the
// master switch (tracing_on); the word On reads, enabled, is selected
// while tracing is on and 0 while it is off, so that a tracepoint still
// costs one load. Mirrors kernel/trace/trace_events.c (set_event) and
// trace.c (tracing_on), which keep the two apart the same way (each
// event's static key, and the ring buffer's record_disabled).
var (
	ctlMu     sync.Mutex // protects selected and tracingOn, and orders writes to enabled
	selected  uint64
	tracingOn = true
)

// SetEvents selects events (replacing the selection, or adding to it),
// allocating the default buffer if there is none yet. Returns the items
// that named no event.
func SetEvents(list string, add bool) []string {
	mask, bad := ParseEvents(list)
	ctlMu.Lock()
	defer ctlMu.Unlock()
	if add {
		mask |= selected
	}
	if mask != 0 && bufferLen() == 0 {
		AllocBuffer(DefaultBufSize)
	}
	selected = mask
	if tracingOn {
		enabled.Store(selected)
	}
	return bad
}

// SetTracingOn turns recording on or off without changing the selection.
func SetTracingOn(on bool) {
	ctlMu.Lock()
	defer ctlMu.Unlock()
	tracingOn = on
	if on {
		enabled.Store(selected)
	} else {
		enabled.Store(0)
	}
}

// TracingOn reports the master switch.
func TracingOn() bool {
	ctlMu.Lock()
	defer ctlMu.Unlock()
	return tracingOn
}

// SelectedText lists the selected events as set_event shows them, one
// "system:name" a line.
func SelectedText() string {
	ctlMu.Lock()
	mask := selected
	ctlMu.Unlock()
	s := ""
	for id, ev := range Events {
		if mask&(1<<id) != 0 {
			s += ev.System + ":" + ev.Name + "\n"
		}
	}
	return s
}

// Written returns the number of entries ever written to the ring.
func Written() uint64 {
	buffer.mu.Lock()
	defer buffer.mu.Unlock()
	return buffer.written
}

func bufferLen() int {
	buffer.mu.Lock()
	defer buffer.mu.Unlock()
	return len(buffer.buf)
}
