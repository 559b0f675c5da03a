package tests

import (
	"strings"
	"testing"
)

// TestLatency boots with 2 GiB of RAM and runs the in-guest suite
// "latency" (kernel/schedtest/latency.go): a periodic task's wake-up delay
// while another process populates, touches and frees, unmaps,
// write-protects and forks 1 GiB. qemu.sh's default 512 MiB leaves room
// for only about 170 MiB, which the same suite uses under tamix.test=all.
func TestLatency(t *testing.T) {
	r := bootKernelOpts(t, testTimeout(t, inGuestTimeout), []string{"--mem", "2G"}, "tamix.test=latency")
	checkKTAP(t, r)
	r.checkStatus(t, exitOK)
	n := 0
	for _, l := range r.serial() {
		if strings.Contains(l, "sleeper: worst wake-up delay") {
			t.Log(strings.TrimSpace(l))
			if !strings.Contains(l, " 1024 MiB;") {
				t.Errorf("not 1 GiB: %s", l)
			}
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d latency figures, want 5", n)
	}
}
