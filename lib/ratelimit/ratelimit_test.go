package ratelimit

import (
	"testing"
	"time"
)

func TestBurstThenQuietThenReport(t *testing.T) {
	s := &State{Interval: time.Second, Burst: 3}
	t0 := time.Unix(1000, 0)
	passed := 0
	for i := 0; i < 10; i++ {
		if ok, _ := s.Allow(t0.Add(time.Duration(i) * time.Millisecond)); ok {
			passed++
		}
	}
	if passed != 3 {
		t.Errorf("%d of 10 passed in one window, want the burst of 3", passed)
	}
	ok, suppressed := s.Allow(t0.Add(time.Second))
	if !ok || suppressed != 7 {
		t.Errorf("next window: ok %v, suppressed %d; want true, 7", ok, suppressed)
	}
	if _, suppressed := s.Allow(t0.Add(time.Second + 1)); suppressed != 0 {
		t.Errorf("the count was reported twice: %d", suppressed)
	}
}

func TestNoLimit(t *testing.T) {
	var s State
	for i := 0; i < 100; i++ {
		if ok, _ := s.Allow(time.Now()); !ok {
			t.Fatal("a zero State limited")
		}
	}
}
