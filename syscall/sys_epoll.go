//go:build tamago

package syscall

import (
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// epoll and eventfd (fs/eventpoll.c, fs/eventfd.c).

func init() {
	register(SysEpollCreate, func(t *proc.Task, r *amd64.PtRegs) int64 {
		if int32(r.DI) <= 0 {
			return abi.EINVAL.Neg()
		}
		return installNew(t, proc.NewEpoll(), false)
	})
	register(SysEpollCreate1, func(t *proc.Task, r *amd64.PtRegs) int64 {
		if r.DI&^proc.EPOLL_CLOEXEC != 0 {
			return abi.EINVAL.Neg()
		}
		return installNew(t, proc.NewEpoll(), r.DI != 0)
	})
	register(SysEpollCtl, sysEpollCtl)
	register(SysEpollWait, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return epollWait(t, r, msTimeout(int32(r.R10)), 0, 0)
	})
	register(SysEpollPwait, func(t *proc.Task, r *amd64.PtRegs) int64 {
		return epollWait(t, r, msTimeout(int32(r.R10)), uintptr(r.R8), r.R9)
	})
	register(SysEpollPwait2, func(t *proc.Task, r *amd64.PtRegs) int64 {
		timeout, err := userTimeout(t, uintptr(r.R10))
		if err != nil {
			return errno(err)
		}
		return epollWait(t, r, timeout, uintptr(r.R8), r.R9)
	})
	register(SysEventfd, func(t *proc.Task, r *amd64.PtRegs) int64 { return eventfd(t, r.DI, 0) })
	register(SysEventfd2, func(t *proc.Task, r *amd64.PtRegs) int64 { return eventfd(t, r.DI, int(r.SI)) })
}

// installNew puts a new open file in the lowest free descriptor.
func installNew(t *proc.Task, f *proc.OpenFile, cloexec bool) int64 {
	fd, err := t.Files.Install(f, 0, cloexec)
	if err != nil {
		f.Put()
		return errno(err)
	}
	return int64(fd)
}

func eventfd(t *proc.Task, initval uint64, flags int) int64 {
	f, err := proc.NewEventFD(uint64(uint32(initval)), flags)
	if err != nil {
		return errno(err)
	}
	return installNew(t, f, flags&proc.EFD_CLOEXEC != 0)
}

// msTimeout turns epoll_wait's milliseconds into a duration (< 0: forever).
func msTimeout(ms int32) time.Duration {
	if ms < 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// sysEpollCtl(epfd, op, fd, event): struct epoll_event is read for ADD and
// MOD only. Mirrors fs/eventpoll.c:do_epoll_ctl().
func sysEpollCtl(t *proc.Task, r *amd64.PtRegs) int64 {
	epf, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	fd := int(int32(r.DX))
	f, err := t.Files.Get(fd)
	if err != nil {
		return errno(err)
	}
	op := int(int32(r.SI))
	var events uint32
	var data uint64
	switch op {
	case proc.EPOLL_CTL_ADD, proc.EPOLL_CTL_MOD:
		var b [proc.EpollEventSize]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.R10)); err != nil {
			return abi.EFAULT.Neg()
		}
		events, data = uint32(le64(b[:])), le64(b[4:])
	case proc.EPOLL_CTL_DEL:
	default:
		return abi.EINVAL.Neg()
	}
	if !proc.IsEpoll(epf) || epf == f {
		return abi.EINVAL.Neg()
	}
	return errno(proc.EpollOf(epf).Ctl(t, op, fd, f, events, data))
}

// epollWait is epoll_wait and epoll_pwait(2): with a signal mask, the mask
// is in place while waiting and, if a handler interrupts the wait, until
// the handler has run (like sigsuspend).
func epollWait(t *proc.Task, r *amd64.PtRegs, timeout time.Duration, sigmask uintptr, sigsetsize uint64) int64 {
	max := int(int32(r.DX))
	if max <= 0 || max > (1<<31-1)/proc.EpollEventSize {
		return abi.EINVAL.Neg()
	}
	epf, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if !proc.IsEpoll(epf) {
		return abi.EINVAL.Neg()
	}
	restore, e := tempSigmask(t, sigmask, sigsetsize)
	if e != 0 {
		return e
	}
	evs, err := proc.EpollOf(epf).Wait(t, max, timeout)
	restore(err == abi.EINTR)
	if err != nil {
		return errno(err)
	}
	if _, err := t.MM.CopyToUser(uintptr(r.SI), proc.MarshalEpollEvents(evs)); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(len(evs))
}
