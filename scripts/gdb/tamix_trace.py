# tamix-trace: the newest events of Tamix's trace buffer, in ftrace's text
# format, read through the kernel's symbols (docs/tracing.md).
#
# Sourced after tamix.py (tamix-gdbinit does both), whose helpers it uses:
# global_value, read_bytes, TamixError. Linux's scripts/gdb has no
# counterpart; trace-cmd's "extract" reads a crashed kernel's buffers.
#
#   tamix-trace [N]     the last N events (default 20), oldest first
#
# What it reads: tamix/trace.buffer, a trace.Ring (trace/ring.go): buf, a
# slice of trace.Entry (176 bytes each; the layout is pinned by
# trace/trace_test.go), head (the next slot), n (entries held) and written.

import struct

import gdb

SYM_TRACE = "tamix/trace.buffer"
TRACE_ENTRY_SIZE = 176

# Event names by ID, in the order of trace/trace.go's constants
# (trace/gdb_test.go checks the two agree).
TRACE_EVENTS = [
    "task_newtask", "task_rename", "sched_process_fork", "sched_process_exec",
    "sched_process_exit", "sched_process_free", "sched_process_wait",
    "sched_wakeup", "sched_wakeup_new", "sched_switch", "sched_stat_runtime",
    "signal_generate", "signal_deliver", "sys_enter", "sys_exit",
    "page_fault_user", "tamix_kthread_create", "tamix_stack_free",
]


def _cstr(b):
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def _state(s):
    letters = "|".join(c for i, c in enumerate("SDTtXZPI") if s & (1 << i))
    return (letters or "R") + ("+" if s & 0x100 else "")


def trace_fields(name, a, s0, s1, path):
    """The event's fields as its TP_printk prints them (trace/format.go)."""
    u = [x & 0xffffffffffffffff for x in a]
    if name == "task_newtask":
        return "pid=%d comm=%s clone_flags=%x oom_score_adj=%d" % (a[0], s0, u[1], a[2])
    if name == "task_rename":
        return "pid=%d oldcomm=%s newcomm=%s oom_score_adj=%d" % (a[0], s0, s1, a[1])
    if name == "sched_process_fork":
        return "comm=%s pid=%d child_comm=%s child_pid=%d" % (s0, a[0], s1, a[1])
    if name == "sched_process_exec":
        return "filename=%s pid=%d old_pid=%d" % (path, a[0], a[1])
    if name in ("sched_process_exit", "sched_process_free", "sched_process_wait"):
        return "comm=%s pid=%d prio=%d" % (s0, a[0], a[1])
    if name in ("sched_wakeup", "sched_wakeup_new"):
        return "comm=%s pid=%d prio=%d target_cpu=%03d" % (s0, a[0], a[1], a[2])
    if name == "sched_switch":
        return ("prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s ==> "
                "next_comm=%s next_pid=%d next_prio=%d"
                % (s0, a[0], a[1], _state(a[2]), s1, a[3], a[4]))
    if name == "sched_stat_runtime":
        return "comm=%s pid=%d runtime=%d [ns]" % (s0, a[0], a[1])
    if name == "signal_generate":
        return ("sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d"
                % (a[0], a[1], a[2], s0, a[3], a[4], a[5]))
    if name == "signal_deliver":
        return "sig=%d errno=%d code=%d sa_handler=%x sa_flags=%x" % (a[0], a[1], a[2], u[3], u[4])
    if name == "sys_enter":
        return "NR %d (%x, %x, %x, %x, %x, %x)" % tuple([a[0]] + u[1:7])
    if name == "sys_exit":
        return "NR %d = %d" % (a[0], a[1])
    if name == "page_fault_user":
        return "address=0x%x ip=0x%x error_code=0x%x" % (u[0], u[1], u[2])
    return "comm=%s pid=%d" % (s0, a[0])


def trace_line(raw):
    """One trace.Entry (176 bytes) as a line of the trace file."""
    ts, ev, cpu, flags, depth, pid = struct.unpack_from("<qBBBBi", raw, 0)
    comm = _cstr(raw[16:32]) if pid != 0 else "<idle>"
    args = list(struct.unpack_from("<8q", raw, 32))
    s0, s1, path = _cstr(raw[96:112]), _cstr(raw[112:128]), _cstr(raw[128:176])
    name = TRACE_EVENTS[ev] if ev < len(TRACE_EVENTS) else "event%d" % ev
    lat = ("d" if flags & 1 else ".") + ("N" if flags & 2 else ".") + "." + \
        ("%x" % depth if depth else ".") + "."
    us = ts // 1000
    return "%16s-%-7d [%03d] %s %5d.%06d: %s: %s" % (
        comm, pid, cpu, lat, us // 1000000, us % 1000000, name,
        trace_fields(name, args, s0, s1, path))


class TamixTrace(gdb.Command):
    """Print the newest events of the trace buffer, in ftrace text format.

Usage: tamix-trace [N]

Prints the last N (default 20) entries of tamix/trace.buffer, oldest first,
as the trace file shows them (./qemu.sh --trace FILE writes the whole
buffer at power off; this reads it wherever the CPU is stopped)."""

    def __init__(self):
        super().__init__("tamix-trace", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        words = gdb.string_to_argv(arg)
        if len(words) > 1 or (words and not words[0].isdigit()):
            raise TamixError("usage: tamix-trace [N]")
        want = int(words[0]) if words else 20
        ring = global_value(SYM_TRACE)
        size, head, n = int(ring["buf"]["len"]), int(ring["head"]), int(ring["n"])
        if size == 0:
            gdb.write("(no trace buffer: boot with trace_event=... or trace_buf_size=)\n")
            return
        if n < 0 or n > size or head < 0 or head >= size:
            raise TamixError("implausible trace ring: len %d head %d n %d" % (size, head, n))
        base = int(ring["buf"]["array"])
        gdb.write("# entries-in-buffer/entries-written: %d/%d\n" % (n, int(ring["written"])))
        count = min(want, n)
        for i in range(count):
            slot = (head - count + i) % size
            gdb.write(trace_line(read_bytes(base + slot * TRACE_ENTRY_SIZE, TRACE_ENTRY_SIZE)) + "\n")


TamixTrace()
