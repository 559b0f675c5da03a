package kernel

import (
	"crypto/rand"
	"fmt"
	"unsafe"

	"tamix/arch/amd64"
	"tamix/boot"
	"tamix/boot/pvh"
	"tamix/kernel/printk"
	"tamix/mm"
	"tamix/proc"
	"tamix/proc/elf"
)

// physMem reaches physical memory through the kernel's identity map of
// the first 4 GiB (Linux's page_address() on the direct map).
type physMem struct{}

func (physMem) Frame(pa mm.PhysAddr) *[mm.PageSize]byte {
	if pa >= identityMapped || pa&(mm.PageSize-1) != 0 {
		panic(fmt.Sprintf("kernel: frame %#x is not a mapped page", uint64(pa)))
	}
	return (*[mm.PageSize]byte)(unsafe.Pointer(uintptr(pa)))
}

const identityMapped = 4 << 30

// bootPML4 is cpuinit's page map level 4 (boot/cpuinit_amd64.s), adopted
// as the kernel half of every address space.
const bootPML4 = 0x100000

// archTLB flushes one address space's translations, and only while it is
// the one in CR3 (one CPU: a switch to another reloads CR3 anyway).
// The MM's root is read once at Bind: the MM calls the flusher with its
// lock held. kernel is the template's root, which Unload loads.
type archTLB struct{ root, kernel uint64 }

func (a *archTLB) Bind(m *mm.MM) { a.root = uint64(m.Root()) }

func (a *archTLB) loaded() bool {
	return a.root != 0 && amd64.ReadCR3()&^0xfff == a.root
}

func (a *archTLB) FlushPage(va uintptr) {
	if a.loaded() {
		amd64.FlushPage(va)
	}
}

func (a *archTLB) FlushAll() {
	if a.loaded() {
		amd64.FlushAll()
	}
}

// Unload switches to the kernel's page tables if the MM's are loaded,
// before the MM frees them (mm.Unloader). An exiting thread leaves its
// MM loaded when other threads still use it, as Linux's lazy TLB mode
// does, which spares a CR3 write (under TCG a flush of QEMU's whole TLB
// and jump cache) on the way out and another on the switch to a
// sibling; the last user's exit lands here.
func (a *archTLB) Unload() {
	if a.loaded() {
		amd64.WriteCR3(a.kernel)
	}
}

// initMemory hands the RAM that neither the firmware, the Go runtime nor
// the initramfs use to the page allocator, adopts the boot page tables as
// the kernel template, unpacks the initramfs and configures package proc.
// Mirrors, loosely, mm_init() and populate_rootfs().
func initMemory(info *pvh.StartInfo) error {
	var usable []mm.Range
	for _, r := range info.RAM() {
		usable = append(usable, mm.Range{
			Start: mm.PhysAddr(mm.PageAlign(uintptr(r.Addr))),
			End:   mm.PhysAddr(mm.PageAlignDown(uintptr(r.End()))),
		})
	}
	holes := []mm.Range{
		{Start: 0, End: boot.RamStart},                            // firmware, boot tables, and 2-16 MiB (user window)
		{Start: boot.RamStart, End: boot.RamStart + boot.RamSize}, // the Go runtime
		{Start: identityMapped, End: 1 << 52},                     // beyond the identity map
	}
	for _, m := range info.Modules {
		holes = append(holes, mm.Range{
			Start: mm.PhysAddr(mm.PageAlignDown(uintptr(m.Addr))),
			End:   mm.PhysAddr(mm.PageAlign(uintptr(m.Addr + m.Size))),
		})
	}
	pages := mm.NewBuddy(mm.SubtractRanges(usable, holes...)...)
	tmpl, err := mm.AdoptKernelTemplate(physMem{}, pages, bootPML4)
	if err != nil {
		return err
	}
	kprintf("mm: %d pages (%d MiB) for the page allocator: %v\n",
		pages.FreePageCount(), pages.FreePageCount()>>8, pages.Ranges())

	var archive []byte
	if len(info.Modules) > 0 {
		m := info.Modules[0]
		archive = unsafe.Slice((*byte)(unsafe.Pointer(uintptr(m.Addr))), int(m.Size))
		kprintf("initramfs: %d bytes at %#x\n", m.Size, m.Addr)
	}
	_, _, _, edx := boot.CPU.CPUID(1, 0)
	proc.K = proc.Kernel{
		Pages: pages, Template: tmpl, Console: boot.Console,
		NewTLB: func() proc.TLB { return &archTLB{kernel: uint64(tmpl.Root())} },
		HWCap:  uint64(edx),
		HWCap2: hwcap2(),
		Clock:  boot.Uptime,
		Random: func(b []byte) { rand.Read(b) },
		Log: func(format string, args ...any) {
			printk.Printk(printk.LevelInfo, "tamix: "+format, args...)
		},
	}
	prepareRootfs(archive)
	return nil
}

// hwcap2 is AT_HWCAP2: HWCAP2_FSGSBASE when user code may use
// RDFSBASE/WRFSBASE and the GS forms, as Linux reports it.
func hwcap2() uint64 {
	if amd64.CPUFeatures().FSGSBASE {
		return elf.HWCAP2_FSGSBASE
	}
	return 0
}
