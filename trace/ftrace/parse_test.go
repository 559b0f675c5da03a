package ftrace

import (
	"strings"
	"testing"
)

const sample = `# tracer: nop
#
# entries-in-buffer/entries-written: 3/4   #P:1
#
          <idle>-0       [000] d..2.     0.058400: sched_switch: prev_comm=swapper prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=kthreadd next_pid=2 next_prio=120
     my-comm-x-12        [001] dN...  1234.000001: sys_enter: NR 1 (1, 2, 3, 4, 5, 6)
            demo-1       [000] d....     0.096258: sys_exit: NR 61 = -10
`

func TestParse(t *testing.T) {
	tr, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Records) != 3 || tr.Lost() != 1 {
		t.Fatalf("%d records, lost %d", len(tr.Records), tr.Lost())
	}
	r := tr.Records[0]
	if r.Comm != "<idle>" || r.PID != 0 || r.Flags != "d..2." || r.TS != 58_400_000 ||
		r.Event != "sched_switch" || r.Fields["next_comm"] != "kthreadd" || r.Int("next_pid") != 2 ||
		r.Fields["prev_state"] != "R" {
		t.Errorf("%+v", r)
	}
	r = tr.Records[1]
	if r.Comm != "my-comm-x" || r.PID != 12 || r.CPU != 1 || r.TS != 1234_000_001_000 || r.Fields["NR"] != "1" {
		t.Errorf("%+v", r)
	}
	if r := tr.Records[2]; r.Int("ret") != -10 || r.Int("NR") != 61 {
		t.Errorf("%+v", r)
	}
	if _, err := Parse(strings.NewReader("garbage\n")); err == nil {
		t.Error("garbage parsed")
	}
}
