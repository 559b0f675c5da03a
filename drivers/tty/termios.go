package tty

import "encoding/binary"

// Terminal settings (include/uapi/asm-generic/termbits.h, x86-64
// values): struct termios as TCGETS/TCSETS pass it, and the bits the
// line discipline acts on.

// Termios is the kernel's struct termios: 36 bytes in user memory.
type Termios struct {
	Iflag, Oflag, Cflag, Lflag uint32
	Line                       uint8
	CC                         [NCCS]uint8
}

// TermiosSize is sizeof(struct termios) for TCGETS/TCSETS.
const TermiosSize = 36

// NCCS is the number of control characters in struct termios.
const NCCS = 19

// Indexes into CC.
const (
	VINTR    = 0
	VQUIT    = 1
	VERASE   = 2
	VKILL    = 3
	VEOF     = 4
	VTIME    = 5
	VMIN     = 6
	VSTART   = 8
	VSTOP    = 9
	VSUSP    = 10
	VEOL     = 11
	VREPRINT = 12
	VWERASE  = 14
	VLNEXT   = 15
	VEOL2    = 16
)

// Input flags.
const (
	ISTRIP = 0o40
	INLCR  = 0o100
	IGNCR  = 0o200
	ICRNL  = 0o400
	IXON   = 0o2000
)

// Output flags.
const (
	OPOST = 0o1
	ONLCR = 0o4
)

// Control flags: B115200 | CS8 | CREAD | HUPCL | CLOCAL, what a serial
// console at 115200 baud shows.
const (
	B115200 = 0o10002
	CS8     = 0o60
	CREAD   = 0o200
	HUPCL   = 0o2000
	CLOCAL  = 0o4000
)

// Local flags.
const (
	ISIG    = 0o1
	ICANON  = 0o2
	ECHO    = 0o10
	ECHOE   = 0o20
	ECHOK   = 0o40
	ECHONL  = 0o100
	NOFLSH  = 0o200
	TOSTOP  = 0o400
	ECHOCTL = 0o1000
	ECHOKE  = 0o4000
	IEXTEN  = 0o100000
)

// StdTermios returns the settings a terminal starts with: Linux's
// tty_std_termios (cooked, echoing, signals on) with INIT_C_CC's
// control characters (^C ^\ DEL ^U ^D, VMIN 1, ^Z, ^W ...).
func StdTermios() Termios {
	return Termios{
		Iflag: ICRNL | IXON,
		Oflag: OPOST | ONLCR,
		Cflag: B115200 | CS8 | CREAD | HUPCL | CLOCAL,
		Lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
		CC: [NCCS]uint8{VINTR: 0x03, VQUIT: 0x1c, VERASE: 0x7f, VKILL: 0x15, VEOF: 0x04,
			VMIN: 1, VSTART: 0x11, VSTOP: 0x13, VSUSP: 0x1a, VREPRINT: 0x12,
			13: 0x0f, VWERASE: 0x17, VLNEXT: 0x16},
	}
}

// Marshal writes tio in struct termios's layout.
func (tio *Termios) Marshal() []byte {
	b := make([]byte, TermiosSize)
	binary.LittleEndian.PutUint32(b[0:], tio.Iflag)
	binary.LittleEndian.PutUint32(b[4:], tio.Oflag)
	binary.LittleEndian.PutUint32(b[8:], tio.Cflag)
	binary.LittleEndian.PutUint32(b[12:], tio.Lflag)
	b[16] = tio.Line
	copy(b[17:], tio.CC[:])
	return b
}

// UnmarshalTermios reads struct termios from b (TermiosSize bytes).
func UnmarshalTermios(b []byte) Termios {
	var tio Termios
	tio.Iflag = binary.LittleEndian.Uint32(b[0:])
	tio.Oflag = binary.LittleEndian.Uint32(b[4:])
	tio.Cflag = binary.LittleEndian.Uint32(b[8:])
	tio.Lflag = binary.LittleEndian.Uint32(b[12:])
	tio.Line = b[16]
	copy(tio.CC[:], b[17:])
	return tio
}

// Winsize is struct winsize (TIOCGWINSZ/TIOCSWINSZ): rows, columns and
// pixel sizes, 8 bytes.
type Winsize struct{ Row, Col, Xpixel, Ypixel uint16 }

func (w Winsize) marshal() []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint16(b[0:], w.Row)
	binary.LittleEndian.PutUint16(b[2:], w.Col)
	binary.LittleEndian.PutUint16(b[4:], w.Xpixel)
	binary.LittleEndian.PutUint16(b[6:], w.Ypixel)
	return b
}

func unmarshalWinsize(b []byte) Winsize {
	return Winsize{binary.LittleEndian.Uint16(b[0:]), binary.LittleEndian.Uint16(b[2:]),
		binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:])}
}
