package fs

import "tamix/abi"

// FIFOs (named pipes). Linux's FIFO code is fs/pipe.c, in the VFS: an
// inode of type S_IFIFO gets pipefifo_fops (init_special_inode()), whose
// open, fifo_open(), finds or makes the pipe hanging off the inode
// (inode->i_pipe) and waits for the other side. Tamix's pipes live in
// package proc, above fs, because reading and writing one sleeps
// interruptibly and sends SIGPIPE, both of which need the task. So fs
// keeps only the place (Inode.Pipe, FifoOps) and proc fills FifoOpen in
// at start-up, as it fills drivers/tty's Jobs.

// FifoOpen opens a FIFO: it attaches the open file to the inode's pipe
// (making it on the first open, in n.Pipe), replaces f's operations
// with those of a pipe end, and waits for a partner as flags require.
// Set once by package proc before any file is opened; nil (a host test
// without proc) makes a FIFO unopenable (ENXIO), as before FIFOs worked.
var FifoOpen func(c Caller, n *Inode, f *File, flags int) error

// FifoOps are the file operations of every FIFO inode until open
// replaces them with the pipe's (pipefifo_fops before fifo_open()).
type FifoOps struct{ NoFileOps }

// OpenBy calls FifoOpen. Mirrors fs/pipe.c:fifo_open() through the hook.
func (FifoOps) OpenBy(c Caller, n *Inode, f *File, flags int) error {
	if FifoOpen == nil {
		return abi.ENXIO
	}
	f.Stream = true // no_llseek: lseek, pread and pwrite give ESPIPE
	return FifoOpen(c, n, f, flags)
}
