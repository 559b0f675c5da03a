// Copyright 2026 The Tamix Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// PVH entry note for GOOS=tamago GOARCH=amd64 kernels (Tamix toolchain port).
//
// A hypervisor that boots an ELF kernel through the PVH boot protocol
// (QEMU's -machine microvm -kernel, Cloud Hypervisor, Firecracker) looks
// for an ELF note whose owner is "Xen" and whose type is
// XEN_ELFNOTE_PHYS32_ENTRY (18), carried in a PT_NOTE segment. Its
// descriptor is the 32-bit physical address where the guest starts in
// 32-bit protected mode with paging off. For a tamago kernel that is the
// ELF entry point: the runtime's _rt0_amd64_tamago only jumps to the
// board's cpuinit, which is written to run in 32-bit mode first.

package ld

import (
	"cmd/internal/sys"
	"internal/buildcfg"
)

const (
	elfNotePVHNameSize = 4  // "Xen\x00"
	elfNotePVHDescSize = 4  // 32-bit physical entry address
	elfNotePVHType     = 18 // XEN_ELFNOTE_PHYS32_ENTRY
)

var elfNotePVHName = []byte("Xen\x00")

// wantPVHNote reports whether the output needs the PVH entry note.
func wantPVHNote(ctxt *Link) bool {
	return buildcfg.GOOS == "tamago" && ctxt.Arch.Family == sys.AMD64 && ctxt.LinkMode != LinkExternal
}

// elfpvhnote reserves header space for the note and sets up its section.
func elfpvhnote(sh *ElfShdr, startva uint64, resoff uint64) int {
	n := int(Rnd(elfNotePVHNameSize, 4) + Rnd(elfNotePVHDescSize, 4))
	return elfnote(sh, startva, resoff, n)
}

// elfwritepvhnote writes the note: header, owner name, entry address.
func elfwritepvhnote(ctxt *Link) int {
	sh := elfwritenotehdr(ctxt.Out, ".note.go.pvh", elfNotePVHNameSize, elfNotePVHDescSize, elfNotePVHType)
	if sh == nil {
		return 0
	}
	entry := Entryvalue(ctxt)
	if entry < 0 || entry > 0xffffffff {
		Errorf("tamago: entry point %#x is not a 32-bit physical address (PVH needs one; check -T)", entry)
	}
	ctxt.Out.Write(elfNotePVHName)
	ctxt.Out.Write32(uint32(entry))
	return int(sh.Size)
}
