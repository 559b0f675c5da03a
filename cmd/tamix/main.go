// Command tamix is the Tamix kernel. Build it with GOOS=tamago
// GOARCH=amd64 (see the Makefile); it boots under QEMU's microvm machine.
package main

import (
	_ "tamix/boot" // board support: must be linked for the runtime hooks

	"tamix/kernel"
)

func main() {
	kernel.StartKernel()
}
