// Tamix board bring-up: the first instructions.
//
// QEMU (-machine microvm -kernel tamix.elf) boots through the PVH entry:
// the linker's .note.go.pvh names the runtime's _rt0_amd64_tamago, which
// jumps here. The CPU is in 32-bit protected mode with flat segments,
// paging off, interrupts off and no stack; EBX holds the physical address
// of struct hvm_start_info (see boot/pvh).
//
// cpuinit builds identity-mapped page tables for the first 4 GiB with
// 2 MiB pages (tamago's stock cpuinit uses 1 GiB pages, which CPUs without
// pdpe1gb, TCG among them, do not have), enters long mode and jumps to the
// runtime with a stack.
//
// Until the far jump below this is 32-bit code assembled by the amd64
// assembler, so it only uses instructions whose encoding is the same in
// both modes: 32-bit registers AX..DI, no REX prefixes, no memory
// operands naming symbols (the assembler makes those RIP-relative, which
// 32-bit mode reads as absolute addresses).

//go:build linkcpuinit

#include "textflag.h"

// Early boot area, physical, between 1 MiB and the kernel (RamStart).
#define EARLY_PML4 0x100000	// page map level 4
#define EARLY_PDPT 0x101000	// page directory pointer table
#define EARLY_PD   0x102000	// 4 page directories, 0x102000-0x105fff
#define EARLY_PT   0x106000	// 4 KiB pages for the first 2 MiB
#define EARLY_GDT  0x107000	// GDT: null, 64-bit code, data
#define EARLY_GDTR 0x107100	// its descriptor (limit, base)
#define EARLY_STACK 0x108000	// top of a small stack (PVH gives none)

#define PTE_P   0x001		// present
#define PTE_RW  0x002		// writable
#define PTE_PWT 0x008		// write-through
#define PTE_PCD 0x010		// cache disable
#define PTE_PS  0x080		// 2 MiB page (in a page directory)

#define MSR_EFER 0xc0000080

TEXT cpuinit(SB),NOSPLIT|NOFRAME,$0
	CLI				// no interrupts until an IDT exists
	CLD				// string operations go up
	MOVL	BX, BP			// keep &hvm_start_info (CPUID/RDMSR clobber BX)
	MOVL	$EARLY_STACK, SP	// for the CALL and far return below

	// Zero the page tables and the GDT (7 pages + 1).
	XORL	AX, AX
	MOVL	$EARLY_PML4, DI
	MOVL	$(8*4096), CX
	REP;	STOSB

	// PML4[0] -> PDPT: covers 0-512 GiB.
	MOVL	$EARLY_PML4, DI
	MOVL	$(EARLY_PDPT|PTE_P|PTE_RW), (DI)

	// PDPT[0..3] -> the four page directories: 0-4 GiB.
	MOVL	$EARLY_PDPT, DI
	MOVL	$(EARLY_PD|PTE_P|PTE_RW), AX
	MOVL	$4, CX
pdpt:
	MOVL	AX, (DI)
	ADDL	$4096, AX		// next page directory
	ADDL	$8, DI			// next 8-byte entry (high half stays 0)
	DECL	CX
	JNZ	pdpt

	// PD entries: 2048 x 2 MiB pages mapping physical = virtual.
	MOVL	$EARLY_PD, DI
	MOVL	$(PTE_P|PTE_RW|PTE_PS), AX
	MOVL	$2048, CX
pd:
	MOVL	AX, (DI)
	ADDL	$0x200000, AX		// next 2 MiB frame
	ADDL	$8, DI
	DECL	CX
	JNZ	pd

	// 3-4 GiB holds device registers (LAPIC, I/O APIC, virtio-mmio):
	// map it uncached.
	MOVL	$(EARLY_PD+3*4096), DI
	MOVL	$512, CX
mmio:
	ORL	$(PTE_PCD|PTE_PWT), (DI)
	ADDL	$8, DI
	DECL	CX
	JNZ	mmio

	// The first 2 MiB in 4 KiB pages, page 0 left out so that a nil
	// pointer dereference faults.
	MOVL	$(EARLY_PT+8), DI
	MOVL	$(4096|PTE_P|PTE_RW), AX
	MOVL	$511, CX
pt:
	MOVL	AX, (DI)
	ADDL	$4096, AX
	ADDL	$8, DI
	DECL	CX
	JNZ	pt
	MOVL	$EARLY_PD, DI
	MOVL	$(EARLY_PT|PTE_P|PTE_RW), (DI)	// PD[0] -> that page table

	// GDT: 0x08 64-bit code (L=1, P, DPL 0), 0x10 data (P, writable).
	MOVL	$EARLY_GDT, DI
	MOVL	$0x00209a00, 12(DI)	// descriptor 1, high dword
	MOVL	$0x00009200, 20(DI)	// descriptor 2, high dword
	MOVL	$EARLY_GDTR, DI
	MOVW	$(3*8-1), (DI)		// limit
	MOVL	$EARLY_GDT, 2(DI)	// base

	// Long mode: CR3, PAE, EFER.LME (and NXE for later no-execute
	// mappings), then paging on. We are then in compatibility mode.
	MOVL	$EARLY_PML4, AX
	MOVL	AX, CR3
	MOVL	CR4, AX
	ORL	$(1<<5), AX		// CR4.PAE
	MOVL	AX, CR4
	MOVL	$MSR_EFER, CX
	RDMSR
	ORL	$(1<<8|1<<11), AX	// EFER.LME | EFER.NXE
	WRMSR
	MOVL	CR0, AX
	ORL	$(1<<31|1<<16|1<<0), AX	// CR0.PG | CR0.WP | CR0.PE
	MOVL	AX, CR0

	// Load the GDT and far-return to start64 in the 64-bit code segment.
	// start64's absolute address is computed from our own position:
	// pc32 returns the address of the LEAL that follows the call, and
	// that LEAL, RIP-relative when assembled, yields in 32-bit mode the
	// distance from its own end (6 bytes on) to start64.
	MOVL	$EARLY_GDTR, DI
	LGDT	(DI)
	CALL	·pc32<>(SB)		// AX = address of the next instruction
	LEAL	·start64<>(SB), BX	// BX = start64 - (AX + 6), 6 bytes long
	ADDL	$6, AX
	ADDL	BX, AX			// AX = start64
	PUSHQ	$0x08			// new CS (6a 08: a 4-byte push in 32-bit mode)
	PUSHQ	AX			// new EIP (50: a 4-byte push in 32-bit mode)
	RETFL				// far return: reloads CS, now 64-bit

// pc32 returns its return address in AX (usable in 32-bit mode).
TEXT ·pc32<>(SB),NOSPLIT|NOFRAME,$0
	MOVL	(SP), AX
	RET

// start64 runs in 64-bit mode with the early page tables.
TEXT ·start64<>(SB),NOSPLIT|NOFRAME,$0
	MOVL	$0x10, AX		// flat data segment for DS, ES, SS
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	XORL	AX, AX			// FS and GS selectors 0 (bases from MSRs)
	MOVW	AX, FS
	MOVW	AX, GS

	MOVL	BP, ·startInfoAddr(SB)	// &hvm_start_info, for Go

	// SSE for the Go compiler's code: CR0.EM off, CR0.MP on,
	// CR4.OSFXSR and CR4.OSXMMEXCPT on.
	MOVQ	CR0, AX
	ANDQ	$~(1<<2), AX
	ORQ	$(1<<1), AX
	MOVQ	AX, CR0
	MOVQ	CR4, AX
	ORQ	$(1<<9|1<<10), AX
	MOVQ	AX, CR4
	BYTE	$0xdb; BYTE $0xe3	// FNINIT: reset the x87 state

	// Stack: the top of the runtime's memory less RamStackOffset.
	MOVQ	runtime∕goos·RamStart(SB), SP
	ADDQ	runtime∕goos·RamSize(SB), SP
	SUBQ	runtime∕goos·RamStackOffset(SB), SP
	XORL	BP, BP
	JMP	_rt0_tamago_start(SB)
