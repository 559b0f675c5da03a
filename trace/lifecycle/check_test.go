package lifecycle

import (
	"fmt"
	"strings"
	"testing"

	"tamix/trace/ftrace"
)

// ev is one event of a hand-written stream: the current task and the
// event with its fields.
type ev struct {
	pid  int
	name string
	f    string
}

// stream renders events as ftrace text lines and parses them.
func stream(t *testing.T, evs []ev) *ftrace.Trace {
	t.Helper()
	var b strings.Builder
	for i, e := range evs {
		fmt.Fprintf(&b, "%16s-%-7d [000] d..2. %5d.%06d: %s: %s\n", "t", e.pid, 0, i, e.name, e.f)
	}
	tr, err := ftrace.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func sw(prev int, state string, next int) ev {
	return ev{prev, "sched_switch", fmt.Sprintf("prev_comm=t prev_pid=%d prev_prio=120 prev_state=%s ==> next_comm=t next_pid=%d next_prio=120", prev, state, next)}
}
func fork(p, c int) ev {
	return ev{p, "sched_process_fork", fmt.Sprintf("comm=t pid=%d child_comm=t child_pid=%d", p, c)}
}
func exit(p int) ev { return ev{p, "sched_process_exit", fmt.Sprintf("comm=t pid=%d prio=120", p)} }
func free(by, p int) ev {
	return ev{by, "sched_process_free", fmt.Sprintf("comm=t pid=%d prio=120", p)}
}
func sfree(by, p int) ev { return ev{by, "tamix_stack_free", fmt.Sprintf("comm=t pid=%d", p)} }
func wake(by, p int) ev {
	return ev{by, "sched_wakeup", fmt.Sprintf("comm=t pid=%d prio=120 target_cpu=000", p)}
}
func wakeNew(by, p int) ev {
	return ev{by, "sched_wakeup_new", fmt.Sprintf("comm=t pid=%d prio=120 target_cpu=000", p)}
}

// good is a correct life: 1 forks 5, 5 runs, 1 waits, 5 exits, 1 frees
// its stack and reaps it.
func good() []ev {
	return []ev{
		sw(0, "R", 1),
		fork(1, 5), wakeNew(1, 5),
		sw(1, "S", 5),
		exit(5), wake(5, 1),
		sw(5, "Z", 1),
		sfree(1, 5), free(1, 5),
	}
}

func TestGoodStream(t *testing.T) {
	if v := Check(stream(t, good()), Options{Complete: true}); len(v) != 0 {
		t.Fatalf("violations in a correct stream: %v", v)
	}
}

// TestBrokenStreams: each mutation of the good stream breaks one rule,
// and the checker must name it.
func TestBrokenStreams(t *testing.T) {
	g := good()
	cases := []struct {
		name string
		evs  []ev
		rule string
	}{
		{"second exit", insert(g, 7, exit(5)), RuleExit},
		{"second free", append(clone(g), free(1, 5)), RuleFree},
		{"free before exit", []ev{sw(0, "R", 1), fork(1, 5), free(1, 5)}, RuleFree},
		{"never freed", g[:8], RuleFree},
		{"stack freed twice", insert(g, 8, sfree(1, 5)), RuleStack},
		{"stack freed by itself", replace(g, 7, sfree(5, 5)), RuleStack},
		{"stack freed before last switch", []ev{sw(0, "R", 1), fork(1, 5), sw(1, "S", 5), exit(5), sfree(1, 5)}, RuleStack},
		{"switch to a freed stack", append(clone(g[:8]), sw(1, "S", 5)), RuleStack},
		{"event after free", append(clone(g), wake(1, 5)), RuleAfter},
		{"broken chain", insert(g, 3, sw(2, "S", 1)), RuleChain},
		{"wakeup of a running task", insert(g, 4, wake(5, 5)), RuleWakeup},
		{"wakeup of a runnable task", []ev{sw(0, "R", 1), fork(1, 5), wakeNew(1, 5), sw(1, "R+", 5), wake(5, 1)}, RuleWakeup},
		{"pid reused by a zombie", insert(g, 7, fork(1, 5)), RulePID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Check(stream(t, tc.evs), Options{Complete: true})
			for _, x := range v {
				if x.Rule == tc.rule {
					return
				}
			}
			t.Fatalf("want a %s violation, got %v", tc.rule, v)
		})
	}
}

func TestLostEvents(t *testing.T) {
	tr := stream(t, good())
	tr.Written = tr.InBuffer + 3
	v := Check(tr, Options{})
	if len(v) != 1 || v[0].Rule != RuleLost {
		t.Fatalf("got %v", v)
	}
}

func TestPIDReuseAfterFree(t *testing.T) {
	evs := append(good(), fork(1, 5), wakeNew(1, 5), sw(1, "S", 5))
	if v := Check(stream(t, evs), Options{}); len(v) != 0 {
		t.Fatalf("a PID may be reused once freed: %v", v)
	}
}

func clone(e []ev) []ev { return append([]ev(nil), e...) }

func insert(e []ev, i int, x ev) []ev {
	out := clone(e[:i])
	out = append(out, x)
	return append(out, e[i:]...)
}

func replace(e []ev, i int, x ev) []ev {
	out := clone(e)
	out[i] = x
	return out
}
