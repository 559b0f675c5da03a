package main

// The SVG's time axis squashes long quiet stretches (a sleep, where only
// the idle task runs) so that the bursts of forks and switches around them
// stay readable; each squashed stretch is drawn as a break with its real
// length. The JSON keeps real time: Perfetto zooms.

// gap is a stretch with no events, [From, To), drawn Kept ns wide.
type gap struct{ From, To, Kept int64 }

// findGaps returns the stretches between consecutive event times longer
// than a twentieth of the trace, each to be drawn a two-hundredth wide.
func findGaps(times []int64, start, end int64) []gap {
	span := end - start
	if span <= 0 {
		return nil
	}
	threshold, kept := span/20, max(span/200, 1)
	var gaps []gap
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; d > threshold {
			gaps = append(gaps, gap{times[i-1], times[i], kept})
		}
	}
	return gaps
}

// squash maps a time to the squashed axis, in ns from Start.
func (tl *Timeline) squash(ts int64) int64 {
	c := ts - tl.Start
	for _, g := range tl.gaps {
		switch {
		case ts >= g.To:
			c -= g.To - g.From - g.Kept
		case ts > g.From:
			return g.From - tl.Start - tl.cut(g.From) + (ts-g.From)*g.Kept/(g.To-g.From)
		}
	}
	return c
}

// cut is how much the gaps before ts remove.
func (tl *Timeline) cut(ts int64) int64 {
	var n int64
	for _, g := range tl.gaps {
		if g.To <= ts {
			n += g.To - g.From - g.Kept
		}
	}
	return n
}

// unsquash maps a point of the squashed axis back to a time.
func (tl *Timeline) unsquash(c int64) int64 {
	ts := tl.Start + c
	for _, g := range tl.gaps {
		gs := tl.squash(g.From)
		switch {
		case c >= gs+g.Kept:
			ts += g.To - g.From - g.Kept
		case c > gs:
			return g.From + (c-gs)*(g.To-g.From)/g.Kept
		}
	}
	return ts
}
