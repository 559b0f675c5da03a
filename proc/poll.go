package proc

import (
	"tamix/fs"
	"tamix/sched"
)

// Readiness of open files (include/uapi/linux/eventpoll.h, poll.h): what
// epoll, and later poll and select, ask a file.

// Poll event bits (the same values for poll(2) and epoll).
const (
	EPOLLIN     = 0x001
	EPOLLPRI    = 0x002
	EPOLLOUT    = 0x004
	EPOLLERR    = 0x008
	EPOLLHUP    = 0x010
	EPOLLRDNORM = 0x040
	EPOLLWRNORM = 0x100
	EPOLLRDHUP  = 0x2000
	// Input flags of epoll_ctl.
	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31
)

// PollTable is what a file's Poll registers its wait queues with, so that
// the poller hears when the file's state may have changed (poll_table and
// poll_wait()). A nil table only asks for the current state.
type PollTable struct {
	Queue func(q *sched.WaitQueue)
}

// Wait registers q with the table (poll_wait).
func (pt *PollTable) Wait(q *sched.WaitQueue) {
	if pt != nil && pt.Queue != nil {
		pt.Queue(q)
	}
}

// Poller is a File that can report its readiness (file_operations.poll):
// the EPOLL* bits that hold now, after registering its wait queues with
// pt. Files without it (initramfs files) are always ready, and epoll
// refuses them with EPERM, as Linux does for regular files.
type Poller interface {
	Poll(t *Task, pt *PollTable) uint32
}

// pollerOf returns the Poller of an open file: the File inside a pipe
// end, eventfd or epoll, or file operations that can poll (the console).
func pollerOf(f *OpenFile) (Poller, bool) {
	if pf := procFile(f); pf != nil {
		p, ok := pf.(Poller)
		return p, ok
	}
	if p, ok := f.Ops.(Poller); ok {
		return p, true
	}
	if q, ok := f.Ops.(QueuePoller); ok {
		return queuePoller{q}, true
	}
	return nil, false
}

// QueuePoller is the Poller of file operations below proc (a
// terminal), which cannot name Task or PollTable: it registers its
// wait queues through wait and returns the EPOLL* bits that hold.
type QueuePoller interface {
	PollWait(c fs.Caller, wait func(q *sched.WaitQueue)) uint32
}

// queuePoller adapts a QueuePoller to Poller.
type queuePoller struct{ q QueuePoller }

func (a queuePoller) Poll(t *Task, pt *PollTable) uint32 {
	var wait func(q *sched.WaitQueue)
	if pt != nil && pt.Queue != nil {
		wait = pt.Queue
	}
	return a.q.PollWait(t, wait)
}

// PollFile returns f's readiness, and whether f can be polled at all.
func PollFile(t *Task, f *OpenFile, pt *PollTable) (uint32, bool) {
	p, ok := pollerOf(f)
	if !ok {
		return EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM, false
	}
	return p.Poll(t, pt), true
}
