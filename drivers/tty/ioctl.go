package tty

import (
	"encoding/binary"

	"tamix/abi"
	"tamix/fs"
)

// Terminal ioctls (include/uapi/asm-generic/ioctls.h).
const (
	TCGETS     = 0x5401
	TCSETS     = 0x5402
	TCSETSW    = 0x5403
	TCSETSF    = 0x5404
	TCSBRK     = 0x5409
	TCXONC     = 0x540a
	TCFLSH     = 0x540b
	TIOCSCTTY  = 0x540e
	TIOCGPGRP  = 0x540f
	TIOCSPGRP  = 0x5410
	TIOCGWINSZ = 0x5413
	TIOCSWINSZ = 0x5414
	FIONREAD   = 0x541b
	TIOCNOTTY  = 0x5422
	TIOCGSID   = 0x5429
)

// TCFLSH arguments.
const (
	TCIFLUSH  = 0
	TCOFLUSH  = 1
	TCIOFLUSH = 2
)

// UserMem copies to and from the caller's memory (the task's mm).
type UserMem interface {
	CopyToUser(uaddr uintptr, src []byte) (int, error)
	CopyFromUser(dst []byte, uaddr uintptr) (int, error)
}

// Ioctl carries out a terminal ioctl for caller c; arg is the
// argument (usually a user address). ENOTTY for requests a terminal does
// not know, EFAULT for bad pointers. Mirrors tty_ioctl(),
// tty_mode_ioctl() and n_tty_ioctl().
func (t *TTY) Ioctl(c fs.Caller, cmd uint32, arg uint64, um UserMem) (int64, error) {
	switch cmd {
	case TCGETS:
		t.mu.Lock()
		b := t.termios.Marshal()
		t.mu.Unlock()
		return 0, put(um, arg, b)
	case TCSETS, TCSETSW, TCSETSF:
		return 0, t.setTermios(c, cmd, arg, um)
	case TIOCGWINSZ:
		t.mu.Lock()
		b := t.winsize.marshal()
		t.mu.Unlock()
		return 0, put(um, arg, b)
	case TIOCSWINSZ:
		return 0, t.setWinsize(arg, um)
	case FIONREAD:
		t.mu.Lock()
		n := t.inqLocked()
		t.mu.Unlock()
		return 0, putInt(um, arg, n)
	case TCFLSH:
		if arg > TCIOFLUSH {
			return 0, abi.EINVAL
		}
		if arg != TCOFLUSH {
			t.mu.Lock()
			t.flushInputLocked()
			t.mu.Unlock()
		}
		return 0, nil
	case TCSBRK, TCXONC:
		return 0, nil // output is written synchronously: already drained
	}
	return t.jobIoctl(c, cmd, arg, um)
}

// jobIoctl handles the job-control requests.
func (t *TTY) jobIoctl(c fs.Caller, cmd uint32, arg uint64, um UserMem) (int64, error) {
	switch cmd {
	case TIOCSCTTY:
		return 0, t.tiocsctty(c, arg)
	case TIOCNOTTY:
		return 0, t.tiocnotty(c)
	case TIOCGPGRP, TIOCGSID:
		if !t.isCtty(c) {
			return 0, abi.ENOTTY
		}
		t.mu.Lock()
		v := t.pgrp
		if cmd == TIOCGSID {
			v = t.session
		}
		t.mu.Unlock()
		return 0, putInt(um, arg, v)
	case TIOCSPGRP:
		var b [4]byte
		if _, err := um.CopyFromUser(b[:], uintptr(arg)); err != nil {
			return 0, abi.EFAULT
		}
		return 0, t.tiocspgrp(c, int(int32(binary.LittleEndian.Uint32(b[:]))))
	}
	return 0, abi.ENOTTY
}

// setTermios is TCSETS (now), TCSETSW (after output drains: at once
// here, output is synchronous) and TCSETSF (also flushing input), after
// the SIGTTOU check. Mirrors set_termios().
func (t *TTY) setTermios(c fs.Caller, cmd uint32, arg uint64, um UserMem) error {
	var b [TermiosSize]byte
	if _, err := um.CopyFromUser(b[:], uintptr(arg)); err != nil {
		return abi.EFAULT
	}
	if err := t.checkChange(c, sigTTOU); err != nil {
		return err
	}
	tio := UnmarshalTermios(b[:])
	t.mu.Lock()
	if cmd == TCSETSF {
		t.flushInputLocked()
	}
	if (tio.Lflag^t.termios.Lflag)&ICANON != 0 {
		t.termios.Lflag ^= ICANON
		t.setCanonLocked(tio.Lflag&ICANON != 0)
	}
	t.termios = tio
	t.mu.Unlock()
	t.readWait.WakeUp() // VMIN, VTIME or the mode changed what readers wait for
	return nil
}

// setWinsize is TIOCSWINSZ: a change sends SIGWINCH to the foreground
// group. Mirrors tty_do_resize().
func (t *TTY) setWinsize(arg uint64, um UserMem) error {
	var b [8]byte
	if _, err := um.CopyFromUser(b[:], uintptr(arg)); err != nil {
		return abi.EFAULT
	}
	ws := unmarshalWinsize(b[:])
	t.mu.Lock()
	changed, pgrp := ws != t.winsize, t.pgrp
	t.winsize = ws
	t.mu.Unlock()
	if changed && pgrp > 0 && Jobs.KillPgrp != nil {
		Jobs.KillPgrp(pgrp, sigWINCH)
	}
	return nil
}

func put(um UserMem, arg uint64, b []byte) error {
	if _, err := um.CopyToUser(uintptr(arg), b); err != nil {
		return abi.EFAULT
	}
	return nil
}

func putInt(um UserMem, arg uint64, v int) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(int32(v)))
	return put(um, arg, b[:])
}
