package mm

import (
	"bytes"
	"strings"
	"testing"

	"tamix/abi"
)

func TestCopyRoundTrip(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 3*PageSize, protRW, private)
	data := bytes.Repeat([]byte("0123456789abcdef"), 2*PageSize/16+3)
	if n, err := m.CopyToUser(a+100, data); err != nil || n != len(data) {
		t.Fatalf("CopyToUser: %d %v", n, err)
	}
	if m.Stats().RSSPages != 3 {
		t.Fatalf("copy faulted in %d pages, want 3", m.Stats().RSSPages)
	}
	got := make([]byte, len(data))
	if n, err := m.CopyFromUser(got, a+100); err != nil || n != len(data) || !bytes.Equal(got, data) {
		t.Fatalf("CopyFromUser: %d %v", n, err)
	}
	if n, err := m.ClearUser(a+PageSize-2, 4); err != nil || n != 4 {
		t.Fatalf("ClearUser: %d %v", n, err)
	}
	off := PageSize - 4 - 100 // index in data of the byte at a+PageSize-4
	if s := read(t, m, a+PageSize-4, 8); s != string(data[off:off+2])+"\x00\x00\x00\x00"+string(data[off+6:off+8]) {
		t.Fatalf("after ClearUser: %q", s)
	}
	// Zero-length copies touch nothing, even at bad addresses.
	if n, err := m.CopyFromUser(nil, 0); n != 0 || err != nil {
		t.Fatalf("empty copy from NULL: %d %v", n, err)
	}
	m.Release()
	e.checkLeaks()
}

func TestCopyBadPointers(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, PageSize, protRW, private)
	ro := mustMmap(t, m, 0, PageSize, abi.PROT_READ, private)
	buf := make([]byte, 16)
	for _, c := range []struct {
		name  string
		addr  uintptr
		n     int
		write bool
		done  int // bytes copied before the fault
	}{
		{"NULL read", 0, 16, false, 0},
		{"NULL write", 0, 16, true, 0},
		{"kernel low memory", 0x100000, 16, false, 0},
		{"kernel hole", 0x1000000, 16, true, 0},
		{"kernel image", 0x1100000, 16, false, 0},
		{"non-canonical", 0x0000800000000000, 16, false, 0},
		{"kernel half", 0xffff888000000000, 16, true, 0},
		{"wraps", ^uintptr(0) - 4, 16, false, 0},
		{"straddles TaskSize", TaskSize - 8, 16, true, 0},
		{"unmapped", UserHighStart, 16, false, 0},
		{"runs off a mapping", a + PageSize - 8, 16, false, 8},
		{"runs off a mapping (write)", a + PageSize - 8, 16, true, 8},
		{"write to read-only", ro, 16, true, 0},
		{"low window edge", UserLowEnd - 8, 16, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n int
			var err error
			if c.write {
				n, err = m.CopyToUser(c.addr, buf[:c.n])
			} else {
				n, err = m.CopyFromUser(buf[:c.n], c.addr)
			}
			if err != abi.EFAULT || n != c.done {
				t.Fatalf("got %d, %v; want %d, EFAULT", n, err, c.done)
			}
		})
	}
	if _, err := m.ClearUser(ro, 1); err != abi.EFAULT {
		t.Fatalf("ClearUser of read-only: %v", err)
	}
	m.Release()
	e.checkLeaks()
}

func TestCopyToUserBreaksCOW(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, PageSize, protRW, private)
	write(t, m, a, "old")
	c, _ := m.Dup()
	write(t, c, a, "new")
	if read(t, m, a, 3) != "old" || read(t, c, a, 3) != "new" {
		t.Fatal("kernel write went to the shared page")
	}
	c.Release()
	m.Release()
	e.checkLeaks()
}

func TestStrncpyFromUser(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private)
	write(t, m, a, "/bin/sh\x00junk")
	end := a + 2*PageSize // unmapped after this
	write(t, m, end-5, "tail\x00")
	write(t, m, a+PageSize-2, "abcd\x00") // crosses into the second page
	for _, c := range []struct {
		name string
		addr uintptr
		n    int
		want string
		err  error
	}{
		{"simple", a, 64, "/bin/sh", nil},
		{"exact fit", a, 8, "/bin/sh", nil},
		{"no NUL within n", a, 7, "/bin/sh", nil},
		{"short", a, 3, "/bi", nil},
		{"crosses a page", a + PageSize - 2, 64, "abcd", nil},
		{"ends at the last byte of the mapping", end - 5, 4096, "tail", nil},
		{"NULL", 0, 10, "", abi.EFAULT},
		{"kernel hole", 0x2000000, 10, "", abi.EFAULT},
		{"non-canonical", 1 << 63, 10, "", abi.EFAULT},
		{"at TaskSize", TaskSize - 1, 10, "", abi.EFAULT},
		{"n = 0", 0, 0, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := m.StrncpyFromUser(c.addr, c.n)
			if s != c.want || err != c.err {
				t.Fatalf("got %q, %v; want %q, %v", s, err, c.want, c.err)
			}
		})
	}
	write(t, m, end-1, "z") // no NUL before the unmapped page now
	if _, err := m.StrncpyFromUser(end-5, 4096); err != abi.EFAULT {
		t.Fatalf("string running off its mapping: %v", err)
	}
	// A string that runs up to TaskSize without a NUL.
	top := mustMmap(t, m, TaskSize-PageSize, PageSize, protRW, private|abi.MAP_FIXED)
	write(t, m, top, strings.Repeat("x", PageSize))
	if _, err := m.StrncpyFromUser(top+PageSize-4, 100); err != abi.EFAULT {
		t.Fatalf("string past TaskSize: %v", err)
	}
	m.Release()
	e.checkLeaks()
}

func TestStrnlenUser(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private)
	write(t, m, a, "/bin/sh\x00junk")
	end := a + 2*PageSize // unmapped after this
	write(t, m, end-5, "tail\x00")
	write(t, m, a+PageSize-2, "abcd\x00") // crosses into the second page
	for _, c := range []struct {
		name string
		addr uintptr
		n    int
		want int
		err  error
	}{
		{"simple", a, 64, 8, nil},
		{"exact fit", a, 8, 8, nil},
		{"no NUL within n", a, 7, 8, nil},
		{"short", a, 3, 4, nil},
		{"crosses a page", a + PageSize - 2, 64, 5, nil},
		{"ends at the last byte of the mapping", end - 5, 4096, 5, nil},
		{"stops at n before the unmapped page", end - 5, 3, 4, nil},
		{"NULL", 0, 10, 0, abi.EFAULT},
		{"kernel hole", 0x2000000, 10, 0, abi.EFAULT},
		{"non-canonical", 1 << 63, 10, 0, abi.EFAULT},
		{"at TaskSize", TaskSize - 1, 10, 0, abi.EFAULT},
		{"n = 0", 0, 0, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := m.StrnlenUser(c.addr, c.n)
			if n != c.want || err != c.err {
				t.Fatalf("got %d, %v; want %d, %v", n, err, c.want, c.err)
			}
		})
	}
	write(t, m, end-1, "z") // no NUL before the unmapped page now
	if n, err := m.StrnlenUser(end-5, 4096); n != 0 || err != abi.EFAULT {
		t.Fatalf("string running off its mapping: %d, %v", n, err)
	}
	m.Release()
	e.checkLeaks()
}

func TestFaultInWritable(t *testing.T) {
	e := newEnv(t)
	m := e.newMM()
	a := mustMmap(t, m, 0, 2*PageSize, protRW, private|anon)
	write(t, m, a, "keep")
	if err := m.FaultInWritable(a, 2*PageSize); err != nil {
		t.Fatalf("writable range: %v", err)
	}
	if got := read(t, m, a, 4); got != "keep" {
		t.Errorf("contents changed: %q", got)
	}
	ro := mustMmap(t, m, 0, PageSize, abi.PROT_READ, private|anon)
	if err := m.FaultInWritable(ro, 1); err != abi.EFAULT {
		t.Errorf("read-only page: %v, want EFAULT", err)
	}
	if err := m.FaultInWritable(a+PageSize, 2*PageSize); err != abi.EFAULT {
		t.Errorf("range past the area: %v, want EFAULT", err)
	}
	m.Release()
	e.checkLeaks()
}
