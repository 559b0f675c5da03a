//go:build !tamago

package amd64

// sync: on the host no state is ever live in the registers (fpu_live.go).
func (f *FPUState) sync() {}
