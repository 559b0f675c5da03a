package mm

import (
	"fmt"
	"strings"
)

// PTE is an x86-64 page-table entry at any level (Linux's pteval_t, which
// serves pgd, pud, pmd and pte alike on x86-64).
type PTE uint64

// Entry bits, with Linux's names from arch/x86/include/asm/pgtable_types.h
// minus the leading underscore and with PTE_ for _PAGE_.
const (
	PTE_P   PTE = 1 << 0 // present
	PTE_RW  PTE = 1 << 1 // writable
	PTE_US  PTE = 1 << 2 // user accessible
	PTE_PWT PTE = 1 << 3 // write-through
	PTE_PCD PTE = 1 << 4 // cache disabled
	PTE_A   PTE = 1 << 5 // accessed, set by the CPU
	PTE_D   PTE = 1 << 6 // dirty, set by the CPU in leaves
	PTE_PS  PTE = 1 << 7 // large page, in PDPT and PD entries
	PTE_G   PTE = 1 << 8 // global, in leaves
	PTE_NX  PTE = 1 << 63

	// PTE_PROTNONE marks a leaf of a PROT_NONE mapping: P is clear so any
	// access faults, but the entry still holds its page. Linux uses the
	// same trick and the same bit (_PAGE_PROTNONE is _PAGE_GLOBAL, which
	// means nothing while P is clear).
	PTE_PROTNONE = PTE_G

	// PTE_COW marks a leaf whose page is shared copy-on-write: the entry
	// is read-only, and a write to a writable mapping copies the page (or
	// reuses it if no one else holds it). It is bit 9, the first of the
	// bits the CPU ignores, which Linux calls _PAGE_BIT_SOFTW1 and uses
	// as _PAGE_SPECIAL. Linux itself has no COW bit: it finds a COW page
	// from a read-only entry in a writable private VMA (do_wp_page()).
	// Tamix spells it out so that a page-table dump shows it.
	PTE_COW PTE = 1 << 9

	// PTE_SHARED_TABLE marks a page-directory entry whose leaf table
	// (PT) is shared copy-on-write with other address spaces after fork;
	// see fork.go. Such an entry has RW clear, which makes all of its
	// 512 pages read-only whatever the leaves say (the CPU ANDs the RW
	// bits of every level), so the first write faults and the MM gives
	// itself a table of its own. It is bit 10, ignored by the CPU in a
	// PD entry that points to a table; Linux calls the bit
	// _PAGE_BIT_SOFTW2 and has no shared tables.
	PTE_SHARED_TABLE PTE = 1 << 10

	// PTE_ADDR is the mask of the physical address in an entry (Linux's
	// PTE_PFN_MASK with 52 physical address bits).
	PTE_ADDR PTE = 0x000ffffffffff000
)

// leafFlags are the bits a caller of Map or Protect may pass.
const leafFlags = PTE_RW | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_NX | PTE_COW | PTE_PROTNONE

// Addr returns the physical address an entry points to.
func (e PTE) Addr() PhysAddr { return PhysAddr(e & PTE_ADDR) }

// Present reports whether the P bit is set.
func (e PTE) Present() bool { return e&PTE_P != 0 }

// Writable reports whether the entry is present and writable.
func (e PTE) Writable() bool { return e&(PTE_P|PTE_RW) == PTE_P|PTE_RW }

// Flags returns the entry without its address.
func (e PTE) Flags() PTE { return e &^ PTE_ADDR }

var pteBitNames = []struct {
	bit  PTE
	name string
}{
	{PTE_P, "P"}, {PTE_RW, "RW"}, {PTE_US, "US"}, {PTE_PWT, "PWT"},
	{PTE_PCD, "PCD"}, {PTE_A, "A"}, {PTE_D, "D"}, {PTE_PS, "PS"},
	{PTE_G, "G"}, {PTE_COW, "COW"}, {PTE_SHARED_TABLE, "SHARED_TABLE"}, {PTE_NX, "NX"},
}

// String formats the entry as its address and the names of its set bits,
// for the debugger: "0x0000000000123000 P RW US A NX". A cleared P bit
// is shown as "-" first, and G on a non-present entry as PROTNONE.
func (e PTE) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "0x%016x", uint64(e.Addr()))
	if e&PTE_P == 0 {
		sb.WriteString(" -")
	}
	for _, b := range pteBitNames {
		if e&b.bit == 0 {
			continue
		}
		name := b.name
		if b.bit == PTE_G && e&PTE_P == 0 {
			name = "PROTNONE"
		}
		sb.WriteString(" " + name)
	}
	return sb.String()
}
