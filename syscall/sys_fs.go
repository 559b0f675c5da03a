//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/proc"
)

// File system calls on the descriptor table (fs/read_write.c).

func init() {
	register(SysWrite, sysWrite)
	register(SysRead, sysRead)
	register(SysWritev, sysWritev)
}

// maxRW bounds one transfer, like Linux's MAX_RW_COUNT (about 2 GiB); a
// smaller bound keeps a single copy buffer small.
const maxRW = 1 << 20

func sysWrite(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	n := min(uintptr(r.DX), maxRW)
	buf := make([]byte, n)
	if _, err := t.MM.CopyFromUser(buf, uintptr(r.SI)); err != nil {
		return abi.EFAULT.Neg()
	}
	if wouldBlock(t, f, proc.EPOLLOUT) {
		return abi.EAGAIN.Neg()
	}
	w, err := f.Write(t, buf)
	if err != nil {
		return errno(err)
	}
	return int64(w)
}

// wouldBlock reports whether an I/O on f must fail with EAGAIN instead of
// sleeping: f is O_NONBLOCK, can be polled, and is neither ready for want
// nor hung up or in error (then the call itself reports end of file or
// EPIPE).
func wouldBlock(t *proc.Task, f *proc.OpenFile, want uint32) bool {
	if f.GetFlags()&oNonblock == 0 {
		return false
	}
	m, ok := proc.PollFile(t, f, nil)
	return ok && m&(want|proc.EPOLLHUP|proc.EPOLLERR) == 0
}

func sysRead(t *proc.Task, r *amd64.PtRegs) int64 {
	f, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	buf := make([]byte, min(uintptr(r.DX), maxRW))
	if err := t.MM.FaultInWritable(uintptr(r.SI), uintptr(len(buf))); err != nil {
		return abi.EFAULT.Neg() // before anything is taken from the file
	}
	if wouldBlock(t, f, proc.EPOLLIN) {
		return abi.EAGAIN.Neg()
	}
	n, err := f.Read(t, buf)
	if err != nil {
		return errno(err)
	}
	if _, err := t.MM.CopyToUser(uintptr(r.SI), buf[:n]); err != nil {
		return abi.EFAULT.Neg()
	}
	return int64(n)
}

// sysWritev writes each struct iovec {base, len} in turn.
func sysWritev(t *proc.Task, r *amd64.PtRegs) int64 {
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
	var total int64
	for i := 0; i < cnt; i++ {
		base, n := le64(iov[16*i:]), le64(iov[16*i+8:])
		if n == 0 {
			continue
		}
		buf := make([]byte, min(n, maxRW))
		if _, err := t.MM.CopyFromUser(buf, uintptr(base)); err != nil {
			if total > 0 {
				return total
			}
			return abi.EFAULT.Neg()
		}
		w, err := f.Write(t, buf)
		total += int64(w)
		if err != nil {
			break
		}
	}
	return total
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(b[i]) << (8 * i)
	}
	return v
}
