//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/drivers/char"
	"tamix/fs"
	"tamix/proc"
)

// Reading, writing and seeking (fs/read_write.c) and getrandom(2)
// (drivers/char/random.c).

func init() {
	register(SysRead, func(t *proc.Task, r *amd64.PtRegs) int64 { return rw(t, r, false, -1) })
	register(SysWrite, func(t *proc.Task, r *amd64.PtRegs) int64 { return rw(t, r, true, -1) })
	register(SysPread64, func(t *proc.Task, r *amd64.PtRegs) int64 { return prw(t, r, false) })
	register(SysPwrite64, func(t *proc.Task, r *amd64.PtRegs) int64 { return prw(t, r, true) })
	register(SysReadv, func(t *proc.Task, r *amd64.PtRegs) int64 { return rwv(t, r, false, -1) })
	register(SysWritev, func(t *proc.Task, r *amd64.PtRegs) int64 { return rwv(t, r, true, -1) })
	register(SysPreadv, func(t *proc.Task, r *amd64.PtRegs) int64 { return prwv(t, r, false) })
	register(SysPwritev, func(t *proc.Task, r *amd64.PtRegs) int64 { return prwv(t, r, true) })
	register(SysLseek, sysLseek)
	register(SysGetrandom, sysGetrandom)
}

// maxRW bounds one transfer, like Linux's MAX_RW_COUNT (about 2 GiB); a
// smaller bound keeps a single copy buffer small.
const maxRW = 1 << 20

// transfer reads or writes buf on f: at the file position when off < 0,
// else at off (pread/pwrite).
func transfer(t *proc.Task, f *fs.File, buf []byte, write bool, off int64) (int, error) {
	switch {
	case write && off < 0:
		return f.Write(t, buf)
	case write:
		return f.Pwrite(t, buf, off)
	case off < 0:
		return f.Read(t, buf)
	}
	return f.Pread(t, buf, off)
}

// rwOne moves up to n bytes between user address addr and f. Mirrors
// vfs_read()/vfs_write() with their user copies.
func rwOne(t *proc.Task, f *fs.File, addr uintptr, n uint64, write bool, off int64) (int, error) {
	buf := make([]byte, min(n, maxRW))
	if write {
		if _, err := t.MM.CopyFromUser(buf, addr); err != nil {
			return 0, abi.EFAULT
		}
		if wouldBlock(t, f, proc.EPOLLOUT) {
			return 0, abi.EAGAIN
		}
		return transfer(t, f, buf, true, off)
	}
	if err := t.MM.FaultInWritable(addr, uintptr(len(buf))); err != nil {
		return 0, abi.EFAULT // before anything is taken from the file
	}
	if wouldBlock(t, f, proc.EPOLLIN) {
		return 0, abi.EAGAIN
	}
	k, err := transfer(t, f, buf, false, off)
	if err != nil {
		return 0, err
	}
	if _, err := t.MM.CopyToUser(addr, buf[:k]); err != nil {
		return 0, abi.EFAULT
	}
	return k, nil
}

// wouldBlock reports whether an I/O on f must fail with EAGAIN instead of
// sleeping: f is O_NONBLOCK, can be polled, and is neither ready for want
// nor hung up or in error (then the call itself reports end of file or
// EPIPE). Pipes and eventfds decide for themselves (a FIFO reader
// without writers reads end of file, yet polls neither readable nor
// hung up).
func wouldBlock(t *proc.Task, f *fs.File, want uint32) bool {
	if f.GetFlags()&oNonblock == 0 || proc.HandlesNonblock(f) {
		return false
	}
	m, ok := proc.PollFile(t, f, nil)
	return ok && m&(want|proc.EPOLLHUP|proc.EPOLLERR) == 0
}

// rw is read(2) and write(2) (off < 0) and the body of pread64/pwrite64.
func rw(t *proc.Task, r *amd64.PtRegs, write bool, off int64) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	n, err := rwOne(t, f, uintptr(r.SI), r.DX, write, off)
	if err != nil {
		return errno(err)
	}
	return int64(n)
}

// prw is pread64/pwrite64: EINVAL for a negative offset, ESPIPE for
// pipes and the console.
func prw(t *proc.Task, r *amd64.PtRegs, write bool) int64 {
	off := int64(r.R10)
	if off < 0 {
		if _, err := t.Files.Get(int(int32(r.DI))); err != nil {
			return errno(err)
		}
		return abi.EINVAL.Neg()
	}
	return rw(t, r, write, off)
}

// rwv is readv(2) and writev(2) (off < 0), and the body of preadv and
// pwritev: each struct iovec {base, len} in turn, stopping at a short
// transfer; an error after some bytes moved returns the count. EINVAL
// for more than UIO_MAXIOV vectors or a total that overflows. Mirrors
// fs/read_write.c:do_readv()/do_writev() -> vfs_iter_read/write().
func rwv(t *proc.Task, r *amd64.PtRegs, write bool, off int64) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	cnt := int(int32(r.DX))
	if cnt < 0 || cnt > 1024 { // UIO_MAXIOV
		return abi.EINVAL.Neg()
	}
	iov := make([]byte, 16*cnt)
	if _, err := t.MM.CopyFromUser(iov, uintptr(r.SI)); err != nil {
		return abi.EFAULT.Neg()
	}
	var sum uint64
	for i := 0; i < cnt; i++ {
		if sum += le64(iov[16*i+8:]); int64(sum) < 0 {
			return abi.EINVAL.Neg()
		}
	}
	var total int64
	for i := 0; i < cnt; i++ {
		base, n := le64(iov[16*i:]), le64(iov[16*i+8:])
		if n == 0 {
			continue
		}
		pos := off
		if off >= 0 {
			pos = off + total
		}
		k, err := rwOne(t, f, uintptr(base), n, write, pos)
		total += int64(k)
		if err != nil {
			if total > 0 {
				return total
			}
			return errno(err)
		}
		if uint64(k) < n {
			break
		}
	}
	return total
}

// prwv is preadv/pwritev: the offset is in r10 (pos_l; pos_h in r8 is
// shifted out on 64-bit, as Linux's pos_from_hilo() does).
func prwv(t *proc.Task, r *amd64.PtRegs, write bool) int64 {
	off := int64(r.R10)
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if off < 0 {
		return abi.EINVAL.Neg()
	}
	if f.Stream {
		return abi.ESPIPE.Neg()
	}
	return rwv(t, r, write, off)
}

func sysLseek(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	if f.GetFlags()&fs.O_PATH != 0 {
		return abi.EBADF.Neg()
	}
	pos, err := f.Seek(int64(r.SI), int(int32(r.DX)))
	if err != nil {
		return errno(err)
	}
	return pos
}

// sysGetrandom fills buf with count random bytes (at most maxRW at a
// time, as Linux caps a call).
func sysGetrandom(t *proc.Task, r *amd64.PtRegs) int64 {
	b, err := char.GetRandom(int(min(r.SI, maxRW)), uint32(r.DX))
	if err != nil {
		return errno(err)
	}
	if _, err := t.MM.CopyToUser(uintptr(r.DI), b); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(len(b))
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(b[i]) << (8 * i)
	}
	return v
}
