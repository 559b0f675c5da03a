package trace

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGDBEventNames: scripts/gdb/tamix_trace.py names the events by ID
// and must list them in this package's order.
func TestGDBEventNames(t *testing.T) {
	src, err := os.ReadFile("../scripts/gdb/tamix_trace.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)TRACE_EVENTS = \[(.*?)\]`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no TRACE_EVENTS list in tamix_trace.py")
	}
	var names []string
	for _, q := range regexp.MustCompile(`"([a-z_]+)"`).FindAllSubmatch(m[1], -1) {
		names = append(names, string(q[1]))
	}
	var want []string
	for _, ev := range Events {
		want = append(want, ev.Name)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("tamix_trace.py lists\n%v\nthe kernel has\n%v", names, want)
	}
}
