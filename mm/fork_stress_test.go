package mm

import (
	"math/rand"
	"testing"

	"tamix/abi"
)

// The randomized test of fork: several MMs forked from one another write,
// read, fault, munmap, mprotect, mmap and exit at random, and each one's
// memory must always equal what a full copy at fork would have given. The
// reference model keeps, per MM, one byte per page (the first) and the
// page's permission; the pages of the one shared area live in one map all
// its views see.

// modelPage is a page as the model sees it.
type modelPage struct {
	writable bool
	shm      bool // in the shared area: the value is in model.shm
	val      byte
}

// modelMM is one MM and what its memory must hold.
type modelMM struct {
	m     *MM
	pages map[uintptr]modelPage // mapped pages by address
}

type model struct {
	t     *testing.T
	e     *env
	rng   *rand.Rand
	mms   []*modelMM
	shm   map[uintptr]byte // the shared area's pages
	cands []uintptr        // every page the test may touch
}

// The stress layout: a private area over three leaf tables, not aligned;
// a shared area and a private one together in the fourth table; a private
// area in the low window.
const (
	stressPriv   = block + 3*PageSize
	stressPrivN  = 3*entriesPerTable - 8
	stressShm    = block + 3*tableSpan
	stressShmN   = 20
	stressMixed  = stressShm + stressShmN*PageSize
	stressMixedN = 100
	stressLowN   = 80
)

func newModel(t *testing.T, seed int64) *model {
	md := &model{t: t, e: newEnv(t), rng: rand.New(rand.NewSource(seed)), shm: map[uintptr]byte{}}
	m := md.e.newMM()
	first := &modelMM{m: m, pages: map[uintptr]modelPage{}}
	md.mms = []*modelMM{first}
	md.mmap(first, stressPriv, stressPrivN)
	md.mmap(first, stressMixed, stressMixedN)
	md.mmap(first, UserLowStart, stressLowN)
	mustMmap(t, m, stressShm, stressShmN*PageSize, protRW, shared|abi.MAP_FIXED)
	for i := uintptr(0); i < stressShmN; i++ {
		first.pages[stressShm+i*PageSize] = modelPage{writable: true, shm: true}
	}
	for va := range first.pages {
		md.write(first, va, byte(md.rng.Intn(255)+1))
	}
	for va := block; va < block+4*tableSpan; va += PageSize {
		md.cands = append(md.cands, va)
	}
	for i := uintptr(0); i < stressLowN; i++ {
		md.cands = append(md.cands, UserLowStart+i*PageSize)
	}
	return md
}

// mmap maps n private writable pages at va with MAP_FIXED.
func (md *model) mmap(mm *modelMM, va uintptr, n int) {
	mustMmap(md.t, mm.m, va, uintptr(n)*PageSize, protRW, private|abi.MAP_FIXED)
	for i := 0; i < n; i++ {
		mm.pages[va+uintptr(i)*PageSize] = modelPage{writable: true}
	}
}

// value returns what the model says the page holds.
func (md *model) value(p modelPage, va uintptr) byte {
	if p.shm {
		return md.shm[va]
	}
	return p.val
}

// write stores v at va through CopyToUser and checks the outcome.
func (md *model) write(mm *modelMM, va uintptr, v byte) {
	md.t.Helper()
	p, ok := mm.pages[va]
	_, err := mm.m.CopyToUser(va, []byte{v})
	if !ok || !p.writable {
		if err != abi.EFAULT {
			md.t.Fatalf("write to %#x (mapped %v, %+v): %v, want EFAULT", va, ok, p, err)
		}
		return
	}
	if err != nil {
		md.t.Fatalf("write to %#x: %v", va, err)
	}
	if p.shm {
		md.shm[va] = v
		return
	}
	p.val = v
	mm.pages[va] = p
}

// check reads va and compares it with the model.
func (md *model) check(mm *modelMM, va uintptr) {
	md.t.Helper()
	b := []byte{0}
	_, err := mm.m.CopyFromUser(b, va)
	p, ok := mm.pages[va]
	switch {
	case !ok && err != abi.EFAULT:
		md.t.Fatalf("read of unmapped %#x: %v", va, err)
	case ok && err != nil:
		md.t.Fatalf("read of %#x: %v", va, err)
	case ok && b[0] != md.value(p, va):
		md.t.Fatalf("%#x holds %d, want %d", va, b[0], md.value(p, va))
	}
}

// verify checks every page of every MM, the RSS and the allocator.
func (md *model) verify() {
	md.t.Helper()
	for _, mm := range md.mms {
		for _, va := range md.cands {
			md.check(mm, va)
		}
		checkRSS(md.t, mm.m)
	}
	if err := md.e.buddy.Check(); err != nil {
		md.t.Fatal(err)
	}
}

// pickRange returns a random run of candidate pages, as [start, end).
func (md *model) pickRange() (uintptr, uintptr) {
	i := md.rng.Intn(len(md.cands))
	n := 1 + md.rng.Intn(600)
	if md.rng.Intn(2) == 0 {
		n = 1 + md.rng.Intn(8)
	}
	start := md.cands[i]
	limit := block + 4*tableSpan
	if start < block {
		limit = UserLowStart + stressLowN*PageSize
	}
	return start, min(start+uintptr(n)*PageSize, limit)
}

// step does one random operation.
func (md *model) step() {
	t := md.t
	mm := md.mms[md.rng.Intn(len(md.mms))]
	va := md.cands[md.rng.Intn(len(md.cands))]
	switch r := md.rng.Intn(100); {
	case r < 40:
		md.write(mm, va, byte(md.rng.Intn(255)+1))
	case r < 65:
		md.check(mm, va)
	case r < 72:
		write := md.rng.Intn(2) == 0
		err := mm.m.HandleFault(va, write, false, true)
		p, ok := mm.pages[va]
		switch {
		case !ok:
			wantFault(t, err, abi.SEGV_MAPERR)
		case write && !p.writable:
			wantFault(t, err, abi.SEGV_ACCERR)
		default:
			wantFault(t, err, 0)
		}
	case r < 78:
		if len(md.mms) >= 6 {
			return
		}
		m, err := mm.m.Dup()
		if err != nil {
			t.Fatal(err)
		}
		c := &modelMM{m: m, pages: make(map[uintptr]modelPage, len(mm.pages))}
		for k, v := range mm.pages {
			c.pages[k] = v
		}
		md.mms = append(md.mms, c)
	case r < 82:
		if len(md.mms) == 1 {
			return
		}
		i := md.rng.Intn(len(md.mms))
		md.mms[i].m.Release()
		md.mms = append(md.mms[:i], md.mms[i+1:]...)
	case r < 88:
		start, end := md.pickRange()
		if err := mm.m.Munmap(start, end-start); err != nil {
			t.Fatal(err)
		}
		for a := start; a < end; a += PageSize {
			delete(mm.pages, a)
		}
	case r < 94:
		start, end := md.pickRange()
		prot, writable := abi.PROT_READ, false
		if md.rng.Intn(2) == 0 {
			prot, writable = protRW, true
		}
		covered := true
		for a := start; a < end; a += PageSize {
			_, ok := mm.pages[a]
			covered = covered && ok
		}
		err := mm.m.Mprotect(start, end-start, prot)
		if !covered {
			if err != abi.ENOMEM {
				t.Fatalf("mprotect of a hole: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for a := start; a < end; a += PageSize {
			p := mm.pages[a]
			p.writable = writable
			mm.pages[a] = p
		}
	default:
		start, end := md.pickRange()
		md.mmap(mm, start, int((end-start)/PageSize))
	}
}

func TestForkRandomAgainstModel(t *testing.T) {
	seeds, steps := 6, 1500
	if testing.Short() {
		seeds, steps = 2, 500
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		md := newModel(t, seed)
		for i := 0; i < steps; i++ {
			md.step()
			if i%100 == 99 {
				md.verify()
			}
		}
		md.verify()
		for _, mm := range md.mms {
			mm.m.Release()
		}
		md.e.checkLeaks()
	}
}
