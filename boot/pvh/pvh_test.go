package pvh

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// image lays out boot information in a Bytes memory for tests.
type image struct{ Bytes }

func newImage(base uint64, size int) *image {
	return &image{Bytes{Base: base, Data: make([]byte, size)}}
}

func (im *image) put(addr uint64, b []byte) { copy(im.Data[addr-im.Base:], b) }

func (im *image) putString(addr uint64, s string) { im.put(addr, append([]byte(s), 0)) }

// Addresses of the standard test layout.
const (
	imgBase     = 0x1000
	infoAddr    = 0x1000
	cmdlineAddr = 0x2000
	modlistAddr = 0x3000
	memmapAddr  = 0x4000
	modCmdAddr  = 0x5000
)

// startInfo encodes an hvm_start_info structure (56 bytes).
type startInfo struct {
	magic, version, flags, nrModules uint32
	modlist, cmdline, rsdp, memmap   uint64
	memmapEntries                    uint32
}

func (s startInfo) bytes() []byte {
	b := make([]byte, startInfoSizeV1)
	le := binary.LittleEndian
	le.PutUint32(b[0:], s.magic)
	le.PutUint32(b[4:], s.version)
	le.PutUint32(b[8:], s.flags)
	le.PutUint32(b[12:], s.nrModules)
	le.PutUint64(b[16:], s.modlist)
	le.PutUint64(b[24:], s.cmdline)
	le.PutUint64(b[32:], s.rsdp)
	le.PutUint64(b[40:], s.memmap)
	le.PutUint32(b[48:], s.memmapEntries)
	le.PutUint32(b[52:], 0xdeadbeef) // reserved: must be ignored
	return b
}

func modEntry(addr, size, cmdline uint64) []byte {
	b := make([]byte, modlistEntrySize)
	binary.LittleEndian.PutUint64(b[0:], addr)
	binary.LittleEndian.PutUint64(b[8:], size)
	binary.LittleEndian.PutUint64(b[16:], cmdline)
	return b
}

func memEntry(addr, size uint64, typ uint32) []byte {
	b := make([]byte, memmapEntrySize)
	binary.LittleEndian.PutUint64(b[0:], addr)
	binary.LittleEndian.PutUint64(b[8:], size)
	binary.LittleEndian.PutUint32(b[16:], typ)
	return b
}

// qemuMemMap is the memory map QEMU's microvm gives a 512 MiB guest,
// followed by an empty entry.
var qemuMemMap = []MemRegion{
	{0x0, 0x9fc00, TypeRAM},
	{0x9fc00, 0x400, TypeReserved},
	{0xf0000, 0x10000, TypeReserved},
	{0x100000, 0x1ff00000, TypeRAM},
	{0xfeffc000, 0x4000, TypeReserved},
	{0x30000000, 0, TypeRAM},
}

// standard returns a version 1 image with a command line, two modules and
// the QEMU memory map, and the start info written into it.
func standard() (*image, startInfo) {
	im := newImage(imgBase, 0x6000)
	si := startInfo{
		magic: Magic, version: 1, flags: 3, nrModules: 2,
		modlist: modlistAddr, cmdline: cmdlineAddr, rsdp: 0xf5a40,
		memmap: memmapAddr, memmapEntries: uint32(len(qemuMemMap)),
	}
	im.put(infoAddr, si.bytes())
	im.putString(cmdlineAddr, `console=ttyS0 ktap=all init="/bin/sh -l"`)
	im.put(modlistAddr, modEntry(0x1000000, 0x2345, modCmdAddr))
	im.put(modlistAddr+modlistEntrySize, modEntry(0x2000000, 0x10, 0))
	im.putString(modCmdAddr, "initrd")
	for i, r := range qemuMemMap {
		im.put(memmapAddr+uint64(i)*memmapEntrySize, memEntry(r.Addr, r.Size, r.Type))
	}
	return im, si
}

func TestParseStandard(t *testing.T) {
	im, _ := standard()
	s, err := Parse(im, infoAddr)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 1 || s.Flags != 3 || s.RSDP != 0xf5a40 {
		t.Errorf("header: version %d flags %d rsdp %#x", s.Version, s.Flags, s.RSDP)
	}
	if s.Cmdline != `console=ttyS0 ktap=all init="/bin/sh -l"` {
		t.Errorf("cmdline %q", s.Cmdline)
	}
	wantMods := "[{16777216 9029 initrd} {33554432 16 }]"
	if got := fmt.Sprint(s.Modules); got != wantMods {
		t.Errorf("modules %s, want %s", got, wantMods)
	}
	// The empty entry is dropped.
	if got, want := fmt.Sprint(s.MemMap), fmt.Sprint(qemuMemMap[:len(qemuMemMap)-1]); got != want {
		t.Errorf("memory map\n%s, want\n%s", got, want)
	}
	var lines []string
	for _, r := range s.RAM() {
		lines = append(lines, r.String())
	}
	want := "[mem 0x0000000000000000-0x000000000009fbff] usable\n" +
		"[mem 0x0000000000100000-0x000000001fffffff] usable"
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("RAM:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseVersion0(t *testing.T) {
	// A version 0 structure at the very end of memory: only its 40 bytes
	// are readable, and the memmap fields must not be read.
	im := newImage(imgBase, 0x1000+startInfoSizeV0)
	si := startInfo{magic: Magic, version: 0, memmap: memmapAddr, memmapEntries: 5}
	im.put(0x2000, si.bytes()[:startInfoSizeV0])
	s, err := Parse(im, 0x2000)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 0 || s.MemMap != nil || s.Modules != nil || s.Cmdline != "" || s.RAM() != nil {
		t.Errorf("version 0: %+v", s)
	}
}

func TestParseNewerVersion(t *testing.T) {
	im, si := standard()
	si.version = 2
	im.put(infoAddr, si.bytes())
	s, err := Parse(im, infoAddr)
	if err != nil || s.Version != 2 || len(s.MemMap) != len(qemuMemMap)-1 {
		t.Fatalf("version 2: %v %+v", err, s)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(im *image, si *startInfo) uint64 // returns the address to parse
		want error
	}{
		{"zero address", func(*image, *startInfo) uint64 { return 0 }, ErrNoStartInfo},
		{"bad magic", func(_ *image, si *startInfo) uint64 { si.magic = 0x336ec577; return infoAddr }, ErrBadMagic},
		{"outside memory", func(*image, *startInfo) uint64 { return 0x100000 }, ErrOutOfRange},
		{"truncated header", func(im *image, _ *startInfo) uint64 { return im.Base + uint64(len(im.Data)) - 20 }, ErrOutOfRange},
		{"truncated v1 fields", func(im *image, si *startInfo) uint64 {
			a := im.Base + uint64(len(im.Data)) - 48
			im.put(a, si.bytes()[:48])
			return a
		}, ErrOutOfRange},
		{"header wraps", func(*image, *startInfo) uint64 { return ^uint64(0) - 20 }, ErrMalformed},
		{"129 modules", func(_ *image, si *startInfo) uint64 { si.nrModules = MaxModules + 1; return infoAddr }, ErrTooMany},
		{"huge module count", func(_ *image, si *startInfo) uint64 { si.nrModules = ^uint32(0); return infoAddr }, ErrTooMany},
		{"module list at 0", func(_ *image, si *startInfo) uint64 { si.modlist = 0; return infoAddr }, ErrMalformed},
		{"module list truncated", func(im *image, si *startInfo) uint64 {
			si.modlist = im.Base + uint64(len(im.Data)) - modlistEntrySize
			return infoAddr
		}, ErrOutOfRange},
		{"module list wraps", func(_ *image, si *startInfo) uint64 { si.modlist = ^uint64(0) - 40; return infoAddr }, ErrMalformed},
		{"module at 0", func(im *image, _ *startInfo) uint64 { im.put(modlistAddr, modEntry(0, 1, 0)); return infoAddr }, ErrMalformed},
		{"module wraps", func(im *image, _ *startInfo) uint64 {
			im.put(modlistAddr, modEntry(0xffff_ffff_ffff_f000, 0x2000, 0))
			return infoAddr
		}, ErrMalformed},
		{"module cmdline outside memory", func(im *image, _ *startInfo) uint64 {
			im.put(modlistAddr, modEntry(0x1000000, 1, 0x900000))
			return infoAddr
		}, ErrOutOfRange},
		{"129 memmap entries", func(_ *image, si *startInfo) uint64 { si.memmapEntries = MaxMemMapEntries + 1; return infoAddr }, ErrTooMany},
		{"huge memmap count", func(_ *image, si *startInfo) uint64 { si.memmapEntries = ^uint32(0); return infoAddr }, ErrTooMany},
		{"memmap at 0", func(_ *image, si *startInfo) uint64 { si.memmap = 0; return infoAddr }, ErrMalformed},
		{"memmap truncated", func(im *image, si *startInfo) uint64 {
			si.memmap = im.Base + uint64(len(im.Data)) - 2*memmapEntrySize
			si.memmapEntries = 3
			return infoAddr
		}, ErrOutOfRange},
		{"memmap entry wraps", func(im *image, _ *startInfo) uint64 {
			im.put(memmapAddr+memmapEntrySize, memEntry(0xffff_ffff_0000_0000, 0x1_0000_0001, TypeReserved))
			return infoAddr
		}, ErrMalformed},
		{"cmdline outside memory", func(_ *image, si *startInfo) uint64 { si.cmdline = 0x800000; return infoAddr }, ErrOutOfRange},
		{"cmdline runs off memory", func(im *image, si *startInfo) uint64 {
			end := im.Base + uint64(len(im.Data))
			im.put(end-3, []byte("abc"))
			si.cmdline = end - 3
			return infoAddr
		}, ErrOutOfRange},
		{"cmdline unterminated", func(im *image, _ *startInfo) uint64 {
			im.put(cmdlineAddr, []byte(strings.Repeat("x", MaxCmdline)))
			return infoAddr
		}, ErrCmdline},
		{"cmdline wraps", func(_ *image, si *startInfo) uint64 { si.cmdline = ^uint64(0); return infoAddr }, ErrOutOfRange},
	}
	for _, tc := range tests {
		im, si := standard()
		addr := tc.edit(im, &si)
		if addr == infoAddr {
			im.put(infoAddr, si.bytes())
		}
		s, err := Parse(im, addr)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Parse = %+v, %v; want error %v", tc.name, s, err, tc.want)
		}
		if err != nil && s != nil {
			t.Errorf("%s: non-nil StartInfo with an error", tc.name)
		}
	}
}

func TestCmdlineLimits(t *testing.T) {
	im, _ := standard()
	long := strings.Repeat("y", MaxCmdline-1) // longest allowed: NUL is byte 4096
	im.putString(cmdlineAddr, long)
	s, err := Parse(im, infoAddr)
	if err != nil || s.Cmdline != long {
		t.Fatalf("%d-byte cmdline: %v", len(long), err)
	}
	// A wrapping string whose NUL comes in time is fine: its last byte is
	// the last byte of the address space.
	m := &Bytes{Base: ^uint64(0) - 1, Data: []byte{'a', 0}}
	if str, err := readCString(m, m.Base); err != nil || str != "a" {
		t.Errorf("string at the top of memory: %q, %v", str, err)
	}
	m.Data[1] = 'b'
	if _, err := readCString(m, m.Base); !errors.Is(err, ErrMalformed) {
		t.Errorf("string wrapping past the top: %v", err)
	}
}

func TestBytesReadAt(t *testing.T) {
	m := &Bytes{Base: 0x100, Data: []byte{1, 2, 3, 4}}
	p := make([]byte, 2)
	for _, tc := range []struct {
		n    int
		addr uint64
		ok   bool
	}{
		{2, 0x100, true}, {2, 0x102, true}, {0, 0x104, true},
		{2, 0x103, false}, {1, 0xff, false}, {1, 0x104, false}, {0, 0x105, false},
		{2, ^uint64(0), false},
	} {
		err := m.ReadAt(p[:tc.n], tc.addr)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrOutOfRange) {
			t.Errorf("ReadAt(%d bytes, %#x) = %v, want ok=%v", tc.n, tc.addr, err, tc.ok)
		}
	}
	if err := m.ReadAt(p, 0x102); err != nil || p[0] != 3 || p[1] != 4 {
		t.Errorf("ReadAt content %v, %v", p, err)
	}
}

func TestRegionString(t *testing.T) {
	for _, tc := range []struct {
		r    MemRegion
		want string
	}{
		{MemRegion{0, 0x9fc00, TypeRAM}, "[mem 0x0000000000000000-0x000000000009fbff] usable"},
		{MemRegion{0x9fc00, 0x400, TypeReserved}, "[mem 0x000000000009fc00-0x000000000009ffff] reserved"},
		{MemRegion{0x7ffe0000, 0x20000, TypeACPI}, "[mem 0x000000007ffe0000-0x000000007fffffff] ACPI data"},
		{MemRegion{0x1000, 0x1000, TypeNVS}, "[mem 0x0000000000001000-0x0000000000001fff] ACPI NVS"},
		{MemRegion{0x1000, 0x1000, TypeUnusable}, "[mem 0x0000000000001000-0x0000000000001fff] unusable"},
		{MemRegion{0x1000, 0x1000, TypeDisabled}, "[mem 0x0000000000001000-0x0000000000001fff] type 6"},
		{MemRegion{0x1000, 0x1000, TypePMEM}, "[mem 0x0000000000001000-0x0000000000001fff] persistent (type 7)"},
		{MemRegion{0x1000, 0x1000, 12}, "[mem 0x0000000000001000-0x0000000000001fff] persistent (type 12)"},
		{MemRegion{0xfffffffffffff000, 0x1000, TypeRAM}, "[mem 0xfffffffffffff000-0xffffffffffffffff] usable"},
		{MemRegion{0x5000, 0, TypeRAM}, "[mem 0x0000000000005000-0x0000000000005000] usable"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestRAM(t *testing.T) {
	const top = ^uint64(0)
	for _, tc := range []struct {
		name string
		in   []MemRegion
		want string
	}{
		{"none", nil, "[]"},
		{"only reserved", []MemRegion{{0, 0x1000, TypeReserved}}, "[]"},
		{"sorted and merged",
			[]MemRegion{{0x3000, 0x1000, TypeRAM}, {0x1000, 0x1000, TypeRAM}, {0x2000, 0x1000, TypeRAM},
				{0x2800, 0x100, TypeRAM}, {0x8000, 0, TypeRAM}, {0x10000, 0x1000, TypeRAM}},
			"[{0x1000 0x3000} {0x10000 0x1000}]"},
		{"reserved cuts holes",
			[]MemRegion{{0, 0x10000, TypeRAM}, {0x2000, 0x1000, TypeReserved}, {0x2800, 0x1000, TypeACPI},
				{0, 0x100, TypeNVS}, {0xff00, 0x1000, TypeReserved}, {0x5000, 0, TypeReserved}},
			"[{0x100 0x1f00} {0x3800 0xc700}]"},
		{"reserved swallows RAM", []MemRegion{{0x1000, 0x1000, TypeRAM}, {0, 0x10000, TypeReserved}}, "[]"},
		{"top of address space",
			[]MemRegion{{top - 0xfff, 0x1000, TypeRAM}, {top - 0x1fff, 0x1000, TypeRAM}, {top - 0xff, 0x100, TypeReserved}},
			"[{0xffffffffffffe000 0x1f00}]"},
		{"whole address space",
			[]MemRegion{{0, top, TypeRAM}, {top, 1, TypeRAM}},
			"[{0x0 0xffffffffffffffff}]"},
	} {
		s := &StartInfo{MemMap: tc.in}
		var parts []string
		for _, r := range s.RAM() {
			if r.Type != TypeRAM {
				t.Errorf("%s: region of type %d", tc.name, r.Type)
			}
			parts = append(parts, fmt.Sprintf("{%#x %#x}", r.Addr, r.Size))
		}
		if got := "[" + strings.Join(parts, " ") + "]"; got != tc.want {
			t.Errorf("%s: RAM() = %s, want %s", tc.name, got, tc.want)
		}
		if len(tc.in) > 0 && tc.in[0] != s.MemMap[0] {
			t.Errorf("%s: RAM modified the memory map", tc.name)
		}
	}
}

// FuzzParse checks that no input makes Parse panic or return both a
// result and an error. "go test" runs the seeds only.
func FuzzParse(f *testing.F) {
	im, _ := standard()
	f.Add(im.Data, uint64(0))
	f.Add(im.Data[:0x100], uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, off uint64) {
		m := &Bytes{Base: imgBase, Data: data}
		s, err := Parse(m, imgBase+off%0x2000)
		if (s == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v", s, err)
		}
		if s != nil {
			_ = s.RAM()
		}
	})
}
