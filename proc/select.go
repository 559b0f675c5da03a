package proc

import (
	"sync"
	"time"

	"tamix/abi"
	"tamix/sched"
)

// poll(2) and select(2) (fs/select.c): each call polls every descriptor
// once, registering a callback on each file's wait queues (poll_wqueues),
// and sleeps until a callback fires, the timeout passes or a signal
// comes; then it polls again, without registering.

// Poll bits only poll(2) reports.
const (
	POLLNVAL   = 0x020
	POLLRDBAND = 0x080
	POLLWRBAND = 0x200
)

// The masks select's three sets stand for (POLLIN_SET, POLLOUT_SET,
// POLLEX_SET in fs/select.c).
const (
	pollInSet  = EPOLLRDNORM | POLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR
	pollOutSet = POLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR
	pollExSet  = EPOLLPRI
)

// pollWqueues is one poll or select call's table (struct poll_wqueues):
// the callbacks it hung on files' wait queues, and the flag they set.
// mu protects triggered; removes is the calling task's own.
type pollWqueues struct {
	pt        PollTable
	mu        sync.Mutex
	triggered bool
	removes   []func()
	wait      sched.WaitQueue // where the caller sleeps
}

func newPollWqueues() *pollWqueues {
	pw := &pollWqueues{}
	pw.pt.Queue = func(q *sched.WaitQueue) { pw.removes = append(pw.removes, q.AddCallback(pw.wake)) }
	return pw
}

// wake is every registered entry's wake function (pollwake): note it
// and wake the caller.
func (pw *pollWqueues) wake() {
	pw.mu.Lock()
	pw.triggered = true
	pw.mu.Unlock()
	pw.wait.WakeUp()
}

// free takes the callbacks off the files' queues (poll_freewait).
func (pw *pollWqueues) free() {
	for _, r := range pw.removes {
		r()
	}
	pw.removes = nil
}

// sleep waits until a callback fired, the deadline passed (zero: no
// deadline) or a signal is pending; false if the deadline passed
// (poll_schedule_timeout).
func (pw *pollWqueues) sleep(deadline time.Time) bool {
	timeout := time.Duration(-1)
	if !deadline.IsZero() {
		if timeout = time.Until(deadline); timeout <= 0 {
			return false
		}
	}
	return pw.wait.Wait(func() bool {
		pw.mu.Lock()
		defer pw.mu.Unlock()
		ok := pw.triggered
		pw.triggered = false
		return ok
	}, true, SignalPending, timeout) || SignalPending()
}

// PollFd is struct pollfd.
type PollFd struct {
	Fd             int32
	Events, Revent int16
}

// pollOne polls one descriptor: 0 for a negative fd, POLLNVAL for one
// that is not open, else the file's state limited to the requested
// events plus POLLERR and POLLHUP. Mirrors do_pollfd().
func (t *Task) pollOne(pfd *PollFd, pt *PollTable) uint32 {
	if pfd.Fd < 0 {
		return 0
	}
	f, err := t.Files.Get(int(pfd.Fd))
	if err != nil {
		return POLLNVAL
	}
	m, _ := PollFile(t, f, pt)
	return m & (uint32(uint16(pfd.Events)) | EPOLLERR | EPOLLHUP)
}

// DoPoll is poll's core: it sets every entry's Revent and returns how
// many are non-zero, waiting up to timeout (< 0: forever) for the first;
// EINTR if a signal came first (the caller picks the restart). Mirrors
// fs/select.c:do_poll().
func (t *Task) DoPoll(fds []PollFd, timeout time.Duration) (int, error) {
	pw := newPollWqueues()
	defer pw.free()
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	pt := &pw.pt
	for {
		count := 0
		for i := range fds {
			m := t.pollOne(&fds[i], pt)
			fds[i].Revent = int16(m)
			if m != 0 {
				count++
				pt = nil // one is ready: no need to hear about the rest
			}
		}
		pt = nil
		if count > 0 || timeout == 0 {
			return count, nil
		}
		if SignalPending() {
			return 0, abi.EINTR
		}
		if !pw.sleep(deadline) {
			timeout = 0 // one last pass, then report what holds
		}
	}
}

// FdSets are select's three descriptor sets, one bit per descriptor.
type FdSets struct{ In, Out, Ex []uint64 }

func bit(set []uint64, fd int) bool { return set != nil && set[fd/64]&(1<<(fd%64)) != 0 }

// DoSelect is select's core: in, out and ex are replaced by the
// descriptors found ready; it returns how many bits are set, waiting up
// to timeout (< 0: forever); EBADF if a set names a descriptor that is
// not open, EINTR if a signal came first. Mirrors fs/select.c:do_select().
func (t *Task) DoSelect(n int, in FdSets, timeout time.Duration) (FdSets, int, error) {
	words := (n + 63) / 64
	res := FdSets{make([]uint64, words), make([]uint64, words), make([]uint64, words)}
	pw := newPollWqueues()
	defer pw.free()
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	pt := &pw.pt
	for {
		count := 0
		for fd := 0; fd < n; fd++ {
			i, o, e := bit(in.In, fd), bit(in.Out, fd), bit(in.Ex, fd)
			if !i && !o && !e {
				continue
			}
			f, err := t.Files.Get(fd)
			if err != nil {
				return res, 0, abi.EBADF
			}
			m, _ := PollFile(t, f, pt)
			w, b := fd/64, uint64(1)<<(fd%64)
			for _, s := range []struct {
				want bool
				mask uint32
				out  []uint64
			}{{i, pollInSet, res.In}, {o, pollOutSet, res.Out}, {e, pollExSet, res.Ex}} {
				if s.want && m&s.mask != 0 && s.out[w]&b == 0 {
					s.out[w] |= b
					count++
					pt = nil
				}
			}
		}
		pt = nil
		if count > 0 || timeout == 0 {
			return res, count, nil
		}
		if SignalPending() {
			return res, 0, abi.EINTR
		}
		if !pw.sleep(deadline) {
			timeout = 0
		}
	}
}
