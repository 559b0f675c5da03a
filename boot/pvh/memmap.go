package pvh

import (
	"fmt"
	"sort"
)

// TypeName returns the name Linux prints for an E820 type in its boot log
// (arch/x86/kernel/e820.c:e820_print_type()).
func TypeName(typ uint32) string {
	switch typ {
	case TypeRAM:
		return "usable"
	case TypeReserved:
		return "reserved"
	case TypeACPI:
		return "ACPI data"
	case TypeNVS:
		return "ACPI NVS"
	case TypeUnusable:
		return "unusable"
	case TypePMEM, 12:
		return fmt.Sprintf("persistent (type %d)", typ)
	default:
		return fmt.Sprintf("type %d", typ)
	}
}

// End returns the last address of the region (inclusive), or Addr for an
// empty region.
func (r MemRegion) End() uint64 {
	if r.Size == 0 {
		return r.Addr
	}
	return r.Addr + r.Size - 1
}

// String formats the region as Linux prints its E820 table, for example
// "[mem 0x0000000000000000-0x000000000009fbff] usable".
func (r MemRegion) String() string {
	return fmt.Sprintf("[mem 0x%016x-0x%016x] %s", r.Addr, r.End(), TypeName(r.Type))
}

// interval is an inclusive address range [lo, hi]. Inclusive ends let a
// range reach the top of the address space without overflowing.
type interval struct{ lo, hi uint64 }

// RAM returns the usable RAM of the memory map: the TypeRAM regions, sorted
// by address, with overlapping and adjacent ones merged, and with every
// range that another entry marks as something else taken out (as Linux's
// e820 sanitising lets the reserved types win over RAM). Empty regions are
// dropped. The memory map itself is not modified.
func (s *StartInfo) RAM() []MemRegion {
	var ram, other []interval
	for _, r := range s.MemMap {
		if r.Size == 0 {
			continue
		}
		iv := interval{r.Addr, r.End()}
		if r.Type == TypeRAM {
			ram = append(ram, iv)
		} else {
			other = append(other, iv)
		}
	}
	ram, other = merge(ram), merge(other)

	var out []MemRegion
	for _, iv := range ram {
		for _, p := range subtract(iv, other) {
			out = append(out, MemRegion{Addr: p.lo, Size: size(p), Type: TypeRAM})
		}
	}
	return out
}

// size returns the number of bytes in iv, saturated at the largest uint64
// for the whole address space.
func size(iv interval) uint64 {
	if iv.hi-iv.lo == ^uint64(0) {
		return ^uint64(0)
	}
	return iv.hi - iv.lo + 1
}

// merge sorts ivs and merges overlapping and adjacent intervals, in place.
func merge(ivs []interval) []interval {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].lo < ivs[j].lo })
	out := ivs[:0]
	for _, iv := range ivs {
		if n := len(out); n > 0 && (iv.lo <= out[n-1].hi || iv.lo-1 == out[n-1].hi) {
			out[n-1].hi = max(out[n-1].hi, iv.hi)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// subtract returns the parts of iv not covered by holes, which must be
// sorted and merged.
func subtract(iv interval, holes []interval) []interval {
	var out []interval
	for _, h := range holes {
		if h.hi < iv.lo {
			continue
		}
		if h.lo > iv.hi {
			break
		}
		if h.lo > iv.lo {
			out = append(out, interval{iv.lo, h.lo - 1})
		}
		if h.hi >= iv.hi {
			return out
		}
		iv.lo = h.hi + 1
	}
	return append(out, iv)
}
