// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build tamago

package runtime

import "unsafe"

// sbrk moves the break up by n bytes. The heap grows from the end of the
// program image (or goos.Bloc) towards the initial g0 stack, which the
// board placed at RamStart+RamSize-RamStackOffset; the memory in between
// is the runtime's and is zero when the machine starts.
func sbrk(n uintptr) unsafe.Pointer {
	bl := bloc
	n = memRound(n)
	if bl+n > blocMax {
		if bl+n > heapLimit() || bl+n < bl {
			return nil
		}
		blocMax = bl + n
	}
	bloc += n
	return unsafe.Pointer(bl)
}

// heapLimit is the highest address the heap may reach: the bottom of
// m0's g0 stack, rounded down to a page.
func heapLimit() uintptr {
	return g0.stack.lo &^ (physPageSize - 1)
}
