package tty

import (
	"encoding/binary"
	"errors"
	"testing"

	"tamix/abi"
	"tamix/fs"
)

// fakeProc is a caller for host tests: its IDs, and the signals the
// terminal sent to process groups.
type fakeProc struct{ pid, pgrp, sid int }

type sent struct{ pgrp, sig int }

// setup returns a terminal whose output is captured, hooks over the
// given processes, and the list of signals sent.
func setup(t *testing.T) (*TTY, *[]byte, *[]sent) {
	tt := New("test")
	var out []byte
	tt.SetOutput(func(p []byte) { out = append(out, p...) })
	var sigs []sent
	old := Jobs
	t.Cleanup(func() { Jobs = old })
	Jobs = Hooks{
		Ids: func(c fs.Caller) (int, int, int, bool) {
			p := c.(*fakeProc)
			return p.pid, p.pgrp, p.sid, p.pid == p.sid
		},
		KillPgrp:            func(pgrp, sig int) { sigs = append(sigs, sent{pgrp, sig}) },
		SigIgnoredOrBlocked: func(fs.Caller, int) bool { return false },
		PgrpOrphaned:        func(int) bool { return false },
		PgrpSession:         func(pgrp int) (int, bool) { return 10, pgrp == 10 || pgrp == 11 },
		SessionAlive:        func(int) bool { return true },
		SignalPending:       func() bool { return false },
	}
	return tt, &out, &sigs
}

var (
	leader = &fakeProc{pid: 10, pgrp: 10, sid: 10}
	bgJob  = &fakeProc{pid: 11, pgrp: 11, sid: 10}
)

func readNow(t *testing.T, tt *TTY, c fs.Caller) string {
	t.Helper()
	b := make([]byte, 100)
	n, err := tt.Read(c, b, true)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b[:n])
}

func TestCanonicalEditing(t *testing.T) {
	tt, out, _ := setup(t)
	tt.Receive([]byte("abc\x7f\x7fx\rone two\x17three\n"))
	if got := readNow(t, tt, leader); got != "ax\n" {
		t.Errorf("first line %q", got)
	}
	if got := readNow(t, tt, leader); got != "one three\n" {
		t.Errorf("second line %q", got)
	}
	want := "abc\b \b\b \bx\r\none two\b \b\b \b\b \bthree\r\n"
	if string(*out) != want {
		t.Errorf("echo %q, want %q", *out, want)
	}
	tt.Receive([]byte("partial\x15"))
	tt.Receive([]byte("\x04"))
	if got := readNow(t, tt, leader); got != "" {
		t.Errorf("^D on an empty line gave %q, want end of file", got)
	}
	b := make([]byte, 10)
	if _, err := tt.Read(leader, b, true); !errors.Is(err, abi.EAGAIN) {
		t.Errorf("read with nothing typed: %v, want EAGAIN", err)
	}
}

func TestIsigSignalsForeground(t *testing.T) {
	tt, out, sigs := setup(t)
	if err := tt.tiocsctty(leader, 0); err != nil {
		t.Fatal(err)
	}
	if err := tt.tiocspgrp(leader, 11); err != nil {
		t.Fatal(err)
	}
	tt.Receive([]byte("typed\x03\x1a\x1c"))
	want := []sent{{11, abi.SIGINT}, {11, abi.SIGTSTP}, {11, abi.SIGQUIT}}
	if len(*sigs) != 3 || (*sigs)[0] != want[0] || (*sigs)[1] != want[1] || (*sigs)[2] != want[2] {
		t.Errorf("signals %v, want %v", *sigs, want)
	}
	if string(*out) != "typed^C^Z^\\" {
		t.Errorf("echo %q", *out)
	}
	if tt.inqLocked() != 0 || len(tt.edit) != 0 {
		t.Errorf("input not flushed by ^C")
	}
}

func TestBackgroundReadGetsSIGTTIN(t *testing.T) {
	tt, _, sigs := setup(t)
	tt.tiocsctty(leader, 0)
	b := make([]byte, 4)
	if _, err := tt.Read(bgJob, b, true); !errors.Is(err, abi.ERESTARTSYS) {
		t.Fatalf("background read: %v, want ERESTARTSYS", err)
	}
	if len(*sigs) != 1 || (*sigs)[0] != (sent{11, abi.SIGTTIN}) {
		t.Errorf("signals %v", *sigs)
	}
	Jobs.PgrpOrphaned = func(int) bool { return true }
	if _, err := tt.Read(bgJob, b, true); !errors.Is(err, abi.EIO) {
		t.Errorf("orphaned background read: %v, want EIO", err)
	}
}

func TestLeaderExitHangsUp(t *testing.T) {
	tt, _, sigs := setup(t)
	tt.tiocsctty(leader, 0)
	tt.tiocspgrp(leader, 11)
	tt.LeaderExit(99) // another session's leader: nothing
	if len(*sigs) != 0 || tt.session != 10 {
		t.Fatalf("another session's exit: signals %v, session %d", *sigs, tt.session)
	}
	tt.LeaderExit(10)
	if len(*sigs) != 1 || (*sigs)[0] != (sent{11, abi.SIGHUP}) {
		t.Errorf("signals %v, want SIGHUP to the foreground group 11", *sigs)
	}
	if tt.session != 0 || tt.pgrp != 0 {
		t.Errorf("session %d, pgrp %d after the leader's exit, want none", tt.session, tt.pgrp)
	}
	other := &fakeProc{pid: 20, pgrp: 20, sid: 20}
	if err := tt.tiocsctty(other, 0); err != nil {
		t.Errorf("a new session takes the freed terminal: %v", err)
	}
}

// mem is user memory for ioctls: one buffer at address 0x1000.
type mem struct{ b [64]byte }

func (m *mem) CopyToUser(a uintptr, src []byte) (int, error) {
	if a != 0x1000 {
		return 0, abi.EFAULT
	}
	return copy(m.b[:], src), nil
}

func (m *mem) CopyFromUser(dst []byte, a uintptr) (int, error) {
	if a != 0x1000 {
		return 0, abi.EFAULT
	}
	return copy(dst, m.b[:]), nil
}

func TestIoctls(t *testing.T) {
	tt, _, _ := setup(t)
	m := &mem{}
	if _, err := tt.Ioctl(leader, TIOCGPGRP, 0x1000, m); !errors.Is(err, abi.ENOTTY) {
		t.Errorf("TIOCGPGRP without a controlling terminal: %v", err)
	}
	if _, err := tt.Ioctl(bgJob, TIOCSCTTY, 0, m); !errors.Is(err, abi.EPERM) {
		t.Errorf("TIOCSCTTY by a non-leader: %v", err)
	}
	if _, err := tt.Ioctl(leader, TIOCSCTTY, 0, m); err != nil {
		t.Fatalf("TIOCSCTTY: %v", err)
	}
	if _, err := tt.Ioctl(leader, TIOCGPGRP, 0x1000, m); err != nil || binary.LittleEndian.Uint32(m.b[:]) != 10 {
		t.Errorf("TIOCGPGRP: %v %d", err, binary.LittleEndian.Uint32(m.b[:]))
	}
	binary.LittleEndian.PutUint32(m.b[:], 99)
	if _, err := tt.Ioctl(leader, TIOCSPGRP, 0x1000, m); !errors.Is(err, abi.ESRCH) {
		t.Errorf("TIOCSPGRP of an empty group: %v", err)
	}
	if _, err := tt.Ioctl(leader, TCGETS, 0x2000, m); !errors.Is(err, abi.EFAULT) {
		t.Errorf("TCGETS to a bad address: %v", err)
	}
	tt.Ioctl(leader, TCGETS, 0x1000, m)
	tio := UnmarshalTermios(m.b[:])
	if tio != StdTermios() {
		t.Errorf("TCGETS %+v", tio)
	}
	tio.Lflag &^= ICANON | ECHO
	tio.CC[VMIN], tio.CC[VTIME] = 0, 0
	copy(m.b[:], tio.Marshal())
	if _, err := tt.Ioctl(leader, TCSETS, 0x1000, m); err != nil {
		t.Fatal(err)
	}
	tt.Receive([]byte("ab"))
	if _, err := tt.Ioctl(leader, FIONREAD, 0x1000, m); err != nil || binary.LittleEndian.Uint32(m.b[:]) != 2 {
		t.Errorf("FIONREAD: %v %d", err, binary.LittleEndian.Uint32(m.b[:]))
	}
	b := make([]byte, 10)
	if n, err := tt.Read(leader, b, false); n != 2 || err != nil {
		t.Errorf("raw read: %d %v", n, err)
	}
	if n, err := tt.Read(leader, b, false); n != 0 || err != nil {
		t.Errorf("raw read, VMIN 0 VTIME 0, nothing typed: %d %v", n, err)
	}
	if _, err := tt.Ioctl(leader, 0x1234, 0, m); !errors.Is(err, abi.ENOTTY) {
		t.Errorf("unknown ioctl: %v", err)
	}
}
