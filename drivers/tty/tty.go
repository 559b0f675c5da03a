// Package tty is the terminal layer: a TTY with its line discipline
// (n_tty), job control (the controlling terminal, the foreground process
// group, SIGTTIN/SIGTTOU) and the terminal ioctls, and the device nodes
// /dev/console, /dev/tty and /dev/ttyS0 that open it. Mirrors Linux's
// drivers/tty/tty_io.c, n_tty.c, tty_ioctl.c and tty_jobctrl.c. It lies
// below package proc: what it needs from processes (their IDs, sending
// signals) comes through Jobs, which proc sets.
//
// What differs from Linux: one line discipline (n_tty) built in, no
// tty_driver/tty_port split (the device is an output function and a
// Receive call), a hangup (the session leader's exit) signals and
// frees the terminal but leaves its open files working (LeaderExit),
// and a process's controlling terminal is derived from the terminal's
// session rather than kept in signal->tty.
package tty

import (
	"io"
	"sync"

	"tamix/fs"
	"tamix/sched"
)

// bufSize is the input buffer's size (N_TTY_BUF_SIZE).
const bufSize = 4096

// TTY is a terminal (struct tty_struct with its struct n_tty_data).
// mu protects the fields after it; it is never held while sleeping or
// while calling Jobs (which takes proc's locks), and is taken after
// writeMu.
type TTY struct {
	Name string
	// output writes to the device (the UART's transmitter); set once by
	// SetOutput before the terminal is used.
	output func(p []byte)
	// writeMu serialises writers so that one write's bytes stay
	// together (tty->atomic_write_lock).
	writeMu sync.Mutex

	mu      sync.Mutex
	termios Termios
	winsize Winsize
	// pgrp is the foreground process group, session the session that
	// has this terminal as its controlling terminal (0: none).
	pgrp, session int
	// Canonical mode: lines are complete lines, each with its '\n' (or
	// without one when ^D ended it; an empty one is end of file), and
	// edit the line being typed. Non-canonical mode: raw holds the
	// bytes ready to read.
	lines [][]byte
	edit  []byte
	raw   []byte

	// readWait is where readers (and pollers) wait for input.
	readWait sched.WaitQueue
}

// New returns a terminal with Linux's standard settings and a 24x80
// window.
func New(name string) *TTY {
	return &TTY{Name: name, termios: StdTermios(), winsize: Winsize{Row: 24, Col: 80}}
}

// SetOutput sets the device's write function.
func (t *TTY) SetOutput(out func(p []byte)) { t.output = out }

// Console is the serial console's terminal (ttyS0, what /dev/console
// and init's descriptors reach).
var Console = New("ttyS0")

// Hooks are what the terminal needs from the process layer; package
// proc fills Jobs in at start-up. Linux's tty_jobctrl.c calls
// kernel/signal.c and the pid tables directly.
type Hooks struct {
	// Ids returns the caller's process ID, process group and session,
	// and whether it leads its session.
	Ids func(c fs.Caller) (pid, pgrp, sid int, leader bool)
	// KillPgrp sends sig to every process of group pgrp (kill_pgrp).
	KillPgrp func(pgrp, sig int)
	// SigIgnoredOrBlocked reports whether the caller ignores or blocks
	// sig (is_ignored() in tty_check_change).
	SigIgnoredOrBlocked func(c fs.Caller, sig int) bool
	// PgrpOrphaned reports whether group pgrp is orphaned.
	PgrpOrphaned func(pgrp int) bool
	// PgrpSession returns the session of group pgrp; false if the
	// group has no process.
	PgrpSession func(pgrp int) (sid int, ok bool)
	// SessionAlive reports whether a process of session sid exists.
	SessionAlive func(sid int) bool
	// SignalPending reports a signal pending for the current task.
	SignalPending func() bool
	// Output returns where the caller's terminal output goes instead
	// of the device (a test capturing a program's console), or nil.
	Output func(c fs.Caller) io.Writer
}

// Jobs is set once, before any terminal is opened.
var Jobs Hooks

func sigPending() bool { return Jobs.SignalPending != nil && Jobs.SignalPending() }

// ids returns the caller's IDs, or zeros without hooks.
func ids(c fs.Caller) (pid, pgrp, sid int, leader bool) {
	if Jobs.Ids == nil || c == nil {
		return 0, 0, 0, false
	}
	return Jobs.Ids(c)
}

// Write puts p out through the line discipline's output processing,
// after the SIGTTOU check for background writers when TOSTOP is set.
// Mirrors tty_write() -> n_tty_write().
func (t *TTY) Write(c fs.Caller, p []byte) (int, error) {
	t.mu.Lock()
	tostop := t.termios.Lflag&TOSTOP != 0
	t.mu.Unlock()
	if tostop {
		if err := t.checkChange(c, sigTTOU); err != nil {
			return 0, err
		}
	}
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	t.mu.Lock()
	out := t.opostLocked(p, nil)
	t.mu.Unlock()
	if Jobs.Output != nil && c != nil {
		if w := Jobs.Output(c); w != nil {
			if _, err := w.Write(out); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	t.emit(out)
	return len(p), nil
}

// emit sends bytes to the device.
func (t *TTY) emit(b []byte) {
	if t.output != nil && len(b) > 0 {
		t.output(b)
	}
}

// opostLocked appends p to out with output processing: OPOST|ONLCR
// turns '\n' into "\r\n". Caller holds mu. Mirrors n_tty's
// do_output_char() for the flags Tamix supports.
func (t *TTY) opostLocked(p []byte, out []byte) []byte {
	if t.termios.Oflag&OPOST == 0 || t.termios.Oflag&ONLCR == 0 {
		return append(out, p...)
	}
	for _, c := range p {
		if c == '\n' {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// Poll event bits (include/uapi/asm-generic/poll.h).
const (
	pollIn     = 0x001
	pollOut    = 0x004
	pollRdNorm = 0x040
	pollWrNorm = 0x100
)

// Poll reports readiness after registering the read wait queue with
// wait: readable when a read would not block (a complete line, or VMIN
// bytes), always writable. Mirrors n_tty_poll().
func (t *TTY) Poll(wait func(q *sched.WaitQueue)) uint32 {
	if wait != nil {
		wait(&t.readWait)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	m := uint32(pollOut | pollWrNorm)
	if t.inputAvailableLocked(true) {
		m |= pollIn | pollRdNorm
	}
	return m
}
