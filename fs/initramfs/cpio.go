package initramfs

import (
	"bytes"
	"fmt"
	vfs "tamix/fs"
)

// The cpio "newc" format (Documentation/driver-api/early-userspace/
// buffer-format.rst). An archive is a sequence of entries, each a header,
// a path name and the file's data, and ends with an entry named TRAILER!!!:
//
//	offset  size  field
//	     0     6  c_magic     "070701", or "070702" when c_check is set
//	     6     8  c_ino       inode number (identifies hard links)
//	    14     8  c_mode      st_mode: file type and permissions
//	    22     8  c_uid
//	    30     8  c_gid
//	    38     8  c_nlink     number of links
//	    46     8  c_mtime     seconds since the epoch
//	    54     8  c_filesize  bytes of data
//	    62     8  c_maj       device holding the file (with c_ino,
//	    70     8  c_min         identifies hard links)
//	    78     8  c_rmaj      device number of a device node
//	    86     8  c_rmin
//	    94     8  c_namesize  bytes of the name, its NUL included
//	   102     8  c_chksum    "070702": sum of the data bytes, else 0
//	   110        the name, NUL-terminated, then NULs up to a multiple of 4
//	              the data, then NULs up to a multiple of 4
//
// Every number is 8 hexadecimal digits; offsets are aligned relative to
// the start of the buffer. Several archives may follow each other,
// separated by NUL padding (the early microcode archive, then the real
// one). A symbolic link's data is its target.
const (
	headerSize  = 110
	magicNewc   = "070701"
	magicCRC    = "070702"
	magicODC    = "070707" // the old portable format: cpio -H odc
	trailerName = "TRAILER!!!"
)

// header is a decoded newc header (Linux's parse_header() variables).
type header struct {
	ino, mode, uid, gid, nlink, mtime, filesize uint32
	devMajor, devMinor, rdevMajor, rdevMinor    uint32
	namesize, check                             uint32
	crc                                         bool
}

// FormatError is a corrupt or truncated archive.
type FormatError struct {
	Offset int    // offset of the offending entry in the buffer
	Name   string // the entry's name, if it was read
	Msg    string
}

func (e *FormatError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("initramfs: entry %q at offset %#x: %s", e.Name, e.Offset, e.Msg)
	}
	return fmt.Sprintf("initramfs: offset %#x: %s", e.Offset, e.Msg)
}

// Parse unpacks the cpio archive (or archives) in data. The returned tree
// refers to data, which must outlive it and not change. An empty or
// all-NUL buffer gives a tree with only the root directory.
//
// Mirrors init/initramfs.c:unpack_to_rootfs(): skip NUL padding, expect
// an archive at each 4-byte aligned offset, read entries until the
// trailer. Differs: compressed archives are refused, and every error is
// fatal (see the package comment).
func Parse(data []byte) (*FS, error) {
	fs := &FS{nextIno: 1}
	fs.Root = fs.newNode("/", header{mode: vfs.S_IFDIR | 0o755})
	fs.Root.Parent = fs.Root
	off := 0
	for {
		for off < len(data) && data[off] == 0 {
			off++
		}
		if off == len(data) {
			break
		}
		if err := checkStart(data, off); err != nil {
			return nil, err
		}
		next, err := fs.parseArchive(data, off)
		if err != nil {
			return nil, err
		}
		off = next
	}
	fs.countLinks(fs.Root)
	return fs, nil
}

// checkStart explains what is at off when an archive should start there.
func checkStart(data []byte, off int) error {
	rest := data[off:]
	var msg string
	switch {
	case off%4 != 0:
		msg = "data after the trailer is not 4-byte aligned"
	case bytes.HasPrefix(rest, []byte("0707")):
		return nil // the magic is checked with the header
	case bytes.HasPrefix(rest, []byte{0x1f, 0x8b}):
		msg = "gzip-compressed archive: Tamix needs an uncompressed cpio"
	case bytes.HasPrefix(rest, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		msg = "xz-compressed archive: Tamix needs an uncompressed cpio"
	case bytes.HasPrefix(rest, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		msg = "zstd-compressed archive: Tamix needs an uncompressed cpio"
	default:
		msg = "no cpio magic"
	}
	return &FormatError{Offset: off, Msg: msg}
}

// parseArchive reads the entries of one archive starting at off, up to
// and including its trailer, and returns the offset after it. Hard links
// pair up only inside one archive, as Linux frees its link table at each
// trailer.
func (fs *FS) parseArchive(data []byte, off int) (int, error) {
	links := make(map[linkKey]*Node)
	for {
		if off >= len(data) {
			return 0, &FormatError{Offset: off, Msg: "archive truncated: no " + trailerName}
		}
		h, name, body, next, err := readEntry(data, off)
		if err != nil {
			return 0, err
		}
		if name == trailerName {
			return min(next, len(data)), nil
		}
		if err := fs.add(h, name, body, links); err != nil {
			return 0, &FormatError{Offset: off, Name: name, Msg: err.Error()}
		}
		off = next
	}
}

// readEntry decodes the entry at off and returns its header, name and data
// and the offset of the next entry (which may be past the end of data,
// when a trailer lacks its padding). Mirrors do_header(), do_collect() and
// the N_ALIGN() padding of init/initramfs.c; like Linux since 5.13, it
// verifies the checksum of "070702" entries.
func readEntry(data []byte, off int) (h header, name string, body []byte, next int, err error) {
	fail := func(name, format string, args ...any) error {
		return &FormatError{Offset: off, Name: name, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data)-off < headerSize {
		return h, "", nil, 0, fail("", "truncated header (%d of %d bytes)", len(data)-off, headerSize)
	}
	if h, err = parseHeader(data[off : off+headerSize]); err != nil {
		return h, "", nil, 0, fail("", "%v", err)
	}
	if h.namesize == 0 || h.namesize > vfs.PathMax {
		return h, "", nil, 0, fail("", "name size %d", h.namesize)
	}
	nameEnd := off + headerSize + int(h.namesize)
	if nameEnd > len(data) {
		return h, "", nil, 0, fail("", "name truncated")
	}
	raw := data[off+headerSize : nameEnd]
	if i := bytes.IndexByte(raw, 0); i != len(raw)-1 {
		return h, "", nil, 0, fail("", "name is not NUL-terminated at its size %d", h.namesize)
	}
	name = string(raw[:len(raw)-1])
	start := align4(nameEnd)
	if name == trailerName {
		return h, name, nil, align4(start + int(h.filesize)), nil
	}
	if int64(h.filesize) > int64(len(data)-min(start, len(data))) {
		return h, name, nil, 0, fail(name, "data truncated (%d bytes announced)", h.filesize)
	}
	body = data[start : start+int(h.filesize) : start+int(h.filesize)]
	if h.crc && h.mode&vfs.S_IFMT == vfs.S_IFREG {
		var sum uint32
		for _, b := range body {
			sum += uint32(b)
		}
		if sum != h.check {
			return h, name, nil, 0, fail(name, "bad data checksum %#x, header says %#x", sum, h.check)
		}
	}
	return h, name, body, align4(start + int(h.filesize)), nil
}

// parseHeader decodes the fixed part of a header. Mirrors parse_header(),
// but insists on exactly 8 hexadecimal digits per field where Linux's
// simple_strtoul() stops quietly at the first other character.
func parseHeader(b []byte) (header, error) {
	var h header
	switch magic := string(b[:6]); magic {
	case magicNewc:
	case magicCRC:
		h.crc = true
	case magicODC:
		return h, fmt.Errorf("old portable cpio format: use cpio -H newc")
	default:
		return h, fmt.Errorf("no cpio magic (%q)", magic)
	}
	fields := []*uint32{&h.ino, &h.mode, &h.uid, &h.gid, &h.nlink, &h.mtime, &h.filesize,
		&h.devMajor, &h.devMinor, &h.rdevMajor, &h.rdevMinor, &h.namesize, &h.check}
	for i, f := range fields {
		v, ok := parseHex8(b[6+8*i : 6+8*i+8])
		if !ok {
			return h, fmt.Errorf("header field %d is not 8 hexadecimal digits: %q", i, b[6+8*i:6+8*i+8])
		}
		*f = v
	}
	return h, nil
}

// parseHex8 decodes 8 hexadecimal digits, upper or lower case.
func parseHex8(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

func align4(n int) int { return (n + 3) &^ 3 }
