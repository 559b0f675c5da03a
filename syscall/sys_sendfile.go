//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/fs"
	"tamix/proc"
)

// sendfile(2) and time(2), which busybox's cat and date use.

func init() {
	register(SysSendfile, sysSendfile)
	register(SysTime, func(t *proc.Task, r *amd64.PtRegs) int64 {
		now, _ := clockNow(clockRealtime)
		sec := now / 1e9
		if r.DI != 0 {
			var b [8]byte
			put64(b[:], uint64(sec))
			if _, err := t.MM.CopyToUser(uintptr(r.DI), b[:]); err != nil {
				return abi.EFAULT.Neg()
			}
		}
		return sec
	})
}

// sysSendfile(out_fd, in_fd, offset, count) copies count bytes from in_fd
// to out_fd inside the kernel: from *offset (then updated, the file
// position untouched) or from in_fd's position. Errors as Linux's: EBADF
// for a file not open for reading or writing, EINVAL for an O_APPEND
// output or a negative offset, ESPIPE for an offset on a stream. Mirrors
// fs/read_write.c:do_sendfile(), with a bounce buffer where Linux splices
// page by page.
func sysSendfile(t *proc.Task, r *amd64.PtRegs) int64 {
	out, err := t.Files.Get(int(int32(r.DI)))
	if err != nil {
		return errno(err)
	}
	in, err := t.Files.Get(int(int32(r.SI)))
	if err != nil {
		return errno(err)
	}
	if !in.Readable() || !out.Writable() {
		return abi.EBADF.Neg()
	}
	if out.GetFlags()&fs.O_APPEND != 0 {
		return abi.EINVAL.Neg()
	}
	off := int64(-1)
	if r.DX != 0 {
		var b [8]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.DX)); err != nil {
			return abi.EFAULT.Neg()
		}
		if off = int64(le64(b[:])); off < 0 {
			return abi.EINVAL.Neg()
		}
	}
	n, err := sendfileCopy(t, out, in, &off, min(r.R10, maxRW))
	if r.DX != 0 && n > 0 {
		var b [8]byte
		put64(b[:], uint64(off))
		if _, err := t.MM.CopyToUser(uintptr(r.DX), b[:]); err != nil {
			return abi.EFAULT.Neg()
		}
	}
	if n == 0 && err != nil {
		return errno(err)
	}
	return int64(n)
}

// sendfileCopy moves up to count bytes, reading at *off if it is not -1.
func sendfileCopy(t *proc.Task, out, in *fs.File, off *int64, count uint64) (int, error) {
	buf := make([]byte, min(count, 64*1024))
	done := 0
	for uint64(done) < count {
		chunk := buf[:min(uint64(len(buf)), count-uint64(done))]
		var k int
		var err error
		if *off >= 0 {
			k, err = in.Pread(t, chunk, *off)
		} else {
			k, err = in.Read(t, chunk)
		}
		if k == 0 || err != nil {
			return done, err
		}
		w, err := out.Write(t, chunk[:k])
		done += w
		if *off >= 0 {
			*off += int64(w)
		} else if w < k && !in.Stream {
			in.Seek(int64(w-k), 1) // what was not written is read again next time
		}
		if err != nil || w < k {
			return done, err
		}
	}
	return done, nil
}
