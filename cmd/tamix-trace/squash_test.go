package main

import "testing"

func TestSquash(t *testing.T) {
	tl := &Timeline{Start: 0, End: 1000}
	tl.gaps = findGaps([]int64{0, 10, 20, 900, 1000}, 0, 1000)
	if len(tl.gaps) != 2 || tl.gaps[0] != (gap{20, 900, 5}) {
		t.Fatalf("gaps %v", tl.gaps)
	}
	// 0..20 as is, 20..900 in 5, 900..1000 in 5.
	for _, c := range []struct{ ts, want int64 }{{0, 0}, {20, 20}, {460, 22}, {900, 25}, {1000, 30}} {
		if got := tl.squash(c.ts); got != c.want {
			t.Errorf("squash(%d) = %d, want %d", c.ts, got, c.want)
		}
	}
	for _, ts := range []int64{0, 10, 20, 900, 1000} {
		if got := tl.unsquash(tl.squash(ts)); got != ts {
			t.Errorf("unsquash(squash(%d)) = %d", ts, got)
		}
	}
}
