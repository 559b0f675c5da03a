package proc

import (
	"testing"

	"tamix/abi"
)

type countFile struct{ released *int }

func (countFile) Read(*Task, []byte) (int, error)  { return 0, nil }
func (countFile) Write(*Task, []byte) (int, error) { return 0, nil }
func (f countFile) Release()                       { *f.released++ }

func TestFileTable(t *testing.T) {
	released := 0
	ft := NewConsoleFiles()
	f := NewOpenFile(countFile{&released}, 0)
	fd, err := ft.Install(f, 0, true)
	if err != nil || fd != 3 {
		t.Fatalf("Install = %d, %v; want 3", fd, err)
	}
	if on, _ := ft.CloseOnExec(3); !on {
		t.Error("close-on-exec not set")
	}
	if _, err := ft.Dup2(3, 7, false); err != nil {
		t.Fatal(err)
	}
	child := ft.dup() // fork: another reference to each open file
	ft.closeOnExec()  // exec in the parent closes 3, keeps 7
	if _, err := ft.Get(3); err != abi.EBADF {
		t.Errorf("fd 3 after exec: %v, want EBADF", err)
	}
	if _, err := ft.Get(7); err != nil {
		t.Errorf("fd 7 after exec: %v", err)
	}
	ft.Put()
	if released != 0 {
		t.Fatalf("released while the child still holds it")
	}
	if err := child.Close(3); err != nil {
		t.Fatal(err)
	}
	if err := child.Close(3); err != abi.EBADF {
		t.Errorf("double close: %v", err)
	}
	child.Put()
	if released != 1 {
		t.Errorf("released %d times, want 1", released)
	}
	if _, err := ft.Dup2(99, 1, false); err != abi.EBADF {
		t.Errorf("Dup2 of a bad fd: %v", err)
	}
}

func TestFileTableFull(t *testing.T) {
	ft := NewConsoleFiles()
	released := 0
	for i := 3; i < MaxFDs; i++ {
		if _, err := ft.Install(NewOpenFile(countFile{&released}, 0), 0, false); err != nil {
			t.Fatalf("fd %d: %v", i, err)
		}
	}
	if _, err := ft.Install(NewOpenFile(countFile{&released}, 0), 0, false); err != abi.EMFILE {
		t.Errorf("full table: %v, want EMFILE", err)
	}
	ft.Put()
	if released != MaxFDs-3 {
		t.Errorf("released %d, want %d", released, MaxFDs-3)
	}
}
