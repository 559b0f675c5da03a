package proc

import (
	"testing"
	"time"
)

func TestCPUTimerCharge(t *testing.T) {
	c := CPUTimer{Value: 10 * time.Millisecond, Interval: 4 * time.Millisecond}
	fired := 0
	for i := 0; i < 10; i++ { // 40 ms of 4 ms ticks: at 12, 16, 20, ..., 40
		if c.charge(4 * time.Millisecond) {
			fired++
		}
	}
	if fired != 8 {
		t.Errorf("fired %d times in 40 ms (10 ms, then every 4 ms), want 8", fired)
	}
	one := CPUTimer{Value: 5 * time.Millisecond}
	if one.charge(4*time.Millisecond) || !one.charge(4*time.Millisecond) || one.Value != 0 || one.charge(4*time.Millisecond) {
		t.Errorf("a one-shot timer: %+v", one)
	}
	var off CPUTimer
	if off.charge(time.Second) {
		t.Error("a disarmed timer fired")
	}
}
