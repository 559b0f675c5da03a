package kernel

import (
	"tamix/boot"
	"tamix/boot/pvh"
	"tamix/trace"
)

// Tracing options (Linux's names, Documentation/admin-guide/kernel-parameters.txt).
const (
	optTraceEvent   = "trace_event"    // events to enable at boot: "sched:*,task:*"
	optTraceBufSize = "trace_buf_size" // ring size in bytes (K/M suffixes)
)

// initTrace sizes the trace buffer and enables the events the command
// line names. Whatever was recorded, at boot or after /sys/kernel/tracing
// turned events on, is written to COM2 at power off (qemu.sh --trace
// FILE). Mirrors the boot-time part of
// kernel/trace/trace.c (set_buf_size(), tracer_alloc_buffers()) and
// trace_events.c (setup_trace_event(), early_enable_events()).
func initTrace(cmd pvh.Cmdline) {
	trace.Clock = boot.Uptime
	boot.SetPowerOffHook(dumpTrace) // events may be turned on at run time too
	list := cmd.Value(optTraceEvent, "")
	if list == "" && !cmd.Has(optTraceBufSize) {
		return // the buffer is allocated when someone turns tracing on
	}
	size := cmd.Uint(optTraceBufSize, trace.DefaultBufSize)
	trace.AllocBuffer(int(size))
	for _, b := range trace.SetEvents(list, false) {
		kprintf("trace: no event matches %q\n", b)
	}
	if mask := trace.Enabled(); mask != 0 {
		kprintf("trace: %d events on, %d KiB buffer, written to COM2 at power off\n",
			popcount(mask), size>>10)
	}
}

// dumpTrace writes the trace buffer to COM2 in ftrace text format; it
// runs at power off. Tracing stops first, so that the dump does not
// record itself.
func dumpTrace() {
	trace.SetEnabled(0)
	entries, written := trace.SnapshotAtPowerOff()
	if written == 0 {
		return // nothing was traced: no COM2 output
	}
	trace.WriteText(boot.TraceConsole, entries, written)
}

func popcount(m uint64) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}
