package proc

import (
	"tamix/abi"
	"tamix/fs"
)

// FIFOs: the open of a named pipe (fs/pipe.c:fifo_open()). Package fs
// gives every FIFO inode fs.FifoOps, whose open calls fs.FifoOpen; proc
// sets it here because a FIFO's pipe is proc's pipe (which sleeps and
// sends SIGPIPE on the task's behalf). After open the file is a pipe
// end like those of pipe(2), on the FIFO's own inode.

func init() { fs.FifoOpen = fifoOpen }

// fifoOpen attaches f to n's pipe and waits for a partner as Linux
// does: a reader blocks until a writer opens (with O_NONBLOCK it
// succeeds at once), a writer blocks until a reader opens (with
// O_NONBLOCK and no reader: ENXIO), O_RDWR never blocks. A signal while
// waiting gives ERESTARTSYS. Mirrors fs/pipe.c:fifo_open().
func fifoOpen(_ fs.Caller, n *fs.Inode, f *fs.File, flags int) error {
	p := getPipeInfo(n)
	e := &pipeEnd{p: p, inode: n}
	nonblock := flags&fs.O_NONBLOCK != 0
	var wait *int // the partner's counter to wait on, if any
	p.mu.Lock()
	switch flags & fs.O_ACCMODE {
	case fs.O_RDONLY:
		e.read = true
		p.rCounter++
		p.readers++
		if p.writers == 0 && nonblock {
			e.version = p.wCounter // no EPOLLHUP until a writer came
		} else if p.writers == 0 {
			wait = &p.wCounter
		}
	case fs.O_WRONLY:
		if nonblock && p.readers == 0 {
			p.mu.Unlock()
			putPipeInfo(n, p)
			return abi.ENXIO
		}
		e.write = true
		p.wCounter++
		p.writers++
		if p.readers == 0 {
			wait = &p.rCounter
		}
	default:
		e.read, e.write = true, true
		p.rCounter++
		p.wCounter++
		p.readers++
		p.writers++
	}
	var cur int
	if wait != nil {
		cur = *wait
	}
	p.mu.Unlock()
	p.wait.WakeUp() // wake_up_partner()
	if wait != nil && !waitForPartner(p, wait, cur) {
		e.Release() // the end's counts, its wake-up and put_pipe_info()
		return abi.ERESTARTSYS
	}
	f.Ops = taskFile{e}
	return nil
}

// getPipeInfo returns n's pipe with one more open file on it, making it
// the first time (fifo_open()'s i_pipe lookup under i_lock).
func getPipeInfo(n *fs.Inode) *pipe {
	n.Lock()
	defer n.Unlock()
	if p, ok := n.Pipe.(*pipe); ok && p != nil {
		p.files++
		return p
	}
	p := &pipe{capacity: chargePipe(), files: 1}
	n.Pipe = p
	return p
}

// waitForPartner sleeps until *counter moves from cur (the other side
// opened), interruptibly; false if a signal came first. Mirrors
// fs/pipe.c:wait_for_partner().
func waitForPartner(p *pipe, counter *int, cur int) bool {
	return p.wait.Wait(func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return *counter != cur
	}, true, SignalPending, -1)
}
