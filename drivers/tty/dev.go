package tty

import (
	"tamix/abi"
	"tamix/fs"
	"tamix/sched"
)

// The device nodes (Documentation/admin-guide/devices.txt): /dev/tty is
// the opener's controlling terminal (5, 0), /dev/console the system
// console (5, 1), /dev/ttyS0 the first serial port (4, 64). All three
// reach Console.
var (
	DevTTY     = fs.Mkdev(5, 0)
	DevConsole = fs.Mkdev(5, 1)
	DevTTYS0   = fs.Mkdev(4, 64)
)

func init() {
	fs.RegisterChrdev(&fs.Cdev{Dev: DevTTY, Name: "tty", Mode: 0o666, Ops: &File{TTY: Console, Kind: KindCurrent}, Stream: true})
	fs.RegisterChrdev(&fs.Cdev{Dev: DevConsole, Name: "console", Mode: 0o600, Ops: &File{TTY: Console, Kind: KindConsole}, Stream: true})
	fs.RegisterChrdev(&fs.Cdev{Dev: DevTTYS0, Name: "ttyS0", Mode: 0o660, Ops: &File{TTY: Console, Kind: KindPort}, Stream: true})
}

// Kinds of node, which differ at open.
const (
	KindPort    = iota // a terminal's own node: may become the controlling terminal
	KindConsole        // /dev/console: never does (Linux sets noctty for it)
	KindCurrent        // /dev/tty: the caller's controlling terminal, ENXIO without one
)

// File is a terminal's file operations (tty_fops).
type File struct {
	TTY  *TTY
	Kind int
}

// OpenConsole returns an open file on the console for init's
// descriptors 0, 1 and 2 (console_on_rootfs()).
func OpenConsole() *fs.File {
	f := fs.NewFile(fs.Path{}, fs.NewAnonInode(fs.S_IFCHR|0o600, DevConsole), &File{TTY: Console, Kind: KindConsole}, fs.O_RDWR)
	f.Stream = true
	return f
}

// IsTTY reports whether f is a terminal (isatty's question).
func IsTTY(f *fs.File) bool { _, ok := f.Ops.(*File); return ok }

// OpenBy handles the controlling terminal at open: /dev/tty needs one
// (ENXIO), a port's node may become one. Mirrors tty_open().
func (d *File) OpenBy(c fs.Caller, _ *fs.Inode, _ *fs.File, flags int) error {
	switch d.Kind {
	case KindCurrent:
		if !d.TTY.isCtty(c) {
			return abi.ENXIO
		}
	case KindPort:
		d.TTY.openCtty(c, flags)
	}
	return nil
}

func (d *File) Read(c fs.Caller, f *fs.File, p []byte, _ *int64) (int, error) {
	return d.TTY.Read(c, p, f.GetFlags()&fs.O_NONBLOCK != 0)
}

func (d *File) Write(c fs.Caller, _ *fs.File, p []byte, _ *int64) (int, error) {
	return d.TTY.Write(c, p)
}

func (d *File) Release(*fs.File) {}

// Ioctl is the terminal ioctls (see TTY.Ioctl).
func (d *File) Ioctl(c fs.Caller, _ *fs.File, cmd uint32, arg uint64, um UserMem) (int64, error) {
	return d.TTY.Ioctl(c, cmd, arg, um)
}

// PollWait reports readiness (see TTY.Poll).
func (d *File) PollWait(_ fs.Caller, wait func(q *sched.WaitQueue)) uint32 {
	return d.TTY.Poll(wait)
}
