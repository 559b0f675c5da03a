package proc

import (
	"errors"
	"sync"
	"testing"
)

func mustAlloc(t *testing.T, a *PIDAllocator, want int) {
	t.Helper()
	got, err := a.Alloc()
	if err != nil || got != want {
		t.Fatalf("Alloc() = %d, %v; want %d", got, err, want)
	}
}

func pidErrno(err error) int {
	var e interface{ Errno() int }
	if errors.As(err, &e) {
		return e.Errno()
	}
	return 0
}

func TestBootPIDs(t *testing.T) {
	a := NewPIDAllocator(0)
	if a.Max() != PIDMaxDefault {
		t.Errorf("default pid_max %d", a.Max())
	}
	for want := 0; want < 4; want++ {
		mustAlloc(t, a, want)
	}
	b := NewPIDAllocator(100)
	if err := b.AllocSpecific(0); err != nil {
		t.Fatal(err)
	}
	mustAlloc(t, b, 1)
	mustAlloc(t, b, 2)
	if NewPIDAllocator(PIDMaxLimit+1).Max() != PIDMaxLimit {
		t.Error("pid_max not clamped")
	}
}

func TestCyclicNoImmediateReuse(t *testing.T) {
	a := NewPIDAllocator(100)
	for want := 0; want < 10; want++ {
		mustAlloc(t, a, want)
	}
	a.Free(5)
	a.Free(9)
	a.Free(9)   // not in use: no-op
	a.Free(-1)  // out of range: no-op
	a.Free(1e6) // out of range: no-op
	if a.InUse() != 8 {
		t.Fatalf("InUse %d", a.InUse())
	}
	mustAlloc(t, a, 10) // not 5 or 9
}

func TestWrapToOne(t *testing.T) {
	// pid_max below ReservedPIDs: wrapping restarts at 1, never 0.
	a := NewPIDAllocator(8)
	for want := 0; want < 8; want++ {
		mustAlloc(t, a, want)
	}
	a.Free(0)
	a.Free(3)
	a.Free(6)
	mustAlloc(t, a, 3)
	mustAlloc(t, a, 6)
	if _, err := a.Alloc(); err != ErrNoPID {
		t.Fatalf("PID 0 reused or no error: %v", err)
	}
}

func TestWrapSkipsReserved(t *testing.T) {
	a := NewPIDAllocator(PIDMaxMin + 99) // 0..399
	for want := 0; want < a.Max(); want++ {
		mustAlloc(t, a, want)
	}
	if _, err := a.Alloc(); err != ErrNoPID || pidErrno(err) != 11 || err.Error() == "" {
		t.Fatalf("exhausted: %v", err)
	}
	// Free one reserved and two ordinary PIDs: after the wrap, the search
	// starts at ReservedPIDs, so 17 stays free.
	a.Free(17)
	a.Free(350)
	a.Free(ReservedPIDs)
	mustAlloc(t, a, ReservedPIDs)
	mustAlloc(t, a, 350)
	if _, err := a.Alloc(); err != ErrNoPID {
		t.Fatalf("reserved PID reused: %v", err)
	}
	// Reuse after the wrap continues cyclically from the cursor.
	a.Free(320)
	a.Free(310)
	a.Free(399)
	mustAlloc(t, a, 399)
	mustAlloc(t, a, 310)
	mustAlloc(t, a, 320)
	if a.InUse() != a.Max()-1 {
		t.Errorf("InUse %d", a.InUse())
	}
}

func TestExhaustionAndRecovery(t *testing.T) {
	a := NewPIDAllocator(130) // spans three bitmap words
	for i := 0; i < 130; i++ {
		if _, err := a.Alloc(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		if _, err := a.Alloc(); !errors.Is(err, ErrNoPID) {
			t.Fatalf("want ErrNoPID, got %v", err)
		}
	}
	a.Free(64)
	a.Free(129)
	mustAlloc(t, a, 64)
	mustAlloc(t, a, 129)
	if a.InUse() != 130 {
		t.Errorf("InUse %d", a.InUse())
	}
}

func TestAllocSpecific(t *testing.T) {
	a := NewPIDAllocator(50)
	if err := a.AllocSpecific(50); pidErrno(err) != 22 {
		t.Errorf("pid_max: %v", err)
	}
	if err := a.AllocSpecific(-1); err != ErrPIDRange {
		t.Errorf("negative: %v", err)
	}
	if err := a.AllocSpecific(7); err != nil {
		t.Fatal(err)
	}
	if err := a.AllocSpecific(7); pidErrno(err) != 17 {
		t.Errorf("taken: %v", err)
	}
	mustAlloc(t, a, 0) // the cursor did not move
	for want := 1; want < 7; want++ {
		mustAlloc(t, a, want)
	}
	mustAlloc(t, a, 8) // 7 is skipped
}

func TestSetMax(t *testing.T) {
	a := NewPIDAllocator(PIDMaxMin)
	for _, bad := range []int{0, ReservedPIDs, PIDMaxLimit + 1} {
		if err := a.SetMax(bad); err != ErrPIDRange {
			t.Errorf("SetMax(%d) = %v", bad, err)
		}
	}
	for i := 0; i < PIDMaxMin; i++ {
		if _, err := a.Alloc(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Alloc(); err != ErrNoPID {
		t.Fatal("not exhausted")
	}
	// Raising pid_max makes room above the old limit.
	if err := a.SetMax(1000); err != nil {
		t.Fatal(err)
	}
	mustAlloc(t, a, PIDMaxMin)
	mustAlloc(t, a, PIDMaxMin+1)
	// Lowering it keeps the PIDs above, but new ones wrap below it.
	if err := a.SetMax(PIDMaxMin); err != nil {
		t.Fatal(err)
	}
	a.Free(ReservedPIDs)
	mustAlloc(t, a, ReservedPIDs)
	a.Free(PIDMaxMin + 1) // a PID above the lowered limit can still be freed
	if a.InUse() != PIDMaxMin+1 || a.Max() != PIDMaxMin {
		t.Errorf("InUse %d Max %d", a.InUse(), a.Max())
	}
}

func TestConcurrentAlloc(t *testing.T) {
	a := NewPIDAllocator(0)
	const workers, each = 8, 200
	got := make(chan int, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				pid, err := a.Alloc()
				if err != nil {
					t.Error(err)
					return
				}
				got <- pid
				if i%2 == 0 {
					a.Free(pid)
				}
			}
		}()
	}
	wg.Wait()
	close(got)
	seen := map[int]bool{}
	for pid := range got {
		if seen[pid] {
			t.Fatalf("PID %d handed out twice", pid)
		}
		seen[pid] = true
	}
	if a.InUse() != workers*each/2 {
		t.Errorf("InUse %d", a.InUse())
	}
}
