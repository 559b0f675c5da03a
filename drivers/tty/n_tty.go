package tty

import (
	"time"

	"tamix/abi"
	"tamix/fs"
)

// The line discipline (drivers/tty/n_tty.c): input processing, echo,
// line editing in canonical mode, and reads.

// Signals the line discipline and job control send.
const (
	sigINT   = abi.SIGINT
	sigQUIT  = abi.SIGQUIT
	sigTSTP  = abi.SIGTSTP
	sigTTIN  = abi.SIGTTIN
	sigTTOU  = abi.SIGTTOU
	sigWINCH = abi.SIGWINCH
)

// Receive takes bytes from the device (the UART's receive interrupt):
// each goes through input processing; echo goes out, ISIG characters
// signal the foreground process group, readers are woken. Callable
// from any goroutine. Mirrors n_tty_receive_buf().
func (t *TTY) Receive(b []byte) {
	var echo []byte
	var sigs []int
	t.mu.Lock()
	for _, c := range b {
		if s := t.receiveLocked(c, &echo); s != 0 {
			sigs = append(sigs, s)
		}
	}
	pgrp := t.pgrp
	t.mu.Unlock()
	t.emit(echo)
	for _, s := range sigs {
		if pgrp > 0 && Jobs.KillPgrp != nil {
			Jobs.KillPgrp(pgrp, s)
		}
	}
	t.readWait.WakeUp()
}

// is reports whether c is the control character CC[i] (0 disables it).
func (t *TTY) is(c byte, i int) bool { v := t.termios.CC[i]; return v != 0 && c == v }

// receiveLocked processes one input byte and returns a signal to send
// (0: none). Caller holds mu. Mirrors n_tty_receive_char_special() and
// n_tty_receive_char().
func (t *TTY) receiveLocked(c byte, echo *[]byte) int {
	tio := &t.termios
	if tio.Iflag&ISTRIP != 0 {
		c &= 0x7f
	}
	switch {
	case c == '\r' && tio.Iflag&IGNCR != 0:
		return 0
	case c == '\r' && tio.Iflag&ICRNL != 0:
		c = '\n'
	case c == '\n' && tio.Iflag&INLCR != 0:
		c = '\r'
	}
	if tio.Lflag&ISIG != 0 {
		sig := 0
		switch {
		case t.is(c, VINTR):
			sig = sigINT
		case t.is(c, VQUIT):
			sig = sigQUIT
		case t.is(c, VSUSP):
			sig = sigTSTP
		}
		if sig != 0 { // isig(): flush unless NOFLSH, echo, signal
			if tio.Lflag&NOFLSH == 0 {
				t.flushInputLocked()
			}
			t.echoLocked(c, echo)
			return sig
		}
	}
	if tio.Lflag&ICANON != 0 {
		t.canonLocked(c, echo)
		return 0
	}
	if len(t.raw) < bufSize {
		t.raw = append(t.raw, c)
		t.echoLocked(c, echo)
	}
	return 0
}

// canonLocked is canonical mode's editing: erase, kill, word erase, end
// of file and end of line. Linux erases only with VERASE; Tamix takes
// ^H as well, for terminals that send it for Backspace.
func (t *TTY) canonLocked(c byte, echo *[]byte) {
	lf := t.termios.Lflag
	switch {
	case t.is(c, VERASE) || c == '\b':
		t.eraseLocked(1, echo)
	case t.is(c, VKILL):
		if lf&ECHOKE == 0 && lf&ECHOK != 0 && lf&ECHO != 0 {
			t.edit = t.edit[:0]
			t.echoLocked(c, echo)
			*echo = t.opostLocked([]byte{'\n'}, *echo)
			return
		}
		t.eraseLocked(len(t.edit), echo)
	case t.is(c, VWERASE) && lf&IEXTEN != 0:
		n := len(t.edit)
		for n > 0 && isSpace(t.edit[n-1]) {
			n--
		}
		for n > 0 && !isSpace(t.edit[n-1]) {
			n--
		}
		t.eraseLocked(len(t.edit)-n, echo)
	case t.is(c, VEOF):
		t.commitLocked() // the line so far, without the ^D; empty: end of file
	case c == '\n' || t.is(c, VEOL) || t.is(c, VEOL2):
		t.edit = append(t.edit, c)
		if lf&ECHO != 0 || (c == '\n' && lf&ECHONL != 0) {
			*echo = t.opostLocked([]byte{c}, *echo)
		}
		t.commitLocked()
	default:
		if len(t.edit) < bufSize-1 {
			t.edit = append(t.edit, c)
			t.echoLocked(c, echo)
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// isCtrl reports whether ECHOCTL shows c as ^X.
func isCtrl(c byte) bool { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f }

// commitLocked ends the line being edited and makes it readable.
func (t *TTY) commitLocked() {
	t.lines = append(t.lines, t.edit)
	t.edit = nil
}

// eraseLocked removes the last n characters of the line being edited,
// erasing them on the screen with ECHOE (two cells for a ^X). Mirrors
// eraser().
func (t *TTY) eraseLocked(n int, echo *[]byte) {
	lf := t.termios.Lflag
	for ; n > 0 && len(t.edit) > 0; n-- {
		c := t.edit[len(t.edit)-1]
		t.edit = t.edit[:len(t.edit)-1]
		if lf&ECHO == 0 || lf&ECHOE == 0 {
			continue
		}
		*echo = append(*echo, "\b \b"...)
		if lf&ECHOCTL != 0 && isCtrl(c) {
			*echo = append(*echo, "\b \b"...)
		}
	}
}

// echoLocked echoes an input character: ^X for control characters with
// ECHOCTL, the character otherwise. Mirrors echo_char().
func (t *TTY) echoLocked(c byte, echo *[]byte) {
	if t.termios.Lflag&ECHO == 0 {
		return
	}
	if t.termios.Lflag&ECHOCTL != 0 && isCtrl(c) {
		*echo = append(*echo, '^', c^0x40)
		return
	}
	*echo = t.opostLocked([]byte{c}, *echo)
}

// flushInputLocked drops typed input (TCIFLUSH, isig()).
func (t *TTY) flushInputLocked() { t.lines, t.edit, t.raw = nil, nil, nil }

// setCanonLocked switches canonical mode: what was typed stays
// readable (becomes raw input, or the line being edited).
func (t *TTY) setCanonLocked(on bool) {
	if on {
		t.edit = append(t.edit, t.raw...)
		t.raw = nil
		return
	}
	for _, l := range t.lines {
		t.raw = append(t.raw, l...)
	}
	t.raw = append(t.raw, t.edit...)
	t.lines, t.edit = nil, nil
}

// inputAvailableLocked: a complete line in canonical mode; otherwise at
// least one byte (VMIN bytes when polling with VTIME 0). Mirrors
// input_available_p().
func (t *TTY) inputAvailableLocked(poll bool) bool {
	if t.termios.Lflag&ICANON != 0 {
		return len(t.lines) > 0
	}
	amt := 1
	if poll && t.termios.CC[VTIME] == 0 && t.termios.CC[VMIN] > 0 {
		amt = int(t.termios.CC[VMIN])
	}
	return len(t.raw) >= amt
}

// inqLocked is FIONREAD: the bytes a read could return now.
func (t *TTY) inqLocked() int {
	if t.termios.Lflag&ICANON == 0 {
		return len(t.raw)
	}
	n := 0
	for _, l := range t.lines {
		n += len(l)
	}
	return n
}

// Read reads typed input: a line at most in canonical mode, by VMIN and
// VTIME otherwise; EAGAIN with nonblock when nothing is there; EIO or a
// SIGTTIN for a background process group. Mirrors n_tty_read().
func (t *TTY) Read(c fs.Caller, p []byte, nonblock bool) (int, error) {
	if err := t.checkChange(c, sigTTIN); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	t.mu.Lock()
	canon := t.termios.Lflag&ICANON != 0
	vmin, vtime := int(t.termios.CC[VMIN]), time.Duration(t.termios.CC[VTIME])*100*time.Millisecond
	avail := t.inputAvailableLocked(false)
	t.mu.Unlock()
	if !avail && nonblock && (canon || vmin > 0 || vtime > 0) {
		return 0, abi.EAGAIN
	}
	if !canon {
		return t.readRaw(p, nonblock, vmin, vtime)
	}
	n, err := t.readCanon(p)
	t.mu.Lock()
	switched := n == 0 && err == nil && t.termios.Lflag&ICANON == 0
	t.mu.Unlock()
	if switched { // ICANON went off while waiting: read in the new mode
		return t.Read(c, p, nonblock)
	}
	return n, err
}

// readCanon waits for a complete line and returns what fits of it.
func (t *TTY) readCanon(p []byte) (int, error) {
	n := 0
	take := func() bool {
		t.mu.Lock()
		defer t.mu.Unlock()
		if len(t.lines) == 0 {
			return t.termios.Lflag&ICANON == 0 // mode changed: caller reads again
		}
		n = copy(p, t.lines[0])
		if t.lines[0] = t.lines[0][n:]; len(t.lines[0]) == 0 {
			t.lines = t.lines[1:]
		}
		return true
	}
	if !take() && !t.readWait.Wait(take, true, sigPending, -1) {
		return 0, abi.ERESTARTSYS
	}
	return n, nil
}

// readRaw reads in non-canonical mode: VMIN 0 and VTIME 0 take what is
// there; VMIN > 0 waits for that many bytes (with VTIME, as an
// inter-byte timer once the first came); VMIN 0 with VTIME waits that
// long for the first byte.
func (t *TTY) readRaw(p []byte, nonblock bool, vmin int, vtime time.Duration) (int, error) {
	n := 0
	take := func() bool {
		t.mu.Lock()
		k := copy(p[n:], t.raw)
		t.raw = t.raw[k:]
		t.mu.Unlock()
		n += k
		return k > 0
	}
	want := max(min(vmin, len(p)), 1)
	take()
	if (vmin == 0 && vtime == 0) || nonblock {
		return n, nil
	}
	for n < want {
		timeout := time.Duration(-1)
		if vtime > 0 && (vmin == 0 || n > 0) {
			timeout = vtime
		}
		if !t.readWait.Wait(take, true, sigPending, timeout) {
			if n == 0 && sigPending() {
				return 0, abi.ERESTARTSYS
			}
			break // VTIME ran out
		}
	}
	return n, nil
}
