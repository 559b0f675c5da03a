package proc

import (
	"testing"

	"tamix/abi"
)

// Host tests of the pure rules of signals.go: pending sets and their
// queues (kernel/signal.c's legacy_queue, next_signal, collect_signal,
// flush_sigqueue_mask), and the alternate stack's checks.

const rt = abi.SIGRTMIN + 8 // a real-time signal (40)

// info returns a siginfo for sig that says which one it is through si_pid.
func info(sig, n int) *Siginfo { return NewKillInfo(sig, abi.SI_QUEUE, n) }

func TestSigPendingCoalesces(t *testing.T) {
	var p SigPending
	if !p.addPending(abi.SIGUSR1, info(abi.SIGUSR1, 1)) {
		t.Fatal("first SIGUSR1 not added")
	}
	if p.addPending(abi.SIGUSR1, info(abi.SIGUSR1, 2)) {
		t.Error("a second SIGUSR1 was queued: standard signals coalesce")
	}
	if len(p.List) != 1 || p.Signal != SigMask(abi.SIGUSR1) {
		t.Errorf("after two SIGUSR1: set %#x, %d queued", p.Signal, len(p.List))
	}
	if got := p.dequeue(abi.SIGUSR1); got.Pid() != 1 {
		t.Errorf("dequeued the siginfo of sender %d, want the first (1)", got.Pid())
	}
	if p.Signal != 0 || len(p.List) != 0 {
		t.Errorf("after dequeue: set %#x, %d queued", p.Signal, len(p.List))
	}
}

func TestSigPendingQueuesRT(t *testing.T) {
	var p SigPending
	for n := 1; n <= 3; n++ {
		if !p.addPending(rt, info(rt, n)) {
			t.Fatalf("real-time instance %d not queued", n)
		}
	}
	p.addPending(abi.SIGUSR2, info(abi.SIGUSR2, 9))
	for n := 1; n <= 3; n++ {
		if !p.Signal.Has(rt) {
			t.Fatalf("bit cleared with %d instances left", 4-n)
		}
		if got := p.dequeue(rt); got.Pid() != n || got.Signo() != rt {
			t.Errorf("instance %d: dequeued signal %d from %d (FIFO order)", n, got.Signo(), got.Pid())
		}
	}
	if p.Signal != SigMask(abi.SIGUSR2) || len(p.List) != 1 {
		t.Errorf("after the last instance: set %#x, %d queued (SIGUSR2 must stay)", p.Signal, len(p.List))
	}
}

func TestSigPendingOverflow(t *testing.T) {
	// Sent when the queue was full (info nil): the bit is set, and the
	// dequeued siginfo is zero but for si_signo (collect_signal's
	// "out of queue space" case).
	var p SigPending
	p.addPending(rt, nil)
	got := p.dequeue(rt)
	if got.Signo() != rt || got.Code() != 0 || got.Pid() != 0 {
		t.Errorf("siginfo of an unqueued signal: signo %d code %d pid %d", got.Signo(), got.Code(), got.Pid())
	}
	if p.Signal != 0 {
		t.Errorf("bit still set: %#x", p.Signal)
	}
}

func TestNextSignalOrder(t *testing.T) {
	var p SigPending
	for _, sig := range []int{rt, abi.SIGHUP, abi.SIGUSR1, SIGSEGV, abi.SIGILL, abi.SIGRTMIN} {
		p.addPending(sig, info(sig, 0))
	}
	for _, tc := range []struct {
		blocked Sigset
		want    int
		why     string
	}{
		{0, abi.SIGILL, "synchronous signals first, the lowest of them"},
		{SigMask(abi.SIGILL), SIGSEGV, "the other synchronous one"},
		{SigMask(abi.SIGILL) | SigMask(SIGSEGV), abi.SIGHUP, "then the lowest number"},
		{^SigMask(abi.SIGUSR1), abi.SIGUSR1, "only SIGUSR1 unblocked"},
		{^(SigMask(rt) | SigMask(abi.SIGRTMIN)), abi.SIGRTMIN, "the lowest real-time signal"},
		{^Sigset(0), 0, "everything blocked"},
	} {
		if got := p.nextSignal(tc.blocked); got != tc.want {
			t.Errorf("blocked %#x: next %d, want %d (%s)", tc.blocked, got, tc.want, tc.why)
		}
	}
	var empty SigPending
	if got := empty.nextSignal(0); got != 0 {
		t.Errorf("empty set: next %d", got)
	}
	// Real-time signals 33 ... 64 use the top bits of the word.
	var hi SigPending
	hi.addPending(abi.SIGRTMAX, nil)
	if got := hi.nextSignal(0); got != abi.SIGRTMAX {
		t.Errorf("SIGRTMAX pending: next %d", got)
	}
}

func TestSigPendingFlush(t *testing.T) {
	var p SigPending
	p.addPending(abi.SIGUSR1, info(abi.SIGUSR1, 1))
	p.addPending(rt, info(rt, 2))
	p.addPending(rt, info(rt, 3))
	p.addPending(abi.SIGTERM, info(abi.SIGTERM, 4))
	if n := p.flush(SigMask(abi.SIGCHLD)); n != 0 || len(p.List) != 4 {
		t.Errorf("flushing what is not pending removed %d entries", n)
	}
	if n := p.flush(SigMask(rt) | SigMask(abi.SIGUSR1)); n != 3 {
		t.Errorf("flush removed %d entries, want 3", n)
	}
	if p.Signal != SigMask(abi.SIGTERM) || len(p.List) != 1 || p.List[0].Pid() != 4 {
		t.Errorf("after flush: set %#x, list %d (want SIGTERM alone)", p.Signal, len(p.List))
	}
	if tail := p.List[:cap(p.List)][1:]; len(tail) > 0 {
		for i, q := range tail {
			if q != nil {
				t.Errorf("flushed entry %d still referenced by the backing array", i)
			}
		}
	}
}

func TestSignalSets(t *testing.T) {
	if SigMask(1) != 1 || SigMask(64) != 1<<63 {
		t.Errorf("SigMask: bit sig-1")
	}
	for sig := 1; sig <= abi.SIGRTMAX; sig++ {
		term := defaultTerminates(sig)
		stopOrIgnore := sigKernelStop.Has(sig) || sigKernelIgnore.Has(sig)
		if term == stopOrIgnore {
			t.Errorf("signal %d: terminates %v, stops or is ignored %v", sig, term, stopOrIgnore)
		}
	}
	for _, sig := range []int{abi.SIGCHLD, abi.SIGCONT, abi.SIGURG, abi.SIGWINCH} {
		if defaultTerminates(sig) {
			t.Errorf("%s's default action is to ignore it", abi.SignalName(sig))
		}
	}
	if !ValidSignal(64) || ValidSignal(0) || ValidSignal(65) {
		t.Error("ValidSignal: 1 to 64")
	}
}

func TestSigaltStackSet(t *testing.T) {
	var s SigaltStack
	if s.SavedFlags() != abi.SS_DISABLE || s.StackFlags(0x1000) != abi.SS_DISABLE {
		t.Error("zero value is not disabled")
	}
	if err := s.Set(0x600000, abi.MINSIGSTKSZ-1, 0, 0x7fff0000); err != abi.ENOMEM {
		t.Errorf("stack below MINSIGSTKSZ: %v, want ENOMEM", err)
	}
	if err := s.Set(0x600000, 0x2000, 7, 0x7fff0000); err != abi.EINVAL {
		t.Errorf("unknown flags: %v, want EINVAL", err)
	}
	if err := s.Set(0x600000, 0x2000, 0, 0x7fff0000); err != nil {
		t.Fatal(err)
	}
	if !s.OnStack(0x601000) || s.OnStack(0x600000) || !s.OnStack(0x602000) || s.OnStack(0x602001) {
		t.Error("OnStack: (ss_sp, ss_sp+ss_size]")
	}
	if s.StackFlags(0x601000) != abi.SS_ONSTACK || s.StackFlags(0x7fff0000) != 0 {
		t.Error("StackFlags")
	}
	if err := s.Set(0, 0, abi.SS_DISABLE, 0x601000); err != abi.EPERM {
		t.Errorf("changing the stack while on it: %v, want EPERM", err)
	}
	if err := s.Set(0, 0, abi.SS_DISABLE, 0x7fff0000); err != nil || s != (SigaltStack{}) {
		t.Errorf("SS_DISABLE: %v, %+v", err, s)
	}
}
