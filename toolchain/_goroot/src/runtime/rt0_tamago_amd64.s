// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "textflag.h"

// _rt0_amd64_tamago is the ELF entry point and the PVH entry (the linker
// puts its address in the .note.go.pvh note). The CPU may still be in
// 32-bit protected mode here, so this is a single relative jump, encoded
// the same in both modes, to the board's cpuinit (assembly, no package),
// which sets up long mode, paging and a stack.
TEXT _rt0_amd64_tamago(SB),NOSPLIT|NOFRAME,$0
	JMP	cpuinit(SB)

// _rt0_tamago_start is where cpuinit ends up, in 64-bit mode with SP at
// the top of the initial stack. There are no arguments on bare metal.
TEXT _rt0_tamago_start(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$0, DI	// argc
	MOVQ	$0, SI	// argv
	JMP	runtime·rt0_go(SB)
