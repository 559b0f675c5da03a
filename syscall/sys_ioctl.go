//go:build tamago

package syscall

import (
	"tamix/abi"
	"tamix/arch/amd64"
	"tamix/drivers/tty"
	"tamix/fs"
	"tamix/proc"
)

// Generic ioctls every descriptor answers (fs/ioctl.c:do_vfs_ioctl()).
const (
	fionclex = 0x5450
	fioclex  = 0x5451
	fionbio  = 0x5421
)

// ioctler is a file that has its own ioctls (file_operations.unlocked_ioctl):
// terminals.
type ioctler interface {
	Ioctl(c fs.Caller, f *fs.File, cmd uint32, arg uint64, um tty.UserMem) (int64, error)
}

// sysIoctl(fd, cmd, arg): FIOCLEX, FIONCLEX and FIONBIO for every file,
// the file's own ioctls otherwise (a terminal's: termios, window size,
// job control, FIONREAD); ENOTTY for the rest. Mirrors
// fs/ioctl.c:SYSCALL_DEFINE3(ioctl).
func sysIoctl(t *proc.Task, r *amd64.PtRegs) int64 {
	fd := int(int32(r.DI))
	f, err := t.Files.Get(fd)
	if err != nil {
		return errno(err)
	}
	cmd := uint32(r.SI)
	switch cmd {
	case fioclex, fionclex:
		return errno(t.Files.SetCloseOnExec(fd, cmd == fioclex))
	case fionbio:
		var b [4]byte
		if _, err := t.MM.CopyFromUser(b[:], uintptr(r.DX)); err != nil {
			return abi.EFAULT.Neg()
		}
		on := 0
		if uint32(le64(append(b[:], 0, 0, 0, 0))) != 0 {
			on = fs.O_NONBLOCK
		}
		f.SetFlags(fs.O_NONBLOCK, on)
		return 0
	}
	if io, ok := f.Ops.(ioctler); ok {
		v, err := io.Ioctl(t, f, cmd, r.DX, t.MM)
		if err != nil {
			return errno(err)
		}
		return v
	}
	return abi.ENOTTY.Neg()
}
