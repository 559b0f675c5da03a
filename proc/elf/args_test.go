package elf

import (
	"errors"
	"testing"
)

func TestNewArgSpace(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name       string
		argc, envc int
		rlim       uint64
		left       uint64 // when ok
		ok         bool
	}{
		{"default limit", 1, 0, 0, 2*mib - 8, true},
		{"8 MiB is the default", 3, 2, 8 * mib, 2*mib - 40, true},
		{"argc 0 counts as 1", 0, 0, 0, 2*mib - 8, true},
		{"small stack: ARG_MAX", 1, 1, 64 << 10, ArgMax - 16, true},
		{"unlimited stack: 6 MiB", 1, 0, ^uint64(0), 6*mib - 8, true},
		{"16 MiB stack", 1, 0, 16 * mib, 4*mib - 8, true},
		{"pointers just fit", 2*mib/8 - 1, 0, 0, 8, true},
		{"pointers fill it", 2*mib/8 - 1, 1, 0, 0, false},
		{"negative argc", -1, 0, 0, 0, false},
		{"negative envc", 1, -5, 0, 0, false},
		{"above MAX_ARG_STRINGS", MaxArgStrings + 1, 0, ^uint64(0), 0, false},
		{"MAX_ARG_STRINGS each", MaxArgStrings, MaxArgStrings, ^uint64(0), 0, false},
	} {
		s, err := NewArgSpace(c.argc, c.envc, c.rlim)
		switch {
		case c.ok && (err != nil || s.Left() != c.left):
			t.Errorf("%s: left %d, %v; want %d", c.name, s.Left(), err, c.left)
		case !c.ok && !errors.Is(err, ErrTooBig):
			t.Errorf("%s: %v, want E2BIG", c.name, err)
		}
	}
}

func TestArgSpaceTake(t *testing.T) {
	s, err := NewArgSpace(1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	left := s.Left()
	if err := s.Take(MaxArgStrlen + 1); !errors.Is(err, ErrTooBig) || s.Left() != left {
		t.Fatalf("one byte over MAX_ARG_STRLEN: %v, left %d", err, s.Left())
	}
	if err := s.Take(MaxArgStrlen); err != nil || s.Left() != left-MaxArgStrlen {
		t.Fatalf("MAX_ARG_STRLEN: %v, left %d", err, s.Left())
	}
	for s.Left() > MaxArgStrlen {
		if err := s.Take(MaxArgStrlen); err != nil {
			t.Fatalf("left %d: %v", s.Left(), err)
		}
	}
	if err := s.Take(s.Left() + 1); !errors.Is(err, ErrTooBig) {
		t.Fatalf("more than is left: %v", err)
	}
	if err := s.Take(s.Left()); err != nil || s.Left() != 0 {
		t.Fatalf("exactly what is left: %v, left %d", err, s.Left())
	}
}

// The attack of issue 13: 2048 arguments of MAX_ARG_STRLEN bytes each
// (256 MiB in all) must be refused after the first 2 MiB, not copied.
func TestArgSpaceManyLongArguments(t *testing.T) {
	s, err := NewArgSpace(2048, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	taken := 0
	for ; taken < 2048; taken++ {
		if err := s.Take(MaxArgStrlen); err != nil {
			break
		}
	}
	if want := int((2<<20 - 8*2048) / MaxArgStrlen); taken != want {
		t.Fatalf("%d arguments accepted before E2BIG, want %d", taken, want)
	}
}
