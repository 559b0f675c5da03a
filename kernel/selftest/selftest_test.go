package selftest

import (
	"fmt"
	"strings"
	"testing"

	"tamix/kernel/ktap"
)

// TestRuntimeSuite runs the in-guest suite on the host through ktap.Run,
// as the kernel does, and checks that every case passed.
func TestRuntimeSuite(t *testing.T) {
	var out strings.Builder
	passed := ktap.Run(&out, []string{SuiteName})
	t.Log("\n" + out.String())
	if !passed {
		t.Fatal("suite runtime failed")
	}
	for i, name := range []string{"goroutines_and_channels", "timers", "maps_and_fmt", "panic_recover", "gc_pressure"} {
		if line := fmt.Sprintf("\n    ok %d %s\n", i+1, name); !strings.Contains(out.String(), line) {
			t.Errorf("missing result line %q", strings.TrimSpace(line))
		}
	}
	if !strings.HasSuffix(out.String(), "\nok 1 runtime\n# tamix: ktap totals: pass=5 fail=0 skip=0\ntamix: ktap done\n") {
		t.Error("unexpected end of output")
	}
}

// TestStamp checks the helper the GC case relies on to detect corruption.
func TestStamp(t *testing.T) {
	b := make([]byte, 64<<10)
	stamp(b, 3)
	if !stamped(b, 3) || stamped(b, 4) {
		t.Fatal("stamp not recognised")
	}
	b[len(b)/2] ^= 1
	if stamped(b, 3) {
		t.Error("corruption in the middle not detected")
	}
}
