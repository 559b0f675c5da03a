package proc

import "testing"

func TestDecodeFutexOp(t *testing.T) {
	// FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0), as glibc's
	// condition variables once used.
	op, cmp, oparg, cmparg := DecodeFutexOp(1<<28 | 4<<24 | 1<<12 | 0)
	if op != 1 || cmp != 4 || oparg != 1 || cmparg != 0 {
		t.Errorf("ADD,1,GT,0 -> %d %d %d %d", op, cmp, oparg, cmparg)
	}
	// Negative 12-bit fields and the shift flag.
	op, cmp, oparg, cmparg = DecodeFutexOp(8<<28 | 2<<28 | 5<<24 | 3<<12 | 0xfff)
	if op != 2 || cmp != 5 || oparg != 8 || cmparg != -1 {
		t.Errorf("OR|SHIFT,3,GE,-1 -> %d %d %d %d", op, cmp, oparg, cmparg)
	}
	if _, _, oparg, _ = DecodeFutexOp(8<<28 | 0xfff<<12); oparg != -1<<31 {
		t.Errorf("shift by -1 masked to 31: %#x", oparg)
	}
}

func TestFutexOpApplyCompare(t *testing.T) {
	for _, c := range []struct {
		op        int
		old       uint32
		arg, want uint32
	}{{0, 5, 9, 9}, {1, 5, 9, 14}, {2, 4, 1, 5}, {3, 7, 2, 5}, {4, 6, 3, 5}} {
		if got, ok := FutexOpApply(c.op, c.old, int32(c.arg)); !ok || got != c.want {
			t.Errorf("op %d(%d, %d) = %d, %v", c.op, c.old, c.arg, got, ok)
		}
	}
	if _, ok := FutexOpApply(5, 0, 0); ok {
		t.Error("op 5 accepted")
	}
	for cmp, want := range []bool{false, true, true, true, false, false} {
		if got, ok := FutexOpCompare(cmp, uint32(0xffffffff), 0); !ok || got != want {
			t.Errorf("cmp %d(-1, 0) = %v", cmp, got)
		}
	}
	if _, ok := FutexOpCompare(6, 0, 0); ok {
		t.Error("cmp 6 accepted")
	}
}

func TestRobustDeathWord(t *testing.T) {
	if w, change, wake := RobustDeathWord(42|FUTEX_WAITERS, 42); !change || !wake || w != FUTEX_WAITERS|FUTEX_OWNER_DIED {
		t.Errorf("owner dies with waiters: %#x %v %v", w, change, wake)
	}
	if w, change, wake := RobustDeathWord(42, 42); !change || wake || w != FUTEX_OWNER_DIED {
		t.Errorf("owner dies alone: %#x %v %v", w, change, wake)
	}
	if _, change, _ := RobustDeathWord(43, 42); change {
		t.Error("a word owned by another thread changed")
	}
}
