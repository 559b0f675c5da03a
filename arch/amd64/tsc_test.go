package amd64

import "testing"

// TestCyclesToNs: within one part in a billion (the 32.32 scale's rounding).
func TestCyclesToNs(t *testing.T) {
	defer func(m uint64) { cyc2nsMul = m }(cyc2nsMul)
	for _, c := range []struct {
		hz, cycles uint64
		ns         int64
	}{
		{1e9, 12345, 12345},
		{2e9, 3e9, 15e8},
		{2_345_678_000, 2_345_678_000 * 3600, 3600e9}, // an hour
		{3e9, 1 << 62, 1537228672809129301},           // no overflow past 2^64 products
	} {
		SetTSCFreq(c.hz)
		got := CyclesToNs(c.cycles)
		if d := got - c.ns; d < -1-c.ns/1e9 || d > 1+c.ns/1e9 {
			t.Errorf("%d cycles at %d Hz = %d ns, want %d", c.cycles, c.hz, got, c.ns)
		}
	}
}
