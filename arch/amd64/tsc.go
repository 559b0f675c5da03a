package amd64

import "math/bits"

// cyc2nsMul is nanoseconds per TSC cycle in 32.32 fixed point, set by
// SetTSCFreq; 0 (every interval 0 ns) before.
var cyc2nsMul uint64

// SetTSCFreq sets the rate CyclesToNs converts with, in Hz. Called once
// at boot, before any user task runs. Mirrors
// arch/x86/kernel/tsc.c:set_cyc2ns_scale().
func SetTSCFreq(hz uint64) {
	if hz == 0 {
		return
	}
	cyc2nsMul = (uint64(1e9) << 32) / hz
}

// CyclesToNs converts a TSC interval to nanoseconds with one 64x64-bit
// multiply and a shift, cheaper than the kernel clock's float scaling:
// the system-call path charges user time with it. Mirrors
// arch/x86/kernel/tsc.c:cycles_2_ns() (mul_u64_u32_shr).
func CyclesToNs(cycles uint64) int64 {
	hi, lo := bits.Mul64(cycles, cyc2nsMul)
	return int64(hi<<32 | lo>>32)
}
