# Kernel-aware gdb commands for Tamix.
#
# Load with "source scripts/gdb/tamix.py" (scripts/gdb/tamix-gdbinit does it
# and connects to QEMU; "make debug" runs both). The commands read the
# kernel's data structures through their symbols, so they work wherever the
# CPU is stopped: in a task, in a Go runtime goroutine, in the idle loop, or
# in user mode.
#
#   tamix-ps                 every task: pid, ppid, state, on-CPU, comm, times
#   tamix-current            the task that owns the CPU
#   tamix-regs [PID]         a task's saved user registers (pt_regs)
#   tamix-dmesg [-l] [N]     the kernel log buffer (printk's ring)
#   tamix-pte PID ADDR       walk a task's page tables for a user address
#   tamix-sig [PID]          a task's signal state: pending, blocked, handlers
#   tamix-sigframe [PID [ADDR]]  an rt_sigframe on a task's user stack
#   $tamix_current()         the current task, a *proc.Task
#   $tamix_task(PID)         the task with that PID, a *proc.Task
#   tamix-connect [PORT]     target remote, retried while QEMU starts
#
# They play the part of Linux's scripts/gdb (lx-ps, lx-dmesg,
# $lx_current()). docs/debugging.md has a walk-through.
#
# What the commands read, and where it is defined:
#
#   tamix/proc.taskList          []*proc.Task, every task in creation order
#                                (proc/task.go)
#   tamix/sched.rq               the run queue; curr is the current
#                                *sched.Thread (sched/core.go)
#   tamix/proc.K                 Pages, the buddy allocator (proc/kernel.go,
#                                mm/buddy.go)
#   tamix/kernel/printk.Kernel   the log ring (kernel/printk/printk.go
#                                documents its layout)
#
# A field renamed in the kernel shows up as gdb's "There is no member named
# X." when a command reads it: the symbols are named just below, the fields
# where they are read.

import os
import struct

import gdb

SYM_TASK_LIST = "tamix/proc.taskList"
SYM_RUN_QUEUE = "tamix/sched.rq"
SYM_KERNEL = "tamix/proc.K"
SYM_LOG = "tamix/kernel/printk.Kernel"

# Task states (sched/task.go, Linux's include/linux/sched.h values) and
# exit states (proc/task.go).
TASK_RUNNING = 0x0000
TASK_INTERRUPTIBLE = 0x0001
TASK_UNINTERRUPTIBLE = 0x0002
TASK_DEAD = 0x0080
TASK_NEW = 0x0800
EXIT_DEAD = 0x0010
EXIT_ZOMBIE = 0x0020
PF_KTHREAD = 0x00200000

# Sanity limits: a stop in the middle of an update, or before the kernel
# has set a structure up, must give a message, not a runaway read.
MAX_TASKS = 32768
MAX_STRING = 4096


class TamixError(gdb.GdbError):
    """An error the commands report as a one-line message."""


# ---------------------------------------------------------------------------
# Reading Go values


def global_value(name):
    """Returns the value of the kernel global variable name. Without a
    target gdb would read the ELF file's zeros for the kernel's variables,
    so that is an error."""
    if gdb.selected_inferior().pid == 0:
        raise TamixError("gdb is not connected to the kernel (tamix-connect "
                         "attaches to ./qemu.sh --gdb)")
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        sym = gdb.lookup_static_symbol(name)
    if sym is None:
        raise TamixError(
            "no symbol %s: is the Tamix kernel ELF (build/tamix.elf) loaded?"
            % name)
    try:
        return sym.value()
    except gdb.error as e:
        raise TamixError("cannot read %s: %s (is gdb connected to QEMU?)"
                         % (name, e))


def read_bytes(addr, n):
    """Reads n bytes of kernel memory at addr."""
    if n == 0:
        return b""
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, n))
    except gdb.MemoryError as e:
        raise TamixError("cannot read %d bytes at %#x: %s" % (n, addr, e))


def read_u64(addr):
    """Reads a little-endian 64-bit word of kernel memory."""
    return struct.unpack("<Q", read_bytes(addr, 8))[0]


def go_string(v):
    """Returns the Go string value v (a {str, len} pair) as a Python str."""
    n = int(v["len"])
    if n < 0 or n > MAX_STRING:
        return "<bad string, len %d>" % n
    return read_bytes(int(v["str"]), n).decode("utf-8", "replace")


def go_slice(v, limit):
    """Returns the elements of the Go slice v (an {array, len, cap} triple)
    as a list of gdb values."""
    n = int(v["len"])
    if n < 0 or n > limit or n > int(v["cap"]):
        raise TamixError("implausible slice: len %d, cap %d (stopped in the "
                         "middle of an update?)" % (n, int(v["cap"])))
    array = v["array"]
    return [array[i] for i in range(n)]


def atomic_int(v):
    """Returns the value of a sync/atomic integer (a struct with field v)."""
    return int(v["v"])


# ---------------------------------------------------------------------------
# Tasks


def tasks():
    """Returns every task, a list of proc.Task values, in creation order."""
    ptrs = go_slice(global_value(SYM_TASK_LIST), MAX_TASKS)
    return [p.dereference() for p in ptrs if int(p) != 0]


def task_addr(task):
    """Returns the address of the proc.Task value task."""
    return int(task.address)


def task_pid(task):
    return int(task["PID"])


def task_comm(task):
    return go_string(task["Comm"])


def task_by_pid(pid):
    """Returns the task with PID pid."""
    for t in tasks():
        if task_pid(t) == pid:
            return t
    raise TamixError("no task with PID %d (tamix-ps lists them)" % pid)


def current_task():
    """Returns the task that owns the CPU, or None before the first task
    (PID 0) exists. The run queue knows the current sched.Thread; the task
    is the one whose embedded Thread has that address."""
    curr = int(global_value(SYM_RUN_QUEUE)["curr"])
    if curr == 0:
        return None
    for t in tasks():
        if int(t["Thread"].address) == curr:
            return t
    raise TamixError("sched.rq.curr is %#x, but no task in %s embeds that "
                     "Thread" % (curr, SYM_TASK_LIST))


def state_letter(task):
    """Returns ps's one-letter state for a task: R running or runnable,
    S sleeping, D uninterruptible, Z zombie, X dead, N new (not yet
    runnable; Linux's ps has no letter for TASK_NEW)."""
    exit_state = int(task["ExitState"])
    if exit_state & EXIT_DEAD:
        return "X"
    if exit_state & EXIT_ZOMBIE:
        return "Z"
    s = atomic_int(task["Thread"]["state"])
    if s == TASK_RUNNING:
        return "R"
    if s & TASK_INTERRUPTIBLE:
        return "S"
    if s & TASK_UNINTERRUPTIBLE:
        return "D"
    if s & TASK_DEAD:
        return "X"
    if s & TASK_NEW:
        return "N"
    return "?"


def parent_pid(task):
    parent = task["Parent"]
    if int(parent) == 0:
        return 0
    return task_pid(parent.dereference())


def task_label(task):
    return "PID %d (%s)" % (task_pid(task), task_comm(task))


def parse_pid(arg):
    """Evaluates a PID argument, a number or any gdb expression."""
    try:
        return int(gdb.parse_and_eval(arg))
    except gdb.error as e:
        raise TamixError("bad PID %r: %s" % (arg, e))


# ---------------------------------------------------------------------------
# tamix-ps


def ms(ns):
    return "%.3f" % (ns / 1e6)


class TamixPs(gdb.Command):
    """List every task, like ps.

Usage: tamix-ps

Columns: PID, PPID, S (state: R running or runnable, S sleeping, D
uninterruptible, Z zombie, X dead, N new), C ('*' on the task that owns the
CPU, sched.rq.curr), UTIME and STIME (ms in user and kernel mode), VCSW and
IVCSW (voluntary and involuntary context switches), TASK (the address of its
proc.Task: p *$tamix_task(PID) prints it) and COMM."""

    def __init__(self):
        super().__init__("tamix-ps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        all_tasks = tasks()
        if not all_tasks:
            gdb.write("no tasks yet (%s is empty: proc.InitIdle has not "
                      "run)\n" % SYM_TASK_LIST)
            return
        try:
            curr = current_task()
        except TamixError as e:
            gdb.write("(no on-CPU mark: %s)\n" % e)
            curr = None
        gdb.write("%5s %5s S C %10s %10s %6s %6s %-18s %s\n" % (
            "PID", "PPID", "UTIME", "STIME", "VCSW", "IVCSW", "TASK", "COMM"))
        for t in all_tasks:
            th = t["Thread"]
            utime = int(th["Utime"])
            total = int(th["Se"]["SumExecRuntime"])
            stime = max(total - utime, 0)
            on_cpu = "*" if curr is not None and task_addr(curr) == task_addr(t) else " "
            gdb.write("%5d %5d %s %s %10s %10s %6d %6d %#-18x %s\n" % (
                task_pid(t), parent_pid(t), state_letter(t), on_cpu,
                ms(utime), ms(stime), int(th["Nvcsw"]), int(th["Nivcsw"]),
                task_addr(t), task_comm(t)))


# ---------------------------------------------------------------------------
# tamix-current and the convenience functions


class TamixCurrent(gdb.Command):
    """Show the task that owns the CPU (Linux's current).

Usage: tamix-current

The current task is the run queue's curr (sched.rq.curr). The CPU may be
running a Go goroutine that belongs to no task (a GC worker, a timer) on
the current task's time; bt shows where the CPU is, tamix-current whose
turn it is. $tamix_current() gives the task as a value: p *$tamix_current()."""

    def __init__(self):
        super().__init__("tamix-current", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        t = current_task()
        if t is None:
            gdb.write("no current task yet (sched.rq.curr is nil)\n")
            return
        kind = "kernel thread" if int(t["Flags"]) & PF_KTHREAD else "user task"
        gdb.write("%s, %s, state %s, proc.Task at %#x\n" % (
            task_label(t), kind, state_letter(t), task_addr(t)))


class TamixCurrentFunction(gdb.Function):
    """$tamix_current() is the current task, a *proc.Task.

Example: p $tamix_current().Regs.IP (in Go syntax; with the C language
use ->)."""

    def __init__(self):
        super().__init__("tamix_current")

    def invoke(self):
        t = current_task()
        if t is None:
            raise TamixError("no current task yet (sched.rq.curr is nil)")
        return t.address


class TamixTaskFunction(gdb.Function):
    """$tamix_task(PID) is the task with that PID, a *proc.Task.

Example: p *$tamix_task(1)"""

    def __init__(self):
        super().__init__("tamix_task")

    def invoke(self, pid):
        return task_by_pid(int(pid)).address


# ---------------------------------------------------------------------------
# tamix-regs

# pt_regs in the order Linux's __show_regs() prints it, three to a line.
REGS_LINES = (
    (("RAX", "AX"), ("RBX", "BX"), ("RCX", "CX")),
    (("RDX", "DX"), ("RSI", "SI"), ("RDI", "DI")),
    (("RBP", "BP"), ("R08", "R8"), ("R09", "R9")),
    (("R10", "R10"), ("R11", "R11"), ("R12", "R12")),
    (("R13", "R13"), ("R14", "R14"), ("R15", "R15")),
)

EFLAGS_BITS = ((0, "CF"), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"),
               (8, "TF"), (9, "IF"), (10, "DF"), (11, "OF"), (14, "NT"),
               (16, "RF"), (17, "VM"), (18, "AC"), (21, "ID"))


def eflags_names(v):
    return " ".join(name for bit, name in EFLAGS_BITS if v >> bit & 1)


def code_location(ip, cs):
    """Formats a saved instruction pointer: with its function for kernel
    code, bare for user code (the kernel ELF has no user symbols)."""
    if cs & 3 == 0:
        block = gdb.block_for_pc(ip)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            return "%#x <%s+%#x>" % (ip, block.function.print_name,
                                     ip - block.start)
    return "%#x" % ip


class TamixRegs(gdb.Command):
    """Show a task's saved user registers, its pt_regs.

Usage: tamix-regs [PID]      (default: the current task)

The pt_regs at the top of the task's kernel stack hold its user registers
from its last entry into the kernel (system call, fault, interrupt): for a
task in the kernel, or waiting for the CPU, they are where it will resume.
The layout follows Linux's __show_regs(); ORIG_RAX is the system-call number
on a system call, the error code on a fault."""

    def __init__(self):
        super().__init__("tamix-regs", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        arg = arg.strip()
        if arg:
            t = task_by_pid(parse_pid(arg))
        else:
            t = current_task()
            if t is None:
                raise TamixError("no current task yet; give a PID")
        regs_ptr = t["Regs"]
        if int(t["Flags"]) & PF_KTHREAD:
            gdb.write("%s is a kernel thread: it has no user registers "
                      "(bt shows its kernel stack if it is running)\n"
                      % task_label(t))
            return
        if int(regs_ptr) == 0:
            gdb.write("%s has no pt_regs (its kernel stack is freed: it "
                      "has exited)\n" % task_label(t))
            return
        r = regs_ptr.dereference()

        def reg(name):
            return int(r[name]) & 0xffffffffffffffff

        gdb.write("%s: pt_regs at %#x\n" % (task_label(t), int(regs_ptr)))
        cs, ss = reg("CS"), reg("SS")
        gdb.write("RIP: %04x:%s\n" % (cs, code_location(reg("IP"), cs)))
        gdb.write("RSP: %04x:%016x EFLAGS: %08x [ %s ] ORIG_RAX: %016x\n" % (
            ss, reg("SP"), reg("Flags"), eflags_names(reg("Flags")),
            reg("OrigAX")))
        for line in REGS_LINES:
            gdb.write(" ".join("%s: %016x" % (label, reg(field))
                               for label, field in line) + "\n")
        curr = current_task()
        if curr is not None and task_addr(curr) == task_addr(t):
            try:
                live_cs = int(gdb.parse_and_eval("$cs"))
            except gdb.error:
                live_cs = 0
            if live_cs & 3 == 3:
                gdb.write("note: the CPU is in user mode in this task; these "
                          "are its registers from its last kernel entry, "
                          "info registers shows the live ones\n")


# ---------------------------------------------------------------------------
# tamix-dmesg

# Ring layout (kernel/printk/printk.go, ring.go).
LOG_HEADER = 24
LOG_WRAP = 0xffffffff
LOG_MAX_LINE = 1024 - 32
LEVEL_NAMES = ("emerg", "alert", "crit", "err", "warn", "notice", "info",
               "debug")


class LogCorrupt(Exception):
    """The ring does not parse; records holds what was read before."""

    def __init__(self, message, records):
        super().__init__(message)
        self.records = records


def decode_log(buf, tail, first_seq, next_seq):
    """Decodes printk's ring: returns (seq, ts_nanos, level, text) for
    every record, oldest first. buf is the whole ring, the other arguments
    are the Log's fields. Raises LogCorrupt if a header does not fit."""
    size = len(buf)
    count = next_seq - first_seq
    if count < 0 or count > size // LOG_HEADER or tail >= max(size, 1) or tail % 8:
        raise LogCorrupt("implausible log state: tail %d, firstSeq %d, "
                         "nextSeq %d" % (tail, first_seq, next_seq), [])
    records = []
    off = tail
    for seq in range(first_seq, next_seq):
        if off + LOG_HEADER > size or \
                struct.unpack_from("<I", buf, off + 20)[0] == LOG_WRAP:
            off = 0
        rseq, ts, level, n = struct.unpack_from("<QqB3xI", buf, off)
        if rseq != seq or n > LOG_MAX_LINE or off + LOG_HEADER + n > size:
            raise LogCorrupt("record %d at offset %d has seq %d, length %d"
                             % (seq, off, rseq, n), records)
        text = buf[off + LOG_HEADER:off + LOG_HEADER + n]
        records.append((seq, ts, level, text.decode("utf-8", "replace")))
        off += LOG_HEADER + (n + 7) // 8 * 8
    return records


def format_record(ts, level, text, show_level):
    line = "[%5d.%06d] %s" % (ts // 1000000000, ts % 1000000000 // 1000, text)
    if show_level:
        name = LEVEL_NAMES[level] if level < len(LEVEL_NAMES) else str(level)
        line = "%-6s %s" % (name + ":", line)
    return line


class TamixDmesg(gdb.Command):
    """Print the kernel log buffer, like dmesg.

Usage: tamix-dmesg [-l] [N]

Prints the records of printk's ring (tamix/kernel/printk.Kernel), oldest
first, as "[seconds.microseconds] text" with the time since boot. -l adds
each record's level (emerg .. debug); N prints only the last N records."""

    def __init__(self):
        super().__init__("tamix-dmesg", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        show_level, last = False, None
        for word in gdb.string_to_argv(arg):
            if word == "-l":
                show_level = True
            elif word.isdigit():
                last = int(word)
            else:
                raise TamixError("usage: tamix-dmesg [-l] [N]")
        log = global_value(SYM_LOG)
        buf_value = log["buf"]
        buf = read_bytes(int(buf_value.address), buf_value.type.sizeof)
        first, nxt = int(log["firstSeq"]), int(log["nextSeq"])
        try:
            locked = int(log["mu"]["mu"]["state"]) & 1  # sync.Mutex, Go 1.24+
        except gdb.error:
            locked = 0
        if locked:
            gdb.write("(the log's mutex is held: the newest record may be "
                      "half written)\n")
        try:
            records = decode_log(buf, int(log["tail"]), first, nxt)
        except LogCorrupt as e:
            records = e.records
            gdb.write("tamix-dmesg: %s; printing the %d records before it\n"
                      % (e, len(records)))
        if int(log["dropped"]):
            gdb.write("(%d older records were overwritten)\n"
                      % int(log["dropped"]))
        if not records and first == nxt:
            gdb.write("(the log is empty)\n")
        if last is not None:
            records = records[-last:] if last else []
        for _, ts, level, text in records:
            gdb.write(format_record(ts, level, text, show_level) + "\n")


# ---------------------------------------------------------------------------
# tamix-pte

PTE_BITS = ((0, "P"), (1, "RW"), (2, "US"), (3, "PWT"), (4, "PCD"), (5, "A"),
            (6, "D"), (7, "PS"), (8, "G"), (9, "COW"), (10, "SHARED_TABLE"),
            (63, "NX"))
PTE_P, PTE_RW, PTE_US, PTE_PS, PTE_G, PTE_NX = 1, 2, 4, 1 << 7, 1 << 8, 1 << 63
PTE_ADDR = 0x000ffffffffff000
PAGE_SHIFT = 12

# The four levels: SDM name, Linux name, address bits below an entry.
PT_LEVELS = (("PML4", "pgd", 39), ("PDPT", "pud", 30), ("PD", "pmd", 21),
             ("PT", "pte", 12))

# Page flags (mm/page.go).
PAGE_FLAGS = ((1, "buddy"), (2, "head"), (4, "tail"))
PAGE_TAIL = 4


def pte_flags(e, leaf):
    """Names the bits set in an entry, as mm.PTE's String does."""
    names = [] if e & PTE_P else ["-"]
    for bit, name in PTE_BITS:
        if e >> bit & 1:
            if name == "G" and not e & PTE_P:
                name = "PROTNONE"
            elif name == "PS" and not leaf:
                continue
            names.append(name)
    return " ".join(names)


def page_descriptor(pfn):
    """Returns the buddy allocator's mm.Page for pfn, or None if the
    allocator does not manage that frame (the boot tables, the Go runtime's
    memory). Mirrors mm.(*Buddy).page: one section per range of RAM, each
    with a slice of descriptors."""
    pages = global_value(SYM_KERNEL)["Pages"]
    if int(pages) == 0:
        raise TamixError("the page allocator is not set up yet (proc.K.Pages "
                         "is nil)")
    for s in go_slice(pages.dereference()["sections"], 1024):
        start, end = int(s["start"]), int(s["end"])
        if start <= pfn < end:
            return s["pages"]["array"][pfn - start]
    return None


def describe_page(pfn):
    """Describes the reference count of the frame pfn."""
    p = page_descriptor(pfn)
    if p is None:
        return "not managed by the page allocator (kernel image, Go heap or "\
               "boot tables): no reference count"
    flags = int(p["flags"])
    names = "|".join(n for bit, n in PAGE_FLAGS if flags & bit) or "0"
    text = "refcount %d, order %d, flags %s" % (int(p["refcount"]),
                                                int(p["order"]), names)
    if flags & PAGE_TAIL:
        head_pfn = pfn & ~((1 << int(p["order"])) - 1)
        head = page_descriptor(head_pfn)
        text += "; head page pfn %#x has refcount %d" % (
            head_pfn, int(head["refcount"]))
    return text


def vma_for(mm, addr):
    """Returns (start, end, flags) of the VMA containing addr, or None."""
    for v in go_slice(mm["vmas"]["vmas"], 1 << 20):
        v = v.dereference()
        start, end = int(v["Start"]), int(v["End"])
        if start <= addr < end:
            return start, end, int(v["Flags"])
    return None


def vma_perms(flags):
    """Formats VM_* flags as /proc/PID/maps does: rwxp or rwxs."""
    return "".join((
        "r" if flags & 1 else "-",
        "w" if flags & 2 else "-",
        "x" if flags & 4 else "-",
        "s" if flags & 8 else "p"))


class TamixPte(gdb.Command):
    """Walk a task's page tables for an address.

Usage: tamix-pte PID ADDR      (ADDR may be any expression, e.g.
                               $tamix_task(1).Regs.IP)

Shows, for each of the four levels, the table's address, the index ADDR
selects, the entry and its flags (P RW US PWT PCD A D PS G COW NX; '-' when
not present), then the physical address and the page's reference count from
the buddy allocator, and the VMA that covers ADDR. A kernel thread (no MM)
is walked in the address space it borrows (ActiveMM), or in the kernel's
template."""

    def __init__(self):
        super().__init__("tamix-pte", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        words = arg.split(None, 1)
        if len(words) != 2:
            raise TamixError("usage: tamix-pte PID ADDR")
        t = task_by_pid(parse_pid(words[0]))
        try:
            addr = int(gdb.parse_and_eval(words[1])) & 0xffffffffffffffff
        except gdb.error as e:
            raise TamixError("bad address %r: %s" % (words[1], e))
        mm, root, where = self.address_space(t)
        gdb.write("%s, address %#x: %s, PML4 at %#x\n"
                  % (task_label(t), addr, where, root))
        top = addr >> 47
        if top not in (0, 0x1ffff):
            gdb.write("%#x is not canonical: any access faults (#GP)\n" % addr)
            return
        phys = self.walk(root, addr)
        if phys is None:
            return
        gdb.write("physical address %#x, page frame %#x: %s\n"
                  % (phys, phys >> PAGE_SHIFT, describe_page(phys >> PAGE_SHIFT)))
        if mm is not None:
            v = vma_for(mm, addr)
            if v is None:
                gdb.write("no VMA covers %#x\n" % addr)
            else:
                gdb.write("vma %#x-%#x %s\n" % (v[0], v[1], vma_perms(v[2])))

    @staticmethod
    def address_space(t):
        """Returns (mm value or None, PML4 address, description)."""
        for field, what in (("MM", "its MM"), ("ActiveMM", "its ActiveMM")):
            mm = t[field]
            if int(mm) == 0:
                continue
            pt = mm.dereference()["pt"]
            if int(pt) == 0:
                raise TamixError("%s: %s has no page tables (released)"
                                 % (task_label(t), what))
            return mm.dereference(), int(pt.dereference()["root"]), what
        template = global_value(SYM_KERNEL)["Template"]
        if int(template) == 0:
            raise TamixError("%s has no address space and the kernel template "
                             "is not set up" % task_label(t))
        return None, int(template.dereference()["root"]), \
            "no MM, the kernel template"

    @staticmethod
    def walk(root, addr):
        """Prints each level of the walk; returns the physical address, or
        None if the walk stops at an entry that is not present."""
        table = root
        user, writable, nx = True, True, False
        for depth, (sdm, linux, shift) in enumerate(PT_LEVELS):
            index = addr >> shift & 511
            e = read_u64(table + index * 8)
            leaf = depth == 3 or (depth in (1, 2) and e & PTE_PS)
            gdb.write("  %-4s (%s) table %#014x [%3d] = %#018x  %s\n" % (
                sdm, linux, table, index, e, pte_flags(e, leaf)))
            if not e & PTE_P:
                if leaf and e & PTE_G:
                    gdb.write("not present: PROT_NONE (an access faults; "
                              "the entry keeps its page %#x)\n" % (e & PTE_ADDR))
                else:
                    gdb.write("not present at the %s level: an access "
                              "faults\n" % sdm)
                return None
            user = user and bool(e & PTE_US)
            writable = writable and bool(e & PTE_RW)
            nx = nx or bool(e & PTE_NX)
            if leaf:
                size = 1 << shift
                phys = (e & PTE_ADDR & ~(size - 1)) | (addr & (size - 1))
                gdb.write("effective: %s, %s, %s; %s page\n" % (
                    "user" if user else "kernel only",
                    "writable" if writable else "read-only",
                    "no-execute" if nx else "executable",
                    {12: "4 KiB", 21: "2 MiB", 30: "1 GiB"}[shift]))
                return phys
            table = e & PTE_ADDR
        return None


# ---------------------------------------------------------------------------
# tamix-sig and tamix-sigframe: signal state (proc/signal.go, proc/task.go)
# and the frame on the user stack (proc/sigframe.go)

SIGNAL_NAMES = (None, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
                "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
                "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
                "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
                "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
                "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
                "SIGSYS")
SIGRTMIN, SIGRTMAX = 32, 64
SIGCHLD = 17
FAULT_SIGNALS = (4, 5, 7, 8, 11)  # SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV
SIG_DFL, SIG_IGN = 0, 1

# include/uapi/asm-generic/siginfo.h: the codes every signal shares, and
# the positive ones of the signals that have their own.
SI_CODES = {0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER",
            -3: "SI_MESGQ", -4: "SI_ASYNCIO", -5: "SI_SIGIO", -6: "SI_TKILL"}
SIG_CODES = {
    4: ("ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC"),
    5: ("TRAP_BRKPT", "TRAP_TRACE"),
    7: ("BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR"),
    8: ("FPE_INTDIV", "FPE_INTOVF"),
    11: ("SEGV_MAPERR", "SEGV_ACCERR"),
    17: ("CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED",
         "CLD_STOPPED", "CLD_CONTINUED"),
}

# arch/x86/include/uapi/asm/signal.h
SA_FLAGS = ((0x00000001, "SA_NOCLDSTOP"), (0x00000002, "SA_NOCLDWAIT"),
            (0x00000004, "SA_SIGINFO"), (0x00000400, "SA_UNSUPPORTED"),
            (0x00000800, "SA_EXPOSE_TAGBITS"), (0x04000000, "SA_RESTORER"),
            (0x08000000, "SA_ONSTACK"), (0x10000000, "SA_RESTART"),
            (0x40000000, "SA_NODEFER"), (0x80000000, "SA_RESETHAND"))
SS_FLAGS = ((1, "SS_ONSTACK"), (2, "SS_DISABLE"), (1 << 31, "SS_AUTODISARM"))
# include/linux/sched/signal.h (proc/signal.go)
SIGNAL_FLAGS = ((0x01, "SIGNAL_STOP_STOPPED"), (0x02, "SIGNAL_STOP_CONTINUED"),
                (0x04, "SIGNAL_GROUP_EXIT"), (0x10, "SIGNAL_CLD_STOPPED"),
                (0x20, "SIGNAL_CLD_CONTINUED"), (0x40, "SIGNAL_UNKILLABLE"))

MAX_QUEUED = 1 << 16


def signal_name(sig):
    """SIGUSR1 ...; real-time signals as strace names them, SIGRT_N for
    kernel signal 32+N (musl's SIGRTMIN is 35, glibc's 34)."""
    if 0 < sig < len(SIGNAL_NAMES):
        return SIGNAL_NAMES[sig]
    if SIGRTMIN <= sig <= SIGRTMAX:
        return "SIGRT_%d" % (sig - SIGRTMIN)
    return "signal %d" % sig


def sigset_names(mask):
    """Names the signals of a sigset (bit sig-1 for sig)."""
    names = [signal_name(s) for s in range(1, SIGRTMAX + 1) if mask >> (s - 1) & 1]
    return " ".join(names) if names else "none"


def flag_names(v, table, width=32):
    """Names the bits of v from table, '|'-separated; unknown bits in hex."""
    names, known = [], 0
    for bit, name in table:
        known |= bit
        if v & bit:
            names.append(name)
    rest = v & ~known & ((1 << width) - 1)
    if rest:
        names.append("%#x" % rest)
    return "|".join(names) if names else "0"


def si_code_name(sig, code):
    if code > 0 and code != 0x80 and sig in SIG_CODES and code <= len(SIG_CODES[sig]):
        return SIG_CODES[sig][code - 1]
    return SI_CODES.get(code, str(code))


def describe_siginfo(raw):
    """Formats a 128-byte siginfo_t: signo, code and the fields of the
    union member that code selects (proc/signal.go's offsets)."""
    signo, errno, code = struct.unpack_from("<iii", raw, 0)
    text = "%s code %s" % (signal_name(signo), si_code_name(signo, code))
    if signo in FAULT_SIGNALS and code > 0 and code != 0x80:
        return text + " addr %#x" % struct.unpack_from("<Q", raw, 16)[0]
    pid, uid = struct.unpack_from("<iI", raw, 16)
    text += " pid %d uid %d" % (pid, uid)
    if signo == SIGCHLD and code > 0 and code != 0x80:
        status, utime, stime = struct.unpack_from("<iqq", raw, 24)
        text += " status %d utime %d stime %d" % (status, utime, stime)
    elif code == -1 or code == -2:  # SI_QUEUE, SI_TIMER: si_value
        text += " value %#x" % struct.unpack_from("<Q", raw, 24)[0]
    if errno:
        text += " errno %d" % errno
    return text


def symbolize(addr):
    """Formats a user address with the symbol gdb knows for it, if any
    (add-symbol-file build/user/PROG gives the user program's)."""
    if addr in (SIG_DFL, SIG_IGN):
        return ("SIG_DFL", "SIG_IGN")[addr]
    try:
        out = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
    except gdb.error:
        out = ""
    if not out or out.startswith("No symbol"):
        return "%#x" % addr
    sym = out.split(" in section ")[0].replace(" + ", "+")
    return "%#x <%s>" % (addr, sym)


def pending_lines(title, pending):
    """Describes a SigPending: its set, then every queued siginfo."""
    mask = int(pending["Signal"])
    lines = ["%-18s %s (%#x)" % (title, sigset_names(mask), mask)]
    for p in go_slice(pending["List"], MAX_QUEUED):
        if int(p) == 0:
            lines.append("    queued: nil")
            continue
        lines.append("    queued: " + describe_siginfo(read_bytes(int(p), 128)))
    return lines


def altstack_line(alt, sp):
    size, base, flags = int(alt["Size"]), int(alt["SP"]), int(alt["Flags"])
    if size == 0:
        return "sigaltstack:       disabled"
    on = " (the saved user sp %#x is on it)" % sp if base < sp <= base + size else ""
    return "sigaltstack:       sp %#x size %#x flags %s%s" % (
        base, size, flag_names(flags, SS_FLAGS), on)


def handler_lines(actions):
    """One line per signal whose disposition is not SIG_DFL."""
    lines = []
    for i in range(SIGRTMAX):
        a = actions[i]
        handler = int(a["Handler"])
        if handler == SIG_DFL:
            continue
        line = "  %-10s %s" % (signal_name(i + 1), symbolize(handler))
        if handler != SIG_IGN:
            flags, mask = int(a["Flags"]), int(a["Mask"])
            line += "  flags %s  mask %s" % (flag_names(flags, SA_FLAGS),
                                             sigset_names(mask))
            if flags & 0x04000000:
                line += "  restorer %s" % symbolize(int(a["Restorer"]))
        lines.append(line)
    return lines or ["  (every signal SIG_DFL)"]


def task_signal_lines(t):
    """The signal state of task t, as tamix-sig prints it."""
    sp = int(t["Regs"].dereference()["SP"]) if int(t["Regs"]) else 0
    lines = ["%s: Sighand at %#x, SignalStruct at %#x" % (
        task_label(t), int(t["Sighand"]), int(t["Signal"]))]
    lines.append("TIF_SIGPENDING %s, restore_sigmask %s, jobctl stop pending %s" % (
        ("no", "yes")[int(t["sigpending"]["v"]) != 0],
        ("no", "yes")[bool(t["restoreSigmask"])],
        ("no", "yes")[bool(t["jobctlStopPending"])]))
    for title, field in (("blocked:", "Blocked"), ("saved sigmask:", "SavedSigmask"),
                         ("real blocked:", "RealBlocked")):
        mask = int(t[field])
        if field == "Blocked" or mask:
            lines.append("%-18s %s (%#x)" % (title, sigset_names(mask), mask))
    lines += pending_lines("pending (thread):", t["Pending"])
    sig = t["Signal"]
    if int(sig):
        s = sig.dereference()
        lines += pending_lines("pending (process):", s["SharedPending"])
    lines.append(altstack_line(t["Altstack"], sp))
    if int(sig):
        lines.append("job control:       flags %s, group exit code %d, stop count %d" % (
            flag_names(int(s["Flags"]), SIGNAL_FLAGS), int(s["GroupExitCode"]),
            int(s["GroupStopCount"])))
        lines.append("                   pgrp %d, session %d%s" % (
            int(s["Pgrp"]), int(s["Session"]),
            ", session leader" if bool(s["Leader"]) else ""))
    if int(t["Sighand"]):
        lines.append("handlers (not SIG_DFL):")
        lines += handler_lines(t["Sighand"].dereference()["Action"])
    return lines


def task_arg(arg):
    """The task a PID argument names, or the current task."""
    arg = arg.strip()
    if arg:
        return task_by_pid(parse_pid(arg))
    t = current_task()
    if t is None:
        raise TamixError("no current task yet; give a PID")
    return t


class TamixSig(gdb.Command):
    """Show a task's signal state.

Usage: tamix-sig [PID]      (default: the current task)

Prints TIF_SIGPENDING, the blocked mask (and the saved mask of
sigsuspend, the real mask of sigtimedwait when set), the thread's pending
set and the process's shared one with each queued siginfo (signal, si_code,
pid or fault address, SIGCHLD's status), the sigaltstack, the thread
group's job-control state (SIGNAL_* flags, pgrp, session), and every
handler that is not SIG_DFL with its SA_* flags, sa_mask and restorer.
Signals above 31 are named as strace does: SIGRT_N is signal 32+N.
Handler addresses get a symbol when gdb has the user program's:
add-symbol-file build/user/PROG."""

    def __init__(self):
        super().__init__("tamix-sig", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        t = task_arg(arg)
        if int(t["Flags"]) & PF_KTHREAD or int(t["Sighand"]) == 0:
            gdb.write("%s is a kernel thread: it takes no signals\n" % task_label(t))
            return
        for line in task_signal_lines(t):
            gdb.write(line + "\n")


def user_translate(t, addr):
    """Returns the physical address of user address addr in task t's page
    tables, or None if it is not mapped (the silent form of tamix-pte)."""
    _, table, _ = TamixPte.address_space(t)
    for depth, (_, _, shift) in enumerate(PT_LEVELS):
        e = read_u64(table + (addr >> shift & 511) * 8)
        if not e & PTE_P:
            return None
        if depth == 3 or (depth in (1, 2) and e & PTE_PS):
            size = 1 << shift
            return (e & PTE_ADDR & ~(size - 1)) | (addr & (size - 1))
        table = e & PTE_ADDR
    return None


def read_user(t, addr, n):
    """Reads n bytes at user address addr of task t, page by page through
    its page tables and the kernel's identity map of physical memory."""
    out = b""
    while n > 0:
        phys = user_translate(t, addr)
        if phys is None:
            raise TamixError("%#x is not mapped in %s" % (addr, task_label(t)))
        chunk = min(n, 4096 - (addr & 4095))
        out += read_bytes(phys, chunk)
        addr, n = addr + chunk, n - chunk
    return out


# struct rt_sigframe (proc/sigframe.go; pinned against the C headers by
# proc/sigframe_linux_test.go).
FRAME_UC, FRAME_INFO, RT_SIGFRAME_SIZE = 8, 312, 440
UC_MCONTEXT, UC_SIGMASK = 40, 296
SIGCONTEXT_REGS = ("r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                   "rdi", "rsi", "rbp", "rbx", "rdx", "rax", "rcx", "rsp",
                   "rip")


def describe_sigframe(raw, frame):
    """Formats the 440 bytes of an rt_sigframe read at user address frame."""
    q = lambda off: struct.unpack_from("<Q", raw, off)[0]
    uc, sc = FRAME_UC, FRAME_UC + UC_MCONTEXT
    lines = ["rt_sigframe at %#x (%d bytes; the handler's sp pointed here)" % (
        frame, RT_SIGFRAME_SIZE)]
    lines.append("  +0x000 pretcode     %s" % symbolize(q(0)))
    lines.append("  +0x008 uc_flags     %#x   uc_link %#x" % (q(uc), q(uc + 8)))
    ss_sp, ss_flags, ss_size = struct.unpack_from("<QI4xQ", raw, uc + 16)
    lines.append("  +0x018 uc_stack     ss_sp %#x ss_flags %s ss_size %#x" % (
        ss_sp, flag_names(ss_flags, SS_FLAGS), ss_size))
    lines.append("  +0x030 uc_mcontext  (struct sigcontext)")
    regs = [q(sc + 8 * i) for i in range(17)]
    for i in range(0, 17, 3):
        lines.append("         " + "  ".join(
            "%-3s %016x" % (SIGCONTEXT_REGS[j], regs[j]) for j in range(i, min(i + 3, 17))))
    cs, gs, fs, ss = struct.unpack_from("<HHHH", raw, sc + 18 * 8)
    lines.append("         eflags %08x [ %s ]  cs %#x ss %#x" % (
        q(sc + 17 * 8), eflags_names(q(sc + 17 * 8)), cs, ss))
    lines.append("         err %#x trapno %d oldmask %#x cr2 %#x fpstate %#x" % (
        q(sc + 19 * 8), q(sc + 20 * 8), q(sc + 21 * 8), q(sc + 22 * 8), q(sc + 23 * 8)))
    mask = q(uc + UC_SIGMASK)
    lines.append("  +0x130 uc_sigmask   %s (%#x)" % (sigset_names(mask), mask))
    lines.append("  +0x138 info         " + describe_siginfo(raw[FRAME_INFO:FRAME_INFO + 128]))
    return lines


class TamixSigframe(gdb.Command):
    """Show a signal frame (struct rt_sigframe) on a task's user stack.

Usage: tamix-sigframe [PID [ADDR]]   (default: the current task, at the
                                      sp of its saved pt_regs)

Decodes the frame SetupRtFrame wrote: the return address (sa_restorer),
the ucontext (uc_flags, uc_stack, the interrupted registers of struct
sigcontext, the mask to restore) and the siginfo. Right after
SetupRtFrame has run, pt_regs' sp is the frame; inside the handler, the
frame is at its entry sp; rt_sigreturn finds it at its sp - 8. The
memory is read through the task's page tables."""

    def __init__(self):
        super().__init__("tamix-sigframe", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        self.dont_repeat()
        words = arg.split(None, 1)
        t = task_arg(words[0] if words else "")
        if len(words) > 1:
            try:
                frame = int(gdb.parse_and_eval(words[1])) & 0xffffffffffffffff
            except gdb.error as e:
                raise TamixError("bad address %r: %s" % (words[1], e))
        elif int(t["Regs"]):
            frame = int(t["Regs"].dereference()["SP"])
        else:
            raise TamixError("%s has no pt_regs; give an address" % task_label(t))
        raw = read_user(t, frame, RT_SIGFRAME_SIZE)
        for line in describe_sigframe(raw, frame):
            gdb.write(line + "\n")


# ---------------------------------------------------------------------------
# tamix-connect


class TamixConnect(gdb.Command):
    """Connect to QEMU's gdb stub, waiting for it to come up.

Usage: tamix-connect [[HOST:]PORT]   (default: $TAMIX_GDB_PORT, else 1234)

"./qemu.sh --gdb" starts QEMU stopped before the first instruction with a
gdb stub; this is "target remote" retried for $TAMIX_GDB_WAIT seconds
(default 20: qemu.sh may first probe KVM) while QEMU starts."""

    def __init__(self):
        super().__init__("tamix-connect", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        import time

        self.dont_repeat()
        where = arg.strip() or os.environ.get("TAMIX_GDB_PORT") or "1234"
        if ":" not in where:
            where = "localhost:" + where
        wait = float(os.environ.get("TAMIX_GDB_WAIT") or 20)
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                gdb.execute("target remote " + where, from_tty)
                return
            except gdb.error as e:
                if time.monotonic() >= deadline:
                    raise TamixError("no gdb stub at %s after %g s (%s); start "
                                     "QEMU with ./qemu.sh --gdb" % (where, wait, e))
                if not told:
                    gdb.write("tamix: waiting for QEMU's gdb stub at %s ...\n"
                              % where)
                    gdb.flush()
                    told = True
                time.sleep(0.2)


# ---------------------------------------------------------------------------
# The Go runtime's own gdb support (info goroutines, goroutine N bt) comes
# with the toolchain that built the kernel; load it if gdb's auto-loading
# did not.


def load_go_runtime_support():
    try:
        gdb.execute("help goroutine", to_string=True)
        return  # already there
    except gdb.error:
        pass
    sym = gdb.lookup_global_symbol("runtime.goexit")
    if sym is None or sym.symtab is None:
        return
    path = os.path.join(os.path.dirname(sym.symtab.fullname()),
                        "runtime-gdb.py")
    if os.path.exists(path):
        try:
            gdb.execute("source " + path, to_string=True)
        except gdb.error as e:
            gdb.write("tamix: could not load %s: %s\n" % (path, e))


TamixPs()
TamixCurrent()
TamixRegs()
TamixDmesg()
TamixPte()
TamixSig()
TamixSigframe()
TamixConnect()
TamixCurrentFunction()
TamixTaskFunction()
if gdb.current_progspace().filename:
    load_go_runtime_support()
