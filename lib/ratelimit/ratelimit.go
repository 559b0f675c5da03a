// Package ratelimit bounds how often something happens in a time window,
// for kernel log lines that user space can provoke at will (a fault per
// instruction, a bad system call in a loop). Mirrors lib/ratelimit.c and
// printk_ratelimited(): a burst of messages per interval, then silence,
// then a "N callbacks suppressed" count when the next window opens.
package ratelimit

import (
	"sync"
	"time"
)

// State is one rate limit (struct ratelimit_state). mu protects the
// window; a zero Interval or Burst means no limit.
type State struct {
	Interval time.Duration
	Burst    int

	mu         sync.Mutex
	begin      time.Time
	printed    int
	suppressed int
}

// Default is printk's limit: 10 messages per 5 seconds
// (DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST).
func Default() *State { return &State{Interval: 5 * time.Second, Burst: 10} }

// Allow reports whether one more event may pass at now, and how many were
// suppressed in the window that just ended (to be reported once).
// Mirrors ___ratelimit().
func (s *State) Allow(now time.Time) (ok bool, suppressed int) {
	if s.Interval == 0 || s.Burst == 0 {
		return true, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.begin.IsZero() || now.Sub(s.begin) >= s.Interval {
		suppressed, s.suppressed = s.suppressed, 0
		s.begin, s.printed = now, 0
	}
	if s.printed < s.Burst {
		s.printed++
		return true, suppressed
	}
	s.suppressed++
	return false, suppressed
}
