package proc

import (
	"sync"

	"tamix/abi"
	"tamix/fs"
	"tamix/sched"
)

// PipeBuf is a pipe's capacity (Linux's default: 16 pages).
const PipeBuf = 16 * 4096

// pipe is the shared buffer of a pipe or FIFO (struct pipe_inode_info),
// hanging off its inode (fs.Inode.Pipe): readers sleep while it is empty
// and writers exist; writers sleep while it is full and readers exist.
// Its lock protects the buffer, the counts of open ends and the open
// counters; files is protected by the inode's lock instead (Linux's
// i_lock), and the two locks are never held together.
type pipe struct {
	mu               sync.Mutex
	buf              []byte
	capacity         int // bytes the buffer may hold; fixed at creation
	readers, writers int
	// rCounter and wCounter count the opens for reading and writing
	// ever made (r_counter, w_counter): a FIFO opener waits for the
	// other one to change (wait_for_partner()).
	rCounter, wCounter int
	wait               sched.WaitQueue // both directions (Linux has rd_wait and wr_wait)
	// files counts the open files on the pipe (pipe->files): it is
	// freed, and detached from its inode, when the last one goes.
	files int
}

// Pipe memory accounting (fs/pipe.c's pipe-user-pages-soft): once pipes
// hold PipeUserPagesSoft pages of buffer in all, new pipes get only
// PipeMinBuffers pages, so that user space cannot fill the kernel's heap
// with pipe buffers. Linux's soft limit is 16384 pages for a kernel with
// all of RAM; Tamix's buffers live in its 256 MiB Go heap, so its limit
// is a quarter of Linux's. pipeUserPages is protected by pipeAccountLock.
const (
	PipeUserPagesSoft = 4096
	PipeMinBuffers    = 2
)

var (
	pipeAccountLock sync.Mutex
	pipeUserPages   int
)

// PipeUserPages returns the pages pipes may hold now, for tests.
func PipeUserPages() int {
	pipeAccountLock.Lock()
	defer pipeAccountLock.Unlock()
	return pipeUserPages
}

// chargePipe picks a new pipe's capacity and charges it (account_pipe_buffers
// with too_many_pipe_buffers_soft).
func chargePipe() int {
	pipeAccountLock.Lock()
	defer pipeAccountLock.Unlock()
	pages := PipeBuf / 4096
	if pipeUserPages+pages > PipeUserPagesSoft {
		pages = PipeMinBuffers
	}
	pipeUserPages += pages
	return pages * 4096
}

func unchargePipe(capacity int) {
	pipeAccountLock.Lock()
	pipeUserPages -= capacity / 4096
	pipeAccountLock.Unlock()
}

// pipeEnd is one open file of a pipe: its access (an O_RDWR open of a
// FIFO both reads and writes) and its inode. version is Linux's
// f_version for pipes: the write counter when a FIFO was opened for
// reading with O_NONBLOCK and no writer, so that poll reports no hangup
// until a writer has come and gone.
type pipeEnd struct {
	p           *pipe
	read, write bool
	inode       *fs.Inode
	version     int
}

// NewPipe returns the two ends of a new pipe, two open files on one
// anonymous FIFO inode (so fstat and /proc/PID/fd show the same
// pipe:[N] for both, as Linux's pipefs inode). Mirrors
// fs/pipe.c:do_pipe2() -> create_pipe_files() and get_pipe_inode().
func NewPipe() (r, w *OpenFile) {
	p := &pipe{readers: 1, writers: 1, rCounter: 1, wCounter: 1, files: 2, capacity: chargePipe()}
	n := fs.NewAnonInode(fs.S_IFIFO|0o600, 0)
	n.Pipe = p
	r = fs.NewFile(fs.Path{}, n, taskFile{&pipeEnd{p: p, read: true, inode: n}}, fs.O_RDONLY)
	w = fs.NewFile(fs.Path{}, n, taskFile{&pipeEnd{p: p, write: true, inode: n}}, fs.O_WRONLY)
	r.Stream, w.Stream = true, true
	return r, w
}

// Read takes what is buffered, sleeping while the pipe is empty and has
// writers (EAGAIN instead with O_NONBLOCK); 0 means end of file.
// Mirrors fs/pipe.c:pipe_read().
func (e *pipeEnd) Read(t *Task, b []byte) (int, error) { return e.ReadNonblock(t, b, false) }

func (e *pipeEnd) ReadNonblock(t *Task, b []byte, nonblock bool) (int, error) {
	if !e.read {
		return 0, abi.EBADF
	}
	p := e.p
	n, empty := 0, false
	ok := p.wait.Wait(func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.buf) == 0 && p.writers > 0 {
			empty = nonblock
			return nonblock
		}
		n = copy(b, p.buf)
		p.buf = p.buf[n:]
		return true
	}, true, SignalPending, -1)
	if empty {
		return 0, abi.EAGAIN
	}
	if !ok {
		return 0, abi.ERESTARTSYS // a signal: EINTR, or again after the handler
	}
	p.wait.WakeUp() // room for writers
	return n, nil
}

// PIPE_BUF is the largest write a pipe keeps whole: never interleaved
// with other writers' bytes, and with O_NONBLOCK either all written or
// EAGAIN.
const PIPE_BUF = 4096

// Write appends b, sleeping while the pipe is full (a write of up to
// PIPE_BUF waits for room for all of it); with O_NONBLOCK it writes what
// fits and fails with EAGAIN when nothing (or, up to PIPE_BUF, not all)
// fits. With no reader left it fails with EPIPE (Linux also sends
// SIGPIPE, whose default action kills the writer: Tamix does that too).
// A signal while nothing was moved yet gives ERESTARTSYS. Mirrors
// fs/pipe.c:pipe_write().
func (e *pipeEnd) Write(t *Task, b []byte) (int, error) { return e.WriteNonblock(t, b, false) }

func (e *pipeEnd) WriteNonblock(t *Task, b []byte, nonblock bool) (int, error) {
	if !e.write {
		return 0, abi.EBADF
	}
	p := e.p
	need := 1
	if len(b) <= PIPE_BUF {
		need = len(b)
	}
	done := 0
	for done < len(b) {
		broken, full := false, false
		ok := p.wait.Wait(func() bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.readers == 0 {
				broken = true
				return true
			}
			if room := p.capacity - len(p.buf); room >= need && room > 0 {
				k := min(room, len(b)-done)
				p.buf = append(p.buf, b[done:done+k]...)
				done += k
				return true
			}
			full = nonblock
			return nonblock
		}, true, SignalPending, -1)
		p.wait.WakeUp() // data for readers
		switch {
		case broken && done == 0:
			SendSignal(SIGPIPE, NewKillInfo(SIGPIPE, abi.SI_USER, t.TGID), t, false) // send_sig()
			return 0, abi.EPIPE
		case broken:
			return done, nil
		case full && done == 0:
			return 0, abi.EAGAIN
		case full:
			return done, nil
		case !ok && done > 0:
			return done, nil
		case !ok:
			return 0, abi.ERESTARTSYS
		}
	}
	return done, nil
}

// Poll reports a pipe end's readiness: a reading end is readable when
// data is buffered and hung up when no writer is left (for a FIFO
// opened with O_NONBLOCK, only once a writer has come since); a writing
// end is writable while there is room and in error when no reader is
// left. Mirrors fs/pipe.c:pipe_poll().
func (e *pipeEnd) Poll(t *Task, pt *PollTable) uint32 {
	p := e.p
	pt.Wait(&p.wait)
	p.mu.Lock()
	defer p.mu.Unlock()
	var m uint32
	if e.read {
		if len(p.buf) > 0 {
			m |= EPOLLIN | EPOLLRDNORM
		}
		if p.writers == 0 && e.version != p.wCounter {
			m |= EPOLLHUP
		}
	}
	if e.write {
		if len(p.buf) < p.capacity {
			m |= EPOLLOUT | EPOLLWRNORM
		}
		if p.readers == 0 {
			m |= EPOLLERR
		}
	}
	return m
}

// Release closes one end; the other side's sleepers see EOF or EPIPE.
// Mirrors fs/pipe.c:pipe_release().
func (e *pipeEnd) Release() {
	p := e.p
	p.mu.Lock()
	if e.read {
		p.readers--
	}
	if e.write {
		p.writers--
	}
	p.mu.Unlock()
	p.wait.WakeUp()
	putPipeInfo(e.inode, p)
}

// putPipeInfo drops an open file's hold on p; the last one detaches it
// from its inode and frees the buffer (what a FIFO held is lost, as in
// Linux). Mirrors fs/pipe.c:put_pipe_info() -> free_pipe_info().
func putPipeInfo(n *fs.Inode, p *pipe) {
	n.Lock()
	p.files--
	gone := p.files == 0
	if gone && n.Pipe == p {
		n.Pipe = nil
	}
	n.Unlock()
	if !gone {
		return
	}
	p.mu.Lock()
	p.buf = nil
	p.mu.Unlock()
	unchargePipe(p.capacity)
}

// SIGPIPE is sent to a writer of a pipe without readers.
const SIGPIPE = 13
