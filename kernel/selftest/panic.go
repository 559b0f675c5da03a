package selftest

import (
	"errors"
	"fmt"
	"runtime"

	"tamix/kernel/ktap"
)

// Package variables keep the compiler from folding the faulting
// operations below into compile-time errors.
var (
	zero      = 0
	seven     = 7
	index     = 5
	boxed any = 1
)

// catch calls f and returns the value it panicked with, or nil.
func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// testPanicRecover checks explicit panics, the runtime errors the compiler
// inserts checks for, and the order in which deferred calls run.
func testPanicRecover(t *ktap.T) {
	explicitPanics(t)
	runtimeErrors(t)
	deferOrder(t)
	recoverRules(t)
}

// explicitPanics recovers panics with a string, an error and nil.
func explicitPanics(t *ktap.T) {
	if v := catch(func() { panic("boom") }); v != "boom" {
		t.Errorf("recover() = %v, want boom", v)
	}
	sentinel := errors.New("sentinel")
	if v := catch(func() { panic(fmt.Errorf("wrapped: %w", sentinel)) }); v == nil {
		t.Errorf("panic with an error not recovered")
	} else if err, ok := v.(error); !ok || !errors.Is(err, sentinel) {
		t.Errorf("recovered %v, want an error wrapping sentinel", v)
	}
	v := catch(func() { panic(nil) })
	if _, ok := v.(*runtime.PanicNilError); !ok {
		t.Errorf("panic(nil) recovered %T %v, want *runtime.PanicNilError", v, v)
	}
	done := make(chan any)
	go func() { done <- catch(func() { panic("in a goroutine") }) }()
	if v := <-done; v != "in a goroutine" {
		t.Errorf("panic in another goroutine recovered %v", v)
	}
}

// runtimeErrors provokes runtime panics and checks their type and text.
func runtimeErrors(t *ktap.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"nil map write", func() {
			var m map[string]int
			m["tamix"] = 1
		}, "assignment to entry in nil map"},
		{"index out of range", func() {
			s := []int{1, 2, 3}
			_ = s[index]
		}, "runtime error: index out of range [5] with length 3"},
		{"slice bounds", func() {
			s := make([]int, 3)
			_ = s[1 : index*2]
		}, "runtime error: slice bounds out of range [:10] with capacity 3"},
		{"integer divide by zero", func() {
			_ = seven / zero
		}, "runtime error: integer divide by zero"},
		{"failed type assertion", func() {
			_ = boxed.(string)
		}, "interface conversion: interface {} is int, not string"},
	}
	for _, tc := range tests {
		v := catch(tc.f)
		err, ok := v.(runtime.Error)
		switch {
		case v == nil:
			t.Errorf("%s: no panic", tc.name)
		case !ok:
			t.Errorf("%s: recovered %T %v, not a runtime.Error", tc.name, v, v)
		case err.Error() != tc.want:
			t.Errorf("%s: message %q, want %q", tc.name, err.Error(), tc.want)
		}
	}
	if v := catch(func() { _ = seven % zero }); v == nil {
		t.Errorf("modulo by zero did not panic")
	}
	var te *runtime.TypeAssertionError
	if v, ok := catch(func() { _ = boxed.(fmt.Stringer) }).(error); !ok || !errors.As(v, &te) {
		t.Errorf("failed assertion to an interface: %v is not a *runtime.TypeAssertionError", v)
	}
}

// deferOrder checks that deferred calls run last in, first out, both on
// return and while panicking.
func deferOrder(t *ktap.T) {
	var order []int
	func() {
		defer func() { order = append(order, 1) }()
		defer func() { order = append(order, 2) }()
		for i := 3; i <= 4; i++ {
			defer func() { order = append(order, i) }()
		}
	}()
	if fmt.Sprint(order) != "[4 3 2 1]" {
		t.Errorf("defer order on return %v, want [4 3 2 1]", order)
	}

	var steps []string
	v := catch(func() {
		defer func() { steps = append(steps, "outer") }()
		defer func() { steps = append(steps, "inner") }()
		steps = append(steps, "body")
		panic("unwind")
	})
	if v != "unwind" || fmt.Sprint(steps) != "[body inner outer]" {
		t.Errorf("defers while panicking: recovered %v, steps %v", v, steps)
	}

	if v := catch(func() {
		defer func() { panic("second") }()
		panic("first")
	}); v != "second" {
		t.Errorf("panic in a deferred call while panicking: recovered %v, want second", v)
	}
}

// recoverRules checks when recover returns nil and that a deferred call
// can set the named results of a panicking function.
func recoverRules(t *ktap.T) {
	if v := catch(func() {}); v != nil {
		t.Errorf("recover() without a panic = %v", v)
	}

	notDirect := func() any { return recover() }
	var inner any
	v := catch(func() {
		defer func() { inner = notDirect() }()
		panic("direct only")
	})
	if inner != nil || v != "direct only" {
		t.Errorf("recover not called directly by the deferred function returned %v (outer got %v)", inner, v)
	}

	f := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("recovered: %v", r)
			}
		}()
		panic("z")
	}
	if err := f(); err == nil || err.Error() != "recovered: z" {
		t.Errorf("named result set by a deferred recover: %v", err)
	}
}
