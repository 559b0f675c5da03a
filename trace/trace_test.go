package trace

import (
	"strings"
	"testing"
	"unsafe"
)

func TestEntrySize(t *testing.T) {
	if s := unsafe.Sizeof(Entry{}); s != entrySize {
		t.Fatalf("Entry is %d bytes, entrySize says %d (scripts/gdb reads the layout)", s, entrySize)
	}
}

func TestParseEvents(t *testing.T) {
	mask, bad := ParseEvents("sched:*,task:*")
	if len(bad) != 0 {
		t.Fatalf("bad %v", bad)
	}
	for id, ev := range Events {
		on := mask&(1<<id) != 0
		want := ev.System == "sched" || ev.System == "task"
		if on != want {
			t.Errorf("%s:%s on=%v", ev.System, ev.Name, on)
		}
	}
	if m, _ := ParseEvents("sched_switch tamix:tamix_stack_free"); m != 1<<SchedSwitch|1<<StackFree {
		t.Errorf("mask %#x", m)
	}
	if m, _ := ParseEvents("*:*"); m != 1<<NrEvents-1 {
		t.Errorf("*:* gives %#x", m)
	}
	if _, bad := ParseEvents("sched:nosuch,foo"); len(bad) != 2 {
		t.Errorf("bad %v", bad)
	}
}

func TestOn(t *testing.T) {
	defer SetEnabled(0)
	SetEnabled(1 << SchedSwitch)
	if !On(SchedSwitch) || On(SchedWakeup) {
		t.Fatal("On disagrees with the mask")
	}
}

// TestLines pins the text of each kind of event to Linux's TP_printk.
func TestLines(t *testing.T) {
	e := Entry{TS: 12_345_678_901, ID: SchedSwitch, Flags: FlagIrqsOff, Depth: 2, PID: 7}
	SetComm(&e.Comm, "demo")
	SetComm(&e.Str[0], "demo")
	SetComm(&e.Str[1], "swapper")
	e.Arg = [8]int64{7, 120, ReportS, 0, 120}
	want := "            demo-7       [000] d..2.    12.345678: sched_switch: prev_comm=demo prev_pid=7 " +
		"prev_prio=120 prev_state=S ==> next_comm=swapper next_pid=0 next_prio=120"
	if got := e.Line(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	cases := []struct {
		id   ID
		arg  [8]int64
		want string
	}{
		{TaskNewtask, [8]int64{5, 0x11}, "pid=5 comm=a clone_flags=11 oom_score_adj=0"},
		{SchedProcessFork, [8]int64{1, 5}, "comm=a pid=1 child_comm=b child_pid=5"},
		{SchedProcessExit, [8]int64{5, 120}, "comm=a pid=5 prio=120"},
		{SchedWakeup, [8]int64{5, 120}, "comm=a pid=5 prio=120 target_cpu=000"},
		{SignalGenerate, [8]int64{17, 0, 1, 1, 1, 0}, "sig=17 errno=0 code=1 comm=a pid=1 grp=1 res=0"},
		{SysEnter, [8]int64{39, 1, 2, 3, 4, 5, 6}, "NR 39 (1, 2, 3, 4, 5, 6)"},
		{SysExit, [8]int64{39, -2}, "NR 39 = -2"},
		{PageFaultUser, [8]int64{0x1000, 0x401000, 6}, "address=0x1000 ip=0x401000 error_code=0x6"},
	}
	for _, c := range cases {
		e := Entry{ID: c.id, Arg: c.arg}
		SetComm(&e.Str[0], "a")
		SetComm(&e.Str[1], "b")
		if got := e.Fields(); got != c.want {
			t.Errorf("%s: got %q want %q", Events[c.id].Name, got, c.want)
		}
	}
	if s := StateString(ReportMax); s != "R+" {
		t.Errorf("preempted: %q", s)
	}
	if s := StateString(ReportS | ReportD); s != "S|D" {
		t.Errorf("S|D: %q", s)
	}
}

func TestRingWraps(t *testing.T) {
	AllocBuffer(3 * entrySize)
	defer AllocBuffer(0)
	for i := 0; i < 5; i++ {
		Emit(&Entry{ID: SysExit, Arg: [8]int64{int64(i)}})
	}
	got, written := Snapshot()
	if written != 5 || len(got) != 3 || got[0].Arg[0] != 2 || got[2].Arg[0] != 4 {
		t.Fatalf("written %d, entries %v", written, got)
	}
	var b strings.Builder
	WriteText(&b, got, written)
	if !strings.Contains(b.String(), "# entries-in-buffer/entries-written: 3/5   #P:1") {
		t.Errorf("header:\n%s", b.String())
	}
}

func TestConsumeTakesOldestFirst(t *testing.T) {
	AllocBuffer(4 * entrySize)
	for i := 0; i < 6; i++ { // two overwritten
		Emit(&Entry{PID: int32(i)})
	}
	got, written := Consume(3)
	if written != 6 || len(got) != 3 || got[0].PID != 2 || got[2].PID != 4 {
		t.Fatalf("Consume(3) = %d entries from PID %d, written %d; want PIDs 2-4 of 6", len(got), got[0].PID, written)
	}
	if rest, _ := Snapshot(); len(rest) != 1 || rest[0].PID != 5 {
		t.Fatalf("left %d entries", len(rest))
	}
	if more, _ := Consume(10); len(more) != 1 {
		t.Fatalf("second Consume: %d entries", len(more))
	}
	if none, _ := Consume(10); len(none) != 0 {
		t.Fatalf("empty ring gave %d entries", len(none))
	}
}
