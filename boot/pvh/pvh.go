// Package pvh parses the boot information QEMU (and Xen) hand to a kernel
// entered through the PVH entry point: the hvm_start_info structure whose
// physical address arrives in %ebx, with the command line, the modules
// (such as the initramfs) and the E820-style memory map it points to.
//
// The layout is Xen's public header xen/include/public/arch-x86/hvm/
// start_info.h (a copy is Linux's include/xen/interface/hvm/start_info.h);
// Linux reads it in arch/x86/platform/pvh/enlighten.c. All fields are
// little endian.
//
//	hvm_start_info (56 bytes for version 1, 40 for version 0)
//	 0 magic          uint32  0x336ec578, "xEn3" with the 0x80 bit of 'E' set
//	 4 version        uint32  0 or 1; newer versions stay compatible
//	 8 flags          uint32  SIF_* flags
//	12 nr_modules     uint32
//	16 modlist_paddr  uint64  -> nr_modules x hvm_modlist_entry
//	24 cmdline_paddr  uint64  -> NUL-terminated ASCII string
//	32 rsdp_paddr     uint64  ACPI RSDP
//	40 memmap_paddr   uint64  -> memmap_entries x hvm_memmap_table_entry (v1)
//	48 memmap_entries uint32  (v1)
//	52 reserved       uint32  (v1)
//
//	hvm_modlist_entry (32 bytes): paddr, size, cmdline_paddr, reserved (uint64)
//	hvm_memmap_table_entry (24 bytes): addr, size uint64; type, reserved uint32
//
// An address of 0 means "not present". The parser is pure Go over the
// Memory interface, so the same code runs at boot over the identity map and
// in host tests over a byte slice.
package pvh

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic is XEN_HVM_START_MAGIC_VALUE, the first field of hvm_start_info.
const Magic = 0x336ec578

// Limits Parse enforces so that a corrupt structure cannot make it read
// or allocate without bound.
const (
	MaxModules       = 128  // most module list entries accepted
	MaxMemMapEntries = 128  // most memory map entries accepted (E820MAX)
	MaxCmdline       = 4096 // longest command line, terminating NUL included
)

// Sizes of the structures in guest memory.
const (
	startInfoSizeV0  = 40
	startInfoSizeV1  = 56
	modlistEntrySize = 32
	memmapEntrySize  = 24
)

// Memory-map entry types (XEN_HVM_MEMMAP_TYPE_*), the E820 and ACPI
// address range types.
const (
	TypeRAM      = 1 // usable RAM
	TypeReserved = 2 // reserved, not usable
	TypeACPI     = 3 // ACPI tables, reclaimable after they are read
	TypeNVS      = 4 // ACPI non-volatile storage
	TypeUnusable = 5 // memory with detected errors
	TypeDisabled = 6 // disabled memory
	TypePMEM     = 7 // persistent memory
)

// Errors returned by Parse, possibly wrapped with the failing field.
var (
	ErrNoStartInfo = errors.New("pvh: start info address is 0")
	ErrBadMagic    = errors.New("pvh: bad start info magic")
	ErrTooMany     = errors.New("pvh: too many entries")
	ErrCmdline     = errors.New("pvh: command line not NUL-terminated within limit")
	ErrMalformed   = errors.New("pvh: malformed start info")
	// ErrOutOfRange is returned by Bytes.ReadAt for a read outside its data.
	ErrOutOfRange = errors.New("pvh: read outside memory")
)

// Memory gives read access to physical memory.
type Memory interface {
	// ReadAt fills p with the bytes at physical address physAddr onwards,
	// or returns an error if any of them cannot be read.
	ReadAt(p []byte, physAddr uint64) error
}

// Bytes is a Memory holding Data at physical address Base; reads outside
// it fail with ErrOutOfRange. Tests use it to lay out boot information.
type Bytes struct {
	Base uint64
	Data []byte
}

// ReadAt implements Memory.
func (b *Bytes) ReadAt(p []byte, physAddr uint64) error {
	if physAddr < b.Base || physAddr-b.Base > uint64(len(b.Data)) ||
		uint64(len(p)) > uint64(len(b.Data))-(physAddr-b.Base) {
		return fmt.Errorf("%w: %d bytes at %#x", ErrOutOfRange, len(p), physAddr)
	}
	copy(p, b.Data[physAddr-b.Base:])
	return nil
}

// StartInfo is the parsed boot information.
type StartInfo struct {
	Version uint32      // version of the structure QEMU passed
	Flags   uint32      // SIF_* flags
	Cmdline string      // kernel command line, "" if none
	RSDP    uint64      // physical address of the ACPI RSDP, 0 if none
	Modules []Module    // modules in the order given, such as the initramfs
	MemMap  []MemRegion // memory map as given (version 1 and later)
}

// Module is one module loaded by the boot loader.
type Module struct {
	Addr, Size uint64 // physical placement
	Cmdline    string // the module's own command line, "" if none
}

// MemRegion is one memory-map entry.
type MemRegion struct {
	Addr, Size uint64
	Type       uint32 // one of the Type* constants, or another E820 type
}

// Parse reads and validates the hvm_start_info structure at physical
// address addr and everything it points to.
//
// It rejects a zero address, a wrong magic, more than MaxModules modules or
// MaxMemMapEntries memory-map entries, a list that is present but at
// address 0, modules and regions that wrap around the address space, and
// strings not NUL-terminated within MaxCmdline bytes. Errors from m are
// returned wrapped.
func Parse(m Memory, addr uint64) (*StartInfo, error) {
	if addr == 0 {
		return nil, ErrNoStartInfo
	}
	hdr, err := read(m, addr, startInfoSizeV0)
	if err != nil {
		return nil, fmt.Errorf("pvh: start info at %#x: %w", addr, err)
	}
	le := binary.LittleEndian
	if magic := le.Uint32(hdr[0:]); magic != Magic {
		return nil, fmt.Errorf("%w: %#x at %#x", ErrBadMagic, magic, addr)
	}
	s := &StartInfo{
		Version: le.Uint32(hdr[4:]),
		Flags:   le.Uint32(hdr[8:]),
		RSDP:    le.Uint64(hdr[32:]),
	}
	nrModules, modlist, cmdline := le.Uint32(hdr[12:]), le.Uint64(hdr[16:]), le.Uint64(hdr[24:])

	if s.Cmdline, err = readCString(m, cmdline); err != nil {
		return nil, fmt.Errorf("pvh: command line: %w", err)
	}
	if s.Modules, err = parseModules(m, modlist, nrModules); err != nil {
		return nil, err
	}
	if s.Version >= 1 {
		ext, err := read(m, addr+startInfoSizeV0, startInfoSizeV1-startInfoSizeV0)
		if err != nil {
			return nil, fmt.Errorf("pvh: start info v1 fields at %#x: %w", addr, err)
		}
		if s.MemMap, err = parseMemMap(m, le.Uint64(ext[0:]), le.Uint32(ext[8:])); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// parseModules reads n hvm_modlist_entry structures at addr.
func parseModules(m Memory, addr uint64, n uint32) ([]Module, error) {
	if n == 0 {
		return nil, nil
	}
	if n > MaxModules {
		return nil, fmt.Errorf("%w: %d modules, at most %d", ErrTooMany, n, MaxModules)
	}
	if addr == 0 {
		return nil, fmt.Errorf("%w: %d modules listed at address 0", ErrMalformed, n)
	}
	raw, err := read(m, addr, int(n)*modlistEntrySize)
	if err != nil {
		return nil, fmt.Errorf("pvh: module list at %#x: %w", addr, err)
	}
	mods := make([]Module, n)
	for i := range mods {
		e := raw[i*modlistEntrySize:]
		mod := &mods[i]
		mod.Addr = binary.LittleEndian.Uint64(e[0:])
		mod.Size = binary.LittleEndian.Uint64(e[8:])
		if mod.Addr == 0 || wraps(mod.Addr, mod.Size) {
			return nil, fmt.Errorf("%w: module %d at %#x size %#x", ErrMalformed, i, mod.Addr, mod.Size)
		}
		if mod.Cmdline, err = readCString(m, binary.LittleEndian.Uint64(e[16:])); err != nil {
			return nil, fmt.Errorf("pvh: module %d command line: %w", i, err)
		}
	}
	return mods, nil
}

// parseMemMap reads n hvm_memmap_table_entry structures at addr.
func parseMemMap(m Memory, addr uint64, n uint32) ([]MemRegion, error) {
	if n == 0 {
		return nil, nil
	}
	if n > MaxMemMapEntries {
		return nil, fmt.Errorf("%w: %d memory map entries, at most %d", ErrTooMany, n, MaxMemMapEntries)
	}
	if addr == 0 {
		return nil, fmt.Errorf("%w: %d memory map entries at address 0", ErrMalformed, n)
	}
	raw, err := read(m, addr, int(n)*memmapEntrySize)
	if err != nil {
		return nil, fmt.Errorf("pvh: memory map at %#x: %w", addr, err)
	}
	regions := make([]MemRegion, 0, n)
	for i := 0; i < int(n); i++ {
		e := raw[i*memmapEntrySize:]
		r := MemRegion{
			Addr: binary.LittleEndian.Uint64(e[0:]),
			Size: binary.LittleEndian.Uint64(e[8:]),
			Type: binary.LittleEndian.Uint32(e[16:]),
		}
		if wraps(r.Addr, r.Size) {
			return nil, fmt.Errorf("%w: memory map entry %d %#x+%#x wraps", ErrMalformed, i, r.Addr, r.Size)
		}
		// QEMU's table can end with an all-zero entry; an empty region
		// says nothing, so it is dropped.
		if r.Size == 0 {
			continue
		}
		regions = append(regions, r)
	}
	return regions, nil
}

// wraps reports whether [addr, addr+size) runs past the top of the 64-bit
// address space.
func wraps(addr, size uint64) bool {
	return size > 0 && size-1 > ^uint64(0)-addr
}

// read returns n bytes at addr, checking that they do not wrap around.
func read(m Memory, addr uint64, n int) ([]byte, error) {
	if wraps(addr, uint64(n)) {
		return nil, fmt.Errorf("%w: %d bytes at %#x wrap around", ErrMalformed, n, addr)
	}
	b := make([]byte, n)
	if err := m.ReadAt(b, addr); err != nil {
		return nil, err
	}
	return b, nil
}

// readCString reads the NUL-terminated string at addr, "" if addr is 0.
// It reads one byte at a time so that a short string at the very end of
// readable memory is still found; this runs once per boot.
func readCString(m Memory, addr uint64) (string, error) {
	if addr == 0 {
		return "", nil
	}
	var buf []byte
	c := make([]byte, 1)
	for i := uint64(0); i < MaxCmdline; i++ {
		if wraps(addr, i+1) {
			return "", fmt.Errorf("%w: string at %#x wraps around", ErrMalformed, addr)
		}
		if err := m.ReadAt(c, addr+i); err != nil {
			return "", fmt.Errorf("string at %#x: %w", addr, err)
		}
		if c[0] == 0 {
			return string(buf), nil
		}
		buf = append(buf, c[0])
	}
	return "", fmt.Errorf("%w: string at %#x longer than %d bytes", ErrCmdline, addr, MaxCmdline-1)
}
