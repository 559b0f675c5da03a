package mm

import (
	"testing"

	"tamix/abi"
)

// testRAM is the simulated allocatable RAM of the tests: 64 MiB after the
// Go runtime's image, as on a small Tamix machine.
var testRAM = Range{ramStart, ramStart + 64*mib}

// failAlloc wraps a Buddy and fails every allocation once budget
// allocations have succeeded (budget < 0: never fail). It lets tests drive
// every ENOMEM unwinding path.
type failAlloc struct {
	*Buddy
	budget int
	calls  int // AllocPages calls, failed ones included
}

func (f *failAlloc) AllocPages(order int) (PhysAddr, error) {
	f.calls++
	if f.budget == 0 {
		return 0, abi.ENOMEM
	}
	if f.budget > 0 {
		f.budget--
	}
	return f.Buddy.AllocPages(order)
}

// recTLB records the flushes the MM asks for.
type recTLB struct {
	pages []uintptr
	all   int
}

func (r *recTLB) FlushPage(va uintptr) { r.pages = append(r.pages, va) }
func (r *recTLB) FlushAll()            { r.all++ }

// flushes returns the number of flush requests and forgets them.
func (r *recTLB) flushes() int {
	n := len(r.pages) + r.all
	r.pages, r.all = nil, 0
	return n
}

// env is a simulated machine: memory, allocator, kernel template.
type env struct {
	t     *testing.T
	mem   *SimMemory
	buddy *Buddy
	alloc *failAlloc
	tmpl  *PageTable
	tlb   *recTLB
	base  uint64 // free pages after the template was built
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, mem: NewSimMemory(testRAM), buddy: NewBuddy(testRAM), tlb: &recTLB{}}
	e.alloc = &failAlloc{Buddy: e.buddy, budget: -1}
	tmpl, err := NewKernelTemplate(e.mem, e.alloc)
	if err != nil {
		t.Fatal(err)
	}
	e.tmpl = tmpl
	e.base = e.buddy.FreePageCount()
	return e
}

// checkLeaks fails the test unless the allocator is consistent and back at
// its baseline.
func (e *env) checkLeaks() {
	e.t.Helper()
	if err := e.buddy.Check(); err != nil {
		e.t.Fatalf("buddy check: %v", err)
	}
	if got := e.buddy.FreePageCount(); got != e.base {
		e.t.Fatalf("free pages %d, want baseline %d: %d leaked", got, e.base, int64(e.base)-int64(got))
	}
}

// page allocates a page for a test mapping.
func (e *env) page() PhysAddr {
	e.t.Helper()
	pa, err := e.buddy.AllocPages(0)
	if err != nil {
		e.t.Fatal(err)
	}
	return pa
}

// newMM returns an empty MM on the environment.
func (e *env) newMM() *MM {
	e.t.Helper()
	m, err := NewMM(e.tmpl, e.alloc, e.tlb)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// mmap maps anonymous memory and fails the test on error.
func mustMmap(t *testing.T, m *MM, addr, length uintptr, prot, flags int) uintptr {
	t.Helper()
	a, err := m.Mmap(addr, length, prot, flags|abi.MAP_ANONYMOUS, -1, 0)
	if err != nil {
		t.Fatalf("mmap(%#x, %#x, %d, %#x): %v", addr, length, prot, flags, err)
	}
	return a
}

// write stores s at va as a user write would, failing the test on error.
func write(t *testing.T, m *MM, va uintptr, s string) {
	t.Helper()
	if n, err := m.CopyToUser(va, []byte(s)); err != nil || n != len(s) {
		t.Fatalf("write %#x: %d, %v", va, n, err)
	}
}

// read returns n bytes at va, failing the test on error.
func read(t *testing.T, m *MM, va uintptr, n int) string {
	t.Helper()
	b := make([]byte, n)
	if got, err := m.CopyFromUser(b, va); err != nil || got != n {
		t.Fatalf("read %#x: %d, %v", va, got, err)
	}
	return string(b)
}

// pte returns the leaf entry of va, failing the test if there is none.
func pte(t *testing.T, m *MM, va uintptr) PTE {
	t.Helper()
	e, ok := m.pt.Lookup(va)
	if !ok {
		t.Fatalf("no entry for %#x", va)
	}
	return e
}

// wantFault checks the outcome of a fault against a SIGSEGV code, or nil
// for code 0.
func wantFault(t *testing.T, err error, code int) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("fault: %v, want it resolved", err)
		}
		return
	}
	fe, ok := err.(*FaultError)
	if !ok || fe.Signo != abi.SIGSEGV || fe.Code != code {
		t.Fatalf("fault: %v, want SIGSEGV code %d", err, code)
	}
}
