package proc

import (
	"encoding/binary"
	"sync"

	"tamix/abi"
	"tamix/sched"
)

// eventfd flags (include/uapi/linux/eventfd.h).
const (
	EFD_SEMAPHORE = 1
	EFD_NONBLOCK  = 0o4000
	EFD_CLOEXEC   = 0o2000000
)

// eventfdMax is the largest value the counter may hold.
const eventfdMax = ^uint64(0) - 1

// eventFD is an eventfd: a 64-bit counter that write adds to and read
// takes (all of it, or 1 with EFD_SEMAPHORE); readers wait while it is 0
// and writers while it would overflow. mu protects count. Go's runtime
// uses one to interrupt its netpoller. Mirrors fs/eventfd.c.
type eventFD struct {
	mu        sync.Mutex
	count     uint64
	semaphore bool
	wait      sched.WaitQueue
}

// NewEventFD returns an open eventfd with the initial count and flags
// (EFD_NONBLOCK becomes the open file's O_NONBLOCK).
func NewEventFD(initval uint64, flags int) (*OpenFile, error) {
	if flags&^(EFD_SEMAPHORE|EFD_NONBLOCK|EFD_CLOEXEC) != 0 {
		return nil, abi.EINVAL
	}
	e := &eventFD{count: initval, semaphore: flags&EFD_SEMAPHORE != 0}
	return NewOpenFile(e, 2|flags&EFD_NONBLOCK), nil
}

// Read takes the counter as 8 bytes, sleeping while it is 0; EINVAL for
// a buffer shorter than 8. Mirrors fs/eventfd.c:eventfd_read().
func (e *eventFD) Read(t *Task, b []byte) (int, error) { return e.ReadNonblock(t, b, false) }

// ReadNonblock is Read that gives EAGAIN instead of sleeping when
// nonblock is set (O_NONBLOCK, EFD_NONBLOCK).
func (e *eventFD) ReadNonblock(t *Task, b []byte, nonblock bool) (int, error) {
	if len(b) < 8 {
		return 0, abi.EINVAL
	}
	var v uint64
	again := false
	ok := e.wait.Wait(func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.count == 0 {
			again = nonblock
			return nonblock
		}
		v = e.count
		if e.semaphore {
			v = 1
		}
		e.count -= v
		return true
	}, true, SignalPending, -1)
	if err := sleepResult(again, ok); err != nil {
		return 0, err
	}
	e.wait.WakeUp() // room for writers
	binary.LittleEndian.PutUint64(b, v)
	return 8, nil
}

// Write adds an 8-byte value, sleeping while the sum would pass the
// maximum; EINVAL for a short buffer or the value 2^64-1.
func (e *eventFD) Write(t *Task, b []byte) (int, error) { return e.WriteNonblock(t, b, false) }

// WriteNonblock is Write that gives EAGAIN instead of sleeping when
// nonblock is set.
func (e *eventFD) WriteNonblock(t *Task, b []byte, nonblock bool) (int, error) {
	if len(b) < 8 {
		return 0, abi.EINVAL
	}
	v := binary.LittleEndian.Uint64(b)
	if v == ^uint64(0) {
		return 0, abi.EINVAL
	}
	again := false
	ok := e.wait.Wait(func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		if eventfdMax-e.count < v {
			again = nonblock
			return nonblock
		}
		e.count += v
		return true
	}, true, SignalPending, -1)
	if err := sleepResult(again, ok); err != nil {
		return 0, err
	}
	e.wait.WakeUp() // data for readers
	return 8, nil
}

// Poll: readable while the counter is not 0, writable while 1 more fits.
func (e *eventFD) Poll(t *Task, pt *PollTable) uint32 {
	pt.Wait(&e.wait)
	e.mu.Lock()
	defer e.mu.Unlock()
	var m uint32
	if e.count > 0 {
		m |= EPOLLIN | EPOLLRDNORM
	}
	if e.count < eventfdMax {
		m |= EPOLLOUT | EPOLLWRNORM
	}
	return m
}

func (e *eventFD) Release() {}

// sleepResult is the errno of an eventfd sleep that did not get its
// value: EAGAIN if it gave up at once for O_NONBLOCK (again), ERESTARTSYS
// if a signal ended it (!ok); nil when it got it.
func sleepResult(again, ok bool) error {
	switch {
	case again:
		return abi.EAGAIN
	case !ok:
		return abi.ERESTARTSYS
	}
	return nil
}
