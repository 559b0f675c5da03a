package trace

import "testing"

func TestControl(t *testing.T) {
	defer func() { SetEvents("", false); SetTracingOn(true); AllocBuffer(0) }()
	AllocBuffer(0)
	if bad := SetEvents("sched:sched_switch", false); len(bad) != 0 {
		t.Fatal(bad)
	}
	if bufferLen() == 0 {
		t.Error("selecting an event did not allocate the buffer")
	}
	SetEvents("task:*", true)
	if got := SelectedText(); got != "task:task_newtask\ntask:task_rename\nsched:sched_switch\n" {
		t.Errorf("selection %q", got)
	}
	SetTracingOn(false)
	if On(SchedSwitch) || TracingOn() {
		t.Error("tracing_on 0 left events on")
	}
	SetEvents("sched:sched_wakeup", false) // changes the selection, not the switch
	if On(SchedWakeup) {
		t.Error("selection turned recording on")
	}
	SetTracingOn(true)
	if !On(SchedWakeup) || On(SchedSwitch) {
		t.Errorf("mask %#x after tracing_on 1", Enabled())
	}
}
