//go:build tamago

package syscall

import (
	"encoding/binary"
	"math"
	"time"

	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// poll, ppoll, select and pselect6 (fs/select.c): the user-memory side;
// proc.DoPoll and proc.DoSelect wait.

const (
	SysPselect6 = 270
	SysPpoll    = 271
)

func init() {
	names[SysPselect6], names[SysPpoll] = "pselect6", "ppoll"
	register(SysPoll, func(t *proc.Task, r *amd64.PtRegs) int64 {
		ms := int32(r.DX)
		timeout := time.Duration(-1)
		if ms >= 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
		return doPoll(t, uintptr(r.DI), r.SI, timeout)
	})
	register(SysPpoll, sysPpoll)
	register(SysSelect, sysSelect)
	register(SysPselect6, sysPselect6)
}

// pollfdSize is sizeof(struct pollfd): int fd, short events, short revents.
const pollfdSize = 8

// readPollfds copies the array in: EINVAL for more entries than
// RLIMIT_NOFILE allows, EFAULT for a bad pointer.
func readPollfds(t *proc.Task, addr uintptr, nfds uint64) ([]proc.PollFd, int64) {
	if nfds > t.Signal.Rlim[proc.RLIMIT_NOFILE].Cur || nfds > math.MaxInt32/pollfdSize {
		return nil, abi.EINVAL.Neg()
	}
	b := make([]byte, nfds*pollfdSize)
	if _, err := t.MM.CopyFromUser(b, addr); err != nil {
		return nil, abi.EFAULT.Neg()
	}
	fds := make([]proc.PollFd, nfds)
	for i := range fds {
		fds[i].Fd = int32(binary.LittleEndian.Uint32(b[8*i:]))
		fds[i].Events = int16(binary.LittleEndian.Uint16(b[8*i+4:]))
	}
	return fds, 0
}

// pollCore polls and writes the revents back; err is EINTR when a
// signal cut the wait short.
func pollCore(t *proc.Task, addr uintptr, nfds uint64, timeout time.Duration) (int64, error) {
	fds, e := readPollfds(t, addr, nfds)
	if e != 0 {
		return e, nil
	}
	n, err := t.DoPoll(fds, timeout)
	if err != nil {
		return 0, err
	}
	b := make([]byte, 2)
	for i := range fds {
		binary.LittleEndian.PutUint16(b, uint16(fds[i].Revent))
		if _, err := t.MM.CopyToUser(addr+uintptr(8*i+6), b); err != nil {
			return abi.EFAULT.Neg(), nil
		}
	}
	return int64(n), nil
}

// doPoll is poll(2): a signal gives ERESTART_RESTARTBLOCK, so that after
// a stop the call goes on through restart_syscall(2) with the time that
// was left (do_restart_poll); a handler sees EINTR.
func doPoll(t *proc.Task, addr uintptr, nfds uint64, timeout time.Duration) int64 {
	start := time.Now()
	v, err := pollCore(t, addr, nfds, timeout)
	if err == nil {
		return v
	}
	t.RestartFn = func(t *proc.Task) int64 {
		left := time.Duration(-1)
		if timeout >= 0 {
			left = max(timeout-time.Since(start), 0)
		}
		return doPoll(t, addr, nfds, left)
	}
	return abi.ERESTART_RESTARTBLOCK.Neg()
}

// withSigmask runs wait with the mask at sigmask in place (none if 0);
// the old mask comes back now, or after the handler if wait was
// interrupted (ERESTARTNOHAND).
func withSigmask(t *proc.Task, sigmask uintptr, size uint64, wait func() (int64, error)) int64 {
	restore, e := tempSigmask(t, sigmask, size)
	if e != 0 {
		return e
	}
	v, err := wait()
	restore(err != nil)
	if err != nil {
		return abi.ERESTARTNOHAND.Neg()
	}
	return v
}

// tempSigmask puts the mask at sigmask in place for a wait (nothing if
// sigmask is 0) and returns how to put the old one back: at once, or,
// if the wait was interrupted, after the signal's handler has run (the
// saved mask goes into its frame). A bad mask pointer or size is the
// errno returned. Mirrors set_user_sigmask() and restore_saved_sigmask_unless().
func tempSigmask(t *proc.Task, sigmask uintptr, size uint64) (restore func(interrupted bool), e int64) {
	if sigmask == 0 {
		return func(bool) {}, 0
	}
	saved := t.Blocked
	set, e := readSigset(t, sigmask, size)
	if e != 0 {
		return nil, e
	}
	t.SetBlocked(set)
	return func(interrupted bool) { t.RestoreSigmaskAfter(saved, interrupted) }, 0
}

// sysPpoll(fds, nfds, tsp, sigmask, sigsetsize): the time left is
// written back to *tsp, as Linux's poll_select_finish() does.
func sysPpoll(t *proc.Task, r *amd64.PtRegs) int64 {
	tsp := uintptr(r.DX)
	timeout, err := userTimeout(t, tsp)
	if err != nil {
		return errno(err)
	}
	start := time.Now()
	return withSigmask(t, uintptr(r.R10), r.R8, func() (int64, error) {
		v, err := pollCore(t, uintptr(r.DI), r.SI, timeout)
		return v, finishTimeout(t, tsp, timeout, start, err, false)
	})
}

// finishTimeout writes the time left of a wait with a timeout back to
// the user's timespec (usec false) or timeval (usec true), as Linux's
// poll_select_finish() does; a failing write is ignored, as there.
func finishTimeout(t *proc.Task, addr uintptr, timeout time.Duration, start time.Time, err error, usec bool) error {
	if addr == 0 || timeout <= 0 {
		return err
	}
	left := max(timeout-time.Since(start), 0)
	if !usec {
		writeTimespec(t, addr, int64(left))
		return err
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(left/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(left%time.Second/time.Microsecond))
	t.MM.CopyToUser(addr, b[:])
	return err
}

// readTimeval reads select's struct timeval (NULL: no limit); EINVAL
// for a negative one (microseconds past a second carry into seconds,
// as kern_select() does).
func readTimeval(t *proc.Task, addr uintptr) (time.Duration, error) {
	if addr == 0 {
		return -1, nil
	}
	var b [16]byte
	if _, err := t.MM.CopyFromUser(b[:], addr); err != nil {
		return 0, abi.EFAULT
	}
	sec, usec := int64(le64(b[:])), int64(le64(b[8:]))
	sec, usec = sec+usec/1e6, usec%1e6 // Linux normalises before checking
	if sec < 0 || usec < 0 {
		return 0, abi.EINVAL
	}
	if sec > math.MaxInt64/int64(time.Second)-1 {
		return -1, nil
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, nil
}

// selectCore reads the three sets (absent ones stay nil), selects and
// writes the results back. n is clamped to the table's size, as Linux
// clamps it to max_fds.
func selectCore(t *proc.Task, n int, ptrs [3]uintptr, timeout time.Duration) (int64, error) {
	n = min(n, proc.MaxFDs)
	words := (n + 63) / 64
	var sets [3][]uint64
	for i, p := range ptrs {
		if p == 0 {
			continue
		}
		b := make([]byte, 8*words)
		if _, err := t.MM.CopyFromUser(b, p); err != nil {
			return abi.EFAULT.Neg(), nil
		}
		sets[i] = make([]uint64, words)
		for w := range sets[i] {
			sets[i][w] = binary.LittleEndian.Uint64(b[8*w:])
		}
	}
	res, count, err := t.DoSelect(n, proc.FdSets{In: sets[0], Out: sets[1], Ex: sets[2]}, timeout)
	if err == abi.EBADF {
		return abi.EBADF.Neg(), nil
	}
	if err != nil {
		return 0, err
	}
	for i, out := range [3][]uint64{res.In, res.Out, res.Ex} {
		if ptrs[i] == 0 {
			continue
		}
		b := make([]byte, 8*words)
		for w := range out {
			binary.LittleEndian.PutUint64(b[8*w:], out[w])
		}
		if _, err := t.MM.CopyToUser(ptrs[i], b); err != nil {
			return abi.EFAULT.Neg(), nil
		}
	}
	return int64(count), nil
}

// sysSelect(n, inp, outp, exp, tvp): EINVAL for a negative n; the time
// left goes back to *tvp; a signal gives ERESTARTNOHAND.
func sysSelect(t *proc.Task, r *amd64.PtRegs) int64 {
	n := int(int32(r.DI))
	if n < 0 {
		return abi.EINVAL.Neg()
	}
	tvp := uintptr(r.R8)
	timeout, err := readTimeval(t, tvp)
	if err != nil {
		return errno(err)
	}
	start := time.Now()
	v, err := selectCore(t, n, [3]uintptr{uintptr(r.SI), uintptr(r.DX), uintptr(r.R10)}, timeout)
	if finishTimeout(t, tvp, timeout, start, err, true) != nil {
		return abi.ERESTARTNOHAND.Neg()
	}
	return v
}

// sysPselect6(n, inp, outp, exp, tsp, sig): sig points to {sigset
// pointer, its size}; the mask is in place while waiting.
func sysPselect6(t *proc.Task, r *amd64.PtRegs) int64 {
	n := int(int32(r.DI))
	if n < 0 {
		return abi.EINVAL.Neg()
	}
	tsp := uintptr(r.R8)
	timeout, err := userTimeout(t, tsp)
	if err != nil {
		return errno(err)
	}
	var sigmask uintptr
	var size uint64
	if r.R9 != 0 {
		var b [16]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.R9)); err != nil {
			return abi.EFAULT.Neg()
		}
		sigmask, size = uintptr(le64(b[:])), le64(b[8:])
	}
	start := time.Now()
	ptrs := [3]uintptr{uintptr(r.SI), uintptr(r.DX), uintptr(r.R10)}
	return withSigmask(t, sigmask, size, func() (int64, error) {
		v, err := selectCore(t, n, ptrs, timeout)
		return v, finishTimeout(t, tsp, timeout, start, err, false)
	})
}
