package proc

import (
	"encoding/binary"
	"sync"
	"time"

	"tamix/abi"
	"tamix/sched"
)

// epoll (fs/eventpoll.c): an interest list of (descriptor, open file)
// items, each hooked on its file's wait queues; a wake-up there marks the
// item ready and wakes the epoll's waiters, who then ask each ready item's
// file for its state.

// epoll_ctl operations and epoll_create1's flag.
const (
	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3
	EPOLL_CLOEXEC = 0o2000000
)

// EpollEventSize is sizeof(struct epoll_event) on x86-64, where it is
// packed: events (4 bytes) then data (8 bytes).
const EpollEventSize = 12

// epitemKey names an item: Linux keys by file and descriptor number.
type epitemKey struct {
	file *OpenFile
	fd   int
}

// epitem is one watched descriptor (struct epitem). Its fields are
// protected by the eventpoll's mu.
type epitem struct {
	ep      *eventpoll
	key     epitemKey
	events  uint32 // requested EPOLL* bits and input flags
	data    uint64
	ready   bool // woken since last reported (the ready list)
	removes []func()
}

// eventpoll is an epoll instance (struct eventpoll). mu protects items and
// every item's fields; wait is where epoll_wait sleeps.
type eventpoll struct {
	mu    sync.Mutex
	items map[epitemKey]*epitem
	wait  sched.WaitQueue
}

// NewEpoll returns an open epoll instance (epoll_create1).
func NewEpoll() *OpenFile {
	return NewOpenFile(&eventpoll{items: map[epitemKey]*epitem{}}, 2)
}

// IsEpoll reports whether f is an epoll instance.
func IsEpoll(f *OpenFile) bool { return EpollOf(f) != nil }

func (ep *eventpoll) Read(t *Task, b []byte) (int, error)  { return 0, abi.EINVAL }
func (ep *eventpoll) Write(t *Task, b []byte) (int, error) { return 0, abi.EINVAL }

// Release drops every item's hooks when the epoll itself is closed.
func (ep *eventpoll) Release() {
	ep.mu.Lock()
	items := ep.items
	ep.items = map[epitemKey]*epitem{}
	ep.mu.Unlock()
	for _, it := range items {
		it.unhook()
	}
}

// Poll: an epoll is readable when one of its items is ready (so that
// epolls nest).
func (ep *eventpoll) Poll(t *Task, pt *PollTable) uint32 {
	pt.Wait(&ep.wait)
	if len(ep.collect(t, 1, false)) > 0 {
		return EPOLLIN | EPOLLRDNORM
	}
	return 0
}

// wake is the item's wake function (ep_poll_callback): mark it ready and
// wake the epoll's waiters.
func (it *epitem) wake() {
	it.ep.mu.Lock()
	it.ready = true
	it.ep.mu.Unlock()
	it.ep.wait.WakeUp()
}

// unhook takes the item off its file's wait queues and release hooks.
func (it *epitem) unhook() {
	for _, r := range it.removes {
		r()
	}
	it.removes = nil
	it.key.file.RemoveReleaseHook(it)
}

// Ctl adds, changes or removes the item for (fd, f). Errors as Linux's:
// EPERM for a file that cannot be polled, EINVAL for the epoll itself,
// EEXIST for a second ADD, ENOENT for MOD or DEL of nothing. Mirrors
// fs/eventpoll.c:do_epoll_ctl().
func (ep *eventpoll) Ctl(t *Task, op, fd int, f *OpenFile, events uint32, data uint64) error {
	poller, ok := pollerOf(f)
	if !ok {
		return abi.EPERM
	}
	if EpollOf(f) == ep {
		return abi.EINVAL
	}
	k := epitemKey{f, fd}
	ep.mu.Lock()
	it := ep.items[k]
	switch {
	case op == EPOLL_CTL_ADD && it != nil:
		ep.mu.Unlock()
		return abi.EEXIST
	case op != EPOLL_CTL_ADD && it == nil:
		ep.mu.Unlock()
		return abi.ENOENT
	case op == EPOLL_CTL_DEL:
		delete(ep.items, k)
		ep.mu.Unlock()
		it.unhook()
		return nil
	case op == EPOLL_CTL_MOD:
		it.events, it.data, it.ready = events|EPOLLERR|EPOLLHUP, data, true
		ep.mu.Unlock()
		ep.wait.WakeUp()
		return nil
	}
	it = &epitem{ep: ep, key: k, events: events | EPOLLERR | EPOLLHUP, data: data, ready: true}
	ep.items[k] = it
	ep.mu.Unlock()
	poller.Poll(t, &PollTable{Queue: func(q *sched.WaitQueue) { it.removes = append(it.removes, q.AddCallback(it.wake)) }})
	f.AddReleaseHook(it, func() { ep.remove(it) })
	ep.wait.WakeUp()
	return nil
}

// remove drops an item whose file is being closed for good.
func (ep *eventpoll) remove(it *epitem) {
	ep.mu.Lock()
	delete(ep.items, it.key)
	ep.mu.Unlock()
	for _, r := range it.removes {
		r()
	}
	it.removes = nil
}

// EpollEvent is one reported event.
type EpollEvent struct {
	Events uint32
	Data   uint64
}

// collect asks the ready items for their state and returns up to max
// events: a level-triggered item stays ready while its file is;
// an edge-triggered one (EPOLLET) is reported once per wake-up; a
// one-shot one (EPOLLONESHOT) is disabled after its report. With consume
// false nothing changes (a peek). Mirrors fs/eventpoll.c:ep_send_events().
func (ep *eventpoll) collect(t *Task, max int, consume bool) []EpollEvent {
	ep.mu.Lock()
	var ready []*epitem
	for _, it := range ep.items {
		if it.ready && it.events&^(EPOLLET|EPOLLONESHOT|EPOLLWAKEUP|EPOLLEXCLUSIVE) != 0 {
			ready = append(ready, it)
		}
	}
	ep.mu.Unlock()
	var out []EpollEvent
	for _, it := range ready {
		if len(out) >= max {
			break
		}
		m, _ := PollFile(t, it.key.file, nil)
		ep.mu.Lock()
		m &= it.events
		if consume {
			if m == 0 || it.events&EPOLLET != 0 {
				it.ready = false
			}
			if m != 0 && it.events&EPOLLONESHOT != 0 {
				it.events &= EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE
			}
		}
		ep.mu.Unlock()
		if m != 0 {
			out = append(out, EpollEvent{m, it.data})
		}
	}
	return out
}

// Wait returns up to max ready events, sleeping up to timeout (< 0:
// forever, 0: not at all) for the first; EINTR if a signal comes first
// (epoll_wait is never restarted). Mirrors fs/eventpoll.c:ep_poll().
func (ep *eventpoll) Wait(t *Task, max int, timeout time.Duration) ([]EpollEvent, error) {
	var evs []EpollEvent
	ok := ep.wait.Wait(func() bool {
		evs = ep.collect(t, max, true)
		return len(evs) > 0
	}, true, SignalPending, timeout)
	if ok || timeout == 0 || !SignalPending() {
		return evs, nil
	}
	return nil, abi.EINTR
}

// EpollOf returns the epoll instance of an open file, or nil.
func EpollOf(f *OpenFile) *eventpoll { ep, _ := procFile(f).(*eventpoll); return ep }

// MarshalEpollEvents writes events in struct epoll_event's packed layout.
func MarshalEpollEvents(evs []EpollEvent) []byte {
	b := make([]byte, EpollEventSize*len(evs))
	for i, e := range evs {
		binary.LittleEndian.PutUint32(b[12*i:], e.Events)
		binary.LittleEndian.PutUint64(b[12*i+4:], e.Data)
	}
	return b
}
