// Package char holds the memory character devices of /dev: null, zero,
// full, random and urandom, registered with the VFS at start-up so that
// devtmpfs makes their nodes. Mirrors drivers/char/mem.c and
// drivers/char/random.c.
package char

import (
	"crypto/rand"

	"tamix/abi"
	"tamix/fs"
)

// Device numbers (Documentation/admin-guide/devices.txt).
var (
	DevNull    = fs.Mkdev(1, 3)
	DevZero    = fs.Mkdev(1, 5)
	DevFull    = fs.Mkdev(1, 7)
	DevRandom  = fs.Mkdev(1, 8)
	DevURandom = fs.Mkdev(1, 9)
)

func init() {
	fs.RegisterChrdev(&fs.Cdev{Dev: DevNull, Name: "null", Mode: 0o666, Ops: nullOps{}})
	fs.RegisterChrdev(&fs.Cdev{Dev: DevZero, Name: "zero", Mode: 0o666, Ops: zeroOps{}})
	fs.RegisterChrdev(&fs.Cdev{Dev: DevFull, Name: "full", Mode: 0o666, Ops: fullOps{}})
	fs.RegisterChrdev(&fs.Cdev{Dev: DevRandom, Name: "random", Mode: 0o666, Ops: randomOps{}})
	fs.RegisterChrdev(&fs.Cdev{Dev: DevURandom, Name: "urandom", Mode: 0o666, Ops: randomOps{}})
}

// nullOps: reads see end of file, writes vanish (read_null, write_null).
type nullOps struct{ fs.NoFileOps }

func (nullOps) Read(fs.Caller, *fs.File, []byte, *int64) (int, error)          { return 0, nil }
func (nullOps) Write(_ fs.Caller, _ *fs.File, p []byte, _ *int64) (int, error) { return len(p), nil }

// zeroOps: reads give zeros, writes vanish (read_iter_zero).
type zeroOps struct{ fs.NoFileOps }

func (zeroOps) Read(_ fs.Caller, _ *fs.File, p []byte, _ *int64) (int, error) {
	clear(p)
	return len(p), nil
}
func (zeroOps) Write(_ fs.Caller, _ *fs.File, p []byte, _ *int64) (int, error) { return len(p), nil }

// fullOps: reads give zeros, writes fail with ENOSPC (write_full).
type fullOps struct{ zeroOps }

func (fullOps) Write(fs.Caller, *fs.File, []byte, *int64) (int, error) { return 0, abi.ENOSPC }

// randomOps: reads give bytes of Go's CSPRNG, writes (entropy from user
// space) are accepted and ignored. Linux's /dev/random no longer blocks
// once the pool is initialised, so both nodes behave the same.
type randomOps struct{ fs.NoFileOps }

func (randomOps) Read(_ fs.Caller, _ *fs.File, p []byte, _ *int64) (int, error) {
	GetRandomBytes(p)
	return len(p), nil
}
func (randomOps) Write(_ fs.Caller, _ *fs.File, p []byte, _ *int64) (int, error) { return len(p), nil }

// GetRandomBytes fills p from the kernel's CSPRNG (get_random_bytes()).
func GetRandomBytes(p []byte) { rand.Read(p) }

// getrandom(2) flags (include/uapi/linux/random.h).
const (
	GRND_NONBLOCK = 0x0001
	GRND_RANDOM   = 0x0002
	GRND_INSECURE = 0x0004
)

// GetRandom returns n random bytes for getrandom(2): EINVAL for unknown
// flags or GRND_INSECURE with GRND_RANDOM; the pool is always ready, so
// GRND_NONBLOCK never matters. Mirrors drivers/char/random.c:getrandom().
func GetRandom(n int, flags uint32) ([]byte, error) {
	if flags&^(GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE) != 0 ||
		flags&(GRND_INSECURE|GRND_RANDOM) == GRND_INSECURE|GRND_RANDOM {
		return nil, abi.EINVAL
	}
	b := make([]byte, n)
	GetRandomBytes(b)
	return b, nil
}
