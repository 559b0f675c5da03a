package sched

import (
	"math/bits"
	"sort"
)

// Nice levels, the load weights they map to, and the fixed-point
// arithmetic the fair policy does with weights (kernel/sched/core.c and
// the __calc_delta() family of kernel/sched/fair.c).

// Nice values bound what setpriority(2) and nice(2) accept
// (include/linux/sched/prio.h: MIN_NICE, MAX_NICE).
const (
	MinNice = -20
	MaxNice = 19
	// NiceWidth is the number of nice levels (NICE_WIDTH).
	NiceWidth = MaxNice - MinNice + 1
)

// Static priorities: Linux numbers SCHED_NORMAL priorities 100..139 after
// the real-time ones, with nice 0 at 120 (MAX_RT_PRIO, DEFAULT_PRIO).
const (
	MaxRTPrio   = 100
	DefaultPrio = MaxRTPrio + NiceWidth/2
)

// Nice0Load is the weight of a nice-0 task (NICE_0_LOAD): the unit in
// which virtual runtime advances at wall-clock speed. On 64-bit Linux the
// kernel keeps weights with 10 extra fixed-point bits (scale_load());
// Tamix keeps them unscaled, the values scale_load_down() returns.
const Nice0Load = 1024

// prioToWeight maps nice -20..19 (index nice+20) to a load weight. Each
// step is about 1.25x, so one nice level is worth about 10% of CPU time
// against a task at the neighbouring level.
//
// Mirrors kernel/sched/core.c:sched_prio_to_weight[] (same values).
var prioToWeight = [NiceWidth]uint32{
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548, 7620, 6100, 4904, 3906,
	/*  -5 */ 3121, 2501, 1991, 1586, 1277,
	/*   0 */ 1024, 820, 655, 526, 423,
	/*   5 */ 335, 272, 215, 172, 137,
	/*  10 */ 110, 87, 70, 56, 45,
	/*  15 */ 36, 29, 23, 18, 15,
}

// prioToWmult holds 2^32/weight for each entry of prioToWeight, so that
// dividing by a weight becomes a multiply and a shift (see calcDelta).
// The values are Linux's, which round some entries up and some down; they
// are all within one of 2^32/weight.
//
// Mirrors kernel/sched/core.c:sched_prio_to_wmult[] (same values).
var prioToWmult = [NiceWidth]uint32{
	/* -20 */ 48388, 59856, 76040, 92818, 118348,
	/* -15 */ 147320, 184698, 229616, 287308, 360437,
	/* -10 */ 449829, 563644, 704093, 875809, 1099582,
	/*  -5 */ 1376151, 1717300, 2157191, 2708050, 3363326,
	/*   0 */ 4194304, 5237765, 6557202, 8165337, 10153587,
	/*   5 */ 12820798, 15790321, 19976592, 24970740, 31350126,
	/*  10 */ 39045157, 49367440, 61356676, 76695844, 95443717,
	/*  15 */ 119304647, 148102320, 186737708, 238609294, 286331153,
}

// ClampNice limits nice to MinNice..MaxNice, the way setpriority(2)
// treats an out-of-range value (it is clamped, not rejected).
// Mirrors the clamping in kernel/sys.c:SYSCALL_DEFINE3(setpriority).
func ClampNice(nice int) int {
	return min(max(nice, MinNice), MaxNice)
}

// ValidNice reports whether nice is within MinNice..MaxNice; interfaces
// that reject rather than clamp (sched_setattr) return -EINVAL otherwise.
func ValidNice(nice int) bool {
	return nice >= MinNice && nice <= MaxNice
}

// NiceToWeight returns the load weight of a task at the given nice
// value, clamping nice to the valid range first.
// Mirrors the table look-up in kernel/sched/core.c:set_load_weight();
// Linux indexes by static priority, Tamix by nice.
func NiceToWeight(nice int) uint32 {
	return prioToWeight[ClampNice(nice)-MinNice]
}

// NiceToWmult returns 2^32/NiceToWeight(nice), Linux's precomputed
// inverse weight (load_weight.inv_weight).
func NiceToWmult(nice int) uint32 {
	return prioToWmult[ClampNice(nice)-MinNice]
}

// NiceToPrio converts nice to a static priority (NICE_TO_PRIO).
func NiceToPrio(nice int) int { return DefaultPrio + nice }

// PrioToNice converts a static priority to nice (PRIO_TO_NICE).
func PrioToNice(prio int) int { return prio - DefaultPrio }

// NiceToRlimit converts nice to the 1..40 scale getpriority(2) returns
// and RLIMIT_NICE uses, so that a successful system call never returns a
// negative number (nice_to_rlimit in include/linux/sched/prio.h).
func NiceToRlimit(nice int) int { return MaxNice - ClampNice(nice) + 1 }

// RlimitToNice is the inverse of NiceToRlimit (rlimit_to_nice).
func RlimitToNice(prio int) int { return MaxNice - prio + 1 }

// inverseWeight returns 2^32/w for a weight: Linux's table value when w
// is one of the nice weights, otherwise computed the way
// kernel/sched/fair.c:__update_inv_weight() does for sums of weights.
func inverseWeight(w uint64) uint32 {
	// prioToWeight is in decreasing order.
	i := sort.Search(NiceWidth, func(i int) bool { return uint64(prioToWeight[i]) <= w })
	if i < NiceWidth && uint64(prioToWeight[i]) == w {
		return prioToWmult[i]
	}
	switch {
	case w >= wmultConst:
		return 1
	case w == 0:
		return wmultConst
	}
	return uint32(wmultConst / w)
}

// Fixed-point constants for divisions by a weight (WMULT_CONST and
// WMULT_SHIFT in kernel/sched/sched.h).
const (
	wmultConst = 1<<32 - 1
	wmultShift = 32
)

// weight returns the entity's load weight, Nice0Load for a zero Entity.
func (e *Entity) weight() uint32 {
	if e.Weight == 0 {
		return Nice0Load
	}
	return e.Weight
}

// invWeight returns 2^32/weight, cached for the weight it was computed for
// (Linux's __update_inv_weight() caches in load_weight.inv_weight).
func (e *Entity) invWeight() uint32 {
	if w := e.weight(); e.invOf != w {
		e.inv, e.invOf = inverseWeight(uint64(w)), w
	}
	return e.inv
}

// calcDelta returns delta * weight / W, where inv = 2^32/W, without a
// division: (delta * weight * inv) >> 32, with the product kept in range
// by moving bits from the factor into the shift.
// Mirrors kernel/sched/fair.c:__calc_delta(); Linux splits the final
// 64x32-bit multiply by hand (mul_u64_u32_shr), Go has bits.Mul64.
func calcDelta(delta uint64, weight, inv uint32) uint64 {
	fact := uint64(weight) * uint64(inv)
	shift := uint(wmultShift)
	if hi := fact >> 32; hi != 0 {
		fs := uint(bits.Len64(hi))
		shift -= fs
		fact >>= fs
	}
	hi, lo := bits.Mul64(delta, fact)
	return hi<<(64-shift) | lo>>shift
}

// calcDeltaFair converts delta ns of CPU time into e's virtual time:
// delta * Nice0Load / weight.
// Mirrors kernel/sched/fair.c:calc_delta_fair().
func calcDeltaFair(delta int64, e *Entity) uint64 {
	if e.weight() == Nice0Load {
		return uint64(delta)
	}
	return calcDelta(uint64(delta), Nice0Load, e.invWeight())
}
