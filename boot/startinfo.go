package boot

import (
	"errors"
	"unsafe"

	"tamix/boot/pvh"
)

// startInfoAddr is EBX at the PVH entry: the physical address of QEMU's
// struct hvm_start_info. cpuinit_amd64.s stores it.
var startInfoAddr uint32

// physMem reads physical memory through the identity map of the first
// 4 GiB that cpuinit set up.
type physMem struct{}

const identityMapped = 4 << 30

func (physMem) ReadAt(p []byte, addr uint64) error {
	if addr == 0 || addr >= identityMapped || uint64(len(p)) > identityMapped-addr {
		return errors.New("boot: physical address not mapped")
	}
	copy(p, unsafe.Slice((*byte)(unsafe.Pointer(uintptr(addr))), len(p)))
	return nil
}

// StartInfo parses the PVH start information QEMU passed: command line,
// memory map and modules (the initrd).
func StartInfo() (*pvh.StartInfo, error) {
	return pvh.Parse(physMem{}, uint64(startInfoAddr))
}
