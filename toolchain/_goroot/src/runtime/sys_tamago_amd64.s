// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "go_asm.h"
#include "textflag.h"

// settls sets the FS base so that the ELF TLS slot -8(FS) is m.tls[0].
// DI = &m.tls. Clobbers AX, CX, DX.
TEXT runtime·settls(SB),NOSPLIT|NOFRAME,$0
	ADDQ	$8, DI			// ELF TLS: g lives at -8(FS)
	MOVQ	DI, AX			// WRMSR writes EDX:EAX ...
	MOVQ	DI, DX
	SHRQ	$32, DX			// ... high half in EDX
	MOVL	$0xc0000100, CX		// ... to IA32_FS_BASE
	WRMSR
	RET

// func tamagoHalt()
TEXT runtime·tamagoHalt(SB),NOSPLIT|NOFRAME,$0
	CLI				// no interrupt may resume us
halt:
	HLT
	JMP	halt

// WakeG records, for netpoll, a goroutine to wake. Called from interrupt
// handlers with the goroutine in AX; returns AX = 0 if recorded, 1 if
// another request is pending. That is the convention of tamago's
// amd64/irq.s, which goes on to wake idle CPUs (an IPI) only when AX is
// 0, i.e. when there is a new wake-up to act on. Clobbers BX.
TEXT runtime·WakeG(SB),NOSPLIT|NOFRAME,$0
	MOVQ	AX, BX			// BX = goroutine
	XORL	AX, AX			// expect an empty slot
	LOCK
	CMPXCHGQ	BX, runtime·tamagoWokenG(SB)
	JNE	busy
	MOVL	$1, runtime·netpollWakeSig(SB)	// end the idle wait
	XORL	AX, AX			// recorded
	RET
busy:
	MOVL	$1, AX			// not recorded: one is pending
	RET
