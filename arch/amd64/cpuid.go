//go:build tamago

package amd64

// CPUID executes the CPUID instruction for leaf and subleaf and returns
// EAX, EBX, ECX and EDX (for /proc/cpuinfo).
func CPUID(leaf, sub uint32) (a, b, c, d uint32) { return cpuid(leaf, sub) }
