package fs

import (
	"sort"
	"sync"

	"tamix/abi"
)

// Cdev is a character device a driver registered: its number, the name
// of its node in /dev, the node's permissions and its file operations.
// Stream devices (the console) have no file position. Mirrors struct
// cdev plus what device_create() tells devtmpfs.
type Cdev struct {
	Dev    uint32 // Mkdev(major, minor)
	Name   string // node name in /dev
	Mode   uint32 // permissions of the node
	Ops    FileOperations
	Stream bool
}

// cdevs are the registered character devices by number (cdev_map);
// protected by cdevLock.
var (
	cdevLock sync.Mutex
	cdevs    = map[uint32]*Cdev{}
)

// RegisterChrdev adds a character device. Mirrors
// fs/char_dev.c:register_chrdev_region() + cdev_add().
func RegisterChrdev(c *Cdev) {
	cdevLock.Lock()
	cdevs[c.Dev] = c
	cdevLock.Unlock()
}

// Chrdevs returns the registered devices in number order.
func Chrdevs() []*Cdev {
	cdevLock.Lock()
	defer cdevLock.Unlock()
	out := make([]*Cdev, 0, len(cdevs))
	for _, c := range cdevs {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dev < out[j].Dev })
	return out
}

// ChrdevOps are the file operations of every character device node
// until open replaces them with the driver's (def_chr_fops).
type ChrdevOps struct{ NoFileOps }

// Open finds the driver by the node's device number: ENXIO if none.
// Mirrors fs/char_dev.c:chrdev_open().
func (d ChrdevOps) Open(n *Inode, f *File) error { return d.OpenBy(nil, n, f, f.GetFlags()) }

// OpenBy is Open for a known caller and open flags, which a driver that
// is a CallerOpener (a terminal) gets.
func (ChrdevOps) OpenBy(caller Caller, n *Inode, f *File, flags int) error {
	n.mu.Lock()
	dev := n.Rdev
	n.mu.Unlock()
	cdevLock.Lock()
	c := cdevs[dev]
	cdevLock.Unlock()
	if c == nil {
		return abi.ENXIO
	}
	f.Ops = c.Ops
	f.Stream = c.Stream
	if o, ok := c.Ops.(CallerOpener); ok {
		return o.OpenBy(caller, n, f, flags)
	}
	if o, ok := c.Ops.(Opener); ok {
		return o.Open(n, f)
	}
	return nil
}
